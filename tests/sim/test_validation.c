/*
 * The simulator against queueing theory: one queue, Poisson arrivals,
 * exponential talk, the ACD set to the M/M/N assumptions (wrap-up 0, the
 * agent answers the moment the call rings, no misses, no ring delay), a
 * long run; what the ACD measured must agree with the staffing module's
 * Erlang C (no abandonment) and Erlang A (exponential patience).
 *
 * Tolerance.  The run is 1,000 simulated hours (200,000 calls at 100 calls
 * per half-hour).  It is cut into 40 batches of 25 hours (5,000 calls);
 * waits decorrelate within a few handle times (minutes), so batch means are
 * close to independent and their spread gives the standard error (SE) of
 * the run's figure, correlation included.  A correct simulator lands within
 * 4 SE of the formula except with probability ~6e-5 (normal tails; the
 * batch means are averages of 5,000 calls).  Start-up bias (the run starts
 * empty) is a few minutes out of 1,000 hours: below 1e-4 of an SE.  So that
 * the test cannot pass by being noisy, each SE is also bounded: at 200,000
 * calls it must be under 0.006 for a service level and under 0.6 s for the
 * ASA.  The figures seen (seed 20261207): Erlang C SL SE 0.0041, ASA SE
 * 0.41 s (so the window is +-0.016 and +-1.6 s around 0.8884 and 7.84 s);
 * Erlang A abandonment SE 0.0016, SL SE 0.0035, ASA SE 0.20 s.  The bound
 * leaves room for the SE estimate's own spread (40 batches: about 11 %).  The ACD's own totals are the
 * measured figures, and the CDRs must add up to exactly those totals.
 */
#include "sim_fixture.h"

#define HOURS 1000
#define BATCHES 40

static double half_hours[2 * HOURS];

struct run {
	pcrm_sim *sim;
	pcrm_acd_queue_stats qs;
	struct batch_stats b;
};

static void run_one_queue(struct run *r, int agents, pcrm_sim_dist patience)
{
	static pcrm_sim_agent ag[64];
	static char ids[64][8];
	for (int i = 0; i < 2 * HOURS; i++)
		half_hours[i] = 100.0;
	all_day_agents(ag, ids, agents);
	pcrm_sim_queue q = PCRM_SIM_QUEUE_INIT;
	q.queue_id = "q";
	q.calls = half_hours;
	q.interval_count = 2 * HOURS;
	q.interval_s = 1800.0;
	q.talk.kind = PCRM_SIM_EXPONENTIAL;
	q.talk.mean_s = 180.0;
	q.patience = patience;
	pcrm_sim_config cfg = PCRM_SIM_CONFIG_INIT;
	cfg.seed = 20261207;
	cfg.start = SIM_T0;
	cfg.queues = &q;
	cfg.queue_count = 1;
	cfg.agents = ag;
	cfg.agent_count = (size_t)agents;
	cfg.tick_ms = 60000; /* no ACD timer matters here: wrap-up 0, nobody misses */
	OK(pcrm_sim_new(&r->sim, one_queue_acd(agents, 0), &cfg));
	OK(pcrm_sim_run(r->sim));
	pcrm_sim_stats st = PCRM_SIM_STATS_INIT;
	OK(pcrm_sim_stats_get(r->sim, &st));
	cr_assert_eq(st.events_rejected, 0, "the adapter rejected %llu events",
	             (unsigned long long)st.events_rejected);
	cr_assert_eq(st.no_answers, 0);
	r->qs = (pcrm_acd_queue_stats)PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(pcrm_sim_acd(r->sim), "q", &r->qs));
	batch_means(r->sim, SIM_T0, HOURS * 3600.0, BATCHES, 20, &r->b);
	/* every call has its CDR and the CDRs add up to the ACD's counters */
	cr_assert_eq(r->b.offered, r->qs.total.offered);
	cr_assert_eq(r->b.answered, r->qs.total.answered);
	cr_assert_eq(r->b.in_target, r->qs.total.answered_in_target);
	cr_assert_eq(r->b.abandoned, r->qs.total.abandoned);
	cr_assert_eq(r->qs.total.offered, st.calls);
	cr_assert(st.calls > 190000 && st.calls < 210000, "%llu calls", (unsigned long long)st.calls);
}

