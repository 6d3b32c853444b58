/*
 * Posting a month's stored bills to the ledgers (电费发行, issuance): the
 * step after the billing run (电费核算) and its review (电费审核), which
 * makes the bills receivables (应收).
 *
 * A bill is posted when the ledger holds its entry (key "bill/<bill_no>"):
 * the ledger is the one record of it, so nothing else has to be kept in
 * step with it.  Each batch — the next current bills of the month and
 * subtree in account order (keyset paging), read with their ledger entry
 * if any, the unposted ones posted through the ledger's batch posting —
 * is one transaction.  A bill whose entry is there already is skipped
 * when the entry holds the very same request (a rerun), and refused with
 * PCRM_ECONFLICT by the single posting when it holds another.
 *
 * On PostgreSQL the batch's bill rows are locked (FOR UPDATE), so a
 * correction voiding one of them waits for the batch and then sees it
 * posted (and credits it), or wins and the batch no longer sees the bill.
 * SQLite serialises writers with BEGIN IMMEDIATE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "ledger/ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

/* One stored bill of the batch, and its ledger entry's request if posted. */
struct post_bill {
	char customer_no[PCRM__BILL_CODE_MAX + 1];
	char account_no[PCRM__BILL_CODE_MAX + 1];
	char usage_class[PCRM__BILL_CODE_MAX + 1];
	char bill_no[PCRM__BILL_NO_MAX];
	pcrm_date issue_date, due_date;
	pcrm_decimal total;
	char *posted_request; /* NULL: not posted */
};

struct post {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	struct pcrm__billing_spec spec;
	char *scope;
	struct post_bill *bills;
	struct pcrm__ledger_bill *ledger;
	pcrm_billing_post_summary summary;
	char after[PCRM__BILL_CODE_MAX + 1]; /* the keyset: the last account of the last batch */
};

static void batch_clear(struct post *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p->bills[i].posted_request);
		p->bills[i].posted_request = NULL;
	}
}

/*
 * The ledger entry is read by a scalar subquery, one probe of the unique
 * entry_key index per bill, whatever the planner thinks of the join.  The
 * org unit and usage class are the account's copies of its customer's
 * (migration 13), which the run bills by too: a probe of account_no_unique
 * instead of customer_pkey, whose rows are wider (3 of 10 ms a batch of
 * 2,000 on PostgreSQL).
 */
