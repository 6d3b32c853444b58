/*
 * Events in: the shape checks every event passes, the customer lookup of a
 * queued call (before the lock: it may do I/O), the switch's clock, and the
 * rejection counters.  The state machines are feed_call.c and feed_agent.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

int tel_reject(pcrm_tel *tel, pcrm_tel_reject kind, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tel->cur_reject = kind;
	return pcrm__error(status, "%s", msg);
}

/* At most `max` bytes of printable ASCII without spaces or quotes: the ACD's ids and numbers. */
static int field_ok(const char *name, const char *v, size_t max)
{
	if (!v)
		return PCRM_OK;
	size_t n = strlen(v);
	if (n > max)
		return pcrm__error(PCRM_EINVAL, "event.%s: longer than %zu bytes", name, max);
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '"' || v[i] == '\'' || v[i] == '\\')
			return pcrm__error(PCRM_EINVAL, "event.%s: byte %zu is not printable ASCII "
			                   "without spaces or quotes (normalise numbers first)", name, i);
	return PCRM_OK;
}

static int is_agent_event(pcrm_tel_event_type t)
{
	return t >= PCRM_TEL_EV_AGENT_LOGGED_ON && t <= PCRM_TEL_EV_AGENT_WORK_NOT_READY;
}

/* Shape only: the sizes, the type, the fields every event of the type needs. */
static int check_shape(const pcrm_tel_event *ev)
{
	int rc;
	if (ev->version < 1 || ev->version > PCRM_TEL_EVENT_VERSION)
		return pcrm__error(PCRM_EINVAL, "event.version: %u is not 1..%d", ev->version,
		                   PCRM_TEL_EVENT_VERSION);
	if (ev->size < sizeof(pcrm_tel_event))
		return pcrm__error(PCRM_EINVAL, "event.size: %zu is smaller than a version %u event",
		                   ev->size, ev->version);
	if (ev->type < PCRM_TEL_EV_FIRST || ev->type > PCRM_TEL_EV_LAST)
		return pcrm__error(PCRM_EINVAL, "event.type: %d is not a pcrm_tel_event_type",
		                   (int)ev->type);
	if ((rc = field_ok("call_id", ev->call_id, PCRM_TEL_ID_MAX)) ||
	    (rc = field_ok("device_id", ev->device_id, PCRM_TEL_ID_MAX)) ||
	    (rc = field_ok("agent_id", ev->agent_id, PCRM_TEL_ID_MAX)) ||
	    (rc = field_ok("other_call_id", ev->other_call_id, PCRM_TEL_ID_MAX)) ||
	    (rc = field_ok("destination", ev->destination, PCRM_TEL_NUMBER_MAX)) ||
	    (rc = field_ok("caller_number", ev->caller_number, PCRM_TEL_NUMBER_MAX)) ||
	    (rc = field_ok("dialled_number", ev->dialled_number, PCRM_TEL_NUMBER_MAX)) ||
	    (rc = field_ok("digits", ev->digits, PCRM_TEL_DIGITS_MAX)) ||
	    (rc = field_ok("service", ev->service, PCRM_TEL_ID_MAX)) ||
	    (rc = field_ok("reason", ev->reason, PCRM_TEL_ID_MAX)))
		return rc;
	const char *name = pcrm_tel_event_type_name(ev->type);
	if (is_agent_event(ev->type)) {
		if (tel_empty(ev->device_id))
			return pcrm__error(PCRM_EINVAL, "event %s: device_id: missing", name);
		if (ev->type == PCRM_TEL_EV_AGENT_LOGGED_ON && tel_empty(ev->agent_id))
			return pcrm__error(PCRM_EINVAL, "event %s: agent_id: missing", name);
		return PCRM_OK;
	}
	if (tel_empty(ev->call_id))
		return pcrm__error(PCRM_EINVAL, "event %s: call_id: missing", name);
	/* the call-wide events may come without a device; the others are about one */
	if (tel_empty(ev->device_id) && ev->type != PCRM_TEL_EV_CALL_CLEARED &&
	    ev->type != PCRM_TEL_EV_OFFERED && ev->type != PCRM_TEL_EV_DIGITS_COLLECTED &&
	    ev->type != PCRM_TEL_EV_RECORDING_STARTED && ev->type != PCRM_TEL_EV_RECORDING_STOPPED)
		return pcrm__error(PCRM_EINVAL, "event %s: device_id: missing", name);
	if (ev->type == PCRM_TEL_EV_CONFERENCED && tel_empty(ev->other_call_id))
		return pcrm__error(PCRM_EINVAL, "event conferenced: other_call_id: missing");
	return PCRM_OK;
}

int pcrm_tel_event_feed(pcrm_tel *tel, const pcrm_tel_event *ev, pcrm_tel_reject *rejected)
{
	if (rejected)
		*rejected = PCRM_TEL_REJECT_MALFORMED;
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "tel: missing");
	tel_enter();
	int rc = ev ? check_shape(ev) : pcrm__error(PCRM_EINVAL, "event: missing");
	/* The customer lookup may do I/O: before the lock, for a call that will be queued. */
	pcrm_tel_customer customer;
	int found = 0;
	if (!rc && ev->type == PCRM_TEL_EV_QUEUED) {
		const char *caller = ev->caller_number;
		if (tel_empty(caller)) {
			pthread_mutex_lock(&tel->lock);
			struct tel_call *call = tel_call_find(tel, ev->call_id);
			static _Thread_local char known[TEL_NUMBER_SIZE];
			tel_copy(known, sizeof(known), call ? call->caller : NULL);
			pthread_mutex_unlock(&tel->lock);
			caller = known;
		}
		found = tel_lookup_run(tel, caller, &customer);
	}
	pcrm_tel_reject kind = PCRM_TEL_REJECT_MALFORMED;
	pthread_mutex_lock(&tel->lock);
	if (!rc) {
		/* Time has passed whether or not the event fits: the ACD's timers that fell
		 * due before it (a wrap-up ending, a ring timeout) run first, so the event is
		 * checked against the ACD as it is at the event's time. */
		tel_clock_follow(tel, ev->at);
		tel->cur_reject = PCRM_TEL_ACCEPTED;
		rc = is_agent_event(ev->type) ? tel_feed_agent(tel, ev)
		                              : tel_feed_call(tel, ev, &customer, found);
		kind = tel->cur_reject;
		if (rc && kind == PCRM_TEL_ACCEPTED)
			kind = PCRM_TEL_REJECT_ACD; /* the ACD refused, or out of memory */
		if (!rc)
			kind = PCRM_TEL_ACCEPTED;
	}
	if (kind == PCRM_TEL_ACCEPTED) {
		tel->stats.events_accepted++;
		tel->stats.events_by_type[ev->type]++;
	} else {
		tel->stats.events_rejected++;
		tel->stats.rejected[kind]++;
	}
	pthread_mutex_unlock(&tel->lock);
	if (rejected)
		*rejected = kind;
	tel_leave(tel);
	return rc;
}

/* The switch's clock drives the ACD's (options.clock_from_events); an earlier time is ignored. */
void tel_clock_follow(pcrm_tel *tel, pcrm_acd_ms at)
{
	if (!tel->clock_from_events)
		return;
	/* the first reading switches the ACD to manual time (docs: set it before the first call) */
	if (!tel->clock_started || at > pcrm_acd_now(tel->acd))
		if (pcrm_acd_set_time(tel->acd, at) == PCRM_OK)
			tel->clock_started = 1;
}
