/*
 * pcrm_tariff_tier_position(): where a year's energy stands on a tariff's
 * annual tiers, with seasonal and large-household thresholds, the answer
 * for tariffs with no annual position, and bad input.  The last test holds
 * it to the bill: for energies around every threshold, a one-kWh bill
 * starting there bills its kWh in exactly the tier the position names.
 */
#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":3,\"effective_from\":\"2026-01-01\",\"currency\":\"CNY\"," \
             "\"rounding\":\"half_up\""

/* Annual 2160 / 4200, summer (June-August) 2400 / 4800, households of 5+: +600 / +600. */
static const char annual[] =
	"{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tier_basis\":\"annual\","
	"\"tiers\":[{\"max\":\"2160\",\"surcharge\":\"0\"},{\"max\":\"4200\",\"surcharge\":\"0.05\"},"
	"{\"surcharge\":\"0.3\"}],\"seasonal_max\":[{\"months\":[6,7,8],\"max\":[\"2400\",\"4800\"]}],"
	"\"large_household\":{\"min_size\":5,\"extra\":[\"600\",\"600\"]}}}";

static pcrm_tier_position position_ok(const pcrm_tariff *t, int household, pcrm_date on,
                                      const char *energy)
{
	pcrm_tier_position p = PCRM_TIER_POSITION_INIT;
	cr_assert_eq(pcrm_tariff_tier_position(t, household, on, D(energy), &p), PCRM_OK, "%s",
	             pcrm_error_last());
	return p;
}

Test(tier_position, names_the_tier_its_thresholds_and_what_is_left)
{
	pcrm_tariff *t = load_tariff(annual);
	pcrm_tier_position p = position_ok(t, 1, DAY(2026, 11, 20), "2000");

	cr_assert_eq(p.status, PCRM_TIER_POSITIONED);
	cr_assert_eq(p.year, 2026);
	cr_assert_eq(p.tier_count, 3);
	cr_assert_eq(p.tier, 1);
	cr_assert_eq(p.last_tier, 0);
	assert_dec(p.energy, "2000");
	assert_dec(p.lower, "0");
	assert_dec(p.upper, "2160");
	assert_dec(p.remaining, "160");
	cr_assert_str_eq(p.account_no, "", "the store fields stay empty");

	/* the last micro-kWh below a threshold is tier 1's; at the threshold tier 1 is full */
	p = position_ok(t, 1, DAY(2026, 11, 20), "2159.999999");
	cr_assert_eq(p.tier, 1);
	assert_dec(p.remaining, "0.000001");
	p = position_ok(t, 1, DAY(2026, 11, 20), "2160");
	cr_assert_eq(p.tier, 2);
	assert_dec(p.remaining, "2040");
	p = position_ok(t, 1, DAY(2026, 11, 20), "2160.000001");
	cr_assert_eq(p.tier, 2);
	assert_dec(p.lower, "2160");
	assert_dec(p.upper, "4200");
	assert_dec(p.remaining, "2039.999999");

	p = position_ok(t, 1, DAY(2026, 11, 20), "5000.5");
	cr_assert_eq(p.tier, 3);
	cr_assert_eq(p.last_tier, 1);
	assert_dec(p.lower, "4200");
	assert_dec(p.upper, "0");
	assert_dec(p.remaining, "0");
	pcrm_tariff_free(t);
}

Test(tier_position, seasonal_and_large_household_thresholds_as_bills_use_them)
{
	pcrm_tariff *t = load_tariff(annual);
	pcrm_tier_position p = position_ok(t, 1, DAY(2026, 7, 1), "2300");

	cr_assert_eq(p.tier, 1, "July's threshold is 2400");
	assert_dec(p.remaining, "100");
	p = position_ok(t, 5, DAY(2026, 11, 1), "2300");
	cr_assert_eq(p.tier, 1, "a household of 5: 2160 + 600");
	assert_dec(p.upper, "2760");
	assert_dec(p.remaining, "460");
	p = position_ok(t, 4, DAY(2026, 11, 1), "2300");
	cr_assert_eq(p.tier, 2, "4 persons are no large household");
	pcrm_tariff_free(t);
}

