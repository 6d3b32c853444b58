/* Internal: what the outbound files share (docs/outbound.md). */
#ifndef PCRM_OUTBOUND_INTERNAL_H
#define PCRM_OUTBOUND_INTERNAL_H

#include <jansson.h>

#include <powercrm/outbound.h>

#define PCRM__OUTBOUND_ID_MAX 64
#define PCRM__CAMPAIGN_ID_MAX 48
#define PCRM__TEMPLATE_MAX 1000

/** Values a template may name, NULL where the message has none. */
struct pcrm__template_fields {
	const char *customer_no;
	const char *name_masked;
	const char *transformer_area;
	const char *outage_start;
	const char *outage_end;
	const char *arrears;
	/* tier-threshold warnings (campaign_tier.c) */
	const char *tier;
	const char *next_tier;
	const char *year_energy;
	const char *tier_threshold;
	const char *tier_remaining;
};

/**
 * Checks a template: known placeholders only, "{{" for a literal "{", at
 * most PCRM__TEMPLATE_MAX bytes.  PCRM_EINVAL names `field` and the byte.
 */
int pcrm__template_check(const char *field, const char *tpl);

/** Renders a checked template; *out is malloc'd.  A missing value renders as "". */
int pcrm__template_render(const char *tpl, const struct pcrm__template_fields *f, char **out);

/**
 * Validates a campaign document as pcrm_campaign_create() does, without a
 * store (fuzzing); `tpl` (may be NULL) receives a copy of its template.
 */
int pcrm__campaign_doc_check(const char *json, char **tpl);

/** What queueing a campaign's per-customer texts needs of the campaign. */
struct pcrm__campaign_spec {
	const char *id;
	const char *tpl;
	pcrm_time schedule_at;
	const json_t *target;
	const char *org_unit; /* the campaign's unit */
};

/**
 * Queues message "<campaign>/<customer>" with its rendered `body` (not
 * before the schedule) for an active customer, unless it is queued already;
 * adds what it queued (0 or 1) to *queued.  Inside the caller's transaction.
 */
int pcrm__campaign_queue_text(pcrm_ctx *ctx, const struct pcrm__campaign_spec *c,
                              const char *customer_no, const char *body, int64_t *queued);

/**
 * Tier-threshold warnings (campaign_tier.c): the target's check (exactly
 * one of margin_kwh, margin_percent; errors name target.<key>) and the
 * queueing of one rendered warning per residential customer of `scope`
 * (an org path) within the margin of its next annual tier threshold.
 */
int pcrm__campaign_tier_target_check(const json_t *target);
int pcrm__campaign_tier_queue(pcrm_ctx *ctx, const pcrm_actor *actor,
                              const struct pcrm__campaign_spec *c, const char *scope,
                              int64_t *queued);

/** Validates a message document as pcrm_outbound_queue() does, without a store. */
int pcrm__outbound_queue_doc_check(const char *json);

/** Channel name for the contact history ("voice" is a "phone" contact). */
const char *pcrm__outbound_contact_channel(pcrm_outbound_channel channel);

/** Checks a return_visit_survey campaign's target (survey.c); PCRM_EINVAL names the path. */
int pcrm__survey_target_check(const json_t *target);

/**
 * Queues a return-visit survey campaign's messages, one per work order of
 * the target ("<campaign id>/<work order id>"), in the caller's transaction
 * (survey.c); `scope` is the campaign unit's org path.
 */
int pcrm__survey_queue(pcrm_ctx *ctx, const char *campaign_id, pcrm_time schedule_at,
                       const json_t *target, const char *scope, int64_t *queued);

/** Validates a survey answer document as pcrm_campaign_survey_answer() does, without a store. */
int pcrm__survey_answer_doc_check(const char *json);

/**
 * Hands over up to `limit` pending customer notices of `org_unit`'s subtree
 * (the actor's unit when NULL) from the workflow outbox to the outbound
 * queue, in one transaction (handover.c); *handed receives the messages
 * queued.  Needs PCRM_PERM_WORKORDER_HANDLE and PCRM_PERM_CONTACT_WRITE.
 */
int pcrm__outbound_handover_in(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                               int limit, int64_t *handed);

/** What one attempt, receipt or call result writes (deliver.c). */
struct pcrm__outbound_outcome {
	const char *message_id, *customer_no, *work_order_id, *campaign_id;
	pcrm_outbound_channel channel; /* 0: none was tried */
	const char *result;            /* the attempt row's result */
	const char *status;            /* the message's new state */
	int channel_index, attempts;
	pcrm_time not_before;
	const char *provider_ref;
	const char *agent_id;          /* a dialled call connected to this agent, else NULL */
	int contact;                   /* record a contact history entry */
	const char *action;            /* audit action */
};

/**
 * Writes an outcome in a transaction of its own (a savepoint inside the
 * caller's): the attempt row, the message's new state, a contact history
 * entry when asked, and the audit entry `action`.
 */
int pcrm__outbound_write_outcome(pcrm_ctx *ctx, const pcrm_actor *actor,
                                 const struct pcrm__outbound_outcome *o);

/** The checks pcrm_outbound_deliver() makes of its channel table and policy. */
int pcrm__outbound_check_policy(const pcrm_outbound_channels *c, const pcrm_outbound_policy *p);

/** When a message that failed its `attempts`-th attempt may be tried again (doubling back-off). */
pcrm_time pcrm__outbound_retry_at(const pcrm_outbound_policy *pol, int attempts, pcrm_time now);

/**
 * pcrm_outbound_deliver() for one campaign's messages only (`campaign_id`,
 * not NULL), as the voice dialler paces them.  Unlike the general pass it
 * hands over no workflow notices (deliver.c says why).
 */
int pcrm__outbound_deliver_campaign(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                                    const char *campaign_id,
                                    const pcrm_outbound_channels *channels,
                                    const pcrm_outbound_policy *policy, int limit,
                                    pcrm_outbound_pass *pass);

#endif
