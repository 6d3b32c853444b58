/*
 * Calls: arrival (with the queue's limits and the preferred agent), offer
 * outcomes (answer, decline, ring timeout), hold, hang-up and abandon, and
 * the bookkeeping of a call's own queue, its waiting set and its CDR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static const char *const call_state_names[] = { "waiting", "offered", "talking", "held" };

const char *pcrm_acd_call_state_name(pcrm_acd_call_state s)
{
	return (unsigned)s < 4 ? call_state_names[s] : NULL;
}

struct acd_call *acd_call_find(pcrm_acd *acd, const char *id)
{
	if (acd_check_id("call_id", id) < 0)
		return NULL;
	struct acd_call *c = acd_idmap_get(&acd->call_map, id);
	if (!c)
		pcrm__error(PCRM_ENOTFOUND, "call_id: \"%s\" is not a live call", id);
	return c;
}

void acd_call_free(struct acd_call *c)
{
	if (!c)
		return;
	free(c->offered);
	free(c);
}

void acd_call_destroy(pcrm_acd *acd, struct acd_call *c)
{
	acd_timer_unreserve(acd, 4);
	acd_call_free(c);
}

static void release_claims(struct acd_call *c)
{
	for (size_t i = 0; i < c->nentries; i++)
		acd_heap_release(&c->entries[i].cls->calls);
	c->nentries = 0;
	if (c->queue) {
		acd_heap_release(&c->queue->waiting);
	}
	if (c->preferred) {
		acd_heap_release(&c->preferred->personal);
		c->preferred = NULL;
	}
}

static void cancel_timers(pcrm_acd *acd, struct acd_call *c)
{
	acd_timer_cancel(acd, &c->ring);
	acd_timer_cancel(acd, &c->rule);
	acd_timer_cancel(acd, &c->fallback);
	acd_timer_cancel(acd, &c->max_wait);
}

int acd_call_enter_queue(pcrm_acd *acd, struct acd_call *c, struct acd_queue *q)
{
	struct acd_class *k = acd_class_get(q, c->min_level, c);
	if (!k || acd_heap_claim(&k->calls) < 0)
		return pcrm__error_oom();
	if (acd_heap_claim(&q->waiting) < 0) {
		acd_heap_release(&k->calls);
		return pcrm__error_oom();
	}
	for (size_t i = 0; i < c->nentries; i++)
		acd_heap_release(&c->entries[i].cls->calls);
	if (c->queue)
		acd_heap_release(&c->queue->waiting);
	c->entries[0] = (struct acd_entry){ c, q, k, ACD_HEAP_NONE };
	c->nentries = 1;
	c->queue = q;
	if (!c->first_queue)
		c->first_queue = q;
	c->queue_entered_at = acd->now;
	q->total.offered++;
	acd_queue_interval(acd, q)->offered++;
	c->next_rule = 0;
	c->max_wait_due = 0;
	acd_rules_arm(acd, c);
	if (q->max_wait_s)
		acd_timer_set(acd, &c->max_wait, acd->now + (pcrm_acd_ms)q->max_wait_s * 1000);
	else
		acd_timer_cancel(acd, &c->max_wait);
	return PCRM_OK;
}

void acd_call_wait(pcrm_acd *acd, struct acd_call *c)
{
	c->state = PCRM_ACD_CALL_WAITING;
	const int64_t key[3] = { c->arrived_at, (int64_t)c->seq, 0 };
	acd_heap_push(&c->queue->waiting, c, key);
	acd->calls_waiting++;
	acd_call_index_add(acd, c);
	acd_emit_queue_stats(acd, c->queue);
}

void acd_call_unwait(pcrm_acd *acd, struct acd_call *c)
{
	acd_call_index_remove(acd, c);
	if (c->wpos != ACD_HEAP_NONE) {
		acd_heap_remove(&c->queue->waiting, c);
		acd->calls_waiting--;
	}
}

void acd_call_drop(pcrm_acd *acd, struct acd_call *c, pcrm_acd_outcome outcome)
{
	struct acd_queue *q = c->queue;
	cancel_timers(acd, c);
	acd_call_unwait(acd, c);
	release_claims(c);
	acd_idmap_del(&acd->call_map, c->id);
	acd->calls_live--;
	acd_cdr_emit(acd, c, outcome, 0);
	acd_call_destroy(acd, c);
	acd_emit_queue_stats(acd, q);
}

void acd_call_requeue(pcrm_acd *acd, struct acd_call *c)
{
	c->front = 1;
	acd_timer_cancel(acd, &c->ring);
	acd_call_wait(acd, c);
	if (c->max_wait_due)
		acd_max_wait_fire(acd, c);
	else
		acd_dispatch_call(acd, c);
}

/* ---- arrival ---- */

