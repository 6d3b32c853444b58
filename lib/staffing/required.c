/*
 * Required agents: the smallest agent count meeting a service goal, and the
 * exact shrinkage step that turns agents on the phones into agents to
 * schedule.
 */
#include <math.h>

#include "core/error.h"
#include "core/out_version.h"
#include "staffing_internal.h"

static int check_fraction(const char *name, double v, int allow_one)
{
	if (!isfinite(v) || v < 0.0 || v > 1.0 || (!allow_one && v >= 1.0))
		return pcrm__error(PCRM_EINVAL, "%s: %g is not in [0, 1%s", name, v,
		                   allow_one ? "]" : ")");
	return PCRM_OK;
}

static int check_shrinkage(const char *name, pcrm_decimal s)
{
	char text[PCRM_DECIMAL_STRING_MAX];

	if (s.scale < 0 || s.scale > PCRM_DECIMAL_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: scale %d is not in 0..%d", name, s.scale,
		                   PCRM_DECIMAL_MAX_SCALE);
	if (pcrm_decimal_sign(s) < 0 || pcrm_decimal_cmp(s, pcrm_decimal_from_int(1)) >= 0) {
		if (pcrm_decimal_format(s, text, sizeof(text)) < 0)
			text[0] = '\0';
		return pcrm__error(PCRM_EINVAL, "%s: %s is not in [0, 1)", name, text);
	}
	return PCRM_OK;
}

static int shrink(int agents, pcrm_decimal shrinkage, int *scheduled)
{
	pcrm_decimal on_phones, q;
	int64_t n;
	int rc;

	/* ceil(agents / (1 - s)) from the exact quotient: 21 / 0.70 is 30, not
	 * the 30.000000000000004 binary floating point would round up to 31. */
	if ((rc = pcrm_decimal_sub(pcrm_decimal_from_int(1), shrinkage, &on_phones)) < 0 ||
	    (rc = pcrm_decimal_div(pcrm_decimal_from_int(agents), on_phones, 0,
	                           PCRM_ROUND_CEILING, &q)) < 0 ||
	    (rc = pcrm_decimal_to_int(q, PCRM_ROUND_CEILING, &n)) < 0) {
		if (rc == PCRM_EOVERFLOW)
			return pcrm__error(PCRM_EOVERFLOW, "shrinkage: %d agents need more than %d scheduled",
			                   agents, PCRM_STAFFING_MAX_AGENTS);
		pcrm__error_prefix("shrinkage");
		return rc;
	}
	if (n > PCRM_STAFFING_MAX_AGENTS)
		return pcrm__error(PCRM_EOVERFLOW, "shrinkage: %d agents need %lld scheduled, more than %d",
		                   agents, (long long)n, PCRM_STAFFING_MAX_AGENTS);
	*scheduled = (int)n;
	return PCRM_OK;
}

int pcrm_staffing_shrink(int agents, pcrm_decimal shrinkage, int *scheduled)
{
	int rc;

	if (agents < 0 || agents > PCRM_STAFFING_MAX_AGENTS)
		return pcrm__error(PCRM_EINVAL, "agents: %d is not in 0..%d", agents,
		                   PCRM_STAFFING_MAX_AGENTS);
	if ((rc = check_shrinkage("shrinkage", shrinkage)) < 0)
		return rc;
	if (scheduled == NULL)
		return pcrm__error(PCRM_EINVAL, "scheduled: NULL");
	return shrink(agents, shrinkage, scheduled);
}

static int check_target(const pcrm_staffing_target *t)
{
	int rc;

	if (t == NULL)
		return pcrm__error(PCRM_EINVAL, "target: NULL");
	if (t->version != PCRM_STAFFING_TARGET_VERSION)
		return pcrm__error(PCRM_EINVAL, "target.version: %u is not %d (use PCRM_STAFFING_TARGET_INIT)",
		                   t->version, PCRM_STAFFING_TARGET_VERSION);
	if (t->model != PCRM_QUEUE_ERLANG_C && t->model != PCRM_QUEUE_ERLANG_A)
		return pcrm__error(PCRM_EINVAL, "target.model: %d is not a pcrm_queue_model", (int)t->model);
	if ((rc = check_fraction("target.service_level", t->service_level, 0)) < 0 ||
	    (rc = pcrm__staff_check("target.target_s", t->target_s, 0)) < 0 ||
	    (rc = pcrm__staff_check("target.max_asa_s", t->max_asa_s, 0)) < 0 ||
	    (rc = check_fraction("target.max_abandon", t->max_abandon, 1)) < 0 ||
	    (rc = check_fraction("target.max_occupancy", t->max_occupancy, 1)) < 0 ||
	    (rc = check_shrinkage("target.shrinkage", t->shrinkage)) < 0)
		return rc;
	if (t->max_abandon > 0.0 && t->model != PCRM_QUEUE_ERLANG_A)
		return pcrm__error(PCRM_EINVAL, "target.max_abandon: needs the Erlang A model "
		                   "(Erlang C callers never abandon)");
	if (t->service_level <= 0.0 && t->max_asa_s <= 0.0 && t->max_abandon <= 0.0 &&
	    t->max_occupancy <= 0.0)
		return pcrm__error(PCRM_EINVAL, "target: no goal set (service_level, max_asa_s, "
		                   "max_abandon or max_occupancy)");
	return PCRM_OK;
}

