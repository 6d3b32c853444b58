/*
 * The per-call state machine (docs/adapter-guide.md, Call states): every
 * call event is checked against the call's state first and applied only
 * when it fits; the ACD is called before the adapter's state changes, so a
 * refusal of the ACD leaves both as they were.  Lock held throughout; with
 * clock_from_events the ACD's clock has already moved to the event's time
 * (feed.c), so its timers (ring timeouts, wrap-ups) are current when the
 * event is checked against it.
 *
 *   offered -> queued -> alerting -> connected <-> held
 *   offered -> alerting (a direct, consultation or outbound call)
 *   alerting -> queued (the agent's device failed, rejected or diverted)
 *   connected / held -> offered (blind transfer, the agent left)
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

#define NAME(ev) pcrm_tel_event_type_name((ev)->type)
#define STATE(c) pcrm_tel_call_state_name((c)->state)

static int out_of_order(pcrm_tel *tel, const pcrm_tel_event *ev, const struct tel_call *c)
{
	return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
	                  "event %s: not allowed while call %s is %s", NAME(ev), c->id, STATE(c));
}

static int duplicate(pcrm_tel *tel, const pcrm_tel_event *ev, const struct tel_call *c)
{
	return tel_reject(tel, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE,
	                  "event %s: call %s is already %s%s%s", NAME(ev), c->id, STATE(c),
	                  c->device[0] ? " at " : "", c->device);
}

static int not_at_device(pcrm_tel *tel, const pcrm_tel_event *ev, const struct tel_call *c)
{
	return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND,
	                  "event %s: call %s is not at device %.63s", NAME(ev), c->id, ev->device_id);
}

static int unknown_call(pcrm_tel *tel, const pcrm_tel_event *ev, const char *id)
{
	if (tel_cleared_has(tel, id))
		return tel_reject(tel, PCRM_TEL_REJECT_CLEARED_CALL, PCRM_ESTATE,
		                  "event %s: call %.63s has been cleared", NAME(ev), id);
	return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_CALL, PCRM_ENOTFOUND,
	                  "event %s: call %.63s was never offered", NAME(ev), id);
}

static void set_text(char *dst, size_t size, const char *v)
{
	if (!tel_empty(v))
		tel_copy(dst, size, v);
}

/* The alerting device's agent was offered the call by the ACD: the offer ends without an answer. */
static int offer_failed(pcrm_tel *tel, struct tel_call *c, const char *device)
{
	const char *agent;
	if (tel_acd_offered_to(tel, c, device, &agent)) {
		int rc = pcrm_acd_call_decline(tel->acd, c->acd_id, agent);
		if (rc)
			return rc;
	}
	c->state = tel_acd_has(c) ? PCRM_TEL_CALL_QUEUED : PCRM_TEL_CALL_OFFERED;
	c->device[0] = '\0';
	return PCRM_OK;
}

static int on_offered(pcrm_tel *tel, const pcrm_tel_event *ev)
{
	struct tel_call *held = NULL, *c;
	if (tel_call_find(tel, ev->call_id))
		return duplicate(tel, ev, tel_call_find(tel, ev->call_id));
	if (tel_cleared_has(tel, ev->call_id))
		return unknown_call(tel, ev, ev->call_id);
	if (!tel_empty(ev->other_call_id) && !(held = tel_call_find(tel, ev->other_call_id)))
		return unknown_call(tel, ev, ev->other_call_id);
	int rc = tel_call_create(tel, ev->call_id, &c);
	if (rc)
		return rc;
	c->state = PCRM_TEL_CALL_OFFERED;
	set_text(c->queue_device, sizeof(c->queue_device), ev->device_id);
	set_text(c->caller, sizeof(c->caller), ev->caller_number);
	set_text(c->dialled, sizeof(c->dialled), ev->dialled_number);
	set_text(c->digits, sizeof(c->digits), ev->digits);
	set_text(c->service, sizeof(c->service), ev->service);
	if (held) { /* a consultation call from the held call's device */
		tel_copy(c->related, sizeof(c->related), held->id);
		tel_copy(held->related, sizeof(held->related), c->id);
		tel_copy(c->origin, sizeof(c->origin), held->device);
	}
	c->last_at = ev->at;
	return PCRM_OK;
}