static int check_number(const char *name, const char *text)
{
	if (!text)
		return PCRM_OK;
	size_t n = strlen(text);
	if (n > PCRM_ACD_NUMBER_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: longer than %d bytes", name, PCRM_ACD_NUMBER_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f ||
		    text[i] == '"' || text[i] == '\\')
			/* the number is personal data: the message names the field, not the text */
			return pcrm__error(PCRM_EINVAL, "%s: byte %zu is not a printable character",
			                   name, i + 1);
	return PCRM_OK;
}

static int skill_order(const void *a, const void *b)
{
	return strcmp(((const struct acd_req *)a)->name, ((const struct acd_req *)b)->name);
}

static int check_spec(pcrm_acd *acd, const pcrm_acd_call_spec *s, struct acd_queue **q,
                      struct acd_agent **preferred)
{
	char field[64];
	int rc;

	if (!s)
		return pcrm__error(PCRM_EINVAL, "spec: missing");
	if (s->version != PCRM_ACD_CALL_SPEC_VERSION)
		return pcrm__error(PCRM_EINVAL, "spec.version: %u is not %d", s->version,
		                   PCRM_ACD_CALL_SPEC_VERSION);
	if ((rc = acd_check_id("spec.call_id", s->call_id)) < 0 ||
	    (rc = acd_check_id("spec.queue_id", s->queue_id)) < 0)
		return rc;
	if (s->priority < 0 || s->priority > PCRM_ACD_PRIORITY_MAX)
		return pcrm__error(PCRM_EINVAL, "spec.priority: %d is not 0..%d", s->priority,
		                   PCRM_ACD_PRIORITY_MAX);
	if (s->min_level < 1 || s->min_level > PCRM_ACD_LEVEL_MAX)
		return pcrm__error(PCRM_EINVAL, "spec.min_level: %d is not 1..%d", s->min_level,
		                   PCRM_ACD_LEVEL_MAX);
	if (s->skill_count > PCRM_ACD_CALL_SKILLS_MAX)
		return pcrm__error(PCRM_EINVAL, "spec.skill_count: %zu is more than %d",
		                   s->skill_count, PCRM_ACD_CALL_SKILLS_MAX);
	if (s->skill_count && !s->skills)
		return pcrm__error(PCRM_EINVAL, "spec.skills: missing");
	for (size_t i = 0; i < s->skill_count; i++) {
		snprintf(field, sizeof(field), "spec.skills[%zu].skill", i);
		if ((rc = acd_check_id(field, s->skills[i].skill)) < 0)
			return rc;
		if (s->skills[i].level < 1 || s->skills[i].level > PCRM_ACD_LEVEL_MAX)
			return pcrm__error(PCRM_EINVAL, "spec.skills[%zu].level: %d is not 1..%d", i,
			                   s->skills[i].level, PCRM_ACD_LEVEL_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->skills[j].skill, s->skills[i].skill) == 0)
				return pcrm__error(PCRM_EINVAL, "spec.skills[%zu]: \"%s\" is listed twice",
				                   i, s->skills[i].skill);
	}
	if (s->preferred_wait_s < 0 || s->preferred_wait_s > 3600)
		return pcrm__error(PCRM_EINVAL, "spec.preferred_wait_s: %d is not 0..3600",
		                   s->preferred_wait_s);
	if ((rc = check_number("spec.caller_number", s->caller_number)) < 0 ||
	    (rc = check_number("spec.customer_no", s->customer_no)) < 0)
		return rc;
	*preferred = NULL;
	if (s->preferred_agent_id) {
		if ((rc = acd_check_id("spec.preferred_agent_id", s->preferred_agent_id)) < 0)
			return rc;
		if (!(*preferred = acd_idmap_get(&acd->agent_map, s->preferred_agent_id)))
			return pcrm__error(PCRM_ENOTFOUND, "spec.preferred_agent_id: \"%s\" is not an agent",
			                   s->preferred_agent_id);
	}
	if (!(*q = acd_idmap_get(&acd->queue_map, s->queue_id)))
		return pcrm__error(PCRM_ENOTFOUND, "spec.queue_id: \"%s\" is not a queue", s->queue_id);
	if (acd_idmap_get(&acd->call_map, s->call_id))
		return pcrm__error(PCRM_EDUPLICATE, "spec.call_id: \"%s\" is already a live call",
		                   s->call_id);
	return PCRM_OK;
}

