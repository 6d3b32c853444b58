/*
 * Restart and re-synchronisation (docs/adapter-guide.md, Re-synchronisation):
 * the switch re-announces its agents and calls between snapshot_begin and
 * snapshot_end; snapshot_end brings the adapter and the ACD to that picture
 * without losing or duplicating a call:
 *
 *  1. the snapshot's agents are bound to their devices and logged in;
 *  2. tracked calls the snapshot lacks were cleared meanwhile: ended;
 *  3. tracked calls in another state than the snapshot's are re-placed;
 *  4. calls at an agent (alerting, connected, held) are placed with that
 *     agent: the agent is made ready and the call arrives with the agent as
 *     its preferred agent, so the ACD offers it there at once (no route is
 *     sent: the call is already at the device), then answered / held;
 *  5. queued calls arrive afresh in the order they reached the switch;
 *  6. the agents' states are set, and agents the snapshot lacks log out.
 *
 * Calls at an agent come before queued calls so that making an agent ready
 * cannot hand it a waiting call instead.  The ACD has no way to place a call
 * directly in a state or with its original arrival time: restored calls
 * count as offered anew and their wait starts at the re-synchronisation
 * (docs/adapter-guide.md, "What the ACD does not offer the adapter yet", asks the ACD for both).
 */
#include <stdlib.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/vec.h"

struct snap_agent {
	char id[TEL_ID_SIZE];
	char device[TEL_ID_SIZE];
	pcrm_tel_agent_state state;
	char reason[TEL_ID_SIZE];
};

struct snap_call {
	char id[TEL_ID_SIZE];
	pcrm_tel_call_state state;
	char device[TEL_ID_SIZE];
	char caller[TEL_NUMBER_SIZE], dialled[TEL_NUMBER_SIZE];
	char digits[TEL_DIGITS_SIZE], service[TEL_ID_SIZE];
	pcrm_acd_ms since;
};

/* The open snapshot, in arrival order, with an index of its calls. */
struct tel_snapshot {
	struct pcrm__vec agents, calls;
	struct acd_idmap call_index, agent_index;
};

void tel_snapshot_free(pcrm_tel *tel)
{
	struct tel_snapshot *s = tel->snapshot;
	if (!s)
		return;
	pcrm__vec_free(&s->agents);
	pcrm__vec_free(&s->calls);
	acd_idmap_free(&s->call_index);
	acd_idmap_free(&s->agent_index);
	free(s);
	tel->snapshot = NULL;
}

int pcrm_tel_snapshot_begin(pcrm_tel *tel)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "snapshot_begin: tel: missing");
	int rc = PCRM_OK;
	pthread_mutex_lock(&tel->lock);
	if (tel->snapshot) {
		rc = pcrm__error(PCRM_ESTATE, "snapshot_begin: a snapshot is already open");
	} else if (!(tel->snapshot = calloc(1, sizeof(*tel->snapshot)))) {
		rc = pcrm__error_oom();
	} else {
		acd_idmap_init(&tel->snapshot->call_index, offsetof(struct snap_call, id));
		acd_idmap_init(&tel->snapshot->agent_index, offsetof(struct snap_agent, id));
	}
	pthread_mutex_unlock(&tel->lock);
	return rc;
}

static int add_item(pcrm_tel *tel, const char *what, struct pcrm__vec *v, struct acd_idmap *index,
                    void *item, const char *id)
{
	int rc = PCRM_OK;
	if (!tel->snapshot)
		rc = pcrm__error(PCRM_ESTATE, "%s: no snapshot is open (snapshot_begin)", what);
	else if (acd_idmap_get(index, id))
		rc = pcrm__error(PCRM_EDUPLICATE, "%s: %.63s is in the snapshot twice", what, id);
	else if (acd_idmap_reserve(index, 1) || pcrm__vec_push(v, item))
		rc = pcrm__error_oom();
	else
		acd_idmap_put(index, item);
	return rc;
}

