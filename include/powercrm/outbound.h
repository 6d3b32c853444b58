/*
 * libpowercrm - notifications and outbound campaigns (外呼 / 客户通知).
 *
 * Messages to customers wait in an outbound queue in the store.  A delivery
 * pass (pcrm_outbound_deliver()) takes the messages that are due and sends
 * each through a channel table the integrator implements (SMS gateway,
 * e-mail relay, WeChat template messages, a voice call through its switch,
 * a letter print shop), choosing the customer's preferred channel first and
 * then a fallback order.  It respects do-not-contact preferences per channel,
 * quiet hours (no calls 21:00-08:00 local time by default), a per-customer
 * rate limit and retries failures with doubling back-off.  The gateway's
 * delivery receipts come back through pcrm_outbound_receipt().  Every
 * attempt and every receipt is recorded in the customer's contact history
 * (contact.h, direction "outbound").
 *
 * Personal data: a message's destination (mobile number, e-mail address,
 * WeChat id, postal address) is read from the sealed customer archive,
 * opened only in memory for the send and wiped afterwards; the queue, the
 * attempt rows and the audit log never hold it.  Message texts use masked
 * fields only ({name} is "张**").
 *
 * Campaigns (pcrm_campaign_create()) queue one message per customer of a
 * target: every customer of some transformer areas for a planned outage
 * (at least 7 days before it), all customers of a unit for a new tariff,
 * the dunning list for arrears reminders, residential customers near their
 * next annual tier threshold for tier warnings.  Their statistics count sent,
 * delivered, answered, confirmed and opted-out messages.
 *
 * Permissions: queueing a single message, setting a preference and
 * delivering need PCRM_PERM_CONTACT_WRITE over the customer's (or the
 * given) org unit; creating and queueing a campaign PCRM_PERM_CAMPAIGN_WRITE
 * over the campaign's unit; statistics PCRM_PERM_ARCHIVE_READ.  Every call
 * checks that the unit lies in the actor's subtree.
 *
 * Workflow notices to customers: a transition with "notify_customer"
 * (docs/workflow-format.md) leaves a notice in the workflow outbox
 * addressed to the work order's customer; every delivery pass first hands
 * such notices over to the outbound queue, exactly once each
 * (pcrm_outbound_handover()), so they go out on the customer's preferred
 * channel with the fallback order, like any message.
 *
 * Return-visit surveys (kind "return_visit_survey") ask the customers of
 * finished work orders for their satisfaction; pcrm_campaign_survey_answer()
 * records an answer as the work order's return visit (through the complaint
 * API for complaint tickets, the workflow engine otherwise).
 *
 * Tier-threshold warnings (kind "tier_warning") tell residential customers
 * near their next annual tier threshold, from pcrm_tier_position_get().
 *
 * Voice campaigns dialled and connected to agents: dialler.h.
 *
 * Threads: use a context from one thread at a time (ctx.h); the channel
 * functions are called on the thread that calls pcrm_outbound_deliver().
 */
#ifndef POWERCRM_OUTBOUND_H
#define POWERCRM_OUTBOUND_H

#include <stddef.h>

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The channels, in their stable numbering. */
typedef enum pcrm_outbound_channel {
	PCRM_OUTBOUND_SMS = 1,    /**< "sms": to the mobile phone */
	PCRM_OUTBOUND_EMAIL = 2,  /**< "email" */
	PCRM_OUTBOUND_WECHAT = 3, /**< "wechat": the WeChat account bound to the customer */
	PCRM_OUTBOUND_VOICE = 4,  /**< "voice": a call to the mobile, else the landline */
	PCRM_OUTBOUND_LETTER = 5  /**< "letter": to the mailing, else the supply address */
} pcrm_outbound_channel;

/** Number of channels (the largest value of pcrm_outbound_channel). */
#define PCRM_OUTBOUND_CHANNEL_COUNT 5

