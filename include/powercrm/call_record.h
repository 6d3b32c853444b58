/*
 * libpowercrm - call records in the store: the store-backed CDR sink of the
 * ACD engine, and the paged list of stored call records.
 *
 * The ACD engine (acd.h) never touches the store; its call detail records
 * leave through a batch sink.  This module is that sink for the library's
 * own store (docs/call-records.md):
 *
 *   pcrm_call_record_sink *sink;
 *   pcrm_call_record_sink_new(&sink, ctx, &actor, NULL);
 *   pcrm_call_record_sink_attach(sink, acd);   // pcrm_acd_set_cdr_sink()
 *   ... every second, in a thread of its own:  pcrm_acd_cdr_flush(acd, NULL);
 *
 * Each batch is one transaction: every CDR becomes a row of `call_record`
 * (COPY on PostgreSQL), each answered call of a customer the store knows
 * becomes an entry of the customer's contact history (contact.h; its
 * call-log line is the plan's 呼叫开始时间;客户号;主叫号码;坐席号码;通话时长;
 * 业务编号;业务要素记录), and one audit entry ("call_record.store") lists
 * every call the batch stored.  A batch is idempotent: a CDR whose call
 * (call id + arrival instant) is already stored is skipped, with its
 * contact, so re-flushing after a failure never doubles a row.  When the
 * batch fails (store down, connection lost, ...), nothing of it is written,
 * the sink returns the failing status, the engine keeps the CDRs pending
 * and the next flush offers them again.
 *
 * Caller numbers are personal data: stored sealed (AES-256-GCM) with a
 * keyed-hash lookup and a mask, so the sink's context needs a data key.
 *
 * Threads: the sink uses its context from the flushing thread (the engine
 * serialises flushes); do not use that context from another thread at the
 * same time.  Give the sink a context of its own.
 */
#ifndef POWERCRM_CALL_RECORD_H
#define POWERCRM_CALL_RECORD_H

#include <powercrm/acd.h>
#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/contact.h>
#include <powercrm/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_call_record_sink pcrm_call_record_sink;
typedef struct pcrm_call_record_list pcrm_call_record_list;

/** Longest org unit code or operator id kept in a call record, in bytes. */
#define PCRM_CALL_RECORD_NAME_MAX 64

#define PCRM_CALL_RECORD_SINK_OPTIONS_VERSION 1

/** Initialise with PCRM_CALL_RECORD_SINK_OPTIONS_INIT.  Strings need only live during the call. */
typedef struct pcrm_call_record_sink_options {
	unsigned int version;      /**< PCRM_CALL_RECORD_SINK_OPTIONS_VERSION */
	const char *org_unit;      /**< the service centre's org unit, which owns the records of
	                                callers the store does not know; NULL = the actor's */
	const char *business_code; /**< 业务编号 written into the contact entries, or NULL */
	int contacts;              /**< nonzero (default): record answered calls in the contact history */
} pcrm_call_record_sink_options;

#define PCRM_CALL_RECORD_SINK_OPTIONS_INIT { PCRM_CALL_RECORD_SINK_OPTIONS_VERSION, NULL, NULL, 1 }

/**
 * Creates a sink writing to `ctx` as `actor` (copied).  The actor needs
 * PCRM_PERM_CONTACT_WRITE on options->org_unit, which must lie in its
 * subtree (a service centre's system account or administrator); it is
 * checked here and again for every batch.  The context must have a data key
 * (PCRM_EPERM otherwise).  `options` may be NULL.  The sink borrows `ctx`,
 * which must outlive it.  Free with pcrm_call_record_sink_free().
 */
PCRM_EXTERN(int) pcrm_call_record_sink_new(pcrm_call_record_sink **out, pcrm_ctx *ctx,
                                           const pcrm_actor *actor,
                                           const pcrm_call_record_sink_options *options);

/** Frees the sink (detach it from every engine first).  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_call_record_sink_free(pcrm_call_record_sink *sink);

/** pcrm_acd_set_cdr_sink(acd, pcrm_call_record_sink_write, sink). */
PCRM_EXTERN(int) pcrm_call_record_sink_attach(pcrm_call_record_sink *sink, pcrm_acd *acd);

/**
 * The pcrm_acd_cdr_sink_fn: stores one batch (`sink` is the
 * pcrm_call_record_sink).  Returns PCRM_OK or the failing status (the
 * engine then keeps the batch pending); pcrm_call_record_sink_stats_get()
 * keeps the failure's message, since pcrm_acd_cdr_flush() reports its own.
 * Also callable directly, e.g. to store CDRs kept elsewhere.  PCRM_EINVAL
 * (naming the record and field) for a malformed CDR: nothing is written.
 */
