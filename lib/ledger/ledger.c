/*
 * Posting to the account ledger.
 *
 * One posting, in one nested transaction: lock the account's ledger row
 * (so postings to one account queue up), answer a repeated key from the
 * stored entry, apply the entry (new open item, credit, void), allocate
 * the credit to the oldest open items, append the entry with the balance
 * after it, and audit.  Validation and the permission check happen before
 * the transaction opens, so bad input writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

/* ---- entries ---- */

void pcrm_ledger_entry_free(pcrm_ledger_entry *entry)
{
	free(entry);
}

static char *stash(char **cursor, const char *s)
{
	char *at = *cursor;
	size_t n = strlen(s ? s : "") + 1;
	memcpy(at, s ? s : "", n);
	*cursor += n;
	return at;
}

int pcrm__ledger_entry_from_row(pcrm_rows *rows, pcrm_ledger_entry **out)
{
	/* string columns: customer_no, account_no, kind, ref, posted_by, doc */
	static const int text_cols[] = { 0, 1, 3, 4, 10, 11 };
	size_t size = sizeof(pcrm_ledger_entry);
	pcrm_ledger_entry *e;
	char *cursor;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++) {
		const char *s = pcrm__rows_text(rows, text_cols[i]);
		size += strlen(s ? s : "") + 1;
	}
	e = calloc(1, size);
	if (!e)
		return pcrm__error_oom();
	cursor = (char *)(e + 1);
	e->customer_no = stash(&cursor, pcrm__rows_text(rows, 0));
	e->account_no = stash(&cursor, pcrm__rows_text(rows, 1));
	e->seq = pcrm__rows_int(rows, 2);
	e->kind = stash(&cursor, pcrm__rows_text(rows, 3));
	e->ref = stash(&cursor, pcrm__rows_text(rows, 4));
	rc = pcrm__money_load(pcrm__rows_text(rows, 5), &e->amount);
	if (rc == PCRM_OK)
		rc = pcrm__money_load(pcrm__rows_text(rows, 6), &e->balance);
	if (rc == PCRM_OK)
		rc = pcrm__money_load(pcrm__rows_text(rows, 7), &e->credit);
	e->date = pcrm_date_from_days(pcrm__rows_int(rows, 8));
	e->posted_at = pcrm__rows_int(rows, 9);
	e->posted_by = stash(&cursor, pcrm__rows_text(rows, 10));
	e->json = stash(&cursor, pcrm__rows_text(rows, 11));
	if (rc != PCRM_OK) {
		free(e);
		return rc;
	}
	*out = e;
	return PCRM_OK;
}

/* By the whole primary key, so it is one index probe on every engine. */
static int entry_load(pcrm_ctx *ctx, const char *customer_no, const char *account_no, int64_t seq,
                      pcrm_ledger_entry **out)
{
	static const char sql[] = "SELECT " PCRM__LEDGER_ENTRY_COLUMNS " FROM ledger_entry "
	                          "WHERE customer_no = $1 AND account_no = $2 AND seq = $3";
	pcrm_sql_value p[3] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(account_no), PCRM_SQL_I(seq) };
	pcrm_rows *rows;
	int rc = pcrm__ledger_first_row(ctx->store, sql, p, 3, &rows);
	if (rc == 1)
		rc = pcrm__ledger_entry_from_row(rows, out);
	else if (rc == 0)
		rc = pcrm__error(PCRM_ESTORE, "ledger entry %s/%lld vanished", account_no,
		                 (long long)seq);
	pcrm__rows_free(rows);
	return rc;
}

/* ---- the account ---- */

int pcrm__ledger_account_load(pcrm_ctx *ctx, const char *account_no,
                              struct pcrm__ledger_account *out)
{
	static const char sql[] =
		"SELECT a.customer_no, a.account_no, c.org_unit, c.usage_class FROM account a "
		"JOIN customer c ON c.customer_no = a.customer_no WHERE a.account_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	pcrm_rows *rows;
	int rc;

