/*
 * The interval path against the per-interval reference it replaced: every
 * interval converted on its own to local civil time and its TOU period
 * (pcrm_tariff_period_at(), with the calendar when one is given), summed
 * into per-period registers and demands.  The bill from the intervals must
 * equal the bill from those registers, for every shipped tariff, both real
 * load profiles (tests/tariff/data), every month of 2026, hourly and
 * 15-minute data, in order, shuffled (the overlap bitmap) and with gaps.
 */
#include "tariff_test.h"

#define HOURS 8760

static int64_t wh[HOURS];

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

struct iv {
	pcrm_time at;
	int seconds;
	int64_t wh;
};

/* The reference: one civil conversion per interval, as the engine did before. */
static pcrm_usage *reference_registers(const pcrm_tariff *t, const struct iv *v, size_t n,
                                       const pcrm_calendar *cal)
{
	int64_t energy[PCRM_TARIFF_MAX_PERIODS] = { 0 }, demand[PCRM_TARIFF_MAX_PERIODS] = { 0 };
	int seen[PCRM_TARIFF_MAX_PERIODS] = { 0 };
	int64_t max = 0;
	pcrm_usage *u = NULL;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (size_t i = 0; i < n; i++) {
		int p;
		int64_t kw = v[i].wh * (3600 / v[i].seconds);
		cr_assert_eq(pcrm_tariff_period_at(t, v[i].at, cal, &p), PCRM_OK);
		energy[p] += v[i].wh;
		if (!seen[p] || kw > demand[p])
			demand[p] = kw;
		seen[p] = 1;
		if (kw > max)
			max = kw;
	}
	for (size_t p = 0; p < pcrm_tariff_period_count(t); p++) {
		const char *name = pcrm_tariff_period_name(t, p);
		cr_assert_eq(pcrm_usage_set_period(u, name, pcrm_decimal_make(energy[p], 3)), PCRM_OK);
		if (seen[p])
			cr_assert_eq(pcrm_usage_set_period_demand(u, name, pcrm_decimal_make(demand[p], 3)),
			             PCRM_OK);
	}
	if (n)
		cr_assert_eq(pcrm_usage_set_max_demand(u, pcrm_decimal_make(max, 3)), PCRM_OK);
	return u;
}

static void assert_same_bill(const pcrm_bill *a, const pcrm_bill *b, const char *what)
{
	cr_assert_eq(pcrm_bill_line_count(a), pcrm_bill_line_count(b), "%s", what);
	for (size_t i = 0; i < pcrm_bill_line_count(a); i++) {
		const pcrm_bill_line *x = pcrm_bill_line_at(a, i), *y = pcrm_bill_line_at(b, i);
		cr_assert_str_eq(x->code, y->code, "%s line %zu", what, i);
		cr_assert_eq(x->period == NULL, y->period == NULL, "%s line %zu", what, i);
		if (x->period)
			cr_assert_str_eq(x->period, y->period, "%s line %zu", what, i);
		cr_assert_eq(pcrm_decimal_cmp(x->quantity, y->quantity), 0, "%s line %zu", what, i);
		cr_assert_eq(pcrm_decimal_cmp(x->amount, y->amount), 0, "%s line %zu", what, i);
	}
	cr_assert_eq(pcrm_decimal_cmp(pcrm_bill_total(a), pcrm_bill_total(b)), 0, "%s", what);
}

static uint64_t rng = 0x2545F4914F6CDD1Du;

static size_t rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

enum order { IN_ORDER, SHUFFLED, WITH_GAPS };

/* Bills month m of 2026 from intervals and from the reference registers. */
static void compare_month(const pcrm_tariff *t, int offset, int m, int seconds, enum order order,
                          const pcrm_calendar *cal, const char *label)
{
	pcrm_bill_customer cust = PCRM_BILL_CUSTOMER_INIT;
	pcrm_civil c0 = { 2026, m, 1, 0, 0, 0 };
	int days = pcrm_days_in_month(2026, m), per_hour = 3600 / seconds, first_hour = 0;
	size_t n = 0, cap = (size_t)days * 24 * (size_t)per_hour;
	struct iv *v = malloc(cap * sizeof(*v));
	pcrm_usage *u = NULL, *regs;
	pcrm_bill *a = NULL, *b = NULL;
	pcrm_time start;
	char what[160];

	cr_assert_not_null(v);
	cust.contract_demand_kw = D("250");
	cust.contract_capacity_kva = D("315");
	for (int mm = 1; mm < m; mm++)
		first_hour += pcrm_days_in_month(2026, mm) * 24;
	cr_assert_eq(pcrm_time_from_civil(&c0, offset, &start), PCRM_OK);
	for (int h = 0; h < days * 24; h++)
		for (int k = 0; k < per_hour; k++) {
			int64_t part = wh[first_hour + h] / per_hour;
			if (k == per_hour - 1)
				part = wh[first_hour + h] - part * (per_hour - 1);
			if (order == WITH_GAPS && rnd(10) == 0)
				continue; /* a missing reading */
			v[n].at = start + (pcrm_time)h * 3600 + (pcrm_time)k * seconds;
			v[n].seconds = seconds;
			v[n].wh = part;
			n++;
		}
	if (order == SHUFFLED)
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = rnd(i + 1);
			struct iv tmp = v[i];
			v[i] = v[j];
			v[j] = tmp;
		}
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(pcrm_usage_add_interval(u, v[i].at, v[i].seconds,
		                                     pcrm_decimal_make(v[i].wh, 3)), PCRM_OK);
	regs = reference_registers(t, v, n, cal);
	snprintf(what, sizeof(what), "%s %s month %d, %d s, order %d, calendar %d", label,
	         pcrm_tariff_id(t), m, seconds, (int)order, cal != NULL);
	cr_assert_eq(pcrm_bill_compute(t, &cust, DAY(2026, m, 1), DAY(2026, m, days), u, cal, &a),
	             PCRM_OK, "%s: %s", what, pcrm_error_last());
	cr_assert_eq(pcrm_bill_compute(t, &cust, DAY(2026, m, 1), DAY(2026, m, days), regs, cal, &b),
	             PCRM_OK, "%s: %s", what, pcrm_error_last());
	assert_same_bill(a, b, what);
	pcrm_bill_free(a);
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_usage_free(regs);
	free(v);
}

