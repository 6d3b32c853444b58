/*
 * ACD routing benchmark (issue 15): 5,000 agents in 200 skill groups (each
 * agent holds 3-8 of them, levels 1-10), 20,000 calls waiting, steady
 * churn.  Every agent is busy, so the routing decision that matters is the
 * one made when an agent becomes free: which of the 20,000 waiting calls
 * it takes (the highest priority, then the longest wait, among the calls
 * of its groups it is skilled enough for).
 *
 * One cycle of the churn: a random talking agent's caller hangs up (the
 * agent enters wrap-up); the agent ends its wrap-up (90 %) or goes on a
 * break while a random agent on a break comes back (10 %): either makes an
 * agent ready, and THAT call is the timed routing decision; the agent
 * answers what it was offered; 3 % of the cycles a random waiting caller
 * abandons; new calls arrive (random group, 20 % with a priority, 20 %
 * with a minimum level 2-5) until 20,000 wait again.  A call that arrives
 * while an eligible agent is idle is routed at once (timed separately).
 *
 * The baseline, measured in the same run on the same workload, is a
 * linear-scan router of the shape of FreeSWITCH mod_callcenter's dispatch:
 * for each waiting caller in order (priority, then arrival; kept in
 * per-priority FIFO lists, which is kinder to it than re-sorting), scan
 * the members of the caller's queue for an available agent with the level,
 * taking the longest idle; the first caller that finds one gets it.  Same
 * decisions by construction (when one agent is free, the first caller in
 * global order that it may answer is the engine's fairness rule): the
 * benchmark checks that both chose the same call for every decision and
 * stops if they ever differ.  The baseline is in memory, no SQL: the real
 * mod_callcenter pays a database query per caller on top.
 *
 * Prints p50 / p99 / p99.9 decision latency of the engine (the public API
 * call that makes the agent ready, lock, events and all) and of the
 * baseline (its dispatch function), their ratios, and routed calls per
 * CPU second of one thread (whole cycles: arrive, route, answer, hang up,
 * wrap-up, event draining), as min / median / max over several runs.
 * Targets (issue 15): engine p99 under 10 us; at least 100x the baseline.
 * No assertion on time: the figures are for people.
 *
 * Environment: PCRM_BENCH_RUNS (5), PCRM_BENCH_DECISIONS per run (20000),
 * PCRM_BENCH_SEED (1); PCRM_BENCH_BASELINES=0 runs the engine alone (to
 * profile it, e.g. under callgrind).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

#include "bench.h"

#define AGENTS 5000
#define GROUPS 200
#define WAITING 20000
#define WARMUP 2000
#define PRIORITIES (PCRM_ACD_PRIORITY_MAX + 1)
#define T0 1795395600000LL

static const char *program = "bench_acd";

/* ---- the workload, shared by both routers ---- */

struct agent_skills {
	int n;
	int group[8];
	int level[8];
};
static struct agent_skills skills[AGENTS];

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}
static unsigned pick(uint64_t *s, unsigned n) { return (unsigned)(next_random(s) % n); }

static void make_skills(uint64_t seed)
{
	uint64_t rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	for (int a = 0; a < AGENTS; a++) {
		struct agent_skills *s = &skills[a];
		s->n = 3 + (int)pick(&rng, 6);
		for (int k = 0; k < s->n; k++) {
			int g, dup;
			do {
				g = (int)pick(&rng, GROUPS);
				dup = 0;
				for (int j = 0; j < k; j++)
					dup |= s->group[j] == g;
			} while (dup);
			s->group[k] = g;
			s->level[k] = 1 + (int)pick(&rng, 10);
		}
	}
}

struct new_call {
	int group, priority, min_level;
};

static struct new_call random_call(uint64_t *rng)
{
	struct new_call c;
	c.group = (int)pick(rng, GROUPS);
	c.priority = pick(rng, 5) == 0 ? 1 + (int)pick(rng, PCRM_ACD_PRIORITY_MAX) : 0;
	c.min_level = pick(rng, 5) == 0 ? 2 + (int)pick(rng, 4) : 1;
	return c;
}