static struct acd_call *call_new(pcrm_acd *acd, const pcrm_acd_call_spec *s)
{
	struct acd_call *c = calloc(1, sizeof(*c));
	if (!c || !(c->offered = malloc(sizeof(*c->offered)))) {
		free(c);
		return NULL;
	}
	c->offered_cap = 1;
	acd_copy_id(c->id, s->call_id);
	snprintf(c->caller, sizeof(c->caller), "%s", s->caller_number ? s->caller_number : "");
	snprintf(c->customer, sizeof(c->customer), "%s", s->customer_no ? s->customer_no : "");
	c->priority = c->arrival_priority = s->priority;
	c->min_level = s->min_level;
	c->nskills = (int)s->skill_count;
	for (size_t i = 0; i < s->skill_count; i++) {
		acd_copy_id(c->skills[i].name, s->skills[i].skill);
		c->skills[i].level = s->skills[i].level;
	}
	qsort(c->skills, s->skill_count, sizeof(*c->skills), skill_order);
	c->arrived_at = acd->now;
	c->seq = ++acd->call_seq;
	c->wpos = c->ppos = ACD_HEAP_NONE;
	acd_timer_init(&c->ring, ACD_TIMER_RING, c);
	acd_timer_init(&c->rule, ACD_TIMER_RULE, c);
	acd_timer_init(&c->fallback, ACD_TIMER_FALLBACK, c);
	acd_timer_init(&c->max_wait, ACD_TIMER_MAX_WAIT, c);
	return c;
}

static void refuse_call(pcrm_acd *acd, struct acd_call *c, struct acd_queue *q, const char *why)
{
	pcrm_acd_event ev;
	q->total.offered++;
	acd_queue_interval(acd, q)->offered++;
	q->total.refused++;
	acd_queue_interval(acd, q)->refused++;
	c->queue = q;
	if (!c->first_queue)
		c->first_queue = q;
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_REFUSED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, q->id);
	acd_copy_id(ev.reason, why);
	acd_emit(acd, &ev);
	acd_cdr_emit(acd, c, PCRM_ACD_OUTCOME_REFUSED, 0);
	acd_call_destroy(acd, c);
}

int pcrm_acd_call_arrive(pcrm_acd *acd, const pcrm_acd_call_spec *spec,
                         pcrm_acd_disposition *disposition)
{
	struct acd_queue *q = NULL, *target;
	struct acd_agent *preferred = NULL;
	struct acd_call *c;
	const char *why = NULL;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = check_spec(acd, spec, &q, &preferred)) < 0)
		return acd_leave(acd, rc);
	if (acd_idmap_reserve(&acd->call_map, 1) < 0 || !(c = call_new(acd, spec)))
		return acd_leave(acd, pcrm__error_oom());
	if (acd_timer_reserve(acd, 4) < 0) {
		acd_call_free(c);
		return acd_leave(acd, PCRM_ENOMEM);
	}
	acd->counters.calls_arrived++;

	enum acd_admission adm = acd_queue_admission(q, &why);
	target = q;
	if (adm == ACD_OVERFLOW && (target = acd_overflow(acd, c, q, why))) {
		q->total.offered++;
		acd_queue_interval(acd, q)->offered++;
	}
	if (adm == ACD_REFUSE || !target) {
		int full = strcmp(why, "full") == 0;
		/* an overflow chain that ends nowhere refuses at the first queue */
		refuse_call(acd, c, q, why);
		if (disposition)
			*disposition = full ? PCRM_ACD_REFUSED_FULL : PCRM_ACD_REFUSED_NO_AGENT;
		return acd_leave(acd, PCRM_OK);
	}
	if (target == q && (rc = acd_call_enter_queue(acd, c, q)) < 0) {
		acd_call_destroy(acd, c);
		return acd_leave(acd, rc);
	}
	if (preferred && spec->preferred_wait_s > 0 && preferred->state != PCRM_ACD_LOGGED_OUT &&
	    acd_heap_claim(&preferred->personal) == PCRM_OK) {
		c->preferred = preferred;
		acd_timer_set(acd, &c->fallback,
		              acd->now + (pcrm_acd_ms)spec->preferred_wait_s * 1000);
	}
	acd_idmap_put(&acd->call_map, c);
	acd->calls_live++;
	acd_emit_call(acd, PCRM_ACD_EV_CALL_QUEUED, c, NULL);
	acd_call_wait(acd, c);
	int offered = acd_dispatch_call(acd, c);
	if (disposition)
		*disposition = offered ? PCRM_ACD_OFFERED : PCRM_ACD_QUEUED;
	return acd_leave(acd, PCRM_OK);
}

