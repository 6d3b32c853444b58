/*
 * libpowercrm - the simulated switch (pcrm_sim): a deterministic
 * discrete-event simulation of a service centre's calls on a virtual clock.
 * docs/simulator.md describes the model, the distributions, the determinism
 * rules and the validation against Erlang C / Erlang A.
 *
 * A pcrm_sim owns a real ACD engine (acd.h, built from the caller's JSON
 * configuration, running on the simulation's clock) and a real telephony
 * adapter runtime (telephony.h) whose switch table it implements: the
 * simulation plays the switch.  Every call goes through the adapter exactly
 * as a PBX's would: offered and queued events in, the ACD decides, the
 * adapter asks the switch to route, the simulated switch rings the agent's
 * device and reports delivered / established / failed / cleared events.
 * What comes out is what the ACD measured (its queue and agent statistics,
 * per interval, read with pcrm_acd_*_get on pcrm_sim_acd()) and its call
 * detail records (pcrm_sim_cdr_*).
 *
 * Determinism: the same configuration and seed give the same CDRs and
 * statistics, bit for bit (on one build of the library: the distributions
 * use the C library's log/exp/cos).  Each queue draws its arrivals and its
 * callers' talk time, patience and transfer choice from its own generator,
 * and the agents' behaviour comes from another, so two runs that differ
 * only in the agents (a different staffing plan) see the same callers
 * (common random numbers: their service levels compare with less noise).
 *
 * Errors: PCRM_EINVAL naming the field ("queues[2].talk.mean_s: -1 is not
 * a positive number"), PCRM_ENOTFOUND for a queue or agent the ACD lacks,
 * PCRM_ESTATE for a second run, PCRM_ENOMEM.  Not thread-safe: one thread
 * drives one pcrm_sim (several may run side by side).
 */
#ifndef POWERCRM_SIM_H
#define POWERCRM_SIM_H

#include <powercrm/acd.h>
#include <powercrm/common.h>
#include <powercrm/staffing.h>
#include <powercrm/telephony.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A simulation.  Opaque; one thread at a time. */
typedef struct pcrm_sim pcrm_sim;

/** Shapes of a random duration. */
typedef enum pcrm_sim_dist_kind {
	PCRM_SIM_NONE = 0,        /**< "none": the step does not happen (no abandon, no wrap-up by the agent, answer at once) */
	PCRM_SIM_FIXED = 1,       /**< "fixed": always mean_s */
	PCRM_SIM_EXPONENTIAL = 2, /**< "exponential" with mean mean_s */
	PCRM_SIM_LOGNORMAL = 3    /**< "lognormal" with mean mean_s and standard deviation sd_s */
} pcrm_sim_dist_kind;

/** A random duration in seconds; drawn as a double, used as whole milliseconds (rounded to nearest). */
typedef struct pcrm_sim_dist {
	pcrm_sim_dist_kind kind;
	double mean_s; /**< > 0 unless kind is none; at most 86400 */
	double sd_s;   /**< lognormal only: > 0 */
} pcrm_sim_dist;

/**
 * One call of a recorded day (a call log replayed instead of drawn
 * arrivals): when it arrived, how long it talked when answered, and how
 * long its caller would have waited (< 0: unknown, never abandons; take it
 * from an abandoned call's wait, or from the queue's patience otherwise).
 */
typedef struct pcrm_sim_call {
	double at_s;       /**< arrival, seconds from the simulation's start, >= 0, non-decreasing */
	double talk_s;     /**< talk time when answered, > 0 */
	double patience_s; /**< < 0: draw from the queue's patience (none: never abandons) */
} pcrm_sim_call;

#define PCRM_SIM_QUEUE_VERSION 1

/**
 * The callers of one ACD queue.  Initialise with PCRM_SIM_QUEUE_INIT.
 * Arrivals are Poisson with a rate that is constant within each interval:
 * calls[i] calls expected in interval i (interval_s seconds from the
 * simulation's start); after the last interval no more calls arrive.
 * With a call log (`log`), exactly those calls arrive instead, with their
 * own talk times (and patience when given): calls / interval_count /
 * interval_s are then ignored.
 */
