/*
 * What each simulated event does.  The simulation's own state is updated
 * BEFORE the event is fed, because feeding may make the ACD decide at once
 * and the adapter call back into the switch (switch.c) before the feed
 * returns.  Events armed for an offer carry the call's generation: a
 * withdrawn or failed offer bumps it, so its pending answer is ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

static int push(pcrm_sim *s, int64_t at, uint32_t kind, size_t obj, size_t aux, uint32_t gen)
{
	return sim_agenda_push(&s->agenda, at, kind, (uint32_t)obj, (uint32_t)aux, gen);
}

static void hist_add(pcrm_sim *s, uint64_t ns)
{
	size_t b = 0;
	if (ns >= 4) {
		int msb = 63 - __builtin_clzll(ns);
		b = (size_t)msb * 4 + (size_t)((ns >> (msb - 2)) & 3);
	}
	if (b >= SIM_HIST_BUCKETS)
		b = SIM_HIST_BUCKETS - 1;
	s->hist[b]++;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sim_feed(pcrm_sim *s, pcrm_tel_event *ev)
{
	ev->at = s->now;
	s->stats.events_fed++;
	int rc;
	if (s->cfg.measure_latency) {
		uint64_t t0 = wall_ns();
		rc = pcrm_tel_event_feed(s->tel, ev, NULL);
		uint64_t ns = wall_ns() - t0;
		s->feed_ns_sum += (double)ns;
		if (ev->type == PCRM_TEL_EV_QUEUED) {
			hist_add(s, ns);
			s->queued_fed++;
			if ((double)ns > s->stats.queued_ns_max)
				s->stats.queued_ns_max = (double)ns;
		}
	} else {
		rc = pcrm_tel_event_feed(s->tel, ev, NULL);
	}
	if (rc != PCRM_OK) {
		if (s->stats.events_rejected++ == 0)
			snprintf(s->first_reject, sizeof(s->first_reject), "%s", pcrm_error_last());
	}
	return rc;
}

static void call_event(pcrm_tel_event *ev, pcrm_tel_event_type type, const char *call,
                       const char *device)
{
	pcrm_tel_event init = PCRM_TEL_EVENT_INIT;
	*ev = init;
	ev->type = type;
	ev->call_id = call;
	ev->device_id = device;
}

/* The next arrival of queue q after the one at next_s, across intervals of different rates. */
static void advance_arrival(struct sim_queue *q)
{
	if (q->log) {
		q->next_s = q->log_next < q->log_count ? q->log[q->log_next].at_s : -1.0;
		return;
	}
	double t = q->next_s;
	for (;;) {
		size_t k = (size_t)(t / q->interval_s);
		if (k >= q->interval_count) {
			q->next_s = -1.0;
			return;
		}
		double end = (double)(k + 1) * q->interval_s;
		double rate = q->calls[k] / q->interval_s;
		if (rate > 0.0) {
			double gap = sim_draw_exp_s(&q->rng, rate);
			if (t + gap < end) {
				q->next_s = t + gap;
				return;
			}
		}
		/* memoryless: nothing in the rest of this interval, start afresh at its end */
		t = end;
	}
}

static int64_t at_s(const pcrm_sim *s, double seconds)
{
	return s->cfg.start + (int64_t)(seconds * 1000.0 + 0.5);
}

int sim_arm_first_arrival(pcrm_sim *s, size_t qi)
{
	struct sim_queue *q = &s->queues[qi];
	q->next_s = 0.0;
	advance_arrival(q);
	return q->next_s < 0 ? PCRM_OK : push(s, at_s(s, q->next_s), SIM_EV_ARRIVAL, qi, 0, 0);
}