/*
 * The driver's view, the same for both routers: who talks with which call,
 * who is on a break, who idles, which calls wait.  A router is a set of
 * functions over it; what they decide is logged so the two can be compared.
 */
enum { TALKING, BREAK, IDLE };
struct driver {
	uint64_t rng;
	int state[AGENTS];
	long call_of[AGENTS];
	int talking[AGENTS], ntalking, pos_talking[AGENTS];
	int on_break[AGENTS], nbreak;
	long *waiting; /* call numbers */
	size_t nwaiting;
	size_t *pos_waiting; /* by call number */
	long next_call;
	long calls_cap;
	long *log; /* per decision: the call chosen (agent ready) or agent chosen (arrival), -1 */
	size_t nlog, log_cap;
	double *lat_ready, *lat_arrive;
	size_t nready, narrive, cap_lat;
	int timing;
};

struct router {
	const char *name;
	void *(*create)(void);
	void (*destroy)(void *r);
	/* a call arrives: returns the agent it was offered to, or -1 (queued) */
	int (*arrive)(void *r, long call, const struct new_call *c);
	/* the agent becomes ready (from wrap-up, or from a break): returns the call it was offered, or -1 */
	long (*ready)(void *r, int agent, int from_break);
	void (*answer)(void *r, int agent, long call);
	void (*hangup)(void *r, int agent, long call);   /* ends a conversation: agent in wrap-up */
	void (*go_break)(void *r, int agent);            /* from wrap-up */
	void (*abandon)(void *r, long call);             /* a waiting caller hangs up */
	void (*housekeeping)(void *r);                   /* outside timing, e.g. drain events */
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * Nanoseconds the router's last arrive() or ready() spent deciding: the
 * one API call for the engine (not the look-up of what it offered, which
 * a desktop gets from the call_offered event), the whole function for the
 * baseline.
 */
static double decision_ns;
/* set while the timed cycles run: the baseline counts its work only then */
static int timed_phase;

static void log_decision(struct driver *d, long what)
{
	if (d->nlog == d->log_cap) {
		d->log_cap = d->log_cap ? d->log_cap * 2 : 65536;
		d->log = realloc(d->log, d->log_cap * sizeof(*d->log));
		if (!d->log)
			pcrm_bench_die(program, "out of memory");
	}
	d->log[d->nlog++] = what;
}

static void set_talking(struct driver *d, int a, long call)
{
	d->state[a] = TALKING;
	d->call_of[a] = call;
	d->pos_talking[a] = d->ntalking;
	d->talking[d->ntalking++] = a;
}

static void unset_talking(struct driver *d, int a)
{
	int last = d->talking[--d->ntalking];
	d->talking[d->pos_talking[a]] = last;
	d->pos_talking[last] = d->pos_talking[a];
}

static void waiting_add(struct driver *d, long call)
{
	d->pos_waiting[call] = d->nwaiting;
	d->waiting[d->nwaiting++] = call;
}

static void waiting_remove(struct driver *d, long call)
{
	long last = d->waiting[--d->nwaiting];
	d->waiting[d->pos_waiting[call]] = last;
	d->pos_waiting[last] = d->pos_waiting[call];
}

static void arrive_one(struct driver *d, const struct router *rt, void *r)
{
	struct new_call c = random_call(&d->rng);
	long call = d->next_call++;
	if (call >= d->calls_cap)
		pcrm_bench_die(program, "more calls than planned");
	int a = rt->arrive(r, call, &c);
	if (d->timing && d->narrive < d->cap_lat)
		d->lat_arrive[d->narrive++] = decision_ns;
	log_decision(d, a);
	if (a < 0) {
		waiting_add(d, call);
		return;
	}
	rt->answer(r, a, call);
	set_talking(d, a, call);
}

static void agent_ready(struct driver *d, const struct router *rt, void *r, int a, int from_break)
{
	long call = rt->ready(r, a, from_break);
	if (d->timing && d->nready < d->cap_lat)
		d->lat_ready[d->nready++] = decision_ns;
	log_decision(d, call);
	if (call < 0) {
		d->state[a] = IDLE;
		return;
	}
	waiting_remove(d, call);
	rt->answer(r, a, call);
	set_talking(d, a, call);
}

static void cycle(struct driver *d, const struct router *rt, void *r)
{
	int a = d->talking[pick(&d->rng, (unsigned)d->ntalking)];
	long call = d->call_of[a];
	unset_talking(d, a);
	rt->hangup(r, a, call);
	if (pick(&d->rng, 10) == 0 && d->nbreak > 0) {
		unsigned k = pick(&d->rng, (unsigned)d->nbreak);
		int back = d->on_break[k];
		rt->go_break(r, a);
		d->state[a] = BREAK;
		d->on_break[k] = a;
		agent_ready(d, rt, r, back, 1);
	} else {
		agent_ready(d, rt, r, a, 0);
	}
	if (pick(&d->rng, 100) < 3 && d->nwaiting > 0) {
		long gone = d->waiting[pick(&d->rng, (unsigned)d->nwaiting)];
		waiting_remove(d, gone);
		rt->abandon(r, gone);
	}
	while (d->nwaiting < WAITING)
		arrive_one(d, rt, r);
	rt->housekeeping(r);
}

/*
 * One run of one router: every agent logged in, 200 of them on a break (so
 * breaks can rotate), the others ready; calls arrive (most are taken at
 * once) until 20,000 wait; WARMUP cycles, then `decisions` timed cycles.
 * Returns the CPU seconds of the timed cycles.
 */
static double run(struct driver *d, const struct router *rt, uint64_t seed, size_t decisions)
{
	void *r = rt->create();
	memset(d->state, 0, sizeof(d->state));
	d->rng = seed * 0xbf58476d1ce4e5b9ULL | 1;
	d->ntalking = d->nbreak = 0;
	d->nwaiting = 0;
	d->next_call = 0;
	d->nlog = d->nready = d->narrive = 0;
	d->timing = 0;
	for (int a = 0; a < AGENTS; a++) {
		if (a % (AGENTS / 200) == 0) { /* logged in, not ready: on a break */
			d->state[a] = BREAK;
			d->on_break[d->nbreak++] = a;
			continue;
		}
		d->state[a] = IDLE;
		rt->ready(r, a, 1); /* nothing waits yet: no offer */
	}
	while (d->nwaiting < WAITING)
		arrive_one(d, rt, r);
	for (int i = 0; i < WARMUP; i++)
		cycle(d, rt, r);
	d->timing = timed_phase = 1;
	double cpu = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < decisions; i++)
		cycle(d, rt, r);
	cpu = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	timed_phase = 0;
	rt->destroy(r);
	return cpu;
}

