/*
 * Statistics on one hand-checked scenario (docs/acd.md, Statistics, walks
 * through the same numbers): offered, answered, abandoned and short
 * abandons, answered within target, both service levels, ASA, AHT, longest
 * wait, time in each state, occupancy, and the 15-minute intervals.
 *
 * Queue q: target 20 s, wrap-up 10 s; short abandon 5 s; one agent a1.
 *   t=0   a1 ready; c1 arrives and rings at a1     t=3   a1 answers c1 (wait 3 s)
 *   t=10  c2 arrives, waits                        t=11  c3 arrives, waits
 *   t=14  c3 hangs up (wait 3 s: short)            t=20  c4 arrives, waits
 *   t=33  c1 on hold                               t=43  c1 off hold
 *   t=50  c4 hangs up (wait 30 s)                  t=63  c1 ends: talk 50 s, hold 10 s
 *   t=73  wrap-up ends; c2 rings at a1             t=75  a1 answers c2 (wait 65 s)
 *   t=95  c2 ends: talk 20 s                       t=105 wrap-up ends
 */
#include <math.h>

#include "acd_fixture.h"

static const char *doc =
	"{\"version\":1,\"interval_minutes\":15,\"short_abandon_s\":5,"
	"\"queues\":[{\"id\":\"q\",\"wrap_up_s\":10,\"service_level\":{\"percent\":80,\"target_s\":20}}],"
	"\"agents\":[{\"id\":\"a1\",\"skills\":{\"q\":5}}]}";

#define NEAR(got, want) cr_assert(fabs((got) - (want)) < 1e-9, "%s = %.12g, want %.12g", #got, (double)(got), (double)(want))

static void at(pcrm_acd *acd, struct vclock *c, int s)
{
	c->now = T0 + (pcrm_acd_ms)s * 1000;
	OK(pcrm_acd_tick(acd));
}

static pcrm_acd *scenario(struct vclock *c, int until_s)
{
	pcrm_acd *acd = engine(c, doc);
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	at(acd, c, 3);
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	at(acd, c, 10);
	arrive(acd, "c2", "q");
	at(acd, c, 11);
	arrive(acd, "c3", "q");
	at(acd, c, 14);
	OK(pcrm_acd_call_hangup(acd, "c3"));
	at(acd, c, 20);
	arrive(acd, "c4", "q");
	at(acd, c, 30);
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.waiting, 2);
	cr_assert_eq(st.longest_wait_ms, 20000);
	cr_assert_eq(st.agents_logged_in, 1);
	cr_assert_eq(st.agents_busy, 1);
	cr_assert_eq(st.agents_ready, 0);
	at(acd, c, 33);
	OK(pcrm_acd_call_hold(acd, "c1"));
	at(acd, c, 43);
	OK(pcrm_acd_call_unhold(acd, "c1"));
	at(acd, c, 50);
	OK(pcrm_acd_call_hangup(acd, "c4"));
	at(acd, c, 63);
	OK(pcrm_acd_call_hangup(acd, "c1"));
	at(acd, c, 73);
	cr_assert_str_eq(agent_of(acd, "c2"), "a1");
	at(acd, c, 75);
	OK(pcrm_acd_call_answer(acd, "c2", "a1"));
	at(acd, c, 95);
	OK(pcrm_acd_call_hangup(acd, "c2"));
	at(acd, c, until_s);
	return acd;
}

static void check_queue_counts(const pcrm_acd_queue_counts *q)
{
	cr_assert_eq(q->offered, 4);
	cr_assert_eq(q->answered, 2);
	cr_assert_eq(q->answered_in_target, 1);
	cr_assert_eq(q->abandoned, 2);
	cr_assert_eq(q->short_abandoned, 1);
	cr_assert_eq(q->handled, 2);
	cr_assert_eq(q->refused + q->overflowed_out + q->timed_out + q->moved_out, 0);
	cr_assert_eq(q->wait_answered_ms, 68000);
	cr_assert_eq(q->talk_ms, 70000);
	cr_assert_eq(q->hold_ms, 10000);
	cr_assert_eq(q->wrap_up_ms, 20000);
	NEAR(q->service_level, 1.0 / 4.0);
	NEAR(q->service_level_excl, 1.0 / 3.0);
	NEAR(q->asa_s, 34.0);
	NEAR(q->aht_s, 50.0);
}

