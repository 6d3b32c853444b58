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
	PCRM__DIAL_ABANDONED,
	PCRM__DIAL_UNKNOWN /* the call's dialler died before its end was seen */
};

/* One result noted by the event feed, written by the next run. */
struct pcrm__dial_result {
	char *message_id, *customer_no;
	char call_id[PCRM_TEL_ID_MAX + 1];
	char agent_id[PCRM_ACD_ID_MAX + 1]; /* connected: the agent; "" otherwise */
	enum pcrm__dial_outcome outcome;
	int64_t at_ms; /* the switch clock (pcrm_acd_now) when it was seen */
	int writable;  /* the delivery pass has written the call's "accepted" attempt */
};

void pcrm__dial_result_clear(struct pcrm__dial_result *r);

/** "no_answer", "busy", "answered", "connected", "abandoned", "unknown". */
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

/* ---- the calls kept in the store (dial_journal.c) ---- */

/** Notes a call about to be dialled as 'dialling' (committed before the switch is asked). */
int pcrm__dial_call_open(pcrm_ctx *ctx, const char *campaign_id, const char *dialler_id,
                         const char *message_id, const char *customer_no, const char *call_id,
                         int64_t dialled_ms);

/** Forgets a 'dialling' call the switch refused to place. */
int pcrm__dial_call_forget(pcrm_ctx *ctx, const char *call_id);

/**
 * Moves the call's row to the result's state and writes the result
 * (pcrm__dial_result_write) in one transaction, only when the row is still
 * in a state the result may follow (so each call gets one end, whoever sees
 * it first); *written is 1 when it did, 0 when the row had moved on.
 */
int pcrm__dial_call_settle(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const pcrm_outbound_policy *policy,
                           const struct pcrm__dial_result *r, int *written);

/**
 * Takes or renews the campaign's lease for `dialler_id` until now +
 * PCRM_DIALLER_LEASE_S; PCRM_EBUSY when another dialler holds it.
 */
int pcrm__dial_lease_take(pcrm_ctx *ctx, const char *campaign_id, const char *dialler_id);

/**
 * Settles every open call of the campaign placed by another dialler than
 * `dialler_id` (one whose lease has ended): 'dialling' as unknown,
 * 'answered' as abandoned; *settled counts them.
 */
int pcrm__dial_recover(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_outbound_policy *policy,
                       const char *campaign_id, const char *dialler_id, int64_t now_ms,
                       int *settled);

/** What the campaign's settled calls tell the predictive pace. */
struct pcrm__dial_observed {
	int64_t calls;     /* settled, with a known answer or not (unknown left out) */
	int64_t answered;  /* ... answered by the customer */
	int64_t abandoned; /* ... answered and ended without an agent */
	int64_t ring_ms;   /* total ms from the dial to the answer of the answered calls */
};

int pcrm__dial_observe(pcrm_ctx *ctx, const char *campaign_id, struct pcrm__dial_observed *out);

/* ---- the predictive pace (dial_pacing.c) ---- */

struct pcrm__pace_inputs {
	int ready;          /* R: the queue's ready agents */
	int busy;           /* B: its busy agents */
	int waiting;        /* W: the dialler's answered calls waiting for an agent */
	int ringing;        /* U: its calls placed and not yet answered */
	int max_new;        /* most new calls the pass may dial */
	double answer_rate; /* p */
	double ring_s;      /* T: mean seconds from the dial to the answer */
	double handle_s;    /* AHT: the queue's mean handle time, 0 when unknown */
	double target;      /* the abandoned share allowed, e.g. 0.03 */
};

struct pcrm__pace_estimate {
	int calls;               /* N: new calls to dial */
	double soon_probability; /* q: a busy agent frees within T */
	double agents_soon;      /* B * q */
	double abandon_share;    /* expected abandoned / expected answered with N */
};

/** The largest N within the target (docs/outbound.md, "Predictive pacing"). */
int pcrm__pace_predict(const struct pcrm__pace_inputs *in, struct pcrm__pace_estimate *out);

#endif