static int load_batch(struct post *p, const char *after, size_t *n)
{
#define BATCH_SQL(in_subtree, lock)                                                          \
	"SELECT b.account_no, b.customer_no, a.usage_class, b.bill_no, b.issue_day, b.due_day, "   \
	"b.total, (SELECT e.request FROM ledger_entry e WHERE e.entry_key = 'bill/' || b.bill_no) " \
	"FROM bill b JOIN account a ON a.account_no = b.account_no "                              \
	"JOIN org_unit o ON o.code = a.org_unit WHERE " in_subtree " AND b.account_no > $2 "      \
	"AND b.period = $3 AND b.status = 'issued' ORDER BY b.account_no LIMIT $4" lock
	pcrm_sql_value v[4] = { PCRM_SQL_S(p->scope), PCRM_SQL_S(after),
		                PCRM_SQL_S(p->spec.month.text), PCRM_SQL_I(p->spec.batch_size) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(p->ctx->store,
	                           pcrm__billing_pg(p->ctx) ?
	                                   BATCH_SQL(PCRM__IN_SUBTREE_PG, " FOR UPDATE OF b") :
	                                   BATCH_SQL(PCRM__IN_SUBTREE_SQLITE, ""),
	                           v, 4, &rows);

	*n = 0;
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct post_bill *b = &p->bills[(*n)++];
		const char *posted = pcrm__rows_text(rows, 7);
		snprintf(b->account_no, sizeof(b->account_no), "%s", pcrm__rows_text(rows, 0));
		snprintf(b->customer_no, sizeof(b->customer_no), "%s", pcrm__rows_text(rows, 1));
		snprintf(b->usage_class, sizeof(b->usage_class), "%s", pcrm__rows_text(rows, 2));
		snprintf(b->bill_no, sizeof(b->bill_no), "%s", pcrm__rows_text(rows, 3));
		b->issue_date = pcrm_date_from_days(pcrm__rows_int(rows, 4));
		b->due_date = pcrm_date_from_days(pcrm__rows_int(rows, 5));
		rc = PCRM_OK;
		if (pcrm_decimal_parse(pcrm__rows_text(rows, 6), &b->total) != PCRM_OK)
			rc = pcrm__error(PCRM_ESTORE, "bill \"%s\": stored total is malformed", b->bill_no);
		else if (posted && !(b->posted_request = strdup(posted)))
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* The posting of a stored bill: the very request the run posts (pcrm__bill_request()). */
static void request_of(const struct post *p, const struct post_bill *b,
                       struct pcrm__ledger_bill *out)
{
	struct pcrm__bill_meta meta = { b->bill_no, NULL, b->issue_date, b->due_date, NULL };
	memset(out, 0, sizeof(*out));
	out->customer_no = b->customer_no;
	out->account_no = b->account_no;
	out->usage_class = b->usage_class;
	pcrm__bill_request(&p->spec.month, &meta, b->total, out);
}

/* The single posting of a bill's request (it replays, refuses or waits as ever). */
static int post_single(struct post *p, const struct pcrm__ledger_bill *lb)
{
	json_t *doc = pcrm__ledger_bill_doc(lb);
	int rc = doc ? pcrm__ledger_post_doc(p->ctx, p->actor, lb->account_no, doc, NULL) :
	               pcrm__error_oom();
	json_decref(doc);
	return rc;
}

/*
 * A bill whose key is in the ledger already: nothing to do when the entry
 * holds this very request; otherwise the single posting refuses it
 * (PCRM_ECONFLICT naming the key and the entry that holds it).
 */
static int check_posted(struct post *p, struct post_bill *b, const struct pcrm__ledger_bill *lb)
{
	struct pcrm__ledger_bill_request r;
	int same, rc = pcrm__ledger_bill_prepare(lb, &r);

	same = rc == PCRM_OK && strcmp(r.request, b->posted_request) == 0;
	pcrm__ledger_bill_request_clear(&r);
	if (rc != PCRM_OK)
		return rc;
	if (same) {
		p->summary.already_posted++;
		return PCRM_OK;
	}
	return post_single(p, lb);
}

/* The account of a bill the batch posts (one above zero, not posted yet), else NULL. */
static const char *account_to_post(const void *bills, size_t i)
{
	const struct post_bill *b = &((const struct post_bill *)bills)[i];
	return pcrm_decimal_sign(b->total) > 0 && !b->posted_request ? b->account_no : NULL;
}

/*
 * Posts the batch's unposted bills (one_by_one: each through the single
 * posting, after locking their ledger rows in account order, so that the
 * second posting does not take its account's lock after the first took the
 * audit head: docs/architecture.md, "Lock order").
 */
static int write_batch(struct post *p, const char *after, int one_by_one, size_t *n,
                       int64_t *posted, pcrm_decimal *total)
{
	size_t k = 0;
	int rc = load_batch(p, after, n);

	*posted = 0;
	*total = pcrm_decimal_make(0, 2);
	if (rc == PCRM_OK && one_by_one)
		rc = pcrm__ledger_lock_accounts(p->ctx, p->bills, *n, account_to_post);
	for (size_t i = 0; i < *n && rc == PCRM_OK; i++) {
		struct post_bill *b = &p->bills[i];
		if (pcrm_decimal_sign(b->total) <= 0) {
			p->summary.nothing_owed++; /* a bill of nothing owes nothing: never posted */
			continue;
		}
		request_of(p, b, &p->ledger[k]);
		if (b->posted_request) {
			rc = check_posted(p, b, &p->ledger[k]);
			continue;
		}
		if (one_by_one)
			rc = post_single(p, &p->ledger[k]);
		else
			k++;
		(*posted)++;
		if (rc == PCRM_OK)
			rc = pcrm_decimal_add(*total, b->total, total);
	}
	if (rc == PCRM_OK)
		rc = pcrm__ledger_post_bills(p->ctx, p->actor, p->ledger, k);
	return rc;
}

/* One attempt at a batch, as pcrm__store_transaction() runs it (again after a deadlock). */
struct post_attempt {
	struct post *p;
	const char *after;
	int one_by_one;
	size_t *n;
	int64_t posted;
	pcrm_decimal total;
	pcrm_billing_post_summary before;
};

static int post_attempt(void *arg)
{
	struct post_attempt *a = arg;
	batch_clear(a->p, *a->n); /* what an earlier attempt read */
	a->p->summary = a->before;
	return write_batch(a->p, a->after, a->one_by_one, a->n, &a->posted, &a->total);
}

/*
 * One batch in one transaction.  When the batch posting meets a key posted
 * concurrently, the transaction rolls back and the batch is posted again
 * one by one, which replays, refuses or waits as a single posting does.
 */
static int post_batch(struct post *p, char *after, size_t after_size, size_t *n)
{
	struct post_attempt a = { p, after, 0, n, 0, pcrm_decimal_make(0, 2), p->summary };
	int rc;

	*n = 0;
	rc = pcrm__store_transaction(p->ctx->store, post_attempt, &a);
	if (rc == PCRM_EDUPLICATE || rc == PCRM_ERETRY) {
		a.one_by_one = 1;
		rc = pcrm__store_transaction(p->ctx->store, post_attempt, &a);
	}
	if (rc == PCRM_OK && *n > 0)
		snprintf(after, after_size, "%s", p->bills[*n - 1].account_no);
	batch_clear(p, *n);
	if (rc != PCRM_OK) {
		p->summary = a.before;
		return rc;
	}
	p->summary.bills += (int64_t)*n;
	p->summary.posted += a.posted;
	return pcrm_decimal_add(p->summary.total, a.total, &p->summary.total);
}

static int next_batch(void *state, size_t *n)
{
	struct post *p = state;
	return post_batch(p, p->after, sizeof(p->after), n);
}

int pcrm_billing_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *spec,
                      pcrm_progress_fn progress, void *userdata, pcrm_billing_post_summary *out)
{
	static const char *const keys[] = { "org_unit", "period", "batch_size", NULL };
	struct post p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.actor = actor;
	p.summary.total = pcrm_decimal_make(0, 2);
	p.summary.version = PCRM_BILLING_POST_SUMMARY_VERSION;
	if (out && (rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_BILLING_POST_SUMMARY)))
		return rc;
	if (out)
		*out = (pcrm_billing_post_summary)PCRM_BILLING_POST_SUMMARY_INIT;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = pcrm__billing_spec_load(ctx, spec, keys, &p.spec);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_BILLING_RUN, p.spec.org_unit, &p.scope);
	if (rc == PCRM_OK) {
		p.bills = calloc((size_t)p.spec.batch_size, sizeof(*p.bills));
		p.ledger = calloc((size_t)p.spec.batch_size, sizeof(*p.ledger));
		if (!p.bills || !p.ledger)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		rc = pcrm__billing_batches(next_batch, &p, &p.summary.posted, "posting", progress,
		                           userdata);
	if (out)
		*out = p.summary;
	free(p.bills);
	free(p.ledger);
	free(p.scope);
	json_decref(p.spec.json);
	return rc;
}
