/*
 * libpowercrm - ACD (自动呼叫分配): skill-based call routing, agent states,
 * queue statistics and desktop events.  docs/acd.md describes the model, the
 * state machine, the strategies, the waiting-time rules, every statistic and
 * the thread model; this header is the reference for each function.
 *
 * A pcrm_acd is an in-memory engine.  It never touches the store and never
 * does I/O while routing: configuration comes in as a validated JSON
 * document or through the API, call detail records leave through a batch
 * sink the integrator flushes (pcrm_acd_cdr_flush), events leave through a
 * callback and/or a bounded poll queue.  Several engines may coexist.
 *
 * Vocabulary:
 *  - a QUEUE is a skill group (技能组) with a service-level target, a routing
 *    strategy, limits and an optional overflow queue; its id is also the name
 *    of the skill its members hold;
 *  - an AGENT (坐席) holds skills with levels 1..10; an agent is a member of
 *    every queue whose id names one of its skills; other skills (a dialect,
 *    a language) are extra requirements a call may carry;
 *  - a CALL waits in one queue (its own) and, through waiting-time rules, may
 *    also become visible in further queues; it is offered to one agent (or
 *    to every eligible agent at once under ring-all), answered, held and
 *    ended; then the agent is in wrap-up (话后处理).
 *
 * Time: the engine reads its clock (milliseconds since the Unix epoch, UTC)
 * at the start of every call and first runs every timer that fell due (ring
 * timeouts, wrap-up ends, waiting-time rules, preferred-agent fallbacks,
 * maximum waits, interval boundaries) in due order.  With the default clock
 * this is real time; a simulation installs its own clock
 * (pcrm_acd_set_clock) and calls pcrm_acd_tick() after advancing it.
 *
 * Threads: every function taking a pcrm_acd may be called from several
 * threads at once; the engine state is guarded by one mutex held only for
 * the in-memory work of a call (no I/O, no user callback).  Event callbacks
 * and the CDR sink run outside that mutex, in the calling thread.  The clock
 * function is called with the mutex held and must not call the engine.
 *
 * Errors: every function returning int gives PCRM_OK or a negative
 * pcrm_status with pcrm_error_last() naming what was wrong:
 *   PCRM_EINVAL    malformed input (a JSON path or parameter name is named),
 *   PCRM_ENOTFOUND unknown agent, queue or call id (in a supervisor action:
 *                  PCRM_EPERM, as for another unit's, see below),
 *   PCRM_ESTATE    a transition the state machine forbids ("agent 1001: ready
 *                  is not allowed while talking"),
 *   PCRM_EDUPLICATE an id already in use,
 *   PCRM_EPERM     a supervisor actor without the permission or org scope,
 *   PCRM_ENOMEM.
 * A refused call changes nothing (other than running timers that were due)
 * and is counted in pcrm_acd_engine_stats.
 *
 * Ids (agents, queues, skills, calls, reason codes) are 1..PCRM_ACD_ID_MAX
 * bytes of printable ASCII without spaces or quotes.
 */
#ifndef POWERCRM_ACD_H
#define POWERCRM_ACD_H

#include <powercrm/common.h>
#include <powercrm/actor.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The engine.  Opaque; thread-safe. */
typedef struct pcrm_acd pcrm_acd;

/** Longest id (agent, queue, skill, call, reason code), in bytes. */
#define PCRM_ACD_ID_MAX 63
/** Longest caller number / customer number kept with a call, in bytes. */
#define PCRM_ACD_NUMBER_MAX 31
/** Skill levels run from 1 (novice) to 10 (expert). */
#define PCRM_ACD_LEVEL_MIN 1
#define PCRM_ACD_LEVEL_MAX 10
/** Call priorities run from 0 (normal) to 9 (highest); higher is served first. */
#define PCRM_ACD_PRIORITY_MAX 9
/** At most this many extra skills a call may require. */
#define PCRM_ACD_CALL_SKILLS_MAX 8
/** At most this many queues a call may be visible in at once (its own + added). */
#define PCRM_ACD_CALL_QUEUES_MAX 8
/** Completed statistics intervals kept per queue and agent (one day of 15-minute ones). */
#define PCRM_ACD_INTERVALS_KEPT 96

/** Milliseconds since the Unix epoch, UTC: the engine's unit of time. */
typedef int64_t pcrm_acd_ms;

/** The engine's clock: returns the current time in milliseconds since the epoch. */
typedef pcrm_acd_ms (*pcrm_acd_clock_fn)(void *userdata);

/* ------------------------------------------------------------------------ */
/* Enumerations                                                             */
/* ------------------------------------------------------------------------ */

/** How a queue picks among idle eligible agents (docs/acd.md, Strategies). */
typedef enum pcrm_acd_strategy {
	PCRM_ACD_LONGEST_IDLE = 0,   /**< "longest_idle": the agent ready the longest */
	PCRM_ACD_FEWEST_CALLS = 1,   /**< "fewest_calls": fewest calls answered since login; ties longest idle */
	PCRM_ACD_LEAST_TALK = 2,     /**< "least_talk": least talk time since login; ties longest idle */
	PCRM_ACD_HIGHEST_SKILL = 3,  /**< "highest_skill": highest level in the queue's skill; ties longest idle */
	PCRM_ACD_ROUND_ROBIN = 4,    /**< "round_robin": members take turns in joining order; the one served by this queue least recently goes next */
	PCRM_ACD_RANDOM = 5,         /**< "random": uniformly random, from the engine's seeded generator */
	PCRM_ACD_RING_ALL = 6        /**< "ring_all": offered to every eligible idle agent, first answer wins */
} pcrm_acd_strategy;

