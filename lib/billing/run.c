/*
 * The billing run: one month, one org subtree, batch by batch.
 *
 * Each batch reads the next accounts without an issued bill for the month
 * (keyset paging on the account number), sums their readings, computes
 * their bills and writes the bill rows through the bulk path (COPY on
 * PostgreSQL), all in one transaction.  Posting the bills to the ledgers
 * (issuance, 电费发行) is a step of its own, pcrm_billing_post() (post.c);
 * with "post": true the run posts each batch in the batch's transaction.  The
 * "no issued bill yet" filter is what makes a rerun finish an interrupted
 * run without doubling anything; the partial unique index on
 * bill (account_no, period) backs it against two runs at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/text.h"
#include "core/json_doc.h"
#include "core/uuid.h"
#include "ledger/ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "tariff/demand.h"
#include "tariff/tariff_internal.h"

#define DEFAULT_BATCH 500
#define MAX_BATCH 10000
#define MAX_CLASSES 32

struct run_tariff {
	const char *usage_class;
	struct pcrm__tariff_choice *choices; /* the base version first, then units' overrides */
	size_t nchoices;
};

struct run {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	json_t *spec;
	const char *org_unit;
	char *scope;
	struct pcrm__month month;
	pcrm_date issue_date, due_date;
	int batch_size;
	int post; /* "post": true: post each batch's bills to the ledgers in its transaction */
	int year_to_date; /* a tariff of the run reads the year's earlier bills */
	int ratchet_months; /* the longest look-back of a tariff's demand ratchet, or 0 */
	int unbilled_only; /* test each account for a current bill of the month (SUBJECTS_SQL) */
	struct run_tariff tariffs[MAX_CLASSES];
	size_t ntariffs;
	struct pcrm__bill_subject *subjects;
	struct pcrm__account_usage *usage;
	size_t nusage; /* usages of the batch in `usage`, sorted */
	size_t usage_next; /* where the next subject's usage most likely is (compute_bill) */
	size_t last_tariff; /* the tariff of the last bill (tariff_for) */
	pcrm_bill **bills;
	char (*bill_nos)[PCRM__BILL_NO_MAX]; /* bill number of each subject */
	char after[PCRM__BILL_CODE_MAX + 1]; /* the keyset: the last account of the last batch */
	/* the batch's digest; kept for the run, so its buffer is allocated once, not per batch */
	pcrm__audit_cover_rows *cover;
	pcrm_billing_summary summary;
};

static void run_clear(struct run *r)
{
	for (size_t i = 0; i < r->ntariffs; i++)
		pcrm__tariff_choices_free(r->tariffs[i].choices, r->tariffs[i].nchoices);
	free(r->subjects);
	free(r->usage);
	free(r->bills);
	free(r->bill_nos);
	pcrm__audit_cover_rows_free(r->cover);
	free(r->scope);
	json_decref(r->spec);
}

/* ---- the spec ---- */

static int spec_date(json_t *spec, const char *key, pcrm_date *out)
{
	json_t *v = json_object_get(spec, key);
	int rc = pcrm__json_expect(key, v, JSON_STRING, "a date \"YYYY-MM-DD\"");
	if (rc == PCRM_OK && pcrm_date_parse(json_string_value(v), out) != PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "%s: expected a date \"YYYY-MM-DD\"", key);
	return rc;
}

/* Notes a tariff that reads earlier bills; refuses one that ends inside the month. */
static int check_tariff(struct run *r, const char *path, const char *id, const pcrm_tariff *t)
{
	pcrm_date to = pcrm_tariff_effective_to(t);

	if (pcrm__tariff_uses_year_to_date(t, r->month.first.month == 12))
		r->year_to_date = 1;
	if (pcrm__tariff_ratchet_months(t) > r->ratchet_months)
		r->ratchet_months = pcrm__tariff_ratchet_months(t);
	if (pcrm_date_is_valid(to) && pcrm_date_to_days(to) < pcrm_date_to_days(r->month.last))
		return pcrm__error(PCRM_EINVAL,
		                   "%s: tariff \"%s\" version %lld ends on %04d-%02d-%02d, inside %s",
		                   path, id, (long long)pcrm_tariff_version(t), to.year, to.month,
		                   to.day, r->month.text);
	return PCRM_OK;
}

