/*
 * The engine object: creation, the clock, the lock around every public
 * call (acd_enter / acd_leave), the seeded generator and engine statistics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static pcrm_acd_ms system_clock(void *userdata)
{
	struct timespec ts;
	(void)userdata;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (pcrm_acd_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int acd_check_id(const char *name, const char *id)
{
	if (!id)
		return pcrm__error(PCRM_EINVAL, "%s: missing", name);
	size_t n = strlen(id);
	if (n == 0 || n > PCRM_ACD_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: length %zu is not 1..%d", name, n,
		                   PCRM_ACD_ID_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];
		if (ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '\\')
			return pcrm__error(PCRM_EINVAL,
			                   "%s: byte %zu is not printable ASCII (spaces, quotes "
			                   "and backslashes are not allowed either)", name, i + 1);
	}
	return PCRM_OK;
}

#define RANGE(field, lo, hi)                                                                   \
	do {                                                                                   \
		if ((o->field) < (lo) || (o->field) > (hi))                                    \
			return pcrm__error(PCRM_EINVAL, "%s%s: %lld is not %lld..%lld", prefix, \
			                   #field, (long long)(o->field), (long long)(lo),     \
			                   (long long)(hi));                                   \
	} while (0)

int acd_options_check(const pcrm_acd_options *o, const char *prefix)
{
	if (o->version != PCRM_ACD_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "%sversion: %u is not %d", prefix, o->version,
		                   PCRM_ACD_OPTIONS_VERSION);
	RANGE(ring_timeout_s, 1, 600);
	RANGE(max_misses, 1, 100);
	RANGE(short_abandon_s, 0, 600);
	if (o->interval_minutes != 15 && o->interval_minutes != 30 && o->interval_minutes != 60)
		return pcrm__error(PCRM_EINVAL, "%sinterval_minutes: %d is not 15, 30 or 60", prefix,
		                   o->interval_minutes);
	if (o->event_queue_capacity != 0)
		RANGE(event_queue_capacity, 16, 1048576);
	RANGE(cdr_batch_size, 1, 100000);
	RANGE(cdr_max_pending, 1, 100000000);
	return PCRM_OK;
}

int acd_reason_known(const pcrm_acd *acd, const char *reason)
{
	for (size_t i = 0; i < acd->nreasons; i++)
		if (strcmp(acd->reasons[i], reason) == 0)
			return 1;
	return 0;
}

uint64_t acd_random(pcrm_acd *acd)
{
	/* splitmix64: reproducible from the seed, good enough to spread agents */
	uint64_t z = (acd->rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void read_clock(pcrm_acd *acd)
{
	pcrm_acd_ms t = acd->clock(acd->clock_ud);
	if (t > acd->now)
		acd->now = t;
}

static void rebase(pcrm_acd *acd)
{
	acd->now = acd->clock(acd->clock_ud);
	acd->interval_start = acd->now - (acd->now % acd->interval_ms + acd->interval_ms) %
	                                 acd->interval_ms;
	for (size_t i = 0; i < acd->nagents; i++) {
		struct acd_agent *a = acd->agents[i];
		a->state_since = a->accounted_since = a->idle_since = acd->now;
		memset(&a->total, 0, sizeof(a->total));
		memset(&a->interval, 0, sizeof(a->interval));
		a->interval_of = acd->interval_start;
	}
	for (size_t i = 0; i < acd->nqueues; i++) {
		acd->queues[i]->total = (pcrm_acd_queue_counts){ 0 };
		acd->queues[i]->interval = (pcrm_acd_queue_counts){ 0 };
		acd->queues[i]->interval_of = acd->interval_start;
	}
}

int pcrm_acd_new(pcrm_acd **out, const pcrm_acd_options *options)
{
	static const pcrm_acd_options defaults = PCRM_ACD_OPTIONS_INIT;
	pcrm_acd *acd;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	if (!options)
		options = &defaults;
	if ((rc = acd_options_check(options, "options.")) < 0)
		return rc;
	if (!(acd = calloc(1, sizeof(*acd))))
		return pcrm__error_oom();
	acd->opt = *options;
	acd->rng = options->seed;
	acd->clock = system_clock;
	acd->interval_ms = (pcrm_acd_ms)options->interval_minutes * 60000;
	acd_idmap_init(&acd->agent_map, offsetof(struct acd_agent, id));
	acd_idmap_init(&acd->queue_map, offsetof(struct acd_queue, id));
	acd_idmap_init(&acd->call_map, offsetof(struct acd_call, id));
	acd_heap_init(&acd->timers, offsetof(struct acd_timer, pos));
	pthread_mutex_init(&acd->lock, NULL);
	static const char *const builtin_reasons[] = { "login", "missed", "break", "meal",
		                                       "training", "meeting" };
	rc = acd_events_setup(acd);
	if (rc == PCRM_OK)
		rc = acd_cdr_setup(acd);
	for (size_t i = 0; rc == PCRM_OK && i < sizeof(builtin_reasons) / sizeof(*builtin_reasons); i++)
		rc = acd_reason_add_locked(acd, builtin_reasons[i], "reason");
	if (rc < 0) {
		pcrm_acd_free(acd);
		return rc;
	}
	rebase(acd);
	*out = acd;
	return PCRM_OK;
}

void pcrm_acd_free(pcrm_acd *acd)
{
	if (!acd)
		return;
	for (size_t i = 0; i < acd->call_map.cap; i++)
		if (acd->call_map.slots && acd->call_map.slots[i])
			acd_call_free(acd->call_map.slots[i]);
	for (size_t i = 0; i < acd->nagents; i++) {
		struct acd_agent *a = acd->agents[i];
		/* a call in wrap-up is no longer in the call map */
		if (a->call && a->state == PCRM_ACD_WRAP_UP)
			acd_call_free(a->call);
		acd_agent_free(a);
	}
	for (size_t i = 0; i < acd->nqueues; i++) {
		struct acd_queue *q = acd->queues[i];
		for (size_t l = 0; l < ACD_LEVELS; l++)
			acd_heap_free(&q->idle[l]);
		for (size_t k = 0; k < q->nclasses; k++) {
			acd_heap_free(&q->classes[k]->calls);
			free(q->classes[k]);
		}
		free(q->classes);
		free(q->members);
		acd_heap_free(&q->waiting);
		free(q);
	}
	free(acd->agents);
	free(acd->queues);
	free(acd->reasons);
	free(acd->orgs);
	free(acd->scratch);
	acd_idmap_free(&acd->agent_map);
	acd_idmap_free(&acd->queue_map);
	acd_idmap_free(&acd->call_map);
	acd_heap_free(&acd->timers);
	free(acd->cb_pending.items);
	acd_events_teardown(acd);
	acd_cdr_teardown(acd);
	pthread_mutex_destroy(&acd->lock);
	free(acd);
}

void acd_enter(pcrm_acd *acd)
{
	pthread_mutex_lock(&acd->lock);
	read_clock(acd);
	acd_timers_run(acd);
}

int acd_leave(pcrm_acd *acd, int rc)
{
	if (rc < 0) {
		acd->counters.invalid_requests++;
		if (rc == PCRM_ENOTFOUND)
			acd->counters.invalid_unknown_id++;
		else if (rc == PCRM_ESTATE)
			acd->counters.invalid_transition++;
		else if (rc != PCRM_ENOMEM)
			acd->counters.invalid_input++;
	}
	pcrm_acd_event_fn fn = acd->cb;
	void *ud = acd->cb_ud;
	struct acd_event_buf events = acd_events_take(acd);
	pthread_mutex_unlock(&acd->lock);
	acd_events_deliver(fn, ud, &events);
	return rc;
}

static int replace_clock(pcrm_acd *acd, pcrm_acd_clock_fn clock, void *userdata)
{
	if (acd->calls_live > 0 || acd->timers.count > 0)
		return pcrm__error(PCRM_ESTATE, "clock: cannot be replaced while calls are live "
		                                "or timers are armed");
	acd->clock = clock ? clock : system_clock;
	acd->clock_ud = clock ? userdata : NULL;
	rebase(acd);
	return PCRM_OK;
}

int pcrm_acd_set_clock(pcrm_acd *acd, pcrm_acd_clock_fn clock, void *userdata)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	pthread_mutex_lock(&acd->lock);
	return acd_leave(acd, replace_clock(acd, clock, userdata));
}

