/*
 * Simulated switch benchmark: a province-sized day through simulator +
 * telephony adapter + ACD on one core: 1,000 agents in 100 queues (each
 * agent in its own queue and, at a lower level, the next one), 500,000
 * calls over 24 hours (Poisson, log-normal talk, exponential patience,
 * 2 s answer delay, 1 % no-answers, 5 % transfers, wrap-up).
 *
 * Prints, for PCRM_BENCH_RUNS runs (default 3), min / median / max of the
 * switch events fed per second and calls per second (CPU time of this
 * process), against a baseline measured in the same run: the simulator's
 * bare agenda (push and pop as many events, nothing else).  Then one more
 * run with measure_latency for the wall-clock time of feeding a "queued"
 * event, which is the adapter's IVR mapping plus the ACD's routing
 * decision plus the route request into the switch: p50 / p99 / max.
 * Target (issue 16): at least 1,000,000 events per second.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

#include "bench.h"
#include "sim/sim_internal.h"

#define QUEUES 100
#define AGENTS 1000
#define CALLS_PER_DAY 500000.0

static const char *prog = "bench_sim";

static char *acd_json(void)
{
	size_t cap = 256 * 1024, len = 0;
	char *b = malloc(cap);
	if (!b)
		pcrm_bench_die(prog, "malloc");
	len += (size_t)snprintf(b + len, cap - len,
		"{\"version\":1,\"event_queue_capacity\":0,\"queue_stats_events\":false,"
		"\"cdr_batch_size\":5000,\"queues\":[");
	for (int q = 0; q < QUEUES; q++)
		len += (size_t)snprintf(b + len, cap - len, "%s{\"id\":\"q%d\",\"wrap_up_s\":120}",
		                        q ? "," : "", q);
	len += (size_t)snprintf(b + len, cap - len, "],\"agents\":[");
	for (int a = 0; a < AGENTS; a++)
		len += (size_t)snprintf(b + len, cap - len,
		                        "%s{\"id\":\"a%d\",\"skills\":{\"q%d\":7,\"q%d\":3}}",
		                        a ? "," : "", a, a % QUEUES, (a + 1) % QUEUES);
	snprintf(b + len, cap - len, "]}");
	return b;
}

static double curve[48];
static pcrm_sim_queue queues[QUEUES];
static char queue_ids[QUEUES][8], agent_ids[AGENTS][8];
static pcrm_sim_agent agents[AGENTS];

static void model(pcrm_sim_config *cfg, int measure)
{
	for (int i = 0; i < 48; i++)
		curve[i] = CALLS_PER_DAY / QUEUES / 48.0;
	for (int q = 0; q < QUEUES; q++) {
		pcrm_sim_queue init = PCRM_SIM_QUEUE_INIT;
		snprintf(queue_ids[q], sizeof(queue_ids[q]), "q%d", q);
		queues[q] = init;
		queues[q].queue_id = queue_ids[q];
		queues[q].calls = curve;
		queues[q].interval_count = 48;
		queues[q].talk.kind = PCRM_SIM_LOGNORMAL;
		queues[q].talk.mean_s = 90.0;
		queues[q].talk.sd_s = 60.0;
		queues[q].patience.kind = PCRM_SIM_EXPONENTIAL;
		queues[q].patience.mean_s = 120.0;
		queues[q].transfer_p = 0.05;
		queues[q].transfer_queue_id = queue_ids[(q + 7) % QUEUES];
	}
	for (int a = 0; a < AGENTS; a++) {
		snprintf(agent_ids[a], sizeof(agent_ids[a]), "a%d", a);
		memset(&agents[a], 0, sizeof(agents[a]));
		agents[a].agent_id = agent_ids[a];
	}
	pcrm_sim_config c = PCRM_SIM_CONFIG_INIT;
	c.seed = 95598;
	c.start = 1796601600000LL;
	c.queues = queues;
	c.queue_count = QUEUES;
	c.agents = agents;
	c.agent_count = AGENTS;
	c.answer_delay.kind = PCRM_SIM_FIXED;
	c.answer_delay.mean_s = 2.0;
	c.no_answer_p = 0.01;
	c.no_answer_s = 20.0;
	c.wrap_up.kind = PCRM_SIM_EXPONENTIAL;
	c.wrap_up.mean_s = 10.0;
	c.tick_ms = 1000;
	c.keep_cdrs = 0;
	c.measure_latency = measure;
	*cfg = c;
}

struct result {
	double cpu_s, events_per_s, calls_per_s;
	pcrm_sim_stats st;
	pcrm_acd_queue_counts total;
};

static void run(const char *json, int measure, struct result *r)
{
	pcrm_sim_config cfg;
	model(&cfg, measure);
	pcrm_sim *sim;
	if (pcrm_sim_new(&sim, json, &cfg))
		pcrm_bench_die(prog, "pcrm_sim_new");
	double t0 = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
	if (pcrm_sim_run(sim))
		pcrm_bench_die(prog, "pcrm_sim_run");
	r->cpu_s = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
	r->st = (pcrm_sim_stats)PCRM_SIM_STATS_INIT;
	pcrm_sim_stats_get(sim, &r->st);
	r->events_per_s = (double)r->st.events_fed / r->cpu_s;
	r->calls_per_s = (double)r->st.calls / r->cpu_s;
	memset(&r->total, 0, sizeof(r->total));
	for (int q = 0; q < QUEUES; q++) {
		pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
		pcrm_acd_queue_stats_get(pcrm_sim_acd(sim), queue_ids[q], &qs);
		r->total.offered += qs.total.offered;
		r->total.answered += qs.total.answered;
		r->total.abandoned += qs.total.abandoned;
		r->total.answered_in_target += qs.total.answered_in_target;
	}
	pcrm_sim_free(sim);
}

/* The baseline: the bare agenda, as many events pushed and popped, times spread like a day's. */
static double agenda_events_per_s(uint64_t events)
{
	struct sim_agenda a = { 0 };
	struct sim_rng rng;
	sim_rng_seed(&rng, 1, 1);
	double t0 = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
	int64_t now = 0;
	uint64_t sink = 0;
	struct sim_ev ev;
	/* a steady state of ~10,000 pending events, like the day's agenda */
	for (int i = 0; i < 10000; i++)
		if (sim_agenda_push(&a, (int64_t)(sim_rng_unit(&rng) * 200000), 0, 0, 0, 0))
			pcrm_bench_die(prog, "agenda");
	for (uint64_t i = 0; i < events; i++) {
		sim_agenda_pop(&a, &ev);
		now = ev.at;
		sink += ev.seq;
		if (sim_agenda_push(&a, now + (int64_t)(sim_rng_unit(&rng) * 200000), 0, 0, 0, 0))
			pcrm_bench_die(prog, "agenda");
	}
	double cpu = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
	sim_agenda_free(&a);
	if (sink == 0)
		printf("(empty agenda)\n");
	return (double)events / cpu;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	int runs = getenv("PCRM_BENCH_RUNS") ? atoi(getenv("PCRM_BENCH_RUNS")) : 3;
	if (runs < 1 || runs > 50)
		runs = 3;
	char *json = acd_json();
	double ev[50], calls[50], ratio[50], base[50];
	struct result r;
	for (int i = 0; i < runs; i++) {
		run(json, 0, &r);
		base[i] = agenda_events_per_s(r.st.events_fed);
		ev[i] = r.events_per_s;
		calls[i] = r.calls_per_s;
		ratio[i] = base[i] / r.events_per_s;
		printf("run %d: %llu calls, %llu switch events (%llu rejected), %.2f s CPU: "
		       "%.0f events/s, %.0f calls/s; bare agenda %.0f events/s (%.1fx)\n", i + 1,
		       (unsigned long long)r.st.calls, (unsigned long long)r.st.events_fed,
		       (unsigned long long)r.st.events_rejected, r.cpu_s, r.events_per_s,
		       r.calls_per_s, base[i], ratio[i]);
		if (r.st.events_rejected)
			fprintf(stderr, "bench_sim: the adapter rejected events\n");
	}
	printf("day: offered %llu answered %llu abandoned %llu, SL %.3f, transfers %llu, no-answers %llu\n",
	       (unsigned long long)r.total.offered, (unsigned long long)r.total.answered,
	       (unsigned long long)r.total.abandoned,
	       (double)r.total.answered_in_target / (double)r.total.offered,
	       (unsigned long long)r.st.transfers, (unsigned long long)r.st.no_answers);
	qsort(ev, (size_t)runs, sizeof(double), cmp_double);
	qsort(calls, (size_t)runs, sizeof(double), cmp_double);
	qsort(ratio, (size_t)runs, sizeof(double), cmp_double);
	printf("events/s through simulator + adapter + ACD: min %.0f median %.0f max %.0f "
	       "(target >= 1,000,000: %s)\n", ev[0], ev[runs / 2], ev[runs - 1],
	       ev[runs / 2] >= 1e6 ? "met" : "NOT met");
	printf("calls/s: min %.0f median %.0f max %.0f\n", calls[0], calls[runs / 2], calls[runs - 1]);
	printf("bare agenda / full path, events per second: min %.1fx median %.1fx max %.1fx\n",
	       ratio[0], ratio[runs / 2], ratio[runs - 1]);
	run(json, 1, &r);
	printf("feeding a queued event (IVR mapping + ACD routing decision + route request), wall "
	       "ns: p50 <= %.0f, p99 <= %.0f, max %.0f; every event: mean %.0f ns\n",
	       r.st.queued_ns_p50, r.st.queued_ns_p99, r.st.queued_ns_max, r.st.feed_ns_mean);
	free(json);
	return 0;
}