static int load_tariffs(struct run *r, json_t *map)
{
	const char *usage_class;
	json_t *id;
	char path[96];
	int rc = pcrm__json_expect("tariffs", map, JSON_OBJECT, "an object: usage class -> tariff id");

	if (rc == PCRM_OK && json_object_size(map) == 0)
		rc = pcrm__error(PCRM_EINVAL, "tariffs: names no tariff");
	if (rc == PCRM_OK && json_object_size(map) > MAX_CLASSES)
		rc = pcrm__error(PCRM_EINVAL, "tariffs: more than %d usage classes", MAX_CLASSES);
	json_object_foreach(map, usage_class, id) {
		struct run_tariff *t = &r->tariffs[r->ntariffs];
		if (rc != PCRM_OK)
			break;
		snprintf(path, sizeof(path), "tariffs.%.64s", usage_class);
		rc = pcrm__json_expect(path, id, JSON_STRING, "a tariff id");
		if (rc == PCRM_OK)
			rc = pcrm__tariff_fetch_choices(r->ctx, json_string_value(id), r->month.first,
			                                &t->choices, &t->nchoices);
		if (rc != PCRM_OK) {
			pcrm__error_prefix("%s", path);
			break;
		}
		t->usage_class = usage_class;
		r->ntariffs++;
		for (size_t k = 0; k < t->nchoices && rc == PCRM_OK; k++)
			rc = check_tariff(r, path, json_string_value(id), t->choices[k].tariff);
	}
	return rc;
}

int pcrm__billing_pg(const pcrm_ctx *ctx)
{
	return ctx->store->driver->kind == PCRM_STORE_POSTGRES;
}

int pcrm__billing_spec_load(pcrm_ctx *ctx, const char *text, const char *const *keys,
                            struct pcrm__billing_spec *out)
{
	json_error_t err;
	json_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	out->batch_size = DEFAULT_BATCH;
	if (!text)
		return pcrm__error(PCRM_EINVAL, "spec: is NULL");
	out->json = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!out->json)
		return pcrm__error(PCRM_EINVAL, "spec: not JSON at line %d column %d: %s", err.line,
		                   err.column, err.text);
	rc = pcrm__json_expect("spec", out->json, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("spec", out->json, keys);
	v = json_object_get(out->json, "org_unit");
	if (rc == PCRM_OK && (rc = pcrm__json_expect("org_unit", v, JSON_STRING, "an org unit code")) == PCRM_OK)
		out->org_unit = json_string_value(v);
	v = json_object_get(out->json, "period");
	if (rc == PCRM_OK && (rc = pcrm__json_expect("period", v, JSON_STRING, "a month \"YYYY-MM\"")) == PCRM_OK)
		rc = pcrm__month_parse(ctx, "period", json_string_value(v), &out->month);
	v = json_object_get(out->json, "batch_size");
	if (rc == PCRM_OK && v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > MAX_BATCH)
			rc = pcrm__error(PCRM_EINVAL, "batch_size: expected an integer 1..%d", MAX_BATCH);
		else
			out->batch_size = (int)json_integer_value(v);
	}
	return rc;
}

static int parse_spec(struct run *r, const char *text)
{
	static const char *const keys[] = { "org_unit", "period", "issue_date", "due_date",
		                            "tariffs", "batch_size", "post", NULL };
	struct pcrm__billing_spec spec;
	json_t *v;
	int rc = pcrm__billing_spec_load(r->ctx, text, keys, &spec);

	r->spec = spec.json;
	r->org_unit = spec.org_unit;
	r->month = spec.month;
	r->batch_size = spec.batch_size;
	if (rc == PCRM_OK)
		rc = spec_date(r->spec, "issue_date", &r->issue_date);
	if (rc == PCRM_OK)
		rc = spec_date(r->spec, "due_date", &r->due_date);
	if (rc == PCRM_OK && pcrm_date_to_days(r->due_date) < pcrm_date_to_days(r->issue_date))
		rc = pcrm__error(PCRM_EINVAL, "due_date: lies before issue_date");
	v = json_object_get(r->spec, "post");
	if (rc == PCRM_OK && v) {
		if (!json_is_boolean(v))
			rc = pcrm__error(PCRM_EINVAL, "post: expected true or false");
		else
			r->post = json_is_true(v);
	}
	return rc;
}