PCRM_EXTERN(int) pcrm_call_record_sink_write(void *sink, const pcrm_acd_cdr *cdrs, size_t count);

/** What a sink did since it was made. */
typedef struct pcrm_call_record_sink_stats {
	unsigned int version; /**< PCRM_CALL_RECORD_SINK_STATS_VERSION, set by the caller (PCRM_CALL_RECORD_SINK_STATS_INIT) */
	uint64_t batches;          /**< batches committed (including those that stored nothing new) */
	uint64_t stored;           /**< call records written */
	uint64_t skipped;          /**< CDRs already stored (a re-flushed batch) */
	uint64_t contacts;         /**< contact-history entries written */
	uint64_t failures;         /**< batches refused or rolled back */
	int last_status;           /**< status of the last failure, PCRM_OK when none */
	char last_error[256];      /**< its message, "" when none */
} pcrm_call_record_sink_stats;

/** The layout of pcrm_call_record_sink_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_CALL_RECORD_SINK_STATS_VERSION 1
/** A pcrm_call_record_sink_stats to pass to the library: its version set, every other field zero. */
#define PCRM_CALL_RECORD_SINK_STATS_INIT { .version = PCRM_CALL_RECORD_SINK_STATS_VERSION }

PCRM_EXTERN(int) pcrm_call_record_sink_stats_get(pcrm_call_record_sink *sink,
                                                 pcrm_call_record_sink_stats *out);

/* ------------------------------------------------------------------------ */
/* Reading call records                                                     */
/* ------------------------------------------------------------------------ */

/**
 * One stored call.  `cdr` is the CDR as the engine made it, except that
 * cdr.caller_number holds the caller number MASKED (the middle digits
 * '*'); the clear number is only stored sealed.
 */
typedef struct pcrm_call_record {
	char org_unit[PCRM_CALL_RECORD_NAME_MAX + 1];  /**< the customer's org unit, or the sink's */
	pcrm_acd_cdr cdr;
	char contact_id[PCRM_CONTACT_ID_LEN + 1];     /**< its contact entry, "" when none */
	pcrm_time stored_at;                          /**< the context's clock when stored */
	char stored_by[PCRM_CALL_RECORD_NAME_MAX + 1]; /**< operator id of the sink's actor */
} pcrm_call_record;

#define PCRM_CALL_RECORD_FILTER_VERSION 1

/** Which call records to list.  Initialise with PCRM_CALL_RECORD_FILTER_INIT. */
typedef struct pcrm_call_record_filter {
	unsigned int version;     /**< PCRM_CALL_RECORD_FILTER_VERSION */
	const char *org_unit;     /**< org unit and its subtree, or NULL (the actor's subtree) */
	const char *agent_id;     /**< who answered, or NULL */
	const char *customer_no;  /**< the customer, or NULL */
	const char *caller_number;/**< calls from this number (any spelling pcrm_phone_normalize()
	                               accepts; found through the keyed hash), or NULL */
	pcrm_acd_ms from_ms;      /**< arrived at or after (engine milliseconds), 0 = no bound */
	pcrm_acd_ms to_ms;        /**< arrived before, 0 = no bound */
} pcrm_call_record_filter;

#define PCRM_CALL_RECORD_FILTER_INIT \
	{ PCRM_CALL_RECORD_FILTER_VERSION, NULL, NULL, NULL, NULL, 0, 0 }

/**
 * One page of the call records `filter` selects (NULL: all the actor may
 * see), newest first (by arrival, then call id), `limit` (1..1000; 0 = 50)
 * at a time; `cursor` is NULL, then the previous page's
 * pcrm_call_record_list_next_cursor().  Needs PCRM_PERM_CALL_MONITOR on the
 * org unit (a monitor or a senior administrator); a filter by caller
 * number needs the context's data key.  Free with
 * pcrm_call_record_list_free(); *out is NULL on failure.
 */
PCRM_EXTERN(int) pcrm_call_record_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const pcrm_call_record_filter *filter,
                                            const char *cursor, int limit,
                                            pcrm_call_record_list **out);

/** Number of records on the page (0 for NULL). */
PCRM_EXTERN(size_t) pcrm_call_record_list_count(const pcrm_call_record_list *list);
/** The i-th record (newest first), or NULL out of range; lives as long as the list. */
PCRM_EXTERN(const pcrm_call_record *) pcrm_call_record_list_at(const pcrm_call_record_list *list,
                                                               size_t i);
/** The cursor for the next page, or NULL on the last page (lives as long as the list). */
PCRM_EXTERN(const char *) pcrm_call_record_list_next_cursor(const pcrm_call_record_list *list);
/** Frees the page; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_call_record_list_free(pcrm_call_record_list *list);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_CALL_RECORD_H */
