/*
 * The URDB importer (pcrm_tariff_from_urdb): what it maps, what it refuses
 * (every refused field named in one message, nothing converted), malformed
 * rates by JSON path, exact decimals from JSON numbers; and the cross-check
 * with NREL ssc: rates from ssc's utility-rate unit tests
 * (tests/tariff/data/urdb/README.md says which test each comes from),
 * imported and billed by the engine, must give ssc's expected figures and,
 * month by month and line by line, the cents of ssc's rule computed here
 * from ssc's own (1-based) schedule matrices.
 */
#include <stddef.h>

#include "tariff_test.h"

#define HOURS 8760

static char *read_text(const char *rel)
{
	FILE *f = fopen(data_path(rel), "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s", data_path(rel));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_eq(fseek(f, 0, SEEK_SET), 0);
	cr_assert_not_null(buf = malloc((size_t)n + 1));
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *read_fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "tests/tariff/data/urdb/%s.json", name);
	return read_text(rel);
}

/* Imports a URDB rate that must convert, and loads the result. */
static pcrm_tariff *import_ok(const char *urdb, const pcrm_urdb_options *o, char **json_out)
{
	char *json = NULL;
	pcrm_tariff *t;

	cr_assert_eq(pcrm_tariff_from_urdb(urdb, o, &json), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_not_null(json);
	t = load_tariff(json);
	if (json_out)
		*json_out = json;
	else
		pcrm_free(json);
	return t;
}

static void import_refused(const char *urdb, int status, const char *const *needles)
{
	char *json = (char *)"untouched";

	cr_assert_eq(pcrm_tariff_from_urdb(urdb, NULL, &json), status, "%s", pcrm_error_last());
	cr_assert_null(json, "nothing is handed out on failure");
	for (; *needles; needles++)
		cr_assert(strstr(pcrm_error_last(), *needles), "message \"%s\" lacks \"%s\"",
		          pcrm_error_last(), *needles);
}

static void assert_has(const char *json, const char *needle)
{
	cr_assert(strstr(json, needle), "%s lacks %s", json, needle);
}

static int64_t wh[HOURS];

static void read_profile(const char *name)
{
	char rel[256], *text, *line, *save = NULL;
	int n = 0;

	snprintf(rel, sizeof(rel), "tests/tariff/data/%s", name);
	text = read_text(rel);
	for (line = strtok_r(text, "\n", &save); line && n < HOURS; line = strtok_r(NULL, "\n", &save)) {
		pcrm_decimal d;
		cr_assert_eq(pcrm_decimal_parse(line, &d), PCRM_OK, "%s", line);
		cr_assert_eq(pcrm_decimal_round(d, 3, PCRM_ROUND_HALF_UP, &d), PCRM_OK);
		wh[n++] = d.units;
	}
	free(text);
	cr_assert_eq(n, HOURS);
}

static pcrm_time utc_hour(int year, int hour_of_year)
{
	pcrm_civil c = { year, 1, 1, 0, 0, 0 };
	pcrm_time t;
	cr_assert_eq(pcrm_time_from_civil(&c, 0, &t), PCRM_OK);
	return t + (pcrm_time)hour_of_year * 3600;
}

/* ssc's calendar: day 0 of the year is a Monday; days 5 and 6 of each week are the weekend. */
static int ssc_weekend(int hour_of_year)
{
	return (hour_of_year / 24) % 7 >= 5;
}

/* Half-up rounding of an exact amount in 1e-`scale` to cents. */
static int64_t cents(int64_t amount, int scale)
{
	int64_t unit = 1;
	for (int i = 2; i < scale; i++)
		unit *= 10;
	return (amount + unit / 2) / unit;
}

static void assert_amount_cents(const pcrm_bill_line *l, int64_t want, const char *what)
{
	cr_assert_not_null(l, "%s: no line", what);
	cr_assert_eq(pcrm_decimal_cmp(l->amount, pcrm_decimal_make(want, 2)), 0,
	             "%s: amount %lld.%02lld cents expected", what, (long long)(want / 100),
	             (long long)(want % 100));
}

/* ---- cross-check: residential TOU (cmod_utilityrate5_test.cpp) ---- */

/*
 * ssc's ur_ec_sched_weekday of setup_residential_rates(), 1-based: January
 * to April and November, December are 1 (hours 0-9, 20-23), 2 (10-14), 3
 * (15-19); May to October 1 and 4 (15-19).  The weekend is 1 all day.
 */
static int ssc_res_period(int month, int hour, int weekend)
{
	if (weekend || hour < 10 || hour >= 20)
		return 1;
	if (month >= 5 && month <= 10)
		return hour >= 15 ? 4 : 1;
	return hour >= 15 ? 3 : 2;
}

Test(urdb_ssc, residential_tou_year_matches_ssc)
{
	/* ur_ec_tou_mat of setup_residential_rates(): cents per kWh of periods 1..4 */
	static const int64_t rate_cents[5] = { 0, 10, 5, 20, 25 };
	char *urdb = read_fixture("ssc-residential-tou");
	pcrm_tariff *t = import_ok(urdb, NULL, NULL);
	int64_t year_cents = 0, year_exact = 0; /* exact: 1e-5 USD */
	int hour = 0;

	read_profile("ssc_res_load_kwh.csv");
	for (int m = 1; m <= 12; m++) {
		int days = pcrm_days_in_month(2018, m);
		int64_t period_wh[5] = { 0 }, month_cents = 0;
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;

		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		for (int h = hour; h < hour + days * 24; h++) {
			period_wh[ssc_res_period(m, h % 24, ssc_weekend(h))] += wh[h];
			cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, h), 3600,
			                                     pcrm_decimal_make(wh[h], 3)), PCRM_OK);
		}
		hour += days * 24;
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, m, 1), DAY(2018, m, days), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		assert_total_is_sum(b);
		for (int p = 1; p <= 4; p++) {
			char name[8];
			int64_t exact = period_wh[p] * rate_cents[p]; /* Wh x cents = 1e-5 USD */
			snprintf(name, sizeof(name), "p%d", p - 1);
			year_exact += exact;
			if (period_wh[p] == 0) {
				cr_assert_null(find_line(b, "energy", name, 0), "month %d period %d", m, p);
				continue;
			}
			assert_amount_cents(find_line(b, "energy", name, 0), cents(exact, 5), name);
			month_cents += cents(exact, 5);
		}
		cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(b), pcrm_decimal_make(month_cents, 2)), 0,
		             "month %d", m);
		year_cents += month_cents;
		pcrm_bill_free(b);
		pcrm_usage_free(u);
	}
	/* ssc: EXPECT_NEAR(771.8, elec_cost_without_system_year1, 0.1) */
	cr_assert(year_cents >= 77170 && year_cents <= 77190, "year %lld cents",
	          (long long)year_cents);
	cr_assert(llabs(year_cents * 1000 - year_exact) <= 12 * 4 * 500, "rounding is per line");
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- cross-check: demand by TOU period (lib_utility_rate_equations_test.cpp) ---- */

