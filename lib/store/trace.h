/*
 * Internal: reporting to the integrator's trace callback (powercrm/trace.h).
 * The state lives in the store, which every module reaches through
 * ctx->store; every report first tests one pointer, so an unset trace costs
 * a branch.
 */
#ifndef PCRM_STORE_TRACE_H
#define PCRM_STORE_TRACE_H

#include <stdint.h>

#include <powercrm/trace.h>

struct pcrm_store;

/* The counters (powercrm/trace.h, PCRM_TRACE_COUNTER). */
enum pcrm__counter {
	PCRM__COUNTER_AUDIT_ENTRIES,
	PCRM__COUNTER_BILLING_BILLS,
	PCRM__COUNTER_WORKFLOW_TIMERS,
	PCRM__COUNTERS
};

struct pcrm__trace {
	pcrm_trace_fn fn; /* NULL: tracing is off */
	void *userdata;
	unsigned int mask;
	/*
	 * Counters report committed work: what a transaction counts waits here
	 * until its outermost commit.  saved[d] holds the pending counts when
	 * depth d+1 began, so rolling a savepoint back forgets what it counted.
	 */
	int64_t pending[PCRM__COUNTERS];
	int64_t (*saved)[PCRM__COUNTERS];
	int nsaved;
};

/**
 * The monotonic time in nanoseconds when `kind` is traced on `st`, else 0:
 * take it before the work to time, and report only when it is not 0.
 */
int64_t pcrm__trace_start(const struct pcrm_store *st, pcrm_trace_kind kind);

/** Reports an event of `kind` (a no-op when that kind is not traced). */
void pcrm__trace_emit(const struct pcrm_store *st, pcrm_trace_kind kind, const char *text,
                      int64_t duration_ns, int64_t count, int status);

/** Reports a timed event begun at `started` (from pcrm__trace_start()). */
void pcrm__trace_timed(const struct pcrm_store *st, pcrm_trace_kind kind, const char *text,
                       int64_t started, int64_t count, int status);

/**
 * Moves a counter by `n`: reported at once outside a transaction, at the
 * outermost commit inside one, never when its work is rolled back.
 */
void pcrm__trace_count(struct pcrm_store *st, enum pcrm__counter counter, int64_t n);

/*
 * The store's transaction changes, for the counters: a level began (depth is
 * the new one), was released into its parent, rolled back; the outermost
 * transaction committed or rolled back.  PCRM_ENOMEM from begin only.
 */
int pcrm__trace_tx_begin(struct pcrm_store *st, int depth);
void pcrm__trace_tx_rollback(struct pcrm_store *st, int depth);
void pcrm__trace_tx_end(struct pcrm_store *st, int committed);

/** Frees what the trace state holds. */
void pcrm__trace_clear(struct pcrm_store *st);

#endif