static int on_arrival(pcrm_sim *s, size_t qi)
{
	struct sim_queue *q = &s->queues[qi];
	if (s->call_count == s->call_cap) {
		size_t cap = s->call_cap ? s->call_cap * 2 : 4096;
		struct sim_call *calls = realloc(s->calls, cap * sizeof(*calls));
		if (!calls)
			return PCRM_ENOMEM;
		s->calls = calls;
		s->call_cap = cap;
	}
	size_t ci = s->call_count++;
	struct sim_call *c = &s->calls[ci];
	memset(c, 0, sizeof(*c));
	c->queue = (uint32_t)qi;
	c->state = SIM_CALL_WAITING;
	/* the caller's whole story is drawn now, from the queue's stream, in a
	 * fixed order: talk, patience, transfer choice, talk and patience after a transfer */
	c->talk_ms = sim_draw_ms(&q->rng, &q->talk);
	int64_t patience = sim_draw_ms(&q->rng, &q->patience);
	int abandons = q->patience.kind != PCRM_SIM_NONE;
	if (q->log) {
		/* a recorded call: its own talk time and, when known, its patience */
		const pcrm_sim_call *rec = &q->log[q->log_next++];
		pcrm_sim_dist fixed = { PCRM_SIM_FIXED, rec->talk_s, 0.0 };
		c->talk_ms = sim_draw_ms(&q->rng, &fixed);
		if (rec->patience_s >= 0.0) {
			fixed.mean_s = rec->patience_s;
			patience = fixed.mean_s > 0.0 ? sim_draw_ms(&q->rng, &fixed) : 0;
			abandons = 1;
		}
	}
	c->will_transfer = sim_rng_unit(&q->rng) < q->transfer_p;
	c->transfer_queue = q->transfer_queue;
	c->transfer_talk_ms = sim_draw_ms(&q->rng, &s->queues[q->transfer_queue].talk);
	c->transfer_patience_ms = sim_draw_ms(&q->rng, &s->queues[q->transfer_queue].patience);
	s->live++;
	s->stats.calls++;

	int rc = PCRM_OK;
	if (abandons)
		rc = push(s, s->now + patience, SIM_EV_ABANDON, ci, 0, 0);
	advance_arrival(q);
	if (rc == PCRM_OK && q->next_s >= 0)
		rc = push(s, at_s(s, q->next_s), SIM_EV_ARRIVAL, qi, 0, 0);
	if (rc)
		return rc;

	char id[24], caller[24];
	sim_call_id(id, sizeof(id), ci);
	/* a mobile number per call: "1" and ten digits of the call's index */
	caller[0] = '1';
	for (size_t i = 0, v = ci; i < 10; i++, v /= 10)
		caller[10 - i] = (char)('0' + v % 10);
	caller[11] = '\0';
	pcrm_tel_event ev;
	call_event(&ev, PCRM_TEL_EV_OFFERED, id, SIM_ROUTING_POINT);
	ev.caller_number = caller;
	ev.dialled_number = SIM_DIALLED;
	sim_feed(s, &ev);
	call_event(&ev, PCRM_TEL_EV_QUEUED, id, SIM_ROUTING_POINT);
	ev.service = q->id;
	sim_feed(s, &ev);
	return PCRM_OK;
}

static void call_done(pcrm_sim *s, struct sim_call *c)
{
	c->state = SIM_CALL_DONE;
	c->gen++;
	s->live--;
}

static int on_abandon(pcrm_sim *s, size_t ci, uint32_t leg)
{
	struct sim_call *c = &s->calls[ci];
	if (leg != c->transferred || (c->state != SIM_CALL_WAITING && c->state != SIM_CALL_ALERTING))
		return PCRM_OK;
	call_done(s, c);
	s->stats.abandons++;
	char id[24];
	sim_call_id(id, sizeof(id), ci);
	pcrm_tel_event ev;
	call_event(&ev, PCRM_TEL_EV_CALL_CLEARED, id, NULL);
	sim_feed(s, &ev);
	return PCRM_OK;
}