/* Whether the metrics meet every goal that is set, with a tiny slack. */
static int meets(const pcrm_staffing_target *t, const pcrm_queue_metrics *m)
{
	const double up = 1.0 + PCRM__STAFF_SLACK, down = 1.0 - PCRM__STAFF_SLACK;

	if (t->service_level > 0.0 && !(m->service_level >= t->service_level * down))
		return 0;
	if (t->max_asa_s > 0.0 && !(m->asa_s <= t->max_asa_s * up))
		return 0;
	if (t->max_abandon > 0.0 && !(m->p_abandon <= t->max_abandon * up))
		return 0;
	if (t->max_occupancy > 0.0 && !(m->occupancy <= t->max_occupancy * up))
		return 0;
	return 1;
}

/*
 * Erlang C: one upward scan carrying the Erlang B recursion, so the whole
 * search costs O(N) divisions plus one exponential per agent count above
 * the load; every metric falls monotonically with N, so the first count
 * that meets the goals is the answer.
 */
static int search_c(double a, const pcrm_queue *q, const pcrm_staffing_target *t,
                    int *agents, pcrm_queue_metrics *m)
{
	double b = 1.0;

	for (int n = 1; n <= PCRM_STAFFING_MAX_AGENTS; n++) {
		b = pcrm__erlang_b_step(a, b, n);
		if ((double)n <= a)
			continue;
		pcrm__erlang_c_fill(a, n, b, q->aht_s, t->target_s, m);
		if (meets(t, m)) {
			*agents = n;
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EOVERFLOW, "queue: %g erlangs need more than %d agents", a,
	                   PCRM_STAFFING_MAX_AGENTS);
}

static int eval_a(double a, int n, const pcrm_queue *q, const pcrm_staffing_target *t,
                  pcrm_queue_metrics *m)
{
	pcrm__erlang_a_fill(a, n, pcrm__erlang_b(a, n), q->aht_s, q->patience_s, t->target_s, m);
	return meets(t, m);
}

/*
 * Erlang A: each evaluation sums a series, so gallop up from the load to a
 * count that meets the goals, then bisect.  Every metric is monotone in N,
 * and the answer is always one that was evaluated and met the goals.
 */
static int search_a(double a, const pcrm_queue *q, const pcrm_staffing_target *t,
                    int *agents, pcrm_queue_metrics *m)
{
	pcrm_queue_metrics probe = PCRM_QUEUE_METRICS_INIT;
	int lo, hi;

	if (eval_a(a, 0, q, t, m)) {
		*agents = 0;
		return PCRM_OK;
	}
	lo = 0;
	hi = a < 1.0 ? 1 : (int)ceil(a);
	while (!eval_a(a, hi, q, t, m)) {
		if (hi >= PCRM_STAFFING_MAX_AGENTS)
			return pcrm__error(PCRM_EOVERFLOW, "queue: %g erlangs need more than %d agents", a,
			                   PCRM_STAFFING_MAX_AGENTS);
		lo = hi;
		hi = hi > PCRM_STAFFING_MAX_AGENTS / 2 ? PCRM_STAFFING_MAX_AGENTS : 2 * hi;
	}
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		if (eval_a(a, mid, q, t, &probe)) {
			hi = mid;
			*m = probe;
		} else {
			lo = mid;
		}
	}
	*agents = hi;
	return PCRM_OK;
}

int pcrm_staffing_required(const pcrm_queue *queue, const pcrm_staffing_target *target,
                           pcrm_staffing_result *out)
{
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;
	double a = 0.0;
	int rc;

	if ((rc = check_target(target)) < 0 ||
	    (rc = pcrm__queue_check(queue, target->model == PCRM_QUEUE_ERLANG_A)) < 0 ||
	    (rc = pcrm_erlang_load(queue, &a)) < 0)
		return rc;
	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: NULL");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_STAFFING_RESULT)) < 0)
		return rc;
	if (a <= 0.0) {
		/* No calls, nobody needed: the metrics of an idle queue. */
		r.agents = 0;
		pcrm__erlang_c_fill(0.0, 0, 1.0, queue->aht_s, target->target_s, &r.metrics);
	} else if (target->model == PCRM_QUEUE_ERLANG_C) {
		rc = search_c(a, queue, target, &r.agents, &r.metrics);
	} else {
		rc = search_a(a, queue, target, &r.agents, &r.metrics);
	}
	if (rc < 0 || (rc = shrink(r.agents, target->shrinkage, &r.scheduled)) < 0)
		return rc;
	r.version = PCRM_STAFFING_RESULT_VERSION;
	r.metrics.version = PCRM_QUEUE_METRICS_VERSION;
	*out = r;
	return PCRM_OK;
}
