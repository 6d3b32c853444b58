/*
 * Routing: every strategy, ring-all, skills and levels, misses and the
 * return to the front of the queue, the preferred agent and its fallback,
 * waiting-time rules, overflow and refusal, fairness across queues and the
 * supervisor's move of a waiting call.
 */
#include <stdio.h>

#include "acd_fixture.h"

static char doc[4096];

/* One queue "q" with the strategy, agents a1..aN all holding q at `levels[i]`. */
static pcrm_acd *one_queue(struct vclock *c, const char *strategy, const int *levels, int n,
                           const char *extra)
{
	int len = snprintf(doc, sizeof(doc),
	                   "{\"version\":1,\"seed\":7,\"queues\":[{\"id\":\"q\",\"strategy\":\"%s\","
	                   "\"wrap_up_s\":0%s}],\"agents\":[",
	                   strategy, extra ? extra : "");
	for (int i = 0; i < n; i++)
		len += snprintf(doc + len, sizeof(doc) - (size_t)len,
		                "%s{\"id\":\"a%d\",\"skills\":{\"q\":%d,\"english\":%d}}", i ? "," : "",
		                i + 1, levels[i], i == n - 1 ? 5 : 1);
	snprintf(doc + len, sizeof(doc) - (size_t)len, "]}");
	return engine(c, doc);
}

/* Answers `call` by whoever it rings at, then hangs up after talk_s seconds. */
static void talk(pcrm_acd *acd, struct vclock *c, const char *call, int talk_s)
{
	char agent[PCRM_ACD_ID_MAX + 1];
	strcpy(agent, agent_of(acd, call));
	cr_assert(agent[0], "call %s is not offered", call);
	OK(pcrm_acd_call_answer(acd, call, agent));
	advance(acd, c, (pcrm_acd_ms)talk_s * 1000);
	OK(pcrm_acd_call_hangup(acd, call));
}

Test(strategy, longest_idle)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5, 5 };
	pcrm_acd *acd = one_queue(&c, "longest_idle", lv, 3, NULL);
	ready(acd, "a2");
	advance(acd, &c, 1000);
	ready(acd, "a1");
	advance(acd, &c, 1000);
	ready(acd, "a3");
	cr_assert_eq(arrive(acd, "c1", "q"), PCRM_ACD_OFFERED);
	cr_assert_str_eq(agent_of(acd, "c1"), "a2");
	arrive(acd, "c2", "q");
	cr_assert_str_eq(agent_of(acd, "c2"), "a1");
	pcrm_acd_free(acd);
}

Test(strategy, fewest_calls)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5, 5 };
	pcrm_acd *acd = one_queue(&c, "fewest_calls", lv, 3, NULL);
	/* a1 answers two calls, a2 one, a3 none; a3 becomes ready last */
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	talk(acd, &c, "c1", 10);
	arrive(acd, "c2", "q");
	talk(acd, &c, "c2", 10);
	ready(acd, "a2");
	OK(pcrm_acd_agent_not_ready(acd, "a1", "break"));
	arrive(acd, "c3", "q");
	cr_assert_str_eq(agent_of(acd, "c3"), "a2");
	talk(acd, &c, "c3", 10);
	OK(pcrm_acd_agent_ready(acd, "a1"));
	advance(acd, &c, 1000);
	ready(acd, "a3");
	arrive(acd, "c4", "q");
	cr_assert_str_eq(agent_of(acd, "c4"), "a3");
	talk(acd, &c, "c4", 10);
	/* now a1 2, a2 1, a3 1: a2 and a3 tie on calls, a2 has been idle longer */
	arrive(acd, "c5", "q");
	cr_assert_str_eq(agent_of(acd, "c5"), "a2");
	pcrm_acd_free(acd);
}

Test(strategy, least_talk)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5 };
	pcrm_acd *acd = one_queue(&c, "least_talk", lv, 2, NULL);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	talk(acd, &c, "c1", 100);
	OK(pcrm_acd_agent_not_ready(acd, "a1", "break"));
	ready(acd, "a2");
	arrive(acd, "c2", "q");
	talk(acd, &c, "c2", 10);
	arrive(acd, "c3", "q"); /* only a2 is ready */
	talk(acd, &c, "c3", 10);
	OK(pcrm_acd_agent_ready(acd, "a1")); /* a1: 100 s, idle longest; a2: 20 s */
	advance(acd, &c, 1000);
	OK(pcrm_acd_agent_not_ready(acd, "a2", "break"));
	OK(pcrm_acd_agent_ready(acd, "a2"));
	arrive(acd, "c4", "q");
	cr_assert_str_eq(agent_of(acd, "c4"), "a2");
	pcrm_acd_free(acd);
}

