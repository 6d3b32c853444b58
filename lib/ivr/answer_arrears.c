/*
 * The IVR's arrears answer: what the caller owes today, said in Chinese
 * and recorded in the contact history (docs/ivr.md, "Answers").  Built on
 * the public API only: pcrm_arrears_load() for the data, the speak
 * functions for the text, pcrm_contact_record() for the record.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/ivr.h>
#include <powercrm/ledger.h>

#include "core/error.h"
#include "ivr_internal.h"

/* The text of the answer; PCRM_OK or a speak function's failure. */
static int compose(const pcrm_ivr_arrears_answer *a, char *text, size_t size)
{
	char amount[PCRM_IVR_SPEECH_MAX], items[PCRM_IVR_SPEECH_MAX], due[PCRM_IVR_SPEECH_MAX],
	     days[PCRM_IVR_SPEECH_MAX];
	int rc, n;

	if (a->items == 0) {
		snprintf(text, size, "您目前没有欠费。");
		return PCRM_OK;
	}
	if ((rc = pcrm_ivr_speak_amount(a->total, amount, sizeof(amount))) != PCRM_OK ||
	    (rc = pcrm__ivr_speak_quantity(pcrm_decimal_from_int(a->items), "笔", "items", items,
	                                   sizeof(items))) != PCRM_OK ||
	    (rc = pcrm_ivr_speak_date(a->oldest_due_date, due, sizeof(due))) != PCRM_OK)
		return rc;
	if (a->days_past_due > 0) {
		rc = pcrm__ivr_speak_quantity(pcrm_decimal_from_int(a->days_past_due), "天",
		                              "days_past_due", days, sizeof(days));
		if (rc != PCRM_OK)
			return rc;
		n = snprintf(text, size, "您目前欠费共计%s，共%s，最早一笔的缴费截止日期为%s，已逾期%s。",
		             amount, items, due, days);
	} else {
		n = snprintf(text, size, "您目前欠费共计%s，共%s，最早一笔的缴费截止日期为%s。", amount,
		             items, due);
	}
	/* cannot happen with readings of at most 16 digits; refused rather than cut */
	if (n < 0 || (size_t)n >= size)
		return pcrm__error(PCRM_EOVERFLOW, "text: the answer does not fit in %zu bytes", size);
	return PCRM_OK;
}

int pcrm_ivr_answer_arrears(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                            pcrm_ivr_arrears_answer *out)
{
	struct pcrm__ivr_answer ans;
	pcrm_ivr_arrears_answer *a;
	pcrm_arrears *arrears = NULL;
	/* no customer load: pcrm_arrears_load() checks the customer's scope itself */
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 0, &ans);

	if (rc != PCRM_OK)
		return rc;
	a = ans.data;
	rc = pcrm_arrears_load(ctx, actor, customer_no, NULL, pcrm__ivr_today(ctx), &arrears);
	if (rc == PCRM_OK) {
		size_t n = pcrm_arrears_count(arrears);

		a->total = pcrm_arrears_total(arrears);
		a->items = n > 1000000 ? 1000000 : (int)n;
		if (n > 0) {
			/* oldest first */
			const pcrm_arrears_item *oldest = pcrm_arrears_at(arrears, 0);

			a->oldest_due_date = oldest->due_date;
			a->days_past_due = oldest->days_past_due;
		}
		rc = compose(a, a->text, sizeof(a->text));
	}
	pcrm_arrears_free(arrears);
	return pcrm__ivr_answer_end(&ans, rc, a->text);
}
