/* Internal: what the dialler notes of its calls and how a result is written (dialler.h). */
#ifndef PCRM_OUTBOUND_DIALLER_INTERNAL_H
#define PCRM_OUTBOUND_DIALLER_INTERNAL_H

#include <powercrm/dialler.h>

/* What became of a dialled call; the attempt row's result is pcrm__dial_outcome_name(). */
enum pcrm__dial_outcome {
	PCRM__DIAL_NO_ANSWER = 1,
	PCRM__DIAL_BUSY,
	PCRM__DIAL_ANSWERED,
	PCRM__DIAL_CONNECTED,
	PCRM__DIAL_ABANDONED
};

/* One result noted by the event feed, written by the next run. */
struct pcrm__dial_result {
	char *message_id, *customer_no;
	char call_id[PCRM_TEL_ID_MAX + 1];
	char agent_id[PCRM_ACD_ID_MAX + 1]; /* connected: the agent; "" otherwise */
	enum pcrm__dial_outcome outcome;
};

void pcrm__dial_result_clear(struct pcrm__dial_result *r);

/** "no_answer", "busy", "answered", "connected", "abandoned". */
const char *pcrm__dial_outcome_name(enum pcrm__dial_outcome outcome);

/**
 * Writes one result as an attempt row of its message (dial_result.c): a
 * connected call's message becomes "answered"; no answer, busy and
 * abandoned put a "sent" message back in the queue after the policy's
 * back-off, or fail it after max_attempts.
 */
int pcrm__dial_result_write(pcrm_ctx *ctx, const pcrm_actor *actor,
                            const pcrm_outbound_policy *policy,
                            const struct pcrm__dial_result *r);

#endif