/* ---- one batch ---- */

/*
 * The last bill's tariff is tried first: a batch's accounts are mostly of
 * one usage class.  Of its versions, the most specific for the account's
 * org unit: a unit's override, else the base version.
 */
static const pcrm_tariff *tariff_for(struct run *r, const struct pcrm__bill_subject *s)
{
	const struct run_tariff *t = NULL;

	if (r->last_tariff < r->ntariffs &&
	    strcmp(r->tariffs[r->last_tariff].usage_class, s->usage_class) == 0)
		t = &r->tariffs[r->last_tariff];
	for (size_t i = 0; !t && i < r->ntariffs; i++)
		if (strcmp(r->tariffs[i].usage_class, s->usage_class) == 0) {
			r->last_tariff = i;
			t = &r->tariffs[i];
		}
	if (!t)
		return NULL;
	return pcrm__tariff_choose(t->choices, t->nchoices, s->org_path);
}

/*
 * The usage of a subject.  Subjects come in account order and so do the
 * usages (byte order, which is the store's order for the usual account
 * numbers), so the next usage is tried first and the binary search (about
 * eleven strcmp per bill, 7 % of the run's client time in perf) is only the
 * fallback: when an account has no reading or the two orders differ.
 */
static const struct pcrm__account_usage *usage_for(struct run *r, const char *account_no)
{
	const struct pcrm__account_usage *u;

	if (r->usage_next < r->nusage &&
	    strcmp(r->usage[r->usage_next].account_no, account_no) == 0)
		return &r->usage[r->usage_next++];
	u = pcrm__usage_find(r->usage, r->nusage, account_no);
	if (u)
		r->usage_next = (size_t)(u - r->usage) + 1;
	return u;
}

/*
 * The batch's accounts with their customers' attributes and their own
 * contract terms, all columns of the account row (migration 13 copies the
 * customer's), so a batch is one range of account_no_unique: no customer
 * probe per account.
 *
 * Only accounts without a current bill for the month are taken.  When the
 * run starts with no current bill of the month in its subtree (the first
 * run of a month), that test is left out (SUBJECTS_SQL), which saves a
 * probe of the bill index per account: this run's own bills lie behind the
 * keyset, and a bill written meanwhile by someone else (a second run at
 * once) makes this run's COPY fail on bill_issued_by_period, after which
 * the batch is read again with the test (run_batch).  The bound on
 * b.account_no repeats the keyset bound inside NOT EXISTS: without it
 * PostgreSQL merges against the bill index from its start, so every batch
 * scanned the bills of every batch before it.
 */
#define SUBJECTS_FROM                                                                        \
	"SELECT a.account_no, a.customer_no, a.usage_class, a.household_size, a.low_income, "     \
	PCRM__CONTRACT_COLUMNS ", o.path FROM account a JOIN org_unit o ON o.code = a.org_unit WHERE "
#define SUBJECTS_WHERE                                                                       \
	" AND a.account_no > $2 AND a.status = 'active' AND a.customer_status = 'active' "
#define SUBJECTS_SQL(in_subtree)                                                             \
	SUBJECTS_FROM in_subtree SUBJECTS_WHERE "ORDER BY a.account_no LIMIT $3"
