/*
 * Agents: skills and queue memberships, and the state machine (docs/acd.md,
 * Agent states).  Every state change goes through acd_agent_set_state(),
 * which keeps the idle index, the logged-in counts, the time-in-state
 * accounting and the agent_state event in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static const char *const state_names[] = {
	"logged_out", "ready", "not_ready", "reserved", "talking", "held", "wrap_up",
};

const char *pcrm_acd_agent_state_name(pcrm_acd_agent_state s)
{
	return (unsigned)s < PCRM_ACD_STATE_COUNT ? state_names[s] : NULL;
}

struct acd_agent *acd_agent_find(pcrm_acd *acd, const char *id)
{
	if (acd_check_id("agent_id", id) < 0)
		return NULL;
	struct acd_agent *a = acd_idmap_get(&acd->agent_map, id);
	if (!a)
		pcrm__error(PCRM_ENOTFOUND, "agent_id: \"%s\" is not an agent", id);
	return a;
}

void acd_agent_set_state(pcrm_acd *acd, struct acd_agent *a, pcrm_acd_agent_state s,
                         const char *reason)
{
	pcrm_acd_agent_state prev = a->state;

	acd_agent_account(acd, a);
	if (prev == PCRM_ACD_READY)
		acd_agent_index_unready(acd, a);
	if (prev == PCRM_ACD_LOGGED_OUT && s != PCRM_ACD_LOGGED_OUT) {
		for (size_t i = 0; i < a->nmembers; i++)
			a->members[i]->queue->logged_in++;
		a->login_calls = 0;
		a->login_talk_ms = 0;
		a->misses = 0;
	} else if (s == PCRM_ACD_LOGGED_OUT && prev != PCRM_ACD_LOGGED_OUT) {
		for (size_t i = 0; i < a->nmembers; i++)
			a->members[i]->queue->logged_in--;
	}
	a->state = s;
	acd_copy_id(a->reason, s == PCRM_ACD_NOT_READY && reason ? reason : "");
	a->state_since = acd->now;
	if (s == PCRM_ACD_READY) {
		a->idle_since = acd->now;
		a->ready_seq = ++acd->ready_seq;
		if (!acd->defer_index)
			acd_agent_index_ready(acd, a);
	}
	acd_emit_agent_state(acd, a, prev);
	/* calls waiting for an agent who left need not wait any longer */
	struct acd_call *c;
	while (s == PCRM_ACD_LOGGED_OUT && (c = acd_heap_top(&a->personal)))
		acd_fallback_fire(acd, c);
}

/*
 * The agent looks for a call before it enters the idle index: when calls
 * wait (the busy hours), it goes straight on to reserved and the index is
 * not touched twice.
 */
static void become_ready(pcrm_acd *acd, struct acd_agent *a)
{
	acd->defer_index = 1;
	acd_agent_set_state(acd, a, PCRM_ACD_READY, NULL);
	acd->defer_index = 0;
	acd_dispatch_agent(acd, a);
	if (a->state == PCRM_ACD_READY)
		acd_agent_index_ready(acd, a);
}

static int count_miss(pcrm_acd *acd, struct acd_agent *a)
{
	a->call = NULL;
	a->misses++;
	a->total.missed++;
	acd_agent_interval(acd, a)->missed++;
	if (a->misses < acd->opt.max_misses)
		return 0;
	acd_agent_set_state(acd, a, PCRM_ACD_NOT_READY, "missed");
	return 1;
}

void acd_agent_count_miss(pcrm_acd *acd, struct acd_agent *a)
{
	if (!count_miss(acd, a))
		acd_agent_set_state(acd, a, PCRM_ACD_READY, NULL);
}

void acd_agent_after_offer(pcrm_acd *acd, struct acd_agent *a, int missed)
{
	a->call = NULL;
	if (!missed || !count_miss(acd, a))
		become_ready(acd, a);
}

