/*
 * The simulated switch (--simulate): an in-process stand-in for a PBX that
 * does at once what a real switch would report a moment later.  It is a
 * telephony adapter like any integrator's (docs/adapter-guide.md): the
 * library asks through the pcrm_tel_switch table (route, answer, hang up,
 * agent state) and the switch answers by feeding the events a real switch
 * would send, through pcrm_tel_event_feed(), so the adapter's state machine
 * and the real ACD see exactly what they would in production.
 *
 * The library never calls a table function with its own lock held, so
 * feeding events from inside one is allowed (telephony.h, Threads).  The
 * callers hold svc.lib, so events are fed from one thread at a time.
 *
 * A ticker thread runs the ACD's timers (ring time-outs, wrap-up ends)
 * every 200 ms of real time, as step 5 of the adapter guide asks, and
 * flushes the finished calls into the store (call_record.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "desktop.h"

static pthread_t ticker;
static int ticker_started;
static pcrm_tel_archive archive;
static pcrm_call_record_sink *records;
static pcrm_actor lookup_actor = { "desktop-switch", PCRM_ROLE_SYSTEM, 3, "37" };

/* Where a call nobody can take goes: a recorded message (the call then ends). */
#define FALLBACK "announcement"

int64_t desk_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int feed(pcrm_tel_event_type type, const char *call_id, const char *device_id,
                const char *agent_id, const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call_id;
	ev.device_id = device_id;
	ev.agent_id = agent_id;
	ev.reason = reason;
	ev.at = desk_now_ms();
	int rc = pcrm_tel_event_feed(svc.tel, &ev, NULL);
	if (rc != PCRM_OK)
		fprintf(stderr, "desktop: switch: %s event refused: %s\n",
		        pcrm_tel_event_type_name(type), pcrm_error_last());
	return rc;
}

/* The call rings at the agent's phone. */
static int sw_route(void *ud, const char *call_id, const char *device_id, const char *agent_id)
{
	(void)ud;
	(void)agent_id;
	return feed(PCRM_TEL_EV_DELIVERED, call_id, device_id, NULL, NULL) == PCRM_OK
	               ? PCRM_TEL_DONE : PCRM_TEL_REFUSED;
}

static int sw_answer(void *ud, const char *call_id, const char *device_id)
{
	(void)ud;
	return feed(PCRM_TEL_EV_ESTABLISHED, call_id, device_id, NULL, NULL) == PCRM_OK
	               ? PCRM_TEL_DONE : PCRM_TEL_REFUSED;
}

/* The agent hangs up: the caller's side goes too (a two-party call). */
static int sw_hangup(void *ud, const char *call_id, const char *device_id)
{
	(void)ud;
	if (feed(PCRM_TEL_EV_CONNECTION_CLEARED, call_id, device_id, NULL, NULL) != PCRM_OK)
		return PCRM_TEL_REFUSED;
	feed(PCRM_TEL_EV_CALL_CLEARED, call_id, NULL, NULL, NULL);
	return PCRM_TEL_DONE;
}

/*
 * Deflect: an offer the ACD withdrew or that rang out goes from the agent's
 * device back to its routing point (the switch confirms with `diverted`,
 * and the ACD offers the call again); a refused or timed-out call goes to
 * the fallback, a recorded message here, after which the call ends.
 */
static int sw_deflect(void *ud, const char *call_id, const char *device_id, const char *destination)
{
	(void)ud;
	if (device_id && destination && strcmp(destination, FALLBACK) != 0) {
		pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
		ev.type = PCRM_TEL_EV_DIVERTED;
		ev.call_id = call_id;
		ev.device_id = device_id;
		ev.destination = destination;
		ev.at = desk_now_ms();
		return pcrm_tel_event_feed(svc.tel, &ev, NULL) == PCRM_OK ? PCRM_TEL_DONE
		                                                          : PCRM_TEL_REFUSED;
	}
	feed(PCRM_TEL_EV_CALL_CLEARED, call_id, NULL, NULL, NULL);
	return PCRM_TEL_DONE;
}

/*
 * Blind transfer to a queue's routing point ("rp-billing"): the switch
 * reports the transfer, then the call queued at the routing point with the
 * number it was transferred to, which the IVR rules map to the queue.
 */
