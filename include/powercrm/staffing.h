/*
 * libpowercrm - staffing mathematics: Erlang B / C / A queueing formulas,
 * required agents for a service goal, forecast-to-staffing curves and shift
 * plans.  Pure computation: no I/O, no allocation visible to the caller,
 * thread-safe.  docs/staffing.md gives the formulas and a worked example.
 *
 * Units used throughout:
 *   - times are seconds (double);
 *   - call volumes are calls offered during one interval (double, so a
 *     forecast of 12.5 calls is fine);
 *   - offered load A is in erlangs: A = calls * aht_s / interval_s;
 *   - probabilities and occupancies are fractions in [0, 1] (double: they
 *     are not money), shrinkage is an exact pcrm_decimal.
 *
 * Common to every function returning a status: 0 on success; PCRM_EINVAL
 * with pcrm_error_last() naming the parameter ("queue.aht_s: -3 is not a
 * positive number") for NULL pointers, NaN, infinities, negative counts or
 * a zero interval length; on failure the out-parameters are left unchanged.
 */
#ifndef POWERCRM_STAFFING_H
#define POWERCRM_STAFFING_H

#include <powercrm/common.h>
#include <powercrm/decimal.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The largest agent, line or per-interval requirement count any function
 * works with.  A search that would need more returns PCRM_EOVERFLOW.
 */
#define PCRM_STAFFING_MAX_AGENTS 1000000

/* ------------------------------------------------------------------------ */
/* Queueing formulas                                                        */
/* ------------------------------------------------------------------------ */

/**
 * One interval of one queue: the Erlang models assume Poisson arrivals at a
 * constant rate calls / interval_s during the interval, exponential handle
 * times with mean aht_s, first-come first-served, and (Erlang A only)
 * exponential caller patience with mean patience_s.
 */
typedef struct pcrm_queue {
	double calls;      /**< calls offered during the interval, >= 0 */
	double interval_s; /**< interval length in seconds, > 0 (1800 for half-hours) */
	double aht_s;      /**< average handle time (talk + hold + after-call work), seconds, > 0 */
	double patience_s; /**< Erlang A only: mean time a caller waits before hanging up, seconds, > 0 */
} pcrm_queue;

/**
 * Performance of `agents` agents serving a queue.  Definitions, for a caller
 * arriving at a random moment of the steady state:
 *
 *  - p_wait: probability that all agents are busy, so the caller queues.
 *    Erlang C: C(N, A); 1 when agents <= offered load (the queue then grows
 *    without bound).
 *  - p_abandon: probability the caller hangs up before being answered
 *    (always 0 in Erlang C).
 *  - service_level: P(answered within target_s) = calls answered within
 *    target_s / calls offered.  Abandoned calls count as NOT answered in
 *    time, whenever they hang up.  Erlang C: 1 - C e^{-(N-A) T / aht}; 0 when
 *    agents <= offered load.
 *  - service_level_excl: calls answered within target_s / (calls offered -
 *    calls abandoned within target_s): the variant that ignores short
 *    abandons.  Equal to service_level in Erlang C.
 *  - asa_s: average speed of answer, the mean wait of ANSWERED calls, in
 *    seconds (Erlang C: C aht / (N - A); infinity when agents <= load).
 *  - avg_wait_s: mean time in queue over all offered calls, answered or
 *    abandoned (Erlang A: p_abandon * patience_s; Erlang C: asa_s).
 *  - occupancy: fraction of the agents' time spent handling calls: carried
 *    load / agents = A (1 - p_abandon) / N; 1 when agents <= load in Erlang
 *    C; 0 when there is no load.
 *
 * With zero calls nobody waits: p_wait 0, service level 1, waits 0.
 */
typedef struct pcrm_queue_metrics {
	unsigned int version; /**< PCRM_QUEUE_METRICS_VERSION, set by the caller (PCRM_QUEUE_METRICS_INIT) */
	double erlangs;            /**< offered load A = calls * aht_s / interval_s */
	double p_wait;             /**< P(all agents busy on arrival) */
	double p_abandon;          /**< P(caller abandons) */
	double service_level;      /**< answered within target_s / offered */
	double service_level_excl; /**< answered within target_s / (offered - abandoned within target_s) */
	double asa_s;              /**< mean wait of answered calls, seconds */
	double avg_wait_s;         /**< mean wait of all offered calls, seconds */
	double occupancy;          /**< carried load / agents */
} pcrm_queue_metrics;