Test(urdb_ssc, commercial_demand_day_matches_ssc)
{
	/* test_demand_charges: day one's hourly load (kW = kWh), ssc expects 200 of demand charges */
	static const int load[24] = { 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9,
	                              8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1 };
	char *urdb = read_fixture("ssc-commercial-tou-demand-tier1");
	pcrm_tariff *t = import_ok(urdb, NULL, NULL);
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	int64_t demand_cents = 0;
	int energy_peak = 0, energy_off = 0;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int h = 0; h < 24; h++) {
		cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, h), 3600, pcrm_decimal_from_int(load[h])),
		             PCRM_OK);
		/* ssc's January weekday: energy period 3 (0.06) at 15-19, 4 (0.05) otherwise */
		if (h >= 15 && h < 20)
			energy_peak += load[h];
		else
			energy_off += load[h];
	}
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, 1, 1), DAY(2018, 1, 1), u, NULL, &b), PCRM_OK,
	             "%s", pcrm_error_last());
	assert_total_is_sum(b);
	for (size_t i = 0; i < pcrm_bill_line_count(b); i++) {
		const pcrm_bill_line *l = pcrm_bill_line_at(b, i);
		pcrm_decimal c;
		if (strcmp(l->code, "demand_tou") != 0)
			continue;
		cr_assert_eq(pcrm_decimal_round(l->amount, 2, PCRM_ROUND_HALF_UP, &c), PCRM_OK);
		demand_cents += c.units;
	}
	/* peak period: 5 kW x 20; off-peak: 10 kW x 10 */
	cr_assert_eq(demand_cents, 20000, "ssc: ASSERT_NEAR(200.0, get_demand_charge(0, 0), 0.1)");
	cr_assert_eq(pcrm_decimal_cmp(find_line(b, "demand_tou", "d0", 0)->quantity, D("5")), 0);
	cr_assert_eq(pcrm_decimal_cmp(find_line(b, "demand_tou", "d1", 0)->quantity, D("10")), 0);
	/* kWh x mills (0.06 = 60 mills) */
	assert_amount_cents(find_line(b, "energy", "p2", 0), cents(energy_peak * 60, 3), "peak");
	assert_amount_cents(find_line(b, "energy", "p3", 0), cents(energy_off * 50, 3), "off peak");
	cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(b), pcrm_decimal_make(20000 + cents(energy_peak * 60, 3) +
	                                                                   cents(energy_off * 50, 3), 2)), 0);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- cross-check: tiers (lib_utility_rate_test.cpp, PG&E EV9A) ---- */

Test(urdb_ssc, ev9a_tiers_match_ssc_composite_rates)
{
	/* test_tiered_tou_cost_estimates: 25 kWh a month; ssc's composite rates per period (+-0.0001) */
	static const char *const composite[3] = { "0.11365", "0.22782", "0.41554" };
	/* the tiers' prices in 1e-5 USD per kWh and the 25 kWh split over maxima 8.3/10.8/16.6/24.9 */
	static const int64_t price[3][5] = { { 3461, 5140, 14698, 18727, 18727 },
	                                     { 9132, 10811, 26397, 37330, 37330 },
	                                     { 27904, 29583, 45169, 56110, 56110 } };
	static const int64_t split_dwh[5] = { 83, 25, 58, 83, 1 }; /* 0.1 kWh */

	for (int p = 0; p < 3; p++) {
		char name[32];
		char *urdb;
		pcrm_tariff *t;
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;
		pcrm_decimal want, diff;
		int64_t sum = 0;

		snprintf(name, sizeof(name), "ssc-ev9a-period%d", p + 1);
		urdb = read_fixture(name);
		t = import_ok(urdb, NULL, NULL);
		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		cr_assert_eq(pcrm_usage_set_total(u, D("25")), PCRM_OK);
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, 1, 1), DAY(2018, 1, 31), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		cr_assert_eq(pcrm_bill_line_count(b), 5);
		for (int k = 0; k < 5; k++) {
			int64_t exact = split_dwh[k] * price[p][k]; /* 1e-6 USD */
			assert_amount_cents(find_line(b, "energy", NULL, k + 1), cents(exact, 6), name);
			sum += cents(exact, 6);
		}
		cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(b), pcrm_decimal_make(sum, 2)), 0);
		/* ssc's composite x 25 within ssc's tolerance (25 x 0.0001) plus half a cent per line */
		cr_assert_eq(pcrm_decimal_mul(D(composite[p]), D("25"), &want), PCRM_OK);
		cr_assert_eq(pcrm_decimal_sub(pcrm_bill_total(b), want, &diff), PCRM_OK);
		if (pcrm_decimal_sign(diff) < 0)
			cr_assert_eq(pcrm_decimal_neg(diff, &diff), PCRM_OK);
		cr_assert(pcrm_decimal_cmp(diff, D("0.0275")) <= 0, "%s: total vs ssc", name);
		pcrm_bill_free(b);
		pcrm_usage_free(u);
		pcrm_tariff_free(t);
		free(urdb);
	}
}

/* ---- cross-check: TOU with daily tiers per period (cmod_utilityrate5_test.cpp) ---- */

/*
 * ssc's ur_ec_sched_weekday / _weekend of Test_Residential_TOU_Rates_w_tiers
 * as 0-based URDB periods: June to October 0 (16-20 h), 1 (weekdays 6-15 and
 * 21-23, weekends 14-15 and 21-23), 2 (the rest); the other months 3, 4, 5
 * the same way, and on March and April weekdays 10-13 h are 5.
 */
static int ssc_tiers_period(int month, int hour, int weekend)
{
	int base = month >= 6 && month <= 10 ? 0 : 3;

	if (hour >= 16 && hour <= 20)
		return base;
	if (hour >= 21 || (weekend ? hour >= 14 : hour >= 6))
		return weekend || !(month >= 3 && month <= 4 && hour >= 10 && hour <= 13) ? base + 1
		                                                                           : base + 2;
	return base + 2;
}

