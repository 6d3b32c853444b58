/*
 * Posting a batch of new bills (the billing run's path).
 *
 * Posting bills one by one costs about fifteen statements and an audit
 * entry each; for a run of a million bills that is most of the run.  A
 * new bill on an account without credit does nothing but append an entry
 * and an open item and raise the balance, so a batch can be posted with
 * the states read once, the new rows computed in C and written through
 * the bulk path, and one write of each account's ledger row.  The rules
 * stay those of ledger.c (docs/ledger.md): an account holding credit is
 * posted through the single path, whose allocation consumes the credit.
 *
 * Concurrency: the batch takes its locks in the library's order
 * (docs/architecture.md, "Lock order"): the ledger rows of its own accounts
 * first, in account order (FOR UPDATE on PostgreSQL), then the rows of the
 * accounts new to the ledger (their COPY), and the audit head last, from
 * the first single posting or the batch's audit entry on.  Nothing it
 * writes after taking the audit head can wait for another transaction: its
 * accounts are locked or new.  Until this change the rows were read without
 * a lock and the entries written before the accounts, so a batch holding
 * the audit head (after a single posting) waited for an account a counter
 * payment held, which waited for the audit head: a deadlock.  The entry
 * count stays the version (the guarded UPDATE), for SQLite and as a check;
 * a payment that created a new account's ledger row meanwhile fails the
 * COPY (PCRM_EDUPLICATE) and the caller posts that batch one by one.
 *
 * Audit: the batch's entry lists every entry it appended and commits to a
 * digest of the entry and item rows (audit/bulk_posting.h), each row hashed
 * from the values bound for it while it is written, so nothing is read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/bulk_posting.h"
#include "core/ctx.h"
#include "core/error.h"
#include "ledger_internal.h"
#include "store/store.h"

struct batch_item {
	const struct pcrm__ledger_bill *bill;
	struct pcrm__ledger_bill_request r; /* the checked request and the entry's texts */
	int has_row, single;        /* a ledger_account row exists; posted one by one */
	int64_t seq;                /* this entry's number */
	pcrm_decimal balance, credit; /* after this entry */
	/* the digests of the entry and item rows written (bulk_posting.h) */
	char entry_hex[PCRM_SHA256_HEX_LEN + 1], item_hex[PCRM_SHA256_HEX_LEN + 1];
};

/* What writing one batch's rows needs. */
struct batch_writer {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	pcrm_sha256 *h; /* reused for every row's digest */
};

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct batch_item *)a)->bill->account_no,
	              ((const struct batch_item *)b)->bill->account_no);
}

static struct batch_item *item_of(struct batch_item *items, size_t n, const char *account_no)
{
	struct pcrm__ledger_bill key_bill;
	struct batch_item key;
	memset(&key_bill, 0, sizeof(key_bill));
	key_bill.account_no = account_no;
	key.bill = &key_bill;
	return bsearch(&key, items, n, sizeof(*items), item_cmp);
}

/*
 * Checks every request and renders what is stored of it, as
 * pcrm__ledger_request_text() and append_entry() render it
 * (pcrm__ledger_bill_prepare()).
 */
static int prepare(struct batch_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct batch_item *it = &items[i];
		int rc = pcrm__ledger_bill_prepare(it->bill, &it->r);
		if (rc != PCRM_OK)
			return rc;
		if (i > 0 && strcmp(items[i - 1].bill->account_no, it->bill->account_no) == 0)
			return pcrm__error(PCRM_EINVAL, "account %s: two bills in one batch",
			                   it->bill->account_no);
		it->seq = 1;
		it->balance = pcrm_decimal_make(0, 2);
		it->credit = pcrm_decimal_make(0, 2);
	}
	return PCRM_OK;
}

static const char *item_account(const void *items, size_t i)
{
	return ((const struct batch_item *)items)[i].bill->account_no;
}

/*
 * Reads the ledger rows of the batch's own accounts (not of a range, which
 * holds other accounts too), on PostgreSQL locking them in account order.
 */