static int on_clear(pcrm_sim *s, size_t ci)
{
	struct sim_call *c = &s->calls[ci];
	if (c->state == SIM_CALL_DONE)
		return PCRM_OK;
	call_done(s, c);
	char id[24];
	sim_call_id(id, sizeof(id), ci);
	pcrm_tel_event ev;
	call_event(&ev, PCRM_TEL_EV_CALL_CLEARED, id, NULL);
	sim_feed(s, &ev);
	return PCRM_OK;
}

static int on_ring_step(pcrm_sim *s, const struct sim_ev *e)
{
	struct sim_call *c = &s->calls[e->obj];
	if (c->gen != e->gen || c->state != SIM_CALL_ALERTING)
		return PCRM_OK; /* the offer was withdrawn, or the caller left */
	char id[24];
	sim_call_id(id, sizeof(id), e->obj);
	const char *device = s->agents[c->agent].device;
	pcrm_tel_event ev;
	switch (e->kind) {
	case SIM_EV_DELIVER:
		call_event(&ev, PCRM_TEL_EV_DELIVERED, id, device);
		sim_feed(s, &ev);
		return PCRM_OK;
	case SIM_EV_ANSWER: {
		c->state = SIM_CALL_TALKING;
		int64_t talk = c->transferred ? c->transfer_talk_ms : c->talk_ms;
		int rc = push(s, s->now + talk, SIM_EV_TALK_END, e->obj, 0, c->gen);
		if (rc)
			return rc;
		call_event(&ev, PCRM_TEL_EV_ESTABLISHED, id, device);
		sim_feed(s, &ev);
		return PCRM_OK;
	}
	default: /* no answer: the switch gives up ringing */
		c->gen++;
		c->state = SIM_CALL_WAITING;
		call_event(&ev, PCRM_TEL_EV_FAILED, id, device);
		ev.reason = "no_answer";
		sim_feed(s, &ev);
		return PCRM_OK;
	}
}

static int on_divert(pcrm_sim *s, const struct sim_ev *e)
{
	if (s->calls[e->obj].state == SIM_CALL_DONE)
		return PCRM_OK;
	char id[24];
	sim_call_id(id, sizeof(id), e->obj);
	pcrm_tel_event ev;
	call_event(&ev, PCRM_TEL_EV_DIVERTED, id, s->agents[e->aux].device);
	ev.destination = SIM_ROUTING_POINT;
	sim_feed(s, &ev);
	return PCRM_OK;
}

static int on_talk_end(pcrm_sim *s, const struct sim_ev *e)
{
	struct sim_call *c = &s->calls[e->obj];
	if (c->gen != e->gen || c->state != SIM_CALL_TALKING)
		return PCRM_OK;
	size_t ai = c->agent;
	const char *device = s->agents[ai].device;
	char id[24];
	sim_call_id(id, sizeof(id), e->obj);
	pcrm_tel_event ev;
	int rc = PCRM_OK;
	if (c->will_transfer && !c->transferred) {
		/* a blind transfer to the other queue's service: a second leg, with
		 * the patience of that queue's callers */
		c->transferred = 1;
		c->gen++;
		c->state = SIM_CALL_WAITING;
		s->stats.transfers++;
		if (s->queues[c->transfer_queue].patience.kind != PCRM_SIM_NONE &&
		    (rc = push(s, s->now + c->transfer_patience_ms, SIM_EV_ABANDON, e->obj, 1, 0)))
			return rc;
		call_event(&ev, PCRM_TEL_EV_TRANSFERRED, id, device);
		ev.destination = SIM_DIALLED;
		sim_feed(s, &ev);
		call_event(&ev, PCRM_TEL_EV_QUEUED, id, SIM_ROUTING_POINT);
		ev.dialled_number = SIM_DIALLED;
		ev.service = s->queues[c->transfer_queue].id;
		sim_feed(s, &ev);
	} else {
		call_done(s, c);
		call_event(&ev, PCRM_TEL_EV_CALL_CLEARED, id, NULL);
		sim_feed(s, &ev);
	}
	if (s->cfg.wrap_up.kind != PCRM_SIM_NONE)
		rc = push(s, s->now + sim_draw_ms(&s->agent_rng, &s->cfg.wrap_up), SIM_EV_WRAP_END,
		          ai, e->obj, 0);
	if (rc == PCRM_OK && s->agents[ai].leaving)
		rc = push(s, s->now, SIM_EV_LOGOFF, ai, 0, 0);
	return rc;
}

