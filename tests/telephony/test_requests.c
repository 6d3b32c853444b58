/*
 * Requests: each desktop request reaches the switch with the right call and
 * device, is refused without a word to the switch when the call's state
 * forbids it, and maps the switch's result to a status.  A failed route
 * leaves the ACD consistent.
 */
#include "tel_fixture.h"

static void talking(struct tel_fix *f)
{
	agent_on(f, "a1", "2001", 1);
	incoming(f, "c1", "13800000001", "billing", NULL);
	FEED(f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
}

Test(requests, call_requests_reach_the_switch)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	OK(pcrm_tel_answer(f.tel, "c1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "answer c1 2001");
	/* the state changes only when the switch confirms */
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_ALERTING);
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	OK(pcrm_tel_hold(f.tel, "c1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "hold c1 2001");
	FEED(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	OK(pcrm_tel_retrieve(f.tel, "c1", "2001"));
	cr_assert_str_eq(last_req(&f.sw), "retrieve c1 2001");
	FEED(&f, PCRM_TEL_EV_RETRIEVED, "c1", "2001");
	OK(pcrm_tel_record_start(f.tel, "c1"));
	cr_assert_str_eq(last_req(&f.sw), "record_start c1 2001");
	FAILS(pcrm_tel_record_stop(f.tel, "c1"), PCRM_ESTATE, "not recorded");
	FEED(&f, PCRM_TEL_EV_RECORDING_STARTED, "c1", NULL);
	FAILS(pcrm_tel_record_start(f.tel, "c1"), PCRM_ESTATE, "already recorded");
	OK(pcrm_tel_record_stop(f.tel, "c1"));
	cr_assert_str_eq(last_req(&f.sw), "record_stop c1 2001");
	OK(pcrm_tel_send_dtmf(f.tel, "c1", NULL, "12#"));
	cr_assert_str_eq(last_req(&f.sw), "send_dtmf c1 2001 12#");
	FAILS(pcrm_tel_send_dtmf(f.tel, "c1", NULL, "12x"), PCRM_EINVAL, "digits");
	OK(pcrm_tel_transfer(f.tel, "c1", NULL, "95598-2"));
	cr_assert_str_eq(last_req(&f.sw), "transfer c1 2001 95598-2");
	OK(pcrm_tel_consult(f.tel, "c1", NULL, "2002"));
	cr_assert_str_eq(last_req(&f.sw), "consult c1 2001 2002");
	OK(pcrm_tel_hangup(f.tel, "c1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "hangup c1 2001");
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.requests_sent, 1 + 9); /* the route, then nine requests */
	fix_close(&f);
}

Test(requests, state_checks_send_nothing)
{
	struct tel_fix f;
	fix_open(&f);
	incoming(&f, "c1", "13800000001", "billing", NULL); /* nobody ready: waiting */
	int before = f.sw.count;
	FAILS(pcrm_tel_hold(f.tel, "c1", NULL), PCRM_ESTATE, "hold: not allowed while call c1 is queued");
	FAILS(pcrm_tel_answer(f.tel, "c1", "2001"), PCRM_ESTATE, "queued");
	FAILS(pcrm_tel_retrieve(f.tel, "c1", "2001"), PCRM_ESTATE, "queued");
	FAILS(pcrm_tel_transfer(f.tel, "c1", "2001", "9"), PCRM_ESTATE, "queued");
	FAILS(pcrm_tel_send_dtmf(f.tel, "c1", "2001", "1"), PCRM_ESTATE, "queued");
	FAILS(pcrm_tel_hold(f.tel, "nope", NULL), PCRM_ENOTFOUND, "nope");
	FAILS(pcrm_tel_hold(f.tel, NULL, NULL), PCRM_EINVAL, "call_id: missing");
	FAILS(pcrm_tel_deflect(f.tel, "c1", NULL, NULL), PCRM_EINVAL, "destination: missing");
	FAILS(pcrm_tel_consult_transfer(f.tel, "c1", "k1", NULL), PCRM_ESTATE, "queued");
	cr_assert_eq(f.sw.count, before);
	/* a queued call is deflected from its routing point */
	OK(pcrm_tel_deflect(f.tel, "c1", NULL, "voicemail"));
	cr_assert_str_eq(last_req(&f.sw), "deflect c1 rp voicemail");
	OK(pcrm_tel_hangup(f.tel, "c1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "hangup c1 -");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	FAILS(pcrm_tel_hangup(f.tel, "c1", NULL), PCRM_ESTATE, "has been cleared");
	fix_close(&f);
}

Test(requests, switch_results_map_to_statuses)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	static const struct { int result; int status; const char *needle; } cases[] = {
		{ PCRM_TEL_BUSY, PCRM_ESTATE, "device 2001 is busy" },
		{ PCRM_TEL_REFUSED, PCRM_ESTATE, "the switch refused" },
		{ PCRM_TEL_NO_DEVICE, PCRM_ENOTFOUND, "knows no device" },
		{ PCRM_TEL_LINK_DOWN, PCRM_ECONNECTION, "link to the switch is down" },
		{ 42, PCRM_ESTATE, "the switch refused" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		strcpy(f.sw.fail_kind, "hold");
		f.sw.fail_result = cases[i].result;
		f.sw.fail_times = 1;
		FAILS(pcrm_tel_hold(f.tel, "c1", NULL), cases[i].status, cases[i].needle);
	}
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.requests_failed[PCRM_TEL_BUSY], 1);
	cr_assert_eq(st.requests_failed[PCRM_TEL_REFUSED], 2);
	cr_assert_eq(st.requests_failed[PCRM_TEL_NO_DEVICE], 1);
	cr_assert_eq(st.requests_failed[PCRM_TEL_LINK_DOWN], 1);
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_CONNECTED);
	fix_close(&f);
}

static int only_route(void *u, const char *c, const char *d, const char *a)
{
	return r_route(u, c, d, a);
}

Test(requests, a_table_without_a_function_is_unsupported)
{
	struct vclock clock = { T0 };
	struct rec_switch sw;
	memset(&sw, 0, sizeof(sw));
	pcrm_acd *acd;
	pcrm_tel *tel;
	OK(pcrm_acd_new_from_json(&acd, TEL_ACD_JSON, vclock_read, &clock));
	/* an adapter built against a header whose table ended after `route` */
	pcrm_tel_switch t = PCRM_TEL_SWITCH_INIT;
	t.userdata = &sw;
	t.route = only_route;
	t.hold = r_hold; /* beyond the old size: must be ignored */
	t.size = offsetof(pcrm_tel_switch, route) + sizeof(t.route);
	OK(pcrm_tel_new(&tel, acd, &t, NULL));
	OK(pcrm_tel_set_ivr_rules(tel, TEL_IVR_JSON));
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = "c1";
	ev.at = T0;
	OK(pcrm_tel_event_feed(tel, &ev, NULL));
	ev.type = PCRM_TEL_EV_DELIVERED;
	ev.device_id = "2001";
	OK(pcrm_tel_event_feed(tel, &ev, NULL));
	ev.type = PCRM_TEL_EV_ESTABLISHED;
	OK(pcrm_tel_event_feed(tel, &ev, NULL));
	FAILS(pcrm_tel_hold(tel, "c1", NULL), PCRM_EUNSUPPORTED, "no hold function");
	FAILS(pcrm_tel_resync(tel), PCRM_EUNSUPPORTED, "snapshot");
	FAILS(pcrm_tel_make_call(tel, "o1", "a1", "5"), PCRM_ENOTFOUND, "not logged on");
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(tel, &st));
	cr_assert_eq(st.requests_unsupported, 2);
	cr_assert_eq(sw.count, 0);
	pcrm_tel_free(tel);

	/* tables that cannot be used */
	t.size = 4;
	FAILS(pcrm_tel_new(&tel, acd, &t, NULL), PCRM_EINVAL, "switch.size");
	t.size = sizeof(t);
	t.version = 7;
	FAILS(pcrm_tel_new(&tel, acd, &t, NULL), PCRM_EINVAL, "switch.version");
	t.version = PCRM_TEL_SWITCH_VERSION;
	t.route = NULL;
	FAILS(pcrm_tel_new(&tel, acd, &t, NULL), PCRM_EINVAL, "switch.route");
	cr_assert_null(tel);
	pcrm_acd_free(acd);
}

Test(requests, failed_route_returns_the_call_to_the_queue)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 1);
	/* a1's device is busy: the switch refuses the first route */
	strcpy(f.sw.fail_kind, "route");
	f.sw.fail_result = PCRM_TEL_BUSY;
	f.sw.fail_times = 1;
	incoming(&f, "c1", "13800000001", "billing", NULL);
	cr_assert_eq(f.sw.count, 2);
	/* highest level first is not the strategy: whoever was tried first, it failed, the other got it */
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_eq(ci.state, PCRM_ACD_CALL_OFFERED);
	cr_assert_eq(ci.misses, 1);
	const char *first = strstr(f.sw.log[0], "a1") ? "a1" : "a2";
	cr_assert_str_neq(ci.agent_id, first);
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, first, &ai));
	cr_assert_eq(ai.state, PCRM_ACD_READY, "the agent is not left reserved");
	cr_assert_eq(ai.consecutive_misses, 1);
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.routes_failed, 1);
	cr_assert_eq(st.requests_failed[PCRM_TEL_BUSY], 1);
	fix_close(&f);
}