static int lock_states(pcrm_ctx *ctx, struct batch_item *items, size_t n)
{
	/* a bounded semi-join: ledger_account is small while a first month is posted (store.h) */
	static const char sql_pg[] = "SELECT account_no, balance, credit, entries FROM "
	                             "ledger_account WHERE "
	                             PCRM__SQL_IN_KEYS_BOUNDED_PG("account_no", "$1")
	                             " ORDER BY account_no FOR UPDATE";
	static const char sql_sqlite[] = "SELECT account_no, balance, credit, entries FROM "
	                                 "ledger_account WHERE account_no"
	                                 PCRM__SQL_IN_KEYS_SQLITE("$1");
	pcrm_sql_value p[1];
	pcrm_rows *rows = NULL;
	char *accounts = NULL;
	int rc = pcrm__store_key_list(items, n, item_account, &accounts);

	p[0] = PCRM_SQL_S(accounts);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store,
		                       ctx->store->driver->kind == PCRM_STORE_POSTGRES ? sql_pg :
		                                                                         sql_sqlite,
		                       p, 1, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct batch_item *it = item_of(items, n, pcrm__rows_text(rows, 0));
		pcrm_decimal credit;
		rc = PCRM_OK;
		if (!it)
			continue; /* the store's answer holds only the batch's accounts */
		it->has_row = 1;
		it->seq = pcrm__rows_int(rows, 3) + 1;
		rc = pcrm__money_load(pcrm__rows_text(rows, 1), &it->balance);
		if (rc == PCRM_OK)
			rc = pcrm__money_load(pcrm__rows_text(rows, 2), &credit);
		it->single = rc == PCRM_OK && pcrm_decimal_sign(credit) > 0;
	}
	pcrm__rows_free(rows);
	free(accounts);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm__ledger_lock_accounts(pcrm_ctx *ctx, const void *items, size_t n,
                               const char *(*account)(const void *items, size_t i))
{
	static const char create[] =
		"INSERT INTO ledger_account (customer_no, account_no, balance, credit, entries, "
		"updated_at) SELECT customer_no, account_no, '0.00', '0.00', 0, $2 FROM account "
		"WHERE account_no" PCRM__SQL_IN_KEYS_PG("$1") " ORDER BY account_no "
		"ON CONFLICT DO NOTHING";
	static const char lock[] = "SELECT account_no FROM ledger_account WHERE "
	                           PCRM__SQL_IN_KEYS_BOUNDED_PG("account_no", "$1")
	                           " ORDER BY account_no FOR UPDATE";
	pcrm_sql_value p[2];
	pcrm_rows *rows = NULL;
	char *accounts = NULL;
	int rc;

	/* SQLite: the transaction holds the one write lock already */
	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES || n == 0)
		return PCRM_OK;
	rc = pcrm__store_key_list(items, n, account, &accounts);
	p[0] = PCRM_SQL_S(accounts);
	p[1] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, create, p, 2, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, lock, p, 1, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1)
		rc = PCRM_OK;
	pcrm__rows_free(rows);
	free(accounts);
	return rc < 0 ? rc : PCRM_OK;
}

static int bulk(struct batch_writer *w, const char *table, const char *const *columns,
                int ncolumns, struct batch_item *items, size_t n,
                int (*row)(struct batch_writer *, struct batch_item *))
{
	int rc = pcrm__store_bulk_begin(w->ctx->store, table, columns, ncolumns);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++)
		rc = row(w, &items[i]);
	if (rc == PCRM_OK)
		return pcrm__store_bulk_end(w->ctx->store, 0);
	pcrm__store_bulk_end(w->ctx->store, 1);
	return rc;
}

/* Every column of the entry is digested, in the order written (entry_columns). */
static const int entry_digested[PCRM__BULK_ENTRY_DIGESTED_N] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
};
/* The item's columns but open_amount (9) and status (10), which payments change. */
static const int item_digested[PCRM__BULK_ITEM_DIGESTED_N] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 11 };

static int entry_row(struct batch_writer *w, struct batch_item *it)
{
	pcrm_ctx *ctx = w->ctx;
	int rc;
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[14];
	if (it->single)
		return PCRM_OK;
	pcrm__money_text(it->r.req.amount, a);
	pcrm__money_text(it->balance, b);
	pcrm__money_text(it->credit, c);
	v[0] = PCRM_SQL_S(it->bill->customer_no);
	v[1] = PCRM_SQL_S(it->bill->account_no);
	v[2] = PCRM_SQL_I(it->seq);
	v[3] = PCRM_SQL_S(it->r.req.key);
	v[4] = PCRM_SQL_S("bill");
	v[5] = PCRM_SQL_S(it->r.req.ref);
	v[6] = PCRM_SQL_S(a);
	v[7] = PCRM_SQL_S(b);
	v[8] = PCRM_SQL_S(c);
	v[9] = PCRM_SQL_I(it->r.req.issue_day);
	v[10] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	v[11] = PCRM_SQL_S(w->actor->operator_id);
	v[12] = PCRM_SQL_S(it->r.request);
	v[13] = PCRM_SQL_S(it->r.doc);
	rc = pcrm__store_bulk_row(ctx->store, v);
	return rc == PCRM_OK ? pcrm__audit_values_hex(w->h, v, entry_digested,
	                                              PCRM__BULK_ENTRY_DIGESTED_N, it->entry_hex) :
	                       rc;
}

