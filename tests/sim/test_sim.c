/*
 * The simulated switch: same seed, same result bit for bit; every piece of
 * the model (arrival curve, abandonment, answer delay, no-answers, wrap-up,
 * shifts, transfers) shows up in what the ACD measured; bad configuration
 * is refused naming the field.
 */
#include "sim_fixture.h"

/* Two queues "billing" and "repair", six agents: b0..b3 billing, r0..r1 repair (r0 also billing). */
#define TWO_QUEUES_ACD \
	"{\"version\":1,\"ring_timeout_s\":15,\"max_misses\":3,\"event_queue_capacity\":0," \
	"\"queues\":[{\"id\":\"billing\",\"wrap_up_s\":600},{\"id\":\"repair\",\"wrap_up_s\":0}]," \
	"\"agents\":[{\"id\":\"b0\",\"skills\":{\"billing\":5}},{\"id\":\"b1\",\"skills\":{\"billing\":5}}," \
	"{\"id\":\"b2\",\"skills\":{\"billing\":5}},{\"id\":\"b3\",\"skills\":{\"billing\":5}}," \
	"{\"id\":\"r0\",\"skills\":{\"repair\":5,\"billing\":2}},{\"id\":\"r1\",\"skills\":{\"repair\":5}}]}"

/* a day of 48 half-hours with a morning peak */
static double billing_curve[48], repair_curve[48];
static pcrm_sim_shift early[] = { { 8 * 3600.0, 16 * 3600.0 } };
static pcrm_sim_shift late[] = { { 12 * 3600.0, 20 * 3600.0 } };
static pcrm_sim_shift split[] = { { 9 * 3600.0, 12 * 3600.0 }, { 14 * 3600.0, 18 * 3600.0 } };

static void day_config(pcrm_sim_config *cfg, pcrm_sim_queue q[2], pcrm_sim_agent a[6])
{
	for (int i = 0; i < 48; i++) {
		int h = i / 2;
		billing_curve[i] = (h >= 8 && h < 20) ? (h < 12 ? 40.0 : 25.0) : 0.0;
		repair_curve[i] = (h >= 8 && h < 20) ? 10.0 : 0.0;
	}
	pcrm_sim_queue init = PCRM_SIM_QUEUE_INIT;
	q[0] = init;
	q[0].queue_id = "billing";
	q[0].calls = billing_curve;
	q[0].interval_count = 48;
	q[0].talk.kind = PCRM_SIM_LOGNORMAL;
	q[0].talk.mean_s = 150.0;
	q[0].talk.sd_s = 90.0;
	q[0].patience.kind = PCRM_SIM_EXPONENTIAL;
	q[0].patience.mean_s = 90.0;
	q[0].transfer_p = 0.1;
	q[0].transfer_queue_id = "repair";
	q[1] = init;
	q[1].queue_id = "repair";
	q[1].calls = repair_curve;
	q[1].interval_count = 48;
	q[1].talk.kind = PCRM_SIM_FIXED;
	q[1].talk.mean_s = 240.0;
	q[1].patience.kind = PCRM_SIM_FIXED;
	q[1].patience.mean_s = 300.0;
	static const char *ids[6] = { "b0", "b1", "b2", "b3", "r0", "r1" };
	for (int i = 0; i < 6; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].agent_id = ids[i];
	}
	a[0].shifts = early; a[0].shift_count = 1;
	a[1].shifts = early; a[1].shift_count = 1;
	a[2].shifts = late; a[2].shift_count = 1;
	a[3].shifts = split; a[3].shift_count = 2;
	a[4].shifts = early; a[4].shift_count = 1;
	a[5].shifts = late; a[5].shift_count = 1;
	pcrm_sim_config c = PCRM_SIM_CONFIG_INIT;
	c.seed = 42;
	c.start = SIM_T0;
	c.queues = q;
	c.queue_count = 2;
	c.agents = a;
	c.agent_count = 6;
	c.answer_delay.kind = PCRM_SIM_FIXED;
	c.answer_delay.mean_s = 3.0;
	c.no_answer_p = 0.05;
	c.no_answer_s = 20.0; /* past the ACD's 15 s ring timeout: the ACD withdraws first */
	c.wrap_up.kind = PCRM_SIM_EXPONENTIAL;
	c.wrap_up.mean_s = 30.0;
	c.tick_ms = 500;
	*cfg = c;
}