/** What a queue does with a new call when none of its members is logged in. */
typedef enum pcrm_acd_no_agent {
	PCRM_ACD_NO_AGENT_WAIT = 0,     /**< "wait": queue the call anyway */
	PCRM_ACD_NO_AGENT_REFUSE = 1,   /**< "refuse": refuse it (PCRM_ACD_REFUSED_NO_AGENT) */
	PCRM_ACD_NO_AGENT_OVERFLOW = 2  /**< "overflow": send it to the overflow queue */
} pcrm_acd_no_agent;

/** Agent states (docs/acd.md, Agent states, has the transition table). */
typedef enum pcrm_acd_agent_state {
	PCRM_ACD_LOGGED_OUT = 0, /**< "logged_out" */
	PCRM_ACD_READY = 1,      /**< "ready": idle, may be offered a call */
	PCRM_ACD_NOT_READY = 2,  /**< "not_ready": logged in but unavailable, with a reason code */
	PCRM_ACD_RESERVED = 3,   /**< "reserved": a call is ringing at the agent */
	PCRM_ACD_TALKING = 4,    /**< "talking" */
	PCRM_ACD_HELD = 5,       /**< "held": the agent's call is on hold */
	PCRM_ACD_WRAP_UP = 6     /**< "wrap_up": after-call work, ended by a timer or the agent */
} pcrm_acd_agent_state;
#define PCRM_ACD_STATE_COUNT 7

/** Where a call is. */
typedef enum pcrm_acd_call_state {
	PCRM_ACD_CALL_WAITING = 0,  /**< "waiting" in a queue (or for its preferred agent) */
	PCRM_ACD_CALL_OFFERED = 1,  /**< "offered": ringing at one agent (several under ring-all) */
	PCRM_ACD_CALL_TALKING = 2,  /**< "talking" */
	PCRM_ACD_CALL_HELD = 3      /**< "held" */
} pcrm_acd_call_state;

/** What became of a new call (pcrm_acd_call_arrive). */
typedef enum pcrm_acd_disposition {
	PCRM_ACD_QUEUED = 0,            /**< waiting in a queue */
	PCRM_ACD_OFFERED = 1,           /**< offered to an agent at once */
	PCRM_ACD_REFUSED_FULL = 2,      /**< refused: the queue holds max_waiting calls and has no overflow */
	PCRM_ACD_REFUSED_NO_AGENT = 3   /**< refused: no member logged in and no_agent is "refuse" */
} pcrm_acd_disposition;

/** How a call ended (CDRs). */
typedef enum pcrm_acd_outcome {
	PCRM_ACD_OUTCOME_ANSWERED = 0,   /**< "answered": answered and ended */
	PCRM_ACD_OUTCOME_ABANDONED = 1,  /**< "abandoned": the caller hung up before an answer */
	PCRM_ACD_OUTCOME_TIMED_OUT = 2,  /**< "timed_out": max_wait passed and no overflow queue took it */
	PCRM_ACD_OUTCOME_REFUSED = 3     /**< "refused": refused on arrival (full, or no agent) */
} pcrm_acd_outcome;

/** Supervisor interventions handed to the telephony adapter as events. */
typedef enum pcrm_acd_supervise_mode {
	PCRM_ACD_MONITOR = 0, /**< "monitor": listen silently (监听) */
	PCRM_ACD_WHISPER = 1, /**< "whisper": speak to the agent only */
	PCRM_ACD_BARGE = 2    /**< "barge": join the conversation (强插) */
} pcrm_acd_supervise_mode;

/** Stable lower-case names of the enumerations above (as used in JSON); NULL when out of range. */
PCRM_EXTERN(const char *) pcrm_acd_strategy_name(pcrm_acd_strategy s);
PCRM_EXTERN(const char *) pcrm_acd_agent_state_name(pcrm_acd_agent_state s);
PCRM_EXTERN(const char *) pcrm_acd_call_state_name(pcrm_acd_call_state s);
PCRM_EXTERN(const char *) pcrm_acd_outcome_name(pcrm_acd_outcome o);
PCRM_EXTERN(const char *) pcrm_acd_supervise_mode_name(pcrm_acd_supervise_mode m);
/** Parses a strategy name ("longest_idle", ...); PCRM_EINVAL naming the text otherwise. */
PCRM_EXTERN(int) pcrm_acd_strategy_parse(const char *name, pcrm_acd_strategy *out);

/* ------------------------------------------------------------------------ */
/* Engine                                                                   */
/* ------------------------------------------------------------------------ */

#define PCRM_ACD_OPTIONS_VERSION 1

/**
 * Engine-wide settings.  Initialise with PCRM_ACD_OPTIONS_INIT and change
 * what you need; the JSON configuration's top-level keys carry the same
 * names and override these.
 */
typedef struct pcrm_acd_options {
	unsigned int version;            /**< PCRM_ACD_OPTIONS_VERSION */
	int ring_timeout_s;              /**< offer rings this long before it counts as a miss (1..600; 15) */
	int max_misses;                  /**< consecutive misses that set an agent not ready (1..100; 2) */
	int short_abandon_s;             /**< an abandon within this many seconds is "short" (0..600; 5) */
	int interval_minutes;            /**< statistics interval: 15, 30 or 60 (30) */
	uint64_t seed;                   /**< seed of the random strategy's generator (1) */
	size_t event_queue_capacity;     /**< poll queue size in events (16..1048576; 4096); 0 = no poll queue */
	size_t cdr_batch_size;           /**< CDRs per sink call (1..100000; 500) */
	size_t cdr_max_pending;          /**< CDRs kept for the sink; beyond, new ones are dropped and counted (1..100000000; 1000000) */
	int queue_stats_events;          /**< nonzero: a queue_stats event whenever a queue's waiting set changes (1) */
} pcrm_acd_options;

#define PCRM_ACD_OPTIONS_INIT { PCRM_ACD_OPTIONS_VERSION, 15, 2, 5, 30, 1, 4096, 500, 1000000, 1 }

