/* Internal: shared between the IVR's files. */
#ifndef PCRM_IVR_INTERNAL_H
#define PCRM_IVR_INTERNAL_H

#include <powercrm/customer.h>
#include <powercrm/ivr.h>

#include "core/error.h"

/**
 * A number followed by a measure word (笔, 天, 千瓦时...), read as
 * pcrm_ivr_speak_energy() reads kWh: a lone 2 reads 两 (两笔).  Errors name
 * `field`.
 */
int pcrm__ivr_speak_quantity(pcrm_decimal value, const char *measure, const char *field,
                             char *buf, size_t size);

/** A month as 年月 (二零二六年十月), the year as pcrm_ivr_speak_date() reads it. */
int pcrm__ivr_speak_month(int year, int month, char *buf, size_t size);

/** Today on the context's clock, in its UTC offset. */
pcrm_date pcrm__ivr_today(pcrm_ctx *ctx);

/** What the answers need of the caller's customer record. */
struct pcrm__ivr_customer {
	char customer_no[PCRM_IVR_CUSTOMER_NO_MAX];
	char org_unit[65];
	char usage_class[33];       /* "residential", ... */
	char transformer_area[65];  /* "" when the archive has none */
};

/**
 * Checks the actor and the customer number and loads the customer as the
 * archive shows it to the actor (PCRM_PERM_ARCHIVE_READ; PCRM_EPERM with
 * one message for unknown and foreign numbers).
 */
int pcrm__ivr_customer_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                            struct pcrm__ivr_customer *out);

/**
 * An answer being composed (answer_common.c): every answer checks its
 * output and the caller's customer number the same way, composes into a
 * zeroed copy so the caller's output is untouched on failure, and records
 * what it said as an "ivr" contact before handing it over.
 */
struct pcrm__ivr_answer {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *customer_no;
	struct pcrm__ivr_customer cust; /* loaded when begun with load_customer */
	void *data;                     /* the answer being composed: `size` zeroed bytes */
	void *out;
	size_t size;
};

/**
 * Begins an answer into `out` (`size` bytes; PCRM_EINVAL naming "out" when
 * NULL): checks the actor and the customer number and, when
 * `load_customer` is nonzero, loads the customer as
 * pcrm__ivr_customer_load() does (an answer whose own data read checks the
 * scope passes 0).  Then allocates a->data.  On failure nothing is
 * allocated and the answer must not be ended.
 */
int pcrm__ivr_answer_begin(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           void *out, size_t size, int load_customer,
                           struct pcrm__ivr_answer *a);

/**
 * Ends an answer begun with pcrm__ivr_answer_begin(): when `rc` is PCRM_OK,
 * records `text` as the answer's contact (pcrm__ivr_record(); NULL: the
 * answer recorded it in its own transaction) and then copies the answer to
 * the output.  Frees a->data either way; returns `rc` or the record's
 * failure, which leaves the output untouched.
 */
int pcrm__ivr_answer_end(struct pcrm__ivr_answer *a, int rc, const char *text);

/**
 * Appends printf-style to the answer `text` (`size` bytes, `*len` used):
 * PCRM_EOVERFLOW naming "text" when it does not fit; an answer is never cut.
 */
int pcrm__ivr_say(char *text, size_t size, size_t *len, const char *fmt, ...) PCRM_PRINTF(4, 5);

/**
 * Records an answer as an inbound "ivr" contact of the customer, the text
 * as its summary (PCRM_PERM_CONTACT_WRITE on the customer).
 */
int pcrm__ivr_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                     const char *text);

/**
 * One identification try with the shared lockout (identify.c): `check`
 * validates the keyed input (before anything is read), `match` compares it
 * with the customer (not called while the customer is locked out), and
 * `on_identified` (may be NULL) runs in the try's transaction when the try
 * identified the customer (setting a PIN).  `arg` goes to all three.
 * The actor needs PCRM_PERM_ARCHIVE_READ on the customer, and
 * PCRM_PERM_CONTACT_WRITE as well for a try that writes.
 */
struct pcrm__ivr_try {
	const char *customer_no;
	const char *method;                    /* audited: "id_digits", "pin", ... */
	const pcrm_ivr_lockout *policy;        /* NULL: PCRM_IVR_LOCKOUT_DEFAULT */
	int (*check)(void *arg);
	int (*match)(pcrm_ctx *ctx, const pcrm_customer *c, void *arg, int *match);
	int (*on_identified)(pcrm_ctx *ctx, void *arg);
	void *arg;
	int write;  /* nonzero: the try writes (a PIN): PCRM_PERM_CONTACT_WRITE too */
};

/** Keyed ID characters: exactly PCRM_IVR_ID_DIGITS of 0-9 and '*' ("digits: ..."). */
int pcrm__ivr_digits_check(const char *digits);

/** Whether they end the customer's masked ID number (constant time; none never matches). */
int pcrm__ivr_digits_match(const pcrm_customer *c, const char *digits);

/**
 * The outages of `area` the IVR tells at `now` (ivr answer rules: not
 * ended, its master work order open, going on or starting within the
 * horizon), current ones first then by start; at most `max` into `items`,
 * *count all of them.
 */
int pcrm__ivr_area_outages(pcrm_ctx *ctx, const char *area, pcrm_time now,
                           pcrm_ivr_outage_info *items, int max, int *count);

/** An instant in the context's UTC offset as 年月日 and 时分 ("...七日十四时三十分"). */
int pcrm__ivr_speak_instant(pcrm_ctx *ctx, pcrm_time t, char *buf, size_t size);

int pcrm__ivr_try(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__ivr_try *t,
                  pcrm_ivr_identity *out);

#endif
