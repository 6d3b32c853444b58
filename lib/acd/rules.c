/*
 * What happens to a call while it waits (docs/acd.md, Waiting-time rules):
 * its queue's rules, in after_s order, lower its minimum level, add a queue
 * or raise its priority; the preferred agent's wait runs out; the queue's
 * max_wait sends it to the overflow queue or times it out.  Also the
 * admission of a call into a queue (limits, nobody logged in).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

static const char *const action_names[] = { "lower_min_level", "add_queue", "raise_priority" };

enum acd_admission acd_queue_admission(const struct acd_queue *q, const char **why)
{
	*why = "";
	if (q->logged_in == 0 && q->no_agent != PCRM_ACD_NO_AGENT_WAIT) {
		*why = "no_agent";
		return q->no_agent == PCRM_ACD_NO_AGENT_OVERFLOW && q->overflow ? ACD_OVERFLOW
		                                                               : ACD_REFUSE;
	}
	if (q->max_waiting > 0 && q->waiting.count >= (size_t)q->max_waiting) {
		*why = "full";
		return q->overflow ? ACD_OVERFLOW : ACD_REFUSE;
	}
	return ACD_ADMIT;
}

static void emit_overflow(pcrm_acd *acd, const struct acd_call *c, const struct acd_queue *from,
                          const struct acd_queue *to, const char *why)
{
	pcrm_acd_event ev;
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_OVERFLOWED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, from->id);
	acd_copy_id(ev.target_id, to->id);
	acd_copy_id(ev.reason, why);
	ev.wait_ms = acd->now - c->arrived_at;
	acd_emit(acd, &ev);
}

struct acd_queue *acd_overflow(pcrm_acd *acd, struct acd_call *c, struct acd_queue *from,
                               const char *why)
{
	struct acd_queue *cur = from->overflow;
	const char *w = why;
	size_t hops = 0;

	/* first find where it ends: nothing changes unless some queue takes it */
	while (cur) {
		enum acd_admission adm = acd_queue_admission(cur, &w);
		if (adm == ACD_ADMIT)
			break;
		if (adm == ACD_REFUSE || ++hops > acd->nqueues)
			return NULL;
		cur = cur->overflow;
	}
	if (!cur || acd_call_enter_queue(acd, c, cur) < 0)
		return NULL;
	for (struct acd_queue *q = from; q != cur; q = q->overflow) {
		if (q != from) {
			q->total.offered++;
			acd_queue_interval(acd, q)->offered++;
		}
		q->total.overflowed_out++;
		acd_queue_interval(acd, q)->overflowed_out++;
		acd_queue_admission(q, &w);
		emit_overflow(acd, c, q, q->overflow, q == from ? why : w);
		c->overflows++;
	}
	return cur;
}

void acd_rules_arm(pcrm_acd *acd, struct acd_call *c)
{
	struct acd_queue *q = c->queue;
	if (c->next_rule < q->nrules)
		acd_timer_set(acd, &c->rule,
		              c->queue_entered_at + (pcrm_acd_ms)q->rules[c->next_rule].after_s * 1000);
	else
		acd_timer_cancel(acd, &c->rule);
}

/* Moves entry i to class `k` (claimed by the caller); the call is out of the heaps. */
static void entry_set_class(struct acd_entry *e, struct acd_class *k)
{
	acd_heap_release(&e->cls->calls);
	e->cls = k;
}

static int lower_min_level(struct acd_call *c, int level)
{
	struct acd_class *k[PCRM_ACD_CALL_QUEUES_MAX] = { 0 };
	size_t n = 0;
	/* claim every new class first, so running out of memory changes nothing */
	for (; n < c->nentries; n++) {
		struct acd_entry *e = &c->entries[n];
		if (e->cls->min_level <= level)
			continue;
		if (!(k[n] = acd_class_get(e->queue, level, c)) || acd_heap_claim(&k[n]->calls) < 0)
			break;
	}
	if (n < c->nentries) {
		while (n-- > 0)
			if (k[n])
				acd_heap_release(&k[n]->calls);
		return PCRM_ENOMEM;
	}
	for (size_t i = 0; i < c->nentries; i++)
		if (k[i])
			entry_set_class(&c->entries[i], k[i]);
	if (level < c->min_level)
		c->min_level = level;
	return PCRM_OK;
}

