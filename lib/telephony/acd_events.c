/*
 * ACD decisions -> switch requests.  The ACD's event callback only queues
 * (it may run while this runtime's lock is held by the same thread); the
 * queue is drained by the outermost library call of a thread as it returns,
 * one drainer at a time, in the order the events were queued:
 *
 *   call_offered            -> route to the agent's device; when that fails
 *                              (busy, refused, no device) the offer is
 *                              declined in the ACD: the call returns to the
 *                              front of its queue, the agent is not left
 *                              reserved (the ACD's miss path)
 *   offer_missed/withdrawn  -> the call alerting at that device goes back to
 *                              the queue: deflected from the device to its
 *                              routing point so the switch stops ringing
 *   call_refused/timed_out  -> deflected to the fallback destination, or
 *                              hung up without one
 *
 * Every event is then passed on to the callback of
 * pcrm_tel_set_acd_event_callback, outside every lock.
 */
#include <stdlib.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

static int wanted(const pcrm_acd_event *ev)
{
	switch (ev->type) {
	case PCRM_ACD_EV_CALL_OFFERED:
	case PCRM_ACD_EV_OFFER_MISSED:
	case PCRM_ACD_EV_OFFER_WITHDRAWN:
	case PCRM_ACD_EV_CALL_REFUSED:
	case PCRM_ACD_EV_CALL_TIMED_OUT:
		return 1;
	default:
		return 0;
	}
}

void tel_on_acd_event(void *userdata, const pcrm_acd_event *ev)
{
	pcrm_tel *tel = userdata;
	pthread_mutex_lock(&tel->pend_lock);
	if (!wanted(ev) && !tel->forward) {
		pthread_mutex_unlock(&tel->pend_lock);
		return;
	}
	if (tel->pend_count == tel->pend_cap) {
		size_t cap = tel->pend_cap ? tel->pend_cap * 2 : 64;
		pcrm_acd_event *grown = malloc(cap * sizeof(*grown));
		if (!grown) {
			/* nothing to queue into: the ACD's ring timeout still returns the call */
			pthread_mutex_unlock(&tel->pend_lock);
			return;
		}
		for (size_t i = 0; i < tel->pend_count; i++)
			grown[i] = tel->pending[(tel->pend_head + i) % tel->pend_cap];
		free(tel->pending);
		tel->pending = grown;
		tel->pend_cap = cap;
		tel->pend_head = 0;
	}
	tel->pending[(tel->pend_head + tel->pend_count) % tel->pend_cap] = *ev;
	tel->pend_count++;
	pthread_mutex_unlock(&tel->pend_lock);
	/* the integrator called the ACD directly (a desktop making its agent ready) */
	if (tel_depth_is_zero()) {
		tel_enter();
		tel_leave(tel);
	}
}

/* One request for an ACD decision: copies out under the lock, then asks the switch. */
struct decision {
	char call[TEL_ID_SIZE], agent[TEL_ID_SIZE], device[TEL_ID_SIZE], queue_device[TEL_ID_SIZE];
};

static void on_offered(pcrm_tel *tel, const pcrm_acd_event *ev)
{
	struct decision d;
	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&tel->lock);
	struct tel_call *call = tel_call_find(tel, ev->call_id);
	const char *dev = tel_agent_device(tel, ev->agent_id);
	/* Calls the integrator queued in the ACD itself are not ours to route; an
	 * offer of a call already at the agent's device (restored by a snapshot)
	 * needs no route either. */
	int skip = !call || strcmp(call->acd_id, ev->call_id) != 0 ||
	           (dev && strcmp(call->device, dev) == 0 &&
	            call->state >= PCRM_TEL_CALL_ALERTING);
	tel_copy(d.call, sizeof(d.call), ev->call_id);
	tel_copy(d.agent, sizeof(d.agent), ev->agent_id);
	tel_copy(d.device, sizeof(d.device), dev);
	pthread_mutex_unlock(&tel->lock);
	if (skip)
		return;
	int rc;
	if (!dev) {
		rc = pcrm__error(PCRM_ENOTFOUND, "route: agent %.63s is not logged on at a device",
		                 d.agent);
		pthread_mutex_lock(&tel->lock);
		tel->stats.requests_failed[PCRM_TEL_NO_DEVICE]++;
		pthread_mutex_unlock(&tel->lock);
	} else {
		tel_switch_begin(tel, 1, "route");
		int res = tel->sw.route(tel->sw.userdata, d.call, d.device, d.agent);
		tel_switch_end(tel);
		rc = tel_request_status(tel, "route", d.call, d.device, res);
	}
	if (rc == PCRM_OK)
		return;
	/* The switch will not ring the agent: undo the reservation the ACD's way. */
	pthread_mutex_lock(&tel->lock);
	tel->stats.routes_failed++;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (pcrm_acd_agent_get(tel->acd, d.agent, &info) == PCRM_OK &&
	    info.state == PCRM_ACD_RESERVED && strcmp(info.call_id, d.call) == 0)
		pcrm_acd_call_decline(tel->acd, d.call, d.agent);
	pthread_mutex_unlock(&tel->lock);
}

