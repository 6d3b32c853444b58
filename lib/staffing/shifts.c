/*
 * Shift planning: how many agents on each allowed shift so that every
 * interval is covered at minimum cost (or with minimum total deviation).
 *
 * Exact method.  When every shift is a contiguous run of intervals, the
 * covering constraints "staffed(t) - surplus(t) = required(t)", differenced
 * row by row, become flow conservation on a path of intervals+1 nodes: a
 * shift covering [a, b) is an arc a -> b, a surplus an arc t+1 -> t.  The
 * matrix is a network matrix (totally unimodular), so a min-cost flow gives
 * an optimal integer plan.
 *
 * A cyclic horizon (a repeating day or week) is cut at the point crossed by
 * the fewest shift combinations.  If no shift crosses it, the cyclic problem
 * IS the linear one.  Otherwise the agent counts of the crossing shifts are
 * enumerated (each bounded by the largest requirement it covers, beyond
 * which an agent is never useful) and each case is the linear problem on
 * the residual requirements: still exact.  Fixing only the TOTAL number of
 * agents crossing the cut is not enough in general: with two crossing
 * shifts whose gaps are bridged by a third shift the LP relaxation of that
 * subproblem is fractional (tests/staffing/test_shifts.c has the instance),
 * so we fix the vector, not the sum.
 *
 * Heuristic.  Patterns that are not contiguous, or too many crossing
 * combinations, get a greedy construction then local improvement (drop,
 * swap, add/remove, and for contiguous shifts a descent over the crossing
 * counts with the rest re-optimised exactly).  Such plans are flagged
 * optimal = 0.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/out_version.h"
#include "mcf.h"
#include "staffing_internal.h"

#define MAX_INTERVALS ((size_t)1 << 20)
#define MAX_COVERAGE_CELLS ((size_t)1 << 27)

typedef struct objective {
	int64_t primary, secondary;
} objective;

typedef struct plan {
	size_t m, n;
	const int *req;
	const int *umax;
	int cyclic;
	const pcrm_shift *sh;
	pcrm_shift_objective kind;
	unsigned char *cov; /* n x m: shift j covers interval t */
	size_t *a, *len;    /* contiguous run: start and length (0 = empty, m = all) */
	int *ub;            /* agents never usefully exceed this on shift j */
	int contiguous;
} plan;

static const unsigned char *covers(const plan *p, size_t j)
{
	return p->cov + j * p->m;
}

static int less(objective x, objective y)
{
	return x.primary < y.primary || (x.primary == y.primary && x.secondary < y.secondary);
}

/* ---- validation and set-up ---- */

static int check_counts(const char *name, const int *v, size_t m)
{
	for (size_t t = 0; t < m; t++)
		if (v[t] < 0 || v[t] > PCRM_STAFFING_MAX_AGENTS)
			return pcrm__error(PCRM_EINVAL, "%s[%zu]: %d is not in 0..%d", name, t, v[t],
			                   PCRM_STAFFING_MAX_AGENTS);
	return PCRM_OK;
}