#define SUBJECTS_UNBILLED_SQL(in_subtree)                                                    \
	SUBJECTS_FROM in_subtree SUBJECTS_WHERE "AND NOT EXISTS (SELECT 1 FROM bill b "           \
	"WHERE b.account_no = a.account_no AND b.account_no > $2 AND b.period = $4 "              \
	"AND b.status = 'issued') ORDER BY a.account_no LIMIT $3"

/*
 * Planned once (pcrm__store_query_generic()): PostgreSQL judged the generic
 * plan dearer than a custom one (it cannot know $3 and the subtree) and so
 * planned the query again for every batch, 0.3 ms each (EXPLAIN ANALYZE at
 * 200,000 customers); the generic plan is the same index range of
 * account_no_unique with the subtree's org units materialised, and runs as
 * fast.
 */
static int load_subjects(struct run *r, const char *after, size_t *n)
{
	pcrm_sql_value p[4] = { PCRM_SQL_S(r->scope), PCRM_SQL_S(after), PCRM_SQL_I(r->batch_size),
		                PCRM_SQL_S(r->month.text) };
	/* [unbilled_only][PostgreSQL]; the month ($4) is a parameter of the unbilled form only */
	static const char *const sql[2][2] = {
		{ SUBJECTS_SQL(PCRM__IN_SUBTREE_SQLITE), SUBJECTS_SQL(PCRM__IN_SUBTREE_PG) },
		{ SUBJECTS_UNBILLED_SQL(PCRM__IN_SUBTREE_SQLITE),
		  SUBJECTS_UNBILLED_SQL(PCRM__IN_SUBTREE_PG) },
	};
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query_generic(r->ctx->store,
	                                   sql[r->unbilled_only][pcrm__billing_pg(r->ctx)], p,
	                                   r->unbilled_only ? 4 : 3, &rows);
	*n = 0;
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__bill_subject *s = &r->subjects[(*n)++];
		pcrm__text_copy(s->account_no, sizeof(s->account_no), pcrm__rows_text(rows, 0));
		pcrm__text_copy(s->customer_no, sizeof(s->customer_no), pcrm__rows_text(rows, 1));
		pcrm__text_copy(s->usage_class, sizeof(s->usage_class), pcrm__rows_text(rows, 2));
		s->household_size = (int)pcrm__rows_int(rows, 3);
		s->low_income = pcrm__rows_int(rows, 4) != 0;
		rc = pcrm__contract_read(rows, 5, s->account_no, &s->terms);
		pcrm__text_copy(s->org_path, sizeof(s->org_path),
		                pcrm__rows_text(rows, 5 + PCRM__CONTRACT_NCOLUMNS));
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* "<account_no>-<YYYYMM>" (an account number has at most PCRM__BILL_CODE_MAX bytes). */
static void bill_no(char out[PCRM__BILL_NO_MAX], const char *account_no, const char *month)
{
	size_t k = strlen(account_no);
	memcpy(out, account_no, k);
	out[k] = '-';
	memcpy(out + k + 1, month, 4);     /* YYYY of "YYYY-MM" */
	memcpy(out + k + 5, month + 5, 2); /* MM */
	out[k + 7] = '\0';
}

/*
 * Computes the bill of subject i, which stays NULL for an account without
 * readings.  Bills are computed one at a time as their rows are written
 * (write_batch), not a batch ahead: a batch's worth of bills freed at once
 * let malloc give the memory back to the system and take it again for the
 * next batch, page faults that were a fifth of the run's client time.
 */
static int compute_bill(struct run *r, size_t i)
{
	const struct pcrm__bill_subject *s = &r->subjects[i];
	const struct pcrm__account_usage *u = usage_for(r, s->account_no);
	const pcrm_tariff *t;

	r->bills[i] = NULL;
	bill_no(r->bill_nos[i], s->account_no, r->month.text);
	if (!u)
		return PCRM_OK;
	t = tariff_for(r, s);
	if (!t)
		return pcrm__error(PCRM_EINVAL,
		                   "account \"%s\": tariffs names no tariff for usage class \"%s\"",
		                   s->account_no, s->usage_class);
	return pcrm__bill_compute_for(t, s, u, &r->month, &r->bills[i]);
}

/* Posts the batch's bills (those above zero) to the ledgers in one batch posting. */
static int post_bulk(struct run *r, size_t n)
{
	struct pcrm__ledger_bill *lb = calloc(n, sizeof(*lb));
	size_t k = 0;
	int rc = lb ? PCRM_OK : pcrm__error_oom();

	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct pcrm__bill_meta meta = { r->bill_nos[i], NULL, r->issue_date, r->due_date, NULL };
		if (!r->bills[i] || pcrm_decimal_sign(pcrm_bill_total(r->bills[i])) <= 0)
			continue;
		lb[k].customer_no = r->subjects[i].customer_no;
		lb[k].account_no = r->subjects[i].account_no;
		lb[k].usage_class = r->subjects[i].usage_class;
		pcrm__bill_request(&r->month, &meta, pcrm_bill_total(r->bills[i]), &lb[k++]);
	}
	if (rc == PCRM_OK)
		rc = pcrm__ledger_post_bills(r->ctx, r->actor, lb, k);
	free(lb);
	return rc;
}

