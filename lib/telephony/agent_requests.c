/*
 * Requests about agents rather than one call: an agent's state at its
 * device, an outbound call from it, a supervisor joining its call, and the
 * snapshot request of a re-synchronisation.
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

/* The agent's device, copied out (lock taken here). */
static int device_of(pcrm_tel *tel, const char *what, const char *agent, char dev[TEL_ID_SIZE])
{
	pthread_mutex_lock(&tel->lock);
	const char *d = tel_agent_device(tel, agent);
	tel_copy(dev, TEL_ID_SIZE, d);
	pthread_mutex_unlock(&tel->lock);
	if (!d)
		return pcrm__error(PCRM_ENOTFOUND, "%s: agent %.63s is not logged on at a device",
		                   what, agent);
	return PCRM_OK;
}

static int set_state(pcrm_tel *tel, const char *agent_id, const char *device_id,
                     pcrm_tel_agent_state state, const char *reason)
{
	const char *what = "set_agent_state";
	char dev[TEL_ID_SIZE];
	int rc;
	if ((rc = tel_check_id(what, "agent_id", agent_id, 1)) ||
	    (device_id && (rc = tel_check_id(what, "device_id", device_id, 1))))
		return rc;
	if ((unsigned)state > PCRM_TEL_AGENT_WORK_NOT_READY)
		return pcrm__error(PCRM_EINVAL, "%s: state: %d is not a pcrm_tel_agent_state", what,
		                   (int)state);
	if (reason && (rc = tel_check_id(what, "reason", reason, 1)))
		return rc;
	if (state == PCRM_TEL_AGENT_LOGGED_ON) {
		if (!device_id)
			return pcrm__error(PCRM_EINVAL, "%s: device_id: missing (where the agent logs on)",
			                   what);
		tel_copy(dev, sizeof(dev), device_id);
	} else if (device_id) {
		tel_copy(dev, sizeof(dev), device_id);
	} else if ((rc = device_of(tel, what, agent_id, dev))) {
		return rc;
	}
	if ((rc = tel_switch_begin(tel, tel->sw.set_agent_state != NULL, what)))
		return rc;
	int res = tel->sw.set_agent_state(tel->sw.userdata, dev, agent_id, state, reason);
	tel_switch_end(tel);
	return tel_request_status(tel, what, NULL, dev, res);
}

int pcrm_tel_agent_set_state(pcrm_tel *tel, const char *agent_id, const char *device_id,
                             pcrm_tel_agent_state state, const char *reason)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "set_agent_state: tel: missing");
	tel_enter();
	int rc = set_state(tel, agent_id, device_id, state, reason);
	tel_leave(tel);
	return rc;
}

static int make_call(pcrm_tel *tel, const char *call_id, const char *agent_id,
                     const char *destination)
{
	const char *what = "make_call";
	char dev[TEL_ID_SIZE];
	int rc;
	if ((rc = tel_check_id(what, "call_id", call_id, 1)) ||
	    (rc = tel_check_id(what, "agent_id", agent_id, 1)))
		return rc;
	if (tel_empty(destination) || strlen(destination) > PCRM_TEL_NUMBER_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: destination: expected 1..%d bytes", what,
		                   PCRM_TEL_NUMBER_MAX);
	if ((rc = device_of(tel, what, agent_id, dev)))
		return rc;
	return tel_place_call(tel, what, call_id, dev, destination, NULL);
}

int pcrm_tel_make_call(pcrm_tel *tel, const char *call_id, const char *agent_id,
                       const char *destination)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "make_call: tel: missing");
	tel_enter();
	int rc = make_call(tel, call_id, agent_id, destination);
	tel_leave(tel);
	return rc;
}

static int supervise(pcrm_tel *tel, const pcrm_actor *actor, const char *agent_id,
                     pcrm_acd_supervise_mode mode)
{
	const char *what = "supervise";
	char dev[TEL_ID_SIZE], sup_dev[TEL_ID_SIZE];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	int rc;
	if ((rc = tel_check_id(what, "agent_id", agent_id, 1)))
		return rc;
	if (!tel->sw.supervise)
		return tel_switch_begin(tel, 0, what);
	/*
	 * The ACD checks the actor's permission and org scope and that the agent is in a call
	 * before anything is said about the agent's device: an agent nobody has, or one without a
	 * device, is refused like another unit's agent (no oracle for a supervisor elsewhere).
	 */
	if ((rc = pcrm_acd_supervise(tel->acd, actor, agent_id, mode)) ||
	    (rc = pcrm_acd_agent_get(tel->acd, agent_id, &info)) ||
	    (rc = device_of(tel, what, agent_id, dev)))
		return rc;
	pthread_mutex_lock(&tel->lock);
	const char *sd = tel_agent_device(tel, actor->operator_id);
	tel_copy(sup_dev, sizeof(sup_dev), sd);
	pthread_mutex_unlock(&tel->lock);
	if ((rc = tel_switch_begin(tel, 1, what)))
		return rc;
	int res = tel->sw.supervise(tel->sw.userdata, info.call_id, dev, actor->operator_id,
	                            sd ? sup_dev : NULL, mode);
	tel_switch_end(tel);
	return tel_request_status(tel, what, info.call_id, dev, res);
}

int pcrm_tel_supervise(pcrm_tel *tel, const pcrm_actor *actor, const char *agent_id,
                       pcrm_acd_supervise_mode mode)
{
	if (!tel || !actor)
		return pcrm__error(PCRM_EINVAL, "supervise: %s: missing", tel ? "actor" : "tel");
	tel_enter();
	int rc = supervise(tel, actor, agent_id, mode);
	tel_leave(tel);
	return rc;
}

int pcrm_tel_resync(pcrm_tel *tel)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "resync: tel: missing");
	tel_enter();
	int rc = tel_switch_begin(tel, tel->sw.snapshot != NULL, "snapshot");
	if (!rc) {
		int res = tel->sw.snapshot(tel->sw.userdata);
		tel_switch_end(tel);
		rc = tel_request_status(tel, "snapshot", NULL, NULL, res);
	}
	tel_leave(tel);
	return rc;
}
