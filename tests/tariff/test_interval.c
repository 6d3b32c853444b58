/*
 * Interval data: real hourly load profiles (tests/tariff/data, from NREL's
 * ssc) billed from intervals must give exactly the bill of the same energy
 * given as per-period registers (each hour assigned to its TOU period by
 * civil time in UTC+8), hourly and 15-minute data agree, maximum demand is
 * read from the intervals, and bad intervals are refused by index.
 */
#include "tariff_test.h"

#define HOURS 8760

static int64_t wh[HOURS]; /* the profile in Wh */

static void read_profile(const char *name)
{
	char rel[256], line[64];
	FILE *f;
	int n = 0;

	snprintf(rel, sizeof(rel), "tests/tariff/data/%s", name);
	cr_assert_not_null(f = fopen(data_path(rel), "r"), "%s", data_path(rel));
	while (n < HOURS && fgets(line, sizeof(line), f)) {
		pcrm_decimal d;
		line[strcspn(line, "\n")] = '\0';
		cr_assert_eq(pcrm_decimal_parse(line, &d), PCRM_OK, "%s", line);
		cr_assert_eq(pcrm_decimal_round(d, 3, PCRM_ROUND_HALF_UP, &d), PCRM_OK);
		wh[n++] = d.units;
	}
	fclose(f);
	cr_assert_eq(n, HOURS);
}

static pcrm_time hour_start(int hour_of_year, int utc_offset)
{
	pcrm_civil c = { 2026, 1, 1, 0, 0, 0 };
	pcrm_time t;
	cr_assert_eq(pcrm_time_from_civil(&c, utc_offset, &t), PCRM_OK);
	return t + (pcrm_time)hour_of_year * 3600;
}

/* Hour of the year at which a 2026 month starts. */
static int month_first_hour(int month)
{
	int days = 0;
	for (int m = 1; m < month; m++)
		days += pcrm_days_in_month(2026, m);
	return days * 24;
}

static void assert_same_bill(const pcrm_bill *a, const pcrm_bill *b)
{
	cr_assert_eq(pcrm_bill_line_count(a), pcrm_bill_line_count(b));
	for (size_t i = 0; i < pcrm_bill_line_count(a); i++) {
		const pcrm_bill_line *x = pcrm_bill_line_at(a, i), *y = pcrm_bill_line_at(b, i);
		cr_assert_str_eq(x->code, y->code);
		cr_assert_eq(pcrm_decimal_cmp(x->quantity, y->quantity), 0, "line %zu", i);
		cr_assert_eq(pcrm_decimal_cmp(x->amount, y->amount), 0, "line %zu", i);
	}
	cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(a), pcrm_bill_total(b)), 0);
}

Test(interval, residential_july_from_hours_equals_registers)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_usage *hourly = NULL, *quarters = NULL, *regs = NULL;
	int64_t peak = 0, valley = 0;
	int first = month_first_hour(7);
	pcrm_bill *a = NULL, *b = NULL, *c = NULL;

	read_profile("ssc_res_load_kwh.csv");
	cr_assert_eq(pcrm_usage_new(&hourly), PCRM_OK);
	cr_assert_eq(pcrm_usage_new(&quarters), PCRM_OK);
	cr_assert_eq(pcrm_usage_new(&regs), PCRM_OK);
	for (int h = first; h < first + 31 * 24; h++) {
		int hod = (h - first) % 24;
		pcrm_time at = hour_start(h, PCRM_UTC_OFFSET_CHINA);
		int64_t q = wh[h] / 4;
		/* peak 08:00-22:00, valley the rest (the tariff's bands), by hand */
		if (hod >= 8 && hod < 22)
			peak += wh[h];
		else
			valley += wh[h];
		cr_assert_eq(pcrm_usage_add_interval(hourly, at, 3600, pcrm_decimal_make(wh[h], 3)),
		             PCRM_OK);
		for (int k = 0; k < 4; k++)
			cr_assert_eq(pcrm_usage_add_interval(quarters, at + k * 900, 900,
			                                     pcrm_decimal_make(k == 3 ? wh[h] - 3 * q : q,
			                                                       3)), PCRM_OK);
	}
	cr_assert_eq(pcrm_usage_set_period(regs, "peak", pcrm_decimal_make(peak, 3)), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(regs, "valley", pcrm_decimal_make(valley, 3)), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), hourly, NULL, &a),
	             PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), quarters, NULL,
	                               &b), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), regs, NULL, &c),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_same_bill(a, c);
	assert_same_bill(b, c);
	assert_total_is_sum(a);
	cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_energy(a), pcrm_decimal_make(peak + valley, 3)), 0);
	cr_assert_gt(pcrm_decimal_sign(pcrm_bill_total(a)), 0);
	pcrm_bill_free(a);
	pcrm_bill_free(b);
	pcrm_bill_free(c);
	pcrm_usage_free(hourly);
	pcrm_usage_free(quarters);
	pcrm_usage_free(regs);
	pcrm_tariff_free(t);
}

