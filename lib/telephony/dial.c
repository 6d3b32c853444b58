/*
 * Calls the library places: an agent's own outbound call (make_call) and a
 * campaign dialler's call to a customer with no agent on it yet
 * (pcrm_tel_dial).  Both are tracked before the request, because a switch
 * may report the call's first events from inside it; a dialled call also
 * remembers where it goes once answered, since no IVR has asked the
 * customer anything: the dialler's queue, and the customer it called (VIP
 * priority, account manager), exactly as the screen pop would give them.
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

int tel_place_call(pcrm_tel *tel, const char *what, const char *call_id, const char *device,
                   const char *destination, const pcrm_tel_dial_spec *dial)
{
	int rc = PCRM_OK;
	if (!tel->sw.make_call)
		return tel_switch_begin(tel, 0, what);
	pthread_mutex_lock(&tel->lock);
	struct tel_call *call = NULL;
	if (tel_call_find(tel, call_id))
		rc = pcrm__error(PCRM_EDUPLICATE, "%s: call %.63s is already tracked", what, call_id);
	else if (!(rc = tel_call_create(tel, call_id, &call))) {
		call->state = PCRM_TEL_CALL_OFFERED;
		call->outbound = 1;
		tel_copy(call->origin, sizeof(call->origin), device);
		tel_copy(call->dialled, sizeof(call->dialled), destination);
		if (dial) {
			call->dialled_call = 1;
			tel_copy(call->dial_queue, sizeof(call->dial_queue), dial->queue_id);
			call->dial_min_level = dial->min_level;
			call->dial_preferred_wait_s = dial->preferred_wait_s;
			if (dial->customer) {
				call->dial_has_customer = 1;
				call->dial_customer = *dial->customer;
				pcrm_tel_customer *who = &call->dial_customer;
				who->customer_no[sizeof(who->customer_no) - 1] = '\0';
				who->account_manager[sizeof(who->account_manager) - 1] = '\0';
			}
		}
	}
	pthread_mutex_unlock(&tel->lock);
	if (rc)
		return rc;
	if ((rc = tel_switch_begin(tel, 1, what)))
		return rc;
	int res = tel->sw.make_call(tel->sw.userdata, call_id, device, destination);
	tel_switch_end(tel);
	rc = tel_request_status(tel, what, call_id, device, res);
	if (rc) {
		int keep = rc; /* the switch made no call: stop tracking it */
		pthread_mutex_lock(&tel->lock);
		if ((call = tel_call_find(tel, call_id)) && call->state == PCRM_TEL_CALL_OFFERED)
			tel_call_forget(tel, call);
		pthread_mutex_unlock(&tel->lock);
		rc = keep;
	}
	return rc;
}

void tel_dial_plan(const pcrm_tel *tel, const struct tel_call *call, struct tel_route_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	tel_copy(plan->queue, sizeof(plan->queue), call->dial_queue);
	plan->min_level = call->dial_min_level;
	if (!call->dial_has_customer)
		return;
	const pcrm_tel_customer *who = &call->dial_customer;
	tel_copy(plan->customer_no, sizeof(plan->customer_no), who->customer_no);
	int vip = who->vip_level < 0 ? 0 : who->vip_level > 5 ? 5 : who->vip_level;
	/* the same priority an inbound call of this customer gets */
	plan->priority = tel->ivr ? tel->ivr->vip_priority[vip] : vip;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (call->dial_preferred_wait_s > 0 && !tel_empty(who->account_manager) &&
	    pcrm_acd_agent_get(tel->acd, who->account_manager, &info) == PCRM_OK) {
		tel_copy(plan->preferred, sizeof(plan->preferred), who->account_manager);
		plan->preferred_wait_s = call->dial_preferred_wait_s;
	}
}

/* Printable ASCII without spaces or quotes, as every event string must be. */
static int number_ok(const char *what, const char *field, const char *v)
{
	if (tel_empty(v) || strlen(v) > PCRM_TEL_NUMBER_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %s: expected 1..%d bytes", what, field,
		                   PCRM_TEL_NUMBER_MAX);
	for (const char *p = v; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\'' || *p == '\\')
			return pcrm__error(PCRM_EINVAL, "%s: %s: byte %zu is not printable ASCII "
			                   "without spaces or quotes", what, field, (size_t)(p - v));
	return PCRM_OK;
}

static int dial(pcrm_tel *tel, const pcrm_tel_dial_spec *d)
{
	const char *what = "dial";
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	int rc;
	if (!d)
		return pcrm__error(PCRM_EINVAL, "%s: dial: missing", what);
	if (d->version != PCRM_TEL_DIAL_SPEC_VERSION)
		return pcrm__error(PCRM_EINVAL, "%s: dial.version: %u is not %d (PCRM_TEL_DIAL_SPEC_INIT)",
		                   what, d->version, PCRM_TEL_DIAL_SPEC_VERSION);
	if ((rc = tel_check_id(what, "call_id", d->call_id, 1)) ||
	    (rc = tel_check_id(what, "device_id", d->device_id, 1)) ||
	    (rc = tel_check_id(what, "queue_id", d->queue_id, 1)) ||
	    (rc = number_ok(what, "destination", d->destination)))
		return rc;
	if (d->min_level < 1 || d->min_level > 10)
		return pcrm__error(PCRM_EINVAL, "%s: min_level: %d is not 1..10", what, d->min_level);
	if (d->preferred_wait_s < 0 || d->preferred_wait_s > 3600)
		return pcrm__error(PCRM_EINVAL, "%s: preferred_wait_s: %d is not 0..3600", what,
		                   d->preferred_wait_s);
	if (d->customer && (d->customer->vip_level < 0 || d->customer->vip_level > 5))
		return pcrm__error(PCRM_EINVAL, "%s: customer.vip_level: %d is not 0..5", what,
		                   d->customer->vip_level);
	/* refused now rather than when the customer has answered and waits for an agent */
	if (pcrm_acd_queue_stats_get(tel->acd, d->queue_id, &qs) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: queue_id: \"%.63s\" is not a queue", what,
		                   d->queue_id);
	return tel_place_call(tel, what, d->call_id, d->device_id, d->destination, d);
}

int pcrm_tel_dial(pcrm_tel *tel, const pcrm_tel_dial_spec *d)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "dial: tel: missing");
	tel_enter();
	int rc = dial(tel, d);
	tel_leave(tel);
	return rc;
}
