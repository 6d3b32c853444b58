/*
 * Statistics (docs/acd.md, Statistics): counters kept per queue and agent
 * for the engine's lifetime and for the current interval, completed
 * intervals in a ring of PCRM_ACD_INTERVALS_KEPT, time in each agent state
 * accounted at every state change and at every interval boundary, and the
 * derived ratios computed when read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static size_t ring_slot(size_t *head, size_t *count)
{
	size_t slot = (*head + *count) % PCRM_ACD_INTERVALS_KEPT;
	if (*count < PCRM_ACD_INTERVALS_KEPT)
		(*count)++;
	else
		*head = (*head + 1) % PCRM_ACD_INTERVALS_KEPT;
	return slot;
}

/* The oldest interval start that can still be in the kept history. */
static pcrm_acd_ms kept_from(const pcrm_acd *acd)
{
	return acd->interval_start - (pcrm_acd_ms)PCRM_ACD_INTERVALS_KEPT * acd->interval_ms;
}

pcrm_acd_queue_counts *acd_queue_interval(pcrm_acd *acd, struct acd_queue *q)
{
	int first = 1;
	while (q->interval_of < acd->interval_start) {
		if (!first && q->interval_of < kept_from(acd)) {
			q->interval_of = kept_from(acd); /* empty intervals that would not be kept */
			continue;
		}
		size_t slot = ring_slot(&q->hist.head, &q->hist.count);
		q->hist.start[slot] = q->interval_of;
		q->hist.counts[slot] = q->interval;
		memset(&q->interval, 0, sizeof(q->interval));
		q->interval_of += acd->interval_ms;
		first = 0;
	}
	return &q->interval;
}

static void add_state_time(struct acd_agent *a, pcrm_acd_ms until, int to_interval)
{
	int64_t d = until - a->accounted_since;
	if (d > 0) {
		a->total.state_ms[a->state] += d;
		if (to_interval)
			a->interval.state_ms[a->state] += d;
	}
	if (until > a->accounted_since)
		a->accounted_since = until;
}

pcrm_acd_agent_counts *acd_agent_interval(pcrm_acd *acd, struct acd_agent *a)
{
	int first = 1;
	/* nothing touched the agent meanwhile, so it stayed in one state throughout */
	while (a->interval_of < acd->interval_start) {
		if (!first && a->interval_of < kept_from(acd)) {
			add_state_time(a, kept_from(acd), 0);
			a->interval_of = kept_from(acd);
			continue;
		}
		pcrm_acd_ms end = a->interval_of + acd->interval_ms;
		add_state_time(a, end, 1);
		size_t slot = ring_slot(&a->hist.head, &a->hist.count);
		a->hist.start[slot] = a->interval_of;
		a->hist.counts[slot] = a->interval;
		memset(&a->interval, 0, sizeof(a->interval));
		a->interval_of = end;
		first = 0;
	}
	return &a->interval;
}

void acd_agent_account(pcrm_acd *acd, struct acd_agent *a)
{
	acd_agent_interval(acd, a);
	add_state_time(a, acd->now, 1);
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : 0.0;
}

void acd_queue_counts_finish(pcrm_acd_queue_counts *c)
{
	c->service_level = ratio((double)c->answered_in_target, (double)c->offered);
	c->service_level_excl = ratio((double)c->answered_in_target,
	                              (double)(c->offered - c->short_abandoned));
	c->asa_s = ratio((double)c->wait_answered_ms, (double)c->answered) / 1000.0;
	c->aht_s = ratio((double)(c->talk_ms + c->hold_ms + c->wrap_up_ms), (double)c->handled) /
	           1000.0;
}

void acd_agent_counts_finish(pcrm_acd_agent_counts *c)
{
	const int64_t *s = c->state_ms;
	int64_t busy = s[PCRM_ACD_TALKING] + s[PCRM_ACD_HELD] + s[PCRM_ACD_WRAP_UP];
	int64_t available = busy + s[PCRM_ACD_READY] + s[PCRM_ACD_RESERVED];
	c->occupancy = ratio((double)busy, (double)available);
	c->aht_s = ratio((double)(c->talk_ms + c->hold_ms + c->wrap_up_ms), (double)c->handled) /
	           1000.0;
}

static struct acd_queue *queue_find(pcrm_acd *acd, const char *id)
{
	if (acd_check_id("queue_id", id) < 0)
		return NULL;
	struct acd_queue *q = acd_idmap_get(&acd->queue_map, id);
	if (!q)
		pcrm__error(PCRM_ENOTFOUND, "queue_id: \"%s\" is not a queue", id);
	return q;
}

