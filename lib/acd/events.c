/*
 * Events (docs/acd.md, Events): stamped under the engine lock, then copied
 * into the bounded poll queue (its own lock and condition variable, so
 * consumers never take the engine lock) and, when a callback is set, into
 * a list delivered after the engine lock is released.  A full poll queue
 * drops the event and counts it; an events_lost event carries the count
 * ahead of the next event that fits.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static const char *const type_names[] = {
	NULL, "call_queued", "call_offered", "offer_withdrawn", "offer_missed",
	"call_answered", "call_held", "call_resumed", "call_ended", "call_abandoned",
	"call_refused", "call_overflowed", "call_timed_out", "call_moved", "call_rule",
	"agent_state", "queue_stats", "supervise", "events_lost", "cdrs_lost",
	"preferred_fallback",
};

const char *pcrm_acd_event_type_name(pcrm_acd_event_type type)
{
	return (unsigned)type < sizeof(type_names) / sizeof(*type_names) ? type_names[type] : NULL;
}

void acd_copy_id(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n > PCRM_ACD_ID_MAX)
		n = PCRM_ACD_ID_MAX;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void acd_event_init(pcrm_acd *acd, pcrm_acd_event *ev, pcrm_acd_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = PCRM_ACD_EVENT_VERSION;
	ev->type = type;
	ev->at = acd->now;
}

static void ring_put(pcrm_acd *acd, const pcrm_acd_event *ev)
{
	size_t tail = (acd->ring_head + acd->ring_count) % acd->ring_cap;
	acd->ring[tail] = *ev;
	acd->ring_count++;
}

static void push_poll(pcrm_acd *acd, pcrm_acd_event *ev)
{
	pthread_mutex_lock(&acd->ev_lock);
	if (acd->ring_lost && acd->ring_cap - acd->ring_count >= 2) {
		pcrm_acd_event lost;
		acd_event_init(acd, &lost, PCRM_ACD_EV_EVENTS_LOST);
		lost.seq = ev->seq; /* the lost report shares the seq of the event it precedes */
		lost.count = acd->ring_lost;
		acd->ring_lost = 0;
		ring_put(acd, &lost);
	}
	if (!acd->ring_lost && acd->ring_count < acd->ring_cap) {
		ring_put(acd, ev);
		pthread_cond_signal(&acd->ev_cond);
	} else {
		acd->ring_lost++;
		acd->counters.events_dropped++;
	}
	pthread_mutex_unlock(&acd->ev_lock);
}

void acd_emit(pcrm_acd *acd, pcrm_acd_event *ev)
{
	ev->seq = ++acd->event_seq;
	acd->counters.events_emitted++;
	if (acd->ring_cap)
		push_poll(acd, ev);
	if (!acd->cb)
		return;
	struct acd_event_buf *b = &acd->cb_pending;
	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		pcrm_acd_event *grown = realloc(b->items, cap * sizeof(*grown));
		if (!grown) {
			acd->counters.events_dropped++;
			return;
		}
		b->items = grown;
		b->cap = cap;
	}
	b->items[b->count++] = *ev;
}

void acd_emit_agent_state(pcrm_acd *acd, const struct acd_agent *a, pcrm_acd_agent_state prev)
{
	pcrm_acd_event ev;
	acd_event_init(acd, &ev, PCRM_ACD_EV_AGENT_STATE);
	acd_copy_id(ev.agent_id, a->id);
	acd_copy_id(ev.reason, a->reason);
	acd_copy_id(ev.call_id, a->call ? a->call->id : "");
	ev.state = a->state;
	ev.previous = prev;
	acd_emit(acd, &ev);
}

void acd_emit_call(pcrm_acd *acd, pcrm_acd_event_type type, const struct acd_call *c,
                   const struct acd_agent *a)
{
	pcrm_acd_event ev;
	acd_event_init(acd, &ev, type);
	acd_copy_id(ev.call_id, c->id);
	acd_copy_id(ev.queue_id, c->queue->id);
	acd_copy_id(ev.agent_id, a ? a->id : "");
	ev.priority = c->priority;
	ev.wait_ms = acd->now - c->arrived_at;
	if (type == PCRM_ACD_EV_CALL_OFFERED) {
		/* the screen pop: who is calling */
		memcpy(ev.caller_number, c->caller, sizeof(ev.caller_number));
		memcpy(ev.customer_no, c->customer, sizeof(ev.customer_no));
	}
	acd_emit(acd, &ev);
}

