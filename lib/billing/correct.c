/*
 * Correcting a bill (退补): void it (with a credit note when it was posted
 * to the ledger), bill the month again from the readings as they are now
 * (posted when the voided bill was), both in one transaction.  The voided
 * bill stays in the bill history and in the ledger, so what the customer
 * was told first can always be shown next to the correction.  A bill not
 * yet posted (before issuance) is corrected without touching the ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "ledger/ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "tariff/demand.h"
#include "tariff/tariff_internal.h"

#define REASON_MAX 500

struct correction {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *reason;
	pcrm_bill_record *old;
	struct pcrm__bill_subject subject;
	struct pcrm__month month;
	struct pcrm__account_usage usage;
	pcrm_tariff *tariff;
	pcrm_bill *bill;
	char bill_no[PCRM__BILL_NO_MAX];
	int posted; /* the ledger holds the old bill: credit it, post the new one */
};

static int load_subject(struct correction *c)
{
	struct pcrm__bill_subject *s = &c->subject;
	pcrm_sql_value p[2] = { PCRM_SQL_S(c->old->customer_no), PCRM_SQL_S(c->old->account_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(c->ctx->store,
	                           "SELECT c.usage_class, c.household_size, c.low_income, "
	                           PCRM__CONTRACT_COLUMNS " FROM customer c JOIN account a "
	                           "ON a.customer_no = c.customer_no "
	                           "WHERE c.customer_no = $1 AND a.account_no = $2",
	                           p, 2, &rows);
	snprintf(s->customer_no, sizeof(s->customer_no), "%s", c->old->customer_no);
	snprintf(s->account_no, sizeof(s->account_no), "%s", c->old->account_no);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		snprintf(s->usage_class, sizeof(s->usage_class), "%s", pcrm__rows_text(rows, 0));
		s->household_size = (int)pcrm__rows_int(rows, 1);
		s->low_income = pcrm__rows_int(rows, 2) != 0;
		rc = pcrm__contract_read(rows, 3, s->account_no, &s->terms);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ESTORE, "customer \"%s\" or account \"%s\" of bill \"%s\" is "
		                 "missing", c->old->customer_no, c->old->account_no, c->old->bill_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/* Recomputes the month with the tariff version the voided bill used. */
static int recompute(struct correction *c)
{
	size_t n = 0;
	int rc = pcrm__month_parse(c->ctx, "period", c->old->period, &c->month);
	if (rc == PCRM_OK)
		rc = load_subject(c);
	if (rc == PCRM_OK)
		rc = pcrm__tariff_fetch(c->ctx, c->old->tariff_id, c->old->tariff_version, c->month.first,
		                        &c->tariff);
	if (rc == PCRM_OK)
		rc = pcrm__usage_load(c->ctx, &c->subject, 1, &c->month,
		                      pcrm__tariff_uses_year_to_date(c->tariff, c->month.first.month == 12),
		                      &c->usage, &n);
	if (rc == PCRM_OK && n > 0)
		rc = pcrm__demand_history_load(c->ctx, &c->month,
		                               pcrm__tariff_ratchet_months(c->tariff), &c->usage, 1);
	if (rc == PCRM_OK && n == 0)
		rc = pcrm__error(PCRM_ESTATE,
		                 "account \"%s\" has no readings in %s any more: nothing to bill again",
		                 c->old->account_no, c->old->period);
	if (rc == PCRM_OK)
		rc = pcrm__bill_compute_for(c->tariff, &c->subject, &c->usage, &c->month, &c->bill);
	return rc;
}

static int next_bill_no(struct correction *c)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(c->old->account_no), PCRM_SQL_S(c->old->period) };
	int64_t done = 0;
	int rc = pcrm__store_query_int(c->ctx->store,
	                               "SELECT COUNT(*) FROM bill WHERE account_no = $1 AND period = $2 "
	                               "AND replaces IS NOT NULL",
	                               p, 2, &done);
	if (rc == PCRM_OK)
		snprintf(c->bill_no, sizeof(c->bill_no), "%s-%.4s%.2s-R%lld", c->old->account_no,
		         c->old->period, c->old->period + 5, (long long)done + 1);
	return rc;
}

static int void_old(struct correction *c)
{
	char credit_note[PCRM__BILL_NO_MAX + 4];
	pcrm_sql_value p[1] = { PCRM_SQL_S(c->old->bill_no) };
	int64_t changes = 0;
	json_t *req;
	int rc = pcrm__store_exec(c->ctx->store,
	                          "UPDATE bill SET status = 'void' WHERE bill_no = $1 AND status = 'issued'",
	                          p, 1, &changes);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "bill \"%s\" was corrected concurrently",
		                 c->old->bill_no);
	/*
	 * Asked after the UPDATE, which holds the bill's row: a posting step
	 * that locked it first has committed by now, one that comes later no
	 * longer sees the bill.  An unposted bill (a bill of nothing is never
	 * posted) has nothing in the ledger to credit.
	 */
	if (rc == PCRM_OK)
		rc = pcrm__bill_is_posted(c->ctx, c->old->bill_no, &c->posted);
	if (rc != PCRM_OK || !c->posted)
		return rc;
	snprintf(credit_note, sizeof(credit_note), "%s-CN", c->old->bill_no);
	req = json_pack("{s:s, s:s, s:s, s:s}", "kind", "void", "bill_no", c->old->bill_no,
	                "credit_note_no", credit_note, "reason", c->reason);
	if (!req)
		return pcrm__error_oom();
	rc = pcrm__ledger_post_doc(c->ctx, c->actor, c->old->account_no, req, NULL);
	json_decref(req);
	return rc;
}

