/*
 * Bills: the worked examples of docs/tariff-format.md checked by hand, every
 * rule (tiers, TOU x tiers, seasonal and large-household thresholds,
 * low-income allowance, basic charges with excess and proration, power
 * factor, funds, fixed and minimum charges), the late-payment penalty, the
 * JSON form, the rejections, and a property test over random tariffs.
 */
#include <jansson.h>

#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":3,\"effective_from\":\"2026-01-01\",\"currency\":\"CNY\"," \
             "\"rounding\":\"half_up\""

static pcrm_usage *usage_total(const char *kwh)
{
	pcrm_usage *u = NULL;
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_total(u, D(kwh)), PCRM_OK, "%s", pcrm_error_last());
	return u;
}

/* A usage with the energy of one or two TOU periods (p2 may be NULL). */
static pcrm_usage *usage_periods(const char *p1, const char *k1, const char *p2, const char *k2)
{
	pcrm_usage *u = NULL;
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, p1, D(k1)), PCRM_OK, "%s", pcrm_error_last());
	if (p2)
		cr_assert_eq(pcrm_usage_set_period(u, p2, D(k2)), PCRM_OK, "%s", pcrm_error_last());
	return u;
}

/* ---- tiers ---- */

Test(bill, guangzhou_600_kwh_in_july_is_370_40)
{
	pcrm_tariff *t = load_data_tariff("cn-gd-guangzhou-residential");
	pcrm_usage *u = usage_total("600");
	pcrm_bill *b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	cr_assert_eq(pcrm_bill_line_count(b), 2);
	assert_bill_line(b, "energy", NULL, 1, "260", "0.589", "153.14");
	assert_bill_line(b, "energy", NULL, 2, "340", "0.639", "217.26");
	assert_dec(pcrm_bill_total(b), "370.40");
	assert_dec(pcrm_bill_energy(b), "600");
	cr_assert_str_eq(pcrm_bill_tariff_id(b), "cn-gd-guangzhou-residential");
	cr_assert_eq(pcrm_bill_tariff_version(b), 1);
	cr_assert_eq(pcrm_date_to_days(pcrm_bill_period_start(b)), pcrm_date_to_days(DAY(2026, 7, 1)));
	cr_assert_eq(pcrm_date_to_days(pcrm_bill_period_end(b)), pcrm_date_to_days(DAY(2026, 7, 31)));
	pcrm_bill_free(b);
	cr_assert_eq(pcrm_bill_period_start(NULL).year, 0);
	cr_assert_eq(pcrm_bill_period_end(NULL).month, 0);

	/* January: thresholds 200 / 400, all three tiers */
	b = bill_ok(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u);
	assert_bill_line(b, "energy", NULL, 1, "200", "0.589", "117.80");
	assert_bill_line(b, "energy", NULL, 2, "200", "0.639", "127.80");
	assert_bill_line(b, "energy", NULL, 3, "200", "0.889", "177.80");
	assert_dec(pcrm_bill_total(b), "423.40");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, tou_periods_share_tiers_proportionally)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	u = usage_periods("peak", "400", "valley", "200");
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/* 600 kWh in July: tier 1 260, tier 2 340; peak holds 2/3 of each, valley 1/3 */
	assert_bill_line(b, "energy", "peak", 1, "173.333333", "0.5683", "98.51");   /* 98.505333 */
	assert_bill_line(b, "energy", "peak", 2, "226.666667", "0.6183", "140.15");  /* 140.148 */
	assert_bill_line(b, "energy", "valley", 1, "86.666667", "0.2883", "24.99");  /* 24.986 */
	assert_bill_line(b, "energy", "valley", 2, "113.333333", "0.3383", "38.34"); /* 38.340667 */
	assert_bill_line(b, "fund", NULL, 0, "600", "0.0062", "3.72");
	assert_dec(find_line(b, "fund", NULL, 0)[0].amount, "3.72");
	cr_assert_str_eq(find_line(b, "fund", NULL, 0)->item, "reservoir");
	assert_dec(pcrm_bill_total(b), "306.31");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, large_households_get_raised_thresholds)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	u = usage_periods("peak", "600", NULL, NULL);
	c.household_size = 5;
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/* July 260 / 600 raised by 100 each: 360 / 700 */
	assert_bill_line(b, "energy", "peak", 1, "360", "0.5683", "204.59");
	assert_bill_line(b, "energy", "peak", 2, "240", "0.6183", "148.39");
	assert_dec(pcrm_bill_total(b), "357.30");
	pcrm_bill_free(b);
	c.household_size = 4;
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "energy", "peak", 1, "260", "0.5683", "147.76");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, low_income_free_allowance)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	u = usage_periods("peak", "100", NULL, NULL);
	c.low_income = 1;
	b = bill_ok(t, &c, DAY(2026, 1, 1), DAY(2026, 1, 31), u);
	assert_bill_line(b, "energy", "peak", 1, "100", "0.5683", "56.83");
	assert_bill_line(b, "low_income_allowance", NULL, 0, "15", "-0.5283", "-7.92"); /* -7.9245 */
	assert_dec(pcrm_bill_total(b), "49.63"); /* 56.83 - 7.92 + 0.62 + 0.10 */
	pcrm_bill_free(b);
	/* less than the allowance: only what was used is free */
	cr_assert_eq(pcrm_usage_set_period(u, "peak", D("10")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 1, 1), DAY(2026, 1, 31), u);
	assert_bill_line(b, "low_income_allowance", NULL, 0, "10", "-0.5283", "-5.28");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, annual_cumulative_tiers_start_where_the_year_stands)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tier_basis\":"
	                             "\"annual\",\"tiers\":[{\"max\":\"2160\",\"surcharge\":\"0\"},"
	                             "{\"max\":\"4200\",\"surcharge\":\"0.05\"},{\"surcharge\":"
	                             "\"0.3\"}]}}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("300");
	pcrm_bill *b;

	c.ytd_kwh = D("2000");
	b = bill_ok(t, &c, DAY(2026, 6, 1), DAY(2026, 6, 30), u);
	assert_bill_line(b, "energy", NULL, 1, "160", "0.50", "80.00");
	assert_bill_line(b, "energy", NULL, 2, "140", "0.55", "77.00");
	assert_dec(pcrm_bill_total(b), "157.00");
	pcrm_bill_free(b);
	c.ytd_kwh = D("4100");
	b = bill_ok(t, &c, DAY(2026, 11, 1), DAY(2026, 11, 30), u);
	assert_bill_line(b, "energy", NULL, 2, "100", "0.55", "55.00");
	assert_bill_line(b, "energy", NULL, 3, "200", "0.80", "160.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, daily_thresholds_scale_with_the_days)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"1\",\"tier_basis\":"
	                             "\"daily\",\"tiers\":[{\"max\":\"10\",\"surcharge\":\"0\"},"
	                             "{\"max\":\"20\",\"surcharge\":\"0.1\"},{\"surcharge\":"
	                             "\"0.2\"}]}}");
	pcrm_usage *u = usage_total("400");
	pcrm_bill *b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	/* 31 days: 310 / 620 */
	assert_bill_line(b, "energy", NULL, 1, "310", "1.00", "310.00");
	assert_bill_line(b, "energy", NULL, 2, "90", "1.10", "99.00");
	assert_dec(pcrm_bill_total(b), "409.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	u = usage_total("150");
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 10), u);
	assert_dec(pcrm_bill_total(b), "155.00"); /* 100 x 1 + 50 x 1.1 */
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, tier_prices_instead_of_surcharges)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"tiers\":[{\"max\":\"260\",\"price\":"
	                             "\"0.589\"},{\"max\":\"600\",\"price\":\"0.639\"},{\"price\":"
	                             "\"0.889\"}]}}");
	pcrm_usage *u = usage_total("700");
	pcrm_bill *b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	assert_dec(pcrm_bill_total(b), "459.30"); /* 153.14 + 217.26 + 88.90 */
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- two-part tariff and power factor ---- */