static int check_problem(const pcrm_shift_problem *pr)
{
	int rc;

	if (pr == NULL)
		return pcrm__error(PCRM_EINVAL, "problem: NULL");
	if (pr->version != PCRM_SHIFT_PROBLEM_VERSION)
		return pcrm__error(PCRM_EINVAL, "problem.version: %u is not %d (use PCRM_SHIFT_PROBLEM_INIT)",
		                   pr->version, PCRM_SHIFT_PROBLEM_VERSION);
	if (pr->intervals == 0 || pr->intervals > MAX_INTERVALS)
		return pcrm__error(PCRM_EINVAL, "problem.intervals: %zu is not in 1..%zu", pr->intervals,
		                   MAX_INTERVALS);
	if (pr->required == NULL)
		return pcrm__error(PCRM_EINVAL, "problem.required: NULL");
	if (pr->shifts == NULL || pr->shift_count == 0)
		return pcrm__error(PCRM_EINVAL, "problem.shifts: no shifts given");
	if (pr->shift_count > MAX_COVERAGE_CELLS / pr->intervals)
		return pcrm__error(PCRM_EINVAL, "problem.shift_count: %zu shifts over %zu intervals is too large",
		                   pr->shift_count, pr->intervals);
	if (pr->objective != PCRM_SHIFT_MIN_COST && pr->objective != PCRM_SHIFT_MIN_DEVIATION)
		return pcrm__error(PCRM_EINVAL, "problem.objective: %d is not a pcrm_shift_objective",
		                   (int)pr->objective);
	if ((rc = check_counts("problem.required", pr->required, pr->intervals)) < 0)
		return rc;
	if (pr->max_staffed != NULL &&
	    (rc = check_counts("problem.max_staffed", pr->max_staffed, pr->intervals)) < 0)
		return rc;
	for (size_t j = 0; j < pr->shift_count; j++) {
		const pcrm_shift *s = &pr->shifts[j];
		if (s->cost < 0 || s->cost > PCRM_SHIFT_COST_MAX)
			return pcrm__error(PCRM_EINVAL, "shifts[%zu].cost: %lld is not in 0..%d", j,
			                   (long long)s->cost, PCRM_SHIFT_COST_MAX);
		if (s->max_agents < 0 || s->max_agents > PCRM_STAFFING_MAX_AGENTS)
			return pcrm__error(PCRM_EINVAL, "shifts[%zu].max_agents: %d is not in 0..%d", j,
			                   s->max_agents, PCRM_STAFFING_MAX_AGENTS);
		if (s->pattern == NULL && s->start >= pr->intervals)
			return pcrm__error(PCRM_EINVAL, "shifts[%zu].start: %zu is not below %zu intervals", j,
			                   s->start, pr->intervals);
		if (s->pattern == NULL && (s->length == 0 || s->length > pr->intervals))
			return pcrm__error(PCRM_EINVAL, "shifts[%zu].length: %zu is not in 1..%zu", j,
			                   s->length, pr->intervals);
	}
	return PCRM_OK;
}

/* Finds the run of a pattern shift; sets contiguous = 0 when it has several. */
static void pattern_run(plan *p, size_t j)
{
	const unsigned char *c = covers(p, j);
	size_t m = p->m, ones = 0, starts = 0, first = 0;

	for (size_t t = 0; t < m; t++) {
		if (!c[t])
			continue;
		ones++;
		int prev = t > 0 ? c[t - 1] : (p->cyclic ? c[m - 1] : 0);
		if (!prev) {
			if (starts++ == 0)
				first = t;
		}
	}
	p->len[j] = ones;
	p->a[j] = ones == m ? 0 : first;
	if (ones != 0 && ones != m && starts != 1)
		p->contiguous = 0;
}

static int build(plan *p, const pcrm_shift_problem *pr)
{
	size_t m = pr->intervals, n = pr->shift_count;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->n = n;
	p->req = pr->required;
	p->umax = pr->max_staffed;
	p->cyclic = pr->cyclic != 0;
	p->sh = pr->shifts;
	p->kind = pr->objective;
	p->contiguous = 1;
	p->cov = calloc(n * m, 1);
	p->a = calloc(n, sizeof(size_t));
	p->len = calloc(n, sizeof(size_t));
	p->ub = calloc(n, sizeof(int));
	if (p->cov == NULL || p->a == NULL || p->len == NULL || p->ub == NULL)
		return pcrm__error_oom();
	for (size_t j = 0; j < n; j++) {
		const pcrm_shift *s = &pr->shifts[j];
		unsigned char *c = p->cov + j * m;
		if (s->pattern != NULL) {
			for (size_t t = 0; t < m; t++)
				c[t] = s->pattern[t] != 0;
			pattern_run(p, j);
		} else {
			size_t len = s->length;
			if (!p->cyclic && len > m - s->start)
				len = m - s->start; /* a linear horizon just ends */
			for (size_t i = 0; i < len; i++)
				c[(s->start + i) % m] = 1;
			p->a[j] = len == m ? 0 : s->start;
			p->len[j] = len;
		}
		/* More agents than the largest requirement under the shift never
		 * help: removing one keeps every interval it covers satisfied. */
		int r = 0;
		for (size_t t = 0; t < m; t++)
			if (c[t] && p->req[t] > r)
				r = p->req[t];
		p->ub[j] = s->max_agents > 0 && s->max_agents < r ? s->max_agents : r;
	}
	return PCRM_OK;
}

