/*
 * The late-payment penalty (电费违约金) of an account at a date, from its
 * aged open bills, and its posting as a ledger adjustment.
 *
 * The rate is pcrm_late_fee()'s (lib/tariff), not a copy of it: the penalty
 * is linear in amount x days, so the sum over bills of open x days goes in
 * as the arrears of a single day.  That rounds once and applies the 1-yuan
 * minimum to the total, as the rule means, not to each bill.
 */
#include <stdio.h>
#include <string.h>

#include "billing_internal.h"
#include "core/error.h"
#include "ledger/ledger_internal.h"
#include "org/org_internal.h"

/* amount x days, accumulated per usage class and year class. */
struct weights {
	pcrm_decimal current[2], earlier[2]; /* [residential] */
	int any[2];
};

static int add_item(struct weights *w, const pcrm_arrears_item *it)
{
	pcrm_decimal weighted;
	int r = it->residential ? 1 : 0;
	int rc;

	if (strcmp(it->kind, "bill") != 0 || it->days_past_due <= 0 ||
	    pcrm_decimal_sign(it->open_amount) <= 0)
		return PCRM_OK;
	rc = pcrm_decimal_mul(it->open_amount, pcrm_decimal_from_int(it->days_past_due), &weighted);
	if (rc == PCRM_OK)
		rc = it->prior_year ? pcrm_decimal_add(w->earlier[r], weighted, &w->earlier[r]) :
		                      pcrm_decimal_add(w->current[r], weighted, &w->current[r]);
	w->any[r] = 1;
	return rc;
}

int pcrm_late_fee_quote(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        pcrm_date on, pcrm_decimal *out)
{
	struct pcrm__ledger_account acct;
	struct weights w;
	pcrm_arrears *arrears = NULL;
	pcrm_decimal total = pcrm_decimal_make(0, 2);
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = total;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!account_no || !*account_no || strlen(account_no) > PCRM__BILL_CODE_MAX)
		return pcrm__error(PCRM_EINVAL, "account_no: must be 1..%d bytes", PCRM__BILL_CODE_MAX);
	if (!pcrm_date_is_valid(on))
		return pcrm__error(PCRM_EINVAL, "on: not a valid date");
	memset(&w, 0, sizeof(w));
	for (int r = 0; r < 2; r++)
		w.current[r] = w.earlier[r] = pcrm_decimal_from_int(0);
	rc = pcrm__ledger_account_load(ctx, account_no, &acct);
	/* a number nobody has is refused like an account of another unit (no oracle) */
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "account", account_no, rc,
	                           acct.org_unit);
	if (rc == PCRM_OK)
		rc = pcrm_arrears_load(ctx, actor, acct.customer_no, account_no, on, &arrears);
	for (size_t i = 0; rc == PCRM_OK && i < pcrm_arrears_count(arrears); i++)
		rc = add_item(&w, pcrm_arrears_at(arrears, i));
	pcrm_arrears_free(arrears);
	for (int r = 0; rc == PCRM_OK && r < 2; r++) {
		pcrm_decimal fee;
		if (!w.any[r])
			continue;
		rc = pcrm_late_fee(w.current[r], w.earlier[r], 1, r, &fee);
		if (rc == PCRM_OK)
			rc = pcrm_decimal_add(total, fee, &total);
	}
	if (rc != PCRM_OK)
		return rc;
	*out = total;
	return PCRM_OK;
}

int pcrm_late_fee_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                       pcrm_date on, const char *idempotency_key, pcrm_ledger_entry **out)
{
	char amount[PCRM_DECIMAL_STRING_MAX], due[16];
	pcrm_decimal fee;
	json_t *req;
	int rc;

	if (out)
		*out = NULL;
	if (!idempotency_key || !*idempotency_key)
		return pcrm__error(PCRM_EINVAL, "idempotency_key: is required");
	rc = pcrm_late_fee_quote(ctx, actor, account_no, on, &fee);
	if (rc != PCRM_OK || pcrm_decimal_sign(fee) <= 0)
		return rc;
	pcrm_decimal_format(fee, amount, sizeof(amount));
	snprintf(due, sizeof(due), "%04d-%02d-%02d", on.year % 10000, on.month % 100, on.day % 100);
	req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "adjustment", "idempotency_key",
	                idempotency_key, "direction", "debit", "amount", amount, "reason",
	                "late_fee", "due_date", due);
	if (!req)
		return pcrm__error_oom();
	rc = pcrm__ledger_post_doc(ctx, actor, account_no, req, out);
	json_decref(req);
	return rc;
}
