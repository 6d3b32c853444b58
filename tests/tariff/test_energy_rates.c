/*
 * energy.rates: prices and tier maxima per (period, tier), maxima in kWh,
 * kWh per day and kWh per kW; and the 36-period limit.  Every expected
 * amount is worked out by hand in the comment above its assertion (and in
 * docs/tariff-format.md for the examples there).
 */
#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-01-01\",\"currency\":\"USD\"," \
             "\"rounding\":\"half_even\",\"utc_offset\":\"+00:00\""
/* peak 16:00-21:00 every day, off_peak the rest */
#define TOU "\"tou\":{\"periods\":[\"peak\",\"off_peak\"],\"seasons\":[{\"months\":[1,2,3,4,5,6," \
            "7,8,9,10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"16:00\",\"period\":" \
            "\"off_peak\"},{\"from\":\"16:00\",\"to\":\"21:00\",\"period\":\"peak\"},{\"from\":" \
            "\"21:00\",\"to\":\"24:00\",\"period\":\"off_peak\"}]}]}"

static pcrm_bill *compute(const pcrm_tariff *t, pcrm_date s, pcrm_date e, const pcrm_usage *u)
{
	return bill_ok(t, NULL, s, e, u);
}

static pcrm_usage *usage_total(const char *kwh, const char *max_demand)
{
	pcrm_usage *u = NULL;
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_total(u, D(kwh)), PCRM_OK, "%s", pcrm_error_last());
	if (max_demand)
		cr_assert_eq(pcrm_usage_set_max_demand(u, D(max_demand)), PCRM_OK);
	return u;
}

static void assert_line(const pcrm_bill *b, const char *period, int tier, const char *qty,
                        const char *price, const char *amount)
{
	assert_bill_line(b, "energy", period, tier, qty, price, amount);
}

static void assert_bill_fails(const char *json, const pcrm_usage *u, const char *needle)
{
	pcrm_tariff *t = load_tariff(json);
	pcrm_bill *b = NULL;
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, needle);
	cr_assert_null(b);
	pcrm_tariff_free(t);
}

static void assert_load_fails(const char *json, const char *needle)
{
	pcrm_tariff *t = NULL;
	expect_error(pcrm_tariff_load(&t, json), PCRM_EINVAL, needle);
	cr_assert_null(t);
}

/* ---- prices per (period, tier) ---- */

#define PER_PERIOD                                                                          \
	"{" HEAD "," TOU ",\"energy\":{\"rates\":{"                                              \
	"\"peak\":[{\"max\":\"500\",\"price\":\"0.30\"},{\"price\":\"0.40\"}],"                  \
	"\"off_peak\":[{\"max\":\"800\",\"price\":\"0.10\",\"adjustment\":\"0.02\"},"            \
	"{\"price\":\"0.15\",\"adjustment\":\"0.02\"}]}}}"

Test(energy_rates, each_period_has_its_own_tier_maxima_and_prices)
{
	pcrm_tariff *t = load_tariff(PER_PERIOD);
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "peak", D("200")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "off_peak", D("800")), PCRM_OK);
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/*
	 * 1,000 kWh in the month.  Peak's maxima (500): 500 in tier 1, 500 in
	 * tier 2, peak's share 200/1000: 100 x 0.30 = 30.00, 100 x 0.40 = 40.00.
	 * Off-peak's maxima (800): 800 and 200, share 800/1000: 640 x (0.10 +
	 * 0.02) = 76.80, 160 x (0.15 + 0.02) = 27.20.  Total 174.00.
	 */
	assert_line(b, "peak", 1, "100", "0.30", "30.00");
	assert_line(b, "peak", 2, "100", "0.40", "40.00");
	assert_line(b, "off_peak", 1, "640", "0.12", "76.80");
	assert_line(b, "off_peak", 2, "160", "0.17", "27.20");
	cr_assert_eq(pcrm_bill_line_count(b), 4);
	assert_dec(pcrm_bill_total(b), "174.00");
	assert_dec(pcrm_bill_energy(b), "1000");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(energy_rates, a_period_with_one_tier_has_tier_0_and_a_share_not_a_whole_number)
{
	pcrm_tariff *t = load_tariff("{" HEAD "," TOU ",\"energy\":{\"rates\":{"
	                             "\"peak\":[{\"max\":\"300\",\"price\":\"0.30\"},"
	                             "{\"price\":\"0.45\"}],"
	                             "\"off_peak\":[{\"price\":\"0.11\"}]}}}");
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "peak", D("100")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "off_peak", D("350")), PCRM_OK);
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/*
	 * 450 kWh: peak's tiers 300 / 150, share 100/450: 66.666667 kWh (exact
	 * 200/3) x 0.30 = 20.00 exactly, 33.333333 (100/3) x 0.45 = 15.00.
	 * Off-peak one tier: 350 x 0.11 = 38.50, tier 0.  Total 73.50.
	 */
	assert_line(b, "peak", 1, "66.666667", "0.30", "20.00");
	assert_line(b, "peak", 2, "33.333333", "0.45", "15.00");
	assert_line(b, "off_peak", 0, "350", "0.11", "38.50");
	assert_dec(pcrm_bill_total(b), "73.50");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- tier maxima per day and per kW ---- */