Test(requests, failed_route_with_nobody_else_waits_in_the_queue)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	strcpy(f.sw.fail_kind, "route");
	f.sw.fail_result = PCRM_TEL_REFUSED;
	f.sw.fail_times = 5;
	incoming(&f, "c1", "13800000001", "billing", NULL);
	/* a1 is tried again after each failure until max_misses (2) sets it not ready */
	cr_assert_eq(f.sw.count, 2);
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, "a1", &ai));
	cr_assert_eq(ai.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(ai.reason, "missed");
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_eq(ci.state, PCRM_ACD_CALL_WAITING);
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.waiting, 1);
	/* the switch works again: the next ready agent gets it */
	agent_on(&f, "a2", "2002", 1);
	cr_assert_str_eq(last_req(&f.sw), "route c1 2002 a2");
	fix_close(&f);
}

Test(requests, agent_without_a_device_is_a_failed_route)
{
	struct tel_fix f;
	fix_open(&f);
	/* logged in through the ACD's own API: the adapter knows no device for it */
	OK(pcrm_acd_agent_login(f.acd, "a1"));
	OK(pcrm_acd_agent_ready(f.acd, "a1"));
	incoming(&f, "c1", "13800000001", "billing", NULL);
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, "a1", &ai));
	cr_assert_neq(ai.state, PCRM_ACD_RESERVED);
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.requests_failed[PCRM_TEL_NO_DEVICE], 2);
	cr_assert_eq(st.routes_failed, 2);
	cr_assert_eq(f.sw.count, 0);
	fix_close(&f);
}

