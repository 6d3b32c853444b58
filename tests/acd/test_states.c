/*
 * The agent state machine: every allowed transition, every forbidden one
 * refused with PCRM_ESTATE and nothing changed, hold / wrap-up, abandon
 * while ringing, supervisor actions with their permission and org checks
 * (an id of another unit and one nobody has refused alike), and the counting
 * of refused requests.
 */
#include "acd_fixture.h"

static const char *doc =
	"{\"version\":1,"
	"\"org_units\":[{\"code\":\"37\"},{\"code\":\"3701\",\"parent\":\"37\"},"
	"{\"code\":\"3702\",\"parent\":\"37\"}],"
	"\"queues\":[{\"id\":\"q\",\"wrap_up_s\":30},{\"id\":\"fast\",\"wrap_up_s\":0}],"
	"\"agents\":[{\"id\":\"a1\",\"org_unit\":\"3701\",\"skills\":{\"q\":5}},"
	"{\"id\":\"a2\",\"org_unit\":\"3702\",\"skills\":{\"q\":5}},"
	"{\"id\":\"f\",\"skills\":{\"fast\":5}}]}";

static void expect_state(pcrm_acd *acd, const char *agent, pcrm_acd_agent_state want)
{
	pcrm_acd_agent_state got = state_of(acd, agent);
	cr_assert_eq(got, want, "%s is %s, want %s", agent, pcrm_acd_agent_state_name(got),
	             pcrm_acd_agent_state_name(want));
}

Test(states, logged_out)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	expect_state(acd, "a1", PCRM_ACD_LOGGED_OUT);
	FAILS(pcrm_acd_agent_ready(acd, "a1"), PCRM_ESTATE, "agent a1: ready is not allowed while logged_out");
	FAILS(pcrm_acd_agent_not_ready(acd, "a1", "break"), PCRM_ESTATE, "while logged_out");
	FAILS(pcrm_acd_agent_logout(acd, "a1"), PCRM_ESTATE, "while logged_out");
	FAILS(pcrm_acd_agent_end_wrap_up(acd, "a1"), PCRM_ESTATE, "while logged_out");
	OK(pcrm_acd_agent_login(acd, "a1"));
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &info));
	cr_assert_eq(info.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(info.reason, "login");
	pcrm_acd_free(acd);
}

Test(states, not_ready_and_ready)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	OK(pcrm_acd_agent_login(acd, "a1"));
	FAILS(pcrm_acd_agent_login(acd, "a1"), PCRM_ESTATE, "login is not allowed while not_ready");
	OK(pcrm_acd_agent_not_ready(acd, "a1", "meal")); /* a new reason */
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &info));
	cr_assert_str_eq(info.reason, "meal");
	FAILS(pcrm_acd_agent_not_ready(acd, "a1", "nap"), PCRM_EINVAL, "\"nap\" is not a not-ready reason");
	OK(pcrm_acd_agent_ready(acd, "a1"));
	expect_state(acd, "a1", PCRM_ACD_READY);
	FAILS(pcrm_acd_agent_ready(acd, "a1"), PCRM_ESTATE, "while ready");
	FAILS(pcrm_acd_agent_end_wrap_up(acd, "a1"), PCRM_ESTATE, "while ready");
	OK(pcrm_acd_agent_not_ready(acd, "a1", "training"));
	OK(pcrm_acd_agent_logout(acd, "a1"));
	expect_state(acd, "a1", PCRM_ACD_LOGGED_OUT);
	OK(pcrm_acd_agent_login(acd, "a1"));
	OK(pcrm_acd_agent_ready(acd, "a1"));
	OK(pcrm_acd_agent_logout(acd, "a1")); /* from ready too */
	OK(pcrm_acd_reason_add(acd, "nap"));
	OK(pcrm_acd_agent_login(acd, "a1"));
	OK(pcrm_acd_agent_not_ready(acd, "a1", "nap"));
	pcrm_acd_free(acd);
}