static void release(plan *p)
{
	free(p->cov);
	free(p->a);
	free(p->len);
	free(p->ub);
}

/* ---- evaluating a plan ---- */

static int evaluate(const plan *p, const int *x, int64_t *staff, pcrm_shift_plan *sum)
{
	int64_t cost = 0, agents = 0, shortage = 0, surplus = 0;

	memset(staff, 0, sizeof(int64_t) * p->m);
	for (size_t j = 0; j < p->n; j++) {
		if (x[j] == 0)
			continue;
		int64_t c = p->sh[j].cost * (int64_t)x[j];
		if (cost > INT64_MAX - c)
			return pcrm__error(PCRM_EOVERFLOW, "shifts: the plan's total cost exceeds 64 bits");
		cost += c;
		agents += x[j];
		const unsigned char *cv = covers(p, j);
		for (size_t t = 0; t < p->m; t++)
			staff[t] += cv[t] ? x[j] : 0;
	}
	for (size_t t = 0; t < p->m; t++) {
		int64_t d = staff[t] - p->req[t];
		if (d < 0)
			shortage -= d;
		else
			surplus += d;
	}
	sum->cost = cost;
	sum->agents = agents;
	sum->shortage = shortage;
	sum->surplus = surplus;
	return PCRM_OK;
}

static objective value_of(const plan *p, const pcrm_shift_plan *s)
{
	objective o;

	if (p->kind == PCRM_SHIFT_MIN_COST) {
		o.primary = s->cost;
		o.secondary = 0;
	} else {
		o.primary = s->shortage + s->surplus;
		o.secondary = s->cost;
	}
	return o;
}

static int fits_limits(const plan *p, const int64_t *staff)
{
	for (size_t t = 0; t < p->m; t++) {
		if (p->umax != NULL && staff[t] > p->umax[t])
			return 0;
		if (p->kind == PCRM_SHIFT_MIN_COST && staff[t] < p->req[t])
			return 0;
	}
	return 1;
}

/* ---- the exact linear subproblem ---- */

/*
 * Solves the problem on positions 0..m-1 (position i is interval
 * (cut + i) mod m) for the shifts not marked in `fixed`, given `base`
 * agents already on duty per interval from the fixed ones.  Every shift
 * used must not cross the cut.  Writes their counts into x; *ok = 0 when
 * the residual problem is infeasible.
 */