int pcrm_tel_snapshot_agent(pcrm_tel *tel, const pcrm_tel_snapshot_agent_info *a)
{
	const char *what = "snapshot_agent";
	int rc;
	if (!tel || !a)
		return pcrm__error(PCRM_EINVAL, "%s: %s: missing", what, tel ? "agent" : "tel");
	if (a->version != PCRM_TEL_SNAPSHOT_VERSION || a->size < sizeof(*a))
		return pcrm__error(PCRM_EINVAL, "%s: size/version: not a version %d snapshot agent",
		                   what, PCRM_TEL_SNAPSHOT_VERSION);
	if ((rc = tel_check_id(what, "agent_id", a->agent_id, 1)) ||
	    (rc = tel_check_id(what, "device_id", a->device_id, 1)) ||
	    (rc = tel_check_id(what, "reason", a->reason, 0)))
		return rc;
	if ((unsigned)a->state > PCRM_TEL_AGENT_WORK_NOT_READY)
		return pcrm__error(PCRM_EINVAL, "%s: state: %d is not a pcrm_tel_agent_state", what,
		                   (int)a->state);
	struct snap_agent *s = calloc(1, sizeof(*s));
	if (!s)
		return pcrm__error_oom();
	tel_copy(s->id, sizeof(s->id), a->agent_id);
	tel_copy(s->device, sizeof(s->device), a->device_id);
	tel_copy(s->reason, sizeof(s->reason), a->reason);
	s->state = a->state;
	pthread_mutex_lock(&tel->lock);
	rc = tel->snapshot ? add_item(tel, what, &tel->snapshot->agents, &tel->snapshot->agent_index,
	                              s, s->id)
	                   : add_item(tel, what, NULL, NULL, s, s->id);
	pthread_mutex_unlock(&tel->lock);
	if (rc)
		free(s);
	return rc;
}

int pcrm_tel_snapshot_call(pcrm_tel *tel, const pcrm_tel_snapshot_call_info *c)
{
	const char *what = "snapshot_call";
	int rc;
	if (!tel || !c)
		return pcrm__error(PCRM_EINVAL, "%s: %s: missing", what, tel ? "call" : "tel");
	if (c->version != PCRM_TEL_SNAPSHOT_VERSION || c->size < sizeof(*c))
		return pcrm__error(PCRM_EINVAL, "%s: size/version: not a version %d snapshot call",
		                   what, PCRM_TEL_SNAPSHOT_VERSION);
	if ((unsigned)c->state > PCRM_TEL_CALL_HELD)
		return pcrm__error(PCRM_EINVAL, "%s: state: %d is not a pcrm_tel_call_state", what,
		                   (int)c->state);
	int at_agent = c->state >= PCRM_TEL_CALL_ALERTING;
	if ((rc = tel_check_id(what, "call_id", c->call_id, 1)) ||
	    (rc = tel_check_id(what, "device_id", c->device_id, at_agent)) ||
	    (rc = tel_check_id(what, "service", c->service, 0)))
		return rc;
	if ((c->caller_number && strlen(c->caller_number) > PCRM_TEL_NUMBER_MAX) ||
	    (c->dialled_number && strlen(c->dialled_number) > PCRM_TEL_NUMBER_MAX) ||
	    (c->digits && strlen(c->digits) > PCRM_TEL_DIGITS_MAX))
		return pcrm__error(PCRM_EINVAL, "%s: call %.63s: a number or the digits are too long",
		                   what, c->call_id);
	struct snap_call *s = calloc(1, sizeof(*s));
	if (!s)
		return pcrm__error_oom();
	tel_copy(s->id, sizeof(s->id), c->call_id);
	s->state = c->state;
	tel_copy(s->device, sizeof(s->device), c->device_id);
	tel_copy(s->caller, sizeof(s->caller), c->caller_number);
	tel_copy(s->dialled, sizeof(s->dialled), c->dialled_number);
	tel_copy(s->digits, sizeof(s->digits), c->digits);
	tel_copy(s->service, sizeof(s->service), c->service);
	s->since = c->since;
	pthread_mutex_lock(&tel->lock);
	rc = tel->snapshot ? add_item(tel, what, &tel->snapshot->calls, &tel->snapshot->call_index,
	                              s, s->id)
	                   : add_item(tel, what, NULL, NULL, s, s->id);
	pthread_mutex_unlock(&tel->lock);
	if (rc)
		free(s);
	return rc;
}