typedef struct pcrm_sim_queue {
	unsigned int version;
	const char *queue_id;           /**< an ACD queue */
	const double *calls;            /**< expected calls per interval, >= 0 (a staffing forecast's `calls`) */
	size_t interval_count;          /**< entries of calls, >= 1 */
	double interval_s;              /**< interval length, seconds (1800) */
	pcrm_sim_dist talk;             /**< talk time (answered to hung up) */
	pcrm_sim_dist patience;         /**< how long a caller waits before hanging up; none = never */
	double transfer_p;              /**< probability (0..1) the agent blind-transfers the call at the end of its talk */
	const char *transfer_queue_id;  /**< the ACD queue transfers go to; required when transfer_p > 0 */
	const pcrm_sim_call *log;       /**< NULL, or a recorded day's calls to replay, in arrival order */
	size_t log_count;               /**< calls in log */
} pcrm_sim_queue;

#define PCRM_SIM_QUEUE_INIT { PCRM_SIM_QUEUE_VERSION, NULL, NULL, 0, 1800.0, \
	{ PCRM_SIM_EXPONENTIAL, 180.0, 0.0 }, { PCRM_SIM_NONE, 0.0, 0.0 }, 0.0, NULL, NULL, 0 }

/** One stretch on duty, seconds from the simulation's start, [start_s, end_s). */
typedef struct pcrm_sim_shift {
	double start_s;
	double end_s;
} pcrm_sim_shift;

/**
 * One agent of the simulation (an ACD agent).  It logs on at its device and
 * becomes ready when each shift starts, and logs off when it ends (an agent
 * in a call finishes it first; meanwhile the switch refuses to ring it, which
 * the ACD counts as a miss).  No shifts: on duty for the whole run.
 */
typedef struct pcrm_sim_agent {
	const char *agent_id;
	const pcrm_sim_shift *shifts;  /**< in time order, not overlapping */
	size_t shift_count;
} pcrm_sim_agent;

#define PCRM_SIM_CONFIG_VERSION 1

/** The whole model.  Initialise with PCRM_SIM_CONFIG_INIT.  Copied by pcrm_sim_new. */
typedef struct pcrm_sim_config {
	unsigned int version;
	uint64_t seed;                  /**< of every generator (any value) */
	pcrm_acd_ms start;              /**< virtual time of the start, ms since the epoch */
	const pcrm_sim_queue *queues;
	size_t queue_count;             /**< >= 1 */
	const pcrm_sim_agent *agents;
	size_t agent_count;
	pcrm_sim_dist answer_delay;     /**< ringing to answered; none = at once */
	double no_answer_p;             /**< probability (0..1) an agent lets an offer ring out */
	double no_answer_s;             /**< ... then the switch reports it failed after this long (> 0 when no_answer_p > 0) */
	pcrm_sim_dist wrap_up;          /**< after-call work: the agent makes itself ready when it ends; none = the ACD queue's wrap_up_s timer ends it */
	int tick_ms;                    /**< the ACD's timers (wrap_up_s, ring timeout, rules) are run every tick_ms of virtual time (1..60000; 1000) */
	int keep_cdrs;                  /**< nonzero: keep every CDR for pcrm_sim_cdr_at (a day of 500,000 calls takes ~200 MB) */
	int measure_latency;            /**< nonzero: time every event fed in wall-clock ns (pcrm_sim_stats.feed_*; does not change the simulation) */
} pcrm_sim_config;

#define PCRM_SIM_CONFIG_INIT { PCRM_SIM_CONFIG_VERSION, 1, 0, NULL, 0, NULL, 0, \
	{ PCRM_SIM_NONE, 0.0, 0.0 }, 0.0, 15.0, { PCRM_SIM_NONE, 0.0, 0.0 }, 1000, 1, 0 }