/* The account of a bill the batch posts (one above zero), else NULL. */
static const char *account_to_post(const void *run, size_t i)
{
	const struct run *r = run;
	return r->bills[i] && pcrm_decimal_sign(pcrm_bill_total(r->bills[i])) > 0 ?
	               r->subjects[i].account_no :
	               NULL;
}

/*
 * Posts the batch's bills one by one (the fallback that answers replays and
 * conflicts), their ledger rows locked first in account order
 * (docs/architecture.md, "Lock order").
 */
static int post_each(struct run *r, size_t n)
{
	int rc = pcrm__ledger_lock_accounts(r->ctx, r, n, account_to_post);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct pcrm__bill_meta meta = { r->bill_nos[i], NULL, r->issue_date, r->due_date, NULL };
		if (!r->bills[i])
			continue;
		rc = pcrm__bill_post(r->ctx, r->actor, &r->subjects[i], &r->month, &meta, r->bills[i]);
	}
	return rc;
}

/*
 * Writes the batch's bills and its one audit entry.  The entry's object is
 * the batch (a fresh id written on each of its bills), so the entry commits
 * to the after-image of exactly these bills (lib/audit/cover.c).  That
 * digest is taken from the rows as they are written: reading the batch's
 * bills back for it cost the run 0.2-0.4 times a bare COPY of its bills
 * (docs/billing.md, "Performance").
 */
static int write_batch(struct run *r, size_t n, int one_by_one, int64_t *billed,
                       pcrm_decimal *total)
{
	char batch[PCRM_UUID_STRING_LEN + 1], covers[PCRM__AUDIT_COVERS_MAX] = "";
	pcrm__audit_cover_rows *cover = r->cover;
	json_t *summary;
	int rc = pcrm__audit_cover_rows_reset(cover); /* an attempt before may have added rows */

	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__bill_bulk_begin(r->ctx);

	pcrm__uuid_new(batch);

	r->usage_next = 0;
	*billed = 0;
	*total = pcrm_decimal_make(0, 2);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct pcrm__bill_meta meta = { r->bill_nos[i], NULL, r->issue_date, r->due_date,
			                        batch };
		if (!r->bills[i] && (rc = compute_bill(r, i)) != PCRM_OK)
			break;
		if (!r->bills[i])
			continue;
		rc = pcrm__bill_insert(r->ctx, r->actor, &r->subjects[i], &r->month, &meta, r->bills[i],
		                       1, cover);
		if (rc == PCRM_OK)
			rc = pcrm_decimal_add(*total, pcrm_bill_total(r->bills[i]), total);
		(*billed)++;
		if (!r->post) { /* written: nothing else needs it (a retry computes it again) */
			pcrm_bill_free(r->bills[i]);
			r->bills[i] = NULL;
		}
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(r->ctx->store, 0);
	else
		pcrm__store_bulk_end(r->ctx->store, 1);
	if (rc == PCRM_OK)
		rc = pcrm__audit_cover_rows_finish(cover, covers);
	if (rc == PCRM_OK && r->post)
		rc = one_by_one ? post_each(r, n) : post_bulk(r, n);
	if (rc != PCRM_OK || *billed == 0)
		return rc;
	summary = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "period", r->month.text, "org_unit",
	                    r->org_unit, "bills", (json_int_t)*billed, "first",
	                    r->subjects[0].account_no, "last", r->subjects[n - 1].account_no,
	                    "posted", r->post);
	rc = pcrm__audit_append_covered(r->ctx, r->actor, "billing.run", "bill_batch", batch,
	                                summary, covers);
	json_decref(summary);
	return rc;
}