Test(requests, agent_state_make_call_and_supervise)
{
	struct tel_fix f;
	fix_open(&f);
	OK(pcrm_tel_agent_set_state(f.tel, "a1", "2001", PCRM_TEL_AGENT_LOGGED_ON, NULL));
	cr_assert_str_eq(last_req(&f.sw), "set_agent_state 2001 a1 logged_on -");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_LOGGED_OUT); /* until the switch confirms */
	FAILS(pcrm_tel_agent_set_state(f.tel, "a1", NULL, PCRM_TEL_AGENT_READY, NULL), PCRM_ENOTFOUND,
	      "not logged on");
	FAILS(pcrm_tel_agent_set_state(f.tel, "a1", NULL, PCRM_TEL_AGENT_LOGGED_ON, NULL), PCRM_EINVAL,
	      "device_id");
	agent_on(&f, "a1", "2001", 0);
	OK(pcrm_tel_agent_set_state(f.tel, "a1", NULL, PCRM_TEL_AGENT_NOT_READY, "meal"));
	cr_assert_str_eq(last_req(&f.sw), "set_agent_state 2001 a1 not_ready meal");

	OK(pcrm_tel_make_call(f.tel, "o1", "a1", "13900000000"));
	cr_assert_str_eq(last_req(&f.sw), "make_call o1 2001 13900000000");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "o1", &info));
	cr_assert(info.outbound);
	FAILS(pcrm_tel_make_call(f.tel, "o1", "a1", "13900000000"), PCRM_EDUPLICATE, "o1");
	FEED(&f, PCRM_TEL_EV_DELIVERED, "o1", "13900000000");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "o1", "13900000000");
	FEED(&f, PCRM_TEL_EV_HELD, "o1", "2001"); /* held by the calling agent */
	cr_assert_eq(tel_state(&f, "o1"), PCRM_TEL_CALL_HELD);
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "o1", NULL);
	/* a refused outbound call is not tracked */
	strcpy(f.sw.fail_kind, "make_call");
	f.sw.fail_result = PCRM_TEL_REFUSED;
	f.sw.fail_times = 1;
	FAILS(pcrm_tel_make_call(f.tel, "o2", "a1", "13900000000"), PCRM_ESTATE, "refused");
	FAILS(pcrm_tel_call_get(f.tel, "o2", &info), PCRM_ENOTFOUND, "o2");

	/* supervise: the ACD's permission check, then the switch */
	agent_on(&f, "a2", "2002", 1);
	agent_on(&f, "sup", "2100", 0);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2002");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2002");
	pcrm_actor sup = { "sup", PCRM_ROLE_MONITOR, 3, "3701" };
	pcrm_actor outsider = { "x", PCRM_ROLE_MONITOR, 3, "9999" };
	OK(pcrm_tel_supervise(f.tel, &sup, "a2", PCRM_ACD_BARGE));
	cr_assert_str_eq(last_req(&f.sw), "supervise c1 2002 sup 2100 barge");
	int before = f.sw.count;
	cr_assert_neq(pcrm_tel_supervise(f.tel, &outsider, "a2", PCRM_ACD_MONITOR), PCRM_OK);
	FAILS(pcrm_tel_supervise(f.tel, &sup, "a1", PCRM_ACD_MONITOR), PCRM_ESTATE, "a1");
	/*
	 * A supervisor of another unit learns nothing about which agents exist or sit at a
	 * device: a2 (talking at 2002), a3 (known, no device) and zz (nobody) are refused alike.
	 */
	OK(pcrm_acd_org_unit_add(f.acd, "3702", "37"));
	pcrm_actor other = { "sup2", PCRM_ROLE_MONITOR, 3, "3702" };
	char first[512];
	FAILS(pcrm_tel_supervise(f.tel, &other, "a2", PCRM_ACD_MONITOR), PCRM_EPERM,
	      "agent: unknown or outside the org subtree");
	snprintf(first, sizeof(first), "%s", pcrm_error_last());
	FAILS(pcrm_tel_supervise(f.tel, &other, "a3", PCRM_ACD_MONITOR), PCRM_EPERM, first);
	FAILS(pcrm_tel_supervise(f.tel, &other, "zz", PCRM_ACD_MONITOR), PCRM_EPERM, first);
	cr_assert_str_eq(pcrm_error_last(), first);
	cr_assert_eq(f.sw.count, before);
	fix_close(&f);
}

Test(requests, resync_asks_for_a_snapshot)
{
	struct tel_fix f;
	fix_open(&f);
	OK(pcrm_tel_resync(f.tel));
	cr_assert_str_eq(last_req(&f.sw), "snapshot");
	strcpy(f.sw.fail_kind, "snapshot");
	f.sw.fail_result = PCRM_TEL_LINK_DOWN;
	f.sw.fail_times = 1;
	FAILS(pcrm_tel_resync(f.tel), PCRM_ECONNECTION, "link");
	fix_close(&f);
}