static int solve_linear(const plan *p, size_t cut, const int64_t *base, const unsigned char *fixed,
                        int *x, int *ok)
{
	size_t m = p->m;
	pcrm__mcf g;
	int *arc = NULL, rc;
	int dev = p->kind == PCRM_SHIFT_MIN_DEVIATION;

	*ok = 1;
	if ((rc = pcrm__mcf_init(&g, (int)m + 1)) < 0)
		return rc;
	arc = malloc(sizeof(int) * p->n);
	if (arc == NULL) {
		rc = pcrm__error_oom();
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		size_t t = (cut + i) % m;
		int64_t r = p->req[t] - (base ? base[t] : 0);
		int64_t u = p->umax ? p->umax[t] - (base ? base[t] : 0) : PCRM__MCF_INF;
		int from = (int)i + 1, to = (int)i;
		if (!dev) {
			/* staffed - surplus = r: surplus is the arc i+1 -> i. */
			if (r < 0)
				r = 0;
			if (u < r) {
				*ok = 0;
				goto out;
			}
			pcrm__mcf_supply(&g, (int)i, r);
			pcrm__mcf_supply(&g, (int)i + 1, -r);
			if ((rc = pcrm__mcf_add(&g, from, to, u - r, 0)) < 0)
				goto out;
		} else {
			/* staffed - over + under = r, each unit of over or under costing 1;
			 * staffed <= u caps over at u - r and forces under >= r - u. */
			int64_t over = u - r > 0 ? u - r : 0, low = r - u > 0 ? r - u : 0;
			if (u < 0) {
				*ok = 0;
				goto out;
			}
			pcrm__mcf_supply(&g, (int)i, r - low);
			pcrm__mcf_supply(&g, (int)i + 1, low - r);
			if ((rc = pcrm__mcf_add(&g, from, to, over, PCRM__MCF_COST(1, 0))) < 0 ||
			    (rc = pcrm__mcf_add(&g, to, from, PCRM__MCF_INF, PCRM__MCF_COST(1, 0))) < 0)
				goto out;
		}
	}
	for (size_t j = 0; j < p->n; j++) {
		arc[j] = -1;
		if ((fixed && fixed[j]) || p->ub[j] == 0 || p->len[j] == 0)
			continue;
		size_t s = p->len[j] == m ? 0 : (p->a[j] + m - cut) % m, e = s + p->len[j];
		pcrm__mcf_cost c = dev ? PCRM__MCF_COST(0, p->sh[j].cost) : PCRM__MCF_COST(p->sh[j].cost, 0);
		if ((rc = pcrm__mcf_add(&g, (int)s, (int)e, p->ub[j], c)) < 0)
			goto out;
		arc[j] = rc;
	}
	if ((rc = pcrm__mcf_solve(&g, ok)) < 0 || !*ok)
		goto out;
	for (size_t j = 0; j < p->n; j++)
		if (!(fixed && fixed[j]))
			x[j] = arc[j] >= 0 ? (int)pcrm__mcf_flow(&g, arc[j]) : 0;
	rc = PCRM_OK;
out:
	free(arc);
	pcrm__mcf_free(&g);
	return rc < 0 ? rc : PCRM_OK;
}

/* ---- cyclic horizons: cutting and enumerating the crossing shifts ---- */

static int crosses(const plan *p, size_t j, size_t cut)
{
	if (!p->cyclic || p->len[j] == 0 || p->len[j] == p->m || p->ub[j] == 0)
		return 0;
	return (p->a[j] + p->m - cut) % p->m + p->len[j] > p->m;
}

/* The cut with the fewest combinations of crossing counts. */
static size_t best_cut(const plan *p, double *combos)
{
	size_t best = 0;

	*combos = -1.0;
	for (size_t cut = 0; cut < (p->cyclic ? p->m : 1); cut++) {
		double box = 1.0;
		for (size_t j = 0; j < p->n && box < 1e18; j++)
			if (crosses(p, j, cut))
				box *= (double)p->ub[j] + 1.0;
		if (*combos < 0.0 || box < *combos) {
			*combos = box;
			best = cut;
		}
		if (box <= 1.0)
			break;
	}
	return best;
}

/* How many linear subproblems we are willing to solve exactly. */
static double enumeration_budget(const plan *p)
{
	double b = (double)(1 << 21) / (double)(p->n + 2 * p->m);
	return b < 16.0 ? 16.0 : (b > 4096.0 ? 4096.0 : b);
}

typedef struct search {
	const plan *p;
	size_t cut;
	unsigned char *fixed;
	int64_t *base, *staff;
	int *x, *best;
	objective best_value;
	int found;
} search;

/* Evaluates the crossing counts now in s->x: the rest exactly. */
static int try_crossing(search *s)
{
	pcrm_shift_plan sum = PCRM_SHIFT_PLAN_INIT;
	int ok, rc;

	if ((rc = solve_linear(s->p, s->cut, s->base, s->fixed, s->x, &ok)) < 0 || !ok)
		return rc;
	if ((rc = evaluate(s->p, s->x, s->staff, &sum)) < 0)
		return rc;
	if (!fits_limits(s->p, s->staff))
		return PCRM_OK;
	objective v = value_of(s->p, &sum);
	if (!s->found || less(v, s->best_value)) {
		s->found = 1;
		s->best_value = v;
		memcpy(s->best, s->x, sizeof(int) * s->p->n);
	}
	return PCRM_OK;
}

