/*
 * Reading the ledger: the entries of an account, its standing, the arrears
 * of a customer aged at a date, the dunning list of a subtree, and recording
 * reminders.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/uuid.h"
#include "ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

/* What a row reader needs besides the row: the context, the as-of day, the list it fills. */
struct row_sink {
	pcrm_ctx *ctx;
	int64_t day;
	void *list;
};

/* Runs a query and hands every row to `fn` until it fails. */
static int each_row(pcrm_ctx *ctx, const char *sql, const pcrm_sql_value *p, int n,
                    int (*fn)(pcrm_rows *, struct row_sink *), struct row_sink *sink)
{
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, n, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1)
		if ((rc = fn(rows, sink)) != PCRM_OK)
			break;
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* ---- the ledger of an account ---- */

struct pcrm_ledger_list {
	struct pcrm__vec v;
};

PCRM__VEC_LIST(pcrm_ledger_list, pcrm_ledger_entry, pcrm_ledger_list_count, pcrm_ledger_list_at,
               pcrm_ledger_list_free)

static int entry_row(pcrm_rows *rows, struct row_sink *sink)
{
	pcrm_ledger_list *list = sink->list;
	pcrm_ledger_entry *e;
	int rc = pcrm__ledger_entry_from_row(rows, &e);
	if (rc == PCRM_OK && (rc = pcrm__vec_push(&list->v, e)) != PCRM_OK)
		free(e);
	return rc;
}

/* The account, if the actor may read it; `out` is the caller's out-parameter, checked here. */
static int readable_account(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                            const void *out, struct pcrm__ledger_account *acct)
{
	int rc = out ? pcrm_actor_validate(actor) : pcrm__error(PCRM_EINVAL, "out: is NULL");
	if (rc == PCRM_OK)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "account", account_no,
		                           pcrm__ledger_account_load(ctx, account_no, acct),
		                           acct->org_unit);
	return rc;
}

