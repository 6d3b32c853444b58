/*
 * Call detail records: made under the engine lock into a buffer of their
 * own (cdr_lock), handed to the integrator's sink by pcrm_acd_cdr_flush()
 * outside the engine lock, so a slow store never delays routing.  Only the
 * flusher removes records, and only after the sink accepted them, so a
 * refused batch is offered again by the next flush.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

static const char *const outcome_names[] = { "answered", "abandoned", "timed_out", "refused" };

const char *pcrm_acd_outcome_name(pcrm_acd_outcome o)
{
	return (unsigned)o < 4 ? outcome_names[o] : NULL;
}

int acd_cdr_setup(pcrm_acd *acd)
{
	pthread_mutex_init(&acd->cdr_lock, NULL);
	pthread_mutex_init(&acd->flush_lock, NULL);
	return PCRM_OK;
}

void acd_cdr_teardown(pcrm_acd *acd)
{
	free(acd->cdrs);
	pthread_mutex_destroy(&acd->cdr_lock);
	pthread_mutex_destroy(&acd->flush_lock);
}

static void fill(pcrm_acd *acd, pcrm_acd_cdr *r, const struct acd_call *c, pcrm_acd_outcome outcome,
                 pcrm_acd_ms wrap_up_end_at)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->version = PCRM_ACD_CDR_VERSION;
	acd_copy_id(r->call_id, c->id);
	acd_copy_id(r->queue_id, c->queue ? c->queue->id : "");
	acd_copy_id(r->first_queue_id, c->first_queue ? c->first_queue->id : "");
	acd_copy_id(r->agent_id, c->agent ? c->agent->id : "");
	memcpy(r->caller_number, c->caller, sizeof(r->caller_number));
	memcpy(r->customer_no, c->customer, sizeof(r->customer_no));
	r->outcome = outcome;
	r->priority = c->arrival_priority;
	r->misses = c->misses;
	r->overflows = c->overflows;
	r->arrived_at = c->arrived_at;
	r->answered_at = c->answered_at;
	r->ended_at = outcome == PCRM_ACD_OUTCOME_ANSWERED ? c->ended_at : acd->now;
	r->wrap_up_end_at = wrap_up_end_at;
	r->wait_ms = (c->answered_at ? c->answered_at : acd->now) - c->arrived_at;
	r->talk_ms = c->talk_ms;
	r->hold_ms = c->hold_ms;
	r->wrap_up_ms = wrap_up_end_at ? wrap_up_end_at - c->ended_at : 0;
	r->short_abandon = outcome == PCRM_ACD_OUTCOME_ABANDONED &&
	                   r->wait_ms <= (pcrm_acd_ms)acd->opt.short_abandon_s * 1000;
}

void acd_cdr_emit(pcrm_acd *acd, const struct acd_call *c, pcrm_acd_outcome outcome,
                  pcrm_acd_ms wrap_up_end_at)
{
	uint64_t dropped = 0;

	pthread_mutex_lock(&acd->cdr_lock);
	if (acd->cdr_head > 0 && acd->cdr_head + acd->cdr_count == acd->cdr_cap) {
		/* compact: the flusher only reads records it copied out under this lock */
		memmove(acd->cdrs, acd->cdrs + acd->cdr_head, acd->cdr_count * sizeof(*acd->cdrs));
		acd->cdr_head = 0;
	}
	if (acd->cdr_count >= acd->opt.cdr_max_pending) {
		dropped = ++acd->cdrs_dropped;
	} else {
		if (acd->cdr_head + acd->cdr_count == acd->cdr_cap) {
			size_t cap = acd->cdr_cap ? acd->cdr_cap * 2 : 64;
			pcrm_acd_cdr *grown = realloc(acd->cdrs, cap * sizeof(*grown));
			if (grown) {
				acd->cdrs = grown;
				acd->cdr_cap = cap;
			}
		}
		if (acd->cdr_head + acd->cdr_count < acd->cdr_cap) {
			fill(acd, &acd->cdrs[acd->cdr_head + acd->cdr_count], c, outcome, wrap_up_end_at);
			acd->cdr_count++;
			acd->cdrs_emitted++;
		} else {
			dropped = ++acd->cdrs_dropped;
		}
	}
	pthread_mutex_unlock(&acd->cdr_lock);
	if (dropped) {
		pcrm_acd_event ev;
		acd_event_init(acd, &ev, PCRM_ACD_EV_CDRS_LOST);
		acd_copy_id(ev.call_id, c->id);
		ev.count = dropped;
		acd_emit(acd, &ev);
	}
}

int pcrm_acd_set_cdr_sink(pcrm_acd *acd, pcrm_acd_cdr_sink_fn fn, void *userdata)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	pthread_mutex_lock(&acd->flush_lock);
	acd->sink = fn;
	acd->sink_ud = userdata;
	pthread_mutex_unlock(&acd->flush_lock);
	return PCRM_OK;
}

int pcrm_acd_cdr_flush(pcrm_acd *acd, size_t *flushed)
{
	size_t done = 0;
	int rc = PCRM_OK;
	pcrm_acd_cdr *batch;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	if (flushed)
		*flushed = 0;
	pthread_mutex_lock(&acd->flush_lock);
	if (!acd->sink) {
		pthread_mutex_unlock(&acd->flush_lock);
		return pcrm__error(PCRM_ESTATE, "cdr_flush: no sink is set");
	}
	if (!(batch = malloc(acd->opt.cdr_batch_size * sizeof(*batch)))) {
		pthread_mutex_unlock(&acd->flush_lock);
		return pcrm__error_oom();
	}
	for (;;) {
		pthread_mutex_lock(&acd->cdr_lock);
		size_t n = acd->cdr_count < acd->opt.cdr_batch_size ? acd->cdr_count
		                                                    : acd->opt.cdr_batch_size;
		if (n > 0) /* with nothing ever emitted, acd->cdrs is still NULL */
			memcpy(batch, acd->cdrs + acd->cdr_head, n * sizeof(*batch));
		pthread_mutex_unlock(&acd->cdr_lock);
		if (n == 0)
			break;
		if (acd->sink(acd->sink_ud, batch, n) != 0) {
			rc = pcrm__error(PCRM_EIO, "cdr_flush: the sink refused a batch of %zu records; "
			                           "they stay pending", n);
			break;
		}
		pthread_mutex_lock(&acd->cdr_lock);
		acd->cdr_head += n;
		acd->cdr_count -= n;
		if (acd->cdr_count == 0)
			acd->cdr_head = 0;
		acd->cdrs_flushed += n;
		pthread_mutex_unlock(&acd->cdr_lock);
		done += n;
	}
	free(batch);
	pthread_mutex_unlock(&acd->flush_lock);
	if (flushed)
		*flushed = done;
	return rc;
}