#define DAILY                                                                               \
	"{" HEAD ",\"energy\":{\"rates\":{\"all\":["                                             \
	"{\"max\":\"10\",\"max_unit\":\"kWh daily\",\"price\":\"0.10\"},"                        \
	"{\"max\":\"20\",\"max_unit\":\"kWh daily\",\"price\":\"0.15\"},{\"price\":\"0.25\"}]}}}"

Test(energy_rates, kwh_daily_maxima_scale_with_the_days_billed)
{
	pcrm_tariff *t = load_tariff(DAILY);
	pcrm_usage *u = usage_total("700", NULL);
	pcrm_bill *b;

	/* July, 31 days: maxima 310 / 620: 310 x 0.10 + 310 x 0.15 + 80 x 0.25 = 31 + 46.50 + 20 */
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_line(b, NULL, 1, "310", "0.10", "31.00");
	assert_line(b, NULL, 2, "310", "0.15", "46.50");
	assert_line(b, NULL, 3, "80", "0.25", "20.00");
	assert_dec(pcrm_bill_total(b), "97.50");
	pcrm_bill_free(b);
	/* June, 30 days: 300 / 600: 30.00 + 45.00 + 100 x 0.25 = 100.00 */
	b = compute(t, DAY(2026, 6, 1), DAY(2026, 6, 30), u);
	assert_dec(pcrm_bill_total(b), "100.00");
	pcrm_bill_free(b);
	/* 10-31 July, 22 days: 220 / 440: 22.00 + 33.00 + 260 x 0.25 = 65.00: 120.00 */
	b = compute(t, DAY(2026, 7, 10), DAY(2026, 7, 31), u);
	assert_line(b, NULL, 3, "260", "0.25", "65.00");
	assert_dec(pcrm_bill_total(b), "120.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

#define PER_KW                                                                              \
	"{" HEAD ",\"energy\":{\"rates\":{\"all\":["                                             \
	"{\"max\":\"200\",\"max_unit\":\"kWh/kW\",\"price\":\"0.12\"},"                          \
	"{\"max\":\"400\",\"max_unit\":\"kWh/kW\",\"price\":\"0.08\"},{\"price\":\"0.05\"}]}}}"

Test(energy_rates, kwh_per_kw_maxima_use_the_maximum_demand)
{
	pcrm_tariff *t = load_tariff(PER_KW);
	pcrm_usage *u = usage_total("25000", "50");
	pcrm_bill *b;

	/* 50 kW: maxima 10,000 / 20,000: 1,200.00 + 800.00 + 5,000 x 0.05 = 250.00 */
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_line(b, NULL, 1, "10000", "0.12", "1200.00");
	assert_line(b, NULL, 2, "10000", "0.08", "800.00");
	assert_line(b, NULL, 3, "5000", "0.05", "250.00");
	assert_dec(pcrm_bill_total(b), "2250.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* 12.5 kW: 2,500 / 5,000: 300.00 + 200.00 + 20,000 x 0.05 = 1,000.00 */
	u = usage_total("25000", "12.5");
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_dec(pcrm_bill_total(b), "1500.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* 0.0333 kW: 6.66 / 13.32 kWh, exact: 6.66 x 0.12 + 6.66 x 0.08 + 6.68 x 0.05 */
	u = usage_total("20", "0.0333");
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_line(b, NULL, 1, "6.66", "0.12", "0.80");
	assert_line(b, NULL, 2, "6.66", "0.08", "0.53");
	assert_line(b, NULL, 3, "6.68", "0.05", "0.33");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* without a demand the maxima are unknown */
	u = usage_total("25000", NULL);
	assert_bill_fails(PER_KW, u, "usage.max_demand: tariff t has energy tier maxima in kWh per kW");
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(energy_rates, a_maximum_below_the_one_before_it_gives_its_tier_nothing)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"rates\":{\"all\":["
	                             "{\"max\":\"100\",\"max_unit\":\"kWh/kW\",\"price\":\"0.12\"},"
	                             "{\"max\":\"3000\",\"price\":\"0.10\"},"
	                             "{\"price\":\"0.05\"}]}}}");
	pcrm_usage *u = usage_total("6000", "50");
	pcrm_bill *b;

	/* 50 kW: 5,000 then 3,000 (raised to 5,000): 5,000 x 0.12 + 1,000 x 0.05 = 650.00 */
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	cr_assert_null(find_line(b, "energy", NULL, 2));
	assert_line(b, NULL, 3, "1000", "0.05", "50.00");
	assert_dec(pcrm_bill_total(b), "650.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* 20 kW: 2,000 / 3,000: 240.00 + 100.00 + 3,000 x 0.05 = 150.00 */
	u = usage_total("6000", "20");
	b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_dec(pcrm_bill_total(b), "490.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(energy_rates, the_chinese_tier_form_is_unchanged)
{
	pcrm_tariff *t = load_data_tariff("cn-gd-guangzhou-residential");
	pcrm_usage *u = usage_total("600", NULL);
	pcrm_bill *b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	assert_dec(pcrm_bill_total(b), "370.40");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- what the loader refuses ---- */

Test(energy_rates, bad_documents_name_the_field)
{
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.1\"}]},"
	                  "\"tiers\":[{\"surcharge\":\"0\"}]}}",
	                  "energy.tiers: not with energy.rates");
	assert_load_fails("{" HEAD ",\"energy\":{\"price\":\"0.2\",\"rates\":{\"all\":[{\"price\":"
	                  "\"0.1\"}]}}}", "energy.price: not with energy.rates");
	assert_load_fails("{" HEAD "," TOU ",\"energy\":{\"rates\":{\"peak\":[{\"price\":\"0.1\"}]}}}",
	                  "energy.rates.off_peak: missing");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.1\"}],"
	                  "\"peak\":[]}}}", "energy.rates");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[]}}}",
	                  "energy.rates.all: has 0 tiers, expected 1..8");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"max\":\"5\",\"max_unit\":"
	                  "\"kWh/kW daily\",\"price\":\"0.1\"},{\"price\":\"0.2\"}]}}}",
	                  "energy.rates.all[0].max_unit: expected \"kWh\"");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"max\":\"500\",\"price\":"
	                  "\"0.1\"},{\"max\":\"20\",\"max_unit\":\"kWh daily\",\"price\":\"0.2\"},"
	                  "{\"max\":\"500\",\"price\":\"0.3\"},{\"price\":\"0.4\"}]}}}",
	                  "energy.rates.all[2].max: 500 is not above energy.rates.all[0].max");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.1\"},"
	                  "{\"price\":\"0.2\"}]}}}", "energy.rates.all[0].max: missing");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"max\":\"9\",\"price\":"
	                  "\"0.1\"}]}}}", "energy.rates.all[0].max: the last tier is open-ended");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"max\":\"0\",\"price\":"
	                  "\"0.1\"},{\"price\":\"0.2\"}]}}}", "energy.rates.all[0].max: must be above 0");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"-0.1\"}]}}}",
	                  "energy.rates.all[0].price: \"-0.1\" is negative");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":0.1}]}}}",
	                  "energy.rates.all[0].price: expected a decimal string");
	assert_load_fails("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.1\",\"sell\":"
	                  "\"0.1\"}]}}}", "energy.rates.all[0]");
}