Test(urdb_ssc, residential_tou_daily_tiers_year_matches_ssc)
{
	/* ur_ec_tou_mat: tier 1 up to 11.7 (11.96) kWh a day, then tier 2; 1e-5 USD per kWh */
	static const int64_t price[6][2] = { { 31868, 50884 }, { 26425, 45441 }, { 21035, 40051 },
	                                     { 23241, 40853 }, { 22394, 40006 }, { 21454, 39066 } };
	static const int64_t daily_max_wh[6] = { 11700, 11700, 11700, 11960, 11960, 11960 };
	char *urdb = read_fixture("ssc-residential-tou-tiers"), *json = NULL;
	pcrm_tariff *t = import_ok(urdb, NULL, &json);
	int64_t year_cents = 0;
	int hour = 0;

	assert_has(json, "\"max_unit\":\"kWh daily\"");
	read_profile("ssc_res_load_kwh.csv");
	for (int m = 1; m <= 12; m++) {
		int days = pcrm_days_in_month(2018, m);
		int64_t period_wh[6] = { 0 }, month_wh = 0, month_cents = 0;
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;

		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		for (int h = hour; h < hour + days * 24; h++) {
			period_wh[ssc_tiers_period(m, h % 24, ssc_weekend(h))] += wh[h];
			month_wh += wh[h];
			cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, h), 3600,
			                                     pcrm_decimal_make(wh[h], 3)), PCRM_OK);
		}
		hour += days * 24;
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, m, 1), DAY(2018, m, days), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		assert_total_is_sum(b);
		/*
		 * ssc's rule: the month's energy E fills the tiers (the daily maximum
		 * times the days of the month), each period takes E_p / E of each
		 * tier: line = E_p x T_k / E x price, rounded once to the cent.
		 */
		for (int p = 0; p < 6; p++) {
			char name[8];
			int64_t limit = daily_max_wh[p] * days;
			int64_t tier_wh[2];

			snprintf(name, sizeof(name), "p%d", p);
			if (period_wh[p] == 0) {
				cr_assert_null(find_line(b, "energy", name, 0), "month %d period %d", m, p);
				continue;
			}
			tier_wh[0] = month_wh < limit ? month_wh : limit;
			tier_wh[1] = month_wh - tier_wh[0];
			for (int k = 0; k < 2; k++) {
				/* Wh x Wh x 1e-5 USD/kWh / Wh = 1e-8 USD: cents are / 1e6, half up */
				/* a household's month is below 2e6 Wh: 2 x 2e6 x 2e6 x 6e4 < 9.2e18 */
				int64_t num = period_wh[p] * tier_wh[k] * price[p][k];
				int64_t den = month_wh * 1000000;
				int64_t want = (2 * num + den) / (2 * den);
				if (tier_wh[k] == 0) {
					cr_assert_null(find_line(b, "energy", name, k + 1), "month %d", m);
					continue;
				}
				assert_amount_cents(find_line(b, "energy", name, k + 1), want, name);
				month_cents += want;
			}
		}
		cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(b), pcrm_decimal_make(month_cents, 2)), 0,
		             "month %d", m);
		year_cents += month_cents;
		pcrm_bill_free(b);
		pcrm_usage_free(u);
	}
	/* ssc: EXPECT_NEAR(1839.7, elec_cost_without_system_year1, 0.1) */
	cr_assert(year_cents >= 183960 && year_cents <= 183980, "year %lld cents",
	          (long long)year_cents);
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- cross-check: EV9A, three periods with their own tier prices (lib_utility_rate_test.cpp) ---- */

Test(urdb_ssc, ev9a_three_periods_match_ssc_composite_rates)
{
	/*
	 * The whole rate (prices per (period, tier), kWh-daily maxima).  ssc's
	 * test reads the maxima 8.3 / 10.8 / 16.6 / 24.9 as kWh of the month;
	 * billed for one day, the daily maxima are those kWh, so 25 kWh in one
	 * period must cost ssc's composite rate of that period x 25.
	 */
	static const char *const composite[3] = { "0.11365", "0.22782", "0.41554" };
	/* a Monday in January: 0 off-peak (0-9 h), 1 partial peak (10-14 h), 2 peak (15-19 h) */
	static const int hour_of[3] = { 3, 12, 17 };
	char *urdb = read_fixture("ssc-ev9a-tiered-tou"), *json = NULL;
	pcrm_tariff *t = import_ok(urdb, NULL, &json);

	assert_has(json, "\"rates\":{\"p0\":[{\"max\":\"8.3\",\"max_unit\":\"kWh daily\","
	                      "\"price\":\"0.03461\"}");
	for (int p = 0; p < 3; p++) {
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;
		pcrm_decimal want, diff;
		char name[8];

		snprintf(name, sizeof(name), "p%d", p);
		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, hour_of[p]), 3600, D("25")),
		             PCRM_OK);
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, 1, 1), DAY(2018, 1, 1), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		assert_total_is_sum(b);
		cr_assert_eq(pcrm_bill_line_count(b), 5, "%s: five tiers", name);
		for (int k = 1; k <= 5; k++)
			cr_assert_not_null(find_line(b, "energy", name, k), "%s tier %d", name, k);
		cr_assert_eq(pcrm_decimal_mul(D(composite[p]), D("25"), &want), PCRM_OK);
		cr_assert_eq(pcrm_decimal_sub(pcrm_bill_total(b), want, &diff), PCRM_OK);
		if (pcrm_decimal_sign(diff) < 0)
			cr_assert_eq(pcrm_decimal_neg(diff, &diff), PCRM_OK);
		/* ssc's tolerance (25 x 0.0001) plus half a cent per line */
		cr_assert(pcrm_decimal_cmp(diff, D("0.0275")) <= 0, "%s: total vs ssc", name);
		pcrm_bill_free(b);
		pcrm_usage_free(u);
	}
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- PG&E residential with net metering (shared_rate_data.cpp) ---- */