#define WITHIN(measured, theory, se, se_max, what)                                              \
	do {                                                                                    \
		cr_log_info("%s: measured %.5f, theory %.5f, SE %.5f (%.1f SE off)", what,     \
		            (measured), (theory), (se), fabs((measured) - (theory)) / (se));    \
		cr_assert((se) > 0 && (se) < (se_max), "%s: SE %g not in (0, %g)", what, (se),  \
		          (double)(se_max));                                                    \
		cr_assert(fabs((measured) - (theory)) <= 4 * (se),                              \
		          "%s: measured %.5f, theory %.5f: more than 4 SE (%.5f) apart", what,  \
		          (measured), (theory), (se));                                          \
	} while (0)

Test(validation, erlang_c_service_level_and_asa)
{
	pcrm_queue queue = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	OK(pcrm_erlang_c_metrics(&queue, 14, 20.0, &m));
	cr_assert(fabs(m.service_level - 0.8884) < 5e-5 && fabs(m.asa_s - 7.836) < 5e-4,
	          "the issue's figures: SL %.5f ASA %.4f", m.service_level, m.asa_s);

	struct run r;
	pcrm_sim_dist never = { PCRM_SIM_NONE, 0, 0 };
	run_one_queue(&r, 14, never);
	cr_assert_eq(r.qs.total.abandoned, 0);
	WITHIN(r.qs.total.service_level, m.service_level, r.b.sl_se, 0.006, "Erlang C service level");
	WITHIN(r.qs.total.asa_s, m.asa_s, r.b.asa_se, 0.6, "Erlang C ASA (s)");
	pcrm_sim_free(r.sim);
}

Test(validation, erlang_a_abandonment_and_service_level)
{
	/* 10 agents for 10 erlangs: only abandonment keeps this queue stable */
	pcrm_queue queue = { 100.0, 1800.0, 180.0, 120.0 };
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	OK(pcrm_erlang_a_metrics(&queue, 10, 20.0, &m));

	struct run r;
	pcrm_sim_dist patience = { PCRM_SIM_EXPONENTIAL, 120.0, 0 };
	run_one_queue(&r, 10, patience);
	double abandon = (double)r.qs.total.abandoned / (double)r.qs.total.offered;
	WITHIN(abandon, m.p_abandon, r.b.ab_se, 0.006, "Erlang A abandonment");
	WITHIN(r.qs.total.service_level, m.service_level, r.b.sl_se, 0.006, "Erlang A service level");
	WITHIN(r.qs.total.asa_s, m.asa_s, r.b.asa_se, 0.6, "Erlang A ASA (s)");
	pcrm_sim_free(r.sim);
}

/* The same model one agent short of Erlang C's answer: the simulator must see the difference. */
Test(validation, one_agent_less_is_measurably_worse)
{
	pcrm_queue queue = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_queue_metrics m13 = PCRM_QUEUE_METRICS_INIT, m14 = PCRM_QUEUE_METRICS_INIT;
	OK(pcrm_erlang_c_metrics(&queue, 13, 20.0, &m13));
	OK(pcrm_erlang_c_metrics(&queue, 14, 20.0, &m14));
	struct run r;
	pcrm_sim_dist never = { PCRM_SIM_NONE, 0, 0 };
	run_one_queue(&r, 13, never);
	WITHIN(r.qs.total.service_level, m13.service_level, r.b.sl_se, 0.01, "Erlang C 13 agents SL");
	cr_assert(fabs(r.qs.total.service_level - m14.service_level) > 4 * r.b.sl_se,
	          "13 agents' SL %.4f is not told apart from 14 agents' %.4f",
	          r.qs.total.service_level, m14.service_level);
	pcrm_sim_free(r.sim);
}
