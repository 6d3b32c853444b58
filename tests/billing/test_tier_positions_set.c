/*
 * The set path of the tier position (pcrm__tier_positions_each(), what a
 * tier-warning campaign reads) against pcrm_tier_position_get() asked per
 * customer, on both stores, over bills billing runs really made: every
 * field of every customer must agree on every date asked.  The fixture
 * varies what the position depends on:
 *
 *   C1 3701    500 kWh in September, 600 in October (two bills in the year)
 *   C2 370102  300 in October, billed on the county's override (tiers 600/900)
 *   C3 3701    650 in October, a household of 5 (raised thresholds)
 *   C4 3701    no reading: no bill
 *   C5 3701    400 in October, then no longer residential
 *   C6 3701    200 in October, the bill corrected (one void, one issued)
 *   C7 3702    250 in October on Guangzhou's monthly tiers
 *   C404       unknown: skipped by the set, never invented
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing/billing_internal.h"
#include "core/error.h"
#include "billing_fixtures.h"

static const pcrm_actor county_admin = { "admin-lx", PCRM_ROLE_ADMIN, 3, "370102" };

static const char base_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"overridable\": true,"
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"700\", \"surcharge\": \"0\"},"
	" {\"max\": \"1000\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}],"
	" \"large_household\": {\"min_size\": 5, \"extra\": [\"100\", \"100\"]}}}";

static const char county_override[] =
	"{\"id\": \"annual-residential\", \"version\": 2, \"name\": \"annual tiers, county\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"600\", \"surcharge\": \"0\"},"
	" {\"max\": \"900\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}]}}";

static const char *const customers[] = { "C1", "C2", "C3", "C4", "C404", "C5", "C6", "C7" };
#define CUSTOMERS (sizeof(customers) / sizeof(customers[0]))

static void run(pcrm_test_store *t, const char *org, const char *period, const char *tariff)
{
	char spec[384];
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"%s\", \"period\": \"%s\", \"issue_date\": \"2026-11-01\","
	         " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"%s\"}}",
	         org, period, tariff);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &root_admin, spec, NULL, NULL, &s));
	cr_assert_geq(s.billed, 1, "%s %s", org, period);
}

static void setup(pcrm_test_store *t)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	pcrm_bill_record *fixed = NULL;

	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "3701", NULL);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1500"), OCT31 - 31 * 86400, 0, NULL));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("2100"), OCT31, 0, NULL));
	add_home(t, &city_clerk, 2, "370102", "300");
	add_home(t, &city_clerk, 3, "3701", "650");
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C3", "{\"household_size\": 5}", 1,
	                                    NULL));
	add_home(t, &city_clerk, 4, "3701", NULL);
	add_home(t, &city_clerk, 5, "3701", "400");
	add_home(t, &city_clerk, 6, "3701", "200");
	add_home(t, &root_admin, 7, "3702", "250");
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, base_tariff));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &county_admin, county_override));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	run(t, "3701", "2026-09", "annual-residential");
	run(t, "3701", "2026-10", "annual-residential");
	run(t, "3702", "2026-10", "cn-gd-guangzhou-residential");
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &root_admin, "A6-202610", "meter re-read", &fixed));
	pcrm_bill_record_free(fixed);
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C5",
	                                    "{\"usage_class\": \"general_commercial_industrial\"}", 1,
	                                    NULL));
}

struct collected {
	char customer_no[16];
	pcrm_tier_position p;
};

struct collection {
	struct collected items[CUSTOMERS];
	size_t n;
};

static int collect(void *arg, const char *customer_no, const pcrm_tier_position *p)
{
	struct collection *c = arg;

	cr_assert_lt(c->n, CUSTOMERS, "more positions than customers asked about");
	snprintf(c->items[c->n].customer_no, sizeof(c->items[c->n].customer_no), "%s", customer_no);
	c->items[c->n].p = *p;
	c->n++;
	return PCRM_OK;
}

static void same_decimal(pcrm_decimal a, pcrm_decimal b, const char *what, const char *who)
{
	char x[PCRM_DECIMAL_STRING_MAX], y[PCRM_DECIMAL_STRING_MAX];

	pcrm_decimal_format(a, x, sizeof(x));
	pcrm_decimal_format(b, y, sizeof(y));
	cr_assert_str_eq(x, y, "%s of %s: set %s, one by one %s", what, who, x, y);
}

/* Every field of the set's position of `who` as pcrm_tier_position_get() gives it. */
static void same_position(pcrm_test_store *t, const struct collected *c, pcrm_date on)
{
	pcrm_tier_position one = PCRM_TIER_POSITION_INIT;
	const pcrm_tier_position *set = &c->p;
	const char *who = c->customer_no;

	pcrm_assert_ok(pcrm_tier_position_get(t->ctx, &root_admin, who, NULL, on, &one));
	cr_assert_eq(set->version, one.version, "%s", who);
	cr_assert_eq(set->status, one.status, "status of %s on %d-%d-%d", who, on.year, on.month,
	             on.day);
	cr_assert_eq(set->year, one.year, "%s", who);
	cr_assert_eq(set->tier_count, one.tier_count, "%s", who);
	cr_assert_eq(set->tier, one.tier, "%s", who);
	cr_assert_eq(set->last_tier, one.last_tier, "%s", who);
	same_decimal(set->energy, one.energy, "energy", who);
	same_decimal(set->lower, one.lower, "lower", who);
	same_decimal(set->upper, one.upper, "upper", who);
	same_decimal(set->remaining, one.remaining, "remaining", who);
	cr_assert_str_eq(set->account_no, one.account_no, "%s", who);
	cr_assert_str_eq(set->tariff_id, one.tariff_id, "%s", who);
	cr_assert_eq(set->tariff_version, one.tariff_version, "%s", who);
}