Test(urdb_ssc, pge_net_metering_imports_and_nets_per_period)
{
	/*
	 * ssc's test file gives this rate no expected bill of its own: checked
	 * here against the rule.  "Net Metering" without sell rates: a
	 * period's net import is billed on the tiers, a net export earns 0.
	 */
	char *urdb = read_fixture("ssc-pge-residential-nm"), *json = NULL;
	pcrm_tariff *t = import_ok(urdb, NULL, &json);
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	assert_has(json, "\"net_metering\":{\"mode\":\"net_metering\",\"sell_price\":\"0\"}");
	/* January (periods 2 and 3): 3 kWh at 12 h (period 3), 5 kWh exported at 13 h, 10 kWh at 3 h */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, 3), 3600, D("10")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, 12), 3600, D("3")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, utc_hour(2018, 13), 3600, D("5")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, 1, 1), DAY(2018, 1, 1), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_total_is_sum(b);
	/* period 3 nets to an export of 2 kWh (credit 0), period 2's 10 kWh fill tier 1 (11.2 a day) */
	cr_assert_null(find_line(b, "energy", "p3", 0));
	assert_dec(find_line(b, "energy", "p2", 1)->quantity, "10");
	assert_dec(pcrm_bill_total(b), "1.18"); /* 10 x 0.11838 = 1.1838 */
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- cross-check: tiered demand by TOU period (cmod_utilityrate5_test.cpp) ---- */

/* ssc's Test_Commercial_Demand_Charges schedules (the fixture's): 15-19 h on weekdays. */
static int ssc_com_peak(int hour, int weekend)
{
	return !weekend && hour >= 15 && hour < 20;
}

Test(urdb_ssc, commercial_tiered_demand_year_matches_ssc)
{
	/* energy 1e-3 USD/kWh of periods 0..3; demand: 0 up to 100 kW 20 then 15, 1: 10 then 5 */
	static const int64_t energy_mills[4] = { 50, 75, 60, 50 };
	static const int64_t demand_price[2][2] = { { 20, 15 }, { 10, 5 } };
	char *urdb = read_fixture("ssc-commercial-demand-charges"), *json = NULL;
	pcrm_tariff *t = import_ok(urdb, NULL, &json);
	int64_t year_cents = 0;
	int hour = 0;

	assert_has(json, "\"by_period\":{\"d0\":[{\"max\":\"100\",\"price\":\"20\"},{\"price\":\"15\"}]");
	read_profile("ssc_commercial_load_kwh.csv");
	for (int m = 1; m <= 12; m++) {
		int days = pcrm_days_in_month(2018, m), summer = m >= 5 && m <= 10;
		int64_t period_wh[4] = { 0 }, peak_wh[2] = { 0 }, month_cents = 3000; /* 30.00 fixed */
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;

		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		for (int h = hour; h < hour + days * 24; h++) {
			int peak = ssc_com_peak(h % 24, ssc_weekend(h));
			/* energy: summer 0 (peak) / 1, winter 2 (peak) / 3; demand 0 (peak) / 1 */
			period_wh[(summer ? 0 : 2) + !peak] += wh[h];
			if (wh[h] > peak_wh[!peak])
				peak_wh[!peak] = wh[h];
			cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2018, h), 3600,
			                                     pcrm_decimal_make(wh[h], 3)), PCRM_OK);
		}
		hour += days * 24;
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2018, m, 1), DAY(2018, m, days), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		assert_total_is_sum(b);
		for (int p = 0; p < 4; p++) {
			char name[8];
			snprintf(name, sizeof(name), "p%d", p);
			if (period_wh[p] == 0)
				continue;
			/* Wh x mills = 1e-6 USD */
			assert_amount_cents(find_line(b, "energy", name, 0),
			                    cents(period_wh[p] * energy_mills[p], 6), name);
			month_cents += cents(period_wh[p] * energy_mills[p], 6);
		}
		/* ssc's tiers on the period's peak (kW = kWh of an hour): W x USD = 1e-3 USD */
		for (int d = 0; d < 2; d++) {
			char name[8];
			int64_t first = peak_wh[d] < 100000 ? peak_wh[d] : 100000;
			snprintf(name, sizeof(name), "d%d", d);
			assert_amount_cents(find_line(b, "demand_tou", name, 1),
			                    cents(first * demand_price[d][0], 3), name);
			month_cents += cents(first * demand_price[d][0], 3);
			if (peak_wh[d] > 100000) {
				assert_amount_cents(find_line(b, "demand_tou", name, 2),
				                    cents((peak_wh[d] - 100000) * demand_price[d][1], 3), name);
				month_cents += cents((peak_wh[d] - 100000) * demand_price[d][1], 3);
			} else {
				cr_assert_null(find_line(b, "demand_tou", name, 2));
			}
		}
		cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(b), pcrm_decimal_make(month_cents, 2)), 0,
		             "month %d", m);
		year_cents += month_cents;
		pcrm_bill_free(b);
		pcrm_usage_free(u);
	}
	/* ssc: EXPECT_NEAR(104614.5, elec_cost_without_system_year1, 0.1) */
	cr_assert(year_cents >= 10461440 && year_cents <= 10461460, "year %lld cents",
	          (long long)year_cents);
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(urdb);
}

Test(urdb_ssc, urdb_v8_export_imports_whole)
{
	/*
	 * ssc's URDB v8 document (ElectricityRates_format_as_URDBv8): ssc's test
	 * checks the format only, no bill.  Tiered TOU and flat demand, a demand
	 * period that meets two energy periods, net metering: all expressible.
	 */
	char *urdb = read_fixture("ssc-urdbv8-export"), *json = NULL;
	pcrm_tariff *t = import_ok(urdb, NULL, &json);

	assert_has(json, "\"flat_by_month\":[[{\"max\":\"100\",\"price\":\"4\"},{\"price\":\"6.46\"}],"
	                 "\"6.46\",\"6.46\",\"6.46\",\"13.87\"");
	assert_has(json, "\"d0\":[{\"max\":\"100\",\"price\":\"19.539\"},{\"price\":\"13.093\"}]");
	assert_has(json, "\"net_metering\":{\"mode\":\"net_metering\"");
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(urdb);
}

/* ---- the importer ---- */

static char *convert(const char *urdb)
{
	char *json = NULL;
	cr_assert_eq(pcrm_tariff_from_urdb(urdb, NULL, &json), PCRM_OK, "%s", pcrm_error_last());
	return json;
}

