/*
 * Internal: the ACD engine's data structures (docs/acd.md, Routing index).
 *
 * Everything below is guarded by pcrm_acd.lock, except the poll queue
 * (ev_lock) and the CDR buffer (cdr_lock), which consumers reach without
 * the engine lock.  Lock order: lock -> ev_lock, lock -> cdr_lock.
 */
#ifndef PCRM_ACD_INTERNAL_H
#define PCRM_ACD_INTERNAL_H

#include <pthread.h>

#include <powercrm/acd.h>

#include "heap.h"
#include "idmap.h"

#define ACD_ID_SIZE (PCRM_ACD_ID_MAX + 1)
#define ACD_NUMBER_SIZE (PCRM_ACD_NUMBER_MAX + 1)
#define ACD_RULES_MAX 16
#define ACD_LEVELS PCRM_ACD_LEVEL_MAX

struct acd_agent;
struct acd_queue;
struct acd_call;

/* ---- timers: embedded in their owners, one engine-wide heap by (due, seq) ---- */

enum acd_timer_kind {
	ACD_TIMER_RING,     /* owner: call; the offer rang out */
	ACD_TIMER_RULE,     /* owner: call; its next waiting-time rule */
	ACD_TIMER_FALLBACK, /* owner: call; the preferred agent's wait ran out */
	ACD_TIMER_MAX_WAIT, /* owner: call; max_wait of its queue passed */
	ACD_TIMER_WRAP_UP   /* owner: agent; after-call work ends */
};

struct acd_timer {
	pcrm_acd_ms due;
	uint64_t seq;
	size_t pos;
	enum acd_timer_kind kind;
	void *owner;
};

/* ---- configuration pieces ---- */

struct acd_req { /* a skill with a (minimum) level */
	char name[ACD_ID_SIZE];
	int level;
};

struct acd_rule {
	int after_s;
	pcrm_acd_rule_action action;
	int value;
	struct acd_queue *queue; /* ADD_QUEUE */
};

/* Completed intervals, newest at (head + count - 1) % KEPT. */
struct acd_queue_hist {
	pcrm_acd_ms start[PCRM_ACD_INTERVALS_KEPT];
	pcrm_acd_queue_counts counts[PCRM_ACD_INTERVALS_KEPT];
	size_t head, count;
};

struct acd_agent_hist {
	pcrm_acd_ms start[PCRM_ACD_INTERVALS_KEPT];
	pcrm_acd_agent_counts counts[PCRM_ACD_INTERVALS_KEPT];
	size_t head, count;
};

/* ---- the routing index ---- */

/* An agent's membership in a queue: the node of the queue's idle index. */
struct acd_member {
	struct acd_agent *agent;
	struct acd_queue *queue;
	int level;
	uint64_t rr_key;   /* round robin: queue's turn counter when last served */
	/* the strategy's order, copied in when the member enters the idle heap so a
	 * comparison reads this node only (a heap step costs no agent cache miss) */
	int64_t key[3];
	size_t pos;        /* in queue->idle[level - 1] */
};

/*
 * Waiting calls of a queue with the same requirements (minimum level and
 * extra skills) share a class, so an agent tests each class once and takes
 * its head: no scan over calls it may not answer.
 */
struct acd_class {
	int min_level;
	int nskills;
	struct acd_req skills[PCRM_ACD_CALL_SKILLS_MAX]; /* sorted by name */
	struct acd_heap calls;                           /* acd_entry by call order */
};

/* A call's presence in one queue (its own, or one added by a rule). */
struct acd_entry {
	struct acd_call *call;
	struct acd_queue *queue;
	struct acd_class *cls;
	size_t pos; /* in cls->calls */
};

struct acd_queue {
	char id[ACD_ID_SIZE];
	char org[ACD_ID_SIZE];
	pcrm_acd_strategy strategy;
	int sl_percent, sl_target_s, max_waiting, max_wait_s, wrap_up_s, ring_timeout_s;
	pcrm_acd_no_agent no_agent;
	struct acd_queue *overflow;
	struct acd_rule rules[ACD_RULES_MAX]; /* sorted by after_s */
	size_t nrules;

	struct acd_member **members;
	size_t nmembers, members_cap;
	size_t logged_in;                 /* members not logged out */
	struct acd_heap idle[ACD_LEVELS]; /* ready members by level - 1, strategy order */
	struct acd_class **classes;
	size_t nclasses;
	struct acd_heap waiting; /* calls WAITING with this own queue, by arrival */
	uint64_t rr_turn;

	pcrm_acd_queue_counts total, interval;
	pcrm_acd_ms interval_of; /* start of the interval `interval` counts (closed lazily) */
	struct acd_queue_hist hist;
};