/**
 * Creates an empty engine (no queues, no agents).  `options` may be NULL
 * for the defaults.  The clock is the system's real-time clock until
 * pcrm_acd_set_clock().  Free with pcrm_acd_free().
 */
PCRM_EXTERN(int) pcrm_acd_new(pcrm_acd **out, const pcrm_acd_options *options);

/**
 * Creates an engine from a JSON configuration document (docs/acd.md,
 * Configuration): options, not-ready reason codes, org units, queues with
 * their rules, agents with their skills.  The whole document is validated
 * before anything is built; an error names the JSON path
 * ("queues[2].rules[0].after_s: -5 is not 0..86400").  `clock` may be NULL
 * for the system clock.
 */
PCRM_EXTERN(int) pcrm_acd_new_from_json(pcrm_acd **out, const char *json,
                                        pcrm_acd_clock_fn clock, void *clock_userdata);

/** Frees the engine, its calls and its pending events and CDRs (not flushed).  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_acd_free(pcrm_acd *acd);

/**
 * Replaces the clock (NULL restores the system clock) and restarts the
 * engine's time from its reading: the current interval, the agents' state
 * times and the queues' counters start afresh.  PCRM_ESTATE while calls are
 * live or timers armed (set it before the first call).  From then on time
 * never goes backwards: a reading earlier than the last one counts as the
 * last one.
 */
PCRM_EXTERN(int) pcrm_acd_set_clock(pcrm_acd *acd, pcrm_acd_clock_fn clock, void *userdata);

/**
 * Manual time, for simulations and bindings that cannot pass a C clock
 * function: the first call switches the engine to a clock that reads the
 * last time set (like pcrm_acd_set_clock: PCRM_ESTATE while calls are live
 * or timers armed, then everything restarts at `now`); later calls move
 * time forward to `now` and run every timer due by then, in order.
 * PCRM_EINVAL when `now` is earlier than the engine's time.
 */
PCRM_EXTERN(int) pcrm_acd_set_time(pcrm_acd *acd, pcrm_acd_ms now);

/** The engine's current time: the later of the clock and the last reading. */
PCRM_EXTERN(pcrm_acd_ms) pcrm_acd_now(pcrm_acd *acd);

/**
 * Runs every timer due at the clock's current time.  Every other call does
 * this first as well; call tick when nothing else happens (a simulation
 * after advancing its clock, a real deployment every 100..1000 ms).
 */
PCRM_EXTERN(int) pcrm_acd_tick(pcrm_acd *acd);

/* ------------------------------------------------------------------------ */
/* Configuration through the API                                            */
/* ------------------------------------------------------------------------ */

/** What a waiting-time rule does once a call has waited after_s seconds. */
typedef enum pcrm_acd_rule_action {
	PCRM_ACD_RULE_LOWER_MIN_LEVEL = 0, /**< "lower_min_level": the call's minimum level becomes `value` (if lower) */
	PCRM_ACD_RULE_ADD_QUEUE = 1,       /**< "add_queue": the call also waits in `queue_id`, minimum level `value` */
	PCRM_ACD_RULE_RAISE_PRIORITY = 2   /**< "raise_priority": priority += `value` (capped at 9) */
} pcrm_acd_rule_action;

/** One waiting-time rule of a queue; rules fire in after_s order. */
typedef struct pcrm_acd_rule {
	int after_s;                 /**< seconds in the queue (since arrival, move or overflow) before it fires, 0..86400 */
	pcrm_acd_rule_action action;
	int value;                   /**< level (1..10) or priority increment (1..9) */
	const char *queue_id;        /**< ADD_QUEUE only: an existing queue */
} pcrm_acd_rule;

#define PCRM_ACD_QUEUE_CONFIG_VERSION 1

/**
 * A queue.  Initialise with PCRM_ACD_QUEUE_CONFIG_INIT.  Strings and the
 * rule array need only live during the call.
 */
typedef struct pcrm_acd_queue_config {
	unsigned int version;          /**< PCRM_ACD_QUEUE_CONFIG_VERSION */
	const char *id;                /**< queue id = the skill its members hold */
	pcrm_acd_strategy strategy;
	int sl_percent;                /**< service-level goal, percent 1..100 (80) */
	int sl_target_s;               /**< ... answered within this many seconds, 1..3600 (20) */
	int max_waiting;               /**< most waiting calls, 0 = no limit */
	int max_wait_s;                /**< longest stay in this queue before overflow / time-out, 0 = no limit */
	pcrm_acd_no_agent no_agent;
	const char *overflow_queue_id; /**< NULL or an existing queue; required by no_agent overflow */
	int wrap_up_s;                 /**< after-call work time, 0..3600; 0 = straight back to ready (10) */
	int ring_timeout_s;            /**< 0 = the engine's ring_timeout_s */
	const pcrm_acd_rule *rules;    /**< waiting-time rules, any order */
	size_t rule_count;             /**< at most 16 */
	const char *org_unit;          /**< NULL or the org unit whose subtree may supervise it */
} pcrm_acd_queue_config;

#define PCRM_ACD_QUEUE_CONFIG_INIT \
	{ PCRM_ACD_QUEUE_CONFIG_VERSION, NULL, PCRM_ACD_LONGEST_IDLE, 80, 20, 0, 0, \
	  PCRM_ACD_NO_AGENT_WAIT, NULL, 10, 0, NULL, 0, NULL }

/**
 * Adds a queue.  Agents already holding the skill `id` become members.
 * PCRM_EDUPLICATE when the id is taken; PCRM_EINVAL naming the field
 * ("queue.overflow_queue_id: \"x\" is not a queue", an overflow chain that
 * loops back, a rule out of range).
 */
PCRM_EXTERN(int) pcrm_acd_queue_add(pcrm_acd *acd, const pcrm_acd_queue_config *config);