Test(stats, queue_scenario)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = scenario(&c, 105);
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.waiting, 0);
	cr_assert_eq(st.longest_wait_ms, 0);
	cr_assert_eq(st.agents_ready, 1);
	check_queue_counts(&st.total);
	check_queue_counts(&st.interval);
	cr_assert_eq(st.interval_start, T0);
	pcrm_acd_free(acd);
}

Test(stats, agent_scenario_time_in_state_and_occupancy)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = scenario(&c, 120);
	pcrm_acd_agent_stats st = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(acd, "a1", &st));
	const pcrm_acd_agent_counts *a = &st.total;
	cr_assert_eq(a->offered, 2);
	cr_assert_eq(a->answered, 2);
	cr_assert_eq(a->missed, 0);
	cr_assert_eq(a->handled, 2);
	cr_assert_eq(a->talk_ms, 70000);
	cr_assert_eq(a->hold_ms, 10000);
	cr_assert_eq(a->wrap_up_ms, 20000);
	cr_assert_eq(a->state_ms[PCRM_ACD_LOGGED_OUT], 0);
	cr_assert_eq(a->state_ms[PCRM_ACD_NOT_READY], 0);
	cr_assert_eq(a->state_ms[PCRM_ACD_READY], 15000);
	cr_assert_eq(a->state_ms[PCRM_ACD_RESERVED], 5000);
	cr_assert_eq(a->state_ms[PCRM_ACD_TALKING], 70000);
	cr_assert_eq(a->state_ms[PCRM_ACD_HELD], 10000);
	cr_assert_eq(a->state_ms[PCRM_ACD_WRAP_UP], 20000);
	NEAR(a->occupancy, 100.0 / 120.0);
	NEAR(a->aht_s, 50.0);
	cr_assert_eq(st.state, PCRM_ACD_READY);
	cr_assert_eq(st.state_since, T0 + 105000);
	pcrm_acd_free(acd);
}

Test(stats, intervals_close_on_the_boundary)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = scenario(&c, 105);
	pcrm_acd_queue_counts qc = PCRM_ACD_QUEUE_COUNTS_INIT;
	pcrm_acd_agent_counts ac = PCRM_ACD_AGENT_COUNTS_INIT;
	pcrm_acd_ms start;
	FAILS(pcrm_acd_queue_interval_get(acd, "q", 0, &start, &qc), PCRM_ENOTFOUND,
	      "only 0 intervals have completed");
	at(acd, &c, 15 * 60 + 30); /* past the 15-minute boundary */
	OK(pcrm_acd_queue_interval_get(acd, "q", 0, &start, &qc));
	cr_assert_eq(start, T0);
	check_queue_counts(&qc);
	OK(pcrm_acd_agent_interval_get(acd, "a1", 0, &start, &ac));
	int64_t sum = 0;
	for (int s = 0; s < PCRM_ACD_STATE_COUNT; s++)
		sum += ac.state_ms[s];
	cr_assert_eq(sum, 15 * 60 * 1000, "an interval's states add up to its length");
	cr_assert_eq(ac.state_ms[PCRM_ACD_READY], 900000 - 105000 + 0);
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.interval.offered, 0);
	cr_assert_eq(st.interval_start, T0 + 900000);
	cr_assert_eq(st.total.offered, 4);
	pcrm_acd_agent_stats as = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(acd, "a1", &as));
	cr_assert_eq(as.interval.state_ms[PCRM_ACD_READY], 30000);
	/* an hour later, with nothing happening: four more intervals, the newest first */
	at(acd, &c, 75 * 60 + 30);
	OK(pcrm_acd_queue_interval_get(acd, "q", 0, &start, &qc));
	cr_assert_eq(start, T0 + 4 * 900000);
	cr_assert_eq(qc.offered, 0);
	OK(pcrm_acd_queue_interval_get(acd, "q", 4, &start, &qc));
	cr_assert_eq(start, T0);
	cr_assert_eq(qc.offered, 4);
	/* the agent, untouched all hour, closes its intervals when read: ready throughout */
	for (size_t i = 0; i < 4; i++) {
		OK(pcrm_acd_agent_interval_get(acd, "a1", i, &start, &ac));
		cr_assert_eq(start, T0 + (pcrm_acd_ms)(4 - i) * 900000);
		cr_assert_eq(ac.state_ms[PCRM_ACD_READY], 900000, "interval %zu", i);
		cr_assert_eq(ac.answered, 0);
	}
	OK(pcrm_acd_agent_stats_get(acd, "a1", &as));
	cr_assert_eq(as.interval.state_ms[PCRM_ACD_READY], 30000);
	cr_assert_eq(as.total.state_ms[PCRM_ACD_READY], 15000 + 4 * 900000 + 900000 - 120000 + 30000);
	pcrm_acd_free(acd);
}