	if (!account_no || !*account_no)
		return pcrm__error(PCRM_EINVAL, "account_no: missing");
	if (strlen(account_no) > PCRM__LEDGER_CODE_MAX)
		return pcrm__error(PCRM_EINVAL, "account_no: longer than %d bytes",
		                   PCRM__LEDGER_CODE_MAX);
	rc = pcrm__ledger_first_row(ctx->store, sql, p, 1, &rows);
	if (rc == 1) {
		snprintf(out->customer_no, sizeof(out->customer_no), "%s", pcrm__rows_text(rows, 0));
		snprintf(out->account_no, sizeof(out->account_no), "%s", pcrm__rows_text(rows, 1));
		snprintf(out->org_unit, sizeof(out->org_unit), "%s", pcrm__rows_text(rows, 2));
		snprintf(out->usage_class, sizeof(out->usage_class), "%s", pcrm__rows_text(rows, 3));
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "account \"%.32s\" does not exist", account_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/* ---- one posting, inside its transaction ---- */

struct posting {
	pcrm_ctx *ctx;
	const struct pcrm__ledger_account *acct;
	const struct pcrm__ledger_request *req;
	int64_t seq;
	pcrm_decimal balance, credit, amount; /* amount: signed, as the entry shows it */
	int64_t day;
	json_t *allocations;
	json_t *doc;
};

static pcrm_sql_value money(char buf[PCRM_DECIMAL_STRING_MAX], pcrm_decimal v)
{
	pcrm__money_text(v, buf);
	return PCRM_SQL_S(buf);
}

/* Locks the account's ledger row (creating it at zero) and reads its state. */
static int lock_account(struct posting *p)
{
	static const char create[] =
		"INSERT INTO ledger_account (customer_no, account_no, balance, credit, entries, "
		"updated_at) VALUES ($1, $2, '0.00', '0.00', 0, $3) ON CONFLICT DO NOTHING";
	static const char lock[] =
		"UPDATE ledger_account SET updated_at = $2 WHERE account_no = $1";
	static const char state[] =
		"SELECT balance, credit, entries FROM ledger_account WHERE account_no = $1";
	pcrm_sql_value v[3] = { PCRM_SQL_S(p->acct->customer_no), PCRM_SQL_S(p->acct->account_no),
		                PCRM_SQL_I(pcrm_ctx_now(p->ctx)) };
	pcrm_sql_value l[2] = { PCRM_SQL_S(p->acct->account_no), PCRM_SQL_I(pcrm_ctx_now(p->ctx)) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_exec(p->ctx->store, create, v, 3, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(p->ctx->store, lock, l, 2, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__ledger_first_row(p->ctx->store, state, l, 1, &rows);
	if (rc == 1) {
		rc = pcrm__money_load(pcrm__rows_text(rows, 0), &p->balance);
		if (rc == PCRM_OK)
			rc = pcrm__money_load(pcrm__rows_text(rows, 1), &p->credit);
		p->seq = pcrm__rows_int(rows, 2) + 1;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ESTORE, "ledger row of account %s vanished", p->acct->account_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/*
 * A key posted before: the same request gives back its entry (found = 1),
 * anything else is a conflict.
 */
static int find_posted(struct posting *p, const char *request, pcrm_ledger_entry **out, int *found)
{
	static const char sql[] =
		"SELECT account_no, seq, request FROM ledger_entry WHERE entry_key = $1";
	pcrm_sql_value v[1] = { PCRM_SQL_S(p->req->key) };
	char account_no[PCRM__LEDGER_CODE_MAX + 1] = "";
	int64_t seq = 0;
	int same = 0;
	pcrm_rows *rows;
	int rc = pcrm__ledger_first_row(p->ctx->store, sql, v, 1, &rows);

	*found = 0;
	if (rc == 1) {
		*found = 1;
		snprintf(account_no, sizeof(account_no), "%s", pcrm__rows_text(rows, 0));
		seq = pcrm__rows_int(rows, 1);
		same = strcmp(account_no, p->acct->account_no) == 0 &&
		       strcmp(pcrm__rows_text(rows, 2), request) == 0;
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	if (rc != PCRM_OK || !*found)
		return rc;
	if (!same)
		return pcrm__error(PCRM_ECONFLICT,
		                   "%s: \"%s\" was already posted with other content (account %s, "
		                   "entry %lld)",
		                   strcmp(p->req->kind, "bill") == 0            ? "bill_no" :
		                   strcmp(p->req->kind, "void") == 0            ? "credit_note_no" :
		                   p->req->transaction_id                        ? "transaction_id" :
		                                                                   "idempotency_key",
		                   p->req->ref, account_no, (long long)seq);
	rc = entry_load(p->ctx, p->acct->customer_no, account_no, seq, out);
	if (rc == PCRM_OK && *out)
		(*out)->replayed = 1;
	return rc;
}

static int insert_item(struct posting *p, const char *item_no, const char *kind,
                       int64_t issue_day, int64_t due_day)
{
	static const char sql[] =
		"INSERT INTO ledger_item (customer_no, account_no, item_no, kind, seq, period, "
		"issue_day, due_day, amount, open_amount, status, usage_class) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 'open', $10)";
	char a[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[10] = { PCRM_SQL_S(p->acct->customer_no), PCRM_SQL_S(p->acct->account_no),
		                 PCRM_SQL_S(item_no), PCRM_SQL_S(kind), PCRM_SQL_I(p->seq),
		                 PCRM_SQL_S(p->req->period), PCRM_SQL_I(issue_day),
		                 PCRM_SQL_I(due_day), money(a, p->req->amount),
		                 PCRM_SQL_S(p->acct->usage_class) };
	int rc = pcrm__store_exec(p->ctx->store, sql, v, 10, NULL);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_ECONFLICT, "bill_no: \"%s\" is already a bill of another account",
		                   item_no);
	return rc;
}

static int set_item(struct posting *p, const char *item_no, pcrm_decimal open, const char *status)
{
	static const char sql[] = "UPDATE ledger_item SET open_amount = $3, status = $4 "
	                          "WHERE account_no = $1 AND item_no = $2";
	char a[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[4] = { PCRM_SQL_S(p->acct->account_no), PCRM_SQL_S(item_no), money(a, open),
		                PCRM_SQL_S(status) };
	return pcrm__store_exec(p->ctx->store, sql, v, 4, NULL);
}

/* Reads the oldest open item: 1 = found, 0 = none, < 0 = error. */
static int oldest_open(struct posting *p, char item_no[PCRM__LEDGER_KEY_MAX + 40],
                       pcrm_decimal *open)
{
	static const char sql[] =
		"SELECT item_no, open_amount FROM ledger_item WHERE account_no = $1 AND status = 'open' "
		"ORDER BY issue_day, due_day, item_no LIMIT 1";
	pcrm_sql_value v[1] = { PCRM_SQL_S(p->acct->account_no) };
	pcrm_rows *rows;
	int rc = pcrm__ledger_first_row(p->ctx->store, sql, v, 1, &rows);
	if (rc == 1) {
		snprintf(item_no, PCRM__LEDGER_KEY_MAX + 40, "%s", pcrm__rows_text(rows, 0));
		if (pcrm__money_load(pcrm__rows_text(rows, 1), open) != PCRM_OK)
			rc = PCRM_ESTORE;
	}
	pcrm__rows_free(rows);
	return rc;
}

/* Allocates the credit to the oldest open items first, recording each allocation. */
static int settle(struct posting *p)
{
	static const char sql[] =
		"INSERT INTO ledger_allocation (customer_no, account_no, seq, item_no, amount) "
		"VALUES ($1, $2, $3, $4, $5)";
	char item_no[PCRM__LEDGER_KEY_MAX + 40], a[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal open, take, rest;
	int rc;

	while (pcrm_decimal_sign(p->credit) > 0) {
		rc = oldest_open(p, item_no, &open);
		if (rc <= 0)
			return rc;
		take = pcrm_decimal_cmp(open, p->credit) < 0 ? open : p->credit;
		rc = pcrm_decimal_sub(open, take, &rest);
		if (rc == PCRM_OK)
			rc = pcrm_decimal_sub(p->credit, take, &p->credit);
		if (rc == PCRM_OK)
			rc = set_item(p, item_no, rest, pcrm_decimal_is_zero(rest) ? "paid" : "open");
		if (rc == PCRM_OK) {
			pcrm_sql_value v[5] = { PCRM_SQL_S(p->acct->customer_no),
				                PCRM_SQL_S(p->acct->account_no), PCRM_SQL_I(p->seq),
				                PCRM_SQL_S(item_no), money(a, take) };
			rc = pcrm__store_exec(p->ctx->store, sql, v, 5, NULL);
		}
		if (rc == PCRM_OK &&
		    json_array_append_new(p->allocations,
		                          json_pack("{s:s, s:s}", "item_no", item_no, "amount", a)) != 0)
			rc = pcrm__error_oom();
		if (rc != PCRM_OK)
			return rc;
	}
	return PCRM_OK;
}

/* A credit (payment, credit adjustment, released payments of a void) joins the pool. */
static int add_credit(struct posting *p, pcrm_decimal v)
{
	return pcrm_decimal_add(p->credit, v, &p->credit);
}

static int apply_payment(struct posting *p)
{
	static const char sql[] =
		"INSERT INTO ledger_payment (customer_no, account_no, seq, channel, amount, paid_at, "
		"paid_day, bank_code, bank_txn_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	char a[PCRM_DECIMAL_STRING_MAX];
	const struct pcrm__ledger_request *r = p->req;
	pcrm_sql_value v[9] = { PCRM_SQL_S(p->acct->customer_no), PCRM_SQL_S(p->acct->account_no),
		                PCRM_SQL_I(p->seq), PCRM_SQL_S(r->channel), money(a, r->amount),
		                PCRM_SQL_I(r->has_at ? r->at : pcrm_ctx_now(p->ctx)),
		                PCRM_SQL_I(p->day), PCRM_SQL_S(r->bank_code),
		                PCRM_SQL_S(r->transaction_id) };
	int rc = pcrm__store_exec(p->ctx->store, sql, v, 9, NULL);
	if (rc == PCRM_OK)
		rc = pcrm_decimal_neg(r->amount, &p->amount);
	return rc == PCRM_OK ? add_credit(p, r->amount) : rc;
}

static int apply_refund(struct posting *p)
{
	char a[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
	if (pcrm_decimal_cmp(p->req->amount, p->credit) > 0) {
		pcrm__money_text(p->req->amount, a);
		pcrm__money_text(p->credit, c);
		return pcrm__error(PCRM_ESTATE, "amount: refund %s exceeds the credit %s", a, c);
	}
	p->amount = p->req->amount;
	return pcrm_decimal_sub(p->credit, p->req->amount, &p->credit);
}

/* Voids a bill: it stays in history, marked void; what was paid on it is credit again. */
static int apply_void(struct posting *p)
{
	static const char sql[] =
		"SELECT amount, open_amount, status FROM ledger_item "
		"WHERE account_no = $1 AND item_no = $2 AND kind = 'bill'";
	pcrm_sql_value v[2] = { PCRM_SQL_S(p->acct->account_no), PCRM_SQL_S(p->req->bill_no) };
	pcrm_decimal amount, open, paid;
	char a[PCRM_DECIMAL_STRING_MAX];
	int is_void = 0;
	pcrm_rows *rows;
	int rc = pcrm__ledger_first_row(p->ctx->store, sql, v, 2, &rows);

	if (rc == 1) {
		rc = pcrm__money_load(pcrm__rows_text(rows, 0), &amount);
		if (rc == PCRM_OK)
			rc = pcrm__money_load(pcrm__rows_text(rows, 1), &open);
		is_void = strcmp(pcrm__rows_text(rows, 2), "void") == 0;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "bill_no: \"%s\" is not a bill of account %s",
		                 p->req->bill_no, p->acct->account_no);
	}
	pcrm__rows_free(rows);
	if (rc != PCRM_OK)
		return rc;
	if (is_void)
		return pcrm__error(PCRM_ESTATE, "bill_no: \"%s\" is already void", p->req->bill_no);
	rc = pcrm_decimal_sub(amount, open, &paid);
	if (rc == PCRM_OK)
		rc = set_item(p, p->req->bill_no, pcrm_decimal_make(0, 2), "void");
	if (rc == PCRM_OK)
		rc = pcrm_decimal_neg(amount, &p->amount);
	if (rc == PCRM_OK)
		rc = add_credit(p, paid);
	if (rc == PCRM_OK) {
		pcrm__money_text(paid, a);
		json_object_set_new(p->doc, "released", json_string(a));
	}
	return rc;
}

static int apply(struct posting *p)
{
	const struct pcrm__ledger_request *r = p->req;
	char item_no[PCRM__LEDGER_KEY_MAX + 40];

	if (strcmp(r->kind, "bill") == 0) {
		p->amount = r->amount;
		return insert_item(p, r->bill_no, "bill", r->issue_day, r->due_day);
	}
	if (strcmp(r->kind, "payment") == 0)
		return apply_payment(p);
	if (strcmp(r->kind, "refund") == 0)
		return apply_refund(p);
	if (strcmp(r->kind, "void") == 0)
		return apply_void(p);
	/* adjustments */
	if (r->debit) {
		p->amount = r->amount;
		snprintf(item_no, sizeof(item_no), "ADJ:%s:%lld", p->acct->account_no,
		         (long long)p->seq);
		return insert_item(p, item_no, "adjustment", p->day, r->due_day >= 0 ? r->due_day : p->day);
	}
	int rc = pcrm_decimal_neg(r->amount, &p->amount);
	return rc == PCRM_OK ? add_credit(p, r->amount) : rc;
}

static int append_entry(struct posting *p, const pcrm_actor *actor, const char *request)
{
	static const char entry[] =
		"INSERT INTO ledger_entry (customer_no, account_no, seq, entry_key, kind, ref, amount, "
		"balance, credit, business_day, posted_at, posted_by, request, doc) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
	static const char account[] =
		"UPDATE ledger_account SET balance = $2, credit = $3, entries = $4 WHERE account_no = $1";
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
	char *doc;
	json_t *summary;
	int rc = pcrm_decimal_add(p->balance, p->amount, &p->balance);

	if (rc != PCRM_OK)
		return rc;
	json_object_set(p->doc, "allocations", p->allocations);
	doc = json_dumps(p->doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!doc)
		return pcrm__error_oom();
	{
		pcrm_sql_value v[14] = {
			PCRM_SQL_S(p->acct->customer_no), PCRM_SQL_S(p->acct->account_no),
			PCRM_SQL_I(p->seq), PCRM_SQL_S(p->req->key), PCRM_SQL_S(p->req->kind),
			PCRM_SQL_S(p->req->ref), money(a, p->amount), money(b, p->balance),
			money(c, p->credit), PCRM_SQL_I(p->day), PCRM_SQL_I(pcrm_ctx_now(p->ctx)),
			PCRM_SQL_S(actor->operator_id), PCRM_SQL_S(request), PCRM_SQL_S(doc),
		};
		rc = pcrm__store_exec(p->ctx->store, entry, v, 14, NULL);
		free(doc);
		/*
		 * Only a concurrent posting of the same key to another account gets
		 * here (the account lock serialises one account's postings): a
		 * retry finds it and answers replay or conflict properly.
		 */
		if (rc == PCRM_EDUPLICATE)
			rc = pcrm__error(PCRM_ERETRY, "%s: \"%s\" was posted concurrently: retry",
			                 p->req->kind, p->req->ref);
		if (rc == PCRM_OK) {
			pcrm_sql_value u[4] = { PCRM_SQL_S(p->acct->account_no), v[7], v[8],
				                PCRM_SQL_I(p->seq) };
			rc = pcrm__store_exec(p->ctx->store, account, u, 4, NULL);
		}
	}
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "customer_no",
	                    p->acct->customer_no, "kind", p->req->kind, "seq", (json_int_t)p->seq,
	                    "ref", p->req->ref, "amount", a, "balance", b, "credit", c);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append(p->ctx, actor, "ledger.post", "account", p->acct->account_no,
	                        summary);
	json_decref(summary);
	return rc;
}

static int post_locked(struct posting *p, const pcrm_actor *actor, const char *request,
                       pcrm_ledger_entry **out)
{
	int found = 0;
	/*
	 * A retry is answered without taking the account's lock (retries come
	 * in storms when a bank or a counter client times out); a first posting
	 * looks again under the lock, which a concurrent twin may have held.
	 */
	int rc = find_posted(p, request, out, &found);
	if (rc == PCRM_OK && !found)
		rc = lock_account(p);
	if (rc == PCRM_OK && !found)
		rc = find_posted(p, request, out, &found);
	if (rc != PCRM_OK || found)
		return rc;
	rc = apply(p);
	if (rc == PCRM_OK)
		rc = settle(p);
	if (rc == PCRM_OK)
		rc = append_entry(p, actor, request);
	if (rc == PCRM_OK)
		rc = entry_load(p->ctx, p->acct->customer_no, p->acct->account_no, p->seq, out);
	return rc;
}

/* One attempt at a posting, as pcrm__store_transaction() runs it (again after a deadlock). */
struct post_attempt {
	struct posting *p;
	const pcrm_actor *actor;
	const char *request;
	pcrm_ledger_entry *entry;
};

static int post_attempt(void *arg)
{
	struct post_attempt *a = arg;
	json_array_clear(a->p->allocations); /* an earlier attempt's */
	pcrm_ledger_entry_free(a->entry);
	a->entry = NULL;
	return post_locked(a->p, a->actor, a->request, &a->entry);
}

static pcrm_permission permission_for(const struct pcrm__ledger_request *r)
{
	if (strcmp(r->kind, "bill") == 0)
		return PCRM_PERM_BILLING_RUN;
	if (strcmp(r->kind, "payment") == 0)
		return PCRM_PERM_PAYMENT_POST;
	return PCRM_PERM_LEDGER_ADJUST;
}

char *pcrm__ledger_request_text(const json_t *doc, const char *account_no)
{
	json_t *copy = json_deep_copy(doc);
	char *text = NULL;
	if (copy && json_object_set_new(copy, "account_no", json_string(account_no)) == 0)
		text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

int pcrm__ledger_post_doc(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                          json_t *doc, pcrm_ledger_entry **out)
{
	struct pcrm__ledger_request req;
	struct pcrm__ledger_account acct;
	struct posting p;
	pcrm_ledger_entry *entry = NULL;
	char *request = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__ledger_request_check(doc, &req);
	if (rc == PCRM_OK && req.has_at && req.at > pcrm_ctx_now(ctx))
		rc = pcrm__error(PCRM_EINVAL, "%s: lies in the future",
		                 strcmp(req.kind, "payment") == 0 ? "paid_at" : "at");
	if (rc == PCRM_OK)
		rc = pcrm__authorize_found(ctx, actor, permission_for(&req), "account", account_no,
		                           pcrm__ledger_account_load(ctx, account_no, &acct),
		                           acct.org_unit);
	if (rc == PCRM_OK && !(request = pcrm__ledger_request_text(doc, acct.account_no)))
		rc = pcrm__error_oom();
	if (rc != PCRM_OK) {
		free(request);
		return rc;
	}
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.acct = &acct;
	p.req = &req;
	p.day = strcmp(req.kind, "bill") == 0 ? req.issue_day :
	                                        pcrm__ledger_day(ctx, req.has_at ? req.at : pcrm_ctx_now(ctx));
	p.allocations = json_array();
	p.doc = json_deep_copy(doc);
	if (p.allocations && p.doc) {
		struct post_attempt a = { &p, actor, request, NULL };
		rc = pcrm__store_transaction(ctx->store, post_attempt, &a);
		entry = a.entry;
	} else {
		rc = pcrm__error_oom();
	}
	json_decref(p.allocations);
	json_decref(p.doc);
	free(request);
	if (rc == PCRM_OK && out)
		*out = entry;
	else
		pcrm_ledger_entry_free(entry);
	return rc;
}

int pcrm_ledger_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                     const char *json, pcrm_ledger_entry **out)
{
	json_t *doc;
	int rc;
	if (out)
		*out = NULL;
	rc = pcrm__ledger_parse_json("entry", json, json ? strlen(json) : 0, &doc);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__ledger_post_doc(ctx, actor, account_no, doc, out);
	json_decref(doc);
	return rc;
}