/** "sms", "email", "wechat", "voice", "letter"; NULL for an unknown value. */
PCRM_EXTERN(const char *) pcrm_outbound_channel_name(pcrm_outbound_channel channel);

/** Parses a name as pcrm_outbound_channel_name() gives it; PCRM_EINVAL names `field`. */
PCRM_EXTERN(int) pcrm_outbound_channel_parse(const char *name, pcrm_outbound_channel *out);

/** Longest reference a gateway may give a message, with its NUL. */
#define PCRM_OUTBOUND_REF_MAX 128

/** Longest message text after rendering, in bytes. */
#define PCRM_OUTBOUND_BODY_MAX 2000

/**
 * What a channel function is given.  Every string lives only during the
 * call; `destination` is personal data in clear: use it for the send and
 * keep no copy (the library wipes its own copy when the call returns).
 */
typedef struct pcrm_outbound_message {
	const char *message_id;  /**< the queue's id; receipts name it */
	const char *customer_no;
	pcrm_outbound_channel channel;
	const char *destination; /**< normalised phone, e-mail, WeChat id or postal address */
	const char *body;        /**< the rendered text (masked fields only) */
	int attempt;             /**< 1 for the first attempt of this message */
} pcrm_outbound_message;

/**
 * One channel's send.  Returns PCRM_OK when the gateway accepted the
 * message (its reference, if any, copied into `ref`, at most `ref_size`
 * bytes with the NUL); PCRM_EINVAL when the gateway refused the
 * destination or text for good (the next channel is tried at once); any
 * other negative status is a passing failure, retried on the same channel
 * after the back-off.  Must not call back into the library with the same
 * context.
 */
typedef int (*pcrm_outbound_send_fn)(void *userdata, const pcrm_outbound_message *message,
                                     char *ref, size_t ref_size);

#define PCRM_OUTBOUND_CHANNELS_VERSION 1

/**
 * The channel table an integrator implements: one send function per
 * channel, NULL where it has no gateway (that channel is skipped).  Set
 * `version` to PCRM_OUTBOUND_CHANNELS_VERSION and `size` to
 * sizeof(pcrm_outbound_channels), or start from PCRM_OUTBOUND_CHANNELS_INIT.
 */
typedef struct pcrm_outbound_channels {
	size_t size;
	unsigned int version;
	void *userdata;
	pcrm_outbound_send_fn sms;
	pcrm_outbound_send_fn email;
	pcrm_outbound_send_fn wechat;
	/** A voice call; an adapter usually places it with its switch's make_call (telephony.h). */
	pcrm_outbound_send_fn voice;
	pcrm_outbound_send_fn letter;
} pcrm_outbound_channels;

#define PCRM_OUTBOUND_CHANNELS_INIT                                                          \
	{ sizeof(pcrm_outbound_channels), PCRM_OUTBOUND_CHANNELS_VERSION, NULL, NULL, NULL,  \
	  NULL, NULL, NULL }

#define PCRM_OUTBOUND_POLICY_VERSION 1

/**
 * How a delivery pass behaves.  Start from PCRM_OUTBOUND_POLICY_INIT:
 *
 *   fallback      channels tried after the customer's preferred one, in
 *                 order (0 ends the list); a campaign's own channel plan
 *                 replaces it for the campaign's messages
 *   quiet_start,  minutes after local midnight (the context's UTC offset):
 *   quiet_end     no attempt on a channel in quiet_channels from
 *                 quiet_start up to quiet_end (21:00-08:00); equal values
 *                 mean no quiet hours
 *   quiet_channels  bit (1 << channel) per channel kept quiet; default voice
 *   rate_limit,   at most rate_limit attempts per customer within
 *   rate_window   rate_window seconds (3 per day); 0 turns the limit off
 *   max_attempts  attempts of one message before it fails (5)
 *   backoff       seconds before the first retry of a passing failure,
 *                 doubled each time (300)
 */
