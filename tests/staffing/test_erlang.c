/*
 * Erlang B / C / A: the worked examples, independent oracles (log-space
 * Poisson sums in long double for Erlang C; the M/M/N+M birth-death chain
 * plus a Runge-Kutta integration of a tagged caller for Erlang A), large
 * loads, edge cases and input validation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <powercrm.h>

static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle) != NULL, "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
}

#define NEAR(got, want, tol) \
	cr_assert(fabs((double)(got) - (double)(want)) <= (tol), "%s = %.10g, want %.10g (+-%g)", \
	          #got, (double)(got), (double)(want), (double)(tol))

/* ---- the worked example: 100 calls / 30 min, AHT 180 s, T = 20 s ---- */

Test(erlang, worked_example_service_levels)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	const double want[] = { 0.3896, 0.6402, 0.7956, 0.8884 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	double a;

	cr_assert_eq(pcrm_erlang_load(&q, &a), PCRM_OK);
	NEAR(a, 10.0, 1e-12);
	for (int n = 11; n <= 14; n++) {
		cr_assert_eq(pcrm_erlang_c_metrics(&q, n, 20.0, &m), PCRM_OK);
		NEAR(m.service_level, want[n - 11], 5e-5);
		NEAR(m.service_level_excl, m.service_level, 0.0);
		NEAR(m.p_abandon, 0.0, 0.0);
		NEAR(m.occupancy, 10.0 / n, 1e-15);
	}
	/* Hand-checked: C(14, 10) = 0.174132, ASA = C * 180 / 4 = 7.836 s. */
	NEAR(m.p_wait, 0.17413193359504986, 1e-12);
	NEAR(m.asa_s, 0.17413193359504986 * 45.0, 1e-9);
	NEAR(m.avg_wait_s, m.asa_s, 0.0);
}

Test(erlang, erlang_b_examples)
{
	double b;
	int lines;

	cr_assert_eq(pcrm_erlang_b_lines(10.0, 0.02, &lines), PCRM_OK);
	cr_assert_eq(lines, 17);
	cr_assert_eq(pcrm_erlang_b(10.0, 17, &b), PCRM_OK);
	NEAR(b, 0.012948875224726571, 1e-15);
	cr_assert_eq(pcrm_erlang_b(10.0, 16, &b), PCRM_OK);
	cr_assert(b > 0.02);
	/* Hand-checked small cases: B(1, A) = A / (1 + A); B(2, 1) = 1/5. */
	cr_assert_eq(pcrm_erlang_b(3.0, 1, &b), PCRM_OK);
	NEAR(b, 0.75, 1e-15);
	cr_assert_eq(pcrm_erlang_b(1.0, 2, &b), PCRM_OK);
	NEAR(b, 0.2, 1e-15);
	cr_assert_eq(pcrm_erlang_b(5.0, 0, &b), PCRM_OK);
	NEAR(b, 1.0, 0.0);
	cr_assert_eq(pcrm_erlang_b_lines(0.0, 0.01, &lines), PCRM_OK);
	cr_assert_eq(lines, 0);
	cr_assert_eq(pcrm_erlang_b_lines(5.0, 1.0, &lines), PCRM_OK);
	cr_assert_eq(lines, 0);
}

/* ---- Erlang C against an independent log-space oracle ---- */

/* C(N, A) from log-sum-exp over the Poisson terms A^k / k!, long double. */
static long double oracle_c(long double a, int n)
{
	long double top = (long double)n * logl(a) - lgammal((long double)n + 1.0L) +
	                  logl((long double)n / ((long double)n - a));
	long double mx = top, sum = 0.0L;
	for (int k = 0; k < n; k++) {
		long double t = (long double)k * logl(a) - lgammal((long double)k + 1.0L);
		if (t > mx)
			mx = t;
	}
	for (int k = 0; k < n; k++)
		sum += expl((long double)k * logl(a) - lgammal((long double)k + 1.0L) - mx);
	sum += expl(top - mx);
	return expl(top - mx) / sum;
}

Test(erlang, erlang_c_matches_oracle_up_to_large_loads)
{
	const double loads[] = { 0.5, 3.7, 10.0, 57.25, 250.0, 1000.0, 4321.5 };

	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		double a = loads[i];
		for (int n = (int)floor(a) + 1; n < (int)floor(a) + 1 + 6 * (int)sqrt(a) + 6; n += 1 + (int)sqrt(a) / 4) {
			double c;
			cr_assert_eq(pcrm_erlang_c(a, n, &c), PCRM_OK);
			long double want = oracle_c(a, n);
			cr_assert(fabsl((long double)c - want) <= 1e-11L * (1.0L + want),
			          "A=%g N=%d: C=%.15g oracle %.15Lg", a, n, c, want);
		}
	}
}

