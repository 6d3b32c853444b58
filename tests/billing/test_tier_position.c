/*
 * The tier position this year (pcrm_tier_position_get()) on both stores,
 * against bills a billing run really made.  The annual tariff's tiers are
 * 0..700, 700..1000 and above (raised by 100 / 100 for households of 5):
 *
 *   September 500 kWh: the year stands at 500, tier 1, 200 kWh to tier 2
 *   October 600 kWh after it: 200 in tier 1, 300 in tier 2, 100 in tier 3
 *     (what the position said: the bill's tier-1 line is its `remaining`)
 *   after October: 1100 kWh, tier 3, the top one
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "billing_fixtures.h"

#define DAY 86400

static const pcrm_actor qingdao_admin = { "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" };

static const char annual_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"700\", \"surcharge\": \"0\"},"
	" {\"max\": \"1000\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}],"
	" \"large_household\": {\"min_size\": 5, \"extra\": [\"100\", \"100\"]}}}";

static void run_month(pcrm_test_store *t, const char *period, const char *tariff)
{
	char spec[384];
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"3701\", \"period\": \"%s\", \"issue_date\": \"2026-11-01\","
	         " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"%s\"}}",
	         period, tariff);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec, NULL, NULL, &s));
	cr_assert_geq(s.billed, 1, "%s", period);
}

/* C1 (A1) in 3701: 500 kWh in September, 600 in October; the annual tariff published. */
static void setup(pcrm_test_store *t)
{
	const pcrm_time sep30 = OCT31 - 31 * DAY;

	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "3701", NULL);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1500"), sep30, 0, NULL));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("2100"), OCT31, 0, NULL));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, annual_tariff));
}

static pcrm_tier_position position(pcrm_test_store *t, const char *account, pcrm_date on)
{
	pcrm_tier_position p = PCRM_TIER_POSITION_INIT;
	pcrm_assert_ok(pcrm_tier_position_get(t->ctx, &city_agent, "C1", account, on, &p));
	cr_assert_eq(p.version, PCRM_TIER_POSITION_VERSION);
	return p;
}

PCRM_BACKEND_TEST(tier_position, follows_the_years_bills_as_the_next_bill_will)
{
	pcrm_tier_position p;
	pcrm_bill_list *bills = NULL;
	const pcrm_bill_record *oct = NULL;
	json_t *doc, *line;
	size_t i;
	int tier1 = 0;

	setup(t);
	p = position(t, NULL, (pcrm_date){ 2026, 10, 15 });
	cr_assert_eq(p.status, PCRM_TIER_NO_BILL, "no bill tells no tariff");
	cr_assert_eq(p.tier, 0);

	run_month(t, "2026-09", "annual-residential");
	p = position(t, NULL, (pcrm_date){ 2026, 10, 15 });
	cr_assert_eq(p.status, PCRM_TIER_POSITIONED);
	cr_assert_eq(p.year, 2026);
	cr_assert_eq(p.tier_count, 3);
	cr_assert_eq(p.tier, 1);
	cr_assert_eq(p.last_tier, 0);
	pcrm_assert_dec(p.energy, "500");
	pcrm_assert_dec(p.lower, "0");
	pcrm_assert_dec(p.upper, "700");
	pcrm_assert_dec(p.remaining, "200");
	cr_assert_str_eq(p.account_no, "A1");
	cr_assert_str_eq(p.tariff_id, "annual-residential");
	cr_assert_eq(p.tariff_version, 1);
	/* September's own bill does not count before October: it is what October starts from */
	p = position(t, "A1", (pcrm_date){ 2026, 9, 30 });
	pcrm_assert_dec(p.energy, "0");
	pcrm_assert_dec(p.remaining, "700");

	/* October's bill bills exactly `remaining` kWh in tier 1, then moves up */
	run_month(t, "2026-10", "annual-residential");
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", "2026-10", "2026-10", &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 1);
	oct = pcrm_bill_list_at(bills, 0);
	doc = json_loads(oct->json, 0, NULL);
	cr_assert_not_null(doc);
	json_array_foreach(json_object_get(doc, "lines"), i, line) {
		if (json_integer_value(json_object_get(line, "tier")) != 1)
			continue;
		tier1++;
		cr_assert_str_eq(json_string_value(json_object_get(line, "quantity")), "200");
	}
	cr_assert_eq(tier1, 1, "October has one tier-1 line");
	json_decref(doc);
	pcrm_bill_list_free(bills);

	p = position(t, NULL, (pcrm_date){ 2026, 11, 5 });
	cr_assert_eq(p.tier, 3);
	cr_assert_eq(p.last_tier, 1);
	pcrm_assert_dec(p.energy, "1100");
	pcrm_assert_dec(p.lower, "1000");
	pcrm_assert_dec(p.upper, "0");
	pcrm_assert_dec(p.remaining, "0");

	/* a new tariff year starts from nothing */
	p = position(t, NULL, (pcrm_date){ 2027, 1, 10 });
	cr_assert_eq(p.year, 2027);
	cr_assert_eq(p.tier, 1);
	pcrm_assert_dec(p.energy, "0");
}