typedef struct pcrm_outbound_policy {
	unsigned int version;
	pcrm_outbound_channel fallback[PCRM_OUTBOUND_CHANNEL_COUNT];
	int quiet_start;
	int quiet_end;
	unsigned int quiet_channels;
	int rate_limit;
	int rate_window;
	int max_attempts;
	int backoff;
} pcrm_outbound_policy;

#define PCRM_OUTBOUND_POLICY_INIT                                                            \
	{ PCRM_OUTBOUND_POLICY_VERSION,                                                      \
	  { PCRM_OUTBOUND_SMS, PCRM_OUTBOUND_WECHAT, PCRM_OUTBOUND_EMAIL, PCRM_OUTBOUND_VOICE, \
	    PCRM_OUTBOUND_LETTER },                                                          \
	  21 * 60, 8 * 60, 1u << PCRM_OUTBOUND_VOICE, 3, 86400, 5, 300 }

/**
 * Queues one message to customer `customer_no`.  `json`:
 *
 *   body           required  1..2000 bytes of text; no personal data (the
 *                            library cannot tell, so write none)
 *   not_before     optional  ISO 8601 instant; default now
 *   work_order_id  optional  the work order it tells about
 *   id             optional  1..64 letters, digits, - _ . / : an idempotency
 *                            key (queueing the same id again is
 *                            PCRM_EDUPLICATE); default a new UUID
 *
 * Needs PCRM_PERM_CONTACT_WRITE on the customer's unit (PCRM_EPERM, the same
 * for an unknown customer).  Audited "outbound.queue".  `id_out` (may be
 * NULL) receives the id, at least 65 bytes.
 */
PCRM_EXTERN(int) pcrm_outbound_queue(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, const char *json, char *id_out,
                                     size_t id_size);

/**
 * Sets (`do_not_contact` nonzero) or clears the customer's do-not-contact
 * preference for one channel.  Needs PCRM_PERM_CONTACT_WRITE on the
 * customer's unit; audited "outbound.preference".
 */
PCRM_EXTERN(int) pcrm_outbound_set_do_not_contact(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                  const char *customer_no,
                                                  pcrm_outbound_channel channel,
                                                  int do_not_contact);

#define PCRM_OUTBOUND_PASS_VERSION 1

/** What one delivery pass did (a caller-allocated output: start from PCRM_OUTBOUND_PASS_INIT). */
typedef struct pcrm_outbound_pass {
	unsigned int version; /**< set to PCRM_OUTBOUND_PASS_VERSION */
	int sent;      /**< accepted by a gateway */
	int retried;   /**< passing failures, queued again after the back-off */
	int failed;    /**< gave up: max_attempts reached or no channel left */
	int deferred;  /**< quiet hours or rate limit: queued again for later */
	int suppressed; /**< every usable channel barred by do-not-contact */
} pcrm_outbound_pass;

#define PCRM_OUTBOUND_PASS_INIT { .version = PCRM_OUTBOUND_PASS_VERSION }

/**
 * Sends up to `limit` (1..1000) due messages of `org_unit`'s subtree (the
 * actor's own unit when NULL), oldest first, after handing over up to
 * `limit` customer notices of the workflow outbox (pcrm_outbound_handover(),
 * which also needs PCRM_PERM_WORKORDER_HANDLE).  Each message is sent outside
 * any transaction and its result written in a transaction of its own
 * (attempt row, message state, contact history entry, audit
 * "outbound.attempt"), so a crash between send and write sends that message
 * again: delivery is at least once.  Needs PCRM_PERM_CONTACT_WRITE over the
 * unit.  `pass` (may be NULL; its version set) receives the counts.
 */
PCRM_EXTERN(int) pcrm_outbound_deliver(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *org_unit,
                                       const pcrm_outbound_channels *channels,
                                       const pcrm_outbound_policy *policy, int limit,
                                       pcrm_outbound_pass *pass);