int pcrm_ledger_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                     pcrm_ledger_list **out)
{
	static const char sql[] = "SELECT " PCRM__LEDGER_ENTRY_COLUMNS
	                          " FROM ledger_entry WHERE customer_no = $1 AND account_no = $2 "
	                          "ORDER BY seq";
	struct pcrm__ledger_account acct;
	pcrm_ledger_list *list;
	int rc;

	if (out)
		*out = NULL;
	rc = readable_account(ctx, actor, account_no, out, &acct);
	if (rc != PCRM_OK)
		return rc;
	list = calloc(1, sizeof(*list));
	if (!list)
		return pcrm__error_oom();
	pcrm_sql_value p[2] = { PCRM_SQL_S(acct.customer_no), PCRM_SQL_S(acct.account_no) };
	struct row_sink sink = { ctx, 0, list };
	rc = each_row(ctx, sql, p, 2, entry_row, &sink);
	if (rc != PCRM_OK) {
		pcrm_ledger_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm_ledger_summary_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                             pcrm_ledger_summary *out)
{
	static const char state[] =
		"SELECT balance, credit, entries FROM ledger_account WHERE account_no = $1";
	static const char open[] =
		"SELECT open_amount FROM ledger_item WHERE account_no = $1 AND status = 'open'";
	struct pcrm__ledger_account acct;
	pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
	pcrm_rows *rows;
	int rc;

	rc = readable_account(ctx, actor, account_no, out, &acct);
	if (rc == PCRM_OK)
		rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_LEDGER_SUMMARY);
	if (rc != PCRM_OK)
		return rc;
	s.version = PCRM_LEDGER_SUMMARY_VERSION;
	s.balance = s.open = s.credit = pcrm_decimal_make(0, 2);
	s.entries = 0;
	pcrm_sql_value p[1] = { PCRM_SQL_S(acct.account_no) };
	rc = pcrm__store_query(ctx->store, state, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	if ((rc = pcrm__rows_next(rows)) == 1) {
		rc = pcrm__money_load(pcrm__rows_text(rows, 0), &s.balance);
		if (rc == PCRM_OK)
			rc = pcrm__money_load(pcrm__rows_text(rows, 1), &s.credit);
		s.entries = pcrm__rows_int(rows, 2);
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = pcrm__store_query(ctx->store, open, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		pcrm_decimal v;
		rc = pcrm__money_load(pcrm__rows_text(rows, 0), &v);
		if (rc == PCRM_OK)
			rc = pcrm_decimal_add(s.open, v, &s.open);
		if (rc != PCRM_OK)
			break;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	*out = s;
	return PCRM_OK;
}

/* ---- arrears ---- */

struct pcrm_arrears {
	struct pcrm__vec v;
	pcrm_decimal total;
};

PCRM__VEC_LIST(pcrm_arrears, pcrm_arrears_item, pcrm_arrears_count, pcrm_arrears_at,
               pcrm_arrears_free)

pcrm_decimal pcrm_arrears_total(const pcrm_arrears *a)
{
	return a ? a->total : pcrm_decimal_make(0, 2);
}

static int arrears_row(pcrm_rows *rows, struct row_sink *sink)
{
	pcrm_arrears *a = sink->list;
	int64_t as_of = sink->day;
	const char *src[6] = { pcrm__rows_text(rows, 0), pcrm__rows_text(rows, 1),
		               pcrm__rows_text(rows, 2), pcrm__rows_text(rows, 3),
		               pcrm__rows_text(rows, 4), pcrm__rows_text(rows, 9) };
	const size_t dst[6] = {
		offsetof(pcrm_arrears_item, customer_no), offsetof(pcrm_arrears_item, account_no),
		offsetof(pcrm_arrears_item, item_no),     offsetof(pcrm_arrears_item, kind),
		offsetof(pcrm_arrears_item, period),      offsetof(pcrm_arrears_item, usage_class),
	};
	pcrm_arrears_item *it = pcrm__block_new(sizeof(*it), src, dst, 6);
	int64_t due = pcrm__rows_int(rows, 6);
	int rc;

	if (!it)
		return pcrm__error_oom();
	it->issue_date = pcrm_date_from_days(pcrm__rows_int(rows, 5));
	it->due_date = pcrm_date_from_days(due);
	it->days_past_due = as_of > due ? (int)(as_of - due) : 0;
	it->prior_year = it->due_date.year < pcrm_date_from_days(as_of).year;
	it->residential = strcmp(it->usage_class, "residential") == 0;
	rc = pcrm__money_load(pcrm__rows_text(rows, 7), &it->amount);
	if (rc == PCRM_OK)
		rc = pcrm__money_load(pcrm__rows_text(rows, 8), &it->open_amount);
	if (rc == PCRM_OK)
		rc = pcrm_decimal_add(a->total, it->open_amount, &a->total);
	if (rc == PCRM_OK)
		rc = pcrm__vec_push(&a->v, it);
	if (rc != PCRM_OK)
		free(it);
	return rc;
}

static int customer_org(pcrm_ctx *ctx, const char *customer_no, char org[PCRM__LEDGER_CODE_MAX + 1])
{
	static const char sql[] = "SELECT org_unit FROM customer WHERE customer_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int rc;
	if (!customer_no || !*customer_no)
		return pcrm__error(PCRM_EINVAL, "customer_no: missing");
	rc = pcrm__ledger_first_row(ctx->store, sql, p, 1, &rows);
	if (rc == 1) {
		snprintf(org, PCRM__LEDGER_CODE_MAX + 1, "%s", pcrm__rows_text(rows, 0));
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%.32s\" does not exist", customer_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

static int check_date(const char *name, pcrm_date d)
{
	if (!pcrm_date_is_valid(d))
		return pcrm__error(PCRM_EINVAL, "%s: %04d-%02d-%02d is not a date", name, d.year,
		                   d.month, d.day);
	return PCRM_OK;
}

int pcrm_arrears_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                      const char *account_no, pcrm_date as_of, pcrm_arrears **out)
{
	static const char sql[] =
		"SELECT customer_no, account_no, item_no, kind, period, issue_day, due_day, amount, "
		"open_amount, usage_class FROM ledger_item WHERE customer_no = $1 AND status = 'open' "
		"AND ($2 = '' OR account_no = $2) ORDER BY issue_day, due_day, item_no";
	char org[PCRM__LEDGER_CODE_MAX + 1];
	struct pcrm__ledger_account acct;
	pcrm_arrears *a;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_date("as_of", as_of);
	if (rc == PCRM_OK)
		rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!customer_no || !*customer_no))
		rc = pcrm__error(PCRM_EINVAL, "customer_no: missing");
	/* The customer's scope first: nothing about its accounts is said to an outsider. */
	if (rc == PCRM_OK)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "customer", customer_no,
		                           customer_org(ctx, customer_no, org), org);
	if (rc == PCRM_OK && account_no) {
		rc = pcrm__ledger_account_load(ctx, account_no, &acct);
		if (rc == PCRM_ENOTFOUND ||
		    (rc == PCRM_OK && strcmp(acct.customer_no, customer_no) != 0))
			rc = pcrm__error(PCRM_ENOTFOUND, "account_no: \"%s\" is not an account of %s",
			                 account_no, customer_no);
	}
	if (rc != PCRM_OK)
		return rc;
	a = calloc(1, sizeof(*a));
	if (!a)
		return pcrm__error_oom();
	a->total = pcrm_decimal_make(0, 2);
	pcrm_sql_value p[2] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(account_no ? account_no : "") };
	struct row_sink sink = { ctx, pcrm_date_to_days(as_of), a };
	rc = each_row(ctx, sql, p, 2, arrears_row, &sink);
	if (rc != PCRM_OK) {
		pcrm_arrears_free(a);
		return rc;
	}
	*out = a;
	return PCRM_OK;
}