/** The layout of pcrm_queue_metrics this header describes; the caller sets it (docs/abi.md). */
#define PCRM_QUEUE_METRICS_VERSION 1
/** A pcrm_queue_metrics to pass to the library: its version set, every other field zero. */
#define PCRM_QUEUE_METRICS_INIT { .version = PCRM_QUEUE_METRICS_VERSION }

/** Offered load in erlangs: calls * aht_s / interval_s (patience is not checked). */
PCRM_EXTERN(int) pcrm_erlang_load(const pcrm_queue *queue, double *erlangs);

/**
 * Erlang B: probability that a call offered to `lines` lines (no queue)
 * finds them all busy and is lost, for an offered load of `erlangs`.
 * Computed with the recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)),
 * which is stable and never overflows for any line count.
 */
PCRM_EXTERN(int) pcrm_erlang_b(double erlangs, int lines, double *blocking);

/**
 * The smallest number of lines whose Erlang B blocking is at most
 * `max_blocking` (0 < max_blocking <= 1): 10 erlangs at 2% need 17 lines.
 * PCRM_EOVERFLOW when more than PCRM_STAFFING_MAX_AGENTS would be needed.
 */
PCRM_EXTERN(int) pcrm_erlang_b_lines(double erlangs, double max_blocking, int *lines);

/**
 * Erlang C: probability of waiting, C(N, A) = N B / (N - A + A B) with B the
 * Erlang B blocking of N lines; 1 when agents <= erlangs and erlangs > 0;
 * 0 for zero load.
 */
PCRM_EXTERN(int) pcrm_erlang_c(double erlangs, int agents, double *p_wait);

/**
 * All pcrm_queue_metrics of the Erlang C model (M/M/N, callers never
 * abandon) with `agents` agents; service levels for answering within
 * `target_s` seconds (>= 0).  queue->patience_s is ignored.
 */
PCRM_EXTERN(int) pcrm_erlang_c_metrics(const pcrm_queue *queue, int agents, double target_s,
                                       pcrm_queue_metrics *out);

/**
 * All pcrm_queue_metrics of the Erlang A model (M/M/N+M, Palm: callers hang
 * up after an exponential patience of mean queue->patience_s) with `agents`
 * agents.  The queue is stable for every agent count, including zero (then
 * every caller abandons).  Computed from the exact stationary distribution
 * (incomplete-gamma series, scaled so that nothing overflows).
 */
PCRM_EXTERN(int) pcrm_erlang_a_metrics(const pcrm_queue *queue, int agents, double target_s,
                                       pcrm_queue_metrics *out);

/* ------------------------------------------------------------------------ */
/* Required agents                                                          */
/* ------------------------------------------------------------------------ */

/** The queueing model used to size an interval. */
typedef enum pcrm_queue_model {
	PCRM_QUEUE_ERLANG_C = 0, /**< callers never abandon (conservative, the classic) */
	PCRM_QUEUE_ERLANG_A = 1  /**< callers abandon after queue.patience_s on average */
} pcrm_queue_model;

#define PCRM_STAFFING_TARGET_VERSION 1

/**
 * What "enough agents" means.  Every goal that is set must hold; a goal of
 * 0 is not set (a 0 service level is always met, and an average wait or an
 * abandonment rate of exactly 0 can never be met).  At least one goal or the
 * occupancy cap must be set.  Initialise with PCRM_STAFFING_TARGET_INIT.
 *
 * Comparisons allow a relative slack of 1e-12, so a goal met exactly on
 * paper (8 erlangs at an occupancy cap of 0.80 with 10 agents) is met in
 * floating point too.
 */
typedef struct pcrm_staffing_target {
	unsigned int version;     /**< PCRM_STAFFING_TARGET_VERSION */
	pcrm_queue_model model;   /**< Erlang C (default) or Erlang A */
	double service_level;     /**< goal: service_level >= this (0..1); 0 = no goal */
	double target_s;          /**< the T of the service-level goal, seconds >= 0 (20 in "80/20") */
	double max_asa_s;         /**< goal: asa_s <= this; 0 = no goal */
	double max_abandon;       /**< goal (Erlang A only): p_abandon <= this; 0 = no goal */
	double max_occupancy;     /**< cap: occupancy <= this (0..1]; 0 = no cap */
	pcrm_decimal shrinkage;   /**< share of paid time not on the phones (breaks, training), 0 <= s < 1 */
} pcrm_staffing_target;

