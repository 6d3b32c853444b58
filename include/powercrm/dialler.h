/*
 * libpowercrm - the voice campaign dialler (外呼: 自动外呼接通坐席).
 *
 * A voice campaign's messages (outbound.h) are calls: the dialler places
 * them through the telephony adapter (telephony.h, pcrm_tel_dial) from a
 * dialler port of the switch, and an answered call joins an ACD queue
 * (acd.h) whose routing connects it to an idle agent: a VIP customer's call
 * with the VIP's priority, a minimum skill level (vip_min_level) and the
 * account manager as preferred agent, as an inbound call of that customer
 * would be routed.  It is progressive dialling: each pass dials only as
 * many calls as the queue has ready agents (times pacing_percent / 100,
 * 1:1 by default), less the calls already dialled and not yet connected,
 * so the customers who answer find an agent.  An answered call that finds
 * none (the queue's max_wait_s ran out, the queue refused it, or the
 * customer hung up while waiting) is "abandoned".
 *
 * What is delivery is the outbound queue's own (pcrm_outbound_deliver):
 * the order of channels (only voice is dialled here), do-not-contact, quiet
 * hours, the per-customer rate limit, the audit and the contact history.
 * Every call's results are written as attempt rows and contact history
 * entries of its message: "accepted" (dialled), then "no_answer" or "busy",
 * or "answered" and then "connected" (naming the agent) or "abandoned".
 * No answer, busy and abandoned are retried after the policy's doubling
 * back-off, up to max_attempts; a connected call's message is "answered".
 *
 * Driving it: feed the switch's events through pcrm_dialler_event_feed()
 * (it passes each to pcrm_tel_event_feed() and watches the calls it
 * placed), and call pcrm_dialler_run() from the thread that owns the store
 * context, whenever agents become ready and every few seconds: it writes
 * the results seen since the last run and dials the next calls.
 *
 * Crashes and restarts: every call is a row in the store (outbound_call)
 * written before the switch is asked to dial it, and each result moves
 * that row in the same transaction as the result's attempt row, once.
 * pcrm_dialler_event_record() writes a result as its event arrives;
 * pcrm_dialler_event_feed() leaves it to the next pcrm_dialler_run().  A
 * dialler holds its campaign by a lease of PCRM_DIALLER_LEASE_S seconds,
 * renewed by every run: a second dialler of the campaign is refused
 * (PCRM_ESTATE) until the lease runs out, and then settles the first one's
 * calls still open: a call not yet answered as "unknown", a customer
 * waiting for an agent as "abandoned", each retried per the policy like an
 * unanswered call, exactly once (docs/outbound.md, "Crashes and restarts").
 *
 * Pacing: progressive by default; pcrm_dialler_set_predictive() dials from
 * the campaign's observed answer rate, the queue's mean handle time and the
 * busy agents expected to be free when the calls are answered, within a
 * target abandoned share (docs/outbound.md, "Predictive pacing").
 *
 * Threads: pcrm_dialler_event_feed() and pcrm_dialler_event_record() (with
 * a store context of its own) may be called from the switch's thread while
 * another thread runs pcrm_dialler_run(); one thread runs at a time.  Free
 * the dialler before the pcrm_tel and the ACD.
 */
#ifndef POWERCRM_DIALLER_H
#define POWERCRM_DIALLER_H

#include <powercrm/acd.h>
#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/outbound.h>
#include <powercrm/telephony.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Seconds a dialler holds its campaign after each run: another dialler of
 * the campaign (a restarted process) waits this long for a dead one.
 */
#define PCRM_DIALLER_LEASE_S 60

/** A voice campaign's dialler.  Opaque. */
typedef struct pcrm_dialler pcrm_dialler;

#define PCRM_DIALLER_OPTIONS_VERSION 1

/**
 * What to dial and how fast.  Initialise with PCRM_DIALLER_OPTIONS_INIT;
 * strings are copied.
 *
 *   campaign_id       the campaign whose queued messages are dialled
 *   queue_id          the ACD queue answered calls join; its ready agents
 *                     set the pace
 *   device_id         the switch device calls are placed from (a dialler
 *                     port, trunk group or routing point)
 *   pacing_percent    calls in progress per 100 ready agents, 10..1000
 *                     (100: one call per ready agent)
 *   vip_min_level     the minimum level in the queue's skill an agent needs
 *                     for a customer of VIP level 1 or more, 1..10 (1)
 *   preferred_wait_s  how long an answered call waits for the customer's
 *                     account manager before any agent, 0..3600 (0)
 */