/* The wrap-up of the agent's last call ends: the call is counted as handled and leaves as a CDR. */
static void wrap_up_finish(pcrm_acd *acd, struct acd_agent *a)
{
	struct acd_call *c = a->call;
	int64_t wrap = acd->now - c->ended_at;
	pcrm_acd_queue_counts *qc[2] = { &c->queue->total, acd_queue_interval(acd, c->queue) };
	pcrm_acd_agent_counts *ac[2] = { &a->total, acd_agent_interval(acd, a) };

	acd_timer_cancel(acd, &a->wrap_timer);
	for (int i = 0; i < 2; i++) {
		qc[i]->handled++;
		qc[i]->talk_ms += c->talk_ms;
		qc[i]->hold_ms += c->hold_ms;
		qc[i]->wrap_up_ms += wrap;
		ac[i]->handled++;
		ac[i]->talk_ms += c->talk_ms;
		ac[i]->hold_ms += c->hold_ms;
		ac[i]->wrap_up_ms += wrap;
	}
	acd_cdr_emit(acd, c, PCRM_ACD_OUTCOME_ANSWERED, acd->now);
	a->call = NULL;
	acd_call_destroy(acd, c);
}

void acd_agent_wrap_up_end(pcrm_acd *acd, struct acd_agent *a)
{
	wrap_up_finish(acd, a);
	become_ready(acd, a);
}

void acd_agent_free(struct acd_agent *a)
{
	for (size_t i = 0; i < a->nmembers; i++)
		free(a->members[i]);
	free(a->members);
	free(a->skills);
	acd_heap_free(&a->personal);
	free(a);
}

/* ---- skills and memberships ---- */

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return PCRM_OK;
	size_t n = *cap ? *cap * 2 : 4;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * size);
	if (!p)
		return pcrm__error_oom();
	*arr = p;
	*cap = n;
	return PCRM_OK;
}

int acd_member_add(pcrm_acd *acd, struct acd_agent *a, struct acd_queue *q, int level)
{
	struct acd_member *m;
	(void)acd;
	if (grow((void **)&a->members, &a->members_cap, a->nmembers + 1, sizeof(*a->members)) < 0 ||
	    grow((void **)&q->members, &q->members_cap, q->nmembers + 1, sizeof(*q->members)) < 0)
		return PCRM_ENOMEM;
	if (!(m = calloc(1, sizeof(*m))))
		return pcrm__error_oom();
	if (acd_heap_claim(&q->idle[level - 1]) < 0) {
		free(m);
		return PCRM_ENOMEM;
	}
	m->agent = a;
	m->queue = q;
	m->level = level;
	m->pos = ACD_HEAP_NONE;
	m->rr_key = ++q->rr_turn; /* round robin: members take turns in the order they joined */
	a->members[a->nmembers++] = m;
	q->members[q->nmembers++] = m;
	if (a->state != PCRM_ACD_LOGGED_OUT)
		q->logged_in++;
	if (a->state == PCRM_ACD_READY) {
		acd_member_key(acd, m);
		acd_heap_push(&q->idle[level - 1], m, m->key);
	}
	return PCRM_OK;
}

static void member_remove(struct acd_agent *a, size_t index)
{
	struct acd_member *m = a->members[index];
	struct acd_queue *q = m->queue;
	if (m->pos != ACD_HEAP_NONE)
		acd_heap_remove(&q->idle[m->level - 1], m);
	acd_heap_release(&q->idle[m->level - 1]);
	for (size_t i = 0; i < q->nmembers; i++)
		if (q->members[i] == m) {
			q->members[i] = q->members[--q->nmembers];
			break;
		}
	if (a->state != PCRM_ACD_LOGGED_OUT)
		q->logged_in--;
	a->members[index] = a->members[--a->nmembers];
	free(m);
}

static int member_set_level(struct acd_member *m, int level)
{
	struct acd_queue *q = m->queue;
	int was_idle = m->pos != ACD_HEAP_NONE;
	if (acd_heap_claim(&q->idle[level - 1]) < 0)
		return PCRM_ENOMEM;
	if (was_idle)
		acd_heap_remove(&q->idle[m->level - 1], m);
	acd_heap_release(&q->idle[m->level - 1]);
	m->level = level;
	if (was_idle)
		acd_heap_push(&q->idle[level - 1], m, m->key);
	return PCRM_OK;
}

static int check_level(const char *path, int level, int lo)
{
	if (level < lo || level > PCRM_ACD_LEVEL_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %d is not %d..%d", path, level, lo,
		                   PCRM_ACD_LEVEL_MAX);
	return PCRM_OK;
}