struct acd_agent {
	char id[ACD_ID_SIZE];
	char org[ACD_ID_SIZE];
	struct acd_req *skills;
	size_t nskills, skills_cap;
	struct acd_member **members;
	size_t nmembers, members_cap;

	pcrm_acd_agent_state state;
	char reason[ACD_ID_SIZE];
	pcrm_acd_ms state_since, accounted_since, idle_since;
	uint64_t ready_seq;   /* tie-break of equal idle_since: order of becoming ready */
	int misses;           /* consecutive */
	uint64_t login_calls; /* answered since login (fewest_calls) */
	int64_t login_talk_ms; /* talk since login (least_talk) */

	struct acd_call *call;    /* offered, talking, held, or in wrap-up */
	struct acd_heap personal; /* calls waiting for this agent as their preferred agent */
	struct acd_timer wrap_timer;

	pcrm_acd_agent_counts total, interval;
	pcrm_acd_ms interval_of; /* start of the interval `interval` counts (closed lazily) */
	struct acd_agent_hist hist;
};

struct acd_call {
	char id[ACD_ID_SIZE];
	char caller[ACD_NUMBER_SIZE];
	char customer[ACD_NUMBER_SIZE];
	struct acd_queue *queue, *first_queue;
	pcrm_acd_call_state state;
	int priority, arrival_priority, min_level;
	int front; /* requeued after a miss or withdrawal: ahead of its priority */
	int nskills;
	struct acd_req skills[PCRM_ACD_CALL_SKILLS_MAX]; /* sorted by name */
	struct acd_entry entries[PCRM_ACD_CALL_QUEUES_MAX];
	size_t nentries;
	int in_heaps; /* entries are in their class heaps */
	pcrm_acd_ms arrived_at, queue_entered_at;
	uint64_t seq;
	size_t wpos; /* in queue->waiting */

	struct acd_agent *preferred; /* waiting in preferred->personal when ppos is set */
	size_t ppos;

	struct acd_agent **offered; /* agents it rings at */
	size_t noffered, offered_cap;
	struct acd_agent *agent; /* who answered */

	struct acd_timer ring, rule, fallback, max_wait;
	size_t next_rule;
	int max_wait_due; /* max_wait passed while it rang: acted on if it returns */

	pcrm_acd_ms answered_at, ended_at, talk_since, held_since;
	int64_t talk_ms, hold_ms;
	int misses, overflows;
};

struct acd_org {
	char code[ACD_ID_SIZE];
	int parent; /* index, -1 for a root */
};

struct acd_event_buf {
	pcrm_acd_event *items;
	size_t count, cap;
};

struct pcrm_acd {
	pthread_mutex_t lock;
	pcrm_acd_options opt;
	pcrm_acd_clock_fn clock;
	void *clock_ud;
	pcrm_acd_ms now;
	pcrm_acd_ms manual_now; /* the manual clock's reading (pcrm_acd_set_time) */

	struct acd_idmap agent_map, queue_map, call_map;
	struct acd_agent **agents;
	size_t nagents, agents_cap;
	struct acd_queue **queues;
	size_t nqueues, queues_cap;
	char (*reasons)[ACD_ID_SIZE];
	size_t nreasons, reasons_cap;
	struct acd_org *orgs;
	size_t norgs, orgs_cap;

	struct acd_heap timers;
	uint64_t timer_seq;
	pcrm_acd_ms interval_start, interval_ms;
	uint64_t rng, call_seq, ready_seq;
	size_t calls_live, calls_waiting;
	int defer_index; /* set_state(READY) leaves the idle index to the caller */
	struct acd_member **scratch;
	size_t scratch_cap;

	pcrm_acd_engine_stats counters; /* the uint64_t fields */

	/* events for the callback, delivered after the lock is released */
	pcrm_acd_event_fn cb;
	void *cb_ud;
	struct acd_event_buf cb_pending;
	uint64_t event_seq;

	/* the poll queue */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	pcrm_acd_event *ring;
	size_t ring_cap, ring_head, ring_count;
	uint64_t ring_lost; /* dropped since the last events_lost event */

	/* call detail records waiting for the sink */
	pthread_mutex_t cdr_lock, flush_lock;
	pcrm_acd_cdr *cdrs;
	size_t cdr_head, cdr_count, cdr_cap;
	pcrm_acd_cdr_sink_fn sink;
	void *sink_ud;
	uint64_t cdrs_emitted, cdrs_flushed, cdrs_dropped;
};

