/*
 * Agent device events: who logs on at which device and the agent's
 * availability, checked against the device map and the ACD's agent state
 * and applied to the ACD.  Lock held.
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

#define NAME(ev) pcrm_tel_event_type_name((ev)->type)

static int dup_state(pcrm_tel *tel, const pcrm_tel_event *ev, const char *agent)
{
	return tel_reject(tel, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE,
	                  "event %s: agent %s is already in that state", NAME(ev), agent);
}

static int on_logged_on(pcrm_tel *tel, const pcrm_tel_event *ev)
{
	const char *there = tel_device_agent(tel, ev->device_id);
	const char *where = tel_agent_device(tel, ev->agent_id);
	if (there && strcmp(there, ev->agent_id) == 0)
		return dup_state(tel, ev, ev->agent_id);
	if (there)
		return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
		                  "event agent_logged_on: agent %s is still logged on at device %s",
		                  there, ev->device_id);
	if (where)
		return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
		                  "event agent_logged_on: agent %s is still logged on at device %s",
		                  ev->agent_id, where);
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	int rc = pcrm_acd_agent_get(tel->acd, ev->agent_id, &info);
	if (rc)
		return rc; /* an agent the ACD does not know */
	/* already logged in through the ACD's own API: only the device is news */
	if (info.state == PCRM_ACD_LOGGED_OUT && (rc = pcrm_acd_agent_login(tel->acd, ev->agent_id)))
		return rc;
	if ((rc = tel_device_bind(tel, ev->device_id, ev->agent_id))) {
		if (info.state == PCRM_ACD_LOGGED_OUT)
			pcrm_acd_agent_logout(tel->acd, ev->agent_id);
		return rc;
	}
	return PCRM_OK;
}

/* The agent at the event's device (and the event's agent, when it names one, must be it). */
static int agent_at(pcrm_tel *tel, const pcrm_tel_event *ev, const char **agent)
{
	*agent = tel_device_agent(tel, ev->device_id);
	if (!*agent)
		return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND,
		                  "event %s: no agent is logged on at device %.63s", NAME(ev),
		                  ev->device_id);
	if (!tel_empty(ev->agent_id) && strcmp(*agent, ev->agent_id) != 0)
		return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND,
		                  "event %s: device %.63s has agent %s, not %.63s", NAME(ev),
		                  ev->device_id, *agent, ev->agent_id);
	return PCRM_OK;
}

int tel_feed_agent(pcrm_tel *tel, const pcrm_tel_event *ev)
{
	if (ev->type == PCRM_TEL_EV_AGENT_LOGGED_ON)
		return on_logged_on(tel, ev);
	const char *agent;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	int rc = agent_at(tel, ev, &agent);
	if (rc || (rc = pcrm_acd_agent_get(tel->acd, agent, &info)))
		return rc;
	switch (ev->type) {
	case PCRM_TEL_EV_AGENT_LOGGED_OFF:
		if (info.state != PCRM_ACD_LOGGED_OUT && (rc = pcrm_acd_agent_logout(tel->acd, agent)))
			return rc;
		tel_device_unbind(tel, ev->device_id);
		return PCRM_OK;
	case PCRM_TEL_EV_AGENT_READY:
		if (info.state == PCRM_ACD_READY)
			return dup_state(tel, ev, agent);
		return pcrm_acd_agent_ready(tel->acd, agent);
	case PCRM_TEL_EV_AGENT_NOT_READY: {
		/* switches often pause without a reason: the documented code "switch" stands for it */
		const char *reason = tel_empty(ev->reason) ? "switch" : ev->reason;
		if (info.state == PCRM_ACD_NOT_READY && strcmp(info.reason, reason) == 0)
			return dup_state(tel, ev, agent);
		return pcrm_acd_agent_not_ready(tel->acd, agent, reason);
	}
	case PCRM_TEL_EV_AGENT_WORK_NOT_READY:
		/* after a call the ACD is in wrap-up already: the switch agrees */
		if (info.state == PCRM_ACD_WRAP_UP)
			return PCRM_OK;
		if (info.state == PCRM_ACD_NOT_READY && strcmp(info.reason, "work_not_ready") == 0)
			return dup_state(tel, ev, agent);
		return pcrm_acd_agent_not_ready(tel->acd, agent, "work_not_ready");
	default:
		return tel_reject(tel, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL,
		                  "event type %d is not an agent event", (int)ev->type);
	}
}