/* Sets (level > 0) or removes (0) one skill; the caller checked the inputs. */
static int skill_set(pcrm_acd *acd, struct acd_agent *a, const char *skill, int level)
{
	struct acd_queue *q = acd_idmap_get(&acd->queue_map, skill);
	size_t i = 0;
	while (i < a->nskills && strcmp(a->skills[i].name, skill) != 0)
		i++;
	size_t mi = 0;
	while (q && mi < a->nmembers && a->members[mi]->queue != q)
		mi++;

	if (level == 0) {
		if (i == a->nskills)
			return PCRM_OK;
		if (q && mi < a->nmembers)
			member_remove(a, mi);
		a->skills[i] = a->skills[--a->nskills];
		return PCRM_OK;
	}
	if (i == a->nskills) {
		if (grow((void **)&a->skills, &a->skills_cap, a->nskills + 1, sizeof(*a->skills)) < 0)
			return PCRM_ENOMEM;
		if (q && acd_member_add(acd, a, q, level) < 0)
			return PCRM_ENOMEM;
		acd_copy_id(a->skills[a->nskills].name, skill);
		a->skills[a->nskills++].level = level;
		return PCRM_OK;
	}
	if (q && mi < a->nmembers && member_set_level(a->members[mi], level) < 0)
		return PCRM_ENOMEM;
	a->skills[i].level = level;
	return PCRM_OK;
}

int acd_agent_add_locked(pcrm_acd *acd, const char *id, const char *org,
                         const pcrm_acd_skill *skills, size_t n, const char *path)
{
	char field[160];
	struct acd_agent *a;
	int rc;

	snprintf(field, sizeof(field), "%s.id", path);
	if ((rc = acd_check_id(field, id)) < 0)
		return rc;
	if (acd_idmap_get(&acd->agent_map, id))
		return pcrm__error(PCRM_EDUPLICATE, "%s: \"%s\" is already an agent", field, id);
	if (org) {
		snprintf(field, sizeof(field), "%s.org_unit", path);
		if ((rc = acd_check_id(field, org)) < 0)
			return rc;
	}
	if (n && !skills)
		return pcrm__error(PCRM_EINVAL, "%s.skills: missing", path);
	for (size_t i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "%s.skills[%zu].skill", path, i);
		if ((rc = acd_check_id(field, skills[i].skill)) < 0)
			return rc;
		snprintf(field, sizeof(field), "%s.skills[%zu].level", path, i);
		if ((rc = check_level(field, skills[i].level, 1)) < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(skills[j].skill, skills[i].skill) == 0)
				return pcrm__error(PCRM_EINVAL, "%s.skills[%zu]: \"%s\" is listed twice",
				                   path, i, skills[i].skill);
	}
	if (grow((void **)&acd->agents, &acd->agents_cap, acd->nagents + 1, sizeof(*acd->agents)) < 0 ||
	    acd_idmap_reserve(&acd->agent_map, 1) < 0 || !(a = calloc(1, sizeof(*a))))
		return pcrm__error_oom();
	if (acd_timer_reserve(acd, 1) < 0) {
		free(a);
		return PCRM_ENOMEM;
	}
	acd_copy_id(a->id, id);
	acd_copy_id(a->org, org ? org : "");
	a->state = PCRM_ACD_LOGGED_OUT;
	a->state_since = a->accounted_since = a->idle_since = acd->now;
	a->interval_of = acd->interval_start;
	acd_heap_init(&a->personal, offsetof(struct acd_call, ppos));
	acd_timer_init(&a->wrap_timer, ACD_TIMER_WRAP_UP, a);
	for (size_t i = 0; i < n; i++)
		if (skill_set(acd, a, skills[i].skill, skills[i].level) < 0) {
			for (size_t k = a->nmembers; k-- > 0;)
				member_remove(a, k);
			acd_timer_unreserve(acd, 1);
			acd_agent_free(a);
			return PCRM_ENOMEM;
		}
	acd->agents[acd->nagents++] = a;
	acd_idmap_put(&acd->agent_map, a);
	return PCRM_OK;
}

int pcrm_acd_agent_add(pcrm_acd *acd, const char *agent_id, const char *org_unit,
                       const pcrm_acd_skill *skills, size_t skill_count)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	return acd_leave(acd, acd_agent_add_locked(acd, agent_id, org_unit, skills, skill_count,
	                                           "agent"));
}

int pcrm_acd_agent_set_skill(pcrm_acd *acd, const char *agent_id, const char *skill, int level)
{
	struct acd_agent *a;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if (!(a = acd_agent_find(acd, agent_id)))
		return acd_leave(acd, pcrm_error_last_status());
	if ((rc = acd_check_id("skill", skill)) < 0 || (rc = check_level("level", level, 0)) < 0 ||
	    (rc = skill_set(acd, a, skill, level)) < 0)
		return acd_leave(acd, rc);
	acd_dispatch_agent(acd, a);
	return acd_leave(acd, PCRM_OK);
}