/* ---- reconciliation (lock held) ---- */

static void bind_agents(pcrm_tel *tel, struct tel_snapshot *s, pcrm_tel_resync_report *r)
{
	for (size_t i = 0; i < s->agents.count; i++) {
		struct snap_agent *a = s->agents.items[i];
		const char *was = tel_agent_device(tel, a->id);
		if (was && strcmp(was, a->device) != 0)
			tel_device_unbind(tel, was);
		const char *there = tel_device_agent(tel, a->device);
		if (there && strcmp(there, a->id) != 0)
			tel_device_unbind(tel, a->device);
		pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
		if (pcrm_acd_agent_get(tel->acd, a->id, &info))
			continue; /* not an agent of this ACD: the error stays for the caller */
		if (!tel_device_agent(tel, a->device) && tel_device_bind(tel, a->device, a->id))
			continue;
		if (a->state != PCRM_TEL_AGENT_LOGGED_OFF && info.state == PCRM_ACD_LOGGED_OUT &&
		    pcrm_acd_agent_login(tel->acd, a->id) == PCRM_OK)
			r->agents_logged_on++;
	}
}

static void end_call(pcrm_tel *tel, struct tel_call *c)
{
	while (c->party_count) {
		if (!tel_empty(c->parties[c->party_count - 1].acd_id))
			pcrm_acd_call_hangup(tel->acd, c->parties[c->party_count - 1].acd_id);
		c->party_count--;
	}
	tel_acd_end(tel, c);
}

/* Tracked calls: ended when the snapshot lacks them, re-placed when their state differs. */
static void reconcile_tracked(pcrm_tel *tel, struct tel_snapshot *s, pcrm_tel_resync_report *r)
{
	struct pcrm__vec gone = { 0 };
	for (size_t i = 0; i < tel->calls.cap; i++) {
		struct tel_call *c = tel->calls.slots[i];
		if (!c)
			continue;
		struct snap_call *sc = acd_idmap_get(&s->call_index, c->id);
		int same = sc && sc->state == c->state &&
		           (sc->state < PCRM_TEL_CALL_ALERTING || strcmp(sc->device, c->device) == 0);
		/* a call live events brought in after the switch took its snapshot is newer
		 * than the snapshot: kept, whatever the snapshot says */
		if (same || c->since_snapshot) {
			c->since_snapshot = 0;
			r->calls_kept++;
			continue;
		}
		if (!sc)
			r->calls_ended++;
		end_call(tel, c);
		/* collected first: forgetting changes the table being walked */
		if (pcrm__vec_push(&gone, c) == PCRM_OK)
			continue;
		break; /* out of memory: the ones collected are handled, the rest stay */
	}
	for (size_t i = 0; i < gone.count; i++) {
		struct tel_call *c = gone.items[i];
		int replaced = acd_idmap_get(&s->call_index, c->id) != NULL;
		if (replaced) { /* placed afresh below: not "cleared" */
			acd_idmap_del(&tel->calls, c->id);
			free(c);
		} else {
			tel_call_forget(tel, c);
		}
	}
	free(gone.items); /* the items were freed above */
}

static struct tel_call *track(pcrm_tel *tel, const struct snap_call *sc)
{
	struct tel_call *c;
	if (tel_call_create(tel, sc->id, &c))
		return NULL;
	c->state = PCRM_TEL_CALL_OFFERED;
	tel_copy(c->caller, sizeof(c->caller), sc->caller);
	tel_copy(c->dialled, sizeof(c->dialled), sc->dialled);
	tel_copy(c->digits, sizeof(c->digits), sc->digits);
	tel_copy(c->service, sizeof(c->service), sc->service);
	c->last_at = sc->since;
	return c;
}