/** One skill of an agent or one extra requirement of a call. */
typedef struct pcrm_acd_skill {
	const char *skill; /**< a queue id or any other skill name */
	int level;         /**< 1..10 (a minimum level when a call requires it) */
} pcrm_acd_skill;

/**
 * Adds an agent, logged out, with its skills (each name at most once).
 * `org_unit` may be NULL (then only supervisors without org restriction,
 * i.e. when the engine knows no org units, may act on the agent).
 */
PCRM_EXTERN(int) pcrm_acd_agent_add(pcrm_acd *acd, const char *agent_id, const char *org_unit,
                                    const pcrm_acd_skill *skills, size_t skill_count);

/**
 * Sets one skill's level of an agent (1..10), adding the skill, or removes
 * it with level 0.  Takes effect at once, also for a ready agent; a call
 * already offered or talking is not affected.
 */
PCRM_EXTERN(int) pcrm_acd_agent_set_skill(pcrm_acd *acd, const char *agent_id, const char *skill,
                                          int level);

/**
 * Adds a not-ready reason code.  Every engine knows "login" (set by
 * pcrm_acd_agent_login), "missed" (set after max_misses), "break", "meal",
 * "training" and "meeting".
 */
PCRM_EXTERN(int) pcrm_acd_reason_add(pcrm_acd *acd, const char *reason);

/**
 * Declares an org unit and its parent (NULL for a root) so supervisor
 * actions can be checked against the actor's org subtree.  Parents must be
 * declared first.
 */
PCRM_EXTERN(int) pcrm_acd_org_unit_add(pcrm_acd *acd, const char *code, const char *parent_code);

/* ------------------------------------------------------------------------ */
/* Agents                                                                   */
/* ------------------------------------------------------------------------ */

/** Logs an agent in: logged_out -> not_ready with reason "login". */
PCRM_EXTERN(int) pcrm_acd_agent_login(pcrm_acd *acd, const char *agent_id);

/**
 * Logs an agent out from ready, not_ready or wrap_up.  PCRM_ESTATE while a
 * call is offered to, talking with or held by the agent.
 */
PCRM_EXTERN(int) pcrm_acd_agent_logout(pcrm_acd *acd, const char *agent_id);

/**
 * Makes an agent ready (from not_ready or wrap_up).  The engine at once
 * offers it the best waiting call it may answer across all its queues
 * (highest priority, then longest wait), if any.
 */
PCRM_EXTERN(int) pcrm_acd_agent_ready(pcrm_acd *acd, const char *agent_id);

/** Makes an agent not ready with a known reason code (from ready, not_ready or wrap_up). */
PCRM_EXTERN(int) pcrm_acd_agent_not_ready(pcrm_acd *acd, const char *agent_id, const char *reason);

/** Ends an agent's wrap-up before its timer: wrap_up -> ready. */
PCRM_EXTERN(int) pcrm_acd_agent_end_wrap_up(pcrm_acd *acd, const char *agent_id);

/** A snapshot of one agent. */
typedef struct pcrm_acd_agent_info {
	unsigned int version; /**< PCRM_ACD_AGENT_INFO_VERSION, set by the caller (PCRM_ACD_AGENT_INFO_INIT) */
	char agent_id[PCRM_ACD_ID_MAX + 1];
	pcrm_acd_agent_state state;
	char reason[PCRM_ACD_ID_MAX + 1];  /**< not_ready reason, "" otherwise */
	char call_id[PCRM_ACD_ID_MAX + 1]; /**< the call offered / talking / held / in wrap-up, "" when none */
	pcrm_acd_ms state_since;           /**< when the current state began */
	int consecutive_misses;
} pcrm_acd_agent_info;

/** The layout of pcrm_acd_agent_info this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_AGENT_INFO_VERSION 1
/** A pcrm_acd_agent_info to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_AGENT_INFO_INIT { .version = PCRM_ACD_AGENT_INFO_VERSION }

PCRM_EXTERN(int) pcrm_acd_agent_get(pcrm_acd *acd, const char *agent_id, pcrm_acd_agent_info *out);

/* ------------------------------------------------------------------------ */
/* Calls                                                                    */
/* ------------------------------------------------------------------------ */

#define PCRM_ACD_CALL_SPEC_VERSION 1

/**
 * A new call from the switch / IVR.  Initialise with
 * PCRM_ACD_CALL_SPEC_INIT.  Strings need only live during the call.
 */
typedef struct pcrm_acd_call_spec {
	unsigned int version;           /**< PCRM_ACD_CALL_SPEC_VERSION */
	const char *call_id;            /**< unique among the engine's live calls */
	const char *queue_id;           /**< the queue chosen by the IVR */
	int priority;                   /**< 0..9 (from the customer's VIP level) */
	int min_level;                  /**< minimum level in the queue's skill, 1..10 (1) */
	const pcrm_acd_skill *skills;   /**< extra required skills with minimum levels */
	size_t skill_count;             /**< 0..PCRM_ACD_CALL_SKILLS_MAX */
	const char *preferred_agent_id; /**< NULL or the customer's account manager */
	int preferred_wait_s;           /**< how long to wait for the preferred agent before the queue, 0..3600 */
	const char *caller_number;      /**< NULL or the calling number, for the screen pop */
	const char *customer_no;        /**< NULL or the customer number (户号) the IVR identified */
} pcrm_acd_call_spec;

#define PCRM_ACD_CALL_SPEC_INIT \
	{ PCRM_ACD_CALL_SPEC_VERSION, NULL, NULL, 0, 1, NULL, 0, NULL, 0, NULL, NULL }

/**
 * A call arrives.  It is offered at once to the best eligible idle agent
 * (by the queue's strategy), or queued; or refused / overflowed by the
 * queue's limits.  `disposition` may be NULL.  Refusal is not an error: it
 * returns PCRM_OK with PCRM_ACD_REFUSED_*, counts as offered and refused,
 * and produces a CDR.  PCRM_EDUPLICATE for a call id still live.
 */