PCRM_BACKEND_TEST(tier_position, large_households_get_the_raised_thresholds)
{
	pcrm_tier_position p;

	setup(t);
	run_month(t, "2026-09", "annual-residential");
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C1", "{\"household_size\": 5}", 1,
	                                    NULL));
	p = position(t, NULL, (pcrm_date){ 2026, 10, 15 });
	pcrm_assert_dec(p.upper, "800");
	pcrm_assert_dec(p.remaining, "300");
}

PCRM_BACKEND_TEST(tier_position, says_why_no_tier_applies)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	pcrm_tier_position p;

	setup(t);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	run_month(t, "2026-10", "cn-gd-guangzhou-residential");
	p = position(t, NULL, (pcrm_date){ 2026, 11, 5 });
	cr_assert_eq(p.status, PCRM_TIER_NOT_ANNUAL, "monthly tiers start again every bill");
	cr_assert_eq(p.tier_count, 3);
	cr_assert_eq(p.tier, 0);
	cr_assert_str_eq(p.tariff_id, "cn-gd-guangzhou-residential");

	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C1",
	                                    "{\"usage_class\": \"general_commercial_industrial\"}", 1,
	                                    NULL));
	p = position(t, NULL, (pcrm_date){ 2026, 11, 5 });
	cr_assert_eq(p.status, PCRM_TIER_NOT_RESIDENTIAL);
	cr_assert_eq(p.tier, 0);
}

PCRM_BACKEND_TEST(tier_position, scope_and_bad_input_are_refused_and_out_is_untouched)
{
	pcrm_tier_position p = PCRM_TIER_POSITION_INIT;
	const pcrm_date on = { 2026, 10, 15 };

	setup(t);
	p.tier = 42;
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &qingdao_admin, "C1", NULL, on, &p),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C404", NULL, on, &p),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C1", "A9", on, &p),
	                  PCRM_ENOTFOUND, "account_no");
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C1", NULL,
	                                         (pcrm_date){ 2026, 2, 30 }, &p),
	                  PCRM_EINVAL, "on");
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C 1", NULL, on, &p),
	                  PCRM_EINVAL, "customer_no");
	cr_assert_eq(p.tier, 42, "nothing written on failure");
	p.version = 0;
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C1", NULL, on, &p),
	                  PCRM_EINVAL, "PCRM_TIER_POSITION_INIT");
	p.version = PCRM_TIER_POSITION_VERSION + 1;
	pcrm_assert_fails(pcrm_tier_position_get(t->ctx, &city_agent, "C1", NULL, on, &p),
	                  PCRM_EINVAL, "out.version");
	cr_assert_eq(p.tier, 42);
}