static pcrm_sim *run_day(uint64_t seed)
{
	pcrm_sim_config cfg;
	pcrm_sim_queue q[2];
	pcrm_sim_agent a[6];
	day_config(&cfg, q, a);
	cfg.seed = seed;
	pcrm_sim *sim;
	OK(pcrm_sim_new(&sim, TWO_QUEUES_ACD, &cfg));
	OK(pcrm_sim_run(sim));
	return sim;
}

static void same_counts(const pcrm_acd_queue_counts *x, const pcrm_acd_queue_counts *y)
{
	cr_assert_eq(x->offered, y->offered);
	cr_assert_eq(x->answered, y->answered);
	cr_assert_eq(x->abandoned, y->abandoned);
	cr_assert_eq(x->answered_in_target, y->answered_in_target);
	cr_assert_eq(x->wait_answered_ms, y->wait_answered_ms);
	cr_assert_eq(x->talk_ms, y->talk_ms);
	cr_assert_eq(x->wrap_up_ms, y->wrap_up_ms);
	cr_assert_eq(memcmp(&x->service_level, &y->service_level, sizeof(double)), 0);
	cr_assert_eq(memcmp(&x->asa_s, &y->asa_s, sizeof(double)), 0);
}

static int same_cdr(const pcrm_acd_cdr *x, const pcrm_acd_cdr *y)
{
	return strcmp(x->call_id, y->call_id) == 0 && strcmp(x->queue_id, y->queue_id) == 0 &&
	       strcmp(x->first_queue_id, y->first_queue_id) == 0 &&
	       strcmp(x->agent_id, y->agent_id) == 0 && x->outcome == y->outcome &&
	       x->misses == y->misses && x->overflows == y->overflows &&
	       x->arrived_at == y->arrived_at && x->answered_at == y->answered_at &&
	       x->ended_at == y->ended_at && x->wrap_up_end_at == y->wrap_up_end_at &&
	       x->wait_ms == y->wait_ms && x->talk_ms == y->talk_ms &&
	       x->wrap_up_ms == y->wrap_up_ms;
}

Test(sim, same_seed_same_result_bit_for_bit)
{
	pcrm_sim *x = run_day(7), *y = run_day(7), *z = run_day(8);
	cr_assert_eq(pcrm_sim_cdr_count(x), pcrm_sim_cdr_count(y));
	cr_assert(pcrm_sim_cdr_count(x) > 500, "%zu CDRs", pcrm_sim_cdr_count(x));
	for (size_t i = 0; i < pcrm_sim_cdr_count(x); i++)
		cr_assert(same_cdr(pcrm_sim_cdr_at(x, i), pcrm_sim_cdr_at(y, i)), "CDR %zu differs", i);
	const char *queues[2] = { "billing", "repair" };
	for (int k = 0; k < 2; k++) {
		pcrm_acd_queue_stats sx = PCRM_ACD_QUEUE_STATS_INIT, sy = PCRM_ACD_QUEUE_STATS_INIT;
		OK(pcrm_acd_queue_stats_get(pcrm_sim_acd(x), queues[k], &sx));
		OK(pcrm_acd_queue_stats_get(pcrm_sim_acd(y), queues[k], &sy));
		same_counts(&sx.total, &sy.total);
		for (size_t i = 0; i < 48; i++) {
			pcrm_acd_ms s1, s2;
			pcrm_acd_queue_counts c1 = PCRM_ACD_QUEUE_COUNTS_INIT, c2 = PCRM_ACD_QUEUE_COUNTS_INIT;
			int r1 = pcrm_acd_queue_interval_get(pcrm_sim_acd(x), queues[k], i, &s1, &c1);
			int r2 = pcrm_acd_queue_interval_get(pcrm_sim_acd(y), queues[k], i, &s2, &c2);
			cr_assert_eq(r1, r2);
			if (r1 == PCRM_OK) {
				cr_assert_eq(s1, s2);
				same_counts(&c1, &c2);
			}
		}
	}
	pcrm_sim_stats a = PCRM_SIM_STATS_INIT, b = PCRM_SIM_STATS_INIT;
	OK(pcrm_sim_stats_get(x, &a));
	OK(pcrm_sim_stats_get(y, &b));
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	/* and another seed gives another day */
	int differs = pcrm_sim_cdr_count(x) != pcrm_sim_cdr_count(z);
	for (size_t i = 0; !differs && i < pcrm_sim_cdr_count(x); i++)
		differs = !same_cdr(pcrm_sim_cdr_at(x, i), pcrm_sim_cdr_at(z, i));
	cr_assert(differs);
	pcrm_sim_free(x);
	pcrm_sim_free(y);
	pcrm_sim_free(z);
}