/* ---- the engine ---- */

struct engine {
	pcrm_acd *acd;
	pcrm_acd_ms now;
	pcrm_acd_event events[256];
};

static pcrm_acd_ms engine_clock(void *ud)
{
	return ((struct engine *)ud)->now;
}

static void group_id(char *buf, size_t n, int g) { snprintf(buf, n, "g%d", g); }
static void agent_id(char *buf, size_t n, int a) { snprintf(buf, n, "a%d", a); }
static void call_id(char *buf, size_t n, long c) { snprintf(buf, n, "c%ld", c); }

static void check(int rc, const char *what)
{
	if (rc != PCRM_OK)
		pcrm_bench_die(program, what);
}

static void *engine_create(void)
{
	struct engine *e = calloc(1, sizeof(*e));
	pcrm_acd_options opt = PCRM_ACD_OPTIONS_INIT;
	char id[32], names[8][32];
	if (!e)
		pcrm_bench_die(program, "out of memory");
	e->now = T0;
	check(pcrm_acd_new(&e->acd, &opt), "pcrm_acd_new");
	check(pcrm_acd_set_clock(e->acd, engine_clock, e), "set_clock");
	for (int g = 0; g < GROUPS; g++) {
		pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
		group_id(id, sizeof(id), g);
		q.id = id;
		q.wrap_up_s = 60; /* ended by the agent (end_wrap_up) in the churn */
		check(pcrm_acd_queue_add(e->acd, &q), "queue_add");
	}
	for (int a = 0; a < AGENTS; a++) {
		pcrm_acd_skill s[8];
		for (int k = 0; k < skills[a].n; k++) {
			group_id(names[k], sizeof(names[k]), skills[a].group[k]);
			s[k] = (pcrm_acd_skill){ names[k], skills[a].level[k] };
		}
		agent_id(id, sizeof(id), a);
		check(pcrm_acd_agent_add(e->acd, id, NULL, s, (size_t)skills[a].n), "agent_add");
		check(pcrm_acd_agent_login(e->acd, id), "login");
	}
	return e;
}