Test(energy_rates, a_negative_adjustment_is_a_credit_per_kwh)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"rates\":{\"all\":[{\"price\":\"0.10\","
	                             "\"adjustment\":\"-0.015\"}]}}}");
	pcrm_usage *u = usage_total("300", NULL);
	pcrm_bill *b = compute(t, DAY(2026, 7, 1), DAY(2026, 7, 31), u);

	/* 300 x 0.085 = 25.50 */
	assert_line(b, NULL, 0, "300", "0.085", "25.50");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- 36 periods ---- */

/* A tariff with n periods p0..p(n-1); hour h of every month is period h % n (n <= 24 fills them all). */
static char *many_periods(int n)
{
	static char doc[16384];
	size_t len = 0;

	len += (size_t)snprintf(doc + len, sizeof(doc) - len, "{" HEAD ",\"tou\":{\"periods\":[");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%s\"p%d\"", i ? "," : "", i);
	len += (size_t)snprintf(doc + len, sizeof(doc) - len, "],\"weekday\":[");
	for (int m = 0; m < 12; m++) {
		len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%s[", m ? "," : "");
		for (int h = 0; h < 24; h++)
			len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%s%d", h ? "," : "",
			                        (m * 24 + h) % n);
		len += (size_t)snprintf(doc + len, sizeof(doc) - len, "]");
	}
	len += (size_t)snprintf(doc + len, sizeof(doc) - len, "]},\"energy\":{\"rates\":{");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, sizeof(doc) - len,
		                        "%s\"p%d\":[{\"price\":\"0.%02d\"}]", i ? "," : "", i, i + 1);
	snprintf(doc + len, sizeof(doc) - len, "}}}");
	return doc;
}