static int on_queued(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c,
                     const pcrm_tel_customer *customer, int found)
{
	if (c->state == PCRM_TEL_CALL_QUEUED)
		return duplicate(tel, ev, c);
	if (c->state != PCRM_TEL_CALL_OFFERED)
		return out_of_order(tel, ev, c);
	/* the numbers the event restates count for the mapping; kept only if it succeeds */
	struct tel_call probe = *c;
	set_text(probe.caller, sizeof(probe.caller), ev->caller_number);
	set_text(probe.dialled, sizeof(probe.dialled), ev->dialled_number);
	set_text(probe.digits, sizeof(probe.digits), ev->digits);
	set_text(probe.service, sizeof(probe.service), ev->service);
	struct tel_route_plan plan;
	int rc = PCRM_OK;
	if (c->dialled_call) /* answered: the dialler's queue and customer, not the IVR's */
		tel_dial_plan(tel, c, &plan);
	else if ((rc = tel_ivr_map(tel, &probe, &plan)))
		return rc;
	else if (found)
		tel_ivr_apply_customer(tel, &plan, customer);
	struct tel_call before = *c; /* a refusal of the ACD leaves the call as it was */
	memcpy(c->caller, probe.caller, sizeof(c->caller));
	memcpy(c->dialled, probe.dialled, sizeof(c->dialled));
	memcpy(c->digits, probe.digits, sizeof(c->digits));
	memcpy(c->service, probe.service, sizeof(c->service));
	tel_copy(c->queue_device, sizeof(c->queue_device), ev->device_id);
	c->state = PCRM_TEL_CALL_QUEUED; /* before arriving: an offer made at once finds it queued */
	if ((rc = tel_acd_queue(tel, c, &plan))) {
		*c = before;
		return rc;
	}
	if (!tel_acd_has(c))
		c->state = PCRM_TEL_CALL_OFFERED; /* refused: the fallback takes it */
	return PCRM_OK;
}

static int on_delivered(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	const char *agent;
	if (c->state == PCRM_TEL_CALL_ALERTING && strcmp(c->device, ev->device_id) == 0)
		return duplicate(tel, ev, c);
	if (c->state == PCRM_TEL_CALL_CONNECTED || c->state == PCRM_TEL_CALL_HELD)
		return out_of_order(tel, ev, c);
	/* a call with the ACD alerts only where the ACD offered it (several devices under ring-all) */
	if (c->state != PCRM_TEL_CALL_OFFERED && !tel_acd_offered_to(tel, c, ev->device_id, &agent))
		return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND,
		                  "event delivered: call %s was not offered to device %.63s", c->id,
		                  ev->device_id);
	c->state = PCRM_TEL_CALL_ALERTING;
	tel_copy(c->device, sizeof(c->device), ev->device_id);
	return PCRM_OK;
}

static int on_established(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	const char *agent;
	if (c->state == PCRM_TEL_CALL_CONNECTED && strcmp(c->device, ev->device_id) == 0)
		return duplicate(tel, ev, c);
	if (c->state != PCRM_TEL_CALL_ALERTING)
		return out_of_order(tel, ev, c);
	if (tel_acd_has(c)) {
		if (!tel_acd_offered_to(tel, c, ev->device_id, &agent))
			return tel_reject(tel, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND,
			                  "event established: call %s is not offered to device %.63s",
			                  c->id, ev->device_id);
		int rc = pcrm_acd_call_answer(tel->acd, c->acd_id, agent);
		if (rc)
			return rc;
	} else if (strcmp(c->device, ev->device_id) != 0) {
		return not_at_device(tel, ev, c);
	}
	c->state = PCRM_TEL_CALL_CONNECTED;
	tel_copy(c->device, sizeof(c->device), ev->device_id);
	return PCRM_OK;
}