void acd_emit_queue_stats(pcrm_acd *acd, struct acd_queue *q)
{
	pcrm_acd_event ev;
	if (!acd->opt.queue_stats_events)
		return;
	acd_event_init(acd, &ev, PCRM_ACD_EV_QUEUE_STATS);
	acd_copy_id(ev.queue_id, q->id);
	ev.count = q->waiting.count;
	struct acd_call *oldest = acd_heap_top(&q->waiting);
	ev.wait_ms = oldest ? acd->now - oldest->arrived_at : 0;
	acd_emit(acd, &ev);
}

int acd_events_setup(pcrm_acd *acd)
{
	pthread_mutex_init(&acd->ev_lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&acd->ev_cond, &attr);
	pthread_condattr_destroy(&attr);
	acd->ring_cap = acd->opt.event_queue_capacity;
	if (acd->ring_cap && !(acd->ring = calloc(acd->ring_cap, sizeof(*acd->ring)))) {
		acd->ring_cap = 0;
		return pcrm__error_oom();
	}
	return PCRM_OK;
}

void acd_events_teardown(pcrm_acd *acd)
{
	free(acd->ring);
	pthread_cond_destroy(&acd->ev_cond);
	pthread_mutex_destroy(&acd->ev_lock);
}

struct acd_event_buf acd_events_take(pcrm_acd *acd)
{
	struct acd_event_buf b = acd->cb_pending;
	if (b.count == 0)
		return (struct acd_event_buf){ 0 };
	acd->cb_pending = (struct acd_event_buf){ 0 };
	return b;
}

void acd_events_deliver(pcrm_acd_event_fn fn, void *ud, struct acd_event_buf *buf)
{
	for (size_t i = 0; fn && i < buf->count; i++)
		fn(ud, &buf->items[i]);
	free(buf->items);
}

int pcrm_acd_set_event_callback(pcrm_acd *acd, pcrm_acd_event_fn fn, void *userdata)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	acd->cb = fn;
	acd->cb_ud = userdata;
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_events_poll(pcrm_acd *acd, pcrm_acd_event *out, size_t max, size_t *count,
                         int timeout_ms)
{
	if (!acd || !count || (max && !out))
		return pcrm__error(PCRM_EINVAL, "%s: missing", !acd ? "acd" : !count ? "count" : "out");
	if (timeout_ms < 0 || timeout_ms > 3600000)
		return pcrm__error(PCRM_EINVAL, "timeout_ms: %d is not 0..3600000", timeout_ms);
	/* A caller's array: out[0]'s version is the layout of every element (docs/abi.md). */
	int rc = max ? PCRM__OUT_VERSION_CHECK("out[0]", &out[0], PCRM_ACD_EVENT) : PCRM_OK;
	if (rc)
		return rc;
	*count = 0;
	if (!acd->ring_cap)
		return pcrm__error(PCRM_EUNSUPPORTED, "events_poll: the engine has no poll queue "
		                                      "(event_queue_capacity is 0)");
	pthread_mutex_lock(&acd->ev_lock);
	if (acd->ring_count == 0 && timeout_ms > 0) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (acd->ring_count == 0)
			if (pthread_cond_timedwait(&acd->ev_cond, &acd->ev_lock, &until) == ETIMEDOUT)
				break;
	}
	size_t n = 0;
	while (n < max && acd->ring_count > 0) {
		out[n++] = acd->ring[acd->ring_head];
		acd->ring_head = (acd->ring_head + 1) % acd->ring_cap;
		acd->ring_count--;
	}
	pthread_mutex_unlock(&acd->ev_lock);
	*count = n;
	return PCRM_OK;
}

/* ---- JSON ---- */

static int set_text(json_t *o, const char *key, const char *value)
{
	if (!value[0])
		return 0;
	return json_object_set_new(o, key, json_string(value));
}

