/*
 * The IVR's last-bill answer on both stores: nothing yet, the newer of two
 * bills with what is open on it, settled by a payment (the last payment),
 * a voided bill that is no longer "the last"; scope, a missing permission
 * and bad input record nothing.
 */
#include "ivr_fixtures.h"

static void post(pcrm_test_store *t, const char *account, const char *json)
{
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account, json, NULL));
}

PCRM_BACKEND_TEST(ivr_last_bill, none_two_bills_paid_and_voided)
{
	pcrm_ivr_bill_answer a;

	ivr_setup(t);
	pcrm_assert_ok(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.has_bill, 0);
	cr_assert_eq(a.has_payment, 0);
	cr_assert_str_eq(a.text, "您目前没有电费账单。您还没有缴费记录。");
	ivr_expect_recorded(t, "C1", a.text);

	t->now += 60;
	post(t, "A1", "{\"kind\": \"bill\", \"bill_no\": \"B1\", \"period\": \"2026-10\","
	              " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"amount\": \"100.00\"}");
	post(t, "A1", "{\"kind\": \"bill\", \"bill_no\": \"B2\", \"period\": \"2026-11\","
	              " \"issue_date\": \"2026-11-20\", \"due_date\": \"2026-12-15\", \"amount\": \"23.45\"}");
	/* another customer's bill is never this one's */
	post(t, "A2", "{\"kind\": \"bill\", \"bill_no\": \"B9\", \"period\": \"2026-12\","
	              " \"issue_date\": \"2026-11-22\", \"due_date\": \"2026-12-22\", \"amount\": \"9.00\"}");
	pcrm_assert_ok(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.has_bill, 1);
	cr_assert_str_eq(a.bill_no, "B2");
	cr_assert_str_eq(a.period, "2026-11");
	pcrm_assert_dec(a.amount, "23.45");
	pcrm_assert_dec(a.open_amount, "23.45");
	cr_assert_eq(a.issue_date.day, 20);
	cr_assert_eq(a.due_date.month, 12);
	cr_assert_str_eq(a.text, "您最近一期账单为二零二六年十一月电费，金额二十三元四角五分，"
	                         "缴费截止日期为二零二六年十二月十五日，尚欠二十三元四角五分。"
	                         "您还没有缴费记录。");
	ivr_expect_recorded(t, "C1", a.text);

	/* 110.00 settles B1 (oldest first) and 10.00 of B2 */
	t->now += 60;
	post(t, "A1", "{\"kind\": \"payment\", \"idempotency_key\": \"K1\", \"amount\": \"110.00\","
	              " \"channel\": \"counter\"}");
	pcrm_assert_ok(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C1", &a));
	pcrm_assert_dec(a.open_amount, "13.45");
	cr_assert_eq(a.has_payment, 1);
	pcrm_assert_dec(a.payment_amount, "110.00");
	cr_assert_str_eq(a.payment_channel, "counter");
	cr_assert_eq(a.payment_date.year, 2026);
	cr_assert_eq(a.payment_date.month, 11);
	cr_assert_eq(a.payment_date.day, 23);
	cr_assert_str_eq(a.text, "您最近一期账单为二零二六年十一月电费，金额二十三元四角五分，"
	                         "缴费截止日期为二零二六年十二月十五日，尚欠十三元四角五分。"
	                         "您最近一次缴费在二零二六年十一月二十三日，金额一百一十元。");

	/* B2 voided: B1, settled, is the last bill again */
	t->now += 60;
	post(t, "A1", "{\"kind\": \"void\", \"bill_no\": \"B2\", \"credit_note_no\": \"CN2\","
	              " \"reason\": \"抄表错误\"}");
	pcrm_assert_ok(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C1", &a));
	cr_assert_str_eq(a.bill_no, "B1");
	pcrm_assert_dec(a.open_amount, "0.00");
	cr_assert_str_eq(a.text, "您最近一期账单为二零二六年十月电费，金额一百元，"
	                         "缴费截止日期为二零二六年十一月十五日，已结清。"
	                         "您最近一次缴费在二零二六年十一月二十三日，金额一百一十元。");
	ivr_expect_recorded(t, "C1", a.text);
	cr_assert_eq(ivr_contacts(t), 4, "every answer is one contact entry");
}

PCRM_BACKEND_TEST(ivr_last_bill, scope_permission_and_bad_input_record_nothing)
{
	pcrm_ivr_bill_answer a;

	ivr_setup(t);
	memset(&a, 0x5a, sizeof(a));
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C2", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C9", &a), PCRM_EPERM,
	                  "customer");
	/* a monitor may read the archive but not write contacts */
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &monitor, "C1", &a), PCRM_EPERM,
	                  "contact");
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C 1", &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, NULL, &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_last_bill(t->ctx, &city_agent, "C1", NULL), PCRM_EINVAL,
	                  "out");
	cr_assert_eq(a.has_bill, 0x5a5a5a5a, "the answer is untouched on failure");
	cr_assert_eq(ivr_contacts(t), 0);
}