static void agent_event(pcrm_sim *s, struct sim_agent *a, pcrm_tel_event_type type)
{
	pcrm_tel_event ev;
	call_event(&ev, type, NULL, a->device);
	ev.agent_id = a->id;
	sim_feed(s, &ev);
}

static int on_wrap_end(pcrm_sim *s, const struct sim_ev *e)
{
	struct sim_agent *a = &s->agents[e->obj];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	char id[24];
	sim_call_id(id, sizeof(id), e->aux);
	/* only if the ACD's own wrap-up timer has not ended it already */
	if (a->on_duty && pcrm_acd_agent_get(s->acd, a->id, &info) == PCRM_OK &&
	    info.state == PCRM_ACD_WRAP_UP && strcmp(info.call_id, id) == 0)
		agent_event(s, a, PCRM_TEL_EV_AGENT_READY);
	return PCRM_OK;
}

int sim_arm_shift(pcrm_sim *s, size_t ai)
{
	struct sim_agent *a = &s->agents[ai];
	if (a->next_shift >= a->shift_count)
		return PCRM_OK;
	return push(s, at_s(s, a->shifts[a->next_shift].start_s), SIM_EV_SHIFT_START, ai, 0, 0);
}

static int on_shift_start(pcrm_sim *s, size_t ai)
{
	struct sim_agent *a = &s->agents[ai];
	a->on_duty = 1;
	a->leaving = 0;
	int rc = PCRM_OK;
	if (a->shift_count)
		rc = push(s, at_s(s, a->shifts[a->next_shift].end_s), SIM_EV_SHIFT_END, ai, 0, 0);
	a->next_shift++;
	agent_event(s, a, PCRM_TEL_EV_AGENT_LOGGED_ON);
	agent_event(s, a, PCRM_TEL_EV_AGENT_READY);
	return rc;
}

static int on_logoff(pcrm_sim *s, size_t ai)
{
	struct sim_agent *a = &s->agents[ai];
	if (!a->on_duty || !a->leaving)
		return PCRM_OK;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	int rc = pcrm_acd_agent_get(s->acd, a->id, &info);
	if (rc)
		return rc;
	if (info.state == PCRM_ACD_RESERVED || info.state == PCRM_ACD_TALKING ||
	    info.state == PCRM_ACD_HELD)
		return push(s, s->now + 1000, SIM_EV_LOGOFF, ai, 0, 0); /* look again */
	a->on_duty = 0;
	a->leaving = 0;
	agent_event(s, a, PCRM_TEL_EV_AGENT_LOGGED_OFF);
	return sim_arm_shift(s, ai);
}

int sim_handle(pcrm_sim *s, const struct sim_ev *e)
{
	switch (e->kind) {
	case SIM_EV_ARRIVAL: return on_arrival(s, e->obj);
	case SIM_EV_ABANDON: return on_abandon(s, e->obj, e->aux);
	case SIM_EV_DELIVER:
	case SIM_EV_ANSWER:
	case SIM_EV_NO_ANSWER: return on_ring_step(s, e);
	case SIM_EV_DIVERT: return on_divert(s, e);
	case SIM_EV_CLEAR: return on_clear(s, e->obj);
	case SIM_EV_TALK_END: return on_talk_end(s, e);
	case SIM_EV_WRAP_END: return on_wrap_end(s, e);
	case SIM_EV_SHIFT_START: return on_shift_start(s, e->obj);
	case SIM_EV_SHIFT_END:
		s->agents[e->obj].leaving = 1;
		return on_logoff(s, e->obj);
	case SIM_EV_LOGOFF: return on_logoff(s, e->obj);
	default: return PCRM_OK;
	}
}
