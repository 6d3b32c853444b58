/*
 * Staffing benchmark: the library's required-agent search against a naive
 * textbook implementation (A^N / N! with pow() and a factorial, every agent
 * count recomputed from scratch), measured in the same run.  Prints ratios,
 * never asserts on times; shows where the naive formula stops giving
 * numbers (factorials overflow a double past 170).
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include <powercrm.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the naive baseline ---- */

static double naive_factorial(int n)
{
	double f = 1.0;
	for (int i = 2; i <= n; i++)
		f *= i;
	return f;
}

/* C(N, A) straight from the textbook formula. */
static double naive_erlang_c(double a, int n)
{
	double top = pow(a, n) / naive_factorial(n) * n / (n - a), sum = 0.0;
	for (int k = 0; k < n; k++)
		sum += pow(a, k) / naive_factorial(k);
	return top / (sum + top);
}

/* Smallest N with SL >= goal; -1 when the formula yields no number. */
static int naive_required(double a, double aht, double t, double goal)
{
	for (int n = (int)floor(a) + 1; n < 100000; n++) {
		double c = naive_erlang_c(a, n);
		if (isnan(c))
			return -1;
		if (1.0 - c * exp(-(n - a) * t / aht) >= goal)
			return n;
	}
	return -1;
}

/* ---- timing ---- */

typedef int (*job)(double a, void *arg);

static volatile int sink;

/* Mean seconds per call of f over at least 0.2 s. */
static double time_it(job f, double a, void *arg)
{
	long reps = 1;
	for (;;) {
		double t0 = now_s();
		for (long i = 0; i < reps; i++)
			sink = f(a, arg);
		double dt = now_s() - t0;
		if (dt > 0.2)
			return dt / (double)reps;
		reps *= 2;
	}
}

static int lib_job(double a, void *arg)
{
	const pcrm_staffing_target *t = arg;
	pcrm_queue q = { a * 1800.0 / 180.0, 1800.0, 180.0, 120.0 };
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;
	if (pcrm_staffing_required(&q, t, &r) < 0)
		return -1;
	return r.agents;
}

static int naive_job(double a, void *arg)
{
	(void)arg;
	return naive_required(a, 180.0, 20.0, 0.80);
}

static int day_job(double a, void *arg)
{
	const pcrm_staffing_target *t = arg;
	pcrm_forecast_interval day[96];
	pcrm_staffing_result out[96] = { PCRM_STAFFING_RESULT_INIT };
	for (int i = 0; i < 96; i++) {
		/* a daily curve peaking at `a` erlangs around 10:00 and 15:00 */
		double h = i / 4.0, shape = exp(-(h - 10) * (h - 10) / 8) + 0.8 * exp(-(h - 15) * (h - 15) / 6);
		day[i].calls = a * (0.05 + shape) * 900.0 / 180.0;
		day[i].aht_s = 180.0;
	}
	if (pcrm_staffing_curve(day, 96, 900.0, 120.0, t, out) < 0)
		return -1;
	return out[40].agents;
}

static int naive_day_job(double a, void *arg)
{
	int last = 0;
	(void)arg;
	for (int i = 0; i < 96; i++) {
		double h = i / 4.0, shape = exp(-(h - 10) * (h - 10) / 8) + 0.8 * exp(-(h - 15) * (h - 15) / 6);
		last = naive_required(a * (0.05 + shape), 180.0, 20.0, 0.80);
	}
	return last;
}

int main(void)
{
	pcrm_staffing_target c = PCRM_STAFFING_TARGET_INIT, ea;
	const double loads[] = { 10.0, 50.0, 100.0, 150.0, 170.0, 200.0, 1000.0 };

	c.service_level = 0.80;
	c.target_s = 20.0;
	ea = c;
	ea.model = PCRM_QUEUE_ERLANG_A;

	printf("Required agents for 80/20, AHT 180 s (Erlang C)\n");
	printf("%8s %8s %8s %12s %12s %8s\n", "erlangs", "library", "naive", "library us", "naive us", "ratio");
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		double a = loads[i];
		int lib = lib_job(a, &c), nai = naive_job(a, NULL);
		double tl = time_it(lib_job, a, &c), tn = time_it(naive_job, a, NULL);
		if (nai < 0)
			printf("%8.0f %8d %8s %12.2f %12.2f %8s  <- naive: A^N/N! overflows, result NaN\n", a,
			       lib, "NaN", tl * 1e6, tn * 1e6, "-");
		else
			printf("%8.0f %8d %8d %12.2f %12.2f %7.1fx%s\n", a, lib, nai, tl * 1e6, tn * 1e6, tn / tl,
			       lib != nai ? "  <- naive differs" : "");
	}
	int first_nan = 1;
	while (naive_required(first_nan, 180.0, 20.0, 0.80) > 0)
		first_nan++;
	printf("\nWhere the naive formula breaks: from %d erlangs on its search returns NaN"
	       " (pow(A, N) or N! exceeds 1.8e308).  C(N, A) for N = A + 5:\n", first_nan);
	for (int a = 100; a <= 180; a += 10) {
		double mine, naive = naive_erlang_c(a, a + 5);
		pcrm_erlang_c(a, a + 5, &mine);
		printf("  A=%3d  library %.6f  naive %s%.6f\n", a, mine, isnan(naive) ? "" : " ", naive);
	}

	double t1000 = time_it(lib_job, 1000.0, &c), t1000a = time_it(lib_job, 1000.0, &ea);
	double t10 = time_it(lib_job, 10.0, &c), n10 = time_it(naive_job, 10.0, NULL);
	printf("\n1,000 erlangs: Erlang C search %.2f us (goal < 50 us), Erlang A search %.2f us\n",
	       t1000 * 1e6, t1000a * 1e6);
	printf("  scale: 1,000-erlang search costs %.1fx a 10-erlang search; the naive 10-erlang search is %.1fx the library's\n",
	       t1000 / t10, n10 / t10);

	double tday = time_it(day_job, 100.0, &c), nday = time_it(naive_day_job, 100.0, NULL);
	double tday_a = time_it(day_job, 100.0, &ea);
	printf("\nA day of 96 quarter-hours peaking at 100 erlangs: library %.1f us, naive %.1f us (%.1fx); Erlang A %.1f us\n",
	       tday * 1e6, nday * 1e6, nday / tday, tday_a * 1e6);
	double tday1000 = time_it(day_job, 1000.0, &c);
	printf("A day of 96 quarter-hours peaking at 1,000 erlangs: library %.1f us (naive: NaN from %d erlangs on)\n",
	       tday1000 * 1e6, first_nan);
	return 0;
}