/* ---- the agent's own requests ---- */

static int refuse(const struct acd_agent *a, const char *what)
{
	return pcrm__error(PCRM_ESTATE, "agent %s: %s is not allowed while %s", a->id, what,
	                   pcrm_acd_agent_state_name(a->state));
}

/* Leaves whatever state the agent is in for `s` (ready, not_ready, logged_out). */
int acd_agent_leave_to(pcrm_acd *acd, struct acd_agent *a, pcrm_acd_agent_state s,
                       const char *reason)
{
	if (a->state == PCRM_ACD_WRAP_UP)
		wrap_up_finish(acd, a);
	if (s == PCRM_ACD_READY)
		become_ready(acd, a);
	else
		acd_agent_set_state(acd, a, s, reason);
	return PCRM_OK;
}

static int agent_request(pcrm_acd *acd, const char *agent_id, pcrm_acd_agent_state to,
                         const char *reason, const char *what, unsigned allowed_from)
{
	struct acd_agent *a;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if (!(a = acd_agent_find(acd, agent_id)))
		return acd_leave(acd, pcrm_error_last_status());
	if (to == PCRM_ACD_NOT_READY) {
		if ((rc = acd_check_id("reason", reason)) < 0)
			return acd_leave(acd, rc);
		if (!acd_reason_known(acd, reason))
			return acd_leave(acd, pcrm__error(PCRM_EINVAL,
			                                  "reason: \"%s\" is not a not-ready reason code",
			                                  reason));
	}
	if (!(allowed_from & (1u << a->state)))
		return acd_leave(acd, refuse(a, what));
	return acd_leave(acd, acd_agent_leave_to(acd, a, to, reason));
}

#define FROM(s) (1u << (s))

int pcrm_acd_agent_login(pcrm_acd *acd, const char *agent_id)
{
	return agent_request(acd, agent_id, PCRM_ACD_NOT_READY, "login", "login",
	                     FROM(PCRM_ACD_LOGGED_OUT));
}

int pcrm_acd_agent_logout(pcrm_acd *acd, const char *agent_id)
{
	return agent_request(acd, agent_id, PCRM_ACD_LOGGED_OUT, NULL, "logout",
	                     FROM(PCRM_ACD_READY) | FROM(PCRM_ACD_NOT_READY) | FROM(PCRM_ACD_WRAP_UP));
}

int pcrm_acd_agent_ready(pcrm_acd *acd, const char *agent_id)
{
	return agent_request(acd, agent_id, PCRM_ACD_READY, NULL, "ready",
	                     FROM(PCRM_ACD_NOT_READY) | FROM(PCRM_ACD_WRAP_UP));
}

int pcrm_acd_agent_not_ready(pcrm_acd *acd, const char *agent_id, const char *reason)
{
	return agent_request(acd, agent_id, PCRM_ACD_NOT_READY, reason, "not_ready",
	                     FROM(PCRM_ACD_READY) | FROM(PCRM_ACD_NOT_READY) | FROM(PCRM_ACD_WRAP_UP));
}

int pcrm_acd_agent_end_wrap_up(pcrm_acd *acd, const char *agent_id)
{
	return agent_request(acd, agent_id, PCRM_ACD_READY, NULL, "end_wrap_up",
	                     FROM(PCRM_ACD_WRAP_UP));
}

int pcrm_acd_agent_get(pcrm_acd *acd, const char *agent_id, pcrm_acd_agent_info *out)
{
	struct acd_agent *a;

	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_AGENT_INFO);
	if (rc)
		return rc;
	acd_enter(acd);
	if (!(a = acd_agent_find(acd, agent_id)))
		return acd_leave(acd, pcrm_error_last_status());
	memset(out, 0, sizeof(*out));
	out->version = PCRM_ACD_AGENT_INFO_VERSION;
	acd_copy_id(out->agent_id, a->id);
	out->state = a->state;
	acd_copy_id(out->reason, a->reason);
	acd_copy_id(out->call_id, a->call ? a->call->id : "");
	out->state_since = a->state_since;
	out->consecutive_misses = a->misses;
	return acd_leave(acd, PCRM_OK);
}