/* ---- offers ---- */

static int offered_to(const struct acd_call *c, const struct acd_agent *a)
{
	for (size_t i = 0; i < c->noffered; i++)
		if (c->offered[i] == a)
			return 1;
	return 0;
}

static int find_pair(pcrm_acd *acd, const char *call_id, const char *agent_id,
                     struct acd_call **c, struct acd_agent **a, const char *what)
{
	if (!(*c = acd_call_find(acd, call_id)) || !(*a = acd_agent_find(acd, agent_id)))
		return pcrm_error_last_status();
	if ((*c)->state != PCRM_ACD_CALL_OFFERED || !offered_to(*c, *a))
		return pcrm__error(PCRM_ESTATE, "call %s: %s by agent %s, but the call is not "
		                   "offered to that agent", call_id, what, agent_id);
	return PCRM_OK;
}

/* Withdraws the offers to everyone but `keep`; they become ready again (no miss). */
static void withdraw_others(pcrm_acd *acd, struct acd_call *c, struct acd_agent *keep)
{
	while (c->noffered > (keep ? 1u : 0u)) {
		struct acd_agent *other = c->offered[0] == keep ? c->offered[1] : c->offered[0];
		acd_offer_withdraw_one(acd, c, other);
		acd_emit_call(acd, PCRM_ACD_EV_OFFER_WITHDRAWN, c, other);
		acd_agent_after_offer(acd, other, 0);
	}
}

int pcrm_acd_call_answer(pcrm_acd *acd, const char *call_id, const char *agent_id)
{
	struct acd_call *c;
	struct acd_agent *a;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = find_pair(acd, call_id, agent_id, &c, &a, "answered")) < 0)
		return acd_leave(acd, rc);
	cancel_timers(acd, c);
	release_claims(c);
	c->agent = a;
	c->state = PCRM_ACD_CALL_TALKING;
	c->answered_at = c->talk_since = acd->now;
	pcrm_acd_ms wait = acd->now - c->arrived_at;
	pcrm_acd_queue_counts *qc[2] = { &c->queue->total, acd_queue_interval(acd, c->queue) };
	for (int i = 0; i < 2; i++) {
		qc[i]->answered++;
		qc[i]->wait_answered_ms += wait;
		if (wait <= (pcrm_acd_ms)c->queue->sl_target_s * 1000)
			qc[i]->answered_in_target++;
	}
	a->total.answered++;
	acd_agent_interval(acd, a)->answered++;
	a->login_calls++;
	a->misses = 0;
	acd_agent_set_state(acd, a, PCRM_ACD_TALKING, NULL);
	acd_emit_call(acd, PCRM_ACD_EV_CALL_ANSWERED, c, a);
	withdraw_others(acd, c, a);
	return acd_leave(acd, PCRM_OK);
}

/* The offer to `a` ended unanswered (declined or rang out). */
static void miss(pcrm_acd *acd, struct acd_call *c, struct acd_agent *a)
{
	pcrm_acd_event ev;
	acd_offer_withdraw_one(acd, c, a);
	c->misses++;
	acd_event_init(acd, &ev, PCRM_ACD_EV_OFFER_MISSED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.agent_id, a->id);
	acd_copy_id(ev.queue_id, c->queue->id);
	ev.count = (uint64_t)a->misses + 1;
	acd_emit(acd, &ev);
}