Test(urdb, numbers_are_read_as_exact_decimals)
{
	char *json = convert("{\"label\":\"x1\",\"startdate\":1514764800,"
	                     "\"energyratestructure\":[[{\"max\":1e2,\"rate\":1.5e-2,\"adj\":0.0123},"
	                     "{\"max\":9.9999999999999998e+37,\"rate\":0.10000,\"unit\":\"kWh\"}]]}");

	/* rate + adj exactly, exponents resolved, ssc's 1e38 "no maximum" dropped */
	assert_has(json, "\"max\":\"100\"");
	assert_has(json, "\"price\":\"0.0273\"");
	assert_has(json, "\"price\":\"0.1\"");
	cr_assert_null(strstr(json, "e+"), "%s", json);
	assert_has(json, "\"id\":\"urdb-x1\"");
	assert_has(json, "\"effective_from\":\"2018-01-01\"");
	assert_has(json, "\"currency\":\"USD\"");
	assert_has(json, "\"tier_basis\":\"monthly\"");
	pcrm_free(json);
}

Test(urdb, api_answer_with_one_item_and_options)
{
	pcrm_urdb_options o = PCRM_URDB_OPTIONS_INIT;
	char *json = NULL;
	pcrm_tariff *t;

	o.id = "acme-r1";
	o.tariff_version = 3;
	o.effective_from = "2026-01-01";
	o.currency = "CAD";
	o.rounding = "half_even";
	o.utc_offset = "-05:00";
	t = import_ok("{\"items\":[{\"label\":\"abc\",\"enddate\":\"2026-12-31\","
	              "\"energyratestructure\":[[{\"rate\":0.2}]],\"fixedchargefirstmeter\":9.5,"
	              "\"fixedchargeunits\":\"$/month\",\"mincharge\":120,\"minchargeunits\":\"$/year\"}]}",
	              &o, &json);
	cr_assert_str_eq(pcrm_tariff_id(t), "acme-r1");
	cr_assert_eq(pcrm_tariff_version(t), 3);
	cr_assert_str_eq(pcrm_tariff_currency(t), "CAD");
	cr_assert_eq(pcrm_tariff_effective_to(t).day, 31);
	assert_has(json, "\"rounding\":\"half_even\"");
	assert_has(json, "\"amount\":\"9.5\"");
	assert_has(json, "\"annual\":\"120\"");
	pcrm_free(json);
	pcrm_tariff_free(t);

	import_refused("{\"items\":[{\"label\":\"a\"},{\"label\":\"b\"}]}", PCRM_EINVAL,
	               (const char *const[]){ "items: holds 2 rates", NULL });
}

Test(urdb, malformed_rates_name_the_json_path)
{
	import_refused("{\"label\":\"a\",\"startdate\":0,\"energyratestructure\":[[{\"rate\":0.1}],"
	               "[{\"rate\":0.2}]],\"energyweekdayschedule\":[[0,0,0,2]]}",
	               PCRM_EINVAL, (const char *const[]){ "energyweekdayschedule: has 1 months", NULL });
	import_refused("{\"label\":\"a\",\"startdate\":0,\"energyratestructure\":[[{\"rate\":0.1}]],"
	               "\"energyweekdayschedule\":[[0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"
	               ",[],[],[],[],[],[],[],[],[],[],[]]}",
	               PCRM_EINVAL, (const char *const[]){ "energyweekdayschedule[0][3]", NULL });
	import_refused("{\"label\":\"a\",\"startdate\":0,\"energyratestructure\":[[{\"rate\":\"abc\"}]]}",
	               PCRM_EINVAL, (const char *const[]){ "energyratestructure[0][0].rate", NULL });
	import_refused("{\"label\":\"a\",\"startdate\":0,\"energyratestructure\":[[{\"max\":5,\"rate\":1},"
	               "{\"max\":4,\"rate\":2},{\"rate\":3}]]}",
	               PCRM_EINVAL, (const char *const[]){ "energyratestructure[0][1].max", NULL });
	import_refused("{\"label\":", PCRM_EINVAL, (const char *const[]){ "document: not JSON", NULL });
	import_refused("[1]", PCRM_EINVAL, (const char *const[]){ "document: expected", NULL });
	import_refused("{\"startdate\":0}", PCRM_EINVAL, (const char *const[]){ "options.id", NULL });
	import_refused("{\"label\":\"a\"}", PCRM_EINVAL,
	               (const char *const[]){ "options.effective_from", NULL });
	import_refused("{\"label\":\"a\",\"startdate\":0,\"fixedmonthlycharge\":1,"
	               "\"fixedchargefirstmeter\":2}", PCRM_EINVAL,
	               (const char *const[]){ "fixedmonthlycharge: differs", NULL });
	/* what the loader refuses in an option is reported, not handed out */
	{
		pcrm_urdb_options o = PCRM_URDB_OPTIONS_INIT;
		char *json = NULL;
		o.rounding = "bankers";
		cr_assert_eq(pcrm_tariff_from_urdb("{\"label\":\"a\",\"startdate\":0}", &o, &json),
		             PCRM_EINVAL);
		cr_assert_null(json);
		cr_assert(strstr(pcrm_error_last(), "rounding"), "%s", pcrm_error_last());
	}
}

Test(urdb, every_inexpressible_field_is_listed_and_nothing_converted)
{
	import_refused(
		"{\"label\":\"a\",\"startdate\":0,\"dgrules\":\"Net Billing Hourly\","
		"\"demandratchetpercentage\":[0.5,0.5,0,0,0,0,0,0,0,0,0,0],\"coincidentratestructure\":[[{\"rate\":1}]],"
		"\"fueladjustmentsmonthly\":[0,0,0,0,0,0.01,0,0,0,0,0,0],\"fixedchargeeaaddl\":3,"
		"\"demandreactivepowercharge\":0.4,\"somethingnew\":1,"
		"\"energyratestructure\":[[{\"max\":10,\"unit\":\"kWh/kW daily\",\"rate\":0.1,\"sell\":0.03},"
		"{\"rate\":0.2}]],"
		"\"flatdemandstructure\":[[{\"max\":10,\"rate\":1},{\"rate\":-2}]],\"flatdemandunit\":\"kVA\","
		"\"fixedchargefirstmeter\":1.234,\"mincharge\":1,\"minchargeunits\":\"$/day\"}",
		PCRM_EUNSUPPORTED,
		(const char *const[]){ "nothing was converted",
		                       "dgrules (\"Net Billing Hourly\": imports and exports netted per hour)",
		                       "demandratchetpercentage (a ratchet percentage per month)",
		                       "coincidentratestructure (coincident demand charges)", NULL });
	/* the rest of the same message (the needles are checked against one message) */
	cr_assert(strstr(pcrm_error_last(), "fueladjustmentsmonthly (monthly fuel adjustments"));
	cr_assert(strstr(pcrm_error_last(), "fixedchargeeaaddl (fixed charges for additional meters)"));
	cr_assert(strstr(pcrm_error_last(), "demandreactivepowercharge (reactive power"));
	cr_assert(strstr(pcrm_error_last(), "somethingnew (not a URDB field the importer knows)"));
	cr_assert(strstr(pcrm_error_last(), "energyratestructure (tier maxima in kWh per kW of demand "
	                                    "per day)"));
	cr_assert(strstr(pcrm_error_last(), "flatdemandstructure (negative prices"));
	cr_assert(strstr(pcrm_error_last(), "flatdemandunit (\"kVA\""));
	cr_assert(strstr(pcrm_error_last(), "fixedchargefirstmeter (an amount with more than 2"));
	cr_assert(strstr(pcrm_error_last(), "minchargeunits (minimum charges per day)"));
	cr_assert(strstr(pcrm_error_last(), "cannot express 12 fields"), "%s", pcrm_error_last());
}

