/* Every switch event accepted in its place, and what it does to the ACD. */
#include "tel_fixture.h"

Test(events, inbound_call_from_offered_to_call_cleared)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY);

	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = "c1";
	ev.device_id = "rp";
	ev.caller_number = "13800000001";
	ev.dialled_number = "95598";
	ev.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_OFFERED);
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	FAILS(pcrm_acd_call_get(f.acd, "c1", &ci), PCRM_ENOTFOUND, "c1"); /* still in the IVR */

	pcrm_tel_event d = PCRM_TEL_EVENT_INIT;
	d.type = PCRM_TEL_EV_DIGITS_COLLECTED;
	d.call_id = "c1";
	d.service = "billing";
	d.digits = "1";
	d.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &d, NULL));

	FEED(&f, PCRM_TEL_EV_QUEUED, "c1", "rp");
	/* the ACD offered it to a1 at once, and the adapter asked the switch to route it */
	cr_assert_str_eq(last_req(&f.sw), "route c1 2001 a1");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_RESERVED);
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_str_eq(ci.queue_id, "billing");
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);

	f.clock.now += 3000;
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_ALERTING);
	f.clock.now += 2000;
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_CONNECTED);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);

	FEED(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_HELD);
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_HELD);
	f.clock.now += 10000;
	FEED(&f, PCRM_TEL_EV_RETRIEVED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);

	FEED(&f, PCRM_TEL_EV_RECORDING_STARTED, "c1", "2001");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_eq(info.recording, 1);
	cr_assert_str_eq(info.agent_id, "a1");
	cr_assert_str_eq(info.caller_number, "13800000001");
	cr_assert_str_eq(info.digits, "1");
	cr_assert_str_eq(info.queue_id, "billing");
	cr_assert(info.with_acd);
	FEED(&f, PCRM_TEL_EV_RECORDING_STOPPED, "c1", "2001");
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_eq(info.recording, 0);

	/* DTMF in the conversation is accepted and changes nothing */
	d.digits = "5";
	d.service = NULL;
	d.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &d, NULL));
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.digits, "1");

	f.clock.now += 60000;
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	FEED(&f, PCRM_TEL_EV_AGENT_WORK_NOT_READY, NULL, "2001"); /* the switch agrees */
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	FAILS(pcrm_tel_call_get(f.tel, "c1", &info), PCRM_ENOTFOUND, "c1");
	FAILS(pcrm_acd_call_get(f.acd, "c1", &ci), PCRM_ENOTFOUND, "c1");

	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.total.offered, 1);
	cr_assert_eq(qs.total.answered, 1);
	cr_assert_eq(qs.total.wait_answered_ms, 5000);

	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.events_rejected, 0);
	cr_assert_eq(st.events_by_type[PCRM_TEL_EV_HELD], 1);
	cr_assert_eq(st.events_by_type[PCRM_TEL_EV_DIGITS_COLLECTED], 2);
	cr_assert_eq(st.requests_sent, 1);
	cr_assert_eq(st.calls_live, 0);
	fix_close(&f);
}

Test(events, caller_hangs_up_while_queued_is_an_abandon)
{
	struct tel_fix f;
	fix_open(&f);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	f.clock.now += 30000;
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "13800000001");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.total.abandoned, 1);
	cr_assert_eq(qs.waiting, 0);
	fix_close(&f);
}