int pcrm_acd_event_to_json(const pcrm_acd_event *ev, char **json)
{
	const char *type;
	json_t *o;
	int bad = 0;

	if (!ev || !json)
		return pcrm__error(PCRM_EINVAL, "%s: missing", ev ? "json" : "event");
	*json = NULL;
	if (!(type = pcrm_acd_event_type_name(ev->type)))
		return pcrm__error(PCRM_EINVAL, "event.type: %d is not an event type", (int)ev->type);
	if (!(o = json_object()))
		return pcrm__error_oom();
	bad |= json_object_set_new(o, "type", json_string(type));
	bad |= json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
	bad |= json_object_set_new(o, "at", json_integer(ev->at));
	bad |= set_text(o, "call", ev->call_id);
	bad |= set_text(o, "agent", ev->agent_id);
	bad |= set_text(o, "queue", ev->queue_id);
	bad |= set_text(o, "target", ev->target_id);
	bad |= set_text(o, "reason", ev->reason);
	bad |= set_text(o, "supervisor", ev->supervisor_id);
	switch (ev->type) {
	case PCRM_ACD_EV_CALL_OFFERED:
		bad |= set_text(o, "caller_number", ev->caller_number);
		bad |= set_text(o, "customer_no", ev->customer_no);
		/* fall through */
	case PCRM_ACD_EV_CALL_QUEUED:
		bad |= json_object_set_new(o, "priority", json_integer(ev->priority));
		/* fall through */
	case PCRM_ACD_EV_CALL_ANSWERED:
	case PCRM_ACD_EV_CALL_OVERFLOWED:
	case PCRM_ACD_EV_CALL_TIMED_OUT:
	case PCRM_ACD_EV_CALL_MOVED:
	case PCRM_ACD_EV_PREFERRED_FALLBACK:
	case PCRM_ACD_EV_OFFER_WITHDRAWN:
		bad |= json_object_set_new(o, "wait_ms", json_integer(ev->wait_ms));
		break;
	case PCRM_ACD_EV_CALL_ABANDONED:
		bad |= json_object_set_new(o, "wait_ms", json_integer(ev->wait_ms));
		bad |= json_object_set_new(o, "short", json_boolean(ev->count != 0));
		break;
	case PCRM_ACD_EV_CALL_ENDED:
		bad |= json_object_set_new(o, "wait_ms", json_integer(ev->wait_ms));
		bad |= json_object_set_new(o, "talk_ms", json_integer(ev->talk_ms));
		bad |= json_object_set_new(o, "hold_ms", json_integer(ev->hold_ms));
		break;
	case PCRM_ACD_EV_CALL_RULE:
		bad |= json_object_set_new(o, "wait_ms", json_integer(ev->wait_ms));
		bad |= json_object_set_new(o, "priority", json_integer(ev->priority));
		bad |= json_object_set_new(o, "min_level", json_integer((json_int_t)ev->count));
		break;
	case PCRM_ACD_EV_OFFER_MISSED:
		bad |= json_object_set_new(o, "misses", json_integer((json_int_t)ev->count));
		break;
	case PCRM_ACD_EV_AGENT_STATE:
		bad |= json_object_set_new(o, "state", json_string(pcrm_acd_agent_state_name(ev->state)
		                                                   ? pcrm_acd_agent_state_name(ev->state) : "?"));
		bad |= json_object_set_new(o, "previous",
		                           json_string(pcrm_acd_agent_state_name(ev->previous)
		                                       ? pcrm_acd_agent_state_name(ev->previous) : "?"));
		break;
	case PCRM_ACD_EV_QUEUE_STATS:
		bad |= json_object_set_new(o, "waiting", json_integer((json_int_t)ev->count));
		bad |= json_object_set_new(o, "longest_wait_ms", json_integer(ev->wait_ms));
		break;
	case PCRM_ACD_EV_SUPERVISE:
		bad |= json_object_set_new(o, "mode",
		                           json_string(pcrm_acd_supervise_mode_name(ev->mode)
		                                       ? pcrm_acd_supervise_mode_name(ev->mode) : "?"));
		break;
	case PCRM_ACD_EV_EVENTS_LOST:
	case PCRM_ACD_EV_CDRS_LOST:
		bad |= json_object_set_new(o, "count", json_integer((json_int_t)ev->count));
		break;
	case PCRM_ACD_EV_CALL_HELD:
	case PCRM_ACD_EV_CALL_RESUMED:
	case PCRM_ACD_EV_CALL_REFUSED:
		break;
	}
	char *text = bad ? NULL : json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	if (!text)
		return pcrm__error_oom();
	/* jansson allocates with malloc unless told otherwise: pcrm_free (free) releases it */
	*json = text;
	return PCRM_OK;
}
