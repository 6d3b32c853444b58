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

static int idle_first(const struct acd_agent *x, const struct acd_agent *y)
{
	return x->idle_since != y->idle_since ? x->idle_since < y->idle_since
	                                      : x->ready_seq < y->ready_seq;
}

static int less_longest_idle(const void *a, const void *b)
{
	const struct acd_member *x = a, *y = b;
	return idle_first(x->agent, y->agent);
}

static int less_fewest_calls(const void *a, const void *b)
{
	const struct acd_member *x = a, *y = b;
	if (x->agent->login_calls != y->agent->login_calls)
		return x->agent->login_calls < y->agent->login_calls;
	return idle_first(x->agent, y->agent);
}

static int less_least_talk(const void *a, const void *b)
{
	const struct acd_member *x = a, *y = b;
	if (x->agent->login_talk_ms != y->agent->login_talk_ms)
		return x->agent->login_talk_ms < y->agent->login_talk_ms;
	return idle_first(x->agent, y->agent);
}

static int less_round_robin(const void *a, const void *b)
{
	const struct acd_member *x = a, *y = b;
	if (x->rr_key != y->rr_key)
		return x->rr_key < y->rr_key;
	return idle_first(x->agent, y->agent);
}

static int less_random(const void *a, const void *b)
{
	const struct acd_member *x = a, *y = b;
	if (x->rand_key != y->rand_key)
		return x->rand_key < y->rand_key;
	return x->agent->ready_seq < y->agent->ready_seq;
}

acd_heap_less_fn acd_idle_less(pcrm_acd_strategy s)
{
	switch (s) {
	case PCRM_ACD_FEWEST_CALLS: return less_fewest_calls;
	case PCRM_ACD_LEAST_TALK: return less_least_talk;
	case PCRM_ACD_ROUND_ROBIN: return less_round_robin;
	case PCRM_ACD_RANDOM: return less_random;
	case PCRM_ACD_LONGEST_IDLE:
	case PCRM_ACD_HIGHEST_SKILL: /* one level per heap: longest idle within it */
	case PCRM_ACD_RING_ALL:
		break;
	}
	return less_longest_idle;
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
		acd_heap_push(h, acd->scratch[i]); /* room is there: they just left */
	if (found || !m)
		return found;
	for (size_t i = 0; i < h->count; i++) {
		struct acd_member *x = h->items[i];
		if (acd_agent_meets(x->agent, c->skills, c->nskills) && (!found || h->less(x, found)))
			found = x;
	}
	return found;
}

struct acd_member *acd_best_idle(pcrm_acd *acd, struct acd_queue *q, int min_level,
                                 const struct acd_call *c)
{
	struct acd_member *best = NULL;
	acd_heap_less_fn less = acd_idle_less(q->strategy);

	for (int level = ACD_LEVELS; level >= min_level; level--) {
		struct acd_member *m = first_eligible(acd, &q->idle[level - 1], c);
		if (!m)
			continue;
		if (q->strategy == PCRM_ACD_HIGHEST_SKILL)
			return m;
		if (!best || less(m, best))
			best = m;
	}
	return best;
}

/* ---- waiting calls ---- */

int acd_call_before(const struct acd_call *a, const struct acd_call *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->front != b->front)
		return a->front > b->front;
	if (a->arrived_at != b->arrived_at)
		return a->arrived_at < b->arrived_at;
	return a->seq < b->seq;
}

int acd_entry_less(const void *a, const void *b)
{
	const struct acd_entry *x = a, *y = b;
	return acd_call_before(x->call, y->call);
}

int acd_personal_less(const void *a, const void *b)
{
	return acd_call_before(a, b);
}

int acd_waiting_less(const void *a, const void *b)
{
	const struct acd_call *x = a, *y = b;
	return x->arrived_at != y->arrived_at ? x->arrived_at < y->arrived_at : x->seq < y->seq;
}
