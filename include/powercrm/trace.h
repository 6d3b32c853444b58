/*
 * libpowercrm - observing a context: statements, transactions, retries,
 * counters and PostgreSQL notices, reported to a callback of the
 * integrator's (in the shape of sqlite3_trace_v2() and git_trace_set()).
 *
 * The library chooses no logging framework and no metrics system: the
 * callback feeds whichever the integrator uses (a Prometheus histogram of
 * statement durations, a counter of retries, a log of notices).  Unset (the
 * default), tracing costs one predictable branch per statement
 * (bench_trace).
 *
 * The callback runs on the thread that called the library, inside the call,
 * possibly inside a transaction: it must be quick and must not call the
 * library with the same context.  The event and its text live only during
 * the callback.
 */
#ifndef POWERCRM_TRACE_H
#define POWERCRM_TRACE_H

#include <powercrm/common.h>
#include <powercrm/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What happened; also the bits of the mask given to pcrm_ctx_set_trace(). */
typedef enum pcrm_trace_kind {
	/**
	 * A round trip to the store finished.  text: the SQL of the statement
	 * that ended it (parameters are never reported: they may hold personal
	 * data); count: the statements it carried (PostgreSQL sends queued
	 * statements with the next one in one pipeline); duration_ns: the round
	 * trip; status: PCRM_OK or the failure.
	 */
	PCRM_TRACE_STATEMENT = 1u << 0,
	/**
	 * An outermost transaction ended.  text: "commit" or "rollback";
	 * duration_ns: since it began; status: PCRM_OK, or the failure of a
	 * COMMIT the store refused (then text is "commit").
	 */
	PCRM_TRACE_TRANSACTION = 1u << 1,
	/**
	 * The library runs a transaction of its own again after a deadlock,
	 * serialization failure or busy store.  text: the store's reason; count:
	 * the attempt about to start (2 for the first retry).
	 */
	PCRM_TRACE_RETRY = 1u << 2,
	/**
	 * A counter moved.  text: its name, count: the increment.  Counters:
	 * "audit.entries" (audit log entries appended), "billing.bills" (bills
	 * stored by billing runs and corrections), "workflow.timers" (work-order
	 * timers processed by a tick).
	 */
	PCRM_TRACE_COUNTER = 1u << 3,
	/** A PostgreSQL notice or warning.  text: the server's message. */
	PCRM_TRACE_NOTICE = 1u << 4
} pcrm_trace_kind;

/** Every kind. */
#define PCRM_TRACE_ALL 0x1fu

/** One event.  Allocated by the library, valid during the callback only. */
typedef struct pcrm_trace_event {
	pcrm_trace_kind kind;
	const char *text;    /**< never NULL */
	int64_t duration_ns; /**< 0 where the kind has none */
	int64_t count;       /**< 0 where the kind has none */
	int status;          /**< PCRM_OK where the kind has none */
} pcrm_trace_event;

typedef void (*pcrm_trace_fn)(const pcrm_trace_event *event, void *userdata);

/**
 * Sets (or with `fn` NULL removes) the context's trace callback, called for
 * the kinds whose bits are in `mask` (PCRM_TRACE_ALL for all).  PCRM_EINVAL
 * for bits that name no kind.  One callback per context; setting another
 * replaces it.
 */
PCRM_EXTERN(int) pcrm_ctx_set_trace(pcrm_ctx *ctx, unsigned int mask, pcrm_trace_fn fn,
                                    void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_TRACE_H */