#define TWO_PART "{" HEAD ",\"energy\":{\"price\":\"0.5\"},\"basic\":{\"kind\":\"capacity\"," \
                 "\"price\":\"25\"},\"power_factor_adjustment\":true,\"funds\":[{\"code\":\"f\"," \
                 "\"name\":\"fund\",\"price\":\"0.01\"}]}"

Test(bill, power_factor_086_against_090_adds_two_percent)
{
	pcrm_tariff *t = load_tariff(TWO_PART);
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("300000");
	pcrm_decimal pf;
	pcrm_bill *b;

	c.contract_capacity_kva = D("2000");
	c.pf_standard = 90;
	cr_assert_eq(pcrm_usage_set_reactive(u, D("178000")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "energy", NULL, 0, "300000", "0.50", "150000.00");
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "50000.00");
	/* basic + energy 200,000.00 at PF 0.86 against 0.90: +2 % = 4,000.00; funds excluded */
	assert_bill_line(b, "power_factor_adjustment", NULL, 0, "200000.00", "0.02", "4000.00");
	assert_bill_line(b, "fund", NULL, 0, "300000", "0.01", "3000.00");
	assert_dec(pcrm_bill_total(b), "207000.00");
	cr_assert_eq(pcrm_bill_power_factor(b, &pf), PCRM_OK);
	assert_dec(pf, "0.86");
	pcrm_bill_free(b);

	/* a good power factor earns a reduction: 0.96 against 0.90 is -0.75 % */
	cr_assert_eq(pcrm_usage_set_reactive(u, D("87500")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "power_factor_adjustment", NULL, 0, "200000.00", "-0.0075", "-1500.00");
	pcrm_bill_free(b);

	/* no standard for this customer: no adjustment */
	c.pf_standard = 0;
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	cr_assert_null(find_line(b, "power_factor_adjustment", NULL, 0));
	expect_error(pcrm_bill_power_factor(b, &pf), PCRM_ENOTFOUND, "no power-factor");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, partial_month_basic_charge_is_prorated_per_started_day)
{
	pcrm_tariff *t = load_tariff(TWO_PART);
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("0");
	pcrm_bill *b;

	c.contract_capacity_kva = D("2000");
	b = bill_ok(t, &c, DAY(2026, 7, 10), DAY(2026, 7, 31), u);
	/* 50,000.00 a month x 22 / 30 = 36,666.666... */
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "36666.67");
	cr_assert_eq(find_line(b, "basic_capacity", NULL, 0)->prorate_days, 22);
	pcrm_bill_free(b);
	b = bill_ok(t, &c, DAY(2026, 2, 1), DAY(2026, 2, 28), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "50000.00");
	cr_assert_eq(find_line(b, "basic_capacity", NULL, 0)->prorate_days, 0);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, contract_demand_mode_bills_the_contract_and_doubles_above_105_percent)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"},\"basic\":{\"kind\":"
	                             "\"demand\",\"price\":\"40\"}}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("0");
	pcrm_bill *b;

	c.contract_demand_kw = D("1000");
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("1100")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/* the contract 1,000 kW x 40 = 40,000.00; 1,100 - 1,050 = 50 kW x 80 = 4,000.00 */
	assert_bill_line(b, "basic_contract_demand", NULL, 0, "1000", "40.00", "40000.00");
	assert_bill_line(b, "basic_contract_demand_excess", NULL, 0, "50", "80.00", "4000.00");
	cr_assert_eq(find_line(b, "basic_contract_demand", NULL, 0)->kind,
	             PCRM_LINE_BASIC_CONTRACT_DEMAND);
	assert_dec(pcrm_bill_total(b), "44000.00");
	pcrm_bill_free(b);
	/* within 105 %: the contract, no excess line */
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("1050")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	cr_assert_null(find_line(b, "basic_contract_demand_excess", NULL, 0));
	assert_dec(pcrm_bill_total(b), "40000.00");
	pcrm_bill_free(b);
	/* 800 kW measured against 1,000 kW contracted: the contract, 40,000.00 (not 800 x 40) */
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("800")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_contract_demand", NULL, 0, "1000", "40.00", "40000.00");
	assert_dec(pcrm_bill_total(b), "40000.00");
	pcrm_bill_free(b);
	/* without a contract the older "kind": "demand" bills the actual maximum demand */
	c.contract_demand_kw = D("0");
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_actual_demand", NULL, 0, "800", "40.00", "32000.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, power_factor_is_exact_and_rounded_half_up)
{
	pcrm_decimal pf;

	cr_assert_eq(pcrm_power_factor(D("3"), D("4"), &pf), PCRM_OK);
	assert_dec(pf, "0.60");
	cr_assert_eq(pcrm_power_factor(D("1"), D("1"), &pf), PCRM_OK);
	assert_dec(pf, "0.71"); /* 0.7071 */
	cr_assert_eq(pcrm_power_factor(D("100"), D("0"), &pf), PCRM_OK);
	assert_dec(pf, "1.00");
	cr_assert_eq(pcrm_power_factor(D("0"), D("5"), &pf), PCRM_OK);
	assert_dec(pf, "0.00");
	/* 0.845 exactly: P = 0.845, Q^2 = 1 - 0.714025 = 0.285975 -> Q is irrational; use
	 * P = 169, Q = sqrt(200^2 - 169^2) = sqrt(11439) ~ 106.9532: PF just above or below .845 */
	cr_assert_eq(pcrm_power_factor(D("169"), D("106.9532"), &pf), PCRM_OK);
	assert_dec(pf, "0.85"); /* 169 / 200.00000... with Q slightly low -> PF slightly above .845 */
	cr_assert_eq(pcrm_power_factor(D("169"), D("106.9533"), &pf), PCRM_OK);
	assert_dec(pf, "0.84");
	expect_error(pcrm_power_factor(D("0"), D("0"), &pf), PCRM_EINVAL, "undefined");
	expect_error(pcrm_power_factor(D("-1"), D("0"), &pf), PCRM_EINVAL, "negative");
	expect_error(pcrm_power_factor(D("100000000000"), D("0"), &pf), PCRM_EOVERFLOW, "too large");
}

