/*
 * Configuration: the JSON document (every error names its JSON path and
 * builds nothing), the same through the API, names of the enumerations,
 * several engines side by side, and the clock.
 */
#include "acd_fixture.h"

static void bad_doc(const char *json, int status, const char *needle)
{
	pcrm_acd *acd = (pcrm_acd *)1;
	int rc = pcrm_acd_new_from_json(&acd, json, NULL, NULL);
	cr_assert_eq(rc, status, "%s: %d (%s)", json, rc, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle), "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
	cr_assert_null(acd);
}

#define Q(body) "{\"version\":1,\"queues\":[" body "]}"

Test(config, malformed_documents_name_the_path)
{
	bad_doc("{", PCRM_EINVAL, "document: line 1");
	bad_doc("[]", PCRM_EINVAL, "document: expected an object");
	bad_doc("{}", PCRM_EINVAL, "version: missing");
	bad_doc("{\"version\":2}", PCRM_EINVAL, "version: 2 is not 1..1");
	bad_doc("{\"version\":1,\"colour\":1}", PCRM_EINVAL, "document: unknown key \"colour\"");
	bad_doc("{\"version\":1,\"interval_minutes\":20}", PCRM_EINVAL,
	        "interval_minutes: 20 is not 15, 30 or 60");
	bad_doc("{\"version\":1,\"ring_timeout_s\":\"x\"}", PCRM_EINVAL,
	        "ring_timeout_s: expected an integer, got a string");
	bad_doc(Q("{\"id\":\"a\"},{\"id\":\"b\",\"strategy\":\"fastest\"}"), PCRM_EINVAL,
	        "queues[1].strategy: \"fastest\" is not longest_idle");
	bad_doc(Q("{\"id\":\"a\",\"rules\":[{\"after_s\":-5,\"raise_priority\":1}]}"), PCRM_EINVAL,
	        "queues[0].rules[0].after_s: -5 is not 0..86400");
	bad_doc(Q("{\"id\":\"a\",\"rules\":[{\"after_s\":5,\"raise_priority\":1,\"lower_min_level\":2}]}"),
	        PCRM_EINVAL, "queues[0].rules[0]: expected exactly one of");
	bad_doc(Q("{\"id\":\"a\",\"rules\":[{\"after_s\":5,\"add_queue\":\"zz\"}]}"), PCRM_EINVAL,
	        "queues[0].rules[0].queue_id: \"zz\" is not a queue");
	bad_doc(Q("{\"id\":\"a\",\"rules\":[{\"after_s\":5,\"add_queue\":\"a\"}]}"), PCRM_EINVAL,
	        "a queue cannot add itself");
	bad_doc(Q("{\"id\":\"a\",\"overflow\":\"nope\"}"), PCRM_EINVAL,
	        "queues[0].overflow_queue_id: \"nope\" is not a queue");
	bad_doc(Q("{\"id\":\"a\",\"overflow\":\"b\"},{\"id\":\"b\",\"overflow\":\"c\"},"
	          "{\"id\":\"c\",\"overflow\":\"a\"}"),
	        PCRM_EINVAL, "overflows back into queue");
	bad_doc(Q("{\"id\":\"a\",\"no_agent\":\"overflow\"}"), PCRM_EINVAL,
	        "queues[0].overflow_queue_id: missing (no_agent is overflow)");
	bad_doc(Q("{\"id\":\"a\",\"no_agent\":\"shrug\"}"), PCRM_EINVAL,
	        "queues[0].no_agent: \"shrug\" is not wait, refuse or overflow");
	bad_doc(Q("{\"id\":\"a\",\"service_level\":{\"percent\":180}}"), PCRM_EINVAL,
	        "queues[0].service_level.percent: 180 is not 1..100");
	bad_doc(Q("{\"id\":\"a\"},{\"id\":\"a\"}"), PCRM_EDUPLICATE, "queues[1].id: \"a\" is already a queue");
	bad_doc("{\"version\":1,\"agents\":[{\"id\":\"x\",\"skills\":{\"q\":11}}]}", PCRM_EINVAL,
	        "agents[0].skills.q: 11 is not 1..10");
	bad_doc("{\"version\":1,\"agents\":[{\"id\":\"x\"},{\"id\":\"x\"}]}", PCRM_EDUPLICATE,
	        "agents[1].id: \"x\" is already an agent");
	bad_doc("{\"version\":1,\"agents\":[{\"id\":\"has space\"}]}", PCRM_EINVAL,
	        "agents[0].id: byte 4 is not printable");
	bad_doc("{\"version\":1,\"org_units\":[{\"code\":\"3701\",\"parent\":\"37\"}]}",
	        PCRM_ENOTFOUND, "parent_code: \"37\" is not an org unit");
	bad_doc("{\"version\":1,\"not_ready_reasons\":[3]}", PCRM_EINVAL,
	        "not_ready_reasons[0]: expected a string");
}