/* ---- dunning ---- */

struct pcrm_dunning_list {
	struct pcrm__vec v;
};

PCRM__VEC_LIST(pcrm_dunning_list, pcrm_dunning_item, pcrm_dunning_list_count,
               pcrm_dunning_list_at, pcrm_dunning_list_free)

/* How often the account was reminded since `from_day`, and when last. */
static int reminders(pcrm_ctx *ctx, pcrm_dunning_item *it, int64_t from_day)
{
	static const char sql[] = "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM dunning_reminder "
	                          "WHERE account_no = $1 AND day >= $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(it->account_no), PCRM_SQL_I(from_day) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
	if (rc != PCRM_OK)
		return rc;
	if ((rc = pcrm__rows_next(rows)) == 1) {
		it->reminders = (int)pcrm__rows_int(rows, 0);
		it->last_reminded_at = pcrm__rows_int(rows, 1);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int dunning_row(pcrm_rows *rows, struct row_sink *sink)
{
	pcrm_dunning_list *l = sink->list;
	int64_t as_of = sink->day;
	const char *src[3] = { pcrm__rows_text(rows, 0), pcrm__rows_text(rows, 1),
		               pcrm__rows_text(rows, 2) };
	const size_t dst[3] = { offsetof(pcrm_dunning_item, customer_no),
		                      offsetof(pcrm_dunning_item, account_no),
		                      offsetof(pcrm_dunning_item, org_unit) };
	pcrm_dunning_item *it = pcrm__block_new(sizeof(*it), src, dst, 3);
	int64_t due = pcrm__rows_int(rows, 3);
	int rc;

	if (!it)
		return pcrm__error_oom();
	it->oldest_due = pcrm_date_from_days(due);
	it->days_past_due = (int)(as_of - due);
	it->open_items = (int)pcrm__rows_int(rows, 4);
	/* balance = open - credit, and the credit is zero while items are open */
	rc = pcrm__money_load(pcrm__rows_text(rows, 5), &it->arrears);
	if (rc == PCRM_OK)
		rc = reminders(sink->ctx, it, due);
	if (rc == PCRM_OK)
		rc = pcrm__vec_push(&l->v, it);
	if (rc != PCRM_OK)
		free(it);
	return rc;
}

int pcrm_dunning_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                           pcrm_date as_of, int min_days, pcrm_dunning_list **out)
{
	static const char sql[] =
		"SELECT i.customer_no, i.account_no, c.org_unit, MIN(i.due_day), COUNT(*), "
		"la.balance FROM ledger_item i "
		"JOIN customer c ON c.customer_no = i.customer_no "
		"JOIN org_unit o ON o.code = c.org_unit "
		"JOIN ledger_account la ON la.account_no = i.account_no "
		"WHERE i.status = 'open' AND substr(o.path, 1, length($1)) = $1 "
		"GROUP BY i.customer_no, i.account_no, c.org_unit, la.balance "
		"HAVING MIN(i.due_day) < $2 ORDER BY MIN(i.due_day), i.account_no";
	pcrm_dunning_list *l;
	char *scope = NULL;
	int64_t day;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_date("as_of", as_of);
	if (rc == PCRM_OK && (min_days < 0 || min_days > 36500))
		rc = pcrm__error(PCRM_EINVAL, "min_days: %d is outside 0..36500", min_days);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, org_unit, &scope);
	if (rc != PCRM_OK)
		return rc;
	l = calloc(1, sizeof(*l));
	if (!l) {
		free(scope);
		return pcrm__error_oom();
	}
	day = pcrm_date_to_days(as_of);
	pcrm_sql_value p[2] = { PCRM_SQL_S(scope), PCRM_SQL_I(day - min_days) };
	struct row_sink sink = { ctx, day, l };
	rc = each_row(ctx, sql, p, 2, dunning_row, &sink);
	free(scope);
	if (rc != PCRM_OK) {
		pcrm_dunning_list_free(l);
		return rc;
	}
	*out = l;
	return PCRM_OK;
}