Test(states, reserved_talking_held_wrap_up)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	expect_state(acd, "a1", PCRM_ACD_RESERVED);
	FAILS(pcrm_acd_agent_ready(acd, "a1"), PCRM_ESTATE, "while reserved");
	FAILS(pcrm_acd_agent_not_ready(acd, "a1", "break"), PCRM_ESTATE, "while reserved");
	FAILS(pcrm_acd_agent_logout(acd, "a1"), PCRM_ESTATE, "while reserved");
	FAILS(pcrm_acd_call_hold(acd, "c1"), PCRM_ESTATE, "hold is not allowed while offered");
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	expect_state(acd, "a1", PCRM_ACD_TALKING);
	FAILS(pcrm_acd_call_answer(acd, "c1", "a1"), PCRM_ESTATE, "not offered");
	FAILS(pcrm_acd_agent_ready(acd, "a1"), PCRM_ESTATE, "ready is not allowed while talking");
	FAILS(pcrm_acd_agent_logout(acd, "a1"), PCRM_ESTATE, "while talking");
	FAILS(pcrm_acd_call_unhold(acd, "c1"), PCRM_ESTATE, "unhold is not allowed while talking");
	OK(pcrm_acd_call_hold(acd, "c1"));
	expect_state(acd, "a1", PCRM_ACD_HELD);
	FAILS(pcrm_acd_agent_not_ready(acd, "a1", "break"), PCRM_ESTATE, "while held");
	OK(pcrm_acd_call_unhold(acd, "c1"));
	expect_state(acd, "a1", PCRM_ACD_TALKING);
	OK(pcrm_acd_call_hold(acd, "c1"));
	OK(pcrm_acd_call_hangup(acd, "c1")); /* hung up while held */
	expect_state(acd, "a1", PCRM_ACD_WRAP_UP);
	cr_assert_str_eq(call_of(acd, "a1"), "c1");
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	FAILS(pcrm_acd_call_get(acd, "c1", &ci), PCRM_ENOTFOUND, "c1");
	advance(acd, &c, 29999);
	expect_state(acd, "a1", PCRM_ACD_WRAP_UP);
	advance(acd, &c, 1);
	expect_state(acd, "a1", PCRM_ACD_READY); /* wrap-up ended by its timer */
	pcrm_acd_free(acd);
}

Test(states, wrap_up_ended_by_the_agent_or_left)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	const char *ends[] = { "end", "not_ready", "logout", "ready" };
	for (int i = 0; i < 4; i++) {
		char call[8];
		snprintf(call, sizeof(call), "c%d", i);
		if (state_of(acd, "a1") == PCRM_ACD_LOGGED_OUT)
			OK(pcrm_acd_agent_login(acd, "a1"));
		if (state_of(acd, "a1") != PCRM_ACD_READY)
			OK(pcrm_acd_agent_ready(acd, "a1"));
		arrive(acd, call, "q");
		OK(pcrm_acd_call_answer(acd, call, "a1"));
		OK(pcrm_acd_call_hangup(acd, call));
		expect_state(acd, "a1", PCRM_ACD_WRAP_UP);
		if (i == 0) {
			OK(pcrm_acd_agent_end_wrap_up(acd, "a1"));
			expect_state(acd, "a1", PCRM_ACD_READY);
		} else if (i == 1) {
			OK(pcrm_acd_agent_not_ready(acd, "a1", "break"));
			expect_state(acd, "a1", PCRM_ACD_NOT_READY);
		} else if (i == 2) {
			OK(pcrm_acd_agent_logout(acd, "a1"));
			expect_state(acd, "a1", PCRM_ACD_LOGGED_OUT);
		} else {
			OK(pcrm_acd_agent_ready(acd, "a1"));
			expect_state(acd, "a1", PCRM_ACD_READY);
		}
		(void)ends;
	}
	pcrm_acd_agent_stats st = PCRM_ACD_AGENT_STATS_INIT;
	OK(pcrm_acd_agent_stats_get(acd, "a1", &st));
	cr_assert_eq(st.total.handled, 4, "every wrap-up, however ended, completes its call");
	pcrm_acd_free(acd);
}

