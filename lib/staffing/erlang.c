/*
 * Erlang B, C and A.  No factorials and no powers: Erlang B comes from its
 * recursion, Erlang C from Erlang B, and Erlang A from the stationary
 * distribution of the M/M/N+M birth-death chain, summed as incomplete-gamma
 * series whose terms are rescaled by exact powers of two so that nothing
 * overflows however large the load.  docs/staffing.md derives the formulas.
 */
#include <math.h>

#include "core/error.h"
#include "core/out_version.h"
#include "staffing_internal.h"

/* ln 2 (M_LN2 is not part of C11). */
#define LN2 0.693147180559945309417232121458176568

int pcrm__staff_check(const char *name, double value, int positive)
{
	if (!isfinite(value))
		return pcrm__error(PCRM_EINVAL, "%s: %g is not a finite number", name, value);
	if (value < 0.0 || (positive && value <= 0.0))
		return pcrm__error(PCRM_EINVAL, "%s: %g is not a %s number", name, value,
		                   positive ? "positive" : "non-negative");
	return PCRM_OK;
}

int pcrm__queue_check(const pcrm_queue *queue, int need_patience)
{
	int rc;

	if (queue == NULL)
		return pcrm__error(PCRM_EINVAL, "queue: NULL");
	if ((rc = pcrm__staff_check("queue.calls", queue->calls, 0)) < 0 ||
	    (rc = pcrm__staff_check("queue.interval_s", queue->interval_s, 1)) < 0 ||
	    (rc = pcrm__staff_check("queue.aht_s", queue->aht_s, 1)) < 0)
		return rc;
	if (need_patience)
		return pcrm__staff_check("queue.patience_s", queue->patience_s, 1);
	return PCRM_OK;
}

static int check_load(double erlangs)
{
	int rc = pcrm__staff_check("erlangs", erlangs, 0);

	if (rc == PCRM_OK && erlangs > (double)PCRM_STAFFING_MAX_AGENTS)
		return pcrm__error(PCRM_EINVAL, "erlangs: %g exceeds %d", erlangs,
		                   PCRM_STAFFING_MAX_AGENTS);
	return rc;
}

static int check_count(const char *name, int n)
{
	if (n < 0 || n > PCRM_STAFFING_MAX_AGENTS)
		return pcrm__error(PCRM_EINVAL, "%s: %d is not in 0..%d", name, n,
		                   PCRM_STAFFING_MAX_AGENTS);
	return PCRM_OK;
}

static int queue_load(const pcrm_queue *queue, double *out)
{
	double a = queue->calls * queue->aht_s / queue->interval_s;

	if (!isfinite(a) || a > (double)PCRM_STAFFING_MAX_AGENTS)
		return pcrm__error(PCRM_EINVAL, "queue: offered load %g erlangs exceeds %d", a,
		                   PCRM_STAFFING_MAX_AGENTS);
	*out = a;
	return PCRM_OK;
}

int pcrm_erlang_load(const pcrm_queue *queue, double *erlangs)
{
	int rc;

	if ((rc = pcrm__queue_check(queue, 0)) < 0)
		return rc;
	if (erlangs == NULL)
		return pcrm__error(PCRM_EINVAL, "erlangs: NULL");
	return queue_load(queue, erlangs);
}

/* ---- Erlang B ---- */

double pcrm__erlang_b(double a, int n)
{
	double b = 1.0;

	/* Every step is a ratio of positive numbers: relative errors stay at a
	 * few ulps per step and small values underflow gracefully to zero. */
	for (int i = 1; i <= n; i++)
		b = pcrm__erlang_b_step(a, b, i);
	return b;
}

int pcrm_erlang_b(double erlangs, int lines, double *blocking)
{
	int rc;

	if ((rc = check_load(erlangs)) < 0 || (rc = check_count("lines", lines)) < 0)
		return rc;
	if (blocking == NULL)
		return pcrm__error(PCRM_EINVAL, "blocking: NULL");
	*blocking = pcrm__erlang_b(erlangs, lines);
	return PCRM_OK;
}

