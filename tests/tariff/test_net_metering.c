/*
 * Net metering and net billing: exports as registers and as intervals, the
 * per-period netting, the sell prices, the credit that offsets the energy
 * charges and is carried to the next bill.  Expected amounts are worked out
 * by hand in the comments.
 */
#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-01-01\",\"currency\":\"USD\"," \
             "\"rounding\":\"half_even\",\"utc_offset\":\"+00:00\""
#define TOU "\"tou\":{\"periods\":[\"peak\",\"off_peak\"],\"seasons\":[{\"months\":[1,2,3,4,5,6," \
            "7,8,9,10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"16:00\",\"period\":" \
            "\"off_peak\"},{\"from\":\"16:00\",\"to\":\"21:00\",\"period\":\"peak\"},{\"from\":" \
            "\"21:00\",\"to\":\"24:00\",\"period\":\"off_peak\"}]}]}"
#define CUSTOMER_CHARGE ",\"fixed_charges\":[{\"code\":\"customer\",\"name\":\"Customer charge\"," \
                        "\"amount\":\"10.00\"}]"

#define FLAT_NEM "{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.20\"}]}}" \
                 CUSTOMER_CHARGE ",\"net_metering\":{\"mode\":\"net_metering\",\"sell_price\":\"0.05\"}}"
#define FLAT_NEB "{" HEAD ",\"energy\":{\"price\":\"0.20\"}" CUSTOMER_CHARGE \
                 ",\"net_metering\":{\"mode\":\"net_billing\",\"sell_price\":\"0.05\"}}"
#define TOU_NEM "{" HEAD "," TOU ",\"energy\":{\"prices\":{\"peak\":\"0.30\",\"off_peak\":\"0.12\"}}," \
                "\"net_metering\":{\"mode\":\"net_metering\",\"sell_prices\":{\"peak\":\"0.25\"," \
                "\"off_peak\":\"0.08\"}}}"

static pcrm_bill *compute(const pcrm_tariff *t, const pcrm_usage *u)
{
	return bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
}

static pcrm_usage *flat(const char *imported, const char *exported, const char *brought)
{
	pcrm_usage *u = NULL;
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_total(u, D(imported)), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_total(u, D(exported)), PCRM_OK, "%s", pcrm_error_last());
	if (brought)
		cr_assert_eq(pcrm_usage_set_credit_brought_forward(u, D(brought)), PCRM_OK);
	return u;
}

static void assert_line(const pcrm_bill *b, const char *code, const char *period,
                        const char *qty, const char *price, const char *amount)
{
	assert_bill_line(b, code, period, 0, qty, price, amount);
}

static pcrm_time at(int day, int hour, int minute)
{
	pcrm_civil c = { 2026, 7, day, hour, minute, 0 };
	pcrm_time t;
	cr_assert_eq(pcrm_time_from_civil(&c, 0, &t), PCRM_OK);
	return t;
}