Test(states, no_wrap_up_time_goes_straight_to_ready)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "f");
	arrive(acd, "c1", "fast");
	OK(pcrm_acd_call_answer(acd, "c1", "f"));
	OK(pcrm_acd_call_hangup(acd, "c1"));
	expect_state(acd, "f", PCRM_ACD_READY);
	pcrm_acd_free(acd);
}

Test(states, abandon_while_ringing_is_no_miss)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_hangup(acd, "c1"));
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &info));
	cr_assert_eq(info.state, PCRM_ACD_READY);
	cr_assert_eq(info.consecutive_misses, 0);
	cr_assert_str_eq(info.call_id, "");
	pcrm_acd_free(acd);
}

Test(states, unknown_ids_and_bad_input_change_nothing_and_are_counted)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	pcrm_acd_engine_stats before = PCRM_ACD_ENGINE_STATS_INIT, after = PCRM_ACD_ENGINE_STATS_INIT;
	ready(acd, "a1");
	OK(pcrm_acd_engine_stats_get(acd, &before));
	FAILS(pcrm_acd_agent_ready(acd, "ghost"), PCRM_ENOTFOUND, "agent_id: \"ghost\" is not an agent");
	FAILS(pcrm_acd_call_answer(acd, "nocall", "a1"), PCRM_ENOTFOUND, "call_id: \"nocall\"");
	FAILS(pcrm_acd_call_hangup(acd, "bad id"), PCRM_EINVAL, "call_id: byte 4");
	FAILS(pcrm_acd_agent_ready(acd, "a1"), PCRM_ESTATE, "while ready");
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	s.call_id = "c1";
	s.queue_id = "nope";
	FAILS(pcrm_acd_call_arrive(acd, &s, NULL), PCRM_ENOTFOUND, "spec.queue_id: \"nope\"");
	s.queue_id = "q";
	s.priority = 12;
	FAILS(pcrm_acd_call_arrive(acd, &s, NULL), PCRM_EINVAL, "spec.priority: 12 is not 0..9");
	s.priority = 0;
	s.caller_number = "1380000000011112222333344445555666";
	FAILS(pcrm_acd_call_arrive(acd, &s, NULL), PCRM_EINVAL, "spec.caller_number: longer than");
	cr_assert(strstr(pcrm_error_last(), "138") == NULL, "the number must not be echoed");
	s.caller_number = NULL;
	OK(pcrm_acd_call_arrive(acd, &s, NULL));
	FAILS(pcrm_acd_call_arrive(acd, &s, NULL), PCRM_EDUPLICATE, "already a live call");
	OK(pcrm_acd_engine_stats_get(acd, &after));
	cr_assert_eq(after.invalid_requests - before.invalid_requests, 8);
	cr_assert_eq(after.invalid_unknown_id - before.invalid_unknown_id, 3);
	cr_assert_eq(after.invalid_transition - before.invalid_transition, 1);
	cr_assert_eq(after.invalid_input - before.invalid_input, 4);
	cr_assert_eq(after.calls_live, 1);
	cr_assert_eq(after.calls_arrived - before.calls_arrived, 1);
	pcrm_acd_free(acd);
}