/*
 * After misses: the call goes back to the front of its queue first (so the
 * agents who missed it are not offered it again while others are ready),
 * then the agents become ready or, after max_misses, not ready.  A miss by
 * the preferred agent ends the wait for it.
 */
static void after_misses(pcrm_acd *acd, struct acd_call *c, struct acd_agent **missed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c->preferred == missed[i]) {
			acd_heap_release(&c->preferred->personal);
			c->preferred = NULL;
			acd_timer_cancel(acd, &c->fallback);
		}
	if (c->noffered > 0) { /* ring-all: others still ring */
		for (size_t i = 0; i < n; i++)
			acd_agent_after_offer(acd, missed[i], 1);
		return;
	}
	if (c->queue->strategy == PCRM_ACD_RING_ALL) {
		/* ring-all rings again at everyone eligible, those who missed included */
		for (size_t i = 0; i < n; i++)
			acd_agent_count_miss(acd, missed[i]);
		acd_call_requeue(acd, c);
		for (size_t i = 0; i < n; i++)
			acd_dispatch_agent(acd, missed[i]);
		return;
	}
	acd_call_requeue(acd, c);
	for (size_t i = 0; i < n; i++)
		acd_agent_after_offer(acd, missed[i], 1);
}

int pcrm_acd_call_decline(pcrm_acd *acd, const char *call_id, const char *agent_id)
{
	struct acd_call *c;
	struct acd_agent *a;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = find_pair(acd, call_id, agent_id, &c, &a, "declined")) < 0)
		return acd_leave(acd, rc);
	miss(acd, c, a);
	after_misses(acd, c, &a, 1);
	return acd_leave(acd, PCRM_OK);
}

void acd_ring_timeout(pcrm_acd *acd, struct acd_call *c)
{
	size_t n = c->noffered;
	struct acd_agent *stack[16], **missed = n <= 16 ? stack : malloc(n * sizeof(*missed));
	if (!missed) { /* no room for the list: one at a time */
		while (c->noffered) {
			struct acd_agent *a = c->offered[0];
			miss(acd, c, a);
			after_misses(acd, c, &a, 1);
		}
		return;
	}
	memcpy(missed, c->offered, n * sizeof(*missed));
	for (size_t i = 0; i < n; i++)
		miss(acd, c, missed[i]);
	after_misses(acd, c, missed, n);
	if (missed != stack)
		free(missed);
}

/* ---- talking ---- */

static int talking_call(pcrm_acd *acd, const char *call_id, pcrm_acd_call_state want,
                        const char *what, struct acd_call **out)
{
	struct acd_call *c = acd_call_find(acd, call_id);
	if (!c)
		return pcrm_error_last_status();
	if (c->state != want)
		return pcrm__error(PCRM_ESTATE, "call %s: %s is not allowed while %s", call_id, what,
		                   pcrm_acd_call_state_name(c->state));
	*out = c;
	return PCRM_OK;
}

int pcrm_acd_call_hold(pcrm_acd *acd, const char *call_id)
{
	struct acd_call *c;
	int rc;
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = talking_call(acd, call_id, PCRM_ACD_CALL_TALKING, "hold", &c)) < 0)
		return acd_leave(acd, rc);
	c->talk_ms += acd->now - c->talk_since;
	c->held_since = acd->now;
	c->state = PCRM_ACD_CALL_HELD;
	acd_agent_set_state(acd, c->agent, PCRM_ACD_HELD, NULL);
	acd_emit_call(acd, PCRM_ACD_EV_CALL_HELD, c, c->agent);
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_call_unhold(pcrm_acd *acd, const char *call_id)
{
	struct acd_call *c;
	int rc;
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = talking_call(acd, call_id, PCRM_ACD_CALL_HELD, "unhold", &c)) < 0)
		return acd_leave(acd, rc);
	c->hold_ms += acd->now - c->held_since;
	c->talk_since = acd->now;
	c->state = PCRM_ACD_CALL_TALKING;
	acd_agent_set_state(acd, c->agent, PCRM_ACD_TALKING, NULL);
	acd_emit_call(acd, PCRM_ACD_EV_CALL_RESUMED, c, c->agent);
	return acd_leave(acd, PCRM_OK);
}