/**
 * Hands the customer notices waiting in the workflow outbox (transitions
 * with "notify_customer", addressed to the work order's customer) over to
 * the outbound queue: up to `limit` (1..1000) of `org_unit`'s subtree (the
 * actor's unit when NULL), oldest first, each becoming message
 * "wo/<notification id>" (body the notice, work_order_id set) and marked
 * delivered in the outbox, all in one transaction.  A crash before the
 * commit leaves every notice pending; running it again never queues a
 * notice twice.  pcrm_outbound_deliver() runs this step first, so calling
 * it is needed only where queueing and sending run apart.  Needs
 * PCRM_PERM_WORKORDER_HANDLE and PCRM_PERM_CONTACT_WRITE over the unit; one
 * audit entry "outbound.handover" lists the notices.  `handed` (may be
 * NULL) receives the number of messages queued.  May return PCRM_ERETRY
 * after its own retries.
 */
PCRM_EXTERN(int) pcrm_outbound_handover(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *org_unit, int limit, int64_t *handed);

/** What a gateway reports of a sent message. */
typedef enum pcrm_outbound_result {
	PCRM_OUTBOUND_DELIVERED = 1,   /**< reached the handset, mailbox, account, door */
	PCRM_OUTBOUND_UNDELIVERED = 2, /**< bounced: the next channel is tried */
	PCRM_OUTBOUND_ANSWERED = 3,    /**< a call was answered, a survey replied to */
	PCRM_OUTBOUND_CONFIRMED = 4,   /**< the customer confirmed (e.g. replied "1") */
	PCRM_OUTBOUND_OPTED_OUT = 5    /**< the customer asked for no more on this channel */
} pcrm_outbound_result;

/**
 * Records a delivery receipt for message `message_id` (its last attempt).
 * States only move forward (delivered < answered < confirmed); a receipt
 * of a lower state is recorded in the contact history but changes nothing
 * else.  UNDELIVERED queues the message again on the next channel;
 * OPTED_OUT also sets the do-not-contact preference of the channel.
 * PCRM_ESTATE for a message never sent.  Needs PCRM_PERM_CONTACT_WRITE on
 * the message's unit; audited "outbound.receipt".
 */
PCRM_EXTERN(int) pcrm_outbound_receipt(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *message_id, pcrm_outbound_result result);

/**
 * A message's state: "queued", "sent", "delivered", "answered",
 * "confirmed", "failed", "suppressed" or "opted_out", copied into `buf`
 * (16 bytes suffice), and its attempts so far (may be NULL).  Needs
 * PCRM_PERM_ARCHIVE_READ on its unit.
 */
PCRM_EXTERN(int) pcrm_outbound_status(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const char *message_id, char *buf, size_t size,
                                      int *attempts);

/* ---- campaigns ---- */

/**
 * Creates a campaign from `json`:
 *
 *   id          required  1..48 letters, digits, - _ .
 *   org_unit    required  the unit whose customers it reaches (its subtree)
 *   name        required  1..200 bytes
 *   kind        required  "planned_outage", "tariff_announcement",
 *                         "arrears_reminder", "return_visit_survey",
 *                         "tier_warning"
 *   template    required  1..1000 bytes; placeholders {customer_no}, {name}
 *                         (masked), {transformer_area}, {outage_start},
 *                         {outage_end} (planned outages), {arrears}
 *                         (arrears reminders), {year_energy}, {tier},
 *                         {next_tier}, {tier_threshold}, {tier_remaining}
 *                         (tier warnings); "{{" is a literal "{"
 *   schedule_at required  ISO 8601 instant: no message goes out before it
 *   channels    optional  array of channel names, the campaign's fallback
 *                         order after the preferred channel
 *   target      required  object, by kind:
 *                 planned_outage: transformer_areas (1..1000 codes),
 *                   outage_start, outage_end (instants); schedule_at must be
 *                   at least 7 days (604800 s) before outage_start
 *                 tariff_announcement: usage_classes (optional array)
 *                 arrears_reminder: min_days (0..3650), max_reminders
 *                   (1..100): accounts reminded that often since their
 *                   oldest open item fell due are left out
 *                 return_visit_survey: finished_from, finished_to
 *                   (instants), workflows (optional, 1..16 names): open
 *                   work orders (of those workflows) in a state with a
 *                   "visit" transition, entered within [from, to), of an
 *                   active customer of the subtree, not surveyed since
 *                 tier_warning: exactly one of margin_kwh (a decimal
 *                   string, 0 < x <= 1000000) and margin_percent (1..100
 *                   of the threshold): every active residential customer
 *                   of the subtree whose pcrm_tier_position_get() today
 *                   leaves at most that margin before the next annual tier
 *                   threshold (its text rendered when queued)
 *
 * Needs PCRM_PERM_CAMPAIGN_WRITE on org_unit; audited "campaign.create".
 */