Test(supervisor, force_state_withdraws_an_offer_without_a_miss)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_agent_force_state(acd, &supervisor, "a1", PCRM_ACD_NOT_READY, "meeting"));
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, "a1", &info));
	cr_assert_eq(info.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(info.reason, "meeting");
	cr_assert_eq(info.consecutive_misses, 0);
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &ci));
	cr_assert_eq(ci.state, PCRM_ACD_CALL_WAITING);
	cr_assert_eq(ci.misses, 0);
	OK(pcrm_acd_agent_force_state(acd, &supervisor, "a1", PCRM_ACD_READY, NULL));
	cr_assert_str_eq(agent_of(acd, "c1"), "a1");
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	FAILS(pcrm_acd_agent_force_logout(acd, &supervisor, "a1"), PCRM_ESTATE,
	      "a forced state change is not allowed while talking");
	OK(pcrm_acd_call_hangup(acd, "c1"));
	OK(pcrm_acd_agent_force_logout(acd, &supervisor, "a1"));
	expect_state(acd, "a1", PCRM_ACD_LOGGED_OUT);
	OK(pcrm_acd_agent_force_state(acd, &supervisor, "a1", PCRM_ACD_READY, NULL));
	expect_state(acd, "a1", PCRM_ACD_READY);
	FAILS(pcrm_acd_agent_force_state(acd, &supervisor, "a1", PCRM_ACD_TALKING, NULL), PCRM_EINVAL,
	      "state: 4 is not logged_out, ready or not_ready");
	pcrm_acd_free(acd);
}

Test(supervisor, permission_and_org_scope)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	const pcrm_actor agent_role = { "op7", PCRM_ROLE_AGENT, 3, "3701" };
	const pcrm_actor province = { "sup37", PCRM_ROLE_MONITOR, 1, "37" };
	OK(pcrm_acd_agent_login(acd, "a2"));
	FAILS(pcrm_acd_agent_force_logout(acd, &agent_role, "a2"), PCRM_EPERM, "needs call.monitor");
	FAILS(pcrm_acd_agent_force_logout(acd, &supervisor, "a2"), PCRM_EPERM,
	      "agent: unknown or outside the org subtree of sup01's org unit 3701");
	expect_state(acd, "a2", PCRM_ACD_NOT_READY);
	OK(pcrm_acd_agent_force_logout(acd, &province, "a2"));
	expect_state(acd, "a2", PCRM_ACD_LOGGED_OUT);
	pcrm_acd_free(acd);
}

/* Agents 3701 and 3702, a queue of each; b2 talks on a call of 3702's queue, w2 waits there. */
static const char *units_doc =
	"{\"version\":1,"
	"\"org_units\":[{\"code\":\"37\"},{\"code\":\"3701\",\"parent\":\"37\"},"
	"{\"code\":\"3702\",\"parent\":\"37\"}],"
	"\"queues\":[{\"id\":\"q1\",\"org_unit\":\"3701\"},{\"id\":\"q2\",\"org_unit\":\"3702\"}],"
	"\"agents\":[{\"id\":\"b1\",\"org_unit\":\"3701\",\"skills\":{\"q1\":5}},"
	"{\"id\":\"b2\",\"org_unit\":\"3702\",\"skills\":{\"q2\":5}}]}";

