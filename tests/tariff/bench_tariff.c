/*
 * Bill benchmark: compute-only bills for 1,000,000 residential customers on
 * the tiered + TOU tariff (data/tariffs/cn-residential-tiered-tou.json),
 * against a baseline measured in the same run: a bare loop that only sums
 * the same usage decimals with pcrm_decimal_add.  Prints bills per second
 * and the ratio to the baseline (thread CPU time, best of 3 rounds); never
 * asserts on times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <powercrm.h>

#define CUSTOMERS 1000000
#define ROUNDS 3 /* best of */

/*
 * CPU time of this thread: the machine is shared (parallel builds), and
 * "bills per second on one core" is about the CPU a bill costs, not about
 * how long the scheduler kept us waiting.
 */
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

int main(void)
{
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char path[4096];
	pcrm_decimal *peak = malloc(CUSTOMERS * sizeof(*peak));
	pcrm_decimal *valley = malloc(CUSTOMERS * sizeof(*valley));
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_date start = { 2026, 7, 1 }, end = { 2026, 7, 31 };
	pcrm_decimal sum = pcrm_decimal_make(0, 0), billed = pcrm_decimal_make(0, 2);
	pcrm_tariff *t = NULL;
	pcrm_usage *u = NULL;
	double t0, base_s, bill_s;
	size_t lines = 0;

	if (!peak || !valley)
		return 1;
	snprintf(path, sizeof(path), "%s/data/tariffs/cn-residential-tiered-tou.json",
	         root ? root : ".");
	if (pcrm_tariff_load_file(&t, path) < 0 || pcrm_usage_new(&u) < 0) {
		fprintf(stderr, "bench_tariff: %s\n", pcrm_error_last());
		return 1;
	}
	/* monthly usage 0..1200 kWh with Wh precision, a third of it in the valley on average */
	for (size_t i = 0; i < CUSTOMERS; i++) {
		int64_t total = (int64_t)rnd(1200000);
		int64_t v = total * (int64_t)(10 + rnd(50)) / 100;
		peak[i] = pcrm_decimal_make(total - v, 3);
		valley[i] = pcrm_decimal_make(v, 3);
	}

	base_s = bill_s = 1e30;
	for (int round = 0; round < ROUNDS; round++) {
		double s;

		sum = pcrm_decimal_make(0, 0);
		t0 = now_s();
		for (size_t i = 0; i < CUSTOMERS; i++) {
			if (pcrm_decimal_add(sum, peak[i], &sum) < 0 ||
			    pcrm_decimal_add(sum, valley[i], &sum) < 0)
				return 1;
		}
		s = now_s() - t0;
		base_s = s < base_s ? s : base_s;

		billed = pcrm_decimal_make(0, 2);
		lines = 0;
		t0 = now_s();
		for (size_t i = 0; i < CUSTOMERS; i++) {
			pcrm_bill *b;
			c.household_size = i % 7 == 0 ? 5 : 3;
			c.low_income = i % 50 == 0;
			if (pcrm_usage_set_period(u, "peak", peak[i]) < 0 ||
			    pcrm_usage_set_period(u, "valley", valley[i]) < 0 ||
			    pcrm_bill_compute(t, &c, start, end, u, NULL, &b) < 0) {
				fprintf(stderr, "bench_tariff: customer %zu: %s\n", i, pcrm_error_last());
				return 1;
			}
			lines += pcrm_bill_line_count(b);
			if (pcrm_decimal_add(billed, pcrm_bill_total(b), &billed) < 0)
				return 1;
			pcrm_bill_free(b);
		}
		s = now_s() - t0;
		bill_s = s < bill_s ? s : bill_s;
	}

	char a[PCRM_DECIMAL_STRING_MAX], e[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal_format(billed, a, sizeof(a));
	pcrm_decimal_format(sum, e, sizeof(e));
	printf("tariff bench: %d residential customers, tiered + TOU (%s)\n", CUSTOMERS,
	       pcrm_tariff_id(t));
	printf("  CPU time of this thread, best of %d rounds\n", ROUNDS);
	printf("  baseline (sum the usage decimals): %.3f s, %.0f customers/s\n", base_s,
	       CUSTOMERS / base_s);
	printf("  bill compute:                      %.3f s, %.0f bills/s, %.1f lines/bill\n",
	       bill_s, CUSTOMERS / bill_s, (double)lines / CUSTOMERS);
	printf("  ratio bill / baseline: %.1fx the baseline's time per customer\n", bill_s / base_s);
	printf("  (energy %s kWh, billed %s CNY)\n", e, a);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	free(peak);
	free(valley);
	return 0;
}