/* One attempt at writing a batch, as pcrm__store_transaction() runs it. */
struct batch_attempt {
	struct run *r;
	size_t n;
	int one_by_one;
	int64_t *billed;
	pcrm_decimal *total;
};

static int write_attempt(void *arg)
{
	struct batch_attempt *a = arg;
	return write_batch(a->r, a->n, a->one_by_one, a->billed, a->total);
}

/*
 * Writes a computed batch in one transaction (run again by the store after
 * a deadlock).  When the batch posting meets a ledger key posted before or
 * a concurrent posting, the transaction rolls back and the batch is written
 * again with its bills posted one by one, which replays, refuses or waits
 * exactly as a single posting does.
 */
static int commit_batch(struct run *r, size_t n, int64_t *billed, pcrm_decimal *total)
{
	struct batch_attempt a = { r, n, 0, billed, total };
	int rc = pcrm__store_transaction(r->ctx->store, write_attempt, &a);
	if (r->post && (rc == PCRM_EDUPLICATE || rc == PCRM_ERETRY)) {
		a.one_by_one = 1;
		rc = pcrm__store_transaction(r->ctx->store, write_attempt, &a);
	}
	return rc;
}

/* Whether two reads of a batch found the same accounts (a new read finds fewer or later ones). */
static int same_batch(const struct run *r, size_t n, size_t before_n, const char *before_first,
                      const char *before_last)
{
	return n == before_n && strcmp(r->subjects[0].account_no, before_first) == 0 &&
	       strcmp(r->subjects[n - 1].account_no, before_last) == 0;
}

/*
 * Reads, computes and writes the next batch.  A bill that another run
 * wrote since the batch was read fails the bill COPY (PCRM_EDUPLICATE on
 * the unique indexes of bill): the batch is read again, from then on with
 * the test for a current bill, and without the accounts the other run
 * billed.  Each such round is another run's progress, so it ends; a
 * duplicate that reading again does not remove (the batch comes back the
 * same) is not a concurrent run's and is reported as the store reported it.
 */
static int run_batch(struct run *r, char *after, size_t after_size, size_t *n)
{
	char first[PCRM__BILL_CODE_MAX + 1] = "", last[PCRM__BILL_CODE_MAX + 1] = "";
	char why[512] = ""; /* the duplicate's message, reported if reading again changes nothing */
	size_t before_n = 0;
	int64_t billed = 0;
	pcrm_decimal total = pcrm_decimal_from_int(0);
	int rc;

	for (;;) {
		rc = load_subjects(r, after, n);
		if (rc != PCRM_OK || *n == 0)
			return rc;
		if (before_n > 0 && same_batch(r, *n, before_n, first, last))
			return pcrm__error(PCRM_EDUPLICATE, "%s", why);
		rc = pcrm__usage_load(r->ctx, r->subjects, *n, &r->month, r->year_to_date, r->usage,
		                      &r->nusage);
		if (rc == PCRM_OK)
			rc = pcrm__demand_history_load(r->ctx, &r->month, r->ratchet_months, r->usage,
			                               r->nusage);
		if (rc == PCRM_OK)
			rc = commit_batch(r, *n, &billed, &total);
		for (size_t i = 0; i < *n; i++) {
			pcrm_bill_free(r->bills[i]);
			r->bills[i] = NULL;
		}
		if (rc != PCRM_EDUPLICATE)
			break;
		/* a bill of the month appeared since the batch was read: test for it from now on */
		snprintf(why, sizeof(why), "%s", pcrm_error_last());
		r->unbilled_only = 1;
		before_n = *n;
		pcrm__text_copy(first, sizeof(first), r->subjects[0].account_no);
		pcrm__text_copy(last, sizeof(last), r->subjects[*n - 1].account_no);
	}
	if (rc != PCRM_OK)
		return rc;
	r->summary.accounts += (int64_t)*n;
	r->summary.billed += billed;
	r->summary.no_usage += (int64_t)*n - billed;
	rc = pcrm_decimal_add(r->summary.total, total, &r->summary.total);
	snprintf(after, after_size, "%s", r->subjects[*n - 1].account_no);
	return rc;
}