static void add_base(search *s, size_t j, int64_t k)
{
	const unsigned char *c = covers(s->p, j);

	for (size_t t = 0; t < s->p->m; t++)
		if (c[t])
			s->base[t] += k;
}

/* Every combination of counts of the crossing shifts (an odometer). */
static int enumerate(search *s, const size_t *cross, size_t k)
{
	int rc;

	for (size_t i = 0; i < k; i++)
		s->x[cross[i]] = 0;
	memset(s->base, 0, sizeof(int64_t) * s->p->m);
	for (;;) {
		int64_t fixed_cost = 0;
		for (size_t i = 0; i < k; i++)
			fixed_cost += s->p->sh[cross[i]].cost * s->x[cross[i]];
		/* Costs are >= 0: a prefix already dearer than the best cannot win. */
		if (!(s->found && s->p->kind == PCRM_SHIFT_MIN_COST && fixed_cost >= s->best_value.primary))
			if ((rc = try_crossing(s)) < 0)
				return rc;
		size_t i = 0;
		for (; i < k; i++) {
			size_t j = cross[i];
			if (s->x[j] < s->p->ub[j]) {
				s->x[j]++;
				add_base(s, j, 1);
				break;
			}
			add_base(s, j, -(int64_t)s->x[j]);
			s->x[j] = 0;
		}
		if (i == k)
			return PCRM_OK;
	}
}

/*
 * Heuristic refinement for contiguous shifts: starting from the crossing
 * counts in s->best, move one count by +-1 while the exactly re-optimised
 * rest improves.
 */
static int descend(search *s, const size_t *cross, size_t k)
{
	int rc, moves = 0;

	for (int improved = 1; improved && moves < 400;) {
		improved = 0;
		for (size_t i = 0; i < k && moves < 400; i++) {
			for (int d = -1; d <= 1; d += 2) {
				objective before = s->best_value;
				int found = s->found;
				memcpy(s->x, s->best, sizeof(int) * s->p->n);
				int v = s->x[cross[i]] + d;
				if (v < 0 || v > s->p->ub[cross[i]])
					continue;
				s->x[cross[i]] = v;
				memset(s->base, 0, sizeof(int64_t) * s->p->m);
				for (size_t q = 0; q < k; q++)
					add_base(s, cross[q], s->x[cross[q]]);
				moves++;
				if ((rc = try_crossing(s)) < 0)
					return rc;
				if (s->found && (!found || less(s->best_value, before)))
					improved = 1;
			}
		}
	}
	return PCRM_OK;
}

/* ---- heuristics for any pattern ---- */

static int room(const plan *p, const int64_t *staff, size_t j)
{
	const unsigned char *c = covers(p, j);

	if (p->umax == NULL)
		return 1;
	for (size_t t = 0; t < p->m; t++)
		if (c[t] && staff[t] + 1 > p->umax[t])
			return 0;
	return 1;
}

static void add_agents(const plan *p, int *x, int64_t *staff, size_t j, int k)
{
	const unsigned char *c = covers(p, j);

	x[j] += k;
	for (size_t t = 0; t < p->m; t++)
		if (c[t])
			staff[t] += k;
}

/* Greedy cover: repeatedly the shift with most short intervals per cost. */
static void greedy_cover(const plan *p, int *x, int64_t *staff)
{
	for (;;) {
		size_t best = p->n;
		int64_t best_gain = 0;
		for (size_t j = 0; j < p->n; j++) {
			const unsigned char *c = covers(p, j);
			int64_t gain = 0;
			if (x[j] >= p->ub[j] || !room(p, staff, j))
				continue;
			for (size_t t = 0; t < p->m; t++)
				gain += c[t] && staff[t] < p->req[t];
			if (gain == 0)
				continue;
			/* gain / cost > best_gain / best_cost, cost 0 being best */
			if (best == p->n || gain * p->sh[best].cost > best_gain * p->sh[j].cost ||
			    (gain * p->sh[best].cost == best_gain * p->sh[j].cost && gain > best_gain)) {
				best = j;
				best_gain = gain;
			}
		}
		if (best == p->n)
			return;
		add_agents(p, x, staff, best, 1);
	}
}