typedef struct pcrm_dialler_options {
	unsigned int version;
	const char *campaign_id;
	const char *queue_id;
	const char *device_id;
	int pacing_percent;
	int vip_min_level;
	int preferred_wait_s;
} pcrm_dialler_options;

#define PCRM_DIALLER_OPTIONS_INIT \
	{ PCRM_DIALLER_OPTIONS_VERSION, NULL, NULL, NULL, 100, 1, 0 }

/**
 * Creates a dialler for `tel` and its ACD `acd` (both must outlive it).
 * PCRM_EINVAL naming the field (options.queue_id not a queue of `acd`,
 * pacing_percent out of range, ...).
 */
PCRM_EXTERN(int) pcrm_dialler_new(pcrm_dialler **out, pcrm_acd *acd, pcrm_tel *tel,
                                  const pcrm_dialler_options *options);

/** Frees the dialler; calls in progress are no longer watched.  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_dialler_free(pcrm_dialler *d);

/**
 * pcrm_tel_event_feed() of the dialler's pcrm_tel, and notes what an
 * accepted event tells of a call the dialler placed: `failed` (reason
 * "busy": busy, otherwise no answer), `queued` (answered), `established`
 * at an agent's device (connected to that agent), `call_cleared` (the end:
 * no answer, busy or abandoned unless connected).  Returns what
 * pcrm_tel_event_feed() returns.
 */
PCRM_EXTERN(int) pcrm_dialler_event_feed(pcrm_dialler *d, const pcrm_tel_event *event,
                                         pcrm_tel_reject *rejected);

/**
 * pcrm_dialler_event_feed(), then writes at once, with `ctx`, the results
 * the event gave (and any others noted and not yet written), each with its
 * call's row: a crash after this returns loses none of them.  `actor` and
 * `policy` as for pcrm_dialler_run(), checked before the event is fed (a
 * refused actor or a bad policy feeds nothing and leaves `rejected` as it
 * was).  A result of a call whose dialling pass has not yet ended waits for
 * that pass's pcrm_dialler_run() to write it.  The switch's thread may call
 * this with a store context of its own while another thread runs the
 * dialler.
 */
PCRM_EXTERN(int) pcrm_dialler_event_record(pcrm_dialler *d, pcrm_ctx *ctx,
                                           const pcrm_actor *actor,
                                           const pcrm_outbound_policy *policy,
                                           const pcrm_tel_event *event,
                                           pcrm_tel_reject *rejected);

#define PCRM_DIALLER_PREDICTIVE_VERSION 1

/**
 * The predictive pace (docs/outbound.md, "Predictive pacing").  Initialise
 * with PCRM_DIALLER_PREDICTIVE_INIT.
 *
 *   target_abandon_permille  the abandoned share of answered calls the pace
 *                            aims to stay within, per mille, 1..200 (30: 3 %)
 *   min_observations         the campaign's settled calls needed before the
 *                            model is trusted; fewer, and the pass is
 *                            progressive, 1..1000000 (50)
 *   max_percent              calls ringing or waiting per 100 agents of the
 *                            queue (ready and busy), 100..1000 (300)
 */
typedef struct pcrm_dialler_predictive {
	unsigned int version; /**< set to PCRM_DIALLER_PREDICTIVE_VERSION */
	int target_abandon_permille;
	int min_observations;
	int max_percent;
} pcrm_dialler_predictive;

#define PCRM_DIALLER_PREDICTIVE_INIT { PCRM_DIALLER_PREDICTIVE_VERSION, 30, 50, 300 }

/**
 * Switches the dialler to the predictive pace with `p`, or back to
 * progressive with NULL.  PCRM_EINVAL names the field out of range.  Call
 * it from the thread that runs the dialler; it applies from the next run.
 */
PCRM_EXTERN(int) pcrm_dialler_set_predictive(pcrm_dialler *d, const pcrm_dialler_predictive *p);

/** How a pass was paced. */
typedef enum pcrm_dialler_mode {
	PCRM_DIALLER_PROGRESSIVE = 0, /**< ready agents times pacing_percent */
	PCRM_DIALLER_PREDICTIVE = 1   /**< the model, within the target */
} pcrm_dialler_mode;

#define PCRM_DIALLER_PACE_VERSION 1

/**
 * What the last pcrm_dialler_run() knew when it paced (caller-allocated:
 * start from PCRM_DIALLER_PACE_INIT).  Estimates, so doubles.
 */