Test(interval, commercial_year_by_month_and_max_demand)
{
	pcrm_tariff *t = load_data_tariff("cn-large-industry-two-part");
	pcrm_bill_customer cust = PCRM_BILL_CUSTOMER_INIT;
	int64_t year_total = 0;

	read_profile("ssc_commercial_load_kwh.csv");
	cust.contract_demand_kw = D("250");
	for (int m = 1; m <= 12; m++) {
		int first = month_first_hour(m), hours = pcrm_days_in_month(2026, m) * 24;
		pcrm_usage *u = NULL, *regs = NULL;
		int64_t energy[5] = { 0 }, max = 0;
		pcrm_bill *a = NULL, *b = NULL;
		const pcrm_bill_line *l;

		cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
		cr_assert_eq(pcrm_usage_new(&regs), PCRM_OK);
		for (int h = first; h < first + hours; h++) {
			pcrm_time at = hour_start(h, PCRM_UTC_OFFSET_CHINA);
			int p;
			cr_assert_eq(pcrm_usage_add_interval(u, at, 3600, pcrm_decimal_make(wh[h], 3)),
			             PCRM_OK);
			cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
			energy[p] += wh[h];
			if (wh[h] > max)
				max = wh[h];
		}
		for (size_t p = 0; p < 5; p++)
			cr_assert_eq(pcrm_usage_set_period(regs, pcrm_tariff_period_name(t, p),
			                                   pcrm_decimal_make(energy[p], 3)), PCRM_OK);
		cr_assert_eq(pcrm_usage_set_max_demand(regs, pcrm_decimal_make(max, 3)), PCRM_OK);
		cr_assert_eq(pcrm_bill_compute(t, &cust, DAY(2026, m, 1),
		                               DAY(2026, m, pcrm_days_in_month(2026, m)), u, NULL, &a),
		             PCRM_OK, "%s", pcrm_error_last());
		cr_assert_eq(pcrm_bill_compute(t, &cust, DAY(2026, m, 1),
		                               DAY(2026, m, pcrm_days_in_month(2026, m)), regs, NULL,
		                               &b), PCRM_OK, "%s", pcrm_error_last());
		assert_same_bill(a, b);
		assert_total_is_sum(a);
		l = find_line(a, "basic_contract_demand", NULL, 0);
		cr_assert_not_null(l);
		assert_dec(l->quantity, "250");
		/* the largest hourly energy is the maximum demand (kW); above 105 % of 250 it pays double */
		l = find_line(a, "basic_contract_demand_excess", NULL, 0);
		if (max > 262500)
			cr_assert_eq(pcrm_decimal_cmp(l->quantity, pcrm_decimal_make(max - 262500, 3)), 0);
		else
			cr_assert_null(l);
		{
			pcrm_decimal e;
			cr_assert_eq(pcrm_decimal_round(pcrm_bill_energy(a), 3, PCRM_ROUND_HALF_UP, &e),
			             PCRM_OK);
			year_total += e.units;
		}
		pcrm_bill_free(a);
		pcrm_bill_free(b);
		pcrm_usage_free(u);
		pcrm_usage_free(regs);
	}
	cr_assert_eq(year_total, 726207814); /* 726,207.814 kWh: every hour billed once */
	pcrm_tariff_free(t);
}

Test(interval, demand_per_tou_period_from_intervals)
{
	pcrm_tariff *t = load_data_tariff("us-commercial-tou-demand");
	const int offset = -8 * 3600;
	int first = month_first_hour(7);
	int64_t max = 0, peak_max = 0;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	read_profile("ssc_commercial_load_kwh.csv");
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int h = first; h < first + 31 * 24; h++) {
		pcrm_time at = hour_start(h, offset);
		int p;
		cr_assert_eq(pcrm_usage_add_interval(u, at, 3600, pcrm_decimal_make(wh[h], 3)), PCRM_OK);
		cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
		if (wh[h] > max)
			max = wh[h];
		if (strcmp(pcrm_tariff_period_name(t, (size_t)p), "summer_peak") == 0 && wh[h] > peak_max)
			peak_max = wh[h];
	}
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_total_is_sum(b);
	cr_assert_eq(pcrm_decimal_cmp(find_line(b, "demand_flat", NULL, 0)->quantity,
	                              pcrm_decimal_make(max, 3)), 0);
	cr_assert_eq(pcrm_decimal_cmp(find_line(b, "demand_tou", "summer_peak", 0)->quantity,
	                              pcrm_decimal_make(peak_max, 3)), 0);
	cr_assert_lt(peak_max, max + 1);
	cr_assert_null(find_line(b, "demand_tou", "winter_peak", 0), "no winter hours in July");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(interval, refuses_bad_intervals_by_index)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_time july = hour_start(month_first_hour(7), PCRM_UTC_OFFSET_CHINA);
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, july, 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, july + 1800, 900, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.intervals[1]: overlaps an earlier interval");
	pcrm_usage_free(u);

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, july + 300, 900, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.intervals[0].start: 00:05:00 is not aligned to its 900");
	pcrm_usage_free(u);

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, july, 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, july - 3600, 3600, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.intervals[1].start: 2026-06-30 23:00 is outside the billing");
	expect_error(pcrm_usage_set_total(u, D("1")), PCRM_EINVAL, "already has intervals");
	cr_assert_null(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
