/*
 * Every kind of rejected event: the status, the counter of its kind, and
 * that nothing changed (adapter and ACD).
 */
#include "tel_fixture.h"

static void expect_reject(struct tel_fix *f, const pcrm_tel_event *ev, pcrm_tel_reject kind,
                          int status, const char *needle)
{
	uint64_t before = rejected(f, kind);
	pcrm_tel_reject got = PCRM_TEL_ACCEPTED;
	int rc = pcrm_tel_event_feed(f->tel, ev, &got);
	cr_assert_eq(rc, status, "%s: status %d, want %d (%s)", pcrm_tel_event_type_name(ev->type),
	             rc, status, pcrm_error_last());
	cr_assert_eq(got, kind, "kind %s, want %s (%s)", pcrm_tel_reject_name(got),
	             pcrm_tel_reject_name(kind), pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle), "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
	cr_assert_eq(rejected(f, kind), before + 1);
}

static pcrm_tel_event event(struct tel_fix *f, pcrm_tel_event_type type, const char *call,
                            const char *device)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = device;
	ev.at = f->clock.now;
	return ev;
}

/* c1 connected to a1 at 2001 */
static void talking(struct tel_fix *f)
{
	agent_on(f, "a1", "2001", 1);
	incoming(f, "c1", "13800000001", "billing", NULL);
	FEED(f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
}

Test(rejects, malformed)
{
	struct tel_fix f;
	fix_open(&f);
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_OFFERED, NULL, "rp");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "call_id: missing");
	ev = event(&f, PCRM_TEL_EV_DELIVERED, "c1", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "device_id: missing");
	ev = event(&f, (pcrm_tel_event_type)77, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "event.type: 77");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp");
	ev.version = 9;
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "event.version");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp");
	ev.size = 8;
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "event.size");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp");
	ev.caller_number = "1234567890123456789012345678901234567890";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "caller_number: longer");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp");
	ev.caller_number = "+86 139 0013 9000"; /* the adapter normalises numbers */
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "caller_number: byte 3");
	ev = event(&f, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "agent_id: missing");
	FAILS(pcrm_tel_event_feed(f.tel, NULL, NULL), PCRM_EINVAL, "event: missing");
	/* a digits event with nothing in it, on a live call */
	incoming(&f, "c2", "13800000002", NULL, NULL);
	ev = event(&f, PCRM_TEL_EV_DIGITS_COLLECTED, "c2", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_MALFORMED, PCRM_EINVAL, "both missing");
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.calls_live, 1);
	fix_close(&f);
}

Test(rejects, unknown_call_answered_before_offered)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_ESTABLISHED, "ghost", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_CALL, PCRM_ENOTFOUND, "never offered");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY);
	/* a consultation from a call nobody offered */
	ev = event(&f, PCRM_TEL_EV_OFFERED, "k1", "2001");
	ev.other_call_id = "ghost";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_CALL, PCRM_ENOTFOUND, "ghost");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	FAILS(pcrm_tel_call_get(f.tel, "k1", &info), PCRM_ENOTFOUND, "k1");
	fix_close(&f);
}

Test(rejects, event_for_a_cleared_call)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_CLEARED_CALL, PCRM_ESTATE, "has been cleared");
	ev = event(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_CLEARED_CALL, PCRM_ESTATE, "has been cleared");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp"); /* a cleared id is not offered again */
	expect_reject(&f, &ev, PCRM_TEL_REJECT_CLEARED_CALL, PCRM_ESTATE, "has been cleared");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	fix_close(&f);
}

Test(rejects, cleared_memory_is_bounded)
{
	struct tel_fix f;
	pcrm_tel_options o = PCRM_TEL_OPTIONS_INIT;
	o.cleared_memory = 16;
	fix_open_with(&f, &o);
	char id[16];
	for (int i = 0; i < 17; i++) {
		snprintf(id, sizeof(id), "x%d", i);
		FEED(&f, PCRM_TEL_EV_OFFERED, id, "rp");
		FEED(&f, PCRM_TEL_EV_CALL_CLEARED, id, NULL);
	}
	/* x0 fell out of the memory: unknown now; x1 is still remembered */
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_CALL_CLEARED, "x0", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_CALL, PCRM_ENOTFOUND, "x0");
	ev = event(&f, PCRM_TEL_EV_CALL_CLEARED, "x1", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_CLEARED_CALL, PCRM_ESTATE, "x1");
	fix_close(&f);
}

Test(rejects, duplicates)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "already connected");
	ev = event(&f, PCRM_TEL_EV_OFFERED, "c1", "rp");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "already");
	FEED(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	ev = event(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "already held");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_HELD);
	FEED(&f, PCRM_TEL_EV_RECORDING_STARTED, "c1", NULL);
	ev = event(&f, PCRM_TEL_EV_RECORDING_STARTED, "c1", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "already recorded");

	agent_on(&f, "a2", "2002", 1);
	ev = event(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2002");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "a2");
	ev = event(&f, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, "2002");
	ev.agent_id = "a2";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "a2");

	incoming(&f, "c2", "13800000002", "repair", NULL);
	ev = event(&f, PCRM_TEL_EV_QUEUED, "c2", "rp");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_DUPLICATE, PCRM_EDUPLICATE, "already queued");
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_arrived, 2);
	fix_close(&f);
}

