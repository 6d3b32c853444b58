/*
 * Supervisor actions (班长席, docs/acd.md, Supervisors): force an agent's
 * state, log an agent out, move a waiting call, and monitor / whisper /
 * barge requests handed to the telephony adapter as events.  The actor
 * needs call.monitor (monitor role, or admin from level 2) and must work in
 * the target's org unit or above it, by the org units the engine was told.
 *
 * The actor is checked alone first; then an agent, call or queue id that
 * nobody has is refused exactly like one outside the actor's subtree (same
 * status, same words), so no supervisor action tells which agents, calls or
 * queues exist in other units (docs/security.md, "No existence oracle").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

static const char *const mode_names[] = { "monitor", "whisper", "barge" };

const char *pcrm_acd_supervise_mode_name(pcrm_acd_supervise_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : NULL;
}

static int org_find(const pcrm_acd *acd, const char *code)
{
	for (size_t i = 0; i < acd->norgs; i++)
		if (strcmp(acd->orgs[i].code, code) == 0)
			return (int)i;
	return -1;
}

int acd_org_add(pcrm_acd *acd, const char *code, const char *parent)
{
	int rc, p = -1;
	if ((rc = acd_check_id("code", code)) < 0)
		return rc;
	if (org_find(acd, code) >= 0)
		return pcrm__error(PCRM_EDUPLICATE, "code: \"%s\" is already an org unit", code);
	if (parent) {
		if ((rc = acd_check_id("parent_code", parent)) < 0)
			return rc;
		if ((p = org_find(acd, parent)) < 0)
			return pcrm__error(PCRM_ENOTFOUND, "parent_code: \"%s\" is not an org unit "
			                                   "(declare parents first)", parent);
	}
	if (acd->norgs == acd->orgs_cap) {
		size_t cap = acd->orgs_cap ? acd->orgs_cap * 2 : 16;
		struct acd_org *grown = realloc(acd->orgs, cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		acd->orgs = grown;
		acd->orgs_cap = cap;
	}
	acd_copy_id(acd->orgs[acd->norgs].code, code);
	acd->orgs[acd->norgs++].parent = p;
	return PCRM_OK;
}

int pcrm_acd_org_unit_add(pcrm_acd *acd, const char *code, const char *parent_code)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	return acd_leave(acd, acd_org_add(acd, code, parent_code));
}

/* Whether the actor's unit is `target_org` or above it; a target without a unit is everyone's. */
static int supervises(const pcrm_acd *acd, const pcrm_actor *actor, const char *target_org)
{
	if (!target_org[0] || strcmp(actor->org_unit, target_org) == 0)
		return 1;
	for (int i = org_find(acd, target_org); i >= 0; i = acd->orgs[i].parent)
		if (strcmp(acd->orgs[i].code, actor->org_unit) == 0)
			return 1;
	return 0;
}

/* The actor alone: call.monitor, and an org unit the engine knows. */
static int check_actor(const pcrm_acd *acd, const pcrm_actor *actor)
{
	int rc;
	if (!actor)
		return pcrm__error(PCRM_EINVAL, "actor: missing");
	if ((rc = pcrm_actor_validate(actor)) < 0)
		return rc;
	if (!pcrm_actor_can(actor, PCRM_PERM_CALL_MONITOR))
		return pcrm__error(PCRM_EPERM, "actor: role %s at level %d may not supervise agents "
		                   "(needs call.monitor)", pcrm_role_name(actor->role), actor->level);
	/* as in the store (pcrm_authorize): an actor of a unit the engine does not know is nobody */
	if (acd->norgs > 0 && org_find(acd, actor->org_unit) < 0)
		return pcrm__error(PCRM_EPERM, "actor.org_unit: \"%.32s\" is not an org unit of this "
		                   "engine", actor->org_unit);
	return PCRM_OK;
}

/*
 * The one refusal of a target (`kind`: "agent", "call", "queue") that is outside the actor's
 * subtree or does not exist: the words of the store's refusal (pcrm__authorize_object()),
 * without the id or the target's unit.
 */
static int refuse_target(const pcrm_actor *actor, const char *kind)
{
	pcrm__error_at(PCRM_EPERM, "permission.denied", kind,
	               "%s: unknown or outside the org subtree of %s's org unit %.32s", kind,
	               actor->operator_id, actor->org_unit);
	pcrm__error_value("org_unit", "%.32s", actor->org_unit);
	return PCRM_EPERM;
}

/*
 * Every supervisor action on one agent starts the same way: the actor alone (permission, a
 * unit the engine knows), then the agent, found and supervised by the actor or refused alike.
 * One place for it keeps the error text and the order of the checks the same for every such
 * action.  The caller holds the acd lock.
 */
static int supervised_agent(pcrm_acd *acd, const pcrm_actor *actor, const char *agent_id,
                            struct acd_agent **out)
{
	struct acd_agent *a;
	int rc;

	if ((rc = check_actor(acd, actor)) < 0 ||
	    (rc = acd_check_id("agent_id", agent_id)) < 0)
		return rc;
	a = acd_idmap_get(&acd->agent_map, agent_id);
	if (!a || !supervises(acd, actor, a->org))
		return refuse_target(actor, "agent");
	*out = a;
	return PCRM_OK;
}

/* An offered agent leaves the offer without a miss; the call returns to its queue's front. */
static void withdraw_offer(pcrm_acd *acd, struct acd_agent *a)
{
	struct acd_call *c = a->call;
	acd_offer_withdraw_one(acd, c, a);
	acd_emit_call(acd, PCRM_ACD_EV_OFFER_WITHDRAWN, c, a);
	if (c->noffered == 0)
		acd_call_requeue(acd, c);
}