Test(urdb, fields_that_say_nothing_are_not_refused)
{
	char *json = convert("{\"label\":\"a\",\"startdate\":0,\"dgrules\":\"\",\"lookbackpercent\":0,"
	                     "\"demandratchetpercentage\":[0,0,0,0,0,0,0,0,0,0,0,0],"
	                     "\"fueladjustmentsmonthly\":[0,0,0,0,0,0,0,0,0,0,0,0],"
	                     "\"fixedchargeeaaddl\":0,\"demandwindow\":15,\"utility\":\"U\","
	                     "\"energycomments\":\"text\",\"energyratestructure\":[[{\"rate\":0.1}]]}");
	assert_has(json, "\"price\":\"0.1\"");
	cr_assert_null(strstr(json, "\"tou\""), "one period needs no schedule: %s", json);
	pcrm_free(json);
}

/* 12 rows of 24 indexes: `in` for hours from..to-1, else `out`. */
static void hours_schedule(char *buf, size_t size, int from, int to, int in, int out)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, size - o, "[");
	for (int m = 0; m < 12; m++) {
		o += (size_t)snprintf(buf + o, size - o, "%s[", m ? "," : "");
		for (int h = 0; h < 24; h++)
			o += (size_t)snprintf(buf + o, size - o, "%s%d", h ? "," : "",
			                      h >= from && h < to ? in : out);
		o += (size_t)snprintf(buf + o, size - o, "]");
	}
	snprintf(buf + o, size - o, "]");
}

Test(urdb, demand_schedule_tiers_and_ratchet)
{
	/* energy: period 0 at night (hours 0-5), 1 by day; demand period 1 = hours 3-21, over both */
	char doc[16384], wd[2048], dd[2048];
	char *json;
	pcrm_tariff *t;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	hours_schedule(wd, sizeof(wd), 0, 6, 0, 1);
	hours_schedule(dd, sizeof(dd), 3, 22, 1, 0);
	snprintf(doc, sizeof(doc), "{\"label\":\"d\",\"startdate\":\"2026-01-01\","
	         "\"energyratestructure\":[[{\"rate\":0.1}],[{\"rate\":0.2}]],"
	         "\"energyweekdayschedule\":%s,\"energyweekendschedule\":%s,"
	         "\"demandratestructure\":[[{\"rate\":0}],[{\"max\":5,\"rate\":12.5},{\"rate\":10}]],"
	         "\"demandweekdayschedule\":%s,\"demandweekendschedule\":%s,"
	         "\"flatdemandstructure\":[[{\"rate\":3}],[{\"max\":10,\"rate\":4},{\"rate\":2}]],"
	         "\"flatdemandmonths\":[0,0,0,0,0,1,1,1,0,0,0,0],"
	         "\"lookbackpercent\":0.8,\"lookbackrange\":11,"
	         "\"lookbackMonths\":[false,false,false,false,false,true,true,true,false,false,false,false]}",
	         wd, wd, dd, dd);
	t = import_ok(doc, NULL, &json);
	/* the energy periods stay two: the demand schedule is one of its own */
	cr_assert_eq(pcrm_tariff_period_count(t), 2);
	assert_has(json, "\"prices\":{\"p0\":\"0.1\",\"p1\":\"0.2\"}");
	assert_has(json, "\"periods\":[\"d0\",\"d1\"]");
	assert_has(json, "\"by_period\":{\"d1\":[{\"max\":\"5\",\"price\":\"12.5\"},{\"price\":\"10\"}]}");
	assert_has(json, "\"flat_by_month\":[\"3\",\"3\",\"3\",\"3\",\"3\",[{\"max\":\"10\",\"price\":\"4\"},"
	                 "{\"price\":\"2\"}]");
	assert_has(json, "\"ratchet\":{\"percent\":\"0.8\",\"months\":11,\"lookback_months\":[6,7,8],"
	                 "\"by\":\"month\"}");
	/*
	 * January: 4 kW at 04:00 (energy p0) and 7 kW at 10:00 (p1), both in
	 * demand period d1: one peak of 7 kW, 5 x 12.50 + 2 x 10.00 = 82.50;
	 * flat 7 kW x 3 = 21.00, or 0.8 x 30 kW from July = 24 kW x 3 = 72.00.
	 */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2026, 4), 3600, D("4")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2026, 10), 3600, D("7")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_dec(find_line(b, "demand_tou", "d1", 1)->amount, "62.50");
	assert_dec(find_line(b, "demand_tou", "d1", 2)->amount, "20.00");
	assert_dec(find_line(b, "demand_flat", NULL, 0)->amount, "21.00");
	pcrm_bill_free(b);
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 6, NULL, D("30")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_dec(find_line(b, "demand_flat", NULL, 0)->amount, "72.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_free(json);
	pcrm_tariff_free(t);

	/* a ratchet without a flat charge, or without a range, is not said enough to bill */
	snprintf(doc, sizeof(doc), "{\"label\":\"d\",\"startdate\":0,"
	         "\"energyratestructure\":[[{\"rate\":0.1}],[{\"rate\":0.2}]],"
	         "\"energyweekdayschedule\":%s,\"demandratestructure\":[[{\"rate\":0}],[{\"rate\":12.5}]],"
	         "\"demandweekdayschedule\":%s,\"lookbackpercent\":0.5,\"lookbackrange\":6}", wd, dd);
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "lookbackpercent (a ratchet on a rate without a flat "
	                                      "demand charge", NULL });
	import_refused("{\"label\":\"d\",\"startdate\":0,\"flatdemandstructure\":[[{\"rate\":3}]],"
	               "\"lookbackpercent\":0.5}", PCRM_EUNSUPPORTED,
	               (const char *const[]){ "lookbackpercent (a ratchet without lookbackrange", NULL });
	import_refused("{\"label\":\"d\",\"startdate\":0,\"flatdemandstructure\":[[{\"rate\":3}]],"
	               "\"lookbackpercent\":80,\"lookbackrange\":6}", PCRM_EINVAL,
	               (const char *const[]){ "lookbackpercent: expected a fraction", NULL });
}