/* ---- engine.c ---- */
/** Locks the engine, reads the clock and runs due timers. */
void acd_enter(pcrm_acd *acd);
/** Counts a refusal, unlocks, delivers callback events; returns rc. */
int acd_leave(pcrm_acd *acd, int rc);
uint64_t acd_random(pcrm_acd *acd);
/** Validates an id ("NAME: ..." messages); PCRM_EINVAL. */
int acd_check_id(const char *name, const char *id);
int acd_reason_known(const pcrm_acd *acd, const char *reason);
int acd_options_check(const pcrm_acd_options *o, const char *prefix);

/* ---- timer.c ---- */
void acd_timer_init(struct acd_timer *t, enum acd_timer_kind kind, void *owner);
/** Arms (or re-arms) a timer; the timer heap must have room (acd_timer_reserve). */
void acd_timer_set(pcrm_acd *acd, struct acd_timer *t, pcrm_acd_ms due);
void acd_timer_cancel(pcrm_acd *acd, struct acd_timer *t);
/** Claims room for n more armed timers (an owner claims once for all of its timers). */
int acd_timer_reserve(pcrm_acd *acd, size_t n);
void acd_timer_unreserve(pcrm_acd *acd, size_t n);
/** Runs everything due at acd->now: interval boundaries and timers, in time order. */
void acd_timers_run(pcrm_acd *acd);

/* ---- strategy.c ---- */
int acd_idle_less(const void *a, const void *b);
/** Fills m->key from its agent and the queue's strategy (before entering the idle heap). */
void acd_member_key(pcrm_acd *acd, struct acd_member *m);
/** The order of waiting calls as a heap key (the same in every queue: fairness). */
void acd_call_key(const struct acd_call *c, int64_t key[3]);
/**
 * The best idle member of `q` that may take `c` (level >= min_level, extra
 * skills held), by the queue's strategy; NULL when none.
 */
struct acd_member *acd_best_idle(pcrm_acd *acd, struct acd_queue *q, int min_level,
                                 const struct acd_call *c);
int acd_agent_skill(const struct acd_agent *a, const char *skill);
int acd_agent_meets(const struct acd_agent *a, const struct acd_req *skills, int nskills);

/* ---- route.c ---- */
void acd_agent_index_ready(pcrm_acd *acd, struct acd_agent *a);
void acd_agent_index_unready(pcrm_acd *acd, struct acd_agent *a);
struct acd_class *acd_class_get(struct acd_queue *q, int min_level, const struct acd_call *c);
/** Puts a WAITING call into its class heaps (or its preferred agent's heap). */
void acd_call_index_add(pcrm_acd *acd, struct acd_call *c);
void acd_call_index_remove(pcrm_acd *acd, struct acd_call *c);
/** Offers a waiting call to the best idle agent(s), if any; nonzero when offered. */
int acd_dispatch_call(pcrm_acd *acd, struct acd_call *c);
/** Offers a ready agent the best call it may answer, if any. */
void acd_dispatch_agent(pcrm_acd *acd, struct acd_agent *a);
/** Takes agent `a` off the call's offer list (the caller decides the agent's next state). */
void acd_offer_withdraw_one(pcrm_acd *acd, struct acd_call *c, struct acd_agent *a);

/* ---- agent.c ---- */
struct acd_agent *acd_agent_find(pcrm_acd *acd, const char *id);
void acd_agent_set_state(pcrm_acd *acd, struct acd_agent *a, pcrm_acd_agent_state s,
                         const char *reason);
/** An agent whose offer ended without an answer goes ready (and is dispatched) or not ready. */
void acd_agent_after_offer(pcrm_acd *acd, struct acd_agent *a, int missed);
/** Counts a miss: the agent becomes ready (not dispatched) or, after max_misses, not ready. */
void acd_agent_count_miss(pcrm_acd *acd, struct acd_agent *a);
void acd_agent_wrap_up_end(pcrm_acd *acd, struct acd_agent *a);
void acd_agent_free(struct acd_agent *a);
/** Moves an agent (not holding a live call) to ready, not_ready or logged_out, ending wrap-up first. */
int acd_agent_leave_to(pcrm_acd *acd, struct acd_agent *a, pcrm_acd_agent_state s,
                       const char *reason);
int acd_member_add(pcrm_acd *acd, struct acd_agent *a, struct acd_queue *q, int level);

/* ---- call.c ---- */
struct acd_call *acd_call_find(pcrm_acd *acd, const char *id);
void acd_call_requeue(pcrm_acd *acd, struct acd_call *c);
/**
 * Makes `q` the call's own queue (arrival, move, overflow), dropping queues
 * added by rules; rules and max_wait restart; q's offered count grows.  The
 * call must not be waiting (acd_call_unwait first).  PCRM_ENOMEM changes
 * nothing.
 */
