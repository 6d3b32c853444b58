/*
 * The agents' event streams.  The ACD's desktop events (every event naming
 * an agent: offers, answers, ends, state changes) go into that agent's ring
 * of the newest DESK_BACKLOG events, numbered from 1; a stream reads the ring
 * from where it left off (the SSE `Last-Event-ID` on reconnect).  A reader
 * slower than the ring loses the oldest events and is told so by an
 * `events_lost` event with the count, never silently.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "desktop.h"

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
	pthread_mutex_lock(&svc.ev);
	struct desk_stream *s = &svc.streams[user];
	uint64_t seq = ++s->next_seq;
	size_t slot = (size_t)(seq % DESK_BACKLOG);
	if (s->events[slot])
		s->dropped++;
	free(s->events[slot]);
	size_t n = strlen(json) + 96;
	s->events[slot] = malloc(n);
	if (s->events[slot])
		snprintf(s->events[slot], n, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", seq,
		         pcrm_acd_event_type_name(event->type), json);
	pthread_cond_broadcast(&svc.ev_cond);
	pthread_mutex_unlock(&svc.ev);
	pcrm_free(json);
}

size_t desk_stream_read(int user, uint64_t *after, char *buf, size_t size, int wait_ms)
{
	size_t used = 0;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&svc.ev);
	struct desk_stream *s = &svc.streams[user];
	while (s->next_seq <= *after && !svc.stopping)
		if (pthread_cond_timedwait(&svc.ev_cond, &svc.ev, &until) == ETIMEDOUT)
			break;
	uint64_t oldest = s->next_seq > DESK_BACKLOG ? s->next_seq - DESK_BACKLOG + 1 : 1;
	if (*after + 1 < oldest) {
		used = (size_t)snprintf(buf, size,
		                        "event: events_lost\ndata: {\"type\":\"events_lost\",\"count\":%" PRIu64 "}\n\n",
		                        oldest - *after - 1);
		*after = oldest - 1;
	}
	while (*after < s->next_seq) {
		const char *e = s->events[(*after + 1) % DESK_BACKLOG];
		size_t n = e ? strlen(e) : 0;
		if (used + n > size)
			break;
		memcpy(buf + used, e, n);
		used += n;
		(*after)++;
	}
	pthread_mutex_unlock(&svc.ev);
	return used;
}