static void end_conversation(pcrm_acd *acd, struct acd_call *c)
{
	struct acd_agent *a = c->agent;
	struct acd_queue *q = c->queue;
	pcrm_acd_event ev;

	if (c->state == PCRM_ACD_CALL_HELD)
		c->hold_ms += acd->now - c->held_since;
	else
		c->talk_ms += acd->now - c->talk_since;
	c->ended_at = acd->now;
	a->login_talk_ms += c->talk_ms;
	acd_idmap_del(&acd->call_map, c->id);
	acd->calls_live--;
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_ENDED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.agent_id, a->id);
	acd_copy_id(ev.queue_id, q->id);
	ev.talk_ms = c->talk_ms;
	ev.hold_ms = c->hold_ms;
	ev.wait_ms = c->answered_at - c->arrived_at;
	acd_emit(acd, &ev);
	/* the call stays with its agent until the wrap-up ends, then leaves as a CDR */
	acd_agent_set_state(acd, a, PCRM_ACD_WRAP_UP, NULL);
	if (q->wrap_up_s > 0)
		acd_timer_set(acd, &a->wrap_timer, acd->now + (pcrm_acd_ms)q->wrap_up_s * 1000);
	else
		acd_agent_wrap_up_end(acd, a);
}

static void abandon(pcrm_acd *acd, struct acd_call *c)
{
	struct acd_queue *q = c->queue;
	pcrm_acd_ms wait = acd->now - c->arrived_at;
	int is_short = wait <= (pcrm_acd_ms)acd->opt.short_abandon_s * 1000;
	pcrm_acd_queue_counts *qc[2] = { &q->total, acd_queue_interval(acd, q) };
	pcrm_acd_event ev;

	acd_timer_cancel(acd, &c->ring);
	for (int i = 0; i < 2; i++) {
		qc[i]->abandoned++;
		qc[i]->short_abandoned += (uint64_t)is_short;
	}
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_ABANDONED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, q->id);
	ev.wait_ms = wait;
	ev.count = (uint64_t)is_short;
	acd_emit(acd, &ev);
	/* agents it rang at are freed after the call is gone, so none is offered it again */
	size_t n = c->noffered;
	struct acd_agent *stack[16], **freed = n <= 16 ? stack : malloc(n * sizeof(*freed));
	if (freed) {
		memcpy(freed, c->offered, n * sizeof(*freed));
		for (size_t i = 0; i < n; i++) {
			acd_offer_withdraw_one(acd, c, freed[i]);
			acd_emit_call(acd, PCRM_ACD_EV_OFFER_WITHDRAWN, c, freed[i]);
		}
	}
	acd_call_drop(acd, c, PCRM_ACD_OUTCOME_ABANDONED);
	for (size_t i = 0; freed && i < n; i++)
		acd_agent_after_offer(acd, freed[i], 0);
	if (freed && freed != stack)
		free(freed);
}

int pcrm_acd_call_hangup(pcrm_acd *acd, const char *call_id)
{
	struct acd_call *c;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if (!(c = acd_call_find(acd, call_id)))
		return acd_leave(acd, pcrm_error_last_status());
	if (c->state == PCRM_ACD_CALL_TALKING || c->state == PCRM_ACD_CALL_HELD)
		end_conversation(acd, c);
	else
		abandon(acd, c);
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_call_get(pcrm_acd *acd, const char *call_id, pcrm_acd_call_info *out)
{
	struct acd_call *c;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_CALL_INFO);
	if (rc)
		return rc;
	acd_enter(acd);
	if (!(c = acd_call_find(acd, call_id)))
		return acd_leave(acd, pcrm_error_last_status());
	memset(out, 0, sizeof(*out));
	out->version = PCRM_ACD_CALL_INFO_VERSION;
	acd_copy_id(out->call_id, c->id);
	acd_copy_id(out->queue_id, c->queue->id);
	struct acd_agent *a = c->agent ? c->agent : c->noffered ? c->offered[0] : NULL;
	acd_copy_id(out->agent_id, a ? a->id : "");
	out->state = c->state;
	out->priority = c->priority;
	out->min_level = c->min_level;
	out->queue_count = c->state == PCRM_ACD_CALL_WAITING ? c->nentries : 0;
	out->arrived_at = c->arrived_at;
	out->misses = c->misses;
	return acd_leave(acd, PCRM_OK);
}
