/*
 * A dialled call's result written to its message: an attempt row, the
 * message's state, a contact history entry and an "outbound.call" audit
 * entry, through the same writer as the delivery pass and the receipts.
 *
 * Why no answer, busy and abandoned are retried rather than failed: the
 * campaign's notice has not reached the customer; the policy's doubling
 * back-off spaces the calls and max_attempts bounds them, as for a gateway's
 * passing failure.  The attempt that placed the call already counted
 * towards max_attempts (and the rate limit); a result adds no attempt,
 * except an "unknown" one whose dial's attempt was never written.
 */
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "dialler_internal.h"
#include "store/store.h"
#include "outbound_internal.h"

const char *pcrm__dial_outcome_name(enum pcrm__dial_outcome outcome)
{
	switch (outcome) {
	case PCRM__DIAL_NO_ANSWER: return "no_answer";
	case PCRM__DIAL_BUSY: return "busy";
	case PCRM__DIAL_ANSWERED: return "answered";
	case PCRM__DIAL_CONNECTED: return "connected";
	case PCRM__DIAL_ABANDONED: return "abandoned";
	case PCRM__DIAL_UNKNOWN: return "unknown";
	}
	return NULL;
}

struct message_now {
	char *status, *work_order_id, *campaign_id;
	int channel_index, attempts;
};

static int message_load(pcrm_ctx *ctx, const char *id, struct message_now *m)
{
	static const char sql[] = "SELECT status, work_order_id, campaign_id, channel_index, "
	                          "attempts FROM outbound_message WHERE id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		int oom = 0;
		m->status = strdup(pcrm__rows_text(rows, 0));
		oom |= !m->status;
		if (!pcrm__rows_is_null(rows, 1))
			oom |= !(m->work_order_id = strdup(pcrm__rows_text(rows, 1)));
		if (!pcrm__rows_is_null(rows, 2))
			oom |= !(m->campaign_id = strdup(pcrm__rows_text(rows, 2)));
		m->channel_index = (int)pcrm__rows_int(rows, 3);
		m->attempts = (int)pcrm__rows_int(rows, 4);
		rc = oom ? pcrm__error_oom() : PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "outbound message %.64s is gone", id);
	}
	pcrm__rows_free(rows);
	return rc;
}

static void message_clear(struct message_now *m)
{
	free(m->status);
	free(m->work_order_id);
	free(m->campaign_id);
}

int pcrm__dial_result_write(pcrm_ctx *ctx, const pcrm_actor *actor,
                            const pcrm_outbound_policy *policy, const struct pcrm__dial_result *r)
{
	struct pcrm__outbound_outcome o;
	struct message_now m;
	pcrm_time now = pcrm_ctx_now(ctx);
	int sent, rc = message_load(ctx, r->message_id, &m);

	if (rc != PCRM_OK)
		return rc;
	/* only a message still waiting for its call's end moves; a receipt may have settled it */
	sent = strcmp(m.status, "sent") == 0;
	memset(&o, 0, sizeof(o));
	o.message_id = r->message_id;
	o.customer_no = r->customer_no;
	o.work_order_id = m.work_order_id;
	o.campaign_id = m.campaign_id;
	o.channel = PCRM_OUTBOUND_VOICE;
	o.result = pcrm__dial_outcome_name(r->outcome);
	o.status = m.status;
	o.channel_index = m.channel_index;
	o.attempts = m.attempts;
	o.not_before = now;
	o.provider_ref = r->call_id;
	o.contact = 1;
	o.action = "outbound.call";
	switch (r->outcome) {
	case PCRM__DIAL_ANSWERED:
		break;
	case PCRM__DIAL_CONNECTED:
		o.agent_id = r->agent_id;
		if (sent)
			o.status = "answered";
		break;
	case PCRM__DIAL_NO_ANSWER:
	case PCRM__DIAL_BUSY:
	case PCRM__DIAL_ABANDONED:
		if (sent) {
			o.status = m.attempts >= policy->max_attempts ? "failed" : "queued";
			o.not_before = pcrm__outbound_retry_at(policy, m.attempts, now);
		}
		break;
	case PCRM__DIAL_UNKNOWN:
		/*
		 * A dead dialler's call.  "sent": its "accepted" attempt was written,
		 * so it is retried as an abandoned call.  "queued": the dialler died
		 * between the dial and that write, so this result is the attempt.
		 */
		if (strcmp(m.status, "queued") == 0)
			o.attempts = m.attempts + 1;
		if (sent || strcmp(m.status, "queued") == 0) {
			o.status = o.attempts >= policy->max_attempts ? "failed" : "queued";
			o.not_before = pcrm__outbound_retry_at(policy, o.attempts, now);
		}
		break;
	}
	rc = pcrm__outbound_write_outcome(ctx, actor, &o);
	message_clear(&m);
	return rc;
}