static int next_batch(void *state, size_t *n)
{
	struct run *r = state;
	return run_batch(r, r->after, sizeof(r->after), n);
}

int pcrm__billing_batches(int (*batch)(void *state, size_t *n), void *state, const int64_t *done,
                          const char *what, pcrm_progress_fn progress, void *userdata)
{
	size_t n = 0;
	int rc;
	while ((rc = batch(state, &n)) == PCRM_OK && n > 0) {
		if (progress && progress(*done, userdata) != 0)
			return pcrm__error(PCRM_ESTATE, "%s stopped by the progress callback after %lld "
			                                "bills; run it again to finish",
			                   what, (long long)*done);
	}
	return rc;
}

static int count_billed(struct run *r)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(r->scope), PCRM_SQL_S(r->month.text) };
#define COUNT_SQL(in_subtree)                                                                \
	"SELECT COUNT(*) FROM bill b JOIN customer c ON c.customer_no = b.customer_no "          \
	"JOIN org_unit o ON o.code = c.org_unit WHERE " in_subtree " AND b.period = $2 "        \
	"AND b.status = 'issued'"
	return pcrm__store_query_int(r->ctx->store,
	                             pcrm__billing_pg(r->ctx) ? COUNT_SQL(PCRM__IN_SUBTREE_PG) :
	                                                        COUNT_SQL(PCRM__IN_SUBTREE_SQLITE),
	                             p, 2, &r->summary.already_billed);
}

int pcrm_billing_run(pcrm_ctx *ctx, const pcrm_actor *actor, const char *spec,
                     pcrm_progress_fn progress, void *userdata, pcrm_billing_summary *out)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.actor = actor;
	r.summary.total = pcrm_decimal_make(0, 2); /* money: "0.00", not "0" */
	r.summary.version = PCRM_BILLING_SUMMARY_VERSION;
	if (out && (rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_BILLING_SUMMARY)))
		return rc;
	if (out)
		*out = (pcrm_billing_summary)PCRM_BILLING_SUMMARY_INIT;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = parse_spec(&r, spec);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_BILLING_RUN, r.org_unit, &r.scope);
	if (rc == PCRM_OK)
		rc = load_tariffs(&r, json_object_get(r.spec, "tariffs"));
	if (rc == PCRM_OK)
		rc = count_billed(&r);
	r.unbilled_only = r.summary.already_billed > 0;
	if (rc == PCRM_OK) {
		r.subjects = calloc((size_t)r.batch_size, sizeof(*r.subjects));
		r.usage = calloc((size_t)r.batch_size, sizeof(*r.usage));
		r.bills = calloc((size_t)r.batch_size, sizeof(*r.bills));
		r.bill_nos = calloc((size_t)r.batch_size, sizeof(*r.bill_nos));
		if (!r.subjects || !r.usage || !r.bills || !r.bill_nos)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		rc = pcrm__audit_cover_rows_new("bill_batch", &r.cover);
	if (rc == PCRM_OK)
		rc = pcrm__billing_batches(next_batch, &r, &r.summary.billed, "billing run", progress,
		                           userdata);
	if (out)
		*out = r.summary;
	run_clear(&r);
	return rc;
}