Test(events, agent_device_states)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 0);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_NOT_READY);
	char dev[32];
	OK(pcrm_tel_agent_device(f.tel, "a1", dev, sizeof(dev)));
	cr_assert_str_eq(dev, "2001");

	FEED(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY);

	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_AGENT_NOT_READY;
	ev.device_id = "2001";
	ev.reason = "meal";
	ev.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, "a1", &info));
	cr_assert_eq(info.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(info.reason, "meal");

	/* a pause without a reason is the documented reason "switch" */
	ev.reason = NULL;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	OK(pcrm_acd_agent_get(f.acd, "a1", &info));
	cr_assert_str_eq(info.reason, "switch");

	FEED(&f, PCRM_TEL_EV_AGENT_WORK_NOT_READY, NULL, "2001");
	OK(pcrm_acd_agent_get(f.acd, "a1", &info));
	cr_assert_str_eq(info.reason, "work_not_ready");

	FEED(&f, PCRM_TEL_EV_AGENT_LOGGED_OFF, NULL, "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_LOGGED_OUT);
	FAILS(pcrm_tel_agent_device(f.tel, "a1", dev, sizeof(dev)), PCRM_ENOTFOUND, "a1");
	/* logged off: the device may take another agent */
	agent_on(&f, "a2", "2001", 1);
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_READY);
	fix_close(&f);
}

Test(events, failed_delivery_puts_the_call_back_in_the_queue)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 0);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	cr_assert_str_eq(last_req(&f.sw), "route c1 2001 a1");
	FEED(&f, PCRM_TEL_EV_FAILED, "c1", "2001"); /* the device was busy after all */
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, "a1", &info));
	cr_assert_eq(info.consecutive_misses, 1);
	/* back to ready, the same call is offered again: a2 is not ready */
	cr_assert_str_eq(last_req(&f.sw), "route c1 2001 a1");
	cr_assert_eq(f.sw.count, 2);
	FEED(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2002");
	fix_close(&f);
}

Test(events, diverted_while_alerting_is_a_miss_and_the_acd_routes_again)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 1);
	incoming(&f, "c1", "13800000001", "general", NULL);
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	char first[8], first_dev[8];
	strcpy(first, ci.agent_id);
	strcpy(first_dev, strcmp(first, "a1") == 0 ? "2001" : "2002");
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", first_dev);
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_DIVERTED;
	ev.call_id = "c1";
	ev.device_id = first_dev;
	ev.destination = "8000";
	ev.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	/* the other agent gets it: routed there */
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_str_neq(ci.agent_id, first);
	char want[128];
	snprintf(want, sizeof(want), "route c1 %s %s", strcmp(first, "a1") == 0 ? "2002" : "2001",
	         ci.agent_id);
	cr_assert_str_eq(last_req(&f.sw), want);
	fix_close(&f);
}

Test(events, clock_from_events_drives_the_acd)
{
	struct tel_fix f;
	pcrm_tel_options o = PCRM_TEL_OPTIONS_INIT;
	o.clock_from_events = 1;
	fix_open_with(&f, &o);
	f.clock.now = 1000000; /* the switch's virtual time, far before the ACD's clock */
	agent_on(&f, "a1", "2001", 1);
	cr_assert_eq(pcrm_acd_now(f.acd), 1000000);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	f.clock.now += 4000;
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	f.clock.now += 4000;
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	cr_assert_eq(pcrm_acd_now(f.acd), 1008000);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.total.wait_answered_ms, 8000);
	fix_close(&f);
}

Test(events, names)
{
	cr_assert_str_eq(pcrm_tel_event_type_name(PCRM_TEL_EV_CONNECTION_CLEARED), "connection_cleared");
	cr_assert_str_eq(pcrm_tel_event_type_name(PCRM_TEL_EV_AGENT_WORK_NOT_READY), "agent_work_not_ready");
	cr_assert_null(pcrm_tel_event_type_name((pcrm_tel_event_type)99));
	cr_assert_str_eq(pcrm_tel_reject_name(PCRM_TEL_REJECT_CLEARED_CALL), "cleared_call");
	cr_assert_str_eq(pcrm_tel_result_name(PCRM_TEL_LINK_DOWN), "link_down");
	cr_assert_str_eq(pcrm_tel_call_state_name(PCRM_TEL_CALL_HELD), "held");
	cr_assert_str_eq(pcrm_tel_agent_state_name(PCRM_TEL_AGENT_WORK_NOT_READY), "work_not_ready");
	cr_assert_null(pcrm_tel_reject_name((pcrm_tel_reject)PCRM_TEL_REJECT_COUNT));
}