Test(stats, boundaries_of_target_and_short_abandon_are_inclusive)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	OK(pcrm_acd_agent_login(acd, "a1"));
	arrive(acd, "s", "q");
	at(acd, &c, 5);
	OK(pcrm_acd_call_hangup(acd, "s")); /* exactly 5 s: short */
	arrive(acd, "t", "q");
	OK(pcrm_acd_agent_ready(acd, "a1"));
	at(acd, &c, 25);
	OK(pcrm_acd_call_answer(acd, "t", "a1")); /* exactly 20 s: within target */
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.total.short_abandoned, 1);
	cr_assert_eq(st.total.answered_in_target, 1);
	NEAR(st.total.service_level, 0.5);
	NEAR(st.total.service_level_excl, 1.0);
	pcrm_acd_free(acd);
}

Test(stats, empty_queue_ratios_are_zero)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	NEAR(st.total.service_level, 0.0);
	NEAR(st.total.service_level_excl, 0.0);
	NEAR(st.total.asa_s, 0.0);
	NEAR(st.total.aht_s, 0.0);
	pcrm_acd_free(acd);
}

Test(stats, misses_counted_per_agent)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	advance(acd, &c, 15000);
	pcrm_acd_agent_stats st = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(acd, "a1", &st));
	cr_assert_eq(st.total.missed, 1);
	cr_assert_eq(st.total.offered, 2, "offered again after the miss");
	pcrm_acd_free(acd);
}

Test(stats, a_long_clock_jump_keeps_the_history_whole)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "a1");
	at(acd, &c, 365 * 24 * 3600); /* a year later */
	pcrm_acd_queue_counts qc = PCRM_ACD_QUEUE_COUNTS_INIT;
	pcrm_acd_ms start, prev = 0;
	for (size_t i = 0; i < PCRM_ACD_INTERVALS_KEPT; i++) {
		OK(pcrm_acd_queue_interval_get(acd, "q", i, &start, &qc));
		if (i)
			cr_assert_eq(start, prev - 900000, "interval %zu", i);
		prev = start;
	}
	cr_assert_eq(prev + 96 * 900000, T0 + (pcrm_acd_ms)365 * 24 * 3600 * 1000);
	pcrm_acd_agent_stats st = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(acd, "a1", &st));
	cr_assert_eq(st.total.state_ms[PCRM_ACD_READY], (int64_t)365 * 24 * 3600 * 1000);
	pcrm_acd_free(acd);
}