Test(config, a_full_document)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c,
		"{\"version\":1,\"ring_timeout_s\":20,\"max_misses\":3,\"short_abandon_s\":8,"
		"\"interval_minutes\":60,\"seed\":9,\"event_queue_capacity\":64,\"cdr_batch_size\":10,"
		"\"cdr_max_pending\":100,\"queue_stats_events\":false,"
		"\"not_ready_reasons\":[\"outbound\",\"break\"],"
		"\"org_units\":[{\"code\":\"37\"},{\"code\":\"3701\",\"parent\":\"37\"}],"
		"\"queues\":[{\"id\":\"billing\",\"strategy\":\"highest_skill\","
		"\"service_level\":{\"percent\":90,\"target_s\":15},\"max_waiting\":50,"
		"\"max_wait_s\":300,\"no_agent\":\"overflow\",\"overflow\":\"general\","
		"\"wrap_up_s\":20,\"ring_timeout_s\":12,\"org_unit\":\"3701\","
		"\"rules\":[{\"after_s\":30,\"add_queue\":\"general\",\"min_level\":2}]},"
		"{\"id\":\"general\",\"strategy\":\"round_robin\"}],"
		"\"agents\":[{\"id\":\"1001\",\"org_unit\":\"3701\",\"skills\":{\"billing\":7,\"english\":3}}]}");
	OK(pcrm_acd_agent_login(acd, "1001"));
	OK(pcrm_acd_agent_not_ready(acd, "1001", "outbound"));
	OK(pcrm_acd_agent_ready(acd, "1001"));
	arrive(acd, "c1", "billing");
	advance(acd, &c, 12000); /* the queue's own ring timeout */
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &ci));
	cr_assert_eq(ci.misses, 1);
	pcrm_acd_engine_stats st = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(acd, &st));
	cr_assert_eq(st.queues, 2);
	cr_assert_eq(st.agents, 1);
	pcrm_acd_event evs[64] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	OK(pcrm_acd_events_poll(acd, evs, 64, &n, 0));
	for (size_t i = 0; i < n; i++)
		cr_assert_neq(evs[i].type, PCRM_ACD_EV_QUEUE_STATS, "queue_stats_events is false");
	pcrm_acd_free(acd);
}

Test(config, through_the_api)
{
	pcrm_acd *acd;
	pcrm_acd_options o = PCRM_ACD_OPTIONS_INIT;
	o.max_misses = 0;
	FAILS(pcrm_acd_new(&acd, &o), PCRM_EINVAL, "options.max_misses: 0 is not 1..100");
	cr_assert_null(acd);
	OK(pcrm_acd_new(&acd, NULL));
	const pcrm_acd_skill skills[] = { { "q", 5 }, { "english", 2 } };
	OK(pcrm_acd_agent_add(acd, "a1", NULL, skills, 2));
	OK(pcrm_acd_agent_login(acd, "a1"));
	OK(pcrm_acd_agent_ready(acd, "a1"));
	const pcrm_acd_skill twice[] = { { "q", 5 }, { "q", 2 } };
	FAILS(pcrm_acd_agent_add(acd, "a2", NULL, twice, 2), PCRM_EINVAL, "agent.skills[1]: \"q\" is listed twice");
	FAILS(pcrm_acd_agent_set_skill(acd, "a1", "q", 11), PCRM_EINVAL, "level: 11 is not 0..10");

	pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
	q.id = "q";
	q.sl_target_s = 0;
	FAILS(pcrm_acd_queue_add(acd, &q), PCRM_EINVAL, "queue.sl_target_s: 0 is not 1..3600");
	q.sl_target_s = 20;
	pcrm_acd_rule r = { 10, PCRM_ACD_RULE_RAISE_PRIORITY, 12, NULL };
	q.rules = &r;
	q.rule_count = 1;
	FAILS(pcrm_acd_queue_add(acd, &q), PCRM_EINVAL, "queue.rules[0].value: 12 is not 1..9");
	r.value = 1;
	OK(pcrm_acd_queue_add(acd, &q)); /* a1 holds skill q: a member at once */
	FAILS(pcrm_acd_queue_add(acd, &q), PCRM_EDUPLICATE, "already a queue");
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.agents_logged_in, 1);
	cr_assert_eq(st.agents_ready, 1);
	OK(pcrm_acd_agent_set_skill(acd, "a1", "q", 0)); /* removed: no longer a member */
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.agents_logged_in, 0);
	OK(pcrm_acd_agent_set_skill(acd, "a1", "q", 3));
	OK(pcrm_acd_queue_stats_get(acd, "q", &st));
	cr_assert_eq(st.agents_ready, 1);
	FAILS(pcrm_acd_reason_add(acd, "break"), PCRM_EDUPLICATE, "already a reason code");
	OK(pcrm_acd_org_unit_add(acd, "37", NULL));
	FAILS(pcrm_acd_org_unit_add(acd, "37", NULL), PCRM_EDUPLICATE, "already an org unit");
	pcrm_acd_free(acd);
	pcrm_acd_free(NULL);
}