Test(net_metering, excess_is_credited_at_the_sell_price_and_carried_to_the_next_bill)
{
	pcrm_tariff *t = load_tariff(FLAT_NEM);
	pcrm_usage *u = flat("300", "500", NULL);
	pcrm_bill *b = compute(t, u);
	char json[2048];

	/*
	 * Net -200 kWh: no energy charge, 200 x 0.05 = 10.00 credited; no energy
	 * charge to offset, so all of it is taken back and carried forward.  The
	 * customer charge stays: total 10.00.
	 */
	cr_assert_null(find_line(b, "energy", NULL, 0));
	assert_line(b, "export_credit", NULL, "200", "-0.05", "-10.00");
	assert_line(b, "credit_carried_forward", NULL, "1", "10.00", "10.00");
	assert_dec(pcrm_bill_credit_carried_forward(b), "10.00");
	assert_dec(pcrm_bill_total(b), "10.00");
	assert_dec(pcrm_bill_energy(b), "0");
	cr_assert_eq(pcrm_bill_to_json(b, json, sizeof(json)), PCRM_OK);
	cr_assert(strncmp(json, "{\"credit_carried_forward\":\"10.00\",\"currency\":\"USD\"", 50) == 0,
	          "%s", json);
	pcrm_bill_free(b);
	pcrm_usage_free(u);

	/* next month: 400 in, 100 out, 10.00 brought: 300 x 0.20 = 60.00 - 10.00 + 10.00 = 60.00 */
	u = flat("400", "100", "10.00");
	b = compute(t, u);
	assert_line(b, "energy", NULL, "300", "0.20", "60.00");
	assert_line(b, "credit_brought_forward", NULL, "1", "-10.00", "-10.00");
	cr_assert_null(find_line(b, "export_credit", NULL, 0), "net import: nothing to credit");
	cr_assert_null(find_line(b, "credit_carried_forward", NULL, 0));
	assert_dec(pcrm_bill_credit_carried_forward(b), "0.00");
	assert_dec(pcrm_bill_total(b), "60.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);

	/* a brought credit larger than the energy charge: 20 x 0.20 = 4.00, 10.00 brought, 6.00 carried */
	u = flat("30", "10", "10.00");
	b = compute(t, u);
	assert_dec(pcrm_bill_credit_carried_forward(b), "6.00");
	assert_dec(pcrm_bill_total(b), "10.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(net_metering, periods_are_netted_one_by_one_and_credits_cross_periods)
{
	pcrm_tariff *t = load_tariff(TOU_NEM);
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "peak", D("100")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "off_peak", D("300")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "peak", D("250")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "off_peak", D("50")), PCRM_OK);
	b = compute(t, u);
	/*
	 * Peak nets to -150: 150 x 0.25 = 37.50 credited; off-peak nets to 250:
	 * 250 x 0.12 = 30.00.  The credit covers the 30.00, 7.50 is carried.
	 */
	cr_assert_null(find_line(b, "energy", "peak", 0));
	assert_line(b, "energy", "off_peak", "250", "0.12", "30.00");
	assert_line(b, "export_credit", "peak", "150", "-0.25", "-37.50");
	assert_line(b, "credit_carried_forward", NULL, "1", "7.50", "7.50");
	assert_dec(pcrm_bill_total(b), "0.00");
	assert_dec(pcrm_bill_energy(b), "250");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(net_metering, net_billing_bills_every_import_and_credits_every_export)
{
	pcrm_tariff *t = load_tariff(FLAT_NEB);
	pcrm_usage *u = flat("300", "500", NULL);
	pcrm_bill *b = compute(t, u);

	/* 300 x 0.20 = 60.00, 500 x 0.05 = -25.00, customer 10.00: 45.00 */
	assert_line(b, "energy", NULL, "300", "0.20", "60.00");
	assert_line(b, "export_credit", NULL, "500", "-0.05", "-25.00");
	cr_assert_null(find_line(b, "credit_carried_forward", NULL, 0));
	assert_dec(pcrm_bill_total(b), "45.00");
	assert_dec(pcrm_bill_energy(b), "300");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* 1,500 out: 75.00 credited against 60.00 of energy, 15.00 carried; total 10.00 */
	u = flat("300", "1500", NULL);
	b = compute(t, u);
	assert_dec(pcrm_bill_credit_carried_forward(b), "15.00");
	assert_dec(pcrm_bill_total(b), "10.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(net_metering, export_intervals_go_to_the_period_of_their_start)
{
	pcrm_tariff *t = load_tariff(TOU_NEM);
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	/* 1 kWh each hour of 1 July: 5 in peak (16-21), 19 off peak */
	for (int h = 0; h < 24; h++)
		cr_assert_eq(pcrm_usage_add_interval(u, at(1, h, 0), 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(1, 12, 0), 1800, D("2")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(1, 12, 30), 1800, D("2")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(1, 17, 0), 900, D("3")), PCRM_OK);
	b = compute(t, u);
	/* peak 5 - 3 = 2 x 0.30 = 0.60; off-peak 19 - 4 = 15 x 0.12 = 1.80 */
	assert_line(b, "energy", "peak", "2", "0.30", "0.60");
	assert_line(b, "energy", "off_peak", "15", "0.12", "1.80");
	cr_assert_null(find_line(b, "export_credit", NULL, 0));
	assert_dec(pcrm_bill_total(b), "2.40");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(net_metering, bad_exports_are_refused_with_the_field_named)
{
	pcrm_tariff *nem = load_tariff(TOU_NEM);
	pcrm_tariff *plain = load_data_tariff("cn-gd-guangzhou-residential");
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	expect_error(pcrm_usage_set_export_total(u, D("-1")), PCRM_EINVAL,
	             "usage.export_total: negative");
	expect_error(pcrm_usage_add_export_interval(u, at(1, 0, 0), 1200, D("1")), PCRM_EINVAL,
	             "usage.export_intervals[0].seconds: 1200");
	expect_error(pcrm_usage_set_credit_brought_forward(u, D("1.005")), PCRM_EINVAL,
	             "usage.credit_brought_forward");
	cr_assert_eq(pcrm_usage_set_total(u, D("10")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_total(u, D("5")), PCRM_OK);
	expect_error(pcrm_usage_set_export_period(u, "peak", D("1")), PCRM_EINVAL,
	             "usage.export_periods: the usage already has an export total");
	/* a tariff without net_metering cannot credit exports */
	expect_error(pcrm_bill_compute(plain, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.exports: tariff cn-gd-guangzhou-residential has no "
	             "net_metering section");
	cr_assert_null(b);
	/* a TOU tariff needs the exports per period */
	pcrm_usage_free(u);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "peak", D("10")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_total(u, D("5")), PCRM_OK);
	expect_error(pcrm_bill_compute(nem, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.export_total: tariff t has 2 time-of-use periods");
	pcrm_usage_free(u);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "shoulder", D("5")), PCRM_OK);
	expect_error(pcrm_bill_compute(nem, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.export_periods.shoulder: not a period of tariff t");
	pcrm_usage_free(u);
	/* export intervals: overlap, outside the period */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(2, 10, 0), 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(2, 10, 30), 1800, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(nem, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.export_intervals[1]: overlaps an earlier export interval");
	pcrm_usage_free(u);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, at(1, 10, 0), 3600, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(nem, NULL, DAY(2026, 7, 2), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.export_intervals[0].start: 2026-07-01 10:00 is outside");
	pcrm_usage_free(u);
	pcrm_tariff_free(nem);
	pcrm_tariff_free(plain);
}

Test(net_metering, bad_sections_are_refused)
{
	pcrm_tariff *t = NULL;

	expect_error(pcrm_tariff_load(&t, "{" HEAD ",\"energy\":{\"price\":\"0.2\"},\"net_metering\":"
	                              "{\"mode\":\"buy_all_sell_all\",\"sell_price\":\"0.1\"}}"),
	             PCRM_EINVAL, "net_metering.mode: expected \"net_metering\"");
	expect_error(pcrm_tariff_load(&t, "{" HEAD ",\"energy\":{\"price\":\"0.2\"},\"net_metering\":"
	                              "{\"mode\":\"net_billing\"}}"),
	             PCRM_EINVAL, "net_metering: give exactly one of \"sell_price\"");
	expect_error(pcrm_tariff_load(&t, "{" HEAD "," TOU ",\"energy\":{\"prices\":{\"peak\":\"0.3\","
	                              "\"off_peak\":\"0.1\"}},\"net_metering\":{\"mode\":"
	                              "\"net_billing\",\"sell_prices\":{\"peak\":\"0.1\"}}}"),
	             PCRM_EINVAL, "net_metering.sell_prices.off_peak");
	expect_error(pcrm_tariff_load(&t, "{" HEAD ",\"energy\":{\"price\":\"0.2\"},\"net_metering\":"
	                              "{\"mode\":\"net_billing\",\"sell_price\":\"-0.1\"}}"),
	             PCRM_EINVAL, "net_metering.sell_price: \"-0.1\" is negative");
	cr_assert_null(t);
}

/* The example of docs/tariff-format.md (data/tariffs/us-residential-tou-tiers-nem.json). */
Test(net_metering, residential_tou_tiers_nem_example)
{
	pcrm_tariff *t = load_data_tariff("us-residential-tou-tiers-nem");
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "summer_peak", D("200")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "summer_off_peak", D("700")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "summer_peak", D("20")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "summer_off_peak", D("180")), PCRM_OK);
	b = compute(t, u);
	/*
	 * July: net 180 peak + 520 off-peak = 700 kWh; baseline 13 x 31 = 403
	 * kWh in tier 1, 297 in tier 2.  Peak: 403 x 180/700 = 103.628571 x
	 * 0.432 = 44.7675... -> 44.77, 297 x 180/700 = 76.371429 x 0.512 =
	 * 39.1021... -> 39.10.  Off-peak: 299.371429 x 0.312 = 93.4038... ->
	 * 93.40, 220.628571 x 0.392 = 86.4864 -> 86.49.  Energy 263.76, base
	 * services 12.00: 275.76.
	 */
	assert_line(b, "energy", "summer_peak", "103.628571", "0.432", "44.77");
	cr_assert_eq(find_line(b, "energy", "summer_peak", 2)->amount.units, 3910);
	assert_dec(find_line(b, "energy", "summer_off_peak", 1)->amount, "93.40");
	assert_dec(find_line(b, "energy", "summer_off_peak", 2)->quantity, "220.628571");
	assert_dec(find_line(b, "energy", "summer_off_peak", 2)->amount, "86.49");
	assert_dec(pcrm_bill_total(b), "275.76");
	pcrm_bill_free(b);
	pcrm_usage_free(u);

	/* April: peak 60 - 10 = 50 x 0.35 = 17.50; off-peak 200 - 900: 700 x 0.03 = 21.00 credited */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "winter_peak", D("60")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "winter_off_peak", D("200")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "winter_peak", D("10")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "winter_off_peak", D("900")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 4, 1), DAY(2026, 4, 30), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_total_is_sum(b);
	/* 17.50 - 21.00 + 3.50 carried + 12.00 = 12.00 */
	assert_line(b, "energy", "winter_peak", "50", "0.35", "17.50");
	assert_line(b, "export_credit", "winter_off_peak", "700", "-0.03", "-21.00");
	assert_dec(pcrm_bill_credit_carried_forward(b), "3.50");
	assert_dec(pcrm_bill_total(b), "12.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