int acd_call_enter_queue(pcrm_acd *acd, struct acd_call *c, struct acd_queue *q);
void acd_call_free(struct acd_call *c);
/** Frees a call that left the engine, giving back its timer room. */
void acd_call_destroy(pcrm_acd *acd, struct acd_call *c);
/** Puts a call that is not waiting back among the waiting (WAITING state, indexes). */
void acd_call_wait(pcrm_acd *acd, struct acd_call *c);
/** Takes a waiting call out of the waiting set and the index (it stays in its queue). */
void acd_call_unwait(pcrm_acd *acd, struct acd_call *c);
/** Ends an unanswered call: out of every index, a CDR, freed. */
void acd_call_drop(pcrm_acd *acd, struct acd_call *c, pcrm_acd_outcome outcome);
void acd_ring_timeout(pcrm_acd *acd, struct acd_call *c);

/* ---- rules.c ---- */
void acd_rules_arm(pcrm_acd *acd, struct acd_call *c);
void acd_rule_fire(pcrm_acd *acd, struct acd_call *c);
void acd_fallback_fire(pcrm_acd *acd, struct acd_call *c);
void acd_max_wait_fire(pcrm_acd *acd, struct acd_call *c);
/** What a queue does with a call that wants to enter it. */
enum acd_admission { ACD_ADMIT, ACD_OVERFLOW, ACD_REFUSE };
/** ACD_OVERFLOW means to q->overflow; *why is "full" or "no_agent" unless admitted. */
enum acd_admission acd_queue_admission(const struct acd_queue *q, const char **why);
/**
 * Sends a call (not waiting) along q's overflow links, starting at
 * q->overflow, counting each queue it passes; returns the queue it entered
 * or NULL when none would take it (the call is unchanged then).
 */
struct acd_queue *acd_overflow(pcrm_acd *acd, struct acd_call *c, struct acd_queue *from,
                               const char *why);

/* ---- stats.c ---- */
/** Adds the time since the last accounting to the agent's current state (closing intervals first). */
void acd_agent_account(pcrm_acd *acd, struct acd_agent *a);
/**
 * The current interval's counters of a queue / an agent.  Intervals are
 * closed lazily, object by object, when next touched or read, so crossing a
 * boundary costs O(1) under the lock instead of a pass over every object.
 */
pcrm_acd_queue_counts *acd_queue_interval(pcrm_acd *acd, struct acd_queue *q);
pcrm_acd_agent_counts *acd_agent_interval(pcrm_acd *acd, struct acd_agent *a);
void acd_queue_counts_finish(pcrm_acd_queue_counts *c);
void acd_agent_counts_finish(pcrm_acd_agent_counts *c);

/* ---- events.c ---- */
/** A zeroed event of `type` stamped with seq and time (not yet emitted). */
void acd_event_init(pcrm_acd *acd, pcrm_acd_event *ev, pcrm_acd_event_type type);
void acd_emit(pcrm_acd *acd, pcrm_acd_event *ev);
void acd_emit_agent_state(pcrm_acd *acd, const struct acd_agent *a, pcrm_acd_agent_state prev);
void acd_emit_call(pcrm_acd *acd, pcrm_acd_event_type type, const struct acd_call *c,
                   const struct acd_agent *a);
void acd_emit_queue_stats(pcrm_acd *acd, struct acd_queue *q);
void acd_copy_id(char *dst, const char *src);
int acd_events_setup(pcrm_acd *acd);
void acd_events_teardown(pcrm_acd *acd);
/** Takes the callback's pending events out (under the lock). */
struct acd_event_buf acd_events_take(pcrm_acd *acd);
void acd_events_deliver(pcrm_acd_event_fn fn, void *ud, struct acd_event_buf *buf);

/* ---- cdr.c ---- */
void acd_cdr_emit(pcrm_acd *acd, const struct acd_call *c, pcrm_acd_outcome outcome,
                  pcrm_acd_ms wrap_up_end_at);
int acd_cdr_setup(pcrm_acd *acd);
void acd_cdr_teardown(pcrm_acd *acd);

/* ---- supervisor.c ---- */
int acd_org_add(pcrm_acd *acd, const char *code, const char *parent);

/* ---- queue.c ---- */
int acd_queue_add_locked(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path);
int acd_queue_create_unlinked(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path);
int acd_queue_link(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path);
/* ---- agent.c ---- */
int acd_agent_add_locked(pcrm_acd *acd, const char *id, const char *org,
                         const pcrm_acd_skill *skills, size_t n, const char *path);
int acd_reason_add_locked(pcrm_acd *acd, const char *reason, const char *path);

#endif