static void engine_housekeeping(void *r)
{
	struct engine *e = r;
	size_t n;
	e->events[0].version = PCRM_ACD_EVENT_VERSION;
	do {
		check(pcrm_acd_events_poll(e->acd, e->events, 256, &n, 0), "events_poll");
	} while (n == 256);
}

static void engine_destroy(void *r)
{
	struct engine *e = r;
	pcrm_acd_free(e->acd);
	free(e);
}

static int engine_arrive(void *r, long call, const struct new_call *c)
{
	struct engine *e = r;
	char id[32], queue[32];
	pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_disposition disp;
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	e->now++;
	call_id(id, sizeof(id), call);
	group_id(queue, sizeof(queue), c->group);
	spec.call_id = id;
	spec.queue_id = queue;
	spec.priority = c->priority;
	spec.min_level = c->min_level;
	double t = now_ns();
	int rc = pcrm_acd_call_arrive(e->acd, &spec, &disp);
	decision_ns = now_ns() - t;
	check(rc, "call_arrive");
	if (disp != PCRM_ACD_OFFERED)
		return -1;
	check(pcrm_acd_call_get(e->acd, id, &info), "call_get");
	return atoi(info.agent_id + 1);
}

static long engine_ready(void *r, int agent, int from_break)
{
	struct engine *e = r;
	char id[32];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	e->now++;
	agent_id(id, sizeof(id), agent);
	double t = now_ns();
	int rc = from_break ? pcrm_acd_agent_ready(e->acd, id) : pcrm_acd_agent_end_wrap_up(e->acd, id);
	decision_ns = now_ns() - t;
	check(rc, "agent ready");
	check(pcrm_acd_agent_get(e->acd, id, &info), "agent_get");
	return info.state == PCRM_ACD_RESERVED ? atol(info.call_id + 1) : -1;
}

static void engine_answer(void *r, int agent, long call)
{
	struct engine *e = r;
	char a[32], c[32];
	agent_id(a, sizeof(a), agent);
	call_id(c, sizeof(c), call);
	check(pcrm_acd_call_answer(e->acd, c, a), "call_answer");
}

static void engine_hangup(void *r, int agent, long call)
{
	struct engine *e = r;
	char c[32];
	(void)agent;
	e->now++;
	call_id(c, sizeof(c), call);
	check(pcrm_acd_call_hangup(e->acd, c), "hangup");
}

static void engine_break(void *r, int agent)
{
	struct engine *e = r;
	char id[32];
	agent_id(id, sizeof(id), agent);
	check(pcrm_acd_agent_not_ready(e->acd, id, "break"), "not_ready");
}

static void engine_abandon(void *r, long call)
{
	engine_hangup(r, -1, call);
}