static void collect_on(pcrm_test_store *t, pcrm_date on, struct collection *c)
{
	memset(c, 0, sizeof(*c));
	pcrm_assert_ok(pcrm__tier_positions_each(t->ctx, customers, CUSTOMERS, on, collect, c));
}

static const struct collected *of(const struct collection *c, const char *customer_no)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].customer_no, customer_no) == 0)
			return &c->items[i];
	cr_assert_fail("no position of %s", customer_no);
	return NULL;
}

PCRM_BACKEND_TEST(tier_positions_set, agrees_with_the_one_by_one_position_on_every_field)
{
	static const pcrm_date dates[] = { { 2026, 9, 30 }, { 2026, 10, 15 }, { 2026, 11, 5 },
		                           { 2026, 12, 31 }, { 2027, 1, 10 } };
	struct collection c;

	setup(t);
	for (size_t d = 0; d < sizeof(dates) / sizeof(dates[0]); d++) {
		collect_on(t, dates[d], &c);
		cr_assert_eq(c.n, CUSTOMERS - 1, "one position per known customer, C404 skipped");
		for (size_t i = 0; i < c.n; i++)
			same_position(t, &c.items[i], dates[d]);
	}
}

/* The comparison above is only as good as the variety it meets: this checks the variety. */
PCRM_BACKEND_TEST(tier_positions_set, the_fixture_reaches_every_kind_of_answer)
{
	struct collection c;

	setup(t);
	collect_on(t, (pcrm_date){ 2026, 11, 5 }, &c);
	cr_assert_eq(of(&c, "C1")->p.tier, 3, "two bills add up to the top tier");
	pcrm_assert_dec(of(&c, "C1")->p.energy, "1100");
	cr_assert_eq(of(&c, "C2")->p.tariff_version, 2, "the county's override");
	pcrm_assert_dec(of(&c, "C2")->p.upper, "600");
	pcrm_assert_dec(of(&c, "C3")->p.upper, "800");
	cr_assert_eq(of(&c, "C4")->p.status, PCRM_TIER_NO_BILL);
	cr_assert_eq(of(&c, "C5")->p.status, PCRM_TIER_NOT_RESIDENTIAL);
	pcrm_assert_dec(of(&c, "C6")->p.energy, "200");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no = 'A6' AND status = 'void'"),
	             1, "C6's first October bill was voided");
	cr_assert_eq(of(&c, "C7")->p.status, PCRM_TIER_NOT_ANNUAL);
}

static int refuse_third(void *arg, const char *customer_no, const pcrm_tier_position *p)
{
	struct collection *c = arg;

	if (c->n == 2)
		return pcrm__error(PCRM_ESTATE, "receiver: %s refused", customer_no);
	return collect(arg, customer_no, p);
}

PCRM_BACKEND_TEST(tier_positions_set, a_failing_receiver_or_date_stops_the_walk)
{
	struct collection c;

	setup(t);
	memset(&c, 0, sizeof(c));
	pcrm_assert_fails(pcrm__tier_positions_each(t->ctx, customers, CUSTOMERS,
	                                            (pcrm_date){ 2026, 11, 5 }, refuse_third, &c),
	                  PCRM_ESTATE, "C3 refused");
	cr_assert_eq(c.n, 2, "nothing after the failure");
	memset(&c, 0, sizeof(c));
	pcrm_assert_fails(pcrm__tier_positions_each(t->ctx, customers, CUSTOMERS,
	                                            (pcrm_date){ 2026, 2, 30 }, collect, &c),
	                  PCRM_EINVAL, "on");
	cr_assert_eq(c.n, 0);
	pcrm_assert_ok(pcrm__tier_positions_each(t->ctx, customers, 0, (pcrm_date){ 2026, 11, 5 },
	                                         collect, &c));
	cr_assert_eq(c.n, 0, "no customers, no positions");
}