Test(strategy, highest_skill_ties_longest_idle)
{
	struct vclock c = { 0 };
	const int lv[] = { 3, 9, 9 };
	pcrm_acd *acd = one_queue(&c, "highest_skill", lv, 3, NULL);
	ready(acd, "a1");
	advance(acd, &c, 1000);
	ready(acd, "a3");
	advance(acd, &c, 1000);
	ready(acd, "a2");
	arrive(acd, "c1", "q");
	cr_assert_str_eq(agent_of(acd, "c1"), "a3");
	arrive(acd, "c2", "q");
	cr_assert_str_eq(agent_of(acd, "c2"), "a2");
	arrive(acd, "c3", "q");
	cr_assert_str_eq(agent_of(acd, "c3"), "a1");
	pcrm_acd_free(acd);
}

Test(strategy, round_robin_keeps_its_turn_order)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5, 5 };
	pcrm_acd *acd = one_queue(&c, "round_robin", lv, 3, NULL);
	ready(acd, "a1");
	ready(acd, "a2");
	ready(acd, "a3");
	arrive(acd, "c1", "q");
	cr_assert_str_eq(agent_of(acd, "c1"), "a1");
	talk(acd, &c, "c1", 5);
	/* a2 takes a break and comes back: most recently ready, but it is still its turn */
	OK(pcrm_acd_agent_not_ready(acd, "a2", "break"));
	OK(pcrm_acd_agent_ready(acd, "a2"));
	arrive(acd, "c2", "q");
	cr_assert_str_eq(agent_of(acd, "c2"), "a2");
	talk(acd, &c, "c2", 5);
	arrive(acd, "c3", "q");
	cr_assert_str_eq(agent_of(acd, "c3"), "a3");
	talk(acd, &c, "c3", 5);
	arrive(acd, "c4", "q");
	cr_assert_str_eq(agent_of(acd, "c4"), "a1");
	pcrm_acd_free(acd);
}

static void random_picks(uint64_t seed, char picks[20][8])
{
	struct vclock c = { 0 };
	char json[2048];
	int len = snprintf(json, sizeof(json),
	                   "{\"version\":1,\"seed\":%llu,\"queues\":[{\"id\":\"q\",\"strategy\":"
	                   "\"random\",\"wrap_up_s\":0}],\"agents\":[",
	                   (unsigned long long)seed);
	for (int i = 0; i < 5; i++)
		len += snprintf(json + len, sizeof(json) - (size_t)len,
		                "%s{\"id\":\"a%d\",\"skills\":{\"q\":5}}", i ? "," : "", i + 1);
	snprintf(json + len, sizeof(json) - (size_t)len, "]}");
	pcrm_acd *acd = engine(&c, json);
	for (int i = 1; i <= 5; i++) {
		char id[8];
		snprintf(id, sizeof(id), "a%d", i);
		ready(acd, id);
	}
	for (int i = 0; i < 20; i++) {
		char call[8];
		snprintf(call, sizeof(call), "c%d", i);
		arrive(acd, call, "q");
		strcpy(picks[i], agent_of(acd, call));
		talk(acd, &c, call, 1);
	}
	pcrm_acd_free(acd);
}

Test(strategy, random_is_reproducible_from_the_seed)
{
	char a[20][8], b[20][8], other[20][8];
	random_picks(42, a);
	random_picks(42, b);
	random_picks(43, other);
	int distinct = 0, differs = 0;
	for (int i = 0; i < 20; i++) {
		cr_assert_str_eq(a[i], b[i], "pick %d", i);
		differs |= strcmp(a[i], other[i]) != 0;
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(a[i], a[j]) == 0;
		distinct += !seen;
	}
	cr_assert_geq(distinct, 4, "20 random picks among 5 agents used only %d", distinct);
	cr_assert(differs, "seeds 42 and 43 picked the same 20 agents");
}