static const struct {
	const char *name;
	int offset;
	int hourly; /* its bands change on the hour: hourly data can be billed */
} tariffs[] = {
	{ "cn-residential-tiered-tou", 8 * 3600, 1 },
	{ "cn-large-industry-two-part", 8 * 3600, 1 },
	{ "cn-gd-guangzhou-residential", 8 * 3600, 1 },
	{ "us-commercial-tou-demand", -8 * 3600, 1 },
};

static void compare_all(const char *profile, enum order order, int with_calendar)
{
	pcrm_calendar *cal = NULL;

	read_profile(profile);
	if (with_calendar)
		cr_assert_eq(pcrm_calendar_load_file(&cal, data_path("data/calendars/cn-2026.json")),
		             PCRM_OK, "%s", pcrm_error_last());
	for (size_t i = 0; i < sizeof(tariffs) / sizeof(tariffs[0]); i++) {
		pcrm_tariff *t = load_data_tariff(tariffs[i].name);
		for (int m = 1; m <= 12; m++) {
			if (tariffs[i].hourly)
				compare_month(t, tariffs[i].offset, m, 3600, order, cal, profile);
			compare_month(t, tariffs[i].offset, m, 900, order, cal, profile);
		}
		pcrm_tariff_free(t);
	}
	pcrm_calendar_free(cal);
}

Test(interval_paths, residential_profile_in_order)
{
	compare_all("ssc_res_load_kwh.csv", IN_ORDER, 0);
}

Test(interval_paths, commercial_profile_in_order_with_calendar)
{
	compare_all("ssc_commercial_load_kwh.csv", IN_ORDER, 1);
}

Test(interval_paths, shuffled_intervals_use_the_overlap_bitmap)
{
	compare_all("ssc_commercial_load_kwh.csv", SHUFFLED, 0);
}

Test(interval_paths, missing_readings)
{
	compare_all("ssc_res_load_kwh.csv", WITH_GAPS, 1);
}

/* A shuffled month still finds the overlap and names the same interval as in order. */
Test(interval_paths, overlap_found_out_of_order)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_civil c0 = { 2026, 7, 1, 0, 0, 0 };
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	pcrm_time start;

	cr_assert_eq(pcrm_time_from_civil(&c0, 8 * 3600, &start), PCRM_OK);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int h = 0; h < 48; h++)
		cr_assert_eq(pcrm_usage_add_interval(u, start + h * 3600, 3600, D("1")), PCRM_OK);
	/* earlier than the last one (the bitmap starts), and clear of all */
	cr_assert_eq(pcrm_usage_add_interval(u, start + 72 * 3600, 900, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, start + 60 * 3600, 900, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_dec(pcrm_bill_energy(b), "50");
	pcrm_bill_free(b);
	b = NULL;
	/* now one inside hour 5, which came much earlier */
	cr_assert_eq(pcrm_usage_add_interval(u, start + 5 * 3600 + 2700, 900, D("1")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.intervals[50]: overlaps an earlier interval");
	cr_assert_null(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* Overflows inside a run of back-to-back intervals name what one at a time named. */
Test(interval_paths, overflow_inside_a_run)
{
	pcrm_tariff *t = load_data_tariff("cn-residential-tiered-tou");
	pcrm_civil c0 = { 2026, 7, 1, 0, 0, 0 };
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	pcrm_time start;

	cr_assert_eq(pcrm_time_from_civil(&c0, 8 * 3600, &start), PCRM_OK);
	/* 00:00-03:00 is one valley run: the third 4e12 kWh does not fit in the period's total */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int h = 0; h < 3; h++)
		cr_assert_eq(pcrm_usage_add_interval(u, start + h * 3600, 3600, D("4000000000000")),
		             PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EOVERFLOW, "a sum does not fit");
	pcrm_usage_free(u);
	/* a quarter hour of 3e12 kWh is 1.2e13 kW: interval 2's demand does not fit */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, start, 900, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, start + 900, 900, D("2")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, start + 1800, 900, D("3000000000000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, start + 2700, 900, D("3000000000000")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EOVERFLOW, "usage.intervals[2]: demand too large");
	cr_assert_null(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