static const char *const remind_channels[] = { "sms", "phone", "letter", "visit", "wechat", NULL };

/* Checks a reminder document: channel, at (optional), note (optional); nothing else. */
static int remind_check(pcrm_ctx *ctx, const json_t *doc, pcrm_time *at)
{
	const char *name;
	json_t *v;
	int known = 0;
	*at = pcrm_ctx_now(ctx);
	json_object_foreach((json_t *)doc, name, v) {
		if (strcmp(name, "channel") && strcmp(name, "at") && strcmp(name, "note"))
			return pcrm__error(PCRM_EINVAL, "%.64s: unknown field", name);
		if (!json_is_string(v))
			return pcrm__error(PCRM_EINVAL, "%s: must be a string", name);
	}
	v = json_object_get(doc, "channel");
	for (const char *const *c = remind_channels; v && *c; c++)
		known |= strcmp(*c, json_string_value(v)) == 0;
	if (!known)
		return pcrm__error(PCRM_EINVAL,
		                   "channel: must be one of sms, phone, letter, visit, wechat");
	v = json_object_get(doc, "at");
	if (v && pcrm_time_parse(json_string_value(v), at) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "at: is not an ISO 8601 instant with offset");
	if (*at > pcrm_ctx_now(ctx))
		return pcrm__error(PCRM_EINVAL, "at: lies in the future");
	v = json_object_get(doc, "note");
	if (v) {
		size_t n = json_string_length(v);
		if (n < 1 || n > PCRM__LEDGER_TEXT_MAX || strlen(json_string_value(v)) != n)
			return pcrm__error(PCRM_EINVAL, "note: must be 1..%d bytes without NUL",
			                   PCRM__LEDGER_TEXT_MAX);
	}
	return PCRM_OK;
}

static int insert_reminder(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const struct pcrm__ledger_account *acct, const json_t *doc,
                           pcrm_time at)
{
	static const char sql[] =
		"INSERT INTO dunning_reminder (customer_no, account_no, id, at, day, channel, note, "
		"reminded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	/*
	 * The account's ledger row, held as a posting holds it: the entry's
	 * digest covers the account's reminders (lib/audit/cover_ledger.h), so two
	 * reminders or a reminder and a posting of one account must not
	 * interleave between taking their digests and appending their entries.
	 */
	static const char lock[] = "UPDATE ledger_account SET updated_at = $2 WHERE account_no = $1";
	char id[PCRM_UUID_STRING_LEN + 1];
	const char *channel = json_string_value(json_object_get(doc, "channel"));
	pcrm_sql_value l[2] = { PCRM_SQL_S(acct->account_no), PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	json_t *summary;
	int rc = pcrm__store_exec(ctx->store, lock, l, 2, NULL);

	if (rc != PCRM_OK)
		return rc;
	pcrm__uuid_new(id);
	pcrm_sql_value p[8] = { PCRM_SQL_S(acct->customer_no), PCRM_SQL_S(acct->account_no),
		                PCRM_SQL_S(id), PCRM_SQL_I(at), PCRM_SQL_I(pcrm__ledger_day(ctx, at)),
		                PCRM_SQL_S(channel),
		                PCRM_SQL_S(json_string_value(json_object_get(doc, "note"))),
		                PCRM_SQL_S(actor->operator_id) };
	rc = pcrm__store_exec(ctx->store, sql, p, 8, NULL);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:s, s:s, s:I}", "customer_no", acct->customer_no, "id", id,
	                    "channel", channel, "at", (json_int_t)at);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append(ctx, actor, "dunning.remind", "account", acct->account_no, summary);
	json_decref(summary);
	return rc;
}

int pcrm_dunning_remind(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        const char *json)
{
	struct pcrm__ledger_account acct;
	json_t *doc = NULL;
	pcrm_time at = 0;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__ledger_parse_json("reminder", json, json ? strlen(json) : 0, &doc);
	if (rc == PCRM_OK)
		rc = remind_check(ctx, doc, &at);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_CONTACT_WRITE, "account", account_no,
		                           pcrm__ledger_account_load(ctx, account_no, &acct),
		                           acct.org_unit);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, insert_reminder(ctx, actor, &acct, doc, at));
	json_decref(doc);
	return rc;
}