Test(strategy, ring_all_first_answer_wins)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5, 5 };
	pcrm_acd *acd = one_queue(&c, "ring_all", lv, 3, NULL);
	ready(acd, "a1");
	ready(acd, "a2");
	ready(acd, "a3");
	cr_assert_eq(arrive(acd, "c1", "q"), PCRM_ACD_OFFERED);
	for (int i = 1; i <= 3; i++) {
		char id[8];
		snprintf(id, sizeof(id), "a%d", i);
		cr_assert_eq(state_of(acd, id), PCRM_ACD_RESERVED, "%s", id);
		cr_assert_str_eq(call_of(acd, id), "c1");
	}
	OK(pcrm_acd_call_answer(acd, "c1", "a2"));
	cr_assert_eq(state_of(acd, "a2"), PCRM_ACD_TALKING);
	cr_assert_eq(state_of(acd, "a1"), PCRM_ACD_READY);
	cr_assert_eq(state_of(acd, "a3"), PCRM_ACD_READY);
	/* the losers cannot answer any more */
	FAILS(pcrm_acd_call_answer(acd, "c1", "a1"), PCRM_ESTATE, "not offered to that agent");
	pcrm_acd_free(acd);
}

Test(routing, min_level_and_extra_skills)
{
	struct vclock c = { 0 };
	const int lv[] = { 3, 6, 6 }; /* a3 alone speaks english at 5 */
	pcrm_acd *acd = one_queue(&c, "longest_idle", lv, 3, NULL);
	ready(acd, "a1");
	ready(acd, "a2");
	ready(acd, "a3");
	arrive_full(acd, "c1", "q", 0, 5); /* a1 (level 3) is idle longest but too junior */
	cr_assert_str_eq(agent_of(acd, "c1"), "a2");
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_skill english = { "english", 4 };
	s.call_id = "c2";
	s.queue_id = "q";
	s.skills = &english;
	s.skill_count = 1;
	OK(pcrm_acd_call_arrive(acd, &s, NULL));
	cr_assert_str_eq(agent_of(acd, "c2"), "a3");
	/* nobody left with english 4: the next such call waits though a1 is ready */
	s.call_id = "c3";
	pcrm_acd_disposition d;
	OK(pcrm_acd_call_arrive(acd, &s, &d));
	cr_assert_eq(d, PCRM_ACD_QUEUED);
	cr_assert_eq(state_of(acd, "a1"), PCRM_ACD_READY);
	/* the skill is given to a1: it takes the call at once */
	OK(pcrm_acd_agent_set_skill(acd, "a1", "english", 4));
	cr_assert_str_eq(agent_of(acd, "c3"), "a1");
	pcrm_acd_free(acd);
}

Test(routing, miss_returns_the_call_to_the_front_keeping_its_wait)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 9 };
	pcrm_acd *acd = one_queue(&c, "longest_idle", lv, 2, NULL);
	ready(acd, "a1");
	arrive_full(acd, "c0", "q", 0, 9); /* waits: nobody at level 9 is ready */
	advance(acd, &c, 1000);
	arrive(acd, "c1", "q");
	cr_assert_str_eq(agent_of(acd, "c1"), "a1");
	advance(acd, &c, 15000); /* ring timeout 15 s: a miss */
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_eq(info.misses, 1);
	cr_assert_eq(info.arrived_at, T0 + 1000, "the original arrival is kept");
	/* a1 missed once (max_misses 2): ready again and offered c1 again, the only call it may take */
	cr_assert_eq(state_of(acd, "a1"), PCRM_ACD_RESERVED);
	cr_assert_str_eq(agent_of(acd, "c1"), "a1");
	OK(pcrm_acd_call_decline(acd, "c1", "a1"));
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &ai));
	cr_assert_eq(ai.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(ai.reason, "missed");
	cr_assert_eq(ai.consecutive_misses, 2);
	/* a2 (level 9) may take c0 (arrived first) or c1: c1 went back to the front */
	ready(acd, "a2");
	cr_assert_str_eq(agent_of(acd, "c1"), "a2");
	pcrm_acd_free(acd);
}

Test(routing, answer_resets_consecutive_misses)
{
	struct vclock c = { 0 };
	const int lv[] = { 5 };
	pcrm_acd *acd = one_queue(&c, "longest_idle", lv, 1, NULL);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_decline(acd, "c1", "a1"));
	cr_assert_str_eq(agent_of(acd, "c1"), "a1");
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &ai));
	cr_assert_eq(ai.consecutive_misses, 0);
	pcrm_acd_free(acd);
}