/* Places a call at its agent in the ACD; 0 when the ACD could not take it (tracked anyway). */
static int place_at_agent(pcrm_tel *tel, struct tel_call *c, const struct snap_call *sc)
{
	const char *agent = tel_device_agent(tel, sc->device);
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	struct tel_route_plan plan;
	c->state = sc->state;
	tel_copy(c->device, sizeof(c->device), sc->device);
	if (!agent)
		return 1; /* at a device without an agent: a direct call, nothing for the ACD */
	if (pcrm_acd_agent_get(tel->acd, agent, &info))
		return 0;
	if (info.state == PCRM_ACD_WRAP_UP && pcrm_acd_agent_end_wrap_up(tel->acd, agent))
		return 0;
	if (info.state == PCRM_ACD_NOT_READY && pcrm_acd_agent_ready(tel->acd, agent))
		return 0;
	if (pcrm_acd_agent_get(tel->acd, agent, &info) || info.state != PCRM_ACD_READY) {
		pcrm__error(PCRM_ESTATE, "resync: call %s: agent %s is %s in the ACD", c->id, agent,
		            pcrm_acd_agent_state_name(info.state));
		return 0;
	}
	if (tel_ivr_map(tel, c, &plan))
		return 0;
	tel_copy(plan.preferred, sizeof(plan.preferred), agent);
	plan.preferred_wait_s = 3600;
	if (tel_acd_queue(tel, c, &plan) || !tel_acd_has(c))
		return 0;
	if (!tel_acd_offered_to(tel, c, sc->device, &agent)) {
		tel_acd_end(tel, c);
		pcrm__error(PCRM_ESTATE, "resync: call %s: the ACD did not offer it to agent %s",
		            c->id, agent);
		return 0;
	}
	if (sc->state >= PCRM_TEL_CALL_CONNECTED &&
	    (pcrm_acd_call_answer(tel->acd, c->acd_id, agent) ||
	     (sc->state == PCRM_TEL_CALL_HELD && pcrm_acd_call_hold(tel->acd, c->acd_id)))) {
		tel_acd_end(tel, c);
		return 0;
	}
	return 1;
}

static int by_since(const void *a, const void *b)
{
	const struct snap_call *x = *(const struct snap_call *const *)a;
	const struct snap_call *y = *(const struct snap_call *const *)b;
	return x->since < y->since ? -1 : x->since > y->since;
}

static void restore_calls(pcrm_tel *tel, struct tel_snapshot *s, pcrm_tel_resync_report *r)
{
	/* stable order for the queued ones: when they reached the switch */
	qsort(s->calls.items, s->calls.count, sizeof(void *), by_since);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->calls.count; i++) {
			struct snap_call *sc = s->calls.items[i];
			int at_agent = sc->state >= PCRM_TEL_CALL_ALERTING;
			if (at_agent != (pass == 0) || tel_call_find(tel, sc->id))
				continue;
			struct tel_call *c = track(tel, sc);
			if (c)
				c->since_snapshot = 0;
			struct tel_route_plan plan;
			int ok;
			if (!c) {
				r->calls_not_restored++;
				continue;
			}
			if (at_agent) {
				ok = place_at_agent(tel, c, sc);
			} else if (sc->state == PCRM_TEL_CALL_QUEUED) {
				tel_copy(c->queue_device, sizeof(c->queue_device), sc->device);
				c->state = PCRM_TEL_CALL_QUEUED;
				ok = tel_ivr_map(tel, c, &plan) == PCRM_OK &&
				     tel_acd_queue(tel, c, &plan) == PCRM_OK;
				if (!tel_acd_has(c))
					c->state = PCRM_TEL_CALL_OFFERED;
			} else {
				ok = 1; /* offered: still in the IVR, tracked only */
			}
			if (ok)
				r->calls_restored++;
			else
				r->calls_not_restored++;
		}
}

