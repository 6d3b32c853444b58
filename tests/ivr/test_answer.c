/*
 * The IVR's arrears answer on both stores: nothing owed, two open bills
 * (one overdue), after a payment, each answer recorded as an "ivr" contact
 * whose summary is the spoken text; scope and bad input record nothing.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static void setup(pcrm_test_store *t)
{
	pcrm_test_reopen_with_key(t);
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &root_admin, 1, "3701", "C1", "A1", "P1", "M1", t->now);
	pcrm_test_add_home(t->ctx, &root_admin, 2, "3702", "C2", "A2", "P2", "M2", t->now);
}

static void post(pcrm_test_store *t, const char *account, const char *json)
{
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account, json, NULL));
}

static int64_t ivr_contacts(pcrm_test_store *t)
{
	int64_t n = -1;

	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM contact WHERE channel = 'ivr'",
	                                     NULL, 0, &n));
	return n;
}

/* The newest contact of C1 must be an inbound IVR one holding `text`. */
static void expect_recorded(pcrm_test_store *t, const char *text)
{
	pcrm_contact_list *list = NULL;
	const pcrm_contact *c;

	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, "C1", NULL, 10, &list));
	cr_assert_geq(pcrm_contact_list_count(list), 1);
	c = pcrm_contact_list_at(list, 0);
	cr_assert_str_eq(pcrm_contact_channel(c), "ivr");
	cr_assert_str_eq(pcrm_contact_direction(c), "inbound");
	cr_assert_str_eq(pcrm_contact_summary(c), text);
	pcrm_contact_list_free(list);
}

PCRM_BACKEND_TEST(ivr_answer, arrears_none_then_two_bills_then_paid_down)
{
	pcrm_ivr_arrears_answer a;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.items, 0);
	cr_assert(pcrm_decimal_is_zero(a.total));
	cr_assert_str_eq(a.text, "您目前没有欠费。");
	expect_recorded(t, "您目前没有欠费。");

	/* today is 2026-11-23: the October bill is 8 days overdue, November's not yet due */
	t->now += 60;
	post(t, "A1", "{\"kind\": \"bill\", \"bill_no\": \"B1\", \"period\": \"2026-10\","
	              " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"amount\": \"100.00\"}");
	post(t, "A1", "{\"kind\": \"bill\", \"bill_no\": \"B2\", \"period\": \"2026-11\","
	              " \"issue_date\": \"2026-11-20\", \"due_date\": \"2026-12-15\", \"amount\": \"23.45\"}");
	pcrm_assert_ok(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.items, 2);
	pcrm_assert_dec(a.total, "123.45");
	cr_assert_eq(a.oldest_due_date.year, 2026);
	cr_assert_eq(a.oldest_due_date.month, 11);
	cr_assert_eq(a.oldest_due_date.day, 15);
	cr_assert_eq(a.days_past_due, 8);
	cr_assert_str_eq(a.text, "您目前欠费共计一百二十三元四角五分，共两笔，"
	                         "最早一笔的缴费截止日期为二零二六年十一月十五日，已逾期八天。");
	expect_recorded(t, a.text);

	/* a payment of 100 settles the oldest bill */
	t->now += 60; /* contacts list newest first: one per minute keeps the order plain */
	post(t, "A1", "{\"kind\": \"payment\", \"idempotency_key\": \"K1\", \"amount\": \"100.00\","
	              " \"channel\": \"counter\"}");
	pcrm_assert_ok(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.items, 1);
	pcrm_assert_dec(a.total, "23.45");
	cr_assert_eq(a.days_past_due, 0);
	cr_assert_str_eq(a.text, "您目前欠费共计二十三元四角五分，共一笔，"
	                         "最早一笔的缴费截止日期为二零二六年十二月十五日。");
	expect_recorded(t, a.text);
	cr_assert_eq(ivr_contacts(t), 3, "every answer is one contact entry");
}

PCRM_BACKEND_TEST(ivr_answer, arrears_scope_and_bad_input_record_nothing)
{
	pcrm_ivr_arrears_answer a;

	setup(t);
	memset(&a, 0x5a, sizeof(a));
	pcrm_assert_fails(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C2", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C9", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C 1", &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_arrears(t->ctx, &city_agent, "C1", NULL), PCRM_EINVAL,
	                  "out");
	cr_assert_eq(a.items, 0x5a5a5a5a, "the answer is untouched on failure");
	cr_assert_eq(ivr_contacts(t), 0);
}