Test(urdb, demand_without_energy_charges)
{
	/* demand by TOU period on one all-day period, no energyratestructure: energy at 0 */
	char doc[4096];
	size_t o = 0;
	char *json;
	pcrm_tariff *t;

	o += (size_t)snprintf(doc + o, sizeof(doc) - o, "{\"label\":\"dm\",\"startdate\":0,"
	                      "\"demandratestructure\":[[{\"rate\":7.25}]],\"demandweekdayschedule\":[");
	for (int m = 0; m < 12; m++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "%s[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
		                      "0,0,0,0]", m ? "," : "");
	snprintf(doc + o, sizeof(doc) - o, "]}");
	t = import_ok(doc, NULL, &json);
	assert_has(json, "\"price\":\"0\"");
	assert_has(json, "\"by_period\":{\"d0\":\"7.25\"}");
	{
		pcrm_usage *u = NULL;
		pcrm_bill *b = NULL;
		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		cr_assert_eq(pcrm_usage_add_interval(u, 0, 3600, D("4")), PCRM_OK);
		cr_assert_eq(pcrm_usage_add_interval(u, 3600, 3600, D("12")), PCRM_OK);
		cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(1970, 1, 1), DAY(1970, 1, 31), u, NULL, &b),
		             PCRM_OK, "%s", pcrm_error_last());
		assert_dec(pcrm_bill_total(b), "87.00"); /* 12 kW x 7.25 */
		pcrm_bill_free(b);
		pcrm_usage_free(u);
	}
	pcrm_free(json);
	pcrm_tariff_free(t);

	import_refused("{\"label\":\"has space\",\"startdate\":0}", PCRM_EINVAL,
	               (const char *const[]){ "options.id", NULL });
}

/* A rate of `periods` one-tier periods, hour h of month m in period (24 m + h) % periods. */
static void many_periods_rate(char *doc, size_t size, int periods)
{
	size_t o = 0;

	o += (size_t)snprintf(doc + o, size - o, "{\"label\":\"p\",\"startdate\":0,"
	                      "\"energyratestructure\":[");
	for (int p = 0; p < periods; p++)
		o += (size_t)snprintf(doc + o, size - o, "%s[{\"rate\":0.%03d}]", p ? "," : "", p + 1);
	o += (size_t)snprintf(doc + o, size - o, "],\"energyweekdayschedule\":[");
	for (int m = 0; m < 12; m++) {
		o += (size_t)snprintf(doc + o, size - o, "%s[", m ? "," : "");
		for (int h = 0; h < 24; h++)
			o += (size_t)snprintf(doc + o, size - o, "%s%d", h ? "," : "", (24 * m + h) % periods);
		o += (size_t)snprintf(doc + o, size - o, "]");
	}
	snprintf(doc + o, size - o, "]}");
}

Test(urdb, up_to_36_periods_map_and_more_are_refused)
{
	char doc[16384];
	char *json;
	pcrm_tariff *t;

	many_periods_rate(doc, sizeof(doc), 30);
	t = import_ok(doc, NULL, &json);
	cr_assert_eq(pcrm_tariff_period_count(t), 30);
	assert_has(json, "\"p29\":\"0.03\"");
	pcrm_free(json);
	pcrm_tariff_free(t);

	many_periods_rate(doc, sizeof(doc), 40);
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "energyweekdayschedule (40 time-of-use periods (the "
	                                      "format holds at most 36))", NULL });
}

/* January..December: period 0 at night (hours 0-5), 1 by day. */
static const char two_period_schedule[] =
	"[[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
	"[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
	"[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
	"[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
	"[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
	"[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]";

static char *two_period_rate(const char *structure, const char *extra)
{
	size_t n = strlen(structure) + strlen(extra) + sizeof(two_period_schedule) + 128;
	char *doc = malloc(n);

	cr_assert_not_null(doc);
	snprintf(doc, n, "{\"label\":\"t\",\"startdate\":\"2026-01-01\",\"energyratestructure\":%s,"
	         "\"energyweekdayschedule\":%s%s}", structure, two_period_schedule, extra);
	return doc;
}

Test(urdb, prices_per_period_and_tier_become_energy_rates)
{
	/* tier maxima and prices of their own per period, one maximum in kWh/kW */
	char *doc = two_period_rate("[[{\"max\":100,\"rate\":0.1,\"adj\":0.01},{\"rate\":0.2}],"
	                            "[{\"max\":200,\"unit\":\"kWh/kW\",\"rate\":0.3},{\"rate\":0.25}]]", "");
	char *json;
	pcrm_tariff *t = import_ok(doc, NULL, &json);
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	assert_has(json, "\"rates\":{\"p0\":[{\"max\":\"100\",\"price\":\"0.11\"},{\"price\":\"0.2\"}],"
	                 "\"p1\":[{\"max\":\"200\",\"max_unit\":\"kWh/kW\",\"price\":\"0.3\"},"
	                 "{\"price\":\"0.25\"}]}");
	cr_assert_null(strstr(json, "\"tiers\""), "%s", json);
	/* 150 kWh at night, 450 by day, 2 kW: 600 kWh split 100/500 (p0) and 400/200 (p1) */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "p0", D("150")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "p1", D("450")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("2")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	/* p0: 150 x 100/600 = 25 x 0.11, 125 x 0.2; p1: 450 x 400/600 = 300 x 0.3, 150 x 0.25 */
	assert_dec(find_line(b, "energy", "p0", 1)->amount, "2.75");
	assert_dec(find_line(b, "energy", "p0", 2)->amount, "25.00");
	assert_dec(find_line(b, "energy", "p1", 1)->amount, "90.00");
	assert_dec(find_line(b, "energy", "p1", 2)->amount, "37.50");
	assert_dec(pcrm_bill_total(b), "155.25");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(doc);
}