/* ---- the baseline: a linear-scan router (mod_callcenter's dispatch shape) ---- */

struct lcaller {
	int group, priority, min_level;
	long prev, next; /* in its priority's FIFO */
};

/* An agent record as a straightforward router keeps one (mod_callcenter's agents row). */
struct lagent {
	char id[16];
	int available; /* status available and state waiting */
	int64_t idle_since;
	uint64_t ready_seq;
	uint64_t calls_answered;
	int64_t talk_ms;
	long call;
};

/* A queue's member (mod_callcenter's tiers row): the agent and its level. */
struct ltier {
	struct lagent *agent;
	int level;
};

struct linear {
	struct lagent agents[AGENTS];
	uint64_t seq;
	int64_t now;
	struct ltier *tiers[GROUPS];
	int ntiers[GROUPS];
	struct lcaller *callers; /* by call number */
	long head[PRIORITIES], tail[PRIORITIES];
	int full_pass; /* scan every waiting caller, as a polling dispatcher does */
	uint64_t callers_visited, tiers_checked, dispatches;
};

static long calls_planned;
/* callers visited, tiers checked, dispatch passes: what the baseline's time is made of */
static uint64_t linear_visits[2][3];

static struct linear *linear_new(void)
{
	struct linear *l = calloc(1, sizeof(*l));
	if (!l || !(l->callers = calloc((size_t)calls_planned, sizeof(*l->callers))))
		pcrm_bench_die(program, "out of memory");
	for (int g = 0; g < GROUPS; g++)
		if (!(l->tiers[g] = malloc(AGENTS * sizeof(*l->tiers[g]))))
			pcrm_bench_die(program, "out of memory");
	for (int a = 0; a < AGENTS; a++) {
		agent_id(l->agents[a].id, sizeof(l->agents[a].id), a);
		l->agents[a].call = -1;
		for (int k = 0; k < skills[a].n; k++) {
			int g = skills[a].group[k];
			l->tiers[g][l->ntiers[g]++] = (struct ltier){ &l->agents[a], skills[a].level[k] };
		}
	}
	for (int p = 0; p < PRIORITIES; p++)
		l->head[p] = l->tail[p] = -1;
	return l;
}

static void *linear_create(void)
{
	return linear_new();
}

static void *linear_create_full(void)
{
	struct linear *l = linear_new();
	l->full_pass = 1;
	return l;
}

static void linear_destroy(void *r)
{
	struct linear *l = r;
	for (int g = 0; g < GROUPS; g++)
		free(l->tiers[g]);
	uint64_t *v = linear_visits[l->full_pass];
	v[0] += l->callers_visited;
	v[1] += l->tiers_checked;
	v[2] += l->dispatches;
	free(l->callers);
	free(l);
}

static void linear_housekeeping(void *r) { (void)r; }

/* The longest-idle available member of the caller's queue with the level, or -1. */
static int scan_members(struct linear *l, const struct lcaller *c)
{
	const struct ltier *t = l->tiers[c->group];
	const struct lagent *best = NULL;
	int n = l->ntiers[c->group];
	l->tiers_checked += (uint64_t)(n * timed_phase);
	for (int i = 0; i < n; i++) {
		const struct lagent *a = t[i].agent;
		if (!a->available || t[i].level < c->min_level)
			continue;
		if (!best || a->idle_since < best->idle_since ||
		    (a->idle_since == best->idle_since && a->ready_seq < best->ready_seq))
			best = a;
	}
	return best ? (int)(best - l->agents) : -1;
}

static void unlink_caller(struct linear *l, long call)
{
	struct lcaller *c = &l->callers[call];
	if (c->prev >= 0)
		l->callers[c->prev].next = c->next;
	else
		l->head[c->priority] = c->next;
	if (c->next >= 0)
		l->callers[c->next].prev = c->prev;
	else
		l->tail[c->priority] = c->prev;
}