static int at_call(const struct tel_call *c, const char *device)
{
	return strcmp(c->device, device) == 0 || (c->origin[0] && strcmp(c->origin, device) == 0);
}

static int on_hold_change(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c, int hold)
{
	pcrm_tel_call_state from = hold ? PCRM_TEL_CALL_CONNECTED : PCRM_TEL_CALL_HELD;
	if (hold && c->state == PCRM_TEL_CALL_HELD)
		return duplicate(tel, ev, c);
	if (c->state != from)
		return out_of_order(tel, ev, c);
	if (!at_call(c, ev->device_id))
		return not_at_device(tel, ev, c);
	if (tel_acd_has(c)) {
		int rc = hold ? pcrm_acd_call_hold(tel->acd, c->acd_id)
		              : pcrm_acd_call_unhold(tel->acd, c->acd_id);
		if (rc)
			return rc;
	}
	c->state = hold ? PCRM_TEL_CALL_HELD : PCRM_TEL_CALL_CONNECTED;
	return PCRM_OK;
}

/* The consultation call named by a transferred / conferenced event. */
static int consultation_of(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c,
                           struct tel_call **out)
{
	struct tel_call *o = tel_call_find(tel, ev->other_call_id);
	if (!o)
		return unknown_call(tel, ev, ev->other_call_id);
	if (strcmp(o->related, c->id) != 0)
		return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
		                  "event %s: call %s is not a consultation of call %s", NAME(ev), o->id,
		                  c->id);
	*out = o;
	return PCRM_OK;
}

static int on_transferred(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	struct tel_call *o = NULL;
	if (c->state != PCRM_TEL_CALL_CONNECTED && c->state != PCRM_TEL_CALL_HELD)
		return out_of_order(tel, ev, c);
	if (strcmp(c->device, ev->device_id) != 0)
		return not_at_device(tel, ev, c);
	int rc;
	if (!tel_empty(ev->other_call_id) && (rc = consultation_of(tel, ev, c, &o)))
		return rc;
	tel_acd_end(tel, c); /* the transferring agent's part ends: wrap-up */
	if (!o) { /* blind: on its way to the destination, which delivers or queues it */
		c->state = PCRM_TEL_CALL_OFFERED;
		c->device[0] = '\0';
		c->queue[0] = '\0';
		/* a routing point there maps it afresh: by the number transferred to and
		 * whatever its IVR collects, not by the first IVR's answers */
		set_text(c->dialled, sizeof(c->dialled), ev->destination);
		c->digits[0] = '\0';
		c->service[0] = '\0';
		return PCRM_OK;
	}
	/* the caller now talks to whoever took the consultation call: its leg, its device */
	c->state = o->state == PCRM_TEL_CALL_HELD ? PCRM_TEL_CALL_HELD
	         : o->state == PCRM_TEL_CALL_ALERTING ? PCRM_TEL_CALL_ALERTING
	                                               : PCRM_TEL_CALL_CONNECTED;
	memcpy(c->device, o->device, sizeof(c->device));
	memcpy(c->acd_id, o->acd_id, sizeof(c->acd_id));
	memcpy(c->queue, o->queue, sizeof(c->queue));
	memcpy(c->parties, o->parties, sizeof(c->parties));
	c->party_count = o->party_count;
	c->recording = c->recording || o->recording;
	c->origin[0] = '\0';
	tel_call_forget(tel, o);
	return PCRM_OK;
}