int pcrm_erlang_b_lines(double erlangs, double max_blocking, int *lines)
{
	int rc;
	double b = 1.0;

	if ((rc = check_load(erlangs)) < 0)
		return rc;
	if (!isfinite(max_blocking) || max_blocking <= 0.0 || max_blocking > 1.0)
		return pcrm__error(PCRM_EINVAL, "max_blocking: %g is not in (0, 1]", max_blocking);
	if (lines == NULL)
		return pcrm__error(PCRM_EINVAL, "lines: NULL");
	if (erlangs <= 0.0) {
		*lines = 0; /* nothing offered, nothing blocked */
		return PCRM_OK;
	}
	for (int n = 0; n <= PCRM_STAFFING_MAX_AGENTS; n++) {
		if (n > 0)
			b = pcrm__erlang_b_step(erlangs, b, n);
		if (b <= max_blocking * (1.0 + PCRM__STAFF_SLACK)) {
			*lines = n;
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EOVERFLOW, "erlangs: %g needs more than %d lines", erlangs,
	                   PCRM_STAFFING_MAX_AGENTS);
}

/* ---- Erlang C ---- */

/* C(n, a) from b = B(n, a). */
static double erlang_c_from_b(double a, int n, double b)
{
	double dn = (double)n;

	if (a <= 0.0)
		return 0.0;
	if (dn <= a)
		return 1.0;
	return dn * b / (dn - a + a * b);
}

int pcrm_erlang_c(double erlangs, int agents, double *p_wait)
{
	int rc;

	if ((rc = check_load(erlangs)) < 0 || (rc = check_count("agents", agents)) < 0)
		return rc;
	if (p_wait == NULL)
		return pcrm__error(PCRM_EINVAL, "p_wait: NULL");
	*p_wait = erlang_c_from_b(erlangs, agents, pcrm__erlang_b(erlangs, agents));
	return PCRM_OK;
}

static void fill_idle(double a, pcrm_queue_metrics *out)
{
	out->erlangs = a;
	out->p_wait = 0.0;
	out->p_abandon = 0.0;
	out->service_level = 1.0;
	out->service_level_excl = 1.0;
	out->asa_s = 0.0;
	out->avg_wait_s = 0.0;
	out->occupancy = 0.0;
}

void pcrm__erlang_c_fill(double a, int n, double b, double aht, double target,
                         pcrm_queue_metrics *out)
{
	double dn = (double)n, c;

	if (a <= 0.0) {
		fill_idle(a, out);
		return;
	}
	out->erlangs = a;
	out->p_abandon = 0.0;
	if (dn <= a) {
		/* Unstable: the queue grows for ever, every caller waits. */
		out->p_wait = 1.0;
		out->service_level = out->service_level_excl = 0.0;
		out->asa_s = out->avg_wait_s = INFINITY;
		out->occupancy = 1.0;
		return;
	}
	c = erlang_c_from_b(a, n, b);
	out->p_wait = c;
	/* P(W > t) = C e^{-(N - A) t / aht}: the wait of a queued caller is
	 * exponential with rate (N - A) / aht. */
	out->service_level = 1.0 - c * exp(-(dn - a) * target / aht);
	out->service_level_excl = out->service_level;
	out->asa_s = out->avg_wait_s = c * aht / (dn - a);
	out->occupancy = a / dn;
}

int pcrm_erlang_c_metrics(const pcrm_queue *queue, int agents, double target_s,
                          pcrm_queue_metrics *out)
{
	int rc;
	double a = 0.0;

	if ((rc = pcrm__queue_check(queue, 0)) < 0 || (rc = check_count("agents", agents)) < 0 ||
	    (rc = pcrm__staff_check("target_s", target_s, 0)) < 0)
		return rc;
	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: NULL");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_QUEUE_METRICS)) < 0)
		return rc;
	if ((rc = queue_load(queue, &a)) < 0)
		return rc;
	pcrm__erlang_c_fill(a, agents, pcrm__erlang_b(a, agents), queue->aht_s, target_s, out);
	return PCRM_OK;
}

/* ---- Erlang A ---- */

/*
 * A positive sum kept as mantissa * 2^exp so that terms as large as e^y
 * (y = offered load * patience / aht, thousands) never overflow.  The scale
 * steps are exact powers of two, so no rounding is added.
 */
#define RESCALE_AT 0x1p600
#define RESCALE_BY 0x1p-600
#define RESCALE_BITS 600

typedef struct scaled_sums {
	double q;      /* sum of u_k */
	double ab;     /* sum of u_k (k+1)/(c+k+1): abandoning */
	double served; /* sum of u_k c/(c+k+1): served */
	double wait;   /* sum of u_k c/(c+k+1) H_k, H_k = sum_{j=1}^{k+1} 1/(c+j) */
	long exp2;     /* every sum is to be multiplied by 2^exp2 */
} scaled_sums;

/*
 * The queue part of the stationary distribution, relative to pi_N:
 * u_k = pi_{N+k} / pi_N = y^k / ((c+1)(c+2)...(c+k)), with c = N mu / theta
 * and y = lambda / theta.  Also the weights that turn it into P(abandon)
 * and the mean wait of the served (see docs/staffing.md).
 */
static void queue_sums(double c, double y, scaled_sums *s)
{
	double u = 1.0, h = 0.0;

	s->q = s->ab = s->served = s->wait = 0.0;
	s->exp2 = 0;
	for (long k = 0;; k++) {
		double next = c + (double)k + 1.0;
		h += 1.0 / next;
		s->q += u;
		s->ab += u * ((double)k + 1.0) / next;
		s->served += u * c / next;
		s->wait += u * c / next * h;
		/* Past the peak (k > y - c) the terms fall at least geometrically. */
		if ((double)k > y - c && u * (1.0 + h) <= s->q * 0x1p-60)
			break;
		u *= y / next;
		if (u > RESCALE_AT) {
			u *= RESCALE_BY;
			s->q *= RESCALE_BY;
			s->ab *= RESCALE_BY;
			s->served *= RESCALE_BY;
			s->wait *= RESCALE_BY;
			s->exp2 += RESCALE_BITS;
		}
	}
}

/* log G(a, z), G(a, z) = sum_k z^k / (a (a+1) ... (a+k)) = e^z z^-a gamma(a, z). */
static double log_g(double a, double z)
{
	double t = 1.0 / a, sum = 0.0;
	long exp2 = 0;

	for (long k = 0;; k++) {
		sum += t;
		if ((double)k > z - a && t <= sum * 0x1p-60)
			break;
		t *= z / (a + (double)k + 1.0);
		if (t > RESCALE_AT) {
			t *= RESCALE_BY;
			sum *= RESCALE_BY;
			exp2 += RESCALE_BITS;
		}
	}
	return log(sum) + (double)exp2 * LN2;
}

/* log(1 + e^x) without overflow. */
static double log1p_exp(double x)
{
	return x > 35.0 ? x + exp(-x) : log1p(exp(x));
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

/* Nobody to answer: every caller waits until they give up. */
static void fill_no_agents(double a, double patience, double target, pcrm_queue_metrics *out)
{
	out->erlangs = a;
	out->p_wait = 1.0;
	out->p_abandon = 1.0;
	out->service_level = out->service_level_excl = 0.0;
	(void)target;
	out->asa_s = INFINITY;
	out->avg_wait_s = patience;
	out->occupancy = 0.0;
}

void pcrm__erlang_a_fill(double a, int n, double b, double aht, double patience,
                         double target, pcrm_queue_metrics *out)
{
	scaled_sums s;
	double c, y, log_s, one_minus_s, log_q, p_wait, p_ab_w, served_w, late_w, pv_w;
	double z, log_z, lg1, p_ab, sl, ab_t;

	if (a <= 0.0) {
		fill_idle(a, out);
		return;
	}
	if (n == 0) {
		fill_no_agents(a, patience, target, out);
		return;
	}
	c = (double)n * patience / aht; /* N mu / theta */
	y = a * patience / aht;         /* lambda / theta */
	log_s = -target / patience;     /* s = e^{-theta T} */
	one_minus_s = -expm1(log_s);
	queue_sums(c, y, &s);
	log_q = log(s.q) + (double)s.exp2 * LN2;

	/* P(wait) = Q E / (1 - E + Q E) with E = Erlang B; in logs because Q
	 * may be astronomically large (overload) or E vanishingly small. */
	if (b <= 0.0) {
		p_wait = 0.0;
	} else {
		double lr = log1p(-b) - log(b) - log_q; /* log((1 - E) / (Q E)) */
		p_wait = lr > 0.0 ? exp(-lr) / (1.0 + exp(-lr)) : 1.0 / (1.0 + exp(lr));
	}
	p_ab_w = s.ab / s.q;       /* P(abandon | wait) */
	served_w = s.served / s.q; /* P(served | wait) */

	/* P(served after T | wait) = c s^{c+1} e^{y(1-s)} G(c+1, ys) / Q and
	 * P(V > T | wait) = s^c e^{y(1-s)} (1 + ys G(c+1, ys)) / Q. */
	z = y * exp(log_s);
	lg1 = log_g(c + 1.0, z);
	late_w = exp(log(c) + (c + 1.0) * log_s + y * one_minus_s + lg1 - log_q);
	late_w = late_w < served_w ? late_w : served_w;
	log_z = z > 0.0 ? log(z) + lg1 : -INFINITY;
	pv_w = clamp01(exp(c * log_s + y * one_minus_s + log1p_exp(log_z) - log_q));
	p_ab = p_wait * p_ab_w;
	sl = clamp01((1.0 - p_wait) + p_wait * (served_w - late_w));
	/* Abandoned by T = waited - answered by T - still waiting at T, where
	 * still waiting = V > T and patience > T. */
	ab_t = clamp01(p_wait * (1.0 - (served_w - late_w) - exp(log_s) * pv_w));

	out->erlangs = a;
	out->p_wait = clamp01(p_wait);
	out->p_abandon = clamp01(p_ab);
	out->service_level = sl;
	out->service_level_excl = ab_t < 1.0 ? clamp01(sl / (1.0 - ab_t)) : 0.0;
	out->asa_s = p_wait * patience * (s.wait / s.q) / (1.0 - p_ab);
	out->avg_wait_s = p_ab * patience;
	out->occupancy = clamp01(a * (1.0 - p_ab) / (double)n);
}

int pcrm_erlang_a_metrics(const pcrm_queue *queue, int agents, double target_s,
                          pcrm_queue_metrics *out)
{
	int rc;
	double a = 0.0;

	if ((rc = pcrm__queue_check(queue, 1)) < 0 || (rc = check_count("agents", agents)) < 0 ||
	    (rc = pcrm__staff_check("target_s", target_s, 0)) < 0)
		return rc;
	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: NULL");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_QUEUE_METRICS)) < 0)
		return rc;
	if ((rc = queue_load(queue, &a)) < 0)
		return rc;
	pcrm__erlang_a_fill(a, agents, pcrm__erlang_b(a, agents), queue->aht_s,
	                    queue->patience_s, target_s, out);
	return PCRM_OK;
}