static const char *two_queues =
	"{\"version\":1,\"queues\":["
	"{\"id\":\"billing\",\"wrap_up_s\":0,\"rules\":["
	"  {\"after_s\":20,\"lower_min_level\":3},"
	"  {\"after_s\":30,\"add_queue\":\"general\",\"min_level\":2},"
	"  {\"after_s\":10,\"raise_priority\":2}]},"
	"{\"id\":\"general\",\"wrap_up_s\":0}],"
	"\"agents\":["
	"{\"id\":\"b1\",\"skills\":{\"billing\":4}},"
	"{\"id\":\"g1\",\"skills\":{\"general\":5}},"
	"{\"id\":\"x\",\"skills\":{\"billing\":9,\"general\":9}},"
	"{\"id\":\"am\",\"skills\":{\"billing\":2}}]}";

Test(rules, lower_min_level_after_n_seconds)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "b1");
	arrive_full(acd, "c1", "billing", 0, 8);
	advance(acd, &c, 19999);
	cr_assert_eq(state_of(acd, "b1"), PCRM_ACD_READY);
	advance(acd, &c, 1);
	cr_assert_str_eq(agent_of(acd, "c1"), "b1");
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_eq(info.min_level, 3);
	pcrm_acd_free(acd);
}

Test(rules, add_queue_after_n_seconds)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "g1");
	ready(acd, "am"); /* billing level 2 only: below the call's level until the 20 s rule lowers it to 3 */
	arrive_full(acd, "c1", "billing", 0, 8);
	advance(acd, &c, 29000);
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_eq(info.state, PCRM_ACD_CALL_WAITING);
	cr_assert_eq(info.queue_count, 1);
	advance(acd, &c, 1000);
	cr_assert_str_eq(agent_of(acd, "c1"), "g1");
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_str_eq(info.queue_id, "billing", "the call keeps its own queue");
	pcrm_acd_free(acd);
}

Test(rules, raise_priority_wins_over_a_longer_wait)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	OK(pcrm_acd_agent_login(acd, "x"));
	arrive(acd, "g", "general");     /* t0 */
	advance(acd, &c, 5000);
	arrive(acd, "b", "billing");     /* t0 + 5 s, priority 0 -> 2 at t0 + 15 s */
	advance(acd, &c, 9000);
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "b", &info));
	cr_assert_eq(info.priority, 0);
	advance(acd, &c, 1000);
	OK(pcrm_acd_call_get(acd, "b", &info));
	cr_assert_eq(info.priority, 2);
	OK(pcrm_acd_agent_ready(acd, "x"));
	cr_assert_str_eq(call_of(acd, "x"), "b");
	pcrm_acd_free(acd);
}

Test(fairness, agent_in_two_queues_takes_the_longest_wait)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	OK(pcrm_acd_agent_login(acd, "x"));
	arrive(acd, "g", "general");
	advance(acd, &c, 2000);
	arrive(acd, "b", "billing");
	OK(pcrm_acd_agent_ready(acd, "x"));
	cr_assert_str_eq(call_of(acd, "x"), "g");
	pcrm_acd_free(acd);
}

Test(fairness, priority_first_then_wait_across_queues)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	OK(pcrm_acd_agent_login(acd, "x"));
	arrive(acd, "g", "general");
	advance(acd, &c, 2000);
	arrive_full(acd, "b", "billing", 3, 1);
	OK(pcrm_acd_agent_ready(acd, "x"));
	cr_assert_str_eq(call_of(acd, "x"), "b");
	pcrm_acd_free(acd);
}

static void arrive_preferred(pcrm_acd *acd, const char *call, const char *agent, int wait_s)
{
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	s.call_id = call;
	s.queue_id = "billing";
	s.preferred_agent_id = agent;
	s.preferred_wait_s = wait_s;
	OK(pcrm_acd_call_arrive(acd, &s, NULL));
}

Test(preferred, ready_account_manager_gets_the_call_first)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "x");
	advance(acd, &c, 1000);
	ready(acd, "am");
	arrive_preferred(acd, "c1", "am", 30);
	cr_assert_str_eq(agent_of(acd, "c1"), "am");
	pcrm_acd_free(acd);
}