PCRM_EXTERN(int) pcrm_acd_call_arrive(pcrm_acd *acd, const pcrm_acd_call_spec *spec,
                                      pcrm_acd_disposition *disposition);

/**
 * The agent answers the call offered to it: reserved -> talking.  Under
 * ring-all the first answer wins and the other offers are withdrawn.
 * PCRM_ESTATE when the call was not offered to this agent.
 */
PCRM_EXTERN(int) pcrm_acd_call_answer(pcrm_acd *acd, const char *call_id, const char *agent_id);

/**
 * The agent declines the offer: counted as a miss, exactly like a ring
 * timeout (the call goes back to the front of its queue with its original
 * wait, the agent becomes ready or, after max_misses, not ready "missed").
 */
PCRM_EXTERN(int) pcrm_acd_call_decline(pcrm_acd *acd, const char *call_id, const char *agent_id);

/** Puts a talking call on hold (talking -> held) or takes it off hold (held -> talking). */
PCRM_EXTERN(int) pcrm_acd_call_hold(pcrm_acd *acd, const char *call_id);
PCRM_EXTERN(int) pcrm_acd_call_unhold(pcrm_acd *acd, const char *call_id);

/**
 * The caller hangs up.  A waiting or offered call is abandoned (short when
 * within short_abandon_s of arrival); an offered agent goes back to ready
 * without a miss.  A talking or held call ends: its agent enters wrap-up
 * (or ready when the queue's wrap_up_s is 0).  The call is forgotten and
 * its CDR is queued for the sink.
 */
PCRM_EXTERN(int) pcrm_acd_call_hangup(pcrm_acd *acd, const char *call_id);

/** A snapshot of one live call. */
typedef struct pcrm_acd_call_info {
	unsigned int version; /**< PCRM_ACD_CALL_INFO_VERSION, set by the caller (PCRM_ACD_CALL_INFO_INIT) */
	char call_id[PCRM_ACD_ID_MAX + 1];
	char queue_id[PCRM_ACD_ID_MAX + 1];  /**< the call's own queue (after moves and overflows) */
	char agent_id[PCRM_ACD_ID_MAX + 1];  /**< offered (first of several under ring-all) / talking agent, or "" */
	pcrm_acd_call_state state;
	int priority;                        /**< current, after rules */
	int min_level;                       /**< current, after rules */
	size_t queue_count;                  /**< queues it waits in (1 + added by rules); 0 unless waiting */
	pcrm_acd_ms arrived_at;              /**< original arrival, kept through misses, moves and overflows */
	int misses;                          /**< offers that rang out or were declined */
} pcrm_acd_call_info;

/** The layout of pcrm_acd_call_info this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_CALL_INFO_VERSION 1
/** A pcrm_acd_call_info to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_CALL_INFO_INIT { .version = PCRM_ACD_CALL_INFO_VERSION }

PCRM_EXTERN(int) pcrm_acd_call_get(pcrm_acd *acd, const char *call_id, pcrm_acd_call_info *out);

/* ------------------------------------------------------------------------ */
/* Supervisor actions (actor: monitor or admin role with call.monitor,      */
/* its org unit the target's org unit or an ancestor of it)                 */
/* ------------------------------------------------------------------------ */

/*
 * Each checks the actor alone first (PCRM_EPERM without call.monitor or for
 * a unit the engine was not told).  Then an agent, call or queue id that
 * nobody has is refused exactly like one of a unit outside the actor's
 * subtree: PCRM_EPERM, reason "permission.denied", the same message
 * ("agent: unknown or outside the org subtree of OP's org unit U"; "call:",
 * "queue:"), whatever state the target is in, so these calls tell a
 * supervisor nothing about which ids exist elsewhere.  A malformed id is
 * PCRM_EINVAL naming it.
 */

/**
 * Forces an agent into logged_out, ready or not_ready (with `reason`).  An
 * offered call is withdrawn first and goes back to the front of its queue
 * without counting a miss.  PCRM_ESTATE while the agent talks or holds a
 * call (the conversation is not the engine's to cut).
 */
PCRM_EXTERN(int) pcrm_acd_agent_force_state(pcrm_acd *acd, const pcrm_actor *actor,
                                            const char *agent_id, pcrm_acd_agent_state state,
                                            const char *reason);

/** pcrm_acd_agent_force_state(..., PCRM_ACD_LOGGED_OUT, NULL). */
PCRM_EXTERN(int) pcrm_acd_agent_force_logout(pcrm_acd *acd, const pcrm_actor *actor,
                                             const char *agent_id);

/**
 * Moves a waiting call to another queue (its own queue becomes `queue_id`;
 * queues added by rules are dropped; the original arrival time is kept for
 * its wait and service level; the new queue's rules and max_wait count from
 * the move, as after an overflow).  PCRM_ESTATE unless the call is waiting.
 */
PCRM_EXTERN(int) pcrm_acd_call_move(pcrm_acd *acd, const pcrm_actor *actor, const char *call_id,
                                    const char *queue_id);

/**
 * Asks the telephony adapter to let a supervisor monitor, whisper to or
 * barge into an agent's conversation: emits a supervise event (the engine
 * does not touch audio).  PCRM_ESTATE unless the agent is talking or held.
 */
PCRM_EXTERN(int) pcrm_acd_supervise(pcrm_acd *acd, const pcrm_actor *actor, const char *agent_id,
                                    pcrm_acd_supervise_mode mode);

/* ------------------------------------------------------------------------ */
/* Statistics (definitions: docs/acd.md, Statistics)                        */
/* ------------------------------------------------------------------------ */