typedef struct pcrm_dialler_pace {
	unsigned int version;     /**< set to PCRM_DIALLER_PACE_VERSION */
	int mode;                 /**< pcrm_dialler_mode of the pass */
	int capacity;             /**< calls the pass could dial */
	int64_t observations;     /**< the campaign's settled calls (unknown ones left out) */
	double answer_rate;       /**< answered / observations */
	double ring_s;            /**< mean seconds from the dial to the answer */
	double handle_s;          /**< the queue's mean handle time (talk, hold, wrap-up); 0 unknown */
	double agents_soon;       /**< busy agents expected free within ring_s */
	double predicted_abandon; /**< expected abandoned / expected answered of the pass's calls */
	double observed_abandon;  /**< the campaign's abandoned / answered so far */
} pcrm_dialler_pace;

#define PCRM_DIALLER_PACE_INIT { .version = PCRM_DIALLER_PACE_VERSION }

/** Fills `out` (its version set by the caller) with the last run's pace; zeros before any run. */
PCRM_EXTERN(int) pcrm_dialler_pace_get(pcrm_dialler *d, pcrm_dialler_pace *out);

#define PCRM_DIALLER_PASS_VERSION 1

/** What one pcrm_dialler_run() did (caller-allocated: start from PCRM_DIALLER_PASS_INIT). */
typedef struct pcrm_dialler_pass {
	unsigned int version; /**< set to PCRM_DIALLER_PASS_VERSION */
	int results;          /**< call results written (answered, connected, no answer, ...), a dead dialler's calls settled included */
	int ready_agents;     /**< ready agents of the queue when the pass paced */
	int in_progress;      /**< calls dialled and not yet connected or ended, before dialling */
	int capacity;         /**< calls the pace allowed: ready * pacing_percent / 100 - in_progress, or the predictive pace's number */
	int dialled;          /**< calls placed */
	int retried;          /**< dial requests the switch refused for now: tried again after the back-off */
	int deferred;         /**< quiet hours or the rate limit */
	int failed;           /**< messages given up (no number, max_attempts) */
	int suppressed;       /**< do-not-contact */
} pcrm_dialler_pass;

#define PCRM_DIALLER_PASS_INIT { .version = PCRM_DIALLER_PASS_VERSION }

/**
 * Takes or renews the campaign's lease (PCRM_ESTATE while another dialler
 * holds it), settles the open calls of a dialler whose lease ran out,
 * writes the call results seen since the last run, then dials up to the
 * pace's capacity of the campaign's due messages through the delivery pass
 * (pcrm_outbound_deliver() restricted to the campaign and to voice) with
 * `policy`.  Needs PCRM_PERM_CONTACT_WRITE on the campaign's unit (a
 * missing campaign is refused alike); results are audited
 * "outbound.call".  The dialler reads each customer's VIP level and account
 * manager from the archive with `actor`.  `pass` may be NULL.
 */
PCRM_EXTERN(int) pcrm_dialler_run(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_actor *actor,
                                  const pcrm_outbound_policy *policy, pcrm_dialler_pass *pass);

/** Calls the dialler has placed and not yet seen connected or ended. */
PCRM_EXTERN(int) pcrm_dialler_in_progress(pcrm_dialler *d);

#define PCRM_CAMPAIGN_CALL_STATS_VERSION 1

/**
 * A campaign's calls, counted from its attempt rows on the voice channel.
 * Once no call is in progress: dialled = no_answer + busy + answered, and
 * answered = connected + abandoned, except for the calls a dead dialler
 * left unanswered, counted by pcrm_campaign_calls_unknown() (dialled holds
 * those whose dial was written before the dialler died).
 */
typedef struct pcrm_campaign_call_stats {
	unsigned int version; /**< set to PCRM_CAMPAIGN_CALL_STATS_VERSION */
	int64_t dialled;      /**< calls placed (attempts the switch accepted) */
	int64_t no_answer;
	int64_t busy;
	int64_t answered;     /**< picked up by the customer */
	int64_t connected;    /**< ... and connected to an agent */
	int64_t abandoned;    /**< ... and ended without an agent */
} pcrm_campaign_call_stats;

#define PCRM_CAMPAIGN_CALL_STATS_INIT { .version = PCRM_CAMPAIGN_CALL_STATS_VERSION }

/** Fills `out` (its version set by the caller).  Needs PCRM_PERM_ARCHIVE_READ on the campaign's unit. */
PCRM_EXTERN(int) pcrm_campaign_call_stats_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                              const char *campaign_id,
                                              pcrm_campaign_call_stats *out);

/**
 * The campaign's calls settled as "unknown": placed by a dialler that died
 * before it saw them answered or ended (each was retried per the policy).
 * Needs PCRM_PERM_ARCHIVE_READ on the campaign's unit.
 */
PCRM_EXTERN(int) pcrm_campaign_calls_unknown(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *campaign_id, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_DIALLER_H */
