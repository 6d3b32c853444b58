/*
 * The routing index and the two dispatch directions (docs/acd.md, Routing
 * index):
 *  - a call that becomes waiting goes to the best idle eligible agent of the
 *    queues it waits in (acd_best_idle: at most ten heap tops per queue);
 *  - an agent that becomes ready takes, among the heads of the call classes
 *    of all its queues that it may answer (and the calls waiting for it as
 *    their preferred agent), the call with the highest priority, then the
 *    longest wait: fairness across queues, decided by one order.
 * Between two public calls no ready agent is eligible for a waiting call,
 * so both directions only ever look at the object that just changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

void acd_agent_index_ready(pcrm_acd *acd, struct acd_agent *a)
{
	for (size_t i = 0; i < a->nmembers; i++) {
		struct acd_member *m = a->members[i];
		acd_member_key(acd, m);
		acd_heap_push(&m->queue->idle[m->level - 1], m, m->key); /* claimed by the membership */
	}
}

void acd_agent_index_unready(pcrm_acd *acd, struct acd_agent *a)
{
	(void)acd;
	for (size_t i = 0; i < a->nmembers; i++) {
		struct acd_member *m = a->members[i];
		if (m->pos != ACD_HEAP_NONE)
			acd_heap_remove(&m->queue->idle[m->level - 1], m);
	}
}

static int same_requirements(const struct acd_class *k, int min_level, const struct acd_call *c)
{
	if (k->min_level != min_level || k->nskills != c->nskills)
		return 0;
	for (int i = 0; i < c->nskills; i++)
		if (k->skills[i].level != c->skills[i].level ||
		    strcmp(k->skills[i].name, c->skills[i].name) != 0)
			return 0;
	return 1;
}