/**
 * Builds the ACD from `acd_json` (acd.h, pcrm_acd_new_from_json; the ACD's
 * clock is the simulation's), the adapter runtime with the simulated
 * switch, IVR rules mapping the service "<queue id>" to its queue, and
 * checks `config` (every queue and agent must exist in the ACD).
 */
PCRM_EXTERN(int) pcrm_sim_new(pcrm_sim **out, const char *acd_json, const pcrm_sim_config *config);

/** Frees the simulation, its adapter runtime and its ACD.  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_sim_free(pcrm_sim *sim);

/**
 * Runs the whole simulation: arrivals until the last interval of every
 * queue ends, then on until every call has ended and every agent's shift
 * is over.  Once per pcrm_sim (PCRM_ESTATE for a second run).
 */
PCRM_EXTERN(int) pcrm_sim_run(pcrm_sim *sim);

/** The ACD, for its statistics (pcrm_acd_queue_stats_get, pcrm_acd_queue_interval_get, ...). */
PCRM_EXTERN(pcrm_acd *) pcrm_sim_acd(pcrm_sim *sim);
/** The adapter runtime, for its counters (pcrm_tel_stats_get). */
PCRM_EXTERN(pcrm_tel *) pcrm_sim_tel(pcrm_sim *sim);

/** What the simulated switch did. */
typedef struct pcrm_sim_stats {
	unsigned int version; /**< PCRM_SIM_STATS_VERSION, set by the caller (PCRM_SIM_STATS_INIT) */
	uint64_t calls;              /**< calls that arrived */
	uint64_t transfers;          /**< blind transfers to another queue */
	uint64_t abandons;           /**< callers who hung up before an answer */
	uint64_t no_answers;         /**< offers the agent let ring out */
	uint64_t events_fed;         /**< switch events handed to the adapter */
	uint64_t events_rejected;    /**< ... that it rejected (0 unless the model and the adapter disagree) */
	uint64_t requests;           /**< switch requests received (route, deflect, hangup) */
	uint64_t routes_refused;     /**< routes to an agent whose shift had ended */
	uint64_t cdrs;               /**< CDRs the ACD produced */
	pcrm_acd_ms ended_at;        /**< virtual time when the run ended */
	/* measure_latency only (wall-clock nanoseconds per pcrm_tel_event_feed): */
	double feed_ns_mean;         /**< every event */
	double queued_ns_p50;        /**< queued events (the ACD's routing decision and the route request) */
	double queued_ns_p99;
	double queued_ns_max;
} pcrm_sim_stats;

/** The layout of pcrm_sim_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_SIM_STATS_VERSION 1
/** A pcrm_sim_stats to pass to the library: its version set, every other field zero. */
#define PCRM_SIM_STATS_INIT { .version = PCRM_SIM_STATS_VERSION }

PCRM_EXTERN(int) pcrm_sim_stats_get(const pcrm_sim *sim, pcrm_sim_stats *out);

/** The CDRs kept (keep_cdrs), in the order the ACD produced them. */
PCRM_EXTERN(size_t) pcrm_sim_cdr_count(const pcrm_sim *sim);
/** The i-th kept CDR; NULL out of range. */
PCRM_EXTERN(const pcrm_acd_cdr *) pcrm_sim_cdr_at(const pcrm_sim *sim, size_t i);

/**
 * The stretches on duty of one staffing shift (staffing.h) over a horizon
 * of `intervals` intervals of `interval_s` seconds: a contiguous shift is
 * one stretch (two when a cyclic one runs past the end: pass cyclic != 0),
 * a patterned one a stretch per run of on-duty intervals.  Writes at most
 * `max` to `out` and the number needed to `*count` (PCRM_EOVERFLOW when it
 * exceeds max).  With pcrm_staffing_shift_plan's counts, give counts[k]
 * agents the stretches of shift k.
 */
PCRM_EXTERN(int) pcrm_sim_shift_stretches(const pcrm_shift *shift, size_t intervals,
                                          int cyclic, double interval_s,
                                          pcrm_sim_shift *out, size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_SIM_H */
