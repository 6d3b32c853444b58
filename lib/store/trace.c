/*
 * The trace callback (powercrm/trace.h): setting it, and the reports the
 * store and the modules make to it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"
#include "core/error.h"
#include "store.h"
#include "trace.h"

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int traced(const struct pcrm_store *st, pcrm_trace_kind kind)
{
	return st && st->trace.fn && (st->trace.mask & (unsigned)kind);
}

int64_t pcrm__trace_start(const struct pcrm_store *st, pcrm_trace_kind kind)
{
	if (!traced(st, kind))
		return 0;
	{
		int64_t t = monotonic_ns();
		return t ? t : 1; /* 0 means "not traced" */
	}
}

void pcrm__trace_emit(const struct pcrm_store *st, pcrm_trace_kind kind, const char *text,
                      int64_t duration_ns, int64_t count, int status)
{
	pcrm_trace_event ev;
	if (!traced(st, kind))
		return;
	ev.kind = kind;
	ev.text = text ? text : "";
	ev.duration_ns = duration_ns;
	ev.count = count;
	ev.status = status;
	st->trace.fn(&ev, st->trace.userdata);
}

void pcrm__trace_timed(const struct pcrm_store *st, pcrm_trace_kind kind, const char *text,
                       int64_t started, int64_t count, int status)
{
	if (started)
		pcrm__trace_emit(st, kind, text, monotonic_ns() - started, count, status);
}

static const char *const counter_names[PCRM__COUNTERS] = { "audit.entries", "billing.bills",
	                                                    "workflow.timers" };

void pcrm__trace_count(struct pcrm_store *st, enum pcrm__counter counter, int64_t n)
{
	if (!traced(st, PCRM_TRACE_COUNTER))
		return;
	if (st->tx_depth > 0)
		st->trace.pending[counter] += n;
	else
		pcrm__trace_emit(st, PCRM_TRACE_COUNTER, counter_names[counter], 0, n, PCRM_OK);
}

int pcrm__trace_tx_begin(struct pcrm_store *st, int depth)
{
	struct pcrm__trace *t = &st->trace;
	if (!traced(st, PCRM_TRACE_COUNTER) || depth < 2)
		return PCRM_OK;
	if (depth - 1 > t->nsaved) {
		void *bigger = realloc(t->saved, (size_t)(depth + 7) * sizeof(*t->saved));
		if (!bigger)
			return pcrm__error_oom();
		t->saved = bigger;
		t->nsaved = depth + 7;
	}
	memcpy(t->saved[depth - 2], t->pending, sizeof(t->pending));
	return PCRM_OK;
}

void pcrm__trace_tx_rollback(struct pcrm_store *st, int depth)
{
	struct pcrm__trace *t = &st->trace;
	/* saved[] exists only for levels begun while counters were traced */
	if (depth >= 2 && depth - 2 < t->nsaved && traced(st, PCRM_TRACE_COUNTER))
		memcpy(t->pending, t->saved[depth - 2], sizeof(t->pending));
}

void pcrm__trace_tx_end(struct pcrm_store *st, int committed)
{
	struct pcrm__trace *t = &st->trace;
	for (int i = 0; i < PCRM__COUNTERS; i++) {
		int64_t n = t->pending[i];
		t->pending[i] = 0;
		if (committed && n)
			pcrm__trace_emit(st, PCRM_TRACE_COUNTER, counter_names[i], 0, n, PCRM_OK);
	}
}

void pcrm__trace_clear(struct pcrm_store *st)
{
	free(st->trace.saved);
	memset(&st->trace, 0, sizeof(st->trace));
}

int pcrm_ctx_set_trace(pcrm_ctx *ctx, unsigned int mask, pcrm_trace_fn fn, void *userdata)
{
	if (!ctx || !ctx->store)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (mask & ~PCRM_TRACE_ALL)
		return pcrm__error(PCRM_EINVAL, "mask: 0x%x holds bits that name no trace kind", mask);
	if (ctx->store->tx_depth > 0)
		return pcrm__error(PCRM_ESTATE, "pcrm_ctx_set_trace: a transaction is open; set the "
		                                "trace between transactions");
	ctx->store->trace.fn = fn;
	ctx->store->trace.userdata = fn ? userdata : NULL;
	ctx->store->trace.mask = fn ? mask : 0;
	return PCRM_OK;
}