static int sw_transfer(void *ud, const char *call_id, const char *device_id,
                       const char *destination)
{
	(void)ud;
	if (strncmp(destination, "rp-", 3) != 0)
		return PCRM_TEL_NO_DEVICE;
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_TRANSFERRED;
	ev.call_id = call_id;
	ev.device_id = device_id;
	ev.destination = destination;
	ev.at = desk_now_ms();
	if (pcrm_tel_event_feed(svc.tel, &ev, NULL) != PCRM_OK)
		return PCRM_TEL_REFUSED;
	pcrm_tel_event q = PCRM_TEL_EVENT_INIT;
	q.type = PCRM_TEL_EV_QUEUED;
	q.call_id = call_id;
	q.device_id = "rp";
	q.dialled_number = destination;
	q.at = desk_now_ms();
	if (pcrm_tel_event_feed(svc.tel, &q, NULL) != PCRM_OK)
		fprintf(stderr, "desktop: switch: queued event after transfer refused: %s\n",
		        pcrm_error_last());
	return PCRM_TEL_DONE;
}

static int sw_set_agent_state(void *ud, const char *device_id, const char *agent_id,
                              pcrm_tel_agent_state state, const char *reason)
{
	(void)ud;
	static const pcrm_tel_event_type map[] = {
		[PCRM_TEL_AGENT_LOGGED_OFF] = PCRM_TEL_EV_AGENT_LOGGED_OFF,
		[PCRM_TEL_AGENT_LOGGED_ON] = PCRM_TEL_EV_AGENT_LOGGED_ON,
		[PCRM_TEL_AGENT_READY] = PCRM_TEL_EV_AGENT_READY,
		[PCRM_TEL_AGENT_NOT_READY] = PCRM_TEL_EV_AGENT_NOT_READY,
		[PCRM_TEL_AGENT_WORK_NOT_READY] = PCRM_TEL_EV_AGENT_WORK_NOT_READY,
	};
	if ((unsigned)state > PCRM_TEL_AGENT_WORK_NOT_READY)
		return PCRM_TEL_REFUSED;
	return feed(map[state], NULL, device_id, agent_id, reason) == PCRM_OK ? PCRM_TEL_DONE
	                                                                     : PCRM_TEL_REFUSED;
}

static void *tick_loop(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&svc.ev);
		int stop = svc.stopping;
		pthread_mutex_unlock(&svc.ev);
		if (stop)
			return NULL;
		pthread_mutex_lock(&svc.lib);
		pcrm_acd_tick(svc.acd);
		size_t flushed;
		pcrm_acd_cdr_flush(svc.acd, &flushed);
		pthread_mutex_unlock(&svc.lib);
		usleep(200 * 1000);
	}
}


/* Declares `code` and its ancestors (from the store) to the ACD document's org_units. */
static void declare_unit(json_t *units, const char *code)
{
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u)
		if (strcmp(json_string_value(json_object_get(u, "code")), code) == 0)
			return;
	pcrm_org_unit *unit = NULL;
	if (pcrm_org_unit_get(svc.ctx, &lookup_actor, code, &unit) != PCRM_OK)
		return;
	const char *parent = pcrm_org_unit_parent(unit);
	if (parent && *parent) {
		declare_unit(units, parent);
		json_array_append_new(units, json_pack("{s:s, s:s}", "code", code, "parent", parent));
	} else
		json_array_append_new(units, json_pack("{s:s}", "code", code));
	pcrm_org_unit_free(unit);
}

/*
 * The ACD document with each agent's org unit (from the users file) and the
 * org units above them (from the store), so that a supervisor's force state
 * reaches only the agents of the supervisor's unit and below: the ACD's own
 * org scope (docs/acd.md, Supervisors); and the not-ready reason
 * "supervisor" of a forced not ready.
 */