/* Runs `call` on an existing id and on a missing one: one status, the same words, one reason. */
#define SAME_REFUSAL(call_existing, call_missing)                                              \
	do {                                                                                    \
		char m1_[512];                                                                  \
		int r1_ = (call_existing), r2_;                                                 \
		snprintf(m1_, sizeof(m1_), "%s", pcrm_error_last());                            \
		cr_assert_str_eq(pcrm_error_reason(), "permission.denied", "%s", m1_);          \
		r2_ = (call_missing);                                                           \
		cr_assert_eq(r1_, PCRM_EPERM, "%s: %d (%s)", #call_existing, r1_, m1_);         \
		cr_assert_eq(r2_, PCRM_EPERM, "%s: %d (%s)", #call_missing, r2_, pcrm_error_last()); \
		cr_assert_str_eq(m1_, pcrm_error_last(), "%s and %s are told apart",           \
		                 #call_existing, #call_missing);                                \
		cr_assert_str_eq(pcrm_error_reason(), "permission.denied");                     \
	} while (0)

/*
 * Issue 18: a supervisor of another unit must not learn from a supervisor action which agent,
 * call or queue ids exist there.  Every such call is refused for an id of 3702 exactly as for
 * an id nobody has, whatever state the target is in, and nothing changes.
 */
Test(supervisor, ids_of_another_unit_and_missing_ids_are_refused_alike)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, units_doc);
	const pcrm_actor province = { "sup37", PCRM_ROLE_MONITOR, 1, "37" };
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	ready(acd, "b2");
	arrive(acd, "t2", "q2");
	OK(pcrm_acd_call_answer(acd, "t2", "b2")); /* b2 talks: a state a supervisor may act on */
	arrive(acd, "w2", "q2");                  /* waits: nobody else is ready in q2 */
	arrive(acd, "w1", "q1");                  /* waits in the supervisor's own queue */

	SAME_REFUSAL(pcrm_acd_supervise(acd, &supervisor, "b2", PCRM_ACD_MONITOR),
	             pcrm_acd_supervise(acd, &supervisor, "b9", PCRM_ACD_MONITOR));
	SAME_REFUSAL(pcrm_acd_agent_force_state(acd, &supervisor, "b2", PCRM_ACD_READY, NULL),
	             pcrm_acd_agent_force_state(acd, &supervisor, "b9", PCRM_ACD_READY, NULL));
	SAME_REFUSAL(pcrm_acd_agent_force_logout(acd, &supervisor, "b2"),
	             pcrm_acd_agent_force_logout(acd, &supervisor, "b9"));
	/* a call waiting in another unit's queue, and a call that is not live */
	SAME_REFUSAL(pcrm_acd_call_move(acd, &supervisor, "w2", "q1"),
	             pcrm_acd_call_move(acd, &supervisor, "w9", "q1"));
	/* the supervisor's own call into another unit's queue, and into a queue nobody has */
	SAME_REFUSAL(pcrm_acd_call_move(acd, &supervisor, "w1", "q2"),
	             pcrm_acd_call_move(acd, &supervisor, "w1", "q9"));
	cr_assert_str_eq(pcrm_error_field(), "queue");

	/* nothing changed */
	cr_assert_eq(state_of(acd, "b2"), PCRM_ACD_TALKING);
	OK(pcrm_acd_call_get(acd, "w2", &ci));
	cr_assert_str_eq(ci.queue_id, "q2");
	OK(pcrm_acd_call_get(acd, "w1", &ci));
	cr_assert_str_eq(ci.queue_id, "q1");
	/* an actor who sees everything still gets the same answer for an id nobody has */
	FAILS(pcrm_acd_supervise(acd, &province, "b9", PCRM_ACD_MONITOR), PCRM_EPERM,
	      "agent: unknown or outside the org subtree of sup37's org unit 37");
	OK(pcrm_acd_supervise(acd, &province, "b2", PCRM_ACD_MONITOR));
	pcrm_acd_free(acd);
}

static int supervise_events(pcrm_acd *acd, pcrm_acd_event *found)
{
	pcrm_acd_event evs[64] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	int hits = 0;
	OK(pcrm_acd_events_poll(acd, evs, 64, &n, 0));
	for (size_t i = 0; i < n; i++)
		if (evs[i].type == PCRM_ACD_EV_SUPERVISE) {
			*found = evs[i];
			hits++;
		}
	return hits;
}

Test(supervisor, monitor_whisper_barge_are_requests_to_the_adapter)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	pcrm_acd_event ev;
	ready(acd, "a1");
	FAILS(pcrm_acd_supervise(acd, &supervisor, "a1", PCRM_ACD_MONITOR), PCRM_ESTATE,
	      "monitor is not allowed while ready");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	supervise_events(acd, &ev);
	const pcrm_acd_supervise_mode modes[] = { PCRM_ACD_MONITOR, PCRM_ACD_WHISPER, PCRM_ACD_BARGE };
	for (int i = 0; i < 3; i++) {
		OK(pcrm_acd_supervise(acd, &supervisor, "a1", modes[i]));
		cr_assert_eq(supervise_events(acd, &ev), 1);
		cr_assert_eq(ev.mode, modes[i]);
		cr_assert_str_eq(ev.agent_id, "a1");
		cr_assert_str_eq(ev.call_id, "c1");
		cr_assert_str_eq(ev.supervisor_id, "sup01");
	}
	pcrm_acd_free(acd);
}