#define PCRM_STAFFING_TARGET_INIT \
	{ PCRM_STAFFING_TARGET_VERSION, PCRM_QUEUE_ERLANG_C, 0.0, 0.0, 0.0, 0.0, 0.0, { 0, 0 } }

/** The answer for one interval. */
typedef struct pcrm_staffing_result {
	unsigned int version; /**< PCRM_STAFFING_RESULT_VERSION, set by the caller (PCRM_STAFFING_RESULT_INIT) */
	int agents;                 /**< smallest agent count on the phones meeting every goal */
	int scheduled;              /**< agents to schedule: ceil(agents / (1 - shrinkage)), exact */
	pcrm_queue_metrics metrics; /**< the queue's performance with `agents` agents */
} pcrm_staffing_result;

/** The layout of pcrm_staffing_result this header describes; the caller sets it (docs/abi.md). */
#define PCRM_STAFFING_RESULT_VERSION 1
/** A pcrm_staffing_result to pass to the library: its version set, every other field zero. */
#define PCRM_STAFFING_RESULT_INIT { .version = PCRM_STAFFING_RESULT_VERSION }

/**
 * The smallest number of agents N meeting every goal of `target` for
 * `queue`, then the number to schedule after shrinkage.  Zero calls need
 * zero agents.  In Erlang C, N is always greater than the offered load.
 * PCRM_EINVAL for a goal out of range, max_abandon with Erlang C, or a
 * shrinkage outside [0, 1) ("target.shrinkage: 1.00 is not in [0, 1)");
 * PCRM_EOVERFLOW when more than PCRM_STAFFING_MAX_AGENTS would be needed.
 */
PCRM_EXTERN(int) pcrm_staffing_required(const pcrm_queue *queue, const pcrm_staffing_target *target,
                                        pcrm_staffing_result *out);

/**
 * Agents to schedule so that `agents` remain on the phones after
 * `shrinkage`: ceil(agents / (1 - shrinkage)) in exact decimal arithmetic,
 * so 21 agents at 0.30 give exactly 30 (binary floating point would say
 * 30.000000000000004 and round up to 31).  PCRM_EINVAL names "shrinkage"
 * when it is negative or >= 1; PCRM_EOVERFLOW above PCRM_STAFFING_MAX_AGENTS.
 */
PCRM_EXTERN(int) pcrm_staffing_shrink(int agents, pcrm_decimal shrinkage, int *scheduled);

/* ------------------------------------------------------------------------ */
/* Forecasts                                                                */
/* ------------------------------------------------------------------------ */

/** The forecast of one interval. */
typedef struct pcrm_forecast_interval {
	double calls; /**< calls offered in the interval, >= 0 */
	double aht_s; /**< average handle time, seconds; > 0 when calls > 0, >= 0 otherwise */
} pcrm_forecast_interval;

/**
 * The staffing curve: pcrm_staffing_required() for each of `count`
 * intervals of `interval_s` seconds (e.g. 48 half-hours of a day), writing
 * `count` results to `out`.  `patience_s` is used by Erlang A targets only.
 * On failure the message names the interval ("interval 17: ...").  `out[0].version`
 * names the layout of the array (`pcrm_staffing_result out[48] =
 * { PCRM_STAFFING_RESULT_INIT };`, docs/abi.md).
 */
PCRM_EXTERN(int) pcrm_staffing_curve(const pcrm_forecast_interval *intervals, size_t count,
                                     double interval_s, double patience_s,
                                     const pcrm_staffing_target *target, pcrm_staffing_result *out);

/**
 * Averages history by weekday and interval.  `history` holds `days`
 * consecutive days of `per_day` intervals each (row-major: day d, interval i
 * at history[d * per_day + i]); the first day is weekday `first_weekday`
 * (0 = Monday .. 6 = Sunday).  Writes 7 * per_day entries to `profile`
 * (weekday w, interval i at profile[w * per_day + i]): calls are the mean
 * over the days of that weekday, aht_s the call-weighted mean handle time
 * (the plain mean when no calls were seen).  Weekdays without any day in
 * the history get zeros.  `samples`, when not NULL, receives for each
 * weekday the number of days averaged.
 */
PCRM_EXTERN(int) pcrm_staffing_weekday_profile(const pcrm_forecast_interval *history, size_t days,
                                               size_t per_day, int first_weekday,
                                               pcrm_forecast_interval *profile, int samples[7]);

/* ------------------------------------------------------------------------ */
/* Shift planning                                                           */
/* ------------------------------------------------------------------------ */