/** Counters of a queue over a period (since start, or one interval). */
typedef struct pcrm_acd_queue_counts {
	unsigned int version; /**< PCRM_ACD_QUEUE_COUNTS_VERSION, set by the caller (PCRM_ACD_QUEUE_COUNTS_INIT) */
	uint64_t offered;              /**< calls that entered the queue (arrived, moved or overflowed in) */
	uint64_t answered;             /**< answered while this was their own queue */
	uint64_t abandoned;            /**< hung up while waiting or ringing */
	uint64_t short_abandoned;      /**< ... within short_abandon_s of arrival */
	uint64_t answered_in_target;   /**< answered within sl_target_s of arrival */
	uint64_t refused;              /**< refused on arrival (full or no agent) */
	uint64_t overflowed_out;       /**< left for the overflow queue (full, no agent, max wait) */
	uint64_t moved_out;            /**< moved away by a supervisor */
	uint64_t timed_out;            /**< max_wait passed without an overflow queue */
	uint64_t handled;              /**< answered calls whose wrap-up ended */
	int64_t wait_answered_ms;      /**< total wait of the answered calls (ASA numerator) */
	int64_t talk_ms;               /**< total talk time (held time excluded) of handled calls */
	int64_t hold_ms;               /**< total held time of handled calls */
	int64_t wrap_up_ms;            /**< total wrap-up time of handled calls */
	double service_level;          /**< answered_in_target / offered; 0 when nothing offered */
	double service_level_excl;     /**< answered_in_target / (offered - short_abandoned); 0 when that is 0 */
	double asa_s;                  /**< wait_answered_ms / answered / 1000 */
	double aht_s;                  /**< (talk + hold + wrap-up) / handled / 1000 */
} pcrm_acd_queue_counts;

/** The layout of pcrm_acd_queue_counts this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_QUEUE_COUNTS_VERSION 1
/** A pcrm_acd_queue_counts to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_QUEUE_COUNTS_INIT { .version = PCRM_ACD_QUEUE_COUNTS_VERSION }

/** A queue's real-time statistics. */
typedef struct pcrm_acd_queue_stats {
	unsigned int version; /**< PCRM_ACD_QUEUE_STATS_VERSION, set by the caller (PCRM_ACD_QUEUE_STATS_INIT) */
	char queue_id[PCRM_ACD_ID_MAX + 1];
	size_t waiting;                /**< calls waiting with this as their own queue */
	pcrm_acd_ms longest_wait_ms;   /**< longest current wait among them, 0 when none */
	size_t agents_logged_in;       /**< members not logged out */
	size_t agents_ready;           /**< members ready (idle) */
	size_t agents_busy;            /**< members reserved, talking, held or in wrap-up */
	pcrm_acd_queue_counts total;   /**< since the engine started */
	pcrm_acd_queue_counts interval;/**< since the current interval began */
	pcrm_acd_ms interval_start;
} pcrm_acd_queue_stats;

/** The layout of pcrm_acd_queue_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_QUEUE_STATS_VERSION 1
/** A pcrm_acd_queue_stats to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_QUEUE_STATS_INIT { .version = PCRM_ACD_QUEUE_STATS_VERSION }

PCRM_EXTERN(int) pcrm_acd_queue_stats_get(pcrm_acd *acd, const char *queue_id,
                                          pcrm_acd_queue_stats *out);

/** Counters of an agent over a period. */
typedef struct pcrm_acd_agent_counts {
	unsigned int version; /**< PCRM_ACD_AGENT_COUNTS_VERSION, set by the caller (PCRM_ACD_AGENT_COUNTS_INIT) */
	uint64_t offered;                             /**< offers made to the agent */
	uint64_t answered;
	uint64_t missed;                              /**< ring timeouts and declines */
	uint64_t handled;                             /**< calls whose wrap-up ended */
	int64_t talk_ms, hold_ms, wrap_up_ms;         /**< of handled calls */
	int64_t state_ms[PCRM_ACD_STATE_COUNT];       /**< time in each state during the period (logged_out included) */
	double occupancy;                             /**< (talking+held+wrap_up) / (ready+reserved+talking+held+wrap_up); 0 when 0 */
	double aht_s;                                 /**< (talk + hold + wrap-up) / handled / 1000 */
} pcrm_acd_agent_counts;

/** The layout of pcrm_acd_agent_counts this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_AGENT_COUNTS_VERSION 1
/** A pcrm_acd_agent_counts to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_AGENT_COUNTS_INIT { .version = PCRM_ACD_AGENT_COUNTS_VERSION }

typedef struct pcrm_acd_agent_stats {
	unsigned int version; /**< PCRM_ACD_AGENT_STATS_VERSION, set by the caller (PCRM_ACD_AGENT_STATS_INIT) */
	char agent_id[PCRM_ACD_ID_MAX + 1];
	pcrm_acd_agent_state state;
	pcrm_acd_ms state_since;
	pcrm_acd_agent_counts total;    /**< since the engine started */
	pcrm_acd_agent_counts interval; /**< since the current interval began */
	pcrm_acd_ms interval_start;
} pcrm_acd_agent_stats;

/** The layout of pcrm_acd_agent_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_AGENT_STATS_VERSION 1
/** A pcrm_acd_agent_stats to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_AGENT_STATS_INIT { .version = PCRM_ACD_AGENT_STATS_VERSION }

PCRM_EXTERN(int) pcrm_acd_agent_stats_get(pcrm_acd *acd, const char *agent_id,
                                          pcrm_acd_agent_stats *out);

/**
 * A completed interval of a queue or agent: `index` 0 is the most recent
 * completed interval, 1 the one before, ... up to PCRM_ACD_INTERVALS_KEPT - 1.
 * PCRM_ENOTFOUND when fewer intervals have completed.  Intervals are
 * aligned to multiples of interval_minutes since the epoch (so to the hour
 * and quarter hour in UTC+8 as well).
 */
