/*
 * Interval-data benchmark (issue #19): a year of loads billed monthly, per
 * customer-year, against a baseline measured in the same run: a loop that
 * only sums the same interval values (checked 64-bit additions over the
 * usage's intervals, as any exact sum must).  Reported for hourly (8,760
 * values) and 15-minute (35,040) data:
 *
 *   baseline   sum the values
 *   path       the interval path alone: map every interval to its TOU
 *              period and sum energy and demand per period
 *              (pcrm__intervals_to_periods, 12 calls)
 *   bill       the 12 whole bills from the intervals (pcrm_bill_compute)
 *   registers  the 12 bills from per-period registers (no intervals)
 *   old path   the per-interval civil conversion this replaced (a copy of
 *              it, kept here so the speed-up is measured, not remembered)
 *
 * Thread CPU time, min / median / max over ROUNDS rounds; the target is
 * path / baseline <= 3.  Never asserts on times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

#include "tariff/tariff_internal.h"
#include "tariff/zone.h"

#define ROUNDS 5
#define HOURS 8760

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717u) % n;
}

static int64_t profile[HOURS]; /* Wh */

static int read_profile(const char *root)
{
	char path[4096], line[64];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/tests/tariff/data/ssc_commercial_load_kwh.csv", root);
	if (!(f = fopen(path, "r")))
		return -1;
	while (n < HOURS && fgets(line, sizeof(line), f)) {
		pcrm_decimal d;
		line[strcspn(line, "\n")] = '\0';
		if (pcrm_decimal_parse(line, &d) < 0 || pcrm_decimal_round(d, 3, PCRM_ROUND_HALF_UP,
		                                                           &d) < 0)
			break;
		profile[n++] = d.units;
	}
	fclose(f);
	return n == HOURS ? 0 : -1;
}

struct customer {
	pcrm_usage *month[12];
	pcrm_usage *regs[12];
};