/*
 * The dispatch pass: callers in order, each scanning its queue's members;
 * the first to find an available agent takes it.  The early-stopping
 * variant returns then (it knows no other agent is free); the full pass
 * goes on through every waiting caller, as mod_callcenter's polling pass
 * does (it cannot know that nobody else became free).
 */
static long dispatch(struct linear *l, int *agent)
{
	long chosen = -1;
	l->dispatches += (uint64_t)timed_phase;
	for (int p = PRIORITIES - 1; p >= 0; p--)
		for (long call = l->head[p]; call >= 0; call = l->callers[call].next) {
			/* the full pass only while timed: the decisions are the same either way */
			if (chosen >= 0 && !(l->full_pass && timed_phase))
				return chosen;
			l->callers_visited += (uint64_t)timed_phase;
			int a = scan_members(l, &l->callers[call]);
			if (a >= 0 && chosen < 0) {
				*agent = a;
				chosen = call;
				l->agents[a].available = 0;
			}
		}
	return chosen;
}

static int linear_arrive(void *r, long call, const struct new_call *nc)
{
	struct linear *l = r;
	struct lcaller *c = &l->callers[call];
	double t = now_ns();
	l->now++;
	c->group = nc->group;
	c->priority = nc->priority;
	c->min_level = nc->min_level;
	int a = scan_members(l, c);
	if (a >= 0) {
		l->agents[a].available = 0;
		decision_ns = now_ns() - t;
		return a;
	}
	c->next = -1;
	c->prev = l->tail[c->priority];
	if (c->prev >= 0)
		l->callers[c->prev].next = call;
	else
		l->head[c->priority] = call;
	l->tail[c->priority] = call;
	decision_ns = now_ns() - t;
	return -1;
}

static long linear_ready(void *r, int agent, int from_break)
{
	struct linear *l = r;
	int a = -1;
	double t = now_ns();
	(void)from_break;
	l->now++;
	l->agents[agent].available = 1;
	l->agents[agent].idle_since = l->now;
	l->agents[agent].ready_seq = ++l->seq;
	long call = dispatch(l, &a);
	if (call >= 0)
		unlink_caller(l, call);
	decision_ns = now_ns() - t;
	if (call >= 0 && a != agent) /* only one agent is free: it must be this one */
		pcrm_bench_die(program, "baseline: dispatch found another agent");
	return call;
}

static void linear_answer(void *r, int agent, long call)
{
	struct linear *l = r;
	l->agents[agent].calls_answered++;
	l->agents[agent].call = call;
}

static void linear_hangup(void *r, int agent, long call)
{
	(void)agent;
	(void)call;
	((struct linear *)r)->now++;
}

static void linear_break(void *r, int agent)
{
	(void)r;
	(void)agent; /* in wrap-up it is already unavailable */
}

static void linear_abandon(void *r, long call)
{
	struct linear *l = r;
	l->now++;
	unlink_caller(l, call);
}