int pcrm_acd_agent_force_state(pcrm_acd *acd, const pcrm_actor *actor, const char *agent_id,
                               pcrm_acd_agent_state state, const char *reason)
{
	struct acd_agent *a;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = supervised_agent(acd, actor, agent_id, &a)) < 0)
		return acd_leave(acd, rc);
	if (state != PCRM_ACD_LOGGED_OUT && state != PCRM_ACD_READY && state != PCRM_ACD_NOT_READY)
		return acd_leave(acd, pcrm__error(PCRM_EINVAL, "state: %d is not logged_out, ready or "
		                                               "not_ready", (int)state));
	if (state == PCRM_ACD_NOT_READY) {
		if ((rc = acd_check_id("reason", reason)) < 0)
			return acd_leave(acd, rc);
		if (!acd_reason_known(acd, reason))
			return acd_leave(acd, pcrm__error(PCRM_EINVAL, "reason: \"%s\" is not a not-ready "
			                                               "reason code", reason));
	}
	if (a->state == PCRM_ACD_TALKING || a->state == PCRM_ACD_HELD)
		return acd_leave(acd, pcrm__error(PCRM_ESTATE, "agent %s: a forced state change is not "
		                                  "allowed while %s", a->id,
		                                  pcrm_acd_agent_state_name(a->state)));
	if (a->state == PCRM_ACD_RESERVED)
		withdraw_offer(acd, a);
	if (a->state == state && state == PCRM_ACD_READY)
		return acd_leave(acd, PCRM_OK);
	return acd_leave(acd, acd_agent_leave_to(acd, a, state, reason));
}

int pcrm_acd_agent_force_logout(pcrm_acd *acd, const pcrm_actor *actor, const char *agent_id)
{
	return pcrm_acd_agent_force_state(acd, actor, agent_id, PCRM_ACD_LOGGED_OUT, NULL);
}

int pcrm_acd_call_move(pcrm_acd *acd, const pcrm_actor *actor, const char *call_id,
                       const char *queue_id)
{
	struct acd_call *c;
	struct acd_queue *to, *from;
	pcrm_acd_event ev;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	/*
	 * The actor alone first (an empty target); then a call that is not live and one waiting
	 * in a queue of another unit are refused alike, and so are a queue id nobody has and a
	 * queue of another unit: nobody learns which calls are live or which queues exist.
	 */
	if ((rc = check_actor(acd, actor)) < 0 ||
	    (rc = acd_check_id("call_id", call_id)) < 0)
		return acd_leave(acd, rc);
	c = acd_idmap_get(&acd->call_map, call_id);
	if (!c || !supervises(acd, actor, c->queue->org))
		return acd_leave(acd, refuse_target(actor, "call"));
	if ((rc = acd_check_id("queue_id", queue_id)) < 0)
		return acd_leave(acd, rc);
	to = acd_idmap_get(&acd->queue_map, queue_id);
	if (!to || !supervises(acd, actor, to->org))
		return acd_leave(acd, refuse_target(actor, "queue"));
	from = c->queue;
	if (c->state != PCRM_ACD_CALL_WAITING)
		return acd_leave(acd, pcrm__error(PCRM_ESTATE, "call %s: move is not allowed while %s",
		                                  c->id, pcrm_acd_call_state_name(c->state)));
	if (to == from)
		return acd_leave(acd, pcrm__error(PCRM_EINVAL, "queue_id: the call already waits in "
		                                               "queue %s", to->id));
	acd_call_unwait(acd, c);
	if ((rc = acd_call_enter_queue(acd, c, to)) < 0) {
		acd_call_wait(acd, c);
		return acd_leave(acd, rc);
	}
	if (c->preferred) { /* a supervisor's choice overrides the wait for the preferred agent */
		acd_heap_release(&c->preferred->personal);
		c->preferred = NULL;
		acd_timer_cancel(acd, &c->fallback);
	}
	from->total.moved_out++;
	acd_queue_interval(acd, from)->moved_out++;
	c->overflows++;
	acd_event_init(acd, &ev, PCRM_ACD_EV_CALL_MOVED);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, from->id);
	acd_copy_id(ev.target_id, to->id);
	acd_copy_id(ev.supervisor_id, actor->operator_id);
	ev.wait_ms = acd->now - c->arrived_at;
	acd_emit(acd, &ev);
	acd_emit_queue_stats(acd, from);
	acd_call_wait(acd, c);
	acd_dispatch_call(acd, c);
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_supervise(pcrm_acd *acd, const pcrm_actor *actor, const char *agent_id,
                       pcrm_acd_supervise_mode mode)
{
	struct acd_agent *a;
	pcrm_acd_event ev;
	int rc;

	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	if ((rc = supervised_agent(acd, actor, agent_id, &a)) < 0)
		return acd_leave(acd, rc);
	if (!pcrm_acd_supervise_mode_name(mode))
		return acd_leave(acd, pcrm__error(PCRM_EINVAL, "mode: %d is not monitor, whisper or "
		                                               "barge", (int)mode));
	if (a->state != PCRM_ACD_TALKING && a->state != PCRM_ACD_HELD)
		return acd_leave(acd, pcrm__error(PCRM_ESTATE, "agent %s: %s is not allowed while %s",
		                                  a->id, mode_names[mode],
		                                  pcrm_acd_agent_state_name(a->state)));
	acd_event_init(acd, &ev, PCRM_ACD_EV_SUPERVISE);
	acd_copy_id(ev.agent_id, a->id);
	acd_copy_id(ev.call_id, a->call->id);
	acd_copy_id(ev.queue_id, a->call->queue->id);
	acd_copy_id(ev.supervisor_id, actor->operator_id);
	ev.mode = mode;
	acd_emit(acd, &ev);
	return acd_leave(acd, PCRM_OK);
}