static int item_row(struct batch_writer *w, struct batch_item *it)
{
	char a[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[12];
	int rc;
	if (it->single)
		return PCRM_OK;
	pcrm__money_text(it->r.req.amount, a);
	v[0] = PCRM_SQL_S(it->bill->customer_no);
	v[1] = PCRM_SQL_S(it->bill->account_no);
	v[2] = PCRM_SQL_S(it->r.req.bill_no);
	v[3] = PCRM_SQL_S("bill");
	v[4] = PCRM_SQL_I(it->seq);
	v[5] = PCRM_SQL_S(it->r.req.period);
	v[6] = PCRM_SQL_I(it->r.req.issue_day);
	v[7] = PCRM_SQL_I(it->r.req.due_day);
	v[8] = PCRM_SQL_S(a);
	v[9] = PCRM_SQL_S(a);
	v[10] = PCRM_SQL_S("open");
	v[11] = PCRM_SQL_S(it->bill->usage_class);
	rc = pcrm__store_bulk_row(w->ctx->store, v);
	return rc == PCRM_OK ? pcrm__audit_values_hex(w->h, v, item_digested,
	                                              PCRM__BULK_ITEM_DIGESTED_N, it->item_hex) :
	                       rc;
}

static int account_row(struct batch_writer *w, struct batch_item *it)
{
	char b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[6];
	if (it->single || it->has_row)
		return PCRM_OK;
	pcrm__money_text(it->balance, b);
	pcrm__money_text(it->credit, c);
	v[0] = PCRM_SQL_S(it->bill->customer_no);
	v[1] = PCRM_SQL_S(it->bill->account_no);
	v[2] = PCRM_SQL_S(b);
	v[3] = PCRM_SQL_S(c);
	v[4] = PCRM_SQL_I(it->seq);
	v[5] = PCRM_SQL_I(pcrm_ctx_now(w->ctx));
	return pcrm__store_bulk_row(w->ctx->store, v);
}

/* The accounts that had a ledger row: one guarded write each. */
static int update_accounts(pcrm_ctx *ctx, struct batch_item *items, size_t n)
{
	static const char sql[] =
		"UPDATE ledger_account SET balance = $2, credit = $3, entries = $4, updated_at = $5 "
		"WHERE account_no = $1 AND entries = $6";
	int rc = PCRM_OK;
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct batch_item *it = &items[i];
		char b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
		int64_t changes = 0;
		if (it->single || !it->has_row)
			continue;
		pcrm__money_text(it->balance, b);
		pcrm__money_text(it->credit, c);
		pcrm_sql_value v[6] = { PCRM_SQL_S(it->bill->account_no), PCRM_SQL_S(b),
			                PCRM_SQL_S(c), PCRM_SQL_I(it->seq),
			                PCRM_SQL_I(pcrm_ctx_now(ctx)), PCRM_SQL_I(it->seq - 1) };
		rc = pcrm__store_exec(ctx->store, sql, v, 6, &changes);
		if (rc == PCRM_OK && changes != 1)
			rc = pcrm__error(PCRM_ERETRY, "account %s: posted to concurrently: retry",
			                 it->bill->account_no);
	}
	return rc;
}

/*
 * One audit entry for the batch, listing what every single entry would have
 * said (its summary written by pcrm__ledger_batch_summary()) and the digest
 * of the rows written.
 */