static char *scoped_acd(const char *acd_json)
{
	json_error_t jerr;
	json_t *doc = json_loads(acd_json, 0, &jerr), *units = json_array(), *a;
	size_t i;
	if (!doc)
		return strdup(acd_json);
	json_array_foreach(json_object_get(doc, "agents"), i, a) {
		int u = desk_user_find(json_string_value(json_object_get(a, "id")));
		if (u < 0)
			continue;
		declare_unit(units, svc.users[u].org_unit);
		json_object_set_new(a, "org_unit", json_string(svc.users[u].org_unit));
	}
	for (size_t k = 0; k < svc.user_count; k++)
		declare_unit(units, svc.users[k].org_unit);
	json_object_set_new(doc, "org_units", units);
	/* the reason a supervisor's force gives (api.c), beside the built-in break, meal, ... */
	json_object_set_new(doc, "not_ready_reasons", json_pack("[s]", "supervisor"));
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

int desk_switch_start(const char *acd_json, char *err, size_t errsize)
{
	char *scoped = scoped_acd(acd_json);
	int rc = scoped ? pcrm_acd_new_from_json(&svc.acd, scoped, NULL, NULL) : PCRM_ENOMEM;
	free(scoped);
	if (rc != PCRM_OK) {
		snprintf(err, errsize, "ACD configuration: %s", pcrm_error_last());
		return -1;
	}
	/* Finished calls go to the store as call records and contact-history entries
	 * (call_record.h), flushed by the ticker under svc.lib. */
	if (pcrm_call_record_sink_new(&records, svc.ctx, &lookup_actor, NULL) != PCRM_OK ||
	    pcrm_call_record_sink_attach(records, svc.acd) != PCRM_OK) {
		snprintf(err, errsize, "call records: %s", pcrm_error_last());
		return -1;
	}
	pcrm_tel_switch sw = PCRM_TEL_SWITCH_INIT;
	sw.route = sw_route;
	sw.answer = sw_answer;
	sw.hangup = sw_hangup;
	sw.deflect = sw_deflect;
	sw.transfer = sw_transfer;
	sw.set_agent_state = sw_set_agent_state;
	pcrm_tel_options opts = PCRM_TEL_OPTIONS_INIT;
	opts.fallback_destination = FALLBACK;
	if (pcrm_tel_new(&svc.tel, svc.acd, &sw, &opts) != PCRM_OK ||
	    pcrm_tel_set_acd_event_callback(svc.tel, desk_acd_event, NULL) != PCRM_OK ||
	    pcrm_tel_set_ivr_rules(svc.tel,
	                           "{\"rules\": ["
	                           "{\"dialled\": \"rp-billing\", \"queue\": \"billing\"},"
	                           "{\"dialled\": \"rp-repair\", \"queue\": \"repair\"},"
	                           "{\"dialled\": \"rp-general\", \"queue\": \"general\"},"
	                           "{\"service\": \"billing\", \"queue\": \"billing\"},"
	                           "{\"service\": \"repair\", \"queue\": \"repair\"}],"
	                           " \"default_queue\": \"general\"}") != PCRM_OK) {
		snprintf(err, errsize, "telephony: %s", pcrm_error_last());
		return -1;
	}
	archive.ctx = svc.ctx;
	archive.actor = &lookup_actor;
	pcrm_tel_set_customer_lookup(svc.tel, pcrm_tel_archive_lookup, &archive);
	if (pthread_create(&ticker, NULL, tick_loop, NULL) != 0) {
		snprintf(err, errsize, "cannot start the ticker thread");
		return -1;
	}
	ticker_started = 1;
	return 0;
}

/* A caller dials 95598 and picks `service` in the IVR.  Caller holds svc.lib. */
int desk_switch_call(const char *caller_number, const char *service, char *call_id, size_t size)
{
	snprintf(call_id, size, "sim-%" PRIu64, ++svc.calls_made);
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = call_id;
	ev.device_id = "rp";
	ev.caller_number = caller_number;
	ev.dialled_number = "95598";
	ev.at = desk_now_ms();
	int rc = pcrm_tel_event_feed(svc.tel, &ev, NULL);
	if (rc != PCRM_OK)
		return rc;
	ev.type = PCRM_TEL_EV_QUEUED;
	ev.service = service;
	ev.at = desk_now_ms();
	return pcrm_tel_event_feed(svc.tel, &ev, NULL);
}

void desk_switch_stop(void)
{
	pthread_mutex_lock(&svc.ev);
	svc.stopping = 1;
	pthread_cond_broadcast(&svc.ev_cond);
	pthread_mutex_unlock(&svc.ev);
	if (ticker_started)
		pthread_join(ticker, NULL);
	pthread_mutex_lock(&svc.lib);
	pcrm_acd_cdr_flush(svc.acd, NULL);
	pthread_mutex_unlock(&svc.lib);
	pcrm_tel_free(svc.tel);
	pcrm_acd_free(svc.acd);
	pcrm_call_record_sink_free(records);
}