Test(preferred, falls_back_to_the_queue_after_the_wait)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "x");
	OK(pcrm_acd_agent_login(acd, "am")); /* logged in, not ready */
	arrive_preferred(acd, "c1", "am", 30);
	cr_assert_eq(state_of(acd, "x"), PCRM_ACD_READY, "x must not take the account manager's call");
	advance(acd, &c, 29999);
	cr_assert_eq(state_of(acd, "x"), PCRM_ACD_READY);
	advance(acd, &c, 1);
	cr_assert_str_eq(agent_of(acd, "c1"), "x");
	pcrm_acd_free(acd);
}

Test(preferred, account_manager_ready_within_the_wait)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "x");
	OK(pcrm_acd_agent_login(acd, "am"));
	arrive_preferred(acd, "c1", "am", 30);
	advance(acd, &c, 10000);
	OK(pcrm_acd_agent_ready(acd, "am"));
	cr_assert_str_eq(agent_of(acd, "c1"), "am");
	pcrm_acd_free(acd);
}

Test(preferred, logged_out_or_unknown_account_manager)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "x");
	arrive_preferred(acd, "c1", "am", 30); /* am is logged out: straight to the queue */
	cr_assert_str_eq(agent_of(acd, "c1"), "x");
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	s.call_id = "c2";
	s.queue_id = "billing";
	s.preferred_agent_id = "nobody";
	s.preferred_wait_s = 30;
	FAILS(pcrm_acd_call_arrive(acd, &s, NULL), PCRM_ENOTFOUND, "spec.preferred_agent_id");
	pcrm_acd_free(acd);
}

static const char *overflow_doc =
	"{\"version\":1,\"queues\":["
	"{\"id\":\"main\",\"max_waiting\":1,\"max_wait_s\":60,\"overflow\":\"spill\"},"
	"{\"id\":\"spill\"},"
	"{\"id\":\"strict\",\"max_waiting\":1,\"no_agent\":\"refuse\"},"
	"{\"id\":\"night\",\"no_agent\":\"overflow\",\"overflow\":\"spill\"},"
	"{\"id\":\"patient\",\"max_wait_s\":30}],"
	"\"agents\":[{\"id\":\"m\",\"skills\":{\"main\":5,\"strict\":5}},"
	"{\"id\":\"s\",\"skills\":{\"spill\":5}}]}";

Test(overflow, full_queue_overflows_or_refuses)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, overflow_doc);
	OK(pcrm_acd_agent_login(acd, "m")); /* logged in, not ready */
	cr_assert_eq(arrive(acd, "c1", "main"), PCRM_ACD_QUEUED);
	cr_assert_eq(arrive(acd, "c2", "main"), PCRM_ACD_QUEUED);
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c2", &info));
	cr_assert_str_eq(info.queue_id, "spill");
	cr_assert_eq(arrive(acd, "c3", "strict"), PCRM_ACD_QUEUED);
	cr_assert_eq(arrive(acd, "c4", "strict"), PCRM_ACD_REFUSED_FULL);
	FAILS(pcrm_acd_call_get(acd, "c4", &info), PCRM_ENOTFOUND, "c4");
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "main", &st));
	cr_assert_eq(st.total.offered, 2);
	cr_assert_eq(st.total.overflowed_out, 1);
	cr_assert_eq(st.waiting, 1);
	OK(pcrm_acd_queue_stats_get(acd, "spill", &st));
	cr_assert_eq(st.total.offered, 1);
	OK(pcrm_acd_queue_stats_get(acd, "strict", &st));
	cr_assert_eq(st.total.offered, 2);
	cr_assert_eq(st.total.refused, 1);
	pcrm_acd_free(acd);
}

Test(overflow, nobody_logged_in)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, overflow_doc);
	cr_assert_eq(arrive(acd, "c1", "strict"), PCRM_ACD_REFUSED_NO_AGENT);
	ready(acd, "s");
	cr_assert_eq(arrive(acd, "c2", "night"), PCRM_ACD_OFFERED); /* overflowed to spill */
	cr_assert_str_eq(agent_of(acd, "c2"), "s");
	cr_assert_eq(arrive(acd, "c3", "main"), PCRM_ACD_QUEUED); /* "wait" is the default */
	pcrm_acd_free(acd);
}