static int write_correction(struct correction *c)
{
	struct pcrm__bill_meta meta = { c->bill_no, c->old->bill_no, c->old->issue_date,
		                        c->old->due_date, NULL };
	char total[PCRM_DECIMAL_STRING_MAX];
	json_t *summary;
	int rc = next_bill_no(c);

	/* The new bill keeps the old dates: the customer's due date does not move by our mistake. */
	if (rc == PCRM_OK)
		rc = void_old(c);
	if (rc == PCRM_OK)
		rc = pcrm__bill_insert(c->ctx, c->actor, &c->subject, &c->month, &meta, c->bill, 0, NULL);
	if (rc == PCRM_OK && c->posted)
		rc = pcrm__bill_post(c->ctx, c->actor, &c->subject, &c->month, &meta, c->bill);
	if (rc != PCRM_OK)
		return rc;
	pcrm_decimal_format(pcrm_bill_total(c->bill), total, sizeof(total));
	summary = json_pack("{s:s, s:s, s:s, s:s, s:b}", "replaces", c->old->bill_no, "bill_no",
	                    c->bill_no, "total", total, "reason", c->reason, "posted", c->posted);
	rc = pcrm__audit_append(c->ctx, c->actor, "bill.correct", "bill", c->bill_no, summary);
	json_decref(summary);
	return rc;
}

/* One attempt, as pcrm__store_transaction() runs it (again after a deadlock). */
static int correction_attempt(void *c)
{
	return write_correction(c);
}

/* A bill that does not exist is refused like one of another unit (no bill-number oracle). */
static int authorize(struct correction *c, const char *bill_no, int lookup_rc, const char *org)
{
	int rc = pcrm__authorize_found(c->ctx, c->actor, PCRM_PERM_BILLING_RUN, "bill", bill_no,
	                               lookup_rc, org);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_found(c->ctx, c->actor, PCRM_PERM_LEDGER_ADJUST, "bill", bill_no,
		                           PCRM_OK, org);
	if (rc == PCRM_OK && strcmp(c->old->status, "issued") != 0)
		rc = pcrm__error(PCRM_ESTATE, "bill \"%s\" is %s: correct the bill that replaced it",
		                 c->old->bill_no, c->old->status);
	return rc;
}

int pcrm_bill_correct(pcrm_ctx *ctx, const pcrm_actor *actor, const char *bill_no,
                      const char *reason, pcrm_bill_record **out)
{
	struct correction c;
	char org[PCRM__BILL_CODE_MAX + 1];
	char dummy[PCRM__BILL_CODE_MAX + 1];
	pcrm_bill_record *fresh = NULL;
	int rc;

	if (out)
		*out = NULL;
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.actor = actor;
	c.reason = reason;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!bill_no || !*bill_no || strlen(bill_no) >= PCRM__BILL_NO_MAX)
		return pcrm__error(PCRM_EINVAL, "bill_no: must be 1..%d bytes", PCRM__BILL_NO_MAX - 1);
	if (!reason || !*reason || strlen(reason) > REASON_MAX)
		return pcrm__error(PCRM_EINVAL, "reason: must be 1..%d bytes", REASON_MAX);
	rc = pcrm__bill_record_load(ctx, bill_no, &c.old, org);
	rc = authorize(&c, bill_no, rc, org);
	if (rc == PCRM_OK)
		rc = recompute(&c);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, correction_attempt, &c);
	if (rc == PCRM_OK && out)
		rc = pcrm__bill_record_load(ctx, c.bill_no, &fresh, dummy);
	if (rc == PCRM_OK && out)
		*out = fresh;
	pcrm_bill_free(c.bill);
	pcrm_tariff_free(c.tariff);
	pcrm_bill_record_free(c.old);
	return rc;
}
