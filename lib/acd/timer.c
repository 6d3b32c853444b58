/*
 * Timers: ring timeouts, waiting-time rules, preferred-agent fallbacks,
 * maximum waits and wrap-up ends live inside their calls and agents and
 * are ordered in one engine-wide heap by (due, arming order), so a tick
 * costs O(log n) per timer that fires and nothing for the rest.
 */
#include "acd_internal.h"
#include "core/error.h"

void acd_timer_init(struct acd_timer *t, enum acd_timer_kind kind, void *owner)
{
	t->due = 0;
	t->seq = 0;
	t->pos = ACD_HEAP_NONE;
	t->kind = kind;
	t->owner = owner;
}

int acd_timer_reserve(pcrm_acd *acd, size_t n)
{
	int rc = acd_heap_reserve(&acd->timers, acd->timers.slots + n);
	if (rc == PCRM_OK)
		acd->timers.slots += n;
	return rc;
}

void acd_timer_unreserve(pcrm_acd *acd, size_t n)
{
	acd->timers.slots -= n;
}

void acd_timer_set(pcrm_acd *acd, struct acd_timer *t, pcrm_acd_ms due)
{
	acd_timer_cancel(acd, t);
	t->due = due;
	t->seq = ++acd->timer_seq;
	/* every owner reserved its room when it was created or armed */
	const int64_t key[3] = { due, (int64_t)t->seq, 0 };
	if (acd_heap_push(&acd->timers, t, key) < 0)
		t->pos = ACD_HEAP_NONE;
}

void acd_timer_cancel(pcrm_acd *acd, struct acd_timer *t)
{
	if (t->pos != ACD_HEAP_NONE)
		acd_heap_remove(&acd->timers, t);
}

static void fire(pcrm_acd *acd, struct acd_timer *t)
{
	switch (t->kind) {
	case ACD_TIMER_RING: acd_ring_timeout(acd, t->owner); break;
	case ACD_TIMER_RULE: acd_rule_fire(acd, t->owner); break;
	case ACD_TIMER_FALLBACK: acd_fallback_fire(acd, t->owner); break;
	case ACD_TIMER_MAX_WAIT: acd_max_wait_fire(acd, t->owner); break;
	case ACD_TIMER_WRAP_UP: acd_agent_wrap_up_end(acd, t->owner); break;
	}
}

void acd_timers_run(pcrm_acd *acd)
{
	pcrm_acd_ms now = acd->now;
	for (;;) {
		struct acd_timer *t = acd_heap_top(&acd->timers);
		pcrm_acd_ms boundary = acd->interval_start + acd->interval_ms;
		/* an interval boundary goes before timers due at or after it, so each
		 * thing is counted in the interval in which it happened */
		if (boundary <= now && (!t || boundary <= t->due)) {
			/* O(1): each queue and agent closes its own interval when next touched */
			pcrm_acd_ms until = t && t->due < now ? t->due : now;
			acd->interval_start = until - until % acd->interval_ms;
			continue;
		}
		if (!t || t->due > now)
			break;
		acd_heap_remove(&acd->timers, t);
		acd->now = t->due;
		fire(acd, t);
	}
	acd->now = now;
}