Test(sim, a_day_exercises_every_piece_of_the_model)
{
	pcrm_sim *sim = run_day(1);
	pcrm_sim_stats st = PCRM_SIM_STATS_INIT;
	OK(pcrm_sim_stats_get(sim, &st));
	cr_log_info("calls %llu transfers %llu abandons %llu no-answers %llu events %llu rejected %llu",
	            (unsigned long long)st.calls, (unsigned long long)st.transfers,
	            (unsigned long long)st.abandons, (unsigned long long)st.no_answers,
	            (unsigned long long)st.events_fed, (unsigned long long)st.events_rejected);
	cr_assert_eq(st.events_rejected, 0, "rejected: %llu", (unsigned long long)st.events_rejected);
	/* expected billing 4 h x 2 x 40 + 8 h x 2 x 25, repair 12 h x 2 x 10: 720 + 240 arrivals
	 * (Poisson: sd 31, so 850..1070 is +-3.5 sd) */
	cr_assert(st.calls > 850 && st.calls < 1070, "%llu calls", (unsigned long long)st.calls);
	cr_assert(st.transfers > 40, "%llu transfers", (unsigned long long)st.transfers);
	cr_assert(st.abandons > 10, "%llu abandons", (unsigned long long)st.abandons);
	cr_assert(st.no_answers > 10, "%llu no-answers", (unsigned long long)st.no_answers);
	cr_assert_eq(st.cdrs, pcrm_sim_cdr_count(sim));

	pcrm_acd_queue_stats b = PCRM_ACD_QUEUE_STATS_INIT, r = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(pcrm_sim_acd(sim), "billing", &b));
	OK(pcrm_acd_queue_stats_get(pcrm_sim_acd(sim), "repair", &r));
	/* every call ended: answered, abandoned or transferred on to repair */
	cr_assert_eq(b.waiting + r.waiting, 0);
	cr_assert_eq(b.total.offered, b.total.answered + b.total.abandoned);
	cr_assert_eq(b.total.abandoned, st.abandons - r.total.abandoned);
	/* transfers arrive in repair as well as repair's own callers */
	cr_assert_eq(r.total.offered, r.total.answered + r.total.abandoned);
	cr_assert(r.total.offered > st.transfers);
	/* the agents' wrap-up ends by themselves (exponential, mean 30 s), well before billing's 600 s timer */
	cr_assert(b.total.handled > 0);
	double wrap_mean = (double)b.total.wrap_up_ms / (double)b.total.handled / 1000.0;
	cr_assert(wrap_mean > 15.0 && wrap_mean < 60.0, "mean wrap-up %.1f s", wrap_mean);
	/* misses: the ACD's ring timeout took back the offers the agent let ring */
	size_t misses = 0;
	for (size_t i = 0; i < pcrm_sim_cdr_count(sim); i++)
		misses += (size_t)pcrm_sim_cdr_at(sim, i)->misses;
	cr_assert(misses >= st.no_answers / 2, "misses %zu, no-answers %llu", misses,
	          (unsigned long long)st.no_answers);
	/* nobody answers before 08:00 or after the shifts: intervals before 8 are empty */
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(pcrm_sim_acd(sim), "b0", &info));
	cr_assert_eq(info.state, PCRM_ACD_LOGGED_OUT);
	pcrm_acd_agent_stats as = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(pcrm_sim_acd(sim), "b3", &as));
	/* the split shift: 7 hours on duty (logged_out the rest) */
	int64_t on = 0;
	for (int k = 1; k < PCRM_ACD_STATE_COUNT; k++)
		on += as.total.state_ms[k];
	cr_assert(on >= 7 * 3600000LL && on < 7 * 3600000LL + 1800000, "b3 on duty %lld ms", (long long)on);
	pcrm_sim_free(sim);
}