Test(config, names)
{
	pcrm_acd_strategy s;
	for (int i = 0; i <= PCRM_ACD_RING_ALL; i++) {
		const char *name = pcrm_acd_strategy_name((pcrm_acd_strategy)i);
		cr_assert_not_null(name);
		OK(pcrm_acd_strategy_parse(name, &s));
		cr_assert_eq((int)s, i);
	}
	cr_assert_null(pcrm_acd_strategy_name((pcrm_acd_strategy)7));
	FAILS(pcrm_acd_strategy_parse("LONGEST_IDLE", &s), PCRM_EINVAL, "strategy");
	cr_assert_str_eq(pcrm_acd_agent_state_name(PCRM_ACD_WRAP_UP), "wrap_up");
	cr_assert_str_eq(pcrm_acd_call_state_name(PCRM_ACD_CALL_HELD), "held");
	cr_assert_str_eq(pcrm_acd_outcome_name(PCRM_ACD_OUTCOME_TIMED_OUT), "timed_out");
	cr_assert_str_eq(pcrm_acd_supervise_mode_name(PCRM_ACD_BARGE), "barge");
	cr_assert_null(pcrm_acd_agent_state_name((pcrm_acd_agent_state)7));
}

Test(config, engines_are_independent)
{
	struct vclock c1 = { 0 }, c2 = { T0 + 3600000 };
	const char *json = "{\"version\":1,\"queues\":[{\"id\":\"q\"}],"
	                   "\"agents\":[{\"id\":\"a\",\"skills\":{\"q\":1}}]}";
	pcrm_acd *x = engine(&c1, json), *y = engine(&c2, json);
	ready(x, "a");
	arrive(x, "c", "q");
	cr_assert_eq(state_of(x, "a"), PCRM_ACD_RESERVED);
	cr_assert_eq(state_of(y, "a"), PCRM_ACD_LOGGED_OUT);
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	FAILS(pcrm_acd_call_get(y, "c", &ci), PCRM_ENOTFOUND, "\"c\"");
	cr_assert_eq(pcrm_acd_now(y), T0 + 3600000);
	cr_assert_eq(pcrm_acd_now(x), T0);
	pcrm_acd_free(x);
	pcrm_acd_free(y);
}

Test(config, clock_is_replaced_only_when_idle)
{
	struct vclock c = { T0 }, other = { T0 + 5000 };
	pcrm_acd *acd = engine(&c, "{\"version\":1,\"queues\":[{\"id\":\"q\"}]}");
	arrive(acd, "c1", "q");
	FAILS(pcrm_acd_set_clock(acd, vclock_read, &other), PCRM_ESTATE, "calls are live");
	OK(pcrm_acd_call_hangup(acd, "c1"));
	OK(pcrm_acd_set_clock(acd, vclock_read, &other));
	cr_assert_eq(pcrm_acd_now(acd), T0 + 5000);
	c.now = T0 - 100000; /* the old clock no longer matters */
	other.now = T0 + 4000; /* time never goes backwards */
	cr_assert_eq(pcrm_acd_now(acd), T0 + 5000);
	pcrm_acd_free(acd);
}

Test(config, manual_time)
{
	pcrm_acd *acd;
	OK(pcrm_acd_new_from_json(&acd, "{\"version\":1,\"queues\":[{\"id\":\"q\",\"max_wait_s\":10}]}",
	                          NULL, NULL));
	OK(pcrm_acd_set_time(acd, T0));
	cr_assert_eq(pcrm_acd_now(acd), T0);
	arrive(acd, "c1", "q");
	OK(pcrm_acd_set_time(acd, T0 + 9999));
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, "c1", &ci));
	OK(pcrm_acd_set_time(acd, T0 + 10000)); /* max_wait: timed out */
	FAILS(pcrm_acd_call_get(acd, "c1", &ci), PCRM_ENOTFOUND, "c1");
	FAILS(pcrm_acd_set_time(acd, T0), PCRM_EINVAL, "earlier than the engine's time");
	cr_assert_eq(pcrm_acd_now(acd), T0 + 10000);
	pcrm_acd_free(acd);
}