/* ---- figures ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

struct figures {
	double p50, p99, p999, calls_per_s, arrive_p99;
};

static struct figures summarise(struct driver *d, double cpu, size_t decisions)
{
	struct figures f;
	qsort(d->lat_ready, d->nready, sizeof(double), cmp_double);
	qsort(d->lat_arrive, d->narrive, sizeof(double), cmp_double);
	f.p50 = percentile(d->lat_ready, d->nready, 0.50) / 1000;
	f.p99 = percentile(d->lat_ready, d->nready, 0.99) / 1000;
	f.p999 = percentile(d->lat_ready, d->nready, 0.999) / 1000;
	f.arrive_p99 = percentile(d->lat_arrive, d->narrive, 0.99) / 1000;
	f.calls_per_s = (double)decisions / cpu;
	return f;
}

static void min_med_max(double *v, size_t n, double out[3])
{
	qsort(v, n, sizeof(double), cmp_double);
	out[0] = v[0];
	out[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[2] = v[n - 1];
}

static size_t env_size(const char *name, size_t dflt)
{
	const char *t = getenv(name);
	return t && *t ? (size_t)strtoull(t, NULL, 10) : dflt;
}

static void driver_init(struct driver *d, size_t decisions)
{
	d->calls_cap = calls_planned;
	d->cap_lat = 4 * decisions;
	d->waiting = malloc((size_t)calls_planned * sizeof(long));
	d->pos_waiting = malloc((size_t)calls_planned * sizeof(size_t));
	d->lat_ready = malloc(d->cap_lat * sizeof(double));
	d->lat_arrive = malloc(d->cap_lat * sizeof(double));
	if (!d->waiting || !d->pos_waiting || !d->lat_ready || !d->lat_arrive)
		pcrm_bench_die(program, "out of memory");
}

static void driver_free(struct driver *d)
{
	free(d->waiting);
	free(d->pos_waiting);
	free(d->lat_ready);
	free(d->lat_arrive);
	free(d->log);
}

/* Decisions the two routers logged differently (over the shorter log). */
static long differences(const struct driver *a, const struct driver *b)
{
	long n = 0;
	size_t len = a->nlog < b->nlog ? a->nlog : b->nlog;
	for (size_t i = 0; i < len; i++)
		n += a->log[i] != b->log[i];
	return n;
}

#define RUNS_MAX 50
#define FIGURES 14