Test(energy_rates, thirty_six_periods_load_and_bill_and_thirty_seven_do_not)
{
	pcrm_tariff *t = load_tariff(many_periods(36));
	pcrm_usage *u = NULL;
	pcrm_bill *b;
	pcrm_civil c = { 2026, 7, 1, 0, 0, 0 };
	pcrm_time start;
	int p;

	cr_assert_eq(pcrm_tariff_period_count(t), 36);
	cr_assert_str_eq(pcrm_tariff_period_name(t, 35), "p35");
	/* July is month index 6: hour h is period (144 + h) % 36 = (h + 0) % 36 for h < 24: p0..p23 */
	cr_assert_eq(pcrm_time_from_civil(&c, 0, &start), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, start + 23 * 3600, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 23);
	/* December (month 11): hour h is (264 + h) % 36 = (12 + h) % 36: 23:00 is p35 */
	c.month = 12;
	cr_assert_eq(pcrm_time_from_civil(&c, 0, &start), PCRM_OK);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int h = 0; h < 24; h++)
		cr_assert_eq(pcrm_usage_add_interval(u, start + h * 3600, 3600, D("1")), PCRM_OK);
	b = compute(t, DAY(2026, 12, 1), DAY(2026, 12, 31), u);
	/* one kWh in each of p12..p35: prices 0.13 .. 0.36, sum (13 + 36) x 24 / 2 = 588 cents */
	assert_line(b, "p35", 0, "1", "0.36", "0.36");
	cr_assert_null(find_line(b, "energy", "p11", 0));
	assert_dec(pcrm_bill_total(b), "5.88");
	pcrm_bill_free(b);
	/* the usage keeps registers for every one of the 36 periods */
	pcrm_usage_free(u);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int i = 0; i < 36; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%d", i);
		cr_assert_eq(pcrm_usage_set_period(u, name, D("2")), PCRM_OK, "%s", pcrm_error_last());
	}
	b = compute(t, DAY(2026, 12, 1), DAY(2026, 12, 31), u);
	/* 2 kWh x (0.01 + ... + 0.36) = 2 x 6.66 */
	assert_dec(pcrm_bill_total(b), "13.32");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	assert_load_fails(many_periods(37), "tou.periods: has 37 periods, expected 1..36");
}
