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

/** Validates a message document as pcrm_outbound_queue() does, without a store. */
int pcrm__outbound_queue_doc_check(const char *json);

/** Channel name for the contact history ("voice" is a "phone" contact). */
const char *pcrm__outbound_contact_channel(pcrm_outbound_channel channel);

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
 * pcrm_outbound_deliver() for one campaign's messages only (`campaign_id`
 * NULL: every message), as the voice dialler paces them.
 */
int pcrm__outbound_deliver_campaign(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                                    const char *campaign_id,
                                    const pcrm_outbound_channels *channels,
                                    const pcrm_outbound_policy *policy, int limit,
                                    pcrm_outbound_pass *pass);

#endif