/* Removes agents that are not needed, dearest shifts first. */
static int drop_redundant(const plan *p, int *x, int64_t *staff)
{
	int changed = 0;

	for (;;) {
		size_t best = p->n;
		for (size_t j = 0; j < p->n; j++) {
			const unsigned char *c = covers(p, j);
			int needed = 0;
			if (x[j] == 0)
				continue;
			for (size_t t = 0; t < p->m && !needed; t++)
				needed = c[t] && staff[t] - 1 < p->req[t];
			if (!needed && (best == p->n || p->sh[j].cost > p->sh[best].cost))
				best = j;
		}
		if (best == p->n)
			return changed;
		add_agents(p, x, staff, best, -1);
		changed = 1;
	}
}

/* One agent moved from shift j to a cheaper shift k that keeps the cover. */
static int swap_cheaper(const plan *p, int *x, int64_t *staff)
{
	for (size_t j = 0; j < p->n; j++) {
		if (x[j] == 0)
			continue;
		add_agents(p, x, staff, j, -1);
		for (size_t k = 0; k < p->n; k++) {
			if (k == j || p->sh[k].cost >= p->sh[j].cost || x[k] >= p->ub[k] || !room(p, staff, k))
				continue;
			add_agents(p, x, staff, k, 1);
			if (fits_limits(p, staff))
				return 1;
			add_agents(p, x, staff, k, -1);
		}
		add_agents(p, x, staff, j, 1);
	}
	return 0;
}

/* Change in (deviation, cost) from adding d (+1 or -1) agents to shift j. */
static objective delta(const plan *p, const int64_t *staff, size_t j, int d)
{
	const unsigned char *c = covers(p, j);
	objective o = { 0, p->sh[j].cost * d };

	for (size_t t = 0; t < p->m; t++) {
		if (!c[t])
			continue;
		int64_t now = staff[t] - p->req[t], after = now + d;
		o.primary += (after < 0 ? -after : after) - (now < 0 ? -now : now);
	}
	return o;
}

/* Add or remove single agents while the deviation (then cost) falls. */
static void improve_deviation(const plan *p, int *x, int64_t *staff)
{
	const objective zero = { 0, 0 };

	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t j = 0; j < p->n; j++) {
			while (x[j] < p->ub[j] && room(p, staff, j) && less(delta(p, staff, j, 1), zero)) {
				add_agents(p, x, staff, j, 1);
				changed = 1;
			}
			while (x[j] > 0 && less(delta(p, staff, j, -1), zero)) {
				add_agents(p, x, staff, j, -1);
				changed = 1;
			}
		}
	}
}

static void heuristic(const plan *p, int *x, int64_t *staff)
{
	memset(x, 0, sizeof(int) * p->n);
	memset(staff, 0, sizeof(int64_t) * p->m);
	if (p->kind == PCRM_SHIFT_MIN_COST) {
		greedy_cover(p, x, staff);
		if (!fits_limits(p, staff))
			return;
		drop_redundant(p, x, staff);
		/* Swaps cost n^2 m each: keep them for problems of modest size. */
		for (int pass = 0; pass < 200 && (double)p->n * (double)p->n * (double)p->m < 1e8; pass++)
			if (!swap_cheaper(p, x, staff) && !drop_redundant(p, x, staff))
				break;
	} else {
		improve_deviation(p, x, staff);
	}
}

/* ---- infeasibility with a reason ---- */

static int explain_infeasible(const plan *p)
{
	for (size_t t = 0; t < p->m; t++) {
		int64_t most = 0;
		if (p->umax != NULL && p->umax[t] < p->req[t])
			return pcrm__error(PCRM_EINVAL, "infeasible: interval %zu requires %d agents but "
			                   "max_staffed allows %d", t, p->req[t], p->umax[t]);
		for (size_t j = 0; j < p->n; j++)
			if (covers(p, j)[t])
				most += p->sh[j].max_agents > 0 ? p->sh[j].max_agents : PCRM_STAFFING_MAX_AGENTS;
		if (most < p->req[t])
			return pcrm__error(PCRM_EINVAL, "infeasible: interval %zu requires %d agents but the "
			                   "shifts covering it allow at most %lld", t, p->req[t], (long long)most);
	}
	return PCRM_OK;
}