Test(overflow, max_wait_overflows_then_times_out)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, overflow_doc);
	OK(pcrm_acd_agent_login(acd, "s"));
	arrive(acd, "c1", "main");
	arrive(acd, "c2", "patient");
	advance(acd, &c, 30000);
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	FAILS(pcrm_acd_call_get(acd, "c2", &info), PCRM_ENOTFOUND, "c2"); /* timed out */
	advance(acd, &c, 30000);
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_str_eq(info.queue_id, "spill");
	cr_assert_eq(info.arrived_at, T0);
	OK(pcrm_acd_agent_ready(acd, "s"));
	cr_assert_str_eq(agent_of(acd, "c1"), "s");
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "patient", &st));
	cr_assert_eq(st.total.timed_out, 1);
	OK(pcrm_acd_queue_stats_get(acd, "main", &st));
	cr_assert_eq(st.total.overflowed_out, 1);
	pcrm_acd_free(acd);
}

Test(supervisor, move_a_waiting_call)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, overflow_doc);
	ready(acd, "s");
	arrive(acd, "c1", "main");
	OK(pcrm_acd_call_move(acd, &supervisor, "c1", "spill"));
	cr_assert_str_eq(agent_of(acd, "c1"), "s");
	FAILS(pcrm_acd_call_move(acd, &supervisor, "c1", "main"), PCRM_ESTATE, "offered");
	/* a queue nobody has is refused like another unit's (no oracle) */
	FAILS(pcrm_acd_call_move(acd, &supervisor, "c1", "nowhere"), PCRM_EPERM,
	      "queue: unknown or outside the org subtree");
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "main", &st));
	cr_assert_eq(st.total.moved_out, 1);
	pcrm_acd_free(acd);
}

Test(strategy, ring_all_rings_everyone_again_after_a_timeout)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5 };
	pcrm_acd *acd = one_queue(&c, "ring_all", lv, 2, NULL);
	ready(acd, "a1");
	ready(acd, "a2");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_decline(acd, "c1", "a1")); /* a1 declines: a2 still rings */
	cr_assert_eq(state_of(acd, "a2"), PCRM_ACD_RESERVED);
	cr_assert_eq(state_of(acd, "a1"), PCRM_ACD_READY);
	advance(acd, &c, 15000); /* a2 rings out: the call rings at both again */
	cr_assert_eq(state_of(acd, "a1"), PCRM_ACD_RESERVED);
	cr_assert_eq(state_of(acd, "a2"), PCRM_ACD_RESERVED);
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_eq(info.misses, 2);
	pcrm_acd_free(acd);
}

Test(preferred, account_manager_logging_out_ends_the_wait)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, two_queues);
	ready(acd, "x");
	OK(pcrm_acd_agent_login(acd, "am"));
	arrive_preferred(acd, "c1", "am", 30);
	cr_assert_eq(state_of(acd, "x"), PCRM_ACD_READY);
	OK(pcrm_acd_agent_logout(acd, "am"));
	cr_assert_str_eq(agent_of(acd, "c1"), "x");
	pcrm_acd_free(acd);
}

Test(overflow, max_wait_passing_while_ringing_acts_when_the_call_returns)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, "{\"version\":1,\"queues\":["
	                           "{\"id\":\"main\",\"max_wait_s\":60,\"ring_timeout_s\":100,\"overflow\":\"spill\"},"
	                           "{\"id\":\"spill\"}],"
	                           "\"agents\":[{\"id\":\"m\",\"skills\":{\"main\":5}}]}");
	ready(acd, "m");
	arrive(acd, "c1", "main");
	advance(acd, &c, 60000);
	cr_assert_str_eq(agent_of(acd, "c1"), "m", "still ringing at max_wait");
	advance(acd, &c, 40000); /* rings out: back in main, past its max wait: on to spill */
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &info));
	cr_assert_str_eq(info.queue_id, "spill");
	cr_assert_eq(info.state, PCRM_ACD_CALL_WAITING);
	cr_assert_eq(state_of(acd, "m"), PCRM_ACD_READY);
	pcrm_acd_free(acd);
}

Test(strategy, ring_all_abandon_frees_every_agent)
{
	struct vclock c = { 0 };
	const int lv[] = { 5, 5, 5 };
	pcrm_acd *acd = one_queue(&c, "ring_all", lv, 3, NULL);
	ready(acd, "a1");
	ready(acd, "a2");
	ready(acd, "a3");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_hangup(acd, "c1"));
	for (int i = 1; i <= 3; i++) {
		char id[16];
		snprintf(id, sizeof(id), "a%d", i);
		cr_assert_eq(state_of(acd, id), PCRM_ACD_READY, "%s", id);
	}
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.total.abandoned, 1);
	cr_assert_eq(st.agents_ready, 3);
	pcrm_acd_free(acd);
}