static int on_conferenced(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	struct tel_call *o;
	if (c->state != PCRM_TEL_CALL_CONNECTED && c->state != PCRM_TEL_CALL_HELD)
		return out_of_order(tel, ev, c);
	if (strcmp(c->device, ev->device_id) != 0)
		return not_at_device(tel, ev, c);
	int rc = consultation_of(tel, ev, c, &o);
	if (rc)
		return rc;
	if (c->party_count + 1 + o->party_count > TEL_PARTIES_MAX)
		return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
		                  "event conferenced: call %s would have more than %d added parties",
		                  c->id, TEL_PARTIES_MAX);
	if (c->state == PCRM_TEL_CALL_HELD && tel_acd_has(c) &&
	    (rc = pcrm_acd_call_unhold(tel->acd, c->acd_id)))
		return rc;
	struct tel_party *p = &c->parties[c->party_count++];
	tel_copy(p->device, sizeof(p->device),
	         tel_empty(ev->destination) ? o->device : ev->destination);
	memcpy(p->acd_id, o->acd_id, sizeof(p->acd_id));
	for (size_t i = 0; i < o->party_count; i++)
		c->parties[c->party_count++] = o->parties[i];
	c->state = PCRM_TEL_CALL_CONNECTED;
	tel_call_forget(tel, o);
	return PCRM_OK;
}

static int on_diverted_or_failed(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	const char *agent;
	if (c->state == PCRM_TEL_CALL_CONNECTED || c->state == PCRM_TEL_CALL_HELD)
		return out_of_order(tel, ev, c);
	/* Diverted needs a call alerting at the device; a diverted event for a queued
	 * call confirms the deflect of a withdrawn offer, even when the ACD has just
	 * offered the call to the same agent again.  Failed may come before delivered. */
	int here = (c->state == PCRM_TEL_CALL_ALERTING && strcmp(c->device, ev->device_id) == 0) ||
	           (ev->type == PCRM_TEL_EV_FAILED && c->state == PCRM_TEL_CALL_QUEUED &&
	            tel_acd_offered_to(tel, c, ev->device_id, &agent));
	/* elsewhere: a leg the ACD withdrew, or the routing point letting go; nothing to undo */
	return here ? offer_failed(tel, c, ev->device_id) : PCRM_OK;
}

static int party_index(const struct tel_call *c, const char *device)
{
	for (size_t i = 0; i < c->party_count; i++)
		if (strcmp(c->parties[i].device, device) == 0)
			return (int)i;
	return -1;
}

static void party_leaves(pcrm_tel *tel, struct tel_call *c, size_t i)
{
	if (!tel_empty(c->parties[i].acd_id)) {
		int rc = pcrm_acd_call_hangup(tel->acd, c->parties[i].acd_id);
		(void)rc; /* the ACD may have ended it already */
	}
	memmove(&c->parties[i], &c->parties[i + 1], (c->party_count - i - 1) * sizeof(*c->parties));
	c->party_count--;
}

static int on_connection_cleared(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	int p = party_index(c, ev->device_id);
	if (p >= 0) {
		party_leaves(tel, c, (size_t)p);
		return PCRM_OK;
	}
	if (c->device[0] && strcmp(c->device, ev->device_id) == 0) {
		if (c->state == PCRM_TEL_CALL_ALERTING)
			return offer_failed(tel, c, ev->device_id); /* rejected at the device */
		tel_acd_end(tel, c); /* the agent left: wrap-up */
		if (c->party_count) { /* the conference goes on with the first added party */
			memcpy(c->device, c->parties[0].device, sizeof(c->device));
			memcpy(c->acd_id, c->parties[0].acd_id, sizeof(c->acd_id));
			c->parties[0].acd_id[0] = '\0';
			party_leaves(tel, c, 0);
			c->state = PCRM_TEL_CALL_CONNECTED;
		} else {
			c->state = PCRM_TEL_CALL_OFFERED;
			c->device[0] = '\0';
		}
		return PCRM_OK;
	}
	/* the caller (or the consulting device) left: abandoned while waiting, ended while talking */
	tel_acd_end(tel, c);
	if (c->state == PCRM_TEL_CALL_QUEUED)
		c->state = PCRM_TEL_CALL_OFFERED;
	return PCRM_OK;
}