/* ---- the driver ---- */

static int plan_solve(const plan *p, search *s, int *optimal)
{
	double combos;
	size_t *cross = NULL, k = 0;
	int rc = PCRM_OK;

	s->cut = best_cut(p, &combos);
	cross = malloc(sizeof(size_t) * p->n);
	if (cross == NULL)
		return pcrm__error_oom();
	for (size_t j = 0; j < p->n; j++) {
		s->fixed[j] = (unsigned char)crosses(p, j, s->cut);
		if (s->fixed[j])
			cross[k++] = j;
	}
	*optimal = 0;
	if (p->contiguous && combos <= enumeration_budget(p)) {
		rc = enumerate(s, cross, k);
		*optimal = rc == PCRM_OK;
	} else {
		/* Heuristic start, then for contiguous shifts the crossing descent. */
		heuristic(p, s->x, s->staff);
		pcrm_shift_plan sum = PCRM_SHIFT_PLAN_INIT;
		if ((rc = evaluate(p, s->x, s->staff, &sum)) == PCRM_OK && fits_limits(p, s->staff)) {
			s->found = 1;
			s->best_value = value_of(p, &sum);
			memcpy(s->best, s->x, sizeof(int) * p->n);
		}
		if (rc == PCRM_OK && p->contiguous && s->found)
			rc = descend(s, cross, k);
	}
	free(cross);
	return rc;
}

int pcrm_staffing_shift_plan(const pcrm_shift_problem *problem, int *counts, int *staffed,
                             pcrm_shift_plan *out)
{
	plan p;
	search s;
	pcrm_shift_plan sum = PCRM_SHIFT_PLAN_INIT;
	int rc, optimal = 0;

	if ((rc = check_problem(problem)) < 0)
		return rc;
	if (counts == NULL)
		return pcrm__error(PCRM_EINVAL, "counts: NULL");
	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "plan: NULL");
	if ((rc = PCRM__OUT_VERSION_CHECK("plan", out, PCRM_SHIFT_PLAN)) < 0)
		return rc;
	memset(&s, 0, sizeof(s));
	if ((rc = build(&p, problem)) < 0)
		goto out;
	if (p.kind == PCRM_SHIFT_MIN_COST && (rc = explain_infeasible(&p)) < 0)
		goto out;
	s.p = &p;
	s.fixed = calloc(p.n, 1);
	s.x = calloc(p.n, sizeof(int));
	s.best = calloc(p.n, sizeof(int));
	s.base = calloc(p.m, sizeof(int64_t));
	s.staff = calloc(p.m, sizeof(int64_t));
	if (s.fixed == NULL || s.x == NULL || s.best == NULL || s.base == NULL || s.staff == NULL) {
		rc = pcrm__error_oom();
		goto out;
	}
	if ((rc = plan_solve(&p, &s, &optimal)) < 0)
		goto out;
	if (!s.found) {
		rc = pcrm__error(PCRM_EINVAL, "infeasible: no combination of shifts covers every "
		                 "interval within the shift and interval maxima%s",
		                 optimal ? "" : " (heuristic search: some shifts are not contiguous)");
		goto out;
	}
	if ((rc = evaluate(&p, s.best, s.staff, &sum)) < 0)
		goto out;
	sum.optimal = optimal;
	sum.version = PCRM_SHIFT_PLAN_VERSION;
	memcpy(counts, s.best, sizeof(int) * p.n);
	if (staffed != NULL)
		for (size_t t = 0; t < p.m; t++)
			staffed[t] = (int)s.staff[t];
	*out = sum;
out:
	free(s.fixed);
	free(s.x);
	free(s.best);
	free(s.base);
	free(s.staff);
	release(&p);
	return rc;
}
