/*
 * Routing strategies as orders: each queue keeps its ready members in one
 * heap per skill level, ordered by the queue's strategy key, so the best
 * agent for a call is the best of at most ten heap tops (docs/acd.md,
 * Strategies).  Also the order of waiting calls, the one order every
 * queue shares: higher priority, then returned-to-front, then longest wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

static const char *const strategy_names[] = {
	"longest_idle", "fewest_calls", "least_talk", "highest_skill",
	"round_robin", "random", "ring_all",
};

const char *pcrm_acd_strategy_name(pcrm_acd_strategy s)
{
	return (unsigned)s < sizeof(strategy_names) / sizeof(*strategy_names) ? strategy_names[s]
	                                                                      : NULL;
}

int pcrm_acd_strategy_parse(const char *name, pcrm_acd_strategy *out)
{
	char q[PCRM_QUOTE_SIZE];
	if (!name || !out)
		return pcrm__error(PCRM_EINVAL, "strategy: missing");
	for (size_t i = 0; i < sizeof(strategy_names) / sizeof(*strategy_names); i++)
		if (strcmp(name, strategy_names[i]) == 0) {
			*out = (pcrm_acd_strategy)i;
			return PCRM_OK;
		}
	pcrm__quote(name, strlen(name), q, sizeof(q));
	return pcrm__error(PCRM_EINVAL,
	                   "strategy: \"%s\" is not longest_idle, fewest_calls, least_talk, "
	                   "highest_skill, round_robin, random or ring_all", q);
}

/* ---- idle members ---- */

void acd_member_key(pcrm_acd *acd, struct acd_member *m)
{
	const struct acd_agent *a = m->agent;
	int64_t primary = 0;
	switch (m->queue->strategy) {
	case PCRM_ACD_FEWEST_CALLS: primary = (int64_t)a->login_calls; break;
	case PCRM_ACD_LEAST_TALK: primary = a->login_talk_ms; break;
	case PCRM_ACD_ROUND_ROBIN: primary = (int64_t)m->rr_key; break;
	case PCRM_ACD_RANDOM: primary = (int64_t)(acd_random(acd) >> 1); break;
	case PCRM_ACD_LONGEST_IDLE:
	case PCRM_ACD_HIGHEST_SKILL: /* one level per heap: longest idle within it */
	case PCRM_ACD_RING_ALL:
		break;
	}
	m->key[0] = primary;
	/* random ignores idle time: ties (rare) go by the order of becoming ready */
	m->key[1] = m->queue->strategy == PCRM_ACD_RANDOM ? 0 : a->idle_since;
	m->key[2] = (int64_t)a->ready_seq;
}

int acd_idle_less(const void *a, const void *b)
{
	const int64_t *x = ((const struct acd_member *)a)->key, *y = ((const struct acd_member *)b)->key;
	if (x[0] != y[0])
		return x[0] < y[0];
	if (x[1] != y[1])
		return x[1] < y[1];
	return x[2] < y[2];
}

int acd_agent_skill(const struct acd_agent *a, const char *skill)
{
	for (size_t i = 0; i < a->nskills; i++)
		if (strcmp(a->skills[i].name, skill) == 0)
			return a->skills[i].level;
	return 0;
}

int acd_agent_meets(const struct acd_agent *a, const struct acd_req *skills, int nskills)
{
	for (int i = 0; i < nskills; i++)
		if (acd_agent_skill(a, skills[i].name) < skills[i].level)
			return 0;
	return 1;
}

static int scratch_push(pcrm_acd *acd, size_t n, struct acd_member *m)
{
	if (n == acd->scratch_cap) {
		size_t cap = acd->scratch_cap ? acd->scratch_cap * 2 : 64;
		struct acd_member **grown = realloc(acd->scratch, cap * sizeof(*grown));
		if (!grown)
			return -1;
		acd->scratch = grown;
		acd->scratch_cap = cap;
	}
	acd->scratch[n] = m;
	return 0;
}

/*
 * The first member of a level heap holding the call's extra skills.  Tops
 * that lack them are popped aside and pushed back afterwards (O(k log n)
 * for k skipped); if no room for that is left, a plain scan finds the same
 * member.
 */
static struct acd_member *first_eligible(pcrm_acd *acd, struct acd_heap *h,
                                         const struct acd_call *c)
{
	struct acd_member *m = acd_heap_top(h), *found = NULL;
	size_t n = 0;

	if (!m || !c || c->nskills == 0 || acd_agent_meets(m->agent, c->skills, c->nskills))
		return m;
	while ((m = acd_heap_top(h))) {
		if (acd_agent_meets(m->agent, c->skills, c->nskills)) {
			found = m;
			break;
		}
		if (scratch_push(acd, n, m) < 0)
			break;
		acd_heap_remove(h, m);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		acd_heap_push(h, acd->scratch[i], acd->scratch[i]->key); /* room is there: they just left */
	if (found || !m)
		return found;
	for (size_t i = 0; i < h->count; i++) {
		struct acd_member *x = h->nodes[i].item;
		if (acd_agent_meets(x->agent, c->skills, c->nskills) && (!found || acd_idle_less(x, found)))
			found = x;
	}
	return found;
}

struct acd_member *acd_best_idle(pcrm_acd *acd, struct acd_queue *q, int min_level,
                                 const struct acd_call *c)
{
	struct acd_member *best = NULL;

	for (int level = ACD_LEVELS; level >= min_level; level--) {
		struct acd_member *m = first_eligible(acd, &q->idle[level - 1], c);
		if (!m)
			continue;
		if (q->strategy == PCRM_ACD_HIGHEST_SKILL)
			return m;
		if (!best || acd_idle_less(m, best))
			best = m;
	}
	return best;
}

/* ---- waiting calls ---- */

void acd_call_key(const struct acd_call *c, int64_t key[3])
{
	/* higher priority first, then returned-to-front, then longest wait, then arrival order */
	key[0] = -(int64_t)(c->priority * 2 + c->front);
	key[1] = c->arrived_at;
	key[2] = (int64_t)c->seq;
}