PCRM_EXTERN(int) pcrm_acd_queue_interval_get(pcrm_acd *acd, const char *queue_id, size_t index,
                                             pcrm_acd_ms *start, pcrm_acd_queue_counts *out);
PCRM_EXTERN(int) pcrm_acd_agent_interval_get(pcrm_acd *acd, const char *agent_id, size_t index,
                                             pcrm_acd_ms *start, pcrm_acd_agent_counts *out);

/** Engine-wide counters. */
typedef struct pcrm_acd_engine_stats {
	unsigned int version; /**< PCRM_ACD_ENGINE_STATS_VERSION, set by the caller (PCRM_ACD_ENGINE_STATS_INIT) */
	size_t agents, agents_logged_in, queues, calls_live, calls_waiting;
	uint64_t calls_arrived;
	uint64_t routing_decisions;       /**< offers made (one per agent offered) */
	uint64_t invalid_requests;        /**< every refused call taking the engine (not events_poll, cdr_flush, set_cdr_sink, which never lock it) */
	uint64_t invalid_unknown_id;      /**< ... of which PCRM_ENOTFOUND */
	uint64_t invalid_transition;      /**< ... of which PCRM_ESTATE */
	uint64_t invalid_input;           /**< ... of which PCRM_EINVAL / EDUPLICATE / EPERM */
	uint64_t events_emitted;
	uint64_t events_dropped;          /**< poll queue full: dropped (and reported by an events_lost event) */
	size_t events_queued;             /**< in the poll queue now */
	uint64_t cdrs_emitted, cdrs_flushed, cdrs_dropped;
	size_t cdrs_pending;
} pcrm_acd_engine_stats;

/** The layout of pcrm_acd_engine_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_ACD_ENGINE_STATS_VERSION 1
/** A pcrm_acd_engine_stats to pass to the library: its version set, every other field zero. */
#define PCRM_ACD_ENGINE_STATS_INIT { .version = PCRM_ACD_ENGINE_STATS_VERSION }

PCRM_EXTERN(int) pcrm_acd_engine_stats_get(pcrm_acd *acd, pcrm_acd_engine_stats *out);

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

/** Event types; their JSON objects are documented in docs/acd.md, Events. */
typedef enum pcrm_acd_event_type {
	PCRM_ACD_EV_CALL_QUEUED = 1,       /**< "call_queued": call, queue, priority */
	PCRM_ACD_EV_CALL_OFFERED = 2,      /**< "call_offered": call, agent, queue, caller/customer number (screen pop), wait */
	PCRM_ACD_EV_OFFER_WITHDRAWN = 3,   /**< "offer_withdrawn": another agent answered (ring-all), abandon, or forced state */
	PCRM_ACD_EV_OFFER_MISSED = 4,      /**< "offer_missed": rang out or declined; count = consecutive misses */
	PCRM_ACD_EV_CALL_ANSWERED = 5,     /**< "call_answered": call, agent, queue, wait */
	PCRM_ACD_EV_CALL_HELD = 6,         /**< "call_held" */
	PCRM_ACD_EV_CALL_RESUMED = 7,      /**< "call_resumed" */
	PCRM_ACD_EV_CALL_ENDED = 8,        /**< "call_ended": answered call hung up; talk/hold in ms */
	PCRM_ACD_EV_CALL_ABANDONED = 9,    /**< "call_abandoned": wait; count 1 when short */
	PCRM_ACD_EV_CALL_REFUSED = 10,     /**< "call_refused": queue; reason "full" / "no_agent" */
	PCRM_ACD_EV_CALL_OVERFLOWED = 11,  /**< "call_overflowed": queue = from, target = to; reason "full" / "no_agent" / "max_wait" */
	PCRM_ACD_EV_CALL_TIMED_OUT = 12,   /**< "call_timed_out": max_wait passed, no overflow (the adapter routes it on, e.g. to voice mail) */
	PCRM_ACD_EV_CALL_MOVED = 13,       /**< "call_moved": queue = from, target = to, supervisor */
	PCRM_ACD_EV_CALL_RULE = 14,        /**< "call_rule": a waiting-time rule fired; reason = action, target = added queue */
	PCRM_ACD_EV_AGENT_STATE = 15,      /**< "agent_state": agent, state, previous, reason */
	PCRM_ACD_EV_QUEUE_STATS = 16,      /**< "queue_stats": queue, count = waiting, wait = longest wait */
	PCRM_ACD_EV_SUPERVISE = 17,        /**< "supervise": request to the adapter; agent, call, supervisor, mode */
	PCRM_ACD_EV_EVENTS_LOST = 18,      /**< "events_lost": count = events dropped from the poll queue */
	PCRM_ACD_EV_CDRS_LOST = 19,        /**< "cdrs_lost": count = CDRs dropped (sink not flushed, cdr_max_pending) */
	PCRM_ACD_EV_PREFERRED_FALLBACK = 20 /**< "preferred_fallback": the preferred agent's wait ran out; the call joins its queue */
} pcrm_acd_event_type;

#define PCRM_ACD_EVENT_VERSION 1
/**
 * For an array pcrm_acd_events_poll() fills: `pcrm_acd_event evs[64] =
 * { PCRM_ACD_EVENT_INIT };` sets the first element's version, which names the
 * layout of every element (docs/abi.md).
 */
#define PCRM_ACD_EVENT_INIT { .version = PCRM_ACD_EVENT_VERSION }

/**
 * One event, a plain value (no pointers) so it can be copied freely.
 * Fields that do not apply to a type are empty strings / 0.
 */