Test(bill, power_factor_table_of_1983)
{
	static const struct { const char *pf; int std; const char *rate; } rows[] = {
		{ "0.90", 90, "0" }, { "0.91", 90, "-0.0015" }, { "0.94", 90, "-0.006" },
		{ "0.95", 90, "-0.0075" }, { "1.00", 90, "-0.0075" }, { "0.89", 90, "0.005" },
		{ "0.86", 90, "0.02" }, { "0.70", 90, "0.1" }, { "0.69", 90, "0.11" },
		{ "0.65", 90, "0.15" }, { "0.64", 90, "0.17" }, { "0.30", 90, "0.85" },
		{ "0.85", 85, "0" }, { "0.90", 85, "-0.005" }, { "0.91", 85, "-0.0065" },
		{ "0.93", 85, "-0.0095" }, { "0.94", 85, "-0.011" }, { "0.66", 85, "0.095" },
		{ "0.65", 85, "0.1" }, { "0.60", 85, "0.15" }, { "0.59", 85, "0.17" },
		{ "0.30", 85, "0.75" }, { "0.80", 80, "0" }, { "0.90", 80, "-0.01" },
		{ "0.91", 80, "-0.0115" }, { "0.92", 80, "-0.013" }, { "0.99", 80, "-0.013" },
		{ "0.66", 80, "0.07" }, { "0.60", 80, "0.1" }, { "0.55", 80, "0.15" },
		{ "0.54", 80, "0.17" }, { "0.30", 80, "0.65" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pcrm_decimal r;
		cr_assert_eq(pcrm_power_factor_rate(D(rows[i].pf), rows[i].std, &r), PCRM_OK);
		cr_assert_eq(pcrm_decimal_cmp(r, D(rows[i].rate)), 0, "pf %s std %d", rows[i].pf,
		             rows[i].std);
	}
	pcrm_decimal r;
	expect_error(pcrm_power_factor_rate(D("0.9"), 95, &r), PCRM_EINVAL, "standard 95");
	expect_error(pcrm_power_factor_rate(D("1.01"), 90, &r), PCRM_EINVAL, "outside 0..1");
	expect_error(pcrm_power_factor_rate(D("0.905"), 90, &r), PCRM_EINVAL, "digits");
}

/* ---- fixed and minimum charges ---- */

Test(bill, fixed_charge_and_monthly_minimum)
{
	pcrm_tariff *t = load_data_tariff("us-commercial-tou-demand");
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	u = usage_periods("winter_off_peak", "10", NULL, NULL);
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("2")), PCRM_OK);
	b = bill_ok(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u);
	assert_bill_line(b, "energy", "winter_off_peak", 0, "10", "0.19713", "1.97"); /* half even */
	assert_bill_line(b, "demand_flat", NULL, 0, "2", "15.00", "30.00");
	cr_assert_null(find_line(b, "demand_tou", NULL, 0), "no energy in a peak period");
	assert_bill_line(b, "fixed_charge", NULL, 0, "1", "32.85", "32.85");
	cr_assert_null(find_line(b, "minimum_monthly", NULL, 0));
	assert_dec(pcrm_bill_total(b), "64.82");
	pcrm_bill_free(b);
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("0")), PCRM_OK);
	b = bill_ok(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u);
	/* 1.97 + 0 + 32.85 = 34.82: topped up to 50.00 */
	assert_bill_line(b, "minimum_monthly", NULL, 0, "1", "15.18", "15.18");
	assert_dec(pcrm_bill_total(b), "50.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, demand_charges_flat_by_month_and_by_tou_period)
{
	pcrm_tariff *t = load_data_tariff("us-commercial-tou-demand");
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	u = usage_periods("summer_peak", "100", "summer_off_peak", "400");
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("20")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.period_demand.summer_peak: tariff us-commercial-tou-demand "
	             "charges demand by TOU period");
	cr_assert_eq(pcrm_usage_set_period_demand(u, "summer_peak", D("15")), PCRM_OK);
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "energy", "summer_peak", 0, "100", "0.38542", "38.54");
	assert_bill_line(b, "energy", "summer_off_peak", 0, "400", "0.21335", "85.34");
	assert_bill_line(b, "demand_flat", NULL, 0, "20", "19.75", "395.00");
	assert_bill_line(b, "demand_tou", "summer_peak", 0, "15", "12.50", "187.50");
	assert_dec(pcrm_bill_total(b), "739.23"); /* + 32.85 customer charge */
	pcrm_bill_free(b);
	cr_assert_eq(pcrm_usage_set_period_demand(u, "mid_peak", D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.period_demand.mid_peak: not a period of tariff");
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(bill, annual_minimum_on_the_closing_bill)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"1\"},\"funds\":[{\"code\":"
	                             "\"f\",\"name\":\"F\",\"price\":\"0.1\"}],\"minimum\":"
	                             "{\"annual\":\"1200\"}}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("100");
	pcrm_bill *b;

	c.ytd_amount = D("1000");
	b = bill_ok(t, &c, DAY(2026, 12, 1), DAY(2026, 12, 31), u);
	cr_assert_null(find_line(b, "minimum_annual", NULL, 0), "not the closing bill");
	pcrm_bill_free(b);
	c.year_end = 1;
	b = bill_ok(t, &c, DAY(2026, 12, 1), DAY(2026, 12, 31), u);
	/* 1000 + 100 (funds do not count) = 1100: 100 short of 1200 */
	assert_bill_line(b, "minimum_annual", NULL, 0, "1", "100.00", "100.00");
	assert_dec(pcrm_bill_total(b), "210.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- late-payment penalty ---- */

Test(bill, late_fee_examples)
{
	pcrm_decimal fee;

	cr_assert_eq(pcrm_late_fee(D("100.00"), D("0"), 5, 1, &fee), PCRM_OK);
	assert_dec(fee, "1.00"); /* 0.50 is charged as 1 yuan */
	cr_assert_eq(pcrm_late_fee(D("10000.00"), D("0"), 10, 0, &fee), PCRM_OK);
	assert_dec(fee, "200.00");
	cr_assert_eq(pcrm_late_fee(D("10000.00"), D("5000.00"), 10, 0, &fee), PCRM_OK);
	assert_dec(fee, "350.00"); /* 200 + 5000 x 3 per mille x 10 */
	cr_assert_eq(pcrm_late_fee(D("10000.00"), D("5000.00"), 10, 1, &fee), PCRM_OK);
	assert_dec(fee, "150.00"); /* residential: 1 per mille on all arrears */
	cr_assert_eq(pcrm_late_fee(D("1234.56"), D("0"), 3, 1, &fee), PCRM_OK);
	assert_dec(fee, "3.70"); /* 3.70368 */
	cr_assert_eq(pcrm_late_fee(D("0"), D("0"), 30, 0, &fee), PCRM_OK);
	assert_dec(fee, "0.00");
	cr_assert_eq(pcrm_late_fee(D("100"), D("0"), 0, 0, &fee), PCRM_OK);
	assert_dec(fee, "0.00");
	expect_error(pcrm_late_fee(D("100"), D("0"), -1, 0, &fee), PCRM_EINVAL, "negative");
	expect_error(pcrm_late_fee(D("-100"), D("0"), 1, 0, &fee), PCRM_EINVAL, "negative");
}

/* ---- JSON ---- */

Test(bill, json_records_tariff_and_lines)
{
	pcrm_tariff *t = load_data_tariff("cn-gd-guangzhou-residential");
	pcrm_usage *u = usage_total("600");
	pcrm_bill *b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	size_t n = pcrm_bill_json_size(b);
	char *buf = malloc(n), small[8];

	/* the bill keeps its tariff: freeing the caller's reference first is fine */
	pcrm_tariff_free(t);
	cr_assert_eq(pcrm_bill_to_json(b, buf, n), PCRM_OK);
	cr_assert(strstr(buf, "\"tariff_id\":\"cn-gd-guangzhou-residential\"") != NULL, "%s", buf);
	cr_assert(strstr(buf, "\"tariff_version\":1") != NULL);
	cr_assert(strstr(buf, "\"total\":\"370.40\"") != NULL);
	cr_assert(strstr(buf, "{\"amount\":\"153.14\",\"code\":\"energy\",\"quantity\":\"260\","
	                      "\"tier\":1,\"unit\":\"kWh\",\"unit_price\":\"0.589\"}") != NULL, "%s",
	          buf);
	expect_error(pcrm_bill_to_json(b, small, sizeof(small)), PCRM_EINVAL, "too small");
	free(buf);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_bill_free(NULL);
}

/* The bill's JSON is exactly what jansson would write (sorted keys, compact, its escapes). */
static void assert_canonical(const pcrm_bill *b)
{
	size_t n = pcrm_bill_json_size(b);
	char *buf = malloc(n), *again;
	json_error_t err;
	json_t *doc;

	cr_assert_eq(pcrm_bill_to_json(b, buf, n), PCRM_OK);
	doc = json_loads(buf, 0, &err);
	cr_assert_not_null(doc, "%s: %s", err.text, buf);
	again = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	cr_assert_str_eq(buf, again);
	free(again);
	json_decref(doc);
	free(buf);
}

Test(bill, json_is_written_as_jansson_writes_it)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"1\"},\"funds\":[{\"code\":"
	                             "\"f-q.1\",\"name\":\"\\\"农网\\\\还贷\\n\\t\\u0001/\\u007f\",\"price\":"
	                             "\"0.1\"}],\"fixed_charges\":[{\"code\":\"meter\",\"name\":\"表\","
	                             "\"amount\":\"2\"}]}");
	pcrm_tariff *two = load_data_tariff("cn-large-industry-two-part");
	pcrm_tariff *tou = load_data_tariff("cn-residential-tiered-tou");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("100");
	pcrm_bill *b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	assert_canonical(b);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* TOU periods, tiers, the low-income allowance */
	u = usage_periods("peak", "180.5", "valley", "240.25");
	c.low_income = 1;
	c.household_size = 5;
	b = bill_ok(tou, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_canonical(b);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* demand, power factor, funds, a partial month */
	u = usage_periods("critical_peak", "20000", "peak", "100000");
	cr_assert_eq(pcrm_usage_set_reactive(u, D("200000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("1200")), PCRM_OK);
	c = (pcrm_bill_customer)PCRM_BILL_CUSTOMER_INIT;
	c.usage_class = "large_industry";
	c.contract_demand_kw = D("1000");
	c.pf_standard = 90;
	b = bill_ok(two, &c, DAY(2026, 7, 10), DAY(2026, 7, 31), u);
	assert_canonical(b);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	pcrm_tariff_free(two);
	pcrm_tariff_free(tou);
}

/* ---- rejections ---- */

Test(bill, rejects_bad_input)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_tariff *two = load_tariff(TWO_PART);
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("100"), *p = NULL;
	pcrm_bill *b = (pcrm_bill *)1;

	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.total: tariff cn-residential-tiered-tou has 2 time-of-use");
	cr_assert_null(b);
	cr_assert_eq(pcrm_usage_new(&p), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(p, "flat", D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), p, NULL, &b),
	             PCRM_EINVAL, "usage.periods.flat: not a period of tariff");
	expect_error(pcrm_bill_compute(t, NULL, DAY(2025, 12, 1), DAY(2025, 12, 31), p, NULL, &b),
	             PCRM_EINVAL, "period.start: 2025-12-01 is before the tariff's effective_from");
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 12, 1), DAY(2027, 1, 31), p, NULL, &b),
	             PCRM_EINVAL, "period.end: 2027-01-31 is after the tariff's effective_to");
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 31), DAY(2026, 7, 1), p, NULL, &b),
	             PCRM_EINVAL, "is not 1..366 days");
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 2, 30), DAY(2026, 3, 1), p, NULL, &b),
	             PCRM_EINVAL, "period.start: not a valid date");
	c.usage_class = "large_industry";
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), p, NULL, &b),
	             PCRM_EINVAL, "customer.usage_class: \"large_industry\" is not the tariff's");
	c.usage_class = NULL;
	c.pf_standard = 95;
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), p, NULL, &b),
	             PCRM_EINVAL, "customer.pf_standard: 95");
	c.pf_standard = 90;
	c.version = 7;
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), p, NULL, &b),
	             PCRM_EINVAL, "customer.version");
	c.version = PCRM_BILL_CUSTOMER_VERSION;
	c.ytd_kwh = D("-1");
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), p, NULL, &b),
	             PCRM_EINVAL, "customer.ytd_kwh: negative");
	c.ytd_kwh = D("0");
	expect_error(pcrm_bill_compute(two, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.contract_capacity_kva: tariff t charges");
	c.contract_capacity_kva = D("100");
	expect_error(pcrm_bill_compute(two, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.reactive: tariff t adjusts for the power factor");
	expect_error(pcrm_bill_compute(NULL, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "tariff is NULL");
	cr_assert_null(b);

	/* usage setters */
	expect_error(pcrm_usage_set_total(p, D("1")), PCRM_EINVAL, "already has period registers");
	expect_error(pcrm_usage_set_period(u, "peak", D("1")), PCRM_EINVAL, "already has a total");
	expect_error(pcrm_usage_set_reactive(u, D("1.0000001")), PCRM_EINVAL, "more than 6 digits");
	expect_error(pcrm_usage_set_max_demand(u, D("-1")), PCRM_EINVAL, "negative");
	expect_error(pcrm_usage_add_interval(u, 0, 3600, D("1")), PCRM_EINVAL, "already has a total");
	expect_error(pcrm_usage_add_interval(u, 0, 700, D("1")), PCRM_EINVAL, "700 is not 300");
	expect_error(pcrm_usage_set_period(p, "", D("1")), PCRM_EINVAL, "1..32 bytes");
	expect_error(pcrm_usage_new(NULL), PCRM_EINVAL, "out is NULL");
	pcrm_usage_free(NULL);

	pcrm_usage_free(u);
	pcrm_usage_free(p);
	pcrm_tariff_free(two);
	pcrm_tariff_free(t);
}

/* ---- every shipped tariff bills ---- */

Test(bill, every_shipped_tariff_bills)
{
	pcrm_tariff *t = load_data_tariff("cn-large-industry-two-part");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = NULL;
	pcrm_decimal pf;
	pcrm_bill *b;

	u = usage_periods("critical_peak", "20000", "peak", "100000");
	cr_assert_eq(pcrm_usage_set_period(u, "flat", D("120000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "valley", D("160000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_reactive(u, D("200000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("1200")), PCRM_OK);
	c.usage_class = "large_industry";
	c.contract_demand_kw = D("1000");
	c.pf_standard = 90;
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/* energy: 22852.00 + 95210.00 + 73512.00 + 47456.00 = 239030.00 */
	assert_bill_line(b, "energy", "critical_peak", 0, "20000", "1.1426", "22852.00");
	assert_bill_line(b, "energy", "valley", 0, "160000", "0.2966", "47456.00");
	/* contract mode: 1000 kW x 38.40 = 38400.00; 1200 - 1050 = 150 kW x 76.80 = 11520.00 */
	assert_bill_line(b, "basic_contract_demand", NULL, 0, "1000", "38.40", "38400.00");
	assert_bill_line(b, "basic_contract_demand_excess", NULL, 0, "150", "76.80", "11520.00");
	/* PF = 400000 / sqrt(400000^2 + 200000^2) = 0.894 -> 0.89: +0.5 % of 288950.00 */
	cr_assert_eq(pcrm_bill_power_factor(b, &pf), PCRM_OK);
	assert_dec(pf, "0.89");
	assert_bill_line(b, "power_factor_adjustment", NULL, 0, "288950.00", "0.005", "1444.75");
	/* funds on 400000 kWh: 787.52 + 2480.00 + 7600.00 */
	assert_bill_line(b, "fund", NULL, 0, "400000", "0.0019688", "787.52");
	/* 288950.00 + 1444.75 + 10867.52 */
	assert_dec(pcrm_bill_total(b), "301262.27");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- property: total = sum of lines; hourly vs 15-minute data agree ---- */

static uint64_t rng = 0x2545F4914F6CDD1Du;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717u) % n;
}

/* A random tariff: 1..4 periods with a random 12 x 24 schedule, 0..4 tiers, funds. */
static pcrm_tariff *random_tariff(void)
{
	static char json[16384];
	size_t n = 0, periods = 1 + rnd(4), tiers = rnd(5);
	static const char *const modes[] = { "half_up", "half_even", "down", "ceiling" };
	unsigned long long max = 0;

	n += (size_t)snprintf(json + n, sizeof(json) - n,
	                      "{\"id\":\"r\",\"version\":1,\"effective_from\":\"2026-01-01\","
	                      "\"currency\":\"CNY\",\"rounding\":\"%s\",\"tou\":{\"periods\":[",
	                      modes[rnd(4)]);
	for (size_t p = 0; p < periods; p++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"p%zu\"", p ? "," : "", p);
	n += (size_t)snprintf(json + n, sizeof(json) - n, "],\"weekday\":[");
	for (int m = 0; m < 12; m++) {
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s[", m ? "," : "");
		for (int h = 0; h < 24; h++)
			n += (size_t)snprintf(json + n, sizeof(json) - n, "%s%d", h ? "," : "",
			                      (int)rnd(periods));
		n += (size_t)snprintf(json + n, sizeof(json) - n, "]");
	}
	n += (size_t)snprintf(json + n, sizeof(json) - n, "]},\"energy\":{\"prices\":{");
	for (size_t p = 0; p < periods; p++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"p%zu\":\"0.%04u\"",
		                      p ? "," : "", p, (unsigned)rnd(10000));
	n += (size_t)snprintf(json + n, sizeof(json) - n, "}");
	if (tiers) {
		n += (size_t)snprintf(json + n, sizeof(json) - n, ",\"tier_basis\":\"%s\",\"tiers\":[",
		                      rnd(2) ? "monthly" : "daily");
		for (size_t i = 0; i < tiers; i++) {
			max += 1 + rnd(300);
			if (i + 1 < tiers)
				n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"max\":\"%llu.%u\","
				                      "\"surcharge\":\"0.%03u\"}", i ? "," : "", max,
				                      (unsigned)rnd(10), (unsigned)rnd(1000));
			else
				n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"surcharge\":"
				                      "\"0.%03u\"}", i ? "," : "", (unsigned)rnd(1000));
		}
		n += (size_t)snprintf(json + n, sizeof(json) - n, "]");
	}
	snprintf(json + n, sizeof(json) - n, "},\"funds\":[{\"code\":\"f\",\"name\":\"F\","
	         "\"price\":\"0.00%u\"}]}", (unsigned)rnd(100));
	return load_tariff(json);
}

Test(bill, property_total_is_sum_and_interval_split_does_not_matter)
{
	const pcrm_civil july = { 2026, 7, 1, 0, 0, 0 };
	pcrm_time month_start;

	cr_assert_eq(pcrm_time_from_civil(&july, PCRM_UTC_OFFSET_CHINA, &month_start), PCRM_OK);
	for (int round = 0; round < 60; round++) {
		pcrm_tariff *t = random_tariff();
		pcrm_usage *hourly = NULL, *quarter = NULL;
		pcrm_bill *a, *b;

		cr_assert_eq(pcrm_usage_new(&hourly), PCRM_OK);
		cr_assert_eq(pcrm_usage_new(&quarter), PCRM_OK);
		for (int h = 0; h < 31 * 24; h++) {
			int64_t wh = (int64_t)rnd(3000), parts[4], left = wh;
			pcrm_time at = month_start + (pcrm_time)h * 3600;
			cr_assert_eq(pcrm_usage_add_interval(hourly, at, 3600, pcrm_decimal_make(wh, 3)),
			             PCRM_OK);
			/* the same hour's energy split unevenly over four quarters */
			for (int q = 0; q < 3; q++) {
				parts[q] = left ? (int64_t)rnd((uint64_t)left + 1) : 0;
				left -= parts[q];
			}
			parts[3] = left;
			for (int q = 0; q < 4; q++)
				cr_assert_eq(pcrm_usage_add_interval(quarter, at + q * 900, 900,
				                                     pcrm_decimal_make(parts[q], 3)), PCRM_OK);
		}
		a = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), hourly);
		b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), quarter);
		cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(a), pcrm_bill_total(b)), 0,
		             "round %d", round);
		cr_assert_eq(pcrm_bill_line_count(a), pcrm_bill_line_count(b));
		pcrm_bill_free(a);
		pcrm_bill_free(b);
		pcrm_usage_free(hourly);
		pcrm_usage_free(quarter);
		pcrm_tariff_free(t);
	}
}

/* ---- rounding modes, negative lines included ---- */

Test(bill, rounding_modes_apply_to_every_line)
{
	static const struct { const char *mode, *energy, *credit; } rows[] = {
		/* energy 20 x 1.50075 = 30.015; credit -15 x 0.5283 = -7.9245 */
		{ "half_up", "30.02", "-7.92" },   { "half_even", "30.02", "-7.92" },
		{ "down", "30.01", "-7.92" },      { "up", "30.02", "-7.93" },
		{ "ceiling", "30.02", "-7.92" },   { "floor", "30.01", "-7.93" },
	};
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_total("20");
	char json[512];

	c.low_income = 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pcrm_tariff *t;
		pcrm_bill *b;
		snprintf(json, sizeof(json), "{\"id\":\"t\",\"version\":1,\"effective_from\":"
		         "\"2026-01-01\",\"currency\":\"CNY\",\"rounding\":\"%s\",\"energy\":{\"price\":"
		         "\"1.50075\",\"low_income\":{\"free_kwh\":\"15\",\"price\":\"0.5283\"}}}",
		         rows[i].mode);
		t = load_tariff(json);
		b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
		assert_dec(find_line(b, "energy", NULL, 0)->amount, rows[i].energy);
		assert_dec(find_line(b, "low_income_allowance", NULL, 0)->amount, rows[i].credit);
		pcrm_bill_free(b);
		pcrm_tariff_free(t);
	}
	pcrm_usage_free(u);
}