static int audit_batch(struct batch_writer *w, struct batch_item *items, size_t n,
                       size_t bulk_count)
{
	struct pcrm__ledger_batch_line *lines = calloc(n, sizeof(*lines));
	char range[2 * PCRM__LEDGER_CODE_MAX + 8], *summary = NULL;
	char rows_hex[PCRM_SHA256_HEX_LEN + 1];
	size_t k = 0;
	int rc = lines ? pcrm__sha256_reset(w->h) : pcrm__error_oom();

	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct batch_item *it = &items[i];
		if (it->single)
			continue;
		lines[k].account_no = it->bill->account_no;
		lines[k].customer_no = it->bill->customer_no;
		lines[k].ref = it->r.req.ref;
		lines[k].seq = it->seq;
		lines[k].amount = it->r.req.amount;
		lines[k].balance = it->balance;
		lines[k++].credit = it->credit;
		rc = pcrm__audit_bulk_rows_add(w->h, it->entry_hex, it->item_hex);
	}
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(w->h, rows_hex);
	if (rc == PCRM_OK) {
		snprintf(range, sizeof(range), "%s..%s", items[0].bill->account_no,
		         items[n - 1].bill->account_no);
		summary = pcrm__ledger_batch_summary(lines, k, (int64_t)bulk_count, rows_hex);
		rc = summary ? pcrm__audit_append_text(w->ctx, w->actor, PCRM__BULK_POSTING_ACTION,
		                                       "accounts", range, summary, NULL) :
		               pcrm__error_oom();
	}
	free(summary);
	free(lines);
	return rc;
}

static const char *const entry_columns[] = {
	"customer_no", "account_no", "seq", "entry_key", "kind", "ref", "amount",
	"balance", "credit", "business_day", "posted_at", "posted_by", "request", "doc",
};
static const char *const item_columns[] = {
	"customer_no", "account_no", "item_no", "kind", "seq", "period",
	"issue_day", "due_day", "amount", "open_amount", "status", "usage_class",
};
static const char *const account_columns[] = {
	"customer_no", "account_no", "balance", "credit", "entries", "updated_at",
};

/* An account holding credit: the single posting, whose allocation consumes it. */
static int post_single(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__ledger_bill *b)
{
	json_t *doc = pcrm__ledger_bill_doc(b);
	int rc = doc ? pcrm__ledger_post_doc(ctx, actor, b->account_no, doc, NULL) :
	               pcrm__error_oom();
	json_decref(doc);
	return rc;
}

static int post_batch(struct batch_writer *w, struct batch_item *items, size_t n)
{
	pcrm_ctx *ctx = w->ctx;
	size_t bulk_count = 0;
	int rc = prepare(items, n);

	if (rc == PCRM_OK)
		rc = lock_states(ctx, items, n);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		struct batch_item *it = &items[i];
		if (it->single)
			continue;
		bulk_count++;
		rc = pcrm_decimal_add(it->balance, it->r.req.amount, &it->balance);
	}
	/* the new accounts' rows before anything takes the audit head (see the top) */
	if (rc == PCRM_OK && bulk_count > 0)
		rc = bulk(w, "ledger_account", account_columns, 6, items, n, account_row);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++)
		if (items[i].single)
			rc = post_single(ctx, w->actor, items[i].bill);
	if (rc != PCRM_OK || bulk_count == 0)
		return rc;
	rc = bulk(w, "ledger_entry", entry_columns, 14, items, n, entry_row);
	if (rc == PCRM_OK)
		rc = bulk(w, "ledger_item", item_columns, 12, items, n, item_row);
	if (rc == PCRM_OK)
		rc = update_accounts(ctx, items, n);
	if (rc == PCRM_OK)
		rc = audit_batch(w, items, n, bulk_count);
	return rc;
}

int pcrm__ledger_post_bills(pcrm_ctx *ctx, const pcrm_actor *actor,
                            const struct pcrm__ledger_bill *bills, size_t n)
{
	struct batch_writer w = { ctx, actor, NULL };
	struct batch_item *items;
	int rc;

	if (n == 0)
		return PCRM_OK;
	if (!(items = calloc(n, sizeof(*items))))
		return pcrm__error_oom();
	for (size_t i = 0; i < n; i++)
		items[i].bill = &bills[i];
	qsort(items, n, sizeof(*items), item_cmp);
	rc = pcrm__sha256_new(&w.h);
	if (rc == PCRM_OK)
		rc = post_batch(&w, items, n);
	for (size_t i = 0; i < n; i++)
		pcrm__ledger_bill_request_clear(&items[i].r);
	pcrm__sha256_free(w.h);
	free(items);
	return rc;
}