static void on_offer_ended(pcrm_tel *tel, const pcrm_acd_event *ev)
{
	struct decision d;
	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&tel->lock);
	struct tel_call *call = tel_call_find(tel, ev->call_id);
	const char *dev = tel_agent_device(tel, ev->agent_id);
	int ringing_there = call && dev && call->state == PCRM_TEL_CALL_ALERTING &&
	                    strcmp(call->device, dev) == 0 && tel_acd_has(call);
	if (ringing_there) {
		call->state = PCRM_TEL_CALL_QUEUED;
		call->device[0] = '\0';
		tel_copy(d.call, sizeof(d.call), call->id);
		tel_copy(d.device, sizeof(d.device), dev);
		tel_copy(d.queue_device, sizeof(d.queue_device),
		         tel_empty(call->queue_device) ? call->queue : call->queue_device);
	}
	pthread_mutex_unlock(&tel->lock);
	if (!ringing_there || !tel->sw.deflect)
		return; /* without deflect the next route moves the call on */
	tel_switch_begin(tel, 1, "deflect");
	int res = tel->sw.deflect(tel->sw.userdata, d.call, d.device, d.queue_device);
	tel_switch_end(tel);
	tel_request_status(tel, "deflect", d.call, d.device, res);
}

static void on_left_acd(pcrm_tel *tel, const pcrm_acd_event *ev)
{
	struct decision d;
	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&tel->lock);
	struct tel_call *call = tel_call_find(tel, ev->call_id);
	int ours = call && strcmp(call->acd_id, ev->call_id) == 0;
	if (call && (ours || tel_empty(call->acd_id))) {
		/* back with the switch: it may be queued again or cleared */
		call->acd_id[0] = '\0';
		call->state = PCRM_TEL_CALL_OFFERED;
		tel_copy(d.call, sizeof(d.call), call->id);
		tel_copy(d.queue_device, sizeof(d.queue_device), call->queue_device);
		ours = 1;
	}
	pthread_mutex_unlock(&tel->lock);
	if (!ours)
		return;
	const char *dev = tel_empty(d.queue_device) ? NULL : d.queue_device;
	int res;
	if (!tel_empty(tel->fallback) && tel->sw.deflect && dev) {
		tel_switch_begin(tel, 1, "deflect");
		res = tel->sw.deflect(tel->sw.userdata, d.call, dev, tel->fallback);
		tel_switch_end(tel);
		tel_request_status(tel, "deflect", d.call, dev, res);
	} else if (tel->sw.hangup) {
		tel_switch_begin(tel, 1, "hangup");
		res = tel->sw.hangup(tel->sw.userdata, d.call, dev);
		tel_switch_end(tel);
		tel_request_status(tel, "hangup", d.call, dev, res);
	} else {
		tel_switch_begin(tel, 0, "hangup");
	}
}

static void handle(pcrm_tel *tel, const pcrm_acd_event *ev)
{
	switch (ev->type) {
	case PCRM_ACD_EV_CALL_OFFERED:
		on_offered(tel, ev);
		break;
	case PCRM_ACD_EV_OFFER_MISSED:
	case PCRM_ACD_EV_OFFER_WITHDRAWN:
		on_offer_ended(tel, ev);
		break;
	case PCRM_ACD_EV_CALL_REFUSED:
	case PCRM_ACD_EV_CALL_TIMED_OUT:
		on_left_acd(tel, ev);
		break;
	default:
		break;
	}
}

void tel_drain(pcrm_tel *tel)
{
	pcrm_acd_event ev;
	pthread_mutex_lock(&tel->pend_lock);
	if (tel->draining) {
		pthread_mutex_unlock(&tel->pend_lock);
		return; /* the thread draining now takes what was queued */
	}
	if (!tel->pend_count) {
		pthread_mutex_unlock(&tel->pend_lock);
		return;
	}
	tel->draining = 1;
	/* a failed request sets the thread's error; the caller's own message must survive */
	pcrm__error_state saved;
	pcrm__error_save(&saved);
	while (tel->pend_count) {
		ev = tel->pending[tel->pend_head];
		tel->pend_head = (tel->pend_head + 1) % tel->pend_cap;
		tel->pend_count--;
		pcrm_acd_event_fn fwd = tel->forward;
		void *fwd_ud = tel->forward_ud;
		pthread_mutex_unlock(&tel->pend_lock);
		tel_enter(); /* requests fed back synchronously queue instead of nesting */
		handle(tel, &ev);
		if (fwd)
			fwd(fwd_ud, &ev);
		tel_depth_drop();
		pthread_mutex_lock(&tel->pend_lock);
	}
	tel->draining = 0;
	pthread_mutex_unlock(&tel->pend_lock);
	pcrm__error_restore(&saved, saved.status);
}
