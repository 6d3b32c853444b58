/*
 * The simulated switch's side of the adapter interface: the requests the
 * adapter sends when the ACD decides (route a call to an agent's device,
 * deflect a withdrawn offer back to the routing point, hang up a refused
 * call).  Like a real switch it only accepts the request here; what happens
 * next arrives as events on the agenda (delivered, established, failed,
 * diverted, cleared), fed through pcrm_tel_event_feed when they fall due.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_internal.h"

long sim_parse_index(const char *id, char prefix, size_t limit)
{
	if (!id || id[0] != prefix || id[1] < '0' || id[1] > '9')
		return -1;
	char *end;
	unsigned long v = strtoul(id + 1, &end, 10);
	if (*end != '\0' || v >= limit)
		return -1;
	return (long)v;
}

void sim_call_id(char *buf, size_t size, size_t index)
{
	/* by hand: snprintf was a few per cent of a simulated day */
	char digits[24];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + index % 10);
		index /= 10;
	} while (index && n < sizeof(digits));
	if (n + 2 > size) {
		buf[0] = '\0';
		return;
	}
	buf[0] = 'c';
	for (size_t i = 0; i < n; i++)
		buf[1 + i] = digits[n - 1 - i];
	buf[n + 1] = '\0';
}

/* The call the request names, or NULL (a call this switch never made). */
static struct sim_call *call_of(pcrm_sim *s, const char *call_id, long *index)
{
	*index = sim_parse_index(call_id, 'c', s->call_count);
	return *index < 0 ? NULL : &s->calls[*index];
}

static int sw_route(void *ud, const char *call_id, const char *device_id, const char *agent_id)
{
	pcrm_sim *s = ud;
	long ci, ai = sim_parse_index(device_id, 'd', s->agent_count);
	struct sim_call *c = call_of(s, call_id, &ci);
	(void)agent_id;
	s->stats.requests++;
	if (!c || ai < 0 || c->state == SIM_CALL_DONE || c->state == SIM_CALL_TALKING)
		return PCRM_TEL_NO_DEVICE;
	struct sim_agent *a = &s->agents[ai];
	if (!a->on_duty || a->leaving) {
		/* the agent is logging off at the end of its shift */
		s->stats.routes_refused++;
		return PCRM_TEL_REFUSED;
	}
	c->gen++;
	c->state = SIM_CALL_ALERTING;
	c->agent = (uint32_t)ai;
	s->last_progress = s->now;
	/* the agent's behaviour comes from its own stream, drawn in a fixed order */
	double u = sim_rng_unit(&s->agent_rng);
	int64_t delay = sim_draw_ms(&s->agent_rng, &s->cfg.answer_delay);
	int rc = sim_agenda_push(&s->agenda, s->now, SIM_EV_DELIVER, (uint32_t)ci, 0, c->gen);
	if (rc == PCRM_OK && u < s->cfg.no_answer_p) {
		s->stats.no_answers++; /* whoever ends the ringing: the switch or the ACD's ring timeout */
		rc = sim_agenda_push(&s->agenda, s->now + (int64_t)(s->cfg.no_answer_s * 1000.0 + 0.5),
		                     SIM_EV_NO_ANSWER, (uint32_t)ci, 0, c->gen);
	} else if (rc == PCRM_OK)
		rc = sim_agenda_push(&s->agenda, s->now + delay, SIM_EV_ANSWER, (uint32_t)ci, 0, c->gen);
	return rc == PCRM_OK ? PCRM_TEL_DONE : PCRM_TEL_REFUSED;
}

static int sw_deflect(void *ud, const char *call_id, const char *device_id, const char *destination)
{
	pcrm_sim *s = ud;
	long ci, ai = sim_parse_index(device_id, 'd', s->agent_count);
	struct sim_call *c = call_of(s, call_id, &ci);
	(void)destination;
	s->stats.requests++;
	if (!c || c->state == SIM_CALL_DONE)
		return PCRM_TEL_NO_DEVICE;
	if (ai < 0) /* deflected away from the routing point (a fallback): the call leaves */
		return sim_agenda_push(&s->agenda, s->now, SIM_EV_CLEAR, (uint32_t)ci, 0, 0)
		       ? PCRM_TEL_REFUSED : PCRM_TEL_DONE;
	/* the offer was withdrawn: stop ringing, back to the routing point */
	c->gen++;
	c->state = SIM_CALL_WAITING;
	return sim_agenda_push(&s->agenda, s->now, SIM_EV_DIVERT, (uint32_t)ci, (uint32_t)ai, 0)
	       ? PCRM_TEL_REFUSED : PCRM_TEL_DONE;
}

static int sw_hangup(void *ud, const char *call_id, const char *device_id)
{
	pcrm_sim *s = ud;
	long ci;
	struct sim_call *c = call_of(s, call_id, &ci);
	(void)device_id;
	s->stats.requests++;
	if (!c || c->state == SIM_CALL_DONE)
		return PCRM_TEL_NO_DEVICE;
	return sim_agenda_push(&s->agenda, s->now, SIM_EV_CLEAR, (uint32_t)ci, 0, 0)
	       ? PCRM_TEL_REFUSED : PCRM_TEL_DONE;
}

pcrm_tel_switch sim_switch_table(pcrm_sim *s)
{
	pcrm_tel_switch t = PCRM_TEL_SWITCH_INIT;
	t.userdata = s;
	t.route = sw_route;
	t.deflect = sw_deflect;
	t.hangup = sw_hangup;
	return t;
}