Test(urdb, dgrules_become_net_metering)
{
	char *doc = two_period_rate("[[{\"rate\":0.1,\"sell\":0.04}],[{\"rate\":0.3,\"sell\":0.06}]]",
	                            ",\"dgrules\":\"Net Billing Instantaneous\"");
	char *json;
	pcrm_tariff *t = import_ok(doc, NULL, &json);
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	assert_has(json, "\"net_metering\":{\"mode\":\"net_billing\",\"sell_prices\":{\"p0\":\"0.04\","
	                 "\"p1\":\"0.06\"}}");
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "p0", D("100")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "p1", D("100")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_export_period(u, "p1", D("150")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	/* net billing: 10.00 + 30.00 bought, 150 x 0.06 = 9.00 credited */
	assert_dec(pcrm_bill_total(b), "31.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_free(json);
	pcrm_tariff_free(t);
	free(doc);

	doc = two_period_rate("[[{\"rate\":0.1,\"sell\":0.05}],[{\"rate\":0.3,\"sell\":0.05}]]",
	                      ",\"dgrules\":\"Net Metering\"");
	json = convert(doc);
	assert_has(json, "\"net_metering\":{\"mode\":\"net_metering\",\"sell_price\":\"0.05\"}");
	pcrm_free(json);
	free(doc);

	/* what cannot be said: sell rates per tier, exports without a rule, unknown rules */
	doc = two_period_rate("[[{\"max\":10,\"rate\":0.1,\"sell\":0.05},{\"rate\":0.2,\"sell\":0.04}],"
	                      "[{\"rate\":0.3}]]", ",\"dgrules\":\"Net Metering\"");
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "energyratestructure (sell rates that differ by tier)",
	                                      NULL });
	free(doc);
	doc = two_period_rate("[[{\"rate\":0.1,\"sell\":0.05}],[{\"rate\":0.3}]]", "");
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "energyratestructure (sell rates without dgrules", NULL });
	free(doc);
	doc = two_period_rate("[[{\"rate\":0.1}],[{\"rate\":0.3}]]", ",\"dgrules\":\"Buy All Sell All\"");
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "dgrules (\"Buy All Sell All\"", NULL });
	free(doc);
	doc = two_period_rate("[[{\"rate\":0.1}],[{\"rate\":0.3}]]", ",\"dgrules\":\"Barter\"");
	import_refused(doc, PCRM_EUNSUPPORTED,
	               (const char *const[]){ "dgrules (\"Barter\" is not a URDB rule", NULL });
	free(doc);
}

Test(urdb, time_zone_bills_local_clock_hours)
{
	pcrm_urdb_options o = PCRM_URDB_OPTIONS_INIT;
	char *doc = two_period_rate("[[{\"rate\":0.1}],[{\"rate\":0.3}]]", "");
	char *json;
	pcrm_tariff *t;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	o.time_zone = "America/Los_Angeles";
	t = import_ok(doc, &o, &json);
	assert_has(json, "\"time_zone\":\"America/Los_Angeles\"");
	cr_assert_null(strstr(json, "utc_offset"), "%s", json);
	/*
	 * 13:00 UTC is 05:00 PST in January (night, p0) and 06:00 PDT in July
	 * (day, p1): the schedule's hours follow the local clock.
	 */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2026, 13), 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 1, 1), DAY(2026, 1, 1), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	cr_assert_not_null(find_line(b, "energy", "p0", 0));
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, utc_hour(2026, 181 * 24 + 13), 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 1), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	cr_assert_not_null(find_line(b, "energy", "p1", 0));
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_free(json);
	pcrm_tariff_free(t);

	/* not with utc_offset; an unknown zone is the loader's refusal, reported */
	o.utc_offset = "-08:00";
	json = (char *)"untouched";
	cr_assert_eq(pcrm_tariff_from_urdb(doc, &o, &json), PCRM_EINVAL);
	cr_assert_null(json);
	cr_assert(strstr(pcrm_error_last(), "options.time_zone"), "%s", pcrm_error_last());
	o.utc_offset = NULL;
	o.time_zone = "Nowhere/Atlantis";
	cr_assert_eq(pcrm_tariff_from_urdb(doc, &o, &json), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "time_zone"), "%s", pcrm_error_last());
	free(doc);
}

Test(urdb, options_of_version_1_are_still_read)
{
	/* a caller built against version 1 has no time_zone member: it must not be read */
	pcrm_urdb_options v1 = PCRM_URDB_OPTIONS_INIT;
	char *holder = malloc(offsetof(pcrm_urdb_options, time_zone)), *json = NULL;

	cr_assert_not_null(holder);
	v1.version = 1;
	v1.utc_offset = "-05:00";
	memcpy(holder, &v1, offsetof(pcrm_urdb_options, time_zone));
	cr_assert_eq(pcrm_tariff_from_urdb("{\"label\":\"a\",\"startdate\":0}",
	                                   (const pcrm_urdb_options *)(void *)holder, &json),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_has(json, "\"utc_offset\":\"-05:00\"");
	pcrm_free(json);
	free(holder);
}

Test(urdb, tiers_with_a_surcharge_per_period_and_daily_maxima)
{
	char *json = convert(
		"{\"label\":\"s\",\"startdate\":0,\"energyratestructure\":["
		"[{\"max\":10,\"unit\":\"kWh daily\",\"rate\":0.1},{\"unit\":\"kWh daily\",\"rate\":0.15}],"
		"[{\"max\":10,\"unit\":\"kWh daily\",\"rate\":0.3},{\"unit\":\"kWh daily\",\"rate\":0.35}]],"
		"\"energyweekdayschedule\":[[0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
		"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]}");

	assert_has(json, "\"tier_basis\":\"daily\"");
	assert_has(json, "\"tiers\":[{\"max\":\"10\",\"surcharge\":\"0\"},{\"surcharge\":\"0.05\"}]");
	assert_has(json, "\"prices\":{\"p0\":\"0.1\",\"p1\":\"0.3\"}");
	pcrm_free(json);
}

Test(urdb, bad_arguments)
{
	pcrm_urdb_options o = PCRM_URDB_OPTIONS_INIT;
	char *json = NULL;

	cr_assert_eq(pcrm_tariff_from_urdb("{}", NULL, NULL), PCRM_EINVAL);
	cr_assert_eq(pcrm_tariff_from_urdb(NULL, NULL, &json), PCRM_EINVAL);
	o.version = 99;
	cr_assert_eq(pcrm_tariff_from_urdb("{}", &o, &json), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "options.version"));
	cr_assert_null(json);
}