Test(erlang, agents_at_or_below_load_wait_for_ever)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	double c;

	cr_assert_eq(pcrm_erlang_c(10.0, 10, &c), PCRM_OK);
	NEAR(c, 1.0, 0.0);
	cr_assert_eq(pcrm_erlang_c(10.0, 3, &c), PCRM_OK);
	NEAR(c, 1.0, 0.0);
	cr_assert_eq(pcrm_erlang_c_metrics(&q, 10, 20.0, &m), PCRM_OK);
	NEAR(m.p_wait, 1.0, 0.0);
	NEAR(m.service_level, 0.0, 0.0);
	NEAR(m.occupancy, 1.0, 0.0);
	cr_assert(isinf(m.asa_s));
	cr_assert_eq(pcrm_erlang_c_metrics(&q, 0, 20.0, &m), PCRM_OK);
	NEAR(m.p_wait, 1.0, 0.0);
}

Test(erlang, zero_calls_nobody_waits)
{
	const pcrm_queue q = { 0.0, 1800.0, 180.0, 60.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	double c;

	cr_assert_eq(pcrm_erlang_c(0.0, 0, &c), PCRM_OK);
	NEAR(c, 0.0, 0.0);
	for (int n = 0; n <= 2; n++) {
		cr_assert_eq(pcrm_erlang_c_metrics(&q, n, 20.0, &m), PCRM_OK);
		NEAR(m.p_wait, 0.0, 0.0);
		NEAR(m.service_level, 1.0, 0.0);
		NEAR(m.asa_s, 0.0, 0.0);
		NEAR(m.occupancy, 0.0, 0.0);
		cr_assert_eq(pcrm_erlang_a_metrics(&q, n, 20.0, &m), PCRM_OK);
		NEAR(m.p_abandon, 0.0, 0.0);
		NEAR(m.service_level, 1.0, 0.0);
	}
}

Test(erlang, huge_agent_counts_do_not_overflow)
{
	double b, c;

	/* A^N / N! overflows a double near N = 171; the recursion does not care. */
	cr_assert_eq(pcrm_erlang_b(1000.0, 5000, &b), PCRM_OK);
	cr_assert(b >= 0.0 && b < 1e-300);
	cr_assert_eq(pcrm_erlang_c(2.0, 1000000, &c), PCRM_OK);
	NEAR(c, 0.0, 0.0);
	cr_assert_eq(pcrm_erlang_b(900000.0, 1000000, &b), PCRM_OK);
	cr_assert(b >= 0.0 && b < 1e-10);
	cr_assert_eq(pcrm_erlang_b(1000000.0, 10, &b), PCRM_OK);
	cr_assert(b > 0.99999 && b <= 1.0);
}

/* ---- Erlang A against the birth-death chain and a tagged caller ---- */

typedef struct a_oracle {
	double p_wait, p_abandon, sl, sl_excl, asa;
} a_oracle;

/*
 * Stationary distribution of M/M/N+M by the chain's ratios, then the fate
 * of an arriving caller who finds j callers ahead, integrated with RK4:
 * position j moves on at rate N mu + j theta, the caller leaves at theta.
 */
static a_oracle oracle_a(double calls, double interval, double aht, double pat, int n, double t)
{
	enum { K = 6000, J = 900 };
	static double w[K + 1], p[J], k[4][J], tmp[J];
	const double lam = calls / interval, mu = 1.0 / aht, th = 1.0 / pat;
	const double wt[4] = { 1.0, 2.0, 2.0, 1.0 }, at[4] = { 0.0, 0.5, 0.5, 1.0 };
	double s = 0.0, eq = 0.0, pw = 0.0, served_t = 0.0, ab_t = 0.0, wait_served = 0.0;
	/* A step that divides T exactly, about patience / 1000. */
	double h = pat / 1000.0;
	if (t > 0.0)
		h = t / ceil(t / h);
	long steps = (long)ceil(40.0 * pat / h);
	a_oracle o;

	w[0] = 1.0;
	for (int i = 1; i <= K; i++) {
		double d = (i < n ? i : n) * mu + (i > n ? i - n : 0) * th;
		w[i] = w[i - 1] * lam / d;
		if (w[i] > 1e250)
			for (int q = 0; q <= i; q++)
				w[q] *= 1e-250;
	}
	for (int i = 0; i <= K; i++)
		s += w[i];
	for (int i = n; i <= K; i++) {
		pw += w[i] / s;
		eq += (i - n) * w[i] / s;
	}
	/* Queue positions whose probability is below 1e-30 cannot move any
	 * result at the tolerances checked; dropping them keeps the oracle fast
	 * enough for the sanitizer build. */
	int jn = 1;
	for (int j = 0; j < J; j++) {
		p[j] = w[n + j] / s;
		if (p[j] > 1e-30)
			jn = j + 1;
	}
	for (long step = 0; step < steps; step++) {
		double fs = 0.0, fa = 0.0, now = (double)step * h;
		for (int r = 0; r < 4; r++) {
			double ab = 0.0;
			for (int j = 0; j < jn; j++)
				tmp[j] = p[j] + (r ? at[r] * h * k[r - 1][j] : 0.0);
			for (int j = 0; j < jn; j++) {
				k[r][j] = -(n * mu + j * th + th) * tmp[j] +
				          (j + 1 < jn ? (n * mu + (j + 1) * th) * tmp[j + 1] : 0.0);
				ab += th * tmp[j];
			}
			fs += wt[r] * h / 6.0 * n * mu * tmp[0];
			fa += wt[r] * h / 6.0 * ab;
		}
		for (int j = 0; j < jn; j++)
			p[j] += h / 6.0 * (k[0][j] + 2 * k[1][j] + 2 * k[2][j] + k[3][j]);
		if (now + h <= t + 1e-9) {
			served_t += fs;
			ab_t += fa;
		}
		wait_served += fs * (now + h / 2.0);
	}
	o.p_wait = pw;
	o.p_abandon = th * eq / lam;
	o.sl = (1.0 - pw) + served_t;
	o.sl_excl = o.sl / (1.0 - ab_t);
	o.asa = wait_served / (1.0 - o.p_abandon);
	return o;
}

static void check_a(double calls, double interval, double aht, double pat, int n, double t)
{
	const pcrm_queue q = { calls, interval, aht, pat };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	a_oracle o = oracle_a(calls, interval, aht, pat, n, t);

	cr_assert_eq(pcrm_erlang_a_metrics(&q, n, t, &m), PCRM_OK);
	NEAR(m.p_wait, o.p_wait, 1e-9);
	NEAR(m.p_abandon, o.p_abandon, 1e-9);
	NEAR(m.service_level, o.sl, 2e-6);
	NEAR(m.service_level_excl, o.sl_excl, 2e-6);
	NEAR(m.asa_s, o.asa, 2e-3 * (1.0 + o.asa));
	NEAR(m.avg_wait_s, m.p_abandon * pat, 1e-9 * pat);
	NEAR(m.occupancy, q.calls * aht / interval * (1.0 - m.p_abandon) / n, 1e-12);
}

Test(erlang, erlang_a_matches_birth_death_oracle, .timeout = 60)
{
	check_a(100.0, 1800.0, 180.0, 60.0, 11, 20.0);
	check_a(100.0, 1800.0, 180.0, 60.0, 9, 30.0);   /* fewer agents than the load */
	check_a(100.0, 1800.0, 180.0, 200.0, 14, 20.0);
	check_a(400.0, 1800.0, 300.0, 120.0, 60, 12.0);
	check_a(40.0, 3600.0, 240.0, 30.0, 1, 9.0);
	check_a(400.0, 1800.0, 300.0, 120.0, 80, 0.0);
}

Test(erlang, erlang_a_worked_values)
{
	/* The worked example with 60 s patience, cross-checked by the oracle above. */
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 60.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;

	cr_assert_eq(pcrm_erlang_a_metrics(&q, 11, 20.0, &m), PCRM_OK);
	NEAR(m.p_wait, 0.32678860, 1e-7);
	NEAR(m.p_abandon, 0.11178042, 1e-7);
	NEAR(m.service_level, 0.79652271, 1e-7);
	NEAR(m.service_level_excl, 0.85872656, 1e-7);
}

Test(erlang, erlang_a_tends_to_erlang_c_with_infinite_patience)
{
	pcrm_queue q = { 100.0, 1800.0, 180.0, 1e9 };
	pcrm_queue_metrics a = PCRM_QUEUE_METRICS_INIT, c = PCRM_QUEUE_METRICS_INIT;

	for (int n = 11; n <= 16; n++) {
		cr_assert_eq(pcrm_erlang_a_metrics(&q, n, 20.0, &a), PCRM_OK);
		cr_assert_eq(pcrm_erlang_c_metrics(&q, n, 20.0, &c), PCRM_OK);
		NEAR(a.p_wait, c.p_wait, 1e-5);
		NEAR(a.service_level, c.service_level, 1e-5);
		NEAR(a.asa_s, c.asa_s, 1e-3 * c.asa_s);
		cr_assert(a.p_abandon < 1e-6);
	}
}

Test(erlang, erlang_a_large_and_overloaded)
{
	/* 1,000 erlangs, half the agents: half the callers must give up. */
	const pcrm_queue q = { 10000.0, 1800.0, 180.0, 600.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;

	cr_assert_eq(pcrm_erlang_a_metrics(&q, 500, 20.0, &m), PCRM_OK);
	NEAR(m.p_wait, 1.0, 1e-12);
	NEAR(m.p_abandon, 0.5, 1e-3);
	NEAR(m.occupancy, 1.0, 1e-3);
	cr_assert(isfinite(m.asa_s) && m.asa_s > 0.0);
	cr_assert_eq(pcrm_erlang_a_metrics(&q, 0, 20.0, &m), PCRM_OK);
	NEAR(m.p_abandon, 1.0, 0.0);
	NEAR(m.avg_wait_s, 600.0, 0.0);
	cr_assert_eq(pcrm_erlang_a_metrics(&q, 1100, 20.0, &m), PCRM_OK);
	cr_assert(m.p_abandon < 1e-3 && m.service_level > 0.99);
	/* Everything stays a probability however extreme the numbers. */
	const pcrm_queue big = { 1e6, 1800.0, 1800.0, 3600.0 };
	cr_assert_eq(pcrm_erlang_a_metrics(&big, 10, 20.0, &m), PCRM_OK);
	cr_assert(m.p_abandon > 0.99 && m.p_abandon <= 1.0);
	cr_assert(m.service_level >= 0.0 && m.service_level <= 1.0);
}

/* ---- validation ---- */

Test(erlang, rejects_bad_input)
{
	pcrm_queue q = { 100.0, 1800.0, 180.0, 60.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	double v;
	int n;

	q.calls = NAN;
	expect_error(pcrm_erlang_c_metrics(&q, 3, 20.0, &m), PCRM_EINVAL, "queue.calls");
	q.calls = -1.0;
	expect_error(pcrm_erlang_c_metrics(&q, 3, 20.0, &m), PCRM_EINVAL, "queue.calls");
	q.calls = 100.0;
	q.interval_s = 0.0;
	expect_error(pcrm_erlang_load(&q, &v), PCRM_EINVAL, "queue.interval_s");
	q.interval_s = 1800.0;
	q.aht_s = -3.0;
	expect_error(pcrm_erlang_c_metrics(&q, 3, 20.0, &m), PCRM_EINVAL, "queue.aht_s");
	q.aht_s = 180.0;
	q.patience_s = 0.0;
	expect_error(pcrm_erlang_a_metrics(&q, 3, 20.0, &m), PCRM_EINVAL, "queue.patience_s");
	cr_assert_eq(pcrm_erlang_c_metrics(&q, 3, 20.0, &m), PCRM_OK); /* C ignores patience */
	q.patience_s = 60.0;
	expect_error(pcrm_erlang_c_metrics(&q, -1, 20.0, &m), PCRM_EINVAL, "agents");
	expect_error(pcrm_erlang_c_metrics(&q, 3, INFINITY, &m), PCRM_EINVAL, "target_s");
	expect_error(pcrm_erlang_c_metrics(NULL, 3, 20.0, &m), PCRM_EINVAL, "queue");
	expect_error(pcrm_erlang_c_metrics(&q, 3, 20.0, NULL), PCRM_EINVAL, "out");
	expect_error(pcrm_erlang_b(-1.0, 3, &v), PCRM_EINVAL, "erlangs");
	expect_error(pcrm_erlang_b(2e6, 3, &v), PCRM_EINVAL, "erlangs");
	expect_error(pcrm_erlang_b(1.0, -3, &v), PCRM_EINVAL, "lines");
	expect_error(pcrm_erlang_b_lines(10.0, 0.0, &n), PCRM_EINVAL, "max_blocking");
	expect_error(pcrm_erlang_b_lines(10.0, 1.5, &n), PCRM_EINVAL, "max_blocking");
	expect_error(pcrm_erlang_c(NAN, 3, &v), PCRM_EINVAL, "erlangs");
	q.calls = 1e300;
	expect_error(pcrm_erlang_load(&q, &v), PCRM_EINVAL, "offered load");
}
