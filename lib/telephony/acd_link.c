/*
 * The ACD leg of a call: queueing it (the IVR's plan becomes a
 * pcrm_acd_call_spec), checking that an agent's device is the one the ACD
 * offered the call to, and ending the leg.  Called with the lock held.
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

int tel_acd_has(const struct tel_call *call)
{
	return !tel_empty(call->acd_id);
}

void tel_acd_end(pcrm_tel *tel, struct tel_call *call)
{
	if (!tel_acd_has(call))
		return;
	/* The ACD may have let go already (timed out, refused); its refusal here is no news. */
	int rc = pcrm_acd_call_hangup(tel->acd, call->acd_id);
	(void)rc;
	call->acd_id[0] = '\0';
}

int tel_acd_offered_to(pcrm_tel *tel, const struct tel_call *call, const char *device,
                       const char **agent)
{
	const char *who = tel_device_agent(tel, device);
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	*agent = who;
	if (!who || !tel_acd_has(call) || pcrm_acd_agent_get(tel->acd, who, &info))
		return 0;
	return info.state == PCRM_ACD_RESERVED && strcmp(info.call_id, call->acd_id) == 0;
}

int tel_acd_queue(pcrm_tel *tel, struct tel_call *call, const struct tel_route_plan *plan)
{
	pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
	spec.call_id = call->id;
	spec.queue_id = plan->queue;
	spec.priority = plan->priority;
	spec.min_level = plan->min_level;
	spec.skills = plan->skills;
	spec.skill_count = plan->skill_count;
	spec.preferred_agent_id = tel_empty(plan->preferred) ? NULL : plan->preferred;
	spec.preferred_wait_s = spec.preferred_agent_id ? plan->preferred_wait_s : 0;
	spec.caller_number = tel_empty(call->caller) ? NULL : call->caller;
	spec.customer_no = tel_empty(plan->customer_no) ? NULL : plan->customer_no;
	/* Set before arriving: an offer made at once must find the call with its ACD leg. */
	tel_copy(call->acd_id, sizeof(call->acd_id), call->id);
	tel_copy(call->queue, sizeof(call->queue), plan->queue);
	tel_copy(call->customer_no, sizeof(call->customer_no), plan->customer_no);
	pcrm_acd_disposition disp;
	int rc = pcrm_acd_call_arrive(tel->acd, &spec, &disp);
	if (rc) {
		call->acd_id[0] = '\0';
		call->queue[0] = '\0';
		return rc;
	}
	if (disp == PCRM_ACD_REFUSED_FULL || disp == PCRM_ACD_REFUSED_NO_AGENT)
		call->acd_id[0] = '\0'; /* the call_refused event sends it to the fallback */
	return PCRM_OK;
}
