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
 * Threads: pcrm_dialler_event_feed() may be called from the switch's
 * thread while another thread runs pcrm_dialler_run(); one thread runs at
 * a time.  Free the dialler before the pcrm_tel and the ACD.
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

#define PCRM_DIALLER_PASS_VERSION 1

/** What one pcrm_dialler_run() did (caller-allocated: start from PCRM_DIALLER_PASS_INIT). */
typedef struct pcrm_dialler_pass {
	unsigned int version; /**< set to PCRM_DIALLER_PASS_VERSION */
	int results;          /**< call results written (answered, connected, no answer, ...) */
	int ready_agents;     /**< ready agents of the queue when the pass paced */
	int in_progress;      /**< calls dialled and not yet connected or ended, before dialling */
	int capacity;         /**< calls the pace allowed: ready * pacing_percent / 100 - in_progress */
	int dialled;          /**< calls placed */
	int retried;          /**< dial requests the switch refused for now: tried again after the back-off */
	int deferred;         /**< quiet hours or the rate limit */
	int failed;           /**< messages given up (no number, max_attempts) */
	int suppressed;       /**< do-not-contact */
} pcrm_dialler_pass;

#define PCRM_DIALLER_PASS_INIT { .version = PCRM_DIALLER_PASS_VERSION }

/**
 * Writes the call results seen since the last run, then dials up to the
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
 * answered = connected + abandoned.
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

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_DIALLER_H */