static pcrm_acd_ms manual_clock(void *userdata)
{
	return ((const pcrm_acd *)userdata)->manual_now;
}

int pcrm_acd_set_time(pcrm_acd *acd, pcrm_acd_ms now)
{
	int rc = PCRM_OK;
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	pthread_mutex_lock(&acd->lock);
	if (acd->clock != manual_clock) {
		acd->manual_now = now;
		rc = replace_clock(acd, manual_clock, acd);
	} else if (now < acd->now) {
		rc = pcrm__error(PCRM_EINVAL, "now: %lld is earlier than the engine's time %lld",
		                 (long long)now, (long long)acd->now);
	} else {
		acd->manual_now = now;
		read_clock(acd);
		acd_timers_run(acd);
	}
	return acd_leave(acd, rc);
}

pcrm_acd_ms pcrm_acd_now(pcrm_acd *acd)
{
	if (!acd)
		return 0;
	pthread_mutex_lock(&acd->lock);
	read_clock(acd);
	pcrm_acd_ms now = acd->now;
	pthread_mutex_unlock(&acd->lock);
	return now;
}

int pcrm_acd_tick(pcrm_acd *acd)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	return acd_leave(acd, PCRM_OK);
}

int pcrm_acd_engine_stats_get(pcrm_acd *acd, pcrm_acd_engine_stats *out)
{
	if (!acd || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", acd ? "out" : "acd");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_ACD_ENGINE_STATS);
	if (rc)
		return rc;
	acd_enter(acd);
	*out = acd->counters;
	out->version = PCRM_ACD_ENGINE_STATS_VERSION;
	out->agents = acd->nagents;
	out->queues = acd->nqueues;
	out->calls_live = acd->calls_live;
	out->calls_waiting = acd->calls_waiting;
	out->agents_logged_in = 0;
	for (size_t i = 0; i < acd->nagents; i++)
		out->agents_logged_in += acd->agents[i]->state != PCRM_ACD_LOGGED_OUT;
	pthread_mutex_lock(&acd->ev_lock);
	out->events_queued = acd->ring_count;
	pthread_mutex_unlock(&acd->ev_lock);
	pthread_mutex_lock(&acd->cdr_lock);
	out->cdrs_emitted = acd->cdrs_emitted;
	out->cdrs_flushed = acd->cdrs_flushed;
	out->cdrs_dropped = acd->cdrs_dropped;
	out->cdrs_pending = acd->cdr_count;
	pthread_mutex_unlock(&acd->cdr_lock);
	return acd_leave(acd, PCRM_OK);
}