struct acd_class *acd_class_get(struct acd_queue *q, int min_level, const struct acd_call *c)
{
	for (size_t i = 0; i < q->nclasses; i++)
		if (same_requirements(q->classes[i], min_level, c))
			return q->classes[i];
	struct acd_class **grown = realloc(q->classes, (q->nclasses + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	q->classes = grown;
	struct acd_class *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->min_level = min_level;
	k->nskills = c->nskills;
	memcpy(k->skills, c->skills, sizeof(k->skills));
	acd_heap_init(&k->calls, offsetof(struct acd_entry, pos));
	q->classes[q->nclasses++] = k;
	return k;
}

void acd_call_index_add(pcrm_acd *acd, struct acd_call *c)
{
	int64_t key[3];
	(void)acd;
	acd_call_key(c, key);
	if (c->preferred) {
		acd_heap_push(&c->preferred->personal, c, key);
		return;
	}
	for (size_t i = 0; i < c->nentries; i++)
		acd_heap_push(&c->entries[i].cls->calls, &c->entries[i], key);
	c->in_heaps = 1;
}

void acd_call_index_remove(pcrm_acd *acd, struct acd_call *c)
{
	(void)acd;
	if (c->ppos != ACD_HEAP_NONE)
		acd_heap_remove(&c->preferred->personal, c);
	for (size_t i = 0; i < c->nentries; i++)
		if (c->entries[i].pos != ACD_HEAP_NONE)
			acd_heap_remove(&c->entries[i].cls->calls, &c->entries[i]);
	c->in_heaps = 0;
}

static struct acd_member *member_of(struct acd_agent *a, const struct acd_queue *q)
{
	for (size_t i = 0; i < a->nmembers; i++)
		if (a->members[i]->queue == q)
			return a->members[i];
	return NULL;
}

/* Rings the call at `n` ready agents found through queue `via`. */
static void offer(pcrm_acd *acd, struct acd_call *c, struct acd_agent **agents, size_t n,
                  struct acd_queue *via)
{
	if (n > c->offered_cap) {
		struct acd_agent **grown = realloc(c->offered, n * sizeof(*grown));
		if (grown) {
			c->offered = grown;
			c->offered_cap = n;
		} else {
			n = c->offered_cap; /* ring at as many as there is room for (at least one) */
		}
	}
	acd_call_index_remove(acd, c);
	if (c->wpos != ACD_HEAP_NONE) {
		acd_heap_remove(&c->queue->waiting, c);
		acd->calls_waiting--;
	}
	c->state = PCRM_ACD_CALL_OFFERED;
	c->noffered = 0;
	for (size_t i = 0; i < n; i++) {
		struct acd_agent *a = agents[i];
		struct acd_member *m = member_of(a, via);
		if (m)
			m->rr_key = ++via->rr_turn;
		c->offered[c->noffered++] = a;
		a->call = c;
		acd_agent_set_state(acd, a, PCRM_ACD_RESERVED, NULL);
		a->total.offered++;
		acd_agent_interval(acd, a)->offered++;
		acd->counters.routing_decisions++;
		acd_emit_call(acd, PCRM_ACD_EV_CALL_OFFERED, c, a);
	}
	int ring_s = via && via->ring_timeout_s ? via->ring_timeout_s : acd->opt.ring_timeout_s;
	acd_timer_set(acd, &c->ring, acd->now + (pcrm_acd_ms)ring_s * 1000);
	acd_emit_queue_stats(acd, c->queue);
}

/* Every idle member of q at level >= min_level holding the call's skills, for ring-all. */
static void offer_all(pcrm_acd *acd, struct acd_call *c, struct acd_queue *q, int min_level)
{
	size_t n = 0;
	for (int level = min_level; level <= ACD_LEVELS; level++)
		n += q->idle[level - 1].count;
	struct acd_agent **agents = malloc(n * sizeof(*agents));
	if (!agents) {
		struct acd_member *m = acd_best_idle(acd, q, min_level, c);
		offer(acd, c, &m->agent, 1, q);
		return;
	}
	n = 0;
	for (int level = min_level; level <= ACD_LEVELS; level++) {
		struct acd_heap *h = &q->idle[level - 1];
		for (size_t i = 0; i < h->count; i++) {
			struct acd_member *m = h->nodes[i].item;
			if (acd_agent_meets(m->agent, c->skills, c->nskills))
				agents[n++] = m->agent;
		}
	}
	offer(acd, c, agents, n, q);
	free(agents);
}

int acd_dispatch_call(pcrm_acd *acd, struct acd_call *c)
{
	if (c->state != PCRM_ACD_CALL_WAITING)
		return 0;
	if (c->preferred) {
		if (c->preferred->state != PCRM_ACD_READY)
			return 0;
		offer(acd, c, &c->preferred, 1, c->queue);
		return 1;
	}
	for (size_t i = 0; i < c->nentries; i++) {
		struct acd_entry *e = &c->entries[i];
		struct acd_member *m = acd_best_idle(acd, e->queue, e->cls->min_level, c);
		if (!m)
			continue;
		if (e->queue->strategy == PCRM_ACD_RING_ALL)
			offer_all(acd, c, e->queue, e->cls->min_level);
		else
			offer(acd, c, &m->agent, 1, e->queue);
		return 1;
	}
	return 0;
}

void acd_dispatch_agent(pcrm_acd *acd, struct acd_agent *a)
{
	/* compare the heads by the keys inside the heaps; only the winner is read */
	const struct acd_heap_node *best = acd_heap_top_node(&a->personal);
	struct acd_queue *via = NULL;

	if (a->state != PCRM_ACD_READY)
		return;
	for (size_t i = 0; i < a->nmembers; i++) {
		struct acd_member *m = a->members[i];
		struct acd_queue *q = m->queue;
		for (size_t k = 0; k < q->nclasses; k++) {
			struct acd_class *cls = q->classes[k];
			if (cls->min_level > m->level || cls->calls.count == 0)
				continue;
			const struct acd_heap_node *n = acd_heap_top_node(&cls->calls);
			if (best && !acd_key_less(n->key, best->key))
				continue;
			if (!acd_agent_meets(a, cls->skills, cls->nskills))
				continue;
			best = n;
			via = q;
		}
	}
	if (!best)
		return;
	struct acd_call *c = via ? ((struct acd_entry *)best->item)->call : best->item;
	offer(acd, c, &a, 1, via ? via : c->queue);
}

void acd_offer_withdraw_one(pcrm_acd *acd, struct acd_call *c, struct acd_agent *a)
{
	(void)acd;
	for (size_t i = 0; i < c->noffered; i++)
		if (c->offered[i] == a) {
			c->offered[i] = c->offered[--c->noffered];
			break;
		}
	a->call = NULL;
}