PCRM_EXTERN(int) pcrm_campaign_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json);

/**
 * Queues the campaign's messages, one per customer of its target (id
 * "<campaign id>/<customer no>", so queueing again adds only customers new
 * to the target; a return-visit survey: one per work order,
 * "<campaign id>/<work order id>"), not before schedule_at.  A planned-outage campaign
 * queued later than 7 days before the outage is PCRM_ESTATE (the notice
 * period is a commitment).  Needs PCRM_PERM_CAMPAIGN_WRITE (a tier warning
 * PCRM_PERM_ARCHIVE_READ on its customers too); one audit entry
 * "campaign.queue" gives the number queued.  `queued` (may be NULL)
 * receives it.
 */
PCRM_EXTERN(int) pcrm_campaign_queue(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *campaign_id, int64_t *queued);

/**
 * Records a customer's answer to return-visit survey message `message_id`
 * as the work order's return visit.  `json`:
 *
 *   satisfaction  required  "satisfied", "basically_satisfied",
 *                           "dissatisfied"
 *   result        optional  1..2000 bytes: what the customer said (default
 *                           "survey reply by <channel>")
 *
 * A complaint ticket's work order: pcrm_complaint_return_visit() (the
 * ticket's visit_result and satisfaction; dissatisfied sends it back to
 * handling); any other: pcrm_workorder_fire() of "visit" with
 * {"satisfaction", "visit_result"}.  The message becomes "answered"
 * (pcrm_outbound_receipt()) and "outbound.survey_answer" is audited, in one
 * transaction: either all of it or nothing.  PCRM_EINVAL for a message of
 * another kind; PCRM_ESTATE for one not sent or already answered, or a work
 * order no longer waiting for its visit (an agent visited it meanwhile).
 * Needs PCRM_PERM_CONTACT_WRITE on the message's unit and
 * PCRM_PERM_WORKORDER_HANDLE on the work order's.
 */
PCRM_EXTERN(int) pcrm_campaign_survey_answer(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *message_id, const char *json);

#define PCRM_CAMPAIGN_STATS_VERSION 1

/**
 * A campaign's counts.  Each message counts once, in its furthest state:
 * `sent` counts every message a gateway accepted (including those since
 * delivered, answered, confirmed or opted out), `delivered` those delivered
 * or further, `answered` those answered or confirmed.
 */
typedef struct pcrm_campaign_stats {
	unsigned int version; /**< set to PCRM_CAMPAIGN_STATS_VERSION */
	int64_t queued;       /**< all messages of the campaign */
	int64_t waiting;      /**< not sent yet */
	int64_t sent;
	int64_t delivered;
	int64_t answered;
	int64_t confirmed;
	int64_t opted_out;
	int64_t failed;       /**< failed or suppressed */
} pcrm_campaign_stats;

#define PCRM_CAMPAIGN_STATS_INIT { .version = PCRM_CAMPAIGN_STATS_VERSION }

/** Fills `out` (its version set by the caller).  Needs PCRM_PERM_ARCHIVE_READ. */
PCRM_EXTERN(int) pcrm_campaign_stats_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *campaign_id, pcrm_campaign_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_OUTBOUND_H */