typedef struct pcrm_acd_event {
	unsigned int version;                          /**< PCRM_ACD_EVENT_VERSION */
	pcrm_acd_event_type type;
	uint64_t seq;                                  /**< engine-wide sequence, from 1, in emission order */
	pcrm_acd_ms at;                                /**< engine time of the event */
	char call_id[PCRM_ACD_ID_MAX + 1];
	char agent_id[PCRM_ACD_ID_MAX + 1];
	char queue_id[PCRM_ACD_ID_MAX + 1];
	char target_id[PCRM_ACD_ID_MAX + 1];          /**< overflow / move / add_queue target queue */
	char reason[PCRM_ACD_ID_MAX + 1];             /**< not-ready reason, refusal / overflow / rule reason */
	char supervisor_id[PCRM_ACD_ID_MAX + 1];      /**< operator id of the supervisor */
	char caller_number[PCRM_ACD_NUMBER_MAX + 1];  /**< call_offered only (screen pop) */
	char customer_no[PCRM_ACD_NUMBER_MAX + 1];    /**< call_offered only (screen pop) */
	pcrm_acd_agent_state state, previous;          /**< agent_state */
	pcrm_acd_supervise_mode mode;                  /**< supervise */
	int priority;
	pcrm_acd_ms wait_ms;                           /**< time since the call's original arrival */
	int64_t talk_ms, hold_ms;                      /**< call_ended */
	uint64_t count;                                /**< see the type */
} pcrm_acd_event;

/** "call_offered", ...; NULL for an unknown type. */
PCRM_EXTERN(const char *) pcrm_acd_event_type_name(pcrm_acd_event_type type);

/**
 * The event as one compact JSON object with sorted keys (docs/acd.md,
 * Events: "type", "seq", "at" and the fields of its type).  Free with
 * pcrm_free().
 */
PCRM_EXTERN(int) pcrm_acd_event_to_json(const pcrm_acd_event *event, char **json);

/** Called with each event, outside the engine lock, in the thread whose call produced it. */
typedef void (*pcrm_acd_event_fn)(void *userdata, const pcrm_acd_event *event);

/**
 * Registers (or with NULL removes) the event callback.  It runs in the
 * calling thread after the engine lock is released, so it may call the
 * engine; events of concurrent calls may reach it concurrently and in an
 * order other than `seq`.  Keep it short: it delays the caller whose call
 * produced the event (use the poll queue for slow consumers).
 */
PCRM_EXTERN(int) pcrm_acd_set_event_callback(pcrm_acd *acd, pcrm_acd_event_fn fn, void *userdata);

/**
 * Takes up to `max` events from the poll queue, oldest first, into `out`;
 * `*count` receives how many.  When the queue is empty, waits up to
 * `timeout_ms` real milliseconds (0..3600000; 0 = do not wait) for an event
 * (the wait is on the real clock, not the engine's).  Never free the engine
 * while another thread waits here.  The
 * queue is bounded (event_queue_capacity): when it is full new events are
 * dropped and counted, and an events_lost event reports the count once
 * room returns.  PCRM_EUNSUPPORTED when the engine has no poll queue.
 * `out[0].version` names the layout of the array (PCRM_ACD_EVENT_INIT);
 * PCRM_EINVAL when it is not one this library knows.
 */
PCRM_EXTERN(int) pcrm_acd_events_poll(pcrm_acd *acd, pcrm_acd_event *out, size_t max,
                                      size_t *count, int timeout_ms);

/* ------------------------------------------------------------------------ */
/* Call detail records                                                      */
/* ------------------------------------------------------------------------ */

#define PCRM_ACD_CDR_VERSION 1

/**
 * One finished call.  `size` is sizeof(pcrm_acd_cdr) of the library that
 * made it and `version` PCRM_ACD_CDR_VERSION, so a sink built against an
 * older header can step through a batch: fields are only ever appended.
 * Times are engine milliseconds; 0 when the step never happened.
 */
typedef struct pcrm_acd_cdr {
	size_t size;
	unsigned int version;
	char call_id[PCRM_ACD_ID_MAX + 1];
	char queue_id[PCRM_ACD_ID_MAX + 1];        /**< own queue at the end */
	char first_queue_id[PCRM_ACD_ID_MAX + 1];  /**< queue it arrived in */
	char agent_id[PCRM_ACD_ID_MAX + 1];        /**< who answered, "" when nobody */
	char caller_number[PCRM_ACD_NUMBER_MAX + 1];
	char customer_no[PCRM_ACD_NUMBER_MAX + 1];
	pcrm_acd_outcome outcome;
	int priority;                              /**< at arrival */
	int misses;
	int overflows;                             /**< overflows and moves */
	int short_abandon;                         /**< 1 for an abandon within short_abandon_s */
	pcrm_acd_ms arrived_at, answered_at, ended_at, wrap_up_end_at;
	int64_t wait_ms, talk_ms, hold_ms, wrap_up_ms;
} pcrm_acd_cdr;

/**
 * The sink: receives `count` CDRs (count <= cdr_batch_size).  Return 0 when
 * they are safely stored; any other value keeps them pending, and the flush
 * stops and returns PCRM_EIO (they are offered again by the next flush).
 */
typedef int (*pcrm_acd_cdr_sink_fn)(void *userdata, const pcrm_acd_cdr *cdrs, size_t count);

/** Registers (or with NULL removes) the CDR sink. */
PCRM_EXTERN(int) pcrm_acd_set_cdr_sink(pcrm_acd *acd, pcrm_acd_cdr_sink_fn fn, void *userdata);

/**
 * Hands every pending CDR to the sink, in batches, oldest first, outside
 * the engine lock; routing continues meanwhile.  Flushes are serialised
 * (a second flusher waits for the first).  Call it from a thread of your
 * own (every second, say): routing never waits on it.  `flushed` (may be
 * NULL) receives how many CDRs the sink accepted.  PCRM_ESTATE without a
 * sink; PCRM_EIO when the sink refused a batch.
 */
PCRM_EXTERN(int) pcrm_acd_cdr_flush(pcrm_acd *acd, size_t *flushed);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_ACD_H */