Test(sim, answer_delay_counts_in_the_wait)
{
	/* one agent, one call an hour: the wait is the answer delay exactly */
	static double curve[4] = { 1, 1, 1, 1 };
	pcrm_sim_agent a = { "a0", NULL, 0 };
	pcrm_sim_queue q = PCRM_SIM_QUEUE_INIT;
	q.queue_id = "q";
	q.calls = curve;
	q.interval_count = 4;
	q.interval_s = 3600.0;
	q.talk.kind = PCRM_SIM_FIXED;
	q.talk.mean_s = 1.0;
	pcrm_sim_config cfg = PCRM_SIM_CONFIG_INIT;
	cfg.start = SIM_T0;
	cfg.queues = &q;
	cfg.queue_count = 1;
	cfg.agents = &a;
	cfg.agent_count = 1;
	cfg.answer_delay.kind = PCRM_SIM_FIXED;
	cfg.answer_delay.mean_s = 4.25;
	pcrm_sim *sim;
	OK(pcrm_sim_new(&sim, one_queue_acd(1, 0), &cfg));
	OK(pcrm_sim_run(sim));
	cr_assert(pcrm_sim_cdr_count(sim) >= 1);
	for (size_t i = 0; i < pcrm_sim_cdr_count(sim); i++) {
		const pcrm_acd_cdr *c = pcrm_sim_cdr_at(sim, i);
		cr_assert_eq(c->outcome, PCRM_ACD_OUTCOME_ANSWERED);
		cr_assert_eq(c->wait_ms, 4250);
		cr_assert_eq(c->talk_ms, 1000);
	}
	OK(pcrm_sim_run(sim) == PCRM_ESTATE ? PCRM_OK : -1);
	pcrm_sim_free(sim);
}

#define REFUSED(cfgexpr, status, needle)                                                       \
	do {                                                                                   \
		pcrm_sim_config cfg;                                                           \
		pcrm_sim_queue q[2];                                                           \
		pcrm_sim_agent a[6];                                                           \
		day_config(&cfg, q, a);                                                        \
		cfgexpr;                                                                       \
		pcrm_sim *sim = (pcrm_sim *)1;                                                 \
		int rc_ = pcrm_sim_new(&sim, TWO_QUEUES_ACD, &cfg);                            \
		cr_assert_eq(rc_, (status), "%d (%s)", rc_, pcrm_error_last());                \
		cr_assert_null(sim);                                                           \
		cr_assert(strstr(pcrm_error_last(), (needle)), "\"%s\" lacks \"%s\"",          \
		          pcrm_error_last(), (needle));                                        \
	} while (0)

Test(sim, bad_configuration_is_refused_naming_the_field)
{
	REFUSED((q[0].transfer_p = 0, q[1].queue_id = "nowhere"), PCRM_ENOTFOUND, "queues[1].queue_id");
	REFUSED(a[2].agent_id = "ghost", PCRM_ENOTFOUND, "agents[2].agent_id");
	REFUSED(q[0].talk.mean_s = -1, PCRM_EINVAL, "queues[0].talk.mean_s");
	REFUSED(q[0].talk.kind = PCRM_SIM_NONE, PCRM_EINVAL, "queues[0].talk.kind");
	REFUSED(q[0].talk.sd_s = 0, PCRM_EINVAL, "queues[0].talk.sd_s");
	REFUSED(q[0].transfer_queue_id = "elsewhere", PCRM_EINVAL, "queues[0].transfer_queue_id");
	REFUSED(q[1].interval_count = 0, PCRM_EINVAL, "queues[1].calls");
	REFUSED(billing_curve[3] = -2, PCRM_EINVAL, "queues[0].calls[3]");
	REFUSED((q[0].transfer_p = 0, q[1].queue_id = "billing"), PCRM_EINVAL, "listed twice");
	REFUSED(cfg.no_answer_p = 1.5, PCRM_EINVAL, "config.no_answer_p");
	REFUSED(cfg.tick_ms = 0, PCRM_EINVAL, "config.tick_ms");
	REFUSED(cfg.version = 99, PCRM_EINVAL, "config.version");
	REFUSED(a[3].shifts = NULL, PCRM_EINVAL, "agents[3].shifts");
	REFUSED((split[1].start_s = 10 * 3600.0), PCRM_EINVAL, "agents[3].shifts[1]");
	split[1].start_s = 14 * 3600.0;
	REFUSED(cfg.answer_delay.kind = (pcrm_sim_dist_kind)9, PCRM_EINVAL, "config.answer_delay.kind");
}