int pcrm_acd_queue_stats_get(pcrm_acd *acd, const char *queue_id, pcrm_acd_queue_stats *out)
{
	struct acd_queue *q;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_QUEUE_STATS);
	if (rc)
		return rc;
	acd_enter(acd);
	if (!(q = queue_find(acd, queue_id)))
		return acd_leave(acd, pcrm_error_last_status());
	memset(out, 0, sizeof(*out));
	out->version = PCRM_ACD_QUEUE_STATS_VERSION;
	acd_copy_id(out->queue_id, q->id);
	out->waiting = q->waiting.count;
	struct acd_call *oldest = acd_heap_top(&q->waiting);
	out->longest_wait_ms = oldest ? acd->now - oldest->arrived_at : 0;
	out->agents_logged_in = q->logged_in;
	for (size_t l = 0; l < ACD_LEVELS; l++)
		out->agents_ready += q->idle[l].count;
	for (size_t i = 0; i < q->nmembers; i++) {
		pcrm_acd_agent_state s = q->members[i]->agent->state;
		out->agents_busy += s == PCRM_ACD_RESERVED || s == PCRM_ACD_TALKING ||
		                    s == PCRM_ACD_HELD || s == PCRM_ACD_WRAP_UP;
	}
	out->total = q->total;
	out->interval = *acd_queue_interval(acd, q);
	acd_queue_counts_finish(&out->total);
	acd_queue_counts_finish(&out->interval);
	out->total.version = out->interval.version = PCRM_ACD_QUEUE_COUNTS_VERSION;
	out->interval_start = acd->interval_start;
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_agent_stats_get(pcrm_acd *acd, const char *agent_id, pcrm_acd_agent_stats *out)
{
	struct acd_agent *a;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_AGENT_STATS);
	if (rc)
		return rc;
	acd_enter(acd);
	if (!(a = acd_agent_find(acd, agent_id)))
		return acd_leave(acd, pcrm_error_last_status());
	acd_agent_account(acd, a);
	memset(out, 0, sizeof(*out));
	out->version = PCRM_ACD_AGENT_STATS_VERSION;
	acd_copy_id(out->agent_id, a->id);
	out->state = a->state;
	out->state_since = a->state_since;
	out->total = a->total;
	out->interval = a->interval;
	acd_agent_counts_finish(&out->total);
	acd_agent_counts_finish(&out->interval);
	out->total.version = out->interval.version = PCRM_ACD_AGENT_COUNTS_VERSION;
	out->interval_start = acd->interval_start;
	return acd_leave(acd, PCRM_OK);
}

static int hist_index(size_t head, size_t count, size_t index, size_t *slot)
{
	if (index >= count)
		return pcrm__error(PCRM_ENOTFOUND, "index: %zu, but only %zu intervals have completed",
		                   index, count);
	*slot = (head + count - 1 - index) % PCRM_ACD_INTERVALS_KEPT;
	return PCRM_OK;
}

int pcrm_acd_queue_interval_get(pcrm_acd *acd, const char *queue_id, size_t index,
                                pcrm_acd_ms *start, pcrm_acd_queue_counts *out)
{
	struct acd_queue *q;
	size_t slot = 0;
	int rc;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_QUEUE_COUNTS)))
		return rc;
	acd_enter(acd);
	if (!(q = queue_find(acd, queue_id)))
		return acd_leave(acd, pcrm_error_last_status());
	acd_queue_interval(acd, q);
	if ((rc = hist_index(q->hist.head, q->hist.count, index, &slot)) < 0)
		return acd_leave(acd, rc);
	*out = q->hist.counts[slot];
	out->version = PCRM_ACD_QUEUE_COUNTS_VERSION;
	acd_queue_counts_finish(out);
	if (start)
		*start = q->hist.start[slot];
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_agent_interval_get(pcrm_acd *acd, const char *agent_id, size_t index,
                                pcrm_acd_ms *start, pcrm_acd_agent_counts *out)
{
	struct acd_agent *a;
	size_t slot = 0;
	int rc;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_AGENT_COUNTS)))
		return rc;
	acd_enter(acd);
	if (!(a = acd_agent_find(acd, agent_id)))
		return acd_leave(acd, pcrm_error_last_status());
	acd_agent_account(acd, a);
	if ((rc = hist_index(a->hist.head, a->hist.count, index, &slot)) < 0)
		return acd_leave(acd, rc);
	*out = a->hist.counts[slot];
	out->version = PCRM_ACD_AGENT_COUNTS_VERSION;
	acd_agent_counts_finish(out);
	if (start)
		*start = a->hist.start[slot];
	return acd_leave(acd, PCRM_OK);
}