static void set_agent_states(pcrm_tel *tel, struct tel_snapshot *s, pcrm_tel_resync_report *r)
{
	for (size_t i = 0; i < s->agents.count; i++) {
		struct snap_agent *a = s->agents.items[i];
		pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
		if (pcrm_acd_agent_get(tel->acd, a->id, &info))
			continue;
		int rc = -1;
		const char *reason = tel_empty(a->reason) ? "switch" : a->reason;
		switch (a->state) {
		case PCRM_TEL_AGENT_LOGGED_OFF:
			if (info.state != PCRM_ACD_LOGGED_OUT)
				rc = pcrm_acd_agent_logout(tel->acd, a->id);
			if (!rc || info.state == PCRM_ACD_LOGGED_OUT)
				tel_device_unbind(tel, a->device);
			break;
		case PCRM_TEL_AGENT_LOGGED_ON:
			if (info.state == PCRM_ACD_READY)
				rc = pcrm_acd_agent_not_ready(tel->acd, a->id, "login");
			break;
		case PCRM_TEL_AGENT_READY:
			if (info.state == PCRM_ACD_NOT_READY || info.state == PCRM_ACD_WRAP_UP)
				rc = pcrm_acd_agent_ready(tel->acd, a->id);
			break;
		case PCRM_TEL_AGENT_NOT_READY:
			if (info.state == PCRM_ACD_READY || info.state == PCRM_ACD_WRAP_UP ||
			    (info.state == PCRM_ACD_NOT_READY && strcmp(info.reason, reason) != 0))
				rc = pcrm_acd_agent_not_ready(tel->acd, a->id, reason);
			break;
		case PCRM_TEL_AGENT_WORK_NOT_READY:
			if (info.state == PCRM_ACD_READY)
				rc = pcrm_acd_agent_not_ready(tel->acd, a->id, "work_not_ready");
			break;
		}
		if (rc == PCRM_OK)
			r->agents_state_changed++;
	}
}

/* Agents bound to a device that the snapshot does not list have left. */
static void log_off_missing(pcrm_tel *tel, struct tel_snapshot *s, pcrm_tel_resync_report *r)
{
	struct pcrm__vec gone = { 0 };
	for (size_t i = 0; i < tel->devices.cap; i++) {
		struct tel_device *d = tel->devices.slots[i];
		if (d && !acd_idmap_get(&s->agent_index, d->agent) && pcrm__vec_push(&gone, d))
			break;
	}
	for (size_t i = 0; i < gone.count; i++) {
		struct tel_device *d = gone.items[i];
		int rc = pcrm_acd_agent_logout(tel->acd, d->agent);
		if (rc == PCRM_OK)
			r->agents_logged_off++;
		tel_device_unbind(tel, d->id);
	}
	free(gone.items);
}

int pcrm_tel_snapshot_end(pcrm_tel *tel, pcrm_tel_resync_report *report)
{
	pcrm_tel_resync_report r = PCRM_TEL_RESYNC_REPORT_INIT;
	memset(&r, 0, sizeof(r));
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "snapshot_end: tel: missing");
	if (report) {
		int vrc = PCRM__OUT_VERSION_CHECK("snapshot_end: report", report,
		                                  PCRM_TEL_RESYNC_REPORT);
		if (vrc)
			return vrc;
	}
	r.version = PCRM_TEL_RESYNC_REPORT_VERSION;
	tel_enter();
	pthread_mutex_lock(&tel->lock);
	struct tel_snapshot *s = tel->snapshot;
	int rc = PCRM_OK;
	if (!s) {
		rc = pcrm__error(PCRM_ESTATE, "snapshot_end: no snapshot is open (snapshot_begin)");
	} else {
		pcrm_error_clear();
		bind_agents(tel, s, &r);
		reconcile_tracked(tel, s, &r);
		log_off_missing(tel, s, &r);
		restore_calls(tel, s, &r);
		set_agent_states(tel, s, &r);
		tel->stats.resyncs++;
		tel_snapshot_free(tel);
	}
	pthread_mutex_unlock(&tel->lock);
	if (report)
		*report = r;
	tel_leave(tel);
	return rc;
}