Test(rejects, out_of_order)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	/* answered before it rang */
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "while call c1 is queued");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_RESERVED);
	ev = event(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "queued");
	ev = event(&f, PCRM_TEL_EV_TRANSFERRED, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "queued");
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	ev = event(&f, PCRM_TEL_EV_RETRIEVED, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "connected");
	ev = event(&f, PCRM_TEL_EV_QUEUED, "c1", "rp");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "connected");
	ev = event(&f, PCRM_TEL_EV_DELIVERED, "c1", "2002");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "connected");
	ev = event(&f, PCRM_TEL_EV_DIVERTED, "c1", "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "connected");
	ev = event(&f, PCRM_TEL_EV_RECORDING_STOPPED, "c1", NULL);
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "not recorded");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);
	/* an agent logging on at a second device */
	ev = event(&f, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, "2009");
	ev.agent_id = "a1";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_OUT_OF_ORDER, PCRM_ESTATE, "still logged on");
	fix_close(&f);
}

Test(rejects, unknown_device)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 0);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	/* the ACD offered it to a1 at 2001; it cannot ring at 2002 */
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_DELIVERED, "c1", "2002");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND, "not offered to device 2002");
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	ev = event(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2002");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND, "2002");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	ev = event(&f, PCRM_TEL_EV_HELD, "c1", "2002");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND, "not at device 2002");
	ev = event(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2999");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND, "no agent is logged on");
	ev = event(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2002");
	ev.agent_id = "a3";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_UNKNOWN_DEVICE, PCRM_ENOTFOUND, "not a3");
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_NOT_READY);
	fix_close(&f);
}

Test(rejects, time_going_backwards)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	f.clock.now += 5000;
	incoming(&f, "c1", "13800000001", "billing", NULL);
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	ev.at -= 1;
	expect_reject(&f, &ev, PCRM_TEL_REJECT_TIME, PCRM_ESTATE, "earlier than its previous event");
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	fix_close(&f);
}

Test(rejects, acd_refusals)
{
	struct tel_fix f;
	fix_open(&f);
	/* an agent the ACD does not know */
	pcrm_tel_event ev = event(&f, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, "2001");
	ev.agent_id = "nobody";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_ACD, PCRM_ENOTFOUND, "nobody");
	char dev[32];
	FAILS(pcrm_tel_agent_device(f.tel, "nobody", dev, sizeof(dev)), PCRM_ENOTFOUND, "nobody");
	/* a reason code the ACD does not know */
	agent_on(&f, "a1", "2001", 1);
	ev = event(&f, PCRM_TEL_EV_AGENT_NOT_READY, NULL, "2001");
	ev.reason = "karaoke";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_ACD, PCRM_EINVAL, "karaoke");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY);
	/* no rule maps the call and there is no default queue */
	OK(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[{\"service\":\"billing\",\"queue\":\"billing\"}]}"));
	FEED(&f, PCRM_TEL_EV_OFFERED, "c9", "rp");
	ev = event(&f, PCRM_TEL_EV_QUEUED, "c9", "rp");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_ACD, PCRM_ENOTFOUND, "no IVR rule matches");
	cr_assert_eq(tel_state(&f, "c9"), PCRM_TEL_CALL_OFFERED);
	/* a logoff the ACD forbids: the agent is talking */
	ev = event(&f, PCRM_TEL_EV_QUEUED, "c9", "rp");
	ev.service = "billing";
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c9", "2001");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c9", "2001");
	ev = event(&f, PCRM_TEL_EV_AGENT_LOGGED_OFF, NULL, "2001");
	expect_reject(&f, &ev, PCRM_TEL_REJECT_ACD, PCRM_ESTATE, "a1");
	OK(pcrm_tel_agent_device(f.tel, "a1", dev, sizeof(dev)));
	/* the ACD refuses the arrival (the id is live there already): the call is as before */
	pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
	spec.call_id = "c7";
	spec.queue_id = "general";
	OK(pcrm_acd_call_arrive(f.acd, &spec, NULL));
	FEED(&f, PCRM_TEL_EV_OFFERED, "c7", "rp");
	ev = event(&f, PCRM_TEL_EV_QUEUED, "c7", "rp2");
	ev.caller_number = "13800000007";
	ev.service = "billing";
	expect_reject(&f, &ev, PCRM_TEL_REJECT_ACD, PCRM_EDUPLICATE, "c7");
	pcrm_tel_call_info ti = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c7", &ti));
	cr_assert_eq(ti.state, PCRM_TEL_CALL_OFFERED);
	cr_assert_str_eq(ti.caller_number, "");
	cr_assert_str_eq(ti.queue_id, "");
	cr_assert_str_eq(ti.digits, "");
	cr_assert(!ti.with_acd);
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.rejected[PCRM_TEL_REJECT_ACD], 5);
	cr_assert_eq(st.events_rejected, 5);
	fix_close(&f);
}