static int on_call_cleared(pcrm_tel *tel, struct tel_call *c)
{
	while (c->party_count)
		party_leaves(tel, c, 0);
	tel_acd_end(tel, c);
	tel_call_forget(tel, c);
	return PCRM_OK;
}

static int on_digits(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c)
{
	if (tel_empty(ev->digits) && tel_empty(ev->service))
		return tel_reject(tel, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL,
		                  "event digits_collected: digits and service both missing");
	if (c->state == PCRM_TEL_CALL_OFFERED) { /* the IVR's answers, for the mapping */
		set_text(c->digits, sizeof(c->digits), ev->digits);
		set_text(c->service, sizeof(c->service), ev->service);
	}
	return PCRM_OK; /* later: DTMF in the conversation, nothing for the ACD */
}

static int on_recording(pcrm_tel *tel, const pcrm_tel_event *ev, struct tel_call *c, int start)
{
	if (c->state != PCRM_TEL_CALL_CONNECTED && c->state != PCRM_TEL_CALL_HELD)
		return out_of_order(tel, ev, c);
	if (start && c->recording)
		return tel_reject(tel, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE,
		                  "event recording_started: call %s is already recorded", c->id);
	if (!start && !c->recording)
		return tel_reject(tel, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE,
		                  "event recording_stopped: call %s is not recorded", c->id);
	c->recording = start;
	return PCRM_OK;
}

int tel_feed_call(pcrm_tel *tel, const pcrm_tel_event *ev, const pcrm_tel_customer *customer,
                  int customer_found)
{
	if (ev->type == PCRM_TEL_EV_OFFERED)
		return on_offered(tel, ev);
	struct tel_call *c = tel_call_find(tel, ev->call_id);
	if (!c)
		return unknown_call(tel, ev, ev->call_id);
	if (ev->at < c->last_at)
		return tel_reject(tel, PCRM_TEL_REJECT_TIME, PCRM_ESTATE,
		                  "event %s: call %s: time %lld is earlier than its previous event (%lld)",
		                  NAME(ev), c->id, (long long)ev->at, (long long)c->last_at);
	pcrm_acd_ms at = ev->at;
	int rc;
	switch (ev->type) {
	case PCRM_TEL_EV_QUEUED: rc = on_queued(tel, ev, c, customer, customer_found); break;
	case PCRM_TEL_EV_DELIVERED: rc = on_delivered(tel, ev, c); break;
	case PCRM_TEL_EV_ESTABLISHED: rc = on_established(tel, ev, c); break;
	case PCRM_TEL_EV_HELD: rc = on_hold_change(tel, ev, c, 1); break;
	case PCRM_TEL_EV_RETRIEVED: rc = on_hold_change(tel, ev, c, 0); break;
	case PCRM_TEL_EV_TRANSFERRED: rc = on_transferred(tel, ev, c); break;
	case PCRM_TEL_EV_CONFERENCED: rc = on_conferenced(tel, ev, c); break;
	case PCRM_TEL_EV_DIVERTED:
	case PCRM_TEL_EV_FAILED: rc = on_diverted_or_failed(tel, ev, c); break;
	case PCRM_TEL_EV_CONNECTION_CLEARED: rc = on_connection_cleared(tel, ev, c); break;
	case PCRM_TEL_EV_CALL_CLEARED: return on_call_cleared(tel, c); /* c is gone */
	case PCRM_TEL_EV_DIGITS_COLLECTED: rc = on_digits(tel, ev, c); break;
	case PCRM_TEL_EV_RECORDING_STARTED: rc = on_recording(tel, ev, c, 1); break;
	case PCRM_TEL_EV_RECORDING_STOPPED: rc = on_recording(tel, ev, c, 0); break;
	default: return tel_reject(tel, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL,
	                           "event type %d is not a call event", (int)ev->type);
	}
	/* a transfer may have merged the call; it is still `c` */
	if (!rc)
		c->last_at = at;
	return rc;
}
