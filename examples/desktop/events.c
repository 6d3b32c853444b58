/*
 * The agents' event streams.  The ACD's desktop events (every event naming
 * an agent: offers, answers, ends, state changes) go into that agent's ring
 * of the newest DESK_BACKLOG events, numbered from 1 (the SSE `id:`, so a
 * client sees a gap or a repeat); a stream reads the ring from where it left
 * off (the SSE `Last-Event-ID` on reconnect).  A reader slower than the ring
 * loses the oldest events and is told so by an `events_lost` event with the
 * count, never silently.
 *
 * Each ring has its own lock.  desk_acd_event() runs in the thread whose
 * call made the routing decision (under svc.lib): it formats the event,
 * appends it and wakes the ring's parked readers (a libmicrohttpd resume:
 * a write to the polling thread's wake-up descriptor), nothing more, so the
 * fan-out never waits on HTTP work, on the store or on another agent's ring.
 * A reader with nothing to send parks (its connection suspended) instead of
 * blocking a thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desktop.h"

static int stopping(void)
{
	return __atomic_load_n(&svc.stopping, __ATOMIC_ACQUIRE);
}

void desk_streams_init(void)
{
	for (size_t i = 0; i < DESK_USERS_MAX; i++)
		pthread_mutex_init(&svc.streams[i].lock, NULL);
}

void desk_streams_free(void)
{
	for (size_t i = 0; i < DESK_USERS_MAX; i++) {
		for (size_t k = 0; k < DESK_BACKLOG; k++)
			free(svc.streams[i].events[k]);
		pthread_mutex_destroy(&svc.streams[i].lock);
	}
}

/*
 * Unlinks and resumes the readers of `s` parked at or before `parked_before`
 * (ms).  Lock held: the resume must not outlive the reader, and a reader
 * could otherwise be resumed after shutdown woke the rest (the ticker's
 * events go on until the switch stops) and libmicrohttpd was stopped.  A
 * resume takes libmicrohttpd's connection-list lock for a moment and writes
 * to its wake-up descriptor; libmicrohttpd calls no application code with
 * that lock held, so "ring, then libmicrohttpd" is the only lock order.
 */
static void wake_locked(struct desk_stream *s, int64_t parked_before, int ping)
{
	struct desk_reader **link = &s->parked;
	while (*link) {
		struct desk_reader *r = *link;
		if (r->parked_at_ms > parked_before) {
			link = &r->next;
			continue;
		}
		*link = r->next;
		r->next = NULL;
		r->parked = 0;
		r->ping_due |= ping;
		r->resume(r);
	}
}

void desk_acd_event(void *userdata, const pcrm_acd_event *event)
{
	(void)userdata;
	if (!event->agent_id[0])
		return;
	int user = desk_user_find(event->agent_id);
	if (user < 0)
		return;
	char *json = NULL;
	if (pcrm_acd_event_to_json(event, &json) != PCRM_OK)
		return;
	/* Formatted outside the lock; the sequence number is written in under it. */
	const char *type = pcrm_acd_event_type_name(event->type);
	size_t n = strlen(json) + strlen(type) + 64;
	char *text = malloc(n);
	struct desk_stream *s = &svc.streams[user];
	pthread_mutex_lock(&s->lock);
	uint64_t seq = ++s->next_seq;
	size_t slot = (size_t)(seq % DESK_BACKLOG);
	if (s->events[slot])
		s->dropped++;
	free(s->events[slot]);
	s->events[slot] = text;
	if (text)
		snprintf(text, n, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", seq, type, json);
	wake_locked(s, INT64_MAX, 0);
	pthread_mutex_unlock(&s->lock);
	pcrm_free(json);
}

int desk_stream_open(int user)
{
	struct desk_stream *s = &svc.streams[user];
	pthread_mutex_lock(&s->lock);
	int ok = s->open < DESK_STREAMS_PER_USER;
	if (ok)
		s->open++;
	else
		/* A parked stream whose client went away (a reloaded page) is only
		 * noticed when written to: a keep-alive now lets it close, so the
		 * refused client's retry finds room. */
		wake_locked(s, INT64_MAX, 1);
	pthread_mutex_unlock(&s->lock);
	return ok ? 0 : -1;
}

void desk_stream_close(int user, struct desk_reader *r)
{
	struct desk_stream *s = &svc.streams[user];
	pthread_mutex_lock(&s->lock);
	for (struct desk_reader **link = &s->parked; *link; link = &(*link)->next)
		if (*link == r) {
			*link = r->next;
			break;
		}
	s->open--;
	pthread_mutex_unlock(&s->lock);
}

long desk_stream_read(int user, struct desk_reader *r, char *buf, size_t size)
{
	static const char ping[] = ": keep-alive\n\n";
	size_t used = 0;
	struct desk_stream *s = &svc.streams[user];
	pthread_mutex_lock(&s->lock);
	if (stopping()) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	/* An id beyond the newest is from an earlier run of the service (the ids
	 * start again from 1): start over from what the ring keeps, so what was
	 * missed is delivered or reported, and the reader cannot wait on a
	 * number this run has not reached (nor spin: a reader must park). */
	if (r->after > s->next_seq)
		r->after = 0;
	uint64_t oldest = s->next_seq > DESK_BACKLOG ? s->next_seq - DESK_BACKLOG + 1 : 1;
	if (r->after + 1 < oldest) {
		int k = snprintf(buf, size,
		                 "event: events_lost\ndata: {\"type\":\"events_lost\",\"count\":%" PRIu64 "}\n\n",
		                 oldest - r->after - 1);
		if (k < 0 || (size_t)k >= size) {
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
		used = (size_t)k;
		r->after = oldest - 1;
	}
	while (r->after < s->next_seq) {
		const char *e = s->events[(r->after + 1) % DESK_BACKLOG];
		size_t n = e ? strlen(e) : 0;
		if (used + n > size)
			break;
		memcpy(buf + used, e, n);
		used += n;
		r->after++;
	}
	/* Nothing sent and nothing pending (an event larger than `size` is: the
	 * caller comes back with more room): a keep-alive if due, else park. */
	int idle = used == 0 && r->after == s->next_seq;
	if (idle && r->ping_due && size >= sizeof(ping)) {
		memcpy(buf, ping, sizeof(ping) - 1);
		used = sizeof(ping) - 1;
		idle = 0;
	}
	r->ping_due = 0;
	if (idle && !r->parked) {
		r->parked = 1;
		r->parked_at_ms = desk_now_ms();
		r->next = s->parked;
		s->parked = r;
		r->suspend(r);
	}
	pthread_mutex_unlock(&s->lock);
	return (long)used;
}

void desk_stream_wake(int user)
{
	struct desk_stream *s = &svc.streams[user];
	pthread_mutex_lock(&s->lock);
	wake_locked(s, INT64_MAX, 0);
	pthread_mutex_unlock(&s->lock);
}

void desk_streams_ping(int64_t idle_ms)
{
	int64_t before = idle_ms > 0 ? desk_now_ms() - idle_ms : INT64_MAX;
	for (size_t i = 0; i < svc.user_count; i++) {
		struct desk_stream *s = &svc.streams[i];
		pthread_mutex_lock(&s->lock);
		wake_locked(s, before, 1);
		pthread_mutex_unlock(&s->lock);
	}
}
