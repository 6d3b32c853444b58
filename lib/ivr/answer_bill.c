/*
 * The IVR's last-bill answer: the newest bill of the caller (its month,
 * amount, due date and what is still open on it) and the newest payment,
 * said in Chinese and recorded in the contact history (docs/ivr.md,
 * "Answers").  The data is the ledger's, over all the customer's accounts:
 * a bill counts once posted (a bill of zero is never posted, so it is never
 * "the last bill"), a voided one does not.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/ivr.h>

#include "core/ctx.h"
#include "core/error.h"
#include "ivr_internal.h"
#include "store/store.h"

static int parse_amount(const char *text, pcrm_decimal *out)
{
	if (text == NULL || pcrm_decimal_parse(text, out) != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "a stored ledger amount is malformed");
	return PCRM_OK;
}

static int load_last_bill(pcrm_ctx *ctx, const char *customer_no, pcrm_ivr_bill_answer *a)
{
	static const char sql[] =
		"SELECT item_no, period, issue_day, due_day, amount, open_amount FROM ledger_item"
		" WHERE customer_no = $1 AND kind = 'bill' AND status <> 'void'"
		" ORDER BY issue_day DESC, seq DESC, item_no DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		a->has_bill = 1;
		snprintf(a->bill_no, sizeof(a->bill_no), "%s", pcrm__rows_text(rows, 0));
		if (!pcrm__rows_is_null(rows, 1))
			snprintf(a->period, sizeof(a->period), "%s", pcrm__rows_text(rows, 1));
		a->issue_date = pcrm_date_from_days(pcrm__rows_int(rows, 2));
		a->due_date = pcrm_date_from_days(pcrm__rows_int(rows, 3));
		rc = parse_amount(pcrm__rows_text(rows, 4), &a->amount);
		if (rc == PCRM_OK)
			rc = parse_amount(pcrm__rows_text(rows, 5), &a->open_amount);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int load_last_payment(pcrm_ctx *ctx, const char *customer_no, pcrm_ivr_bill_answer *a)
{
	static const char sql[] =
		"SELECT amount, paid_day, channel FROM ledger_payment WHERE customer_no = $1"
		" ORDER BY paid_at DESC, seq DESC, account_no DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		a->has_payment = 1;
		a->payment_date = pcrm_date_from_days(pcrm__rows_int(rows, 1));
		snprintf(a->payment_channel, sizeof(a->payment_channel), "%s",
		         pcrm__rows_text(rows, 2));
		rc = parse_amount(pcrm__rows_text(rows, 0), &a->payment_amount);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* "二零二六年十月电费": a posted bill always has its period ("2026-10"). */
static int say_bill(const pcrm_ivr_bill_answer *a, char *buf, size_t size)
{
	int year, month, rc;

	if (strlen(a->period) != 7 || sscanf(a->period, "%4d-%2d", &year, &month) != 2)
		return pcrm__error(PCRM_ESTORE, "bill %s: the stored period is malformed",
		                   a->bill_no);
	rc = pcrm__ivr_speak_month(year, month, buf, size);
	if (rc == PCRM_OK && strlen(buf) + sizeof("电费") > size)
		rc = pcrm__error(PCRM_EOVERFLOW, "text: the period does not fit in %zu bytes", size);
	if (rc == PCRM_OK)
		strcat(buf, "电费");
	return rc;
}

static int compose(pcrm_ivr_bill_answer *a)
{
	char what[PCRM_IVR_SPEECH_MAX], amount[PCRM_IVR_SPEECH_MAX], due[PCRM_IVR_SPEECH_MAX],
	     open[PCRM_IVR_SPEECH_MAX];
	size_t len = 0;
	int rc = PCRM_OK;

	a->text[0] = '\0';
	if (!a->has_bill) {
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "您目前没有电费账单。");
	} else {
		if ((rc = say_bill(a, what, sizeof(what))) != PCRM_OK ||
		    (rc = pcrm_ivr_speak_amount(a->amount, amount, sizeof(amount))) != PCRM_OK ||
		    (rc = pcrm_ivr_speak_date(a->due_date, due, sizeof(due))) != PCRM_OK)
			return rc;
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len,
		                   "您最近一期账单为%s，金额%s，缴费截止日期为%s，", what, amount, due);
		if (rc == PCRM_OK && pcrm_decimal_is_zero(a->open_amount)) {
			rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "已结清。");
		} else if (rc == PCRM_OK) {
			rc = pcrm_ivr_speak_amount(a->open_amount, open, sizeof(open));
			if (rc == PCRM_OK)
				rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "尚欠%s。", open);
		}
	}
	if (rc != PCRM_OK)
		return rc;
	if (!a->has_payment)
		return pcrm__ivr_say(a->text, sizeof(a->text), &len, "您还没有缴费记录。");
	if ((rc = pcrm_ivr_speak_date(a->payment_date, due, sizeof(due))) != PCRM_OK ||
	    (rc = pcrm_ivr_speak_amount(a->payment_amount, amount, sizeof(amount))) != PCRM_OK)
		return rc;
	return pcrm__ivr_say(a->text, sizeof(a->text), &len, "您最近一次缴费在%s，金额%s。", due,
	                     amount);
}

int pcrm_ivr_answer_last_bill(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                              pcrm_ivr_bill_answer *out)
{
	struct pcrm__ivr_answer ans;
	pcrm_ivr_bill_answer *a;
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 1, &ans);

	if (rc != PCRM_OK)
		return rc;
	a = ans.data;
	a->amount = a->open_amount = a->payment_amount = pcrm_decimal_make(0, 2);
	rc = load_last_bill(ctx, customer_no, a);
	if (rc == PCRM_OK)
		rc = load_last_payment(ctx, customer_no, a);
	if (rc == PCRM_OK)
		rc = compose(a);
	return pcrm__ivr_answer_end(&ans, rc, a->text);
}