Test(tier_position, tariffs_without_an_annual_position_say_so)
{
	pcrm_tariff *flat = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"}}");
	pcrm_tariff *gz = load_data_tariff("cn-gd-guangzhou-residential");
	pcrm_tier_position p = position_ok(flat, 1, DAY(2026, 3, 1), "100");

	cr_assert_eq(p.status, PCRM_TIER_NO_TIERS);
	cr_assert_eq(p.tier_count, 0);
	cr_assert_eq(p.tier, 0);
	assert_dec(p.energy, "100");
	p = position_ok(gz, 1, DAY(2026, 3, 1), "100");
	cr_assert_eq(p.status, PCRM_TIER_NOT_ANNUAL, "monthly tiers");
	cr_assert_eq(p.tier_count, 3);
	cr_assert_eq(p.tier, 0);
	pcrm_tariff_free(flat);
	pcrm_tariff_free(gz);
}

Test(tier_position, bad_input_is_refused_and_nothing_written)
{
	pcrm_tariff *t = load_tariff(annual);
	pcrm_tier_position p = PCRM_TIER_POSITION_INIT;

	p.tier = 9;
	expect_error(pcrm_tariff_tier_position(t, -1, DAY(2026, 1, 1), D("1"), &p), PCRM_EINVAL,
	             "household_size");
	expect_error(pcrm_tariff_tier_position(t, 1, DAY(2026, 2, 30), D("1"), &p), PCRM_EINVAL,
	             "on:");
	expect_error(pcrm_tariff_tier_position(t, 1, DAY(2026, 1, 1), D("-1"), &p), PCRM_EINVAL,
	             "energy: negative");
	expect_error(pcrm_tariff_tier_position(t, 1, DAY(2026, 1, 1), D("1.0000001"), &p),
	             PCRM_EINVAL, "energy");
	expect_error(pcrm_tariff_tier_position(NULL, 1, DAY(2026, 1, 1), D("1"), &p), PCRM_EINVAL,
	             "tariff");
	cr_assert_eq(p.tier, 9);
	p.version = 0;
	expect_error(pcrm_tariff_tier_position(t, 1, DAY(2026, 1, 1), D("1"), &p), PCRM_EINVAL,
	             "PCRM_TIER_POSITION_INIT");
	cr_assert_eq(p.tier, 9);
	pcrm_tariff_free(t);
}

Test(tier_position, the_next_bill_bills_its_first_kwh_in_the_tier_named)
{
	static const char *const energies[] = { "0", "1", "2159", "2159.999999", "2160", "2160.000001", "2399",
		                                "2400", "2760", "4199", "4200", "4800", "5400",
		                                "5400.5", "9000" };
	static const int households[] = { 1, 5 };
	static const int months[] = { 2, 7, 11 };
	pcrm_tariff *t = load_tariff(annual);
	pcrm_usage *u = NULL;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_total(u, D("0.000001")), PCRM_OK);
	for (size_t h = 0; h < 2; h++)
		for (size_t m = 0; m < 3; m++)
			for (size_t e = 0; e < sizeof(energies) / sizeof(energies[0]); e++) {
				pcrm_date on = DAY(2026, months[m], 1);
				pcrm_tier_position p = position_ok(t, households[h], on, energies[e]);
				pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
				pcrm_bill *b;
				int tier = 0;

				c.household_size = households[h];
				c.ytd_kwh = D(energies[e]);
				b = bill_ok(t, &c, on, DAY(2026, months[m], 28), u);
				for (size_t i = 0; i < pcrm_bill_line_count(b); i++)
					if (pcrm_bill_line_at(b, i)->kind == PCRM_LINE_ENERGY)
						tier = pcrm_bill_line_at(b, i)->tier;
				cr_assert_eq(tier, p.tier, "%s kWh, household %d, month %d: bill tier %d, "
				             "position %d", energies[e], households[h], months[m], tier,
				             p.tier);
				pcrm_bill_free(b);
			}
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