Test(sim, shifts_from_a_staffing_plan)
{
	pcrm_sim_shift out[4];
	size_t n;
	pcrm_shift day = { 16, 16, NULL, 100, 0 };
	OK(pcrm_sim_shift_stretches(&day, 48, 0, 1800.0, out, 4, &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0].start_s, 8 * 3600.0);
	cr_assert_eq(out[0].end_s, 16 * 3600.0);
	pcrm_shift night = { 44, 16, NULL, 100, 0 };
	OK(pcrm_sim_shift_stretches(&night, 48, 1, 1800.0, out, 4, &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(out[0].start_s, 0.0);
	cr_assert_eq(out[0].end_s, 6 * 3600.0);
	cr_assert_eq(out[1].start_s, 22 * 3600.0);
	cr_assert_eq(out[1].end_s, 24 * 3600.0);
	unsigned char pattern[8] = { 0, 1, 1, 0, 0, 1, 1, 1 };
	pcrm_shift broken = { 0, 0, pattern, 100, 0 };
	OK(pcrm_sim_shift_stretches(&broken, 8, 0, 3600.0, out, 4, &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(out[1].start_s, 5 * 3600.0);
	cr_assert_eq(out[1].end_s, 8 * 3600.0);
	cr_assert_eq(pcrm_sim_shift_stretches(&broken, 8, 0, 3600.0, out, 1, &n), PCRM_EOVERFLOW);
	cr_assert_eq(n, 2);
	pcrm_shift bad = { 50, 4, NULL, 1, 0 };
	cr_assert_eq(pcrm_sim_shift_stretches(&bad, 48, 0, 1800.0, out, 4, &n), PCRM_EINVAL);
}

static pcrm_sim *replay(int agents, const pcrm_sim_call *log, size_t n)
{
	static pcrm_sim_agent ag[4];
	static char ids[4][8];
	all_day_agents(ag, ids, agents);
	pcrm_sim_queue q = PCRM_SIM_QUEUE_INIT;
	q.queue_id = "q";
	q.log = log;
	q.log_count = n;
	pcrm_sim_config cfg = PCRM_SIM_CONFIG_INIT;
	cfg.start = SIM_T0;
	cfg.queues = &q;
	cfg.queue_count = 1;
	cfg.agents = ag;
	cfg.agent_count = (size_t)agents;
	pcrm_sim *sim;
	OK(pcrm_sim_new(&sim, one_queue_acd(agents, 0), &cfg));
	OK(pcrm_sim_run(sim));
	return sim;
}

static const pcrm_acd_cdr *cdr_of(const pcrm_sim *sim, const char *call)
{
	for (size_t i = 0; i < pcrm_sim_cdr_count(sim); i++)
		if (strcmp(pcrm_sim_cdr_at(sim, i)->call_id, call) == 0)
			return pcrm_sim_cdr_at(sim, i);
	cr_assert_fail("no CDR for %s", call);
	return NULL;
}

Test(sim, a_call_log_replays_against_another_staffing)
{
	/* c0 talks 60 s; c1 arrives at 10 s and would wait; c2 at 20 s gives up after 5 s */
	const pcrm_sim_call log[3] = { { 0.0, 60.0, -1.0 }, { 10.0, 30.0, -1.0 }, { 20.0, 45.5, 5.0 } };
	pcrm_sim *one = replay(1, log, 3);
	cr_assert_eq(pcrm_sim_cdr_count(one), 3);
	cr_assert_eq(cdr_of(one, "c0")->talk_ms, 60000);
	cr_assert_eq(cdr_of(one, "c1")->wait_ms, 50000);
	cr_assert_eq(cdr_of(one, "c1")->talk_ms, 30000);
	cr_assert_eq(cdr_of(one, "c2")->outcome, PCRM_ACD_OUTCOME_ABANDONED);
	cr_assert_eq(cdr_of(one, "c2")->wait_ms, 5000);
	pcrm_sim *two = replay(2, log, 3);
	cr_assert_eq(cdr_of(two, "c1")->wait_ms, 0);
	cr_assert_eq(cdr_of(two, "c2")->wait_ms, 5000); /* the second agent frees at 40 s: too late */
	cr_assert_eq(cdr_of(two, "c2")->outcome, PCRM_ACD_OUTCOME_ABANDONED);
	pcrm_sim *three = replay(3, log, 3);
	cr_assert_eq(cdr_of(three, "c2")->outcome, PCRM_ACD_OUTCOME_ANSWERED);
	cr_assert_eq(cdr_of(three, "c2")->talk_ms, 45500);
	pcrm_sim_free(one);
	pcrm_sim_free(two);
	pcrm_sim_free(three);
	const pcrm_sim_call unordered[2] = { { 10.0, 1.0, -1.0 }, { 5.0, 1.0, -1.0 } };
	pcrm_sim_queue q = PCRM_SIM_QUEUE_INIT;
	q.queue_id = "q";
	q.log = unordered;
	q.log_count = 2;
	pcrm_sim_config cfg = PCRM_SIM_CONFIG_INIT;
	cfg.queues = &q;
	cfg.queue_count = 1;
	pcrm_sim *sim;
	cr_assert_eq(pcrm_sim_new(&sim, one_queue_acd(1, 0), &cfg), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "queues[0].log[1].at_s"), "%s", pcrm_error_last());
}