/* The old path: one civil conversion per interval, overlap bits one at a time. */
static int old_path(const pcrm_tariff *t, const pcrm_usage *u, int64_t first_day, int64_t days,
                    int64_t energy[PCRM_TARIFF_MAX_PERIODS], int64_t demand[PCRM_TARIFF_MAX_PERIODS])
{
	size_t slots = (size_t)days * 288;
	unsigned char *used = calloc((slots + 7) / 8, 1);

	if (!used)
		return -1;
	for (size_t i = 0; i < u->interval_count; i++) {
		const struct pcrm__interval *iv = &u->intervals[i];
		pcrm_civil c;
		pcrm_date d;
		int64_t day, kw;
		size_t slot, n;
		int sod, p, weekend;
		if (pcrm_time_to_civil(iv->start, t->utc_offset, &c) < 0)
			goto fail;
		d.year = c.year;
		d.month = c.month;
		d.day = c.day;
		day = pcrm_date_to_days(d) - first_day;
		sod = c.hour * 3600 + c.minute * 60 + c.second;
		if (day < 0 || day >= days || sod % iv->seconds != 0)
			goto fail;
		slot = (size_t)day * 288 + (size_t)(sod / 300);
		for (n = 0; n < (size_t)iv->seconds / 300; n++, slot++) {
			if (used[slot / 8] & (1u << (slot % 8)))
				goto fail;
			used[slot / 8] |= (unsigned char)(1u << (slot % 8));
		}
		weekend = pcrm_date_weekday(d) >= 6;
		p = pcrm__tariff_period(t, c.month, sod / 1800, weekend);
		if (iv->seconds == 3600 && pcrm__tariff_period(t, c.month, sod / 1800 + 1, weekend) != p)
			goto fail;
		if (__builtin_add_overflow(energy[p], iv->kwh, &energy[p]) ||
		    __builtin_mul_overflow(iv->kwh, (int64_t)(3600 / iv->seconds), &kw))
			goto fail;
		if (kw > demand[p])
			demand[p] = kw;
	}
	free(used);
	return 0;
fail:
	free(used);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum what { BASELINE, PATH, BILL, REGISTERS, OLD, KINDS };
static const char *const names[KINDS] = { "baseline (sum)", "interval path", "bills (intervals)",
                                          "bills (registers)", "old interval path" };

static volatile int64_t sink;

static int run(enum what w, const pcrm_tariff *t, struct customer *cs, size_t n, int year,
               int passes)
{
	pcrm_bill_customer bc = PCRM_BILL_CUSTOMER_INIT;
	int64_t check = 0;

	for (size_t i = 0, pass = 0; pass < (size_t)passes; i = 0, pass++)
	for (; i < n; i++)
		for (int m = 1; m <= 12; m++) {
			const pcrm_usage *u = cs[i].month[m - 1];
			pcrm_date a = { year, m, 1 }, b = { year, m, pcrm_days_in_month(year, m) };
			int64_t first = pcrm_date_to_days(a), days = pcrm_date_to_days(b) - first + 1;
			switch (w) {
			case BASELINE: {
				int64_t s = 0;
				for (size_t k = 0; k < u->interval_count; k++)
					if (__builtin_add_overflow(s, u->intervals[k].kwh, &s))
						return -1;
				check += s;
				break;
			}
			case PATH: {
				struct pcrm__interval_totals tot;
				if (pcrm__intervals_to_periods(t, u, first, days, NULL, &tot) < 0)
					return -1;
				check += tot.energy[0] + tot.max_demand;
				break;
			}
			case OLD: {
				int64_t e[PCRM_TARIFF_MAX_PERIODS] = { 0 }, d[PCRM_TARIFF_MAX_PERIODS] = { 0 };
				if (old_path(t, u, first, days, e, d) < 0)
					return -1;
				check += e[0] + d[0];
				break;
			}
			case BILL:
			case REGISTERS: {
				pcrm_bill *bill;
				if (pcrm_bill_compute(t, &bc, a, b, w == BILL ? u : cs[i].regs[m - 1], NULL,
				                      &bill) < 0)
					return -1;
				check += pcrm_bill_total(bill).units;
				pcrm_bill_free(bill);
				break;
			}
			default:
				return -1;
			}
		}
	sink = check;
	return 0;
}

/*
 * n customer-years of `seconds` data from local midnight on 1 January, each
 * the profile scaled by 50..150 %; each hour goes to the month of its local
 * date (in a zone with DST, March has 743 hours and November 745).
 */
static struct customer *make_customers(const pcrm_tariff *t, size_t n, int seconds, int year)
{
	struct customer *cs = calloc(n, sizeof(*cs));
	pcrm_civil c0 = { year, 1, 1, 0, 0, 0 };
	pcrm_date first = { year, 1, 1 };
	int64_t per = 3600 / seconds;
	pcrm_time start;

	if (!cs || pcrm_time_from_civil(&c0, t->utc_offset, &start) < 0)
		return NULL;
	if (t->zone)
		start = pcrm__zone_local_start(t->zone, pcrm_date_to_days(first) * 86400);
	for (size_t i = 0; i < n; i++) {
		int64_t scale = 50 + (int64_t)rnd(101);
		for (int m = 0; m < 12; m++)
			if (pcrm_usage_new(&cs[i].month[m]) < 0 || pcrm_usage_new(&cs[i].regs[m]) < 0)
				return NULL;
		for (int h = 0; h < HOURS; h++) {
			pcrm_time at = start + (pcrm_time)h * 3600;
			int64_t wh = profile[h] * scale / 100;
			pcrm_civil c;
			if (pcrm_time_to_civil(at, t->zone ? pcrm__zone_offset_at(t->zone, at)
			                                   : t->utc_offset, &c) < 0)
				return NULL;
			for (int64_t k = 0; k < per; k++)
				if (pcrm_usage_add_interval(cs[i].month[c.month - 1], at + k * seconds, seconds,
				                            pcrm_decimal_make(k < per - 1 ? wh / per
				                                              : wh - wh / per * (per - 1), 3)) < 0)
					return NULL;
		}
		for (int m = 1; m <= 12; m++) {
			struct pcrm__interval_totals tot;
			pcrm_date a = { year, m, 1 };
			if (pcrm__intervals_to_periods(t, cs[i].month[m - 1], pcrm_date_to_days(a),
			                               pcrm_days_in_month(year, m), NULL, &tot) < 0)
				return NULL;
			for (size_t p = 0; p < pcrm_tariff_period_count(t); p++)
				if (pcrm_usage_set_period(cs[i].regs[m - 1], pcrm_tariff_period_name(t, p),
				                          pcrm_decimal_make(tot.energy[p], 6)) < 0 ||
				    (tot.has_period_demand[p] &&
				     pcrm_usage_set_period_demand(cs[i].regs[m - 1], pcrm_tariff_period_name(t, p),
				                                  pcrm_decimal_make(tot.period_demand[p], 6)) < 0))
					return NULL;
			if (pcrm_usage_set_max_demand(cs[i].regs[m - 1],
			                              pcrm_decimal_make(tot.max_demand, 6)) < 0)
				return NULL;
		}
	}
	return cs;
}

static void free_customers(struct customer *cs, size_t n)
{
	for (size_t i = 0; cs && i < n; i++)
		for (int m = 0; m < 12; m++) {
			pcrm_usage_free(cs[i].month[m]);
			pcrm_usage_free(cs[i].regs[m]);
		}
	free(cs);
}

static int bench(const char *label, const pcrm_tariff *t, size_t n, int passes, int seconds,
                 int with_old)
{
	struct customer *cs = make_customers(t, n, seconds, 2026);
	double secs[KINDS][ROUNDS], years = (double)n * passes;

	if (!cs) {
		fprintf(stderr, "bench_interval: %s\n", pcrm_error_last());
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++)
		for (int w = 0; w < KINDS; w++) {
			double t0;
			if (w == OLD && !with_old) {
				secs[w][r] = 0;
				continue;
			}
			t0 = now_s();
			if (run((enum what)w, t, cs, n, 2026, w == OLD ? 1 : passes) < 0) {
				fprintf(stderr, "bench_interval: %s: %s\n", names[w], pcrm_error_last());
				return 1;
			}
			secs[w][r] = (now_s() - t0) * (w == OLD ? passes : 1);
		}
	printf("%s: %zu customer-years x %d passes of %d-second data (%d values each), tariff %s\n",
	       label, n, passes, seconds, HOURS * (3600 / seconds), pcrm_tariff_id(t));
	printf("  %-20s %12s %12s %12s   %s\n", "", "min", "median", "max",
	       "customer-years/s (median); ratio to the baseline (min/median/max)");
	for (int w = 0; w < KINDS; w++) {
		double ratio[ROUNDS];
		if (w == OLD && !with_old)
			continue;
		for (int r = 0; r < ROUNDS; r++)
			ratio[r] = secs[w][r] / secs[BASELINE][r];
		qsort(secs[w], ROUNDS, sizeof(double), cmp_double);
		qsort(ratio, ROUNDS, sizeof(double), cmp_double);
		printf("  %-20s %9.1f us %9.1f us %9.1f us   %10.0f/s  %5.2fx %5.2fx %5.2fx\n", names[w],
		       secs[w][0] / years * 1e6, secs[w][ROUNDS / 2] / years * 1e6,
		       secs[w][ROUNDS - 1] / years * 1e6, years / secs[w][ROUNDS / 2], ratio[0], ratio[ROUNDS / 2], ratio[ROUNDS - 1]);
	}
	free_customers(cs, n);
	return 0;
}

int main(void)
{
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char path[4096];
	pcrm_tariff *t = NULL, *la = NULL;
	char *json;
	size_t len;
	FILE *f;
	int rc;

	root = root ? root : ".";
	snprintf(path, sizeof(path), "%s/data/tariffs/us-commercial-tou-demand.json", root);
	if (read_profile(root) < 0 || pcrm_tariff_load_file(&t, path) < 0) {
		fprintf(stderr, "bench_interval: %s\n", pcrm_error_last());
		return 1;
	}
	/* the same tariff in America/Los_Angeles, with daylight saving time */
	if (!(f = fopen(path, "r")) || !(json = calloc(1, 1 << 16)))
		return 1;
	len = fread(json, 1, (1 << 16) - 1, f);
	fclose(f);
	json[len] = '\0';
	{
		static const char from[] = "\"utc_offset\": \"-08:00\"",
		                  to[] = "\"time_zone\": \"America/Los_Angeles\"";
		char *at = strstr(json, from);
		if (!at)
			return 1;
		memmove(at + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
		memcpy(at, to, strlen(to));
	}
	if (pcrm_tariff_load(&la, json) < 0) {
		fprintf(stderr, "bench_interval: %s\n", pcrm_error_last());
		return 1;
	}
	free(json);
	printf("interval bench: thread CPU time per customer-year, %d rounds\n", ROUNDS);
	/*
	 * 200 customer-years of hourly data are 42 MB (memory-bound, as a billing
	 * run is); 2, billed 100 times over, fit in the caches (the arithmetic
	 * alone).  The old path runs one pass (its time is scaled).
	 */
	rc = bench("hourly, fixed UTC-08:00, 42 MB of intervals", t, 200, 1, 3600, 1) ||
	     bench("hourly, fixed UTC-08:00, in cache", t, 2, 100, 3600, 1) ||
	     bench("hourly, America/Los_Angeles (DST), 42 MB", la, 200, 1, 3600, 0) ||
	     bench("15-minute, fixed UTC-08:00, 42 MB", t, 50, 1, 900, 1) ||
	     bench("15-minute, fixed UTC-08:00, in cache", t, 1, 100, 900, 1);
	pcrm_tariff_free(t);
	pcrm_tariff_free(la);
	return rc;
}