int main(void)
{
	static const struct router engine = { "engine", engine_create, engine_destroy,
		engine_arrive, engine_ready, engine_answer, engine_hangup, engine_break,
		engine_abandon, engine_housekeeping };
	static const struct router scan = { "linear scan", linear_create, linear_destroy,
		linear_arrive, linear_ready, linear_answer, linear_hangup, linear_break,
		linear_abandon, linear_housekeeping };
	static const struct router pass = { "full pass", linear_create_full, linear_destroy,
		linear_arrive, linear_ready, linear_answer, linear_hangup, linear_break,
		linear_abandon, linear_housekeeping };
	static const char *const names[FIGURES] = {
		"engine decision p50 (us)", "engine decision p99 (us)", "engine decision p99.9 (us)",
		"engine routed calls / CPU s", "engine arrival p99 (us)",
		"scan decision p50 (us)", "scan decision p99 (us)", "scan decision p99.9 (us)",
		"pass decision p50 (us)", "pass decision p99 (us)",
		"scan / engine at p50 (x)", "scan / engine at p99 (x)",
		"pass / engine at p50 (x)", "pass / engine at p99 (x)" };
	size_t runs = env_size("PCRM_BENCH_RUNS", 5), decisions = env_size("PCRM_BENCH_DECISIONS", 20000);
	uint64_t seed = env_size("PCRM_BENCH_SEED", 1);
	int baselines = env_size("PCRM_BENCH_BASELINES", 1) != 0;
	struct driver de = { 0 }, dl = { 0 }, dp = { 0 };
	double v[FIGURES][RUNS_MAX];

	if (runs < 1 || runs > RUNS_MAX || decisions < 2000 || seed == 0) {
		fprintf(stderr, "%s: PCRM_BENCH_RUNS 1..%d, PCRM_BENCH_DECISIONS >= 2000, seed > 0\n",
		        program, RUNS_MAX);
		return 2;
	}
	/* a full pass costs milliseconds: it gets a twentieth of the decisions (the same first ones) */
	size_t pass_decisions = decisions / 20;
	make_skills(seed);
	/* about one arrival per cycle plus the fill, with room to spare */
	calls_planned = (long)(AGENTS + WAITING + 4 * (WARMUP + decisions) + 1000);
	driver_init(&de, decisions);
	driver_init(&dl, decisions);
	driver_init(&dp, decisions);

	printf("ACD routing: %d agents, %d skill groups (3-8 per agent), %d calls waiting; "
	       "%zu timed decisions per run (%zu for the full pass), %zu runs, seed %llu\n",
	       AGENTS, GROUPS, WAITING, decisions, pass_decisions, runs, (unsigned long long)seed);
	printf("%3s %8s %8s %9s %8s | %8s %8s %9s | %8s %8s | %6s %6s %6s %6s\n", "run",
	       "eng p50", "eng p99", "eng p99.9", "calls/s", "scan p50", "scan p99", "scan p99.9",
	       "pass p50", "pass p99", "scan/e", "", "pass/e", "");
	printf("%3s %8s %8s %9s %8s | %8s %8s %9s | %8s %8s | %6s %6s %6s %6s\n", "", "us", "us",
	       "us", "1 core", "us", "us", "us", "us", "us", "p50", "p99", "p50", "p99");
	for (size_t k = 0; k < runs; k++) {
		uint64_t run_seed = seed + k;
		double cpu_e = run(&de, &engine, run_seed, decisions);
		if (!baselines) {
			struct figures fe = summarise(&de, cpu_e, decisions);
			printf("%3zu %8.2f %8.2f %9.2f %8.0f (engine alone)\n", k + 1, fe.p50, fe.p99,
			       fe.p999, fe.calls_per_s);
			continue;
		}
		double cpu_l = run(&dl, &scan, run_seed, decisions);
		double cpu_p = run(&dp, &pass, run_seed, pass_decisions);
		long diff = differences(&de, &dl) + differences(&de, &dp) + (de.nlog != dl.nlog);
		if (diff) {
			fprintf(stderr, "%s: the engine and the baseline decided differently (%ld "
			        "decisions): the comparison is void\n", program, diff);
			return 1;
		}
		struct figures fe = summarise(&de, cpu_e, decisions);
		struct figures fl = summarise(&dl, cpu_l, decisions);
		struct figures fp = summarise(&dp, cpu_p, pass_decisions);
		double vals[FIGURES] = { fe.p50, fe.p99, fe.p999, fe.calls_per_s, fe.arrive_p99,
			                 fl.p50, fl.p99, fl.p999, fp.p50, fp.p99,
			                 fl.p50 / fe.p50, fl.p99 / fe.p99, fp.p50 / fe.p50,
			                 fp.p99 / fe.p99 };
		for (int j = 0; j < FIGURES; j++)
			v[j][k] = vals[j];
		printf("%3zu %8.2f %8.2f %9.2f %8.0f | %8.2f %8.2f %9.2f | %8.0f %8.0f | %6.1f %6.1f "
		       "%6.0f %6.0f\n", k + 1, fe.p50, fe.p99, fe.p999, fe.calls_per_s, fl.p50,
		       fl.p99, fl.p999, fp.p50, fp.p99, vals[10], vals[11], vals[12], vals[13]);
		fflush(stdout);
	}
	if (!baselines)
		return 0;
	printf("\n%-30s %12s %12s %12s\n", "over the runs", "min", "median", "max");
	for (int j = 0; j < FIGURES; j++) {
		double mmm[3];
		min_med_max(v[j], runs, mmm);
		printf("%-30s %12.2f %12.2f %12.2f\n", names[j], mmm[0], mmm[1], mmm[2]);
	}
	printf("\nEvery decision was the same in the engine and both baselines (%zu per run, "
	       "arrivals included).\n", de.nlog);
	for (int f = 0; f < 2; f++)
		if (linear_visits[f][2])
			printf("The %s visited %.0f waiting callers and checked %.0f queue members per "
			       "decision on average.\n", f ? "full pass" : "early-stopping scan",
			       (double)linear_visits[f][0] / (double)linear_visits[f][2],
			       (double)linear_visits[f][1] / (double)linear_visits[f][2]);
	printf("Targets (issue 15): engine p99 < 10 us; >= 100x a linear-scan router.\n");
	driver_free(&de);
	driver_free(&dl);
	driver_free(&dp);
	return 0;
}