static int add_queue(struct acd_call *c, struct acd_queue *q, int level)
{
	for (size_t i = 0; i < c->nentries; i++)
		if (c->entries[i].queue == q)
			return PCRM_OK;
	if (c->nentries == PCRM_ACD_CALL_QUEUES_MAX)
		return PCRM_EOVERFLOW;
	struct acd_class *k = acd_class_get(q, level, c);
	if (!k || acd_heap_claim(&k->calls) < 0)
		return PCRM_ENOMEM;
	c->entries[c->nentries++] = (struct acd_entry){ c, q, k, ACD_HEAP_NONE };
	return PCRM_OK;
}

void acd_rule_fire(pcrm_acd *acd, struct acd_call *c)
{
	const struct acd_rule *r = &c->queue->rules[c->next_rule++];
	int waiting = c->state == PCRM_ACD_CALL_WAITING, in_index = waiting;
	int rc = PCRM_OK;
	pcrm_acd_event ev;

	if (in_index)
		acd_call_index_remove(acd, c);
	switch (r->action) {
	case PCRM_ACD_RULE_LOWER_MIN_LEVEL: rc = lower_min_level(c, r->value); break;
	case PCRM_ACD_RULE_ADD_QUEUE: rc = add_queue(c, r->queue, r->value); break;
	case PCRM_ACD_RULE_RAISE_PRIORITY:
		c->priority = c->priority + r->value > PCRM_ACD_PRIORITY_MAX ? PCRM_ACD_PRIORITY_MAX
		                                                              : c->priority + r->value;
		break;
	}
	if (in_index)
		acd_call_index_add(acd, c);
	acd_rules_arm(acd, c);
	if (rc == PCRM_OK) {
		acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_RULE);
		acd_copy_id(ev.call_id, c->id);
		acd_copy_id(ev.queue_id, c->queue->id);
		acd_copy_id(ev.reason, action_names[r->action]);
		acd_copy_id(ev.target_id, r->action == PCRM_ACD_RULE_ADD_QUEUE ? r->queue->id : "");
		ev.priority = c->priority;
		ev.count = (uint64_t)c->min_level;
		ev.wait_ms = acd->now - c->arrived_at;
		acd_emit(acd, &ev);
	}
	if (waiting)
		acd_dispatch_call(acd, c);
}

void acd_fallback_fire(pcrm_acd *acd, struct acd_call *c)
{
	pcrm_acd_event ev;
	int waiting = c->state == PCRM_ACD_CALL_WAITING;

	if (!c->preferred)
		return;
	acd_timer_cancel(acd, &c->fallback);
	if (waiting)
		acd_call_index_remove(acd, c);
	acd_event_init(acd, &ev, PCRM_ACD_EV_PREFERRED_FALLBACK);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.agent_id, c->preferred->id);
	acd_copy_id(ev.queue_id, c->queue->id);
	ev.wait_ms = acd->now - c->arrived_at;
	acd_heap_release(&c->preferred->personal);
	c->preferred = NULL;
	acd_emit(acd, &ev);
	if (waiting) {
		acd_call_index_add(acd, c);
		acd_dispatch_call(acd, c);
	}
}

void acd_max_wait_fire(pcrm_acd *acd, struct acd_call *c)
{
	struct acd_queue *from = c->queue;
	pcrm_acd_event ev;

	if (c->state != PCRM_ACD_CALL_WAITING) {
		c->max_wait_due = 1; /* ringing now: acted on if it comes back */
		return;
	}
	c->max_wait_due = 0;
	acd_call_unwait(acd, c);
	if (from->overflow && acd_overflow(acd, c, from, "max_wait")) {
		acd_emit_queue_stats(acd, from);
		acd_call_wait(acd, c);
		acd_dispatch_call(acd, c);
		return;
	}
	from->total.timed_out++;
	acd_queue_interval(acd, from)->timed_out++;
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_TIMED_OUT);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, from->id);
	ev.wait_ms = acd->now - c->arrived_at;
	acd_emit(acd, &ev);
	acd_call_drop(acd, c, PCRM_ACD_OUTCOME_TIMED_OUT);
}