/**
 * One kind of shift: the intervals an agent on it is on duty, and its cost.
 * A contiguous shift covers `length` intervals from `start`; in a cyclic
 * plan it may run past the last interval and continue at interval 0 (a
 * night shift over midnight), in a linear plan its coverage stops at the end
 * of the horizon.  A shift with a `pattern` (breaks, split shifts) covers
 * interval t when pattern[t] != 0; start and length are then ignored.
 */
typedef struct pcrm_shift {
	size_t start;                 /**< first interval on duty, < intervals */
	size_t length;                /**< intervals on duty, 1..intervals */
	const unsigned char *pattern; /**< NULL, or `intervals` bytes: nonzero = on duty */
	int64_t cost;                 /**< cost of one agent on the shift, 0..PCRM_SHIFT_COST_MAX, any unit */
	int max_agents;               /**< at most this many agents on the shift; 0 = no limit */
} pcrm_shift;

/** The largest cost of one shift. */
#define PCRM_SHIFT_COST_MAX 1000000000

/** What a shift plan optimises. */
typedef enum pcrm_shift_objective {
	/** staffed >= required in every interval, at minimum total cost */
	PCRM_SHIFT_MIN_COST = 0,
	/** minimum total |staffed - required| over the intervals, then minimum cost */
	PCRM_SHIFT_MIN_DEVIATION = 1
} pcrm_shift_objective;

#define PCRM_SHIFT_PROBLEM_VERSION 1

/** A shift-planning problem.  Initialise with PCRM_SHIFT_PROBLEM_INIT. */
typedef struct pcrm_shift_problem {
	unsigned int version;           /**< PCRM_SHIFT_PROBLEM_VERSION */
	size_t intervals;               /**< length of the horizon (e.g. 48, or 7 * 96) */
	const int *required;            /**< `intervals` agent counts, >= 0 */
	const int *max_staffed;         /**< NULL, or `intervals` upper limits on agents on duty */
	int cyclic;                     /**< nonzero: interval 0 follows the last one (a repeating day or week) */
	const pcrm_shift *shifts;       /**< the allowed shifts */
	size_t shift_count;             /**< number of shifts, >= 1 */
	pcrm_shift_objective objective; /**< PCRM_SHIFT_MIN_COST or PCRM_SHIFT_MIN_DEVIATION */
} pcrm_shift_problem;

#define PCRM_SHIFT_PROBLEM_INIT \
	{ PCRM_SHIFT_PROBLEM_VERSION, 0, NULL, NULL, 0, NULL, 0, PCRM_SHIFT_MIN_COST }

/** Summary of a shift plan. */
typedef struct pcrm_shift_plan {
	unsigned int version; /**< PCRM_SHIFT_PLAN_VERSION, set by the caller (PCRM_SHIFT_PLAN_INIT) */
	int64_t cost;     /**< sum of cost * agents over the shifts */
	int64_t agents;   /**< agents planned, all shifts */
	int64_t shortage; /**< sum over intervals of max(0, required - staffed) */
	int64_t surplus;  /**< sum over intervals of max(0, staffed - required) */
	int optimal;      /**< 1: proven optimal for the objective; 0: heuristic answer */
} pcrm_shift_plan;

/** The layout of pcrm_shift_plan this header describes; the caller sets it (docs/abi.md). */
#define PCRM_SHIFT_PLAN_VERSION 1
/** A pcrm_shift_plan to pass to the library: its version set, every other field zero. */
#define PCRM_SHIFT_PLAN_INIT { .version = PCRM_SHIFT_PLAN_VERSION }

/**
 * How many agents to put on each shift.  Writes `shift_count` counts to
 * `counts`, the agents on duty per interval to `staffed` (`intervals`
 * entries; may be NULL) and the summary to `plan`.
 *
 * Exact (plan->optimal = 1) when every shift is contiguous: a min-cost flow
 * on the interval network; a cyclic horizon is cut where no shift crosses,
 * or else the counts of the few shifts crossing the best cut point are
 * enumerated, each case solved exactly.  Otherwise (patterns, or too many
 * crossing combinations) a documented heuristic answers with optimal = 0:
 * greedy construction, then drop / swap / exact re-optimisation moves.
 *
 * PCRM_SHIFT_MIN_COST with no feasible plan is PCRM_EINVAL with a message starting
 * "infeasible:" that names the interval when one is to blame.
 */
PCRM_EXTERN(int) pcrm_staffing_shift_plan(const pcrm_shift_problem *problem, int *counts,
                                          int *staffed, pcrm_shift_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_STAFFING_H */
