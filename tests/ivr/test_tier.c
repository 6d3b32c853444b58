/*
 * The IVR's tier answer on both stores, from bills a billing run made: C1
 * used 2,700 kWh in November 2026 on an annual tariff of 2760 / 4800 kWh,
 * so on 7 December the caller hears the issue's own example; a caller with
 * no bill, one on monthly tiers and a commercial one hear why no tier
 * applies; scope, a missing permission and bad input record nothing.
 */
#include <stdlib.h>

#include "ivr_fixtures.h"

/* 2026-11-30 20:00 +08:00 and 2026-12-07 10:00 +08:00 */
#define NOV30 ((pcrm_time)1796040000)
#define DEC07 ((pcrm_time)1796608800)

static const char annual_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.4883\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"2760\", \"surcharge\": \"0\"},"
	" {\"max\": \"4800\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}]}}";

/* The clock at 7 December, and November's bill of the home of `meter`, on `tariff`. */
static void bill_november(pcrm_test_store *t, const char *meter, const char *reading,
                          const char *tariff)
{
	char spec[320];
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	t->now = DEC07;
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &root_admin, meter, PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec(reading), NOV30, 0, NULL));
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"37\", \"period\": \"2026-11\", \"issue_date\": \"2026-12-01\","
	         " \"due_date\": \"2026-12-15\", \"tariffs\": {\"residential\": \"%s\"}}", tariff);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &root_admin, spec, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
}

PCRM_BACKEND_TEST(ivr_tier, speaks_the_position_this_year)
{
	pcrm_ivr_tier_answer a;

	ivr_setup(t);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, annual_tariff));
	pcrm_assert_ok(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.position.status, PCRM_TIER_NO_BILL);
	cr_assert_str_eq(a.text, "您目前还没有电费账单，暂时无法查询阶梯档位。");
	ivr_expect_recorded(t, "C1", a.text);

	bill_november(t, "M1", "3700", "annual-residential"); /* 1000 at installation */
	t->now += 60;
	pcrm_assert_ok(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.position.version, PCRM_TIER_POSITION_VERSION);
	cr_assert_eq(a.position.status, PCRM_TIER_POSITIONED);
	cr_assert_eq(a.position.tier, 1);
	pcrm_assert_dec(a.position.energy, "2700");
	pcrm_assert_dec(a.position.remaining, "60");
	cr_assert_str_eq(a.position.account_no, "A1");
	cr_assert_str_eq(a.text, "本年度已用电量两千七百千瓦时，处于第一档，第一档上限为"
	                         "两千七百六十千瓦时，再用六十千瓦时将进入第二档。");
	ivr_expect_recorded(t, "C1", a.text);
	cr_assert_eq(ivr_contacts(t), 2, "every answer is one contact entry");
}

PCRM_BACKEND_TEST(ivr_tier, the_top_tier_and_no_tier_are_answers_too)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	pcrm_ivr_tier_answer a;

	ivr_setup(t);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, annual_tariff));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	bill_november(t, "M1", "6000", "annual-residential");
	pcrm_assert_ok(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.position.tier, 3);
	cr_assert_str_eq(a.text, "本年度已用电量五千千瓦时，处于第三档，即最高一档。");

	bill_november(t, "M2", "1300", "cn-gd-guangzhou-residential");
	pcrm_assert_ok(pcrm_ivr_answer_tier(t->ctx, &root_admin, "C2", &a));
	cr_assert_eq(a.position.status, PCRM_TIER_NOT_ANNUAL);
	cr_assert_str_eq(a.text, "您执行的电价按每期账单计算阶梯，没有年度累计档位。");
	ivr_expect_recorded(t, "C2", a.text);

	pcrm_assert_ok(pcrm_customer_update(t->ctx, &root_admin, "C2",
	                                    "{\"usage_class\": \"general_commercial_industrial\"}", 1,
	                                    NULL));
	t->now += 60; /* the contact list orders by time: this answer is the newest */
	pcrm_assert_ok(pcrm_ivr_answer_tier(t->ctx, &root_admin, "C2", &a));
	cr_assert_eq(a.position.status, PCRM_TIER_NOT_RESIDENTIAL);
	cr_assert_str_eq(a.text, "您的用电类别不执行居民阶梯电价，没有阶梯档位。");
	ivr_expect_recorded(t, "C2", a.text);
}

PCRM_BACKEND_TEST(ivr_tier, scope_permission_and_bad_input_record_nothing)
{
	pcrm_ivr_tier_answer a;

	ivr_setup(t);
	memset(&a, 0x5a, sizeof(a));
	pcrm_assert_fails(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C2", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C9", &a), PCRM_EPERM,
	                  "customer");
	/* a monitor may read the archive but not write contacts */
	pcrm_assert_fails(pcrm_ivr_answer_tier(t->ctx, &monitor, "C1", &a), PCRM_EPERM, "contact");
	pcrm_assert_fails(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C 1", &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_tier(t->ctx, &city_agent, "C1", NULL), PCRM_EINVAL,
	                  "out");
	cr_assert_eq(a.position.tier, 0x5a5a5a5a, "the answer is untouched on failure");
	cr_assert_eq(ivr_contacts(t), 0);
}
