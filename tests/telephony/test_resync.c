/*
 * Restart and re-synchronisation: after the process restarts (a new ACD and
 * adapter) or the link drops, the switch's snapshot rebuilds the picture
 * without losing or duplicating a call.
 */
#include "tel_fixture.h"

struct snap_agent_row { const char *agent, *device; pcrm_tel_agent_state state; const char *reason; };
struct snap_call_row { const char *call; pcrm_tel_call_state state; const char *device, *service, *digits; };

static const struct snap_agent_row *agents_now;
static size_t agents_n;
static const struct snap_call_row *calls_now;
static size_t calls_n;

/* The switch answers a snapshot request from inside it, as an in-process switch may. */
static void answer_snapshot(struct rec_switch *sw)
{
	OK(pcrm_tel_snapshot_begin(sw->tel));
	for (size_t i = 0; i < agents_n; i++) {
		pcrm_tel_snapshot_agent_info a = PCRM_TEL_SNAPSHOT_AGENT_INIT;
		a.agent_id = agents_now[i].agent;
		a.device_id = agents_now[i].device;
		a.state = agents_now[i].state;
		a.reason = agents_now[i].reason;
		OK(pcrm_tel_snapshot_agent(sw->tel, &a));
	}
	for (size_t i = 0; i < calls_n; i++) {
		pcrm_tel_snapshot_call_info c = PCRM_TEL_SNAPSHOT_CALL_INIT;
		c.call_id = calls_now[i].call;
		c.state = calls_now[i].state;
		c.device_id = calls_now[i].device;
		c.caller_number = "13800000001";
		c.dialled_number = "95598";
		c.service = calls_now[i].service;
		c.digits = calls_now[i].digits;
		c.since = T0 - 60000 + (pcrm_acd_ms)i;
		OK(pcrm_tel_snapshot_call(sw->tel, &c));
	}
}

static pcrm_tel_resync_report last_report = PCRM_TEL_RESYNC_REPORT_INIT;

static void answer_and_end(struct rec_switch *sw)
{
	answer_snapshot(sw);
	OK(pcrm_tel_snapshot_end(sw->tel, &last_report));
}

static void acd_call_is(struct tel_fix *f, const char *call, pcrm_acd_call_state state,
                        const char *agent, const char *queue)
{
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f->acd, call, &ci));
	cr_assert_eq(ci.state, state, "%s: %s", call, pcrm_acd_call_state_name(ci.state));
	cr_assert_str_eq(ci.agent_id, agent, "%s", call);
	cr_assert_str_eq(ci.queue_id, queue, "%s", call);
}

static const struct snap_agent_row restart_agents[] = {
	{ "a1", "2001", PCRM_TEL_AGENT_READY, NULL },
	{ "a2", "2002", PCRM_TEL_AGENT_READY, NULL },
	{ "a3", "2003", PCRM_TEL_AGENT_READY, NULL },
	{ "sup", "2100", PCRM_TEL_AGENT_NOT_READY, "meal" },
};

static const struct snap_call_row restart_calls[] = {
	{ "c1", PCRM_TEL_CALL_CONNECTED, "2001", "billing", NULL },
	{ "c2", PCRM_TEL_CALL_HELD, "2002", "billing", NULL },
	{ "c3", PCRM_TEL_CALL_ALERTING, "2003", NULL, "2" },
	{ "c4", PCRM_TEL_CALL_QUEUED, "rp", "billing", NULL },
	{ "c5", PCRM_TEL_CALL_OFFERED, NULL, NULL, NULL },
};

Test(resync, restart_rebuilds_the_acd_from_the_snapshot)
{
	struct tel_fix f;
	fix_open(&f); /* the restarted process: an empty ACD and adapter */
	agents_now = restart_agents;
	agents_n = 4;
	calls_now = restart_calls;
	calls_n = 5;
	f.sw.on_snapshot = answer_and_end;
	OK(pcrm_tel_resync(f.tel));
	cr_assert_eq(last_report.agents_logged_on, 4);
	cr_assert_eq(last_report.calls_restored, 5);
	cr_assert_eq(last_report.calls_not_restored, 0);
	cr_assert_eq(last_report.calls_kept, 0);
	cr_assert_eq(last_report.calls_ended, 0);
	/* nothing was routed: every call is where the switch has it */
	cr_assert_eq(f.sw.count, 1);
	cr_assert_str_eq(last_req(&f.sw), "snapshot");

	acd_call_is(&f, "c1", PCRM_ACD_CALL_TALKING, "a1", "billing");
	acd_call_is(&f, "c2", PCRM_ACD_CALL_HELD, "a2", "billing");
	acd_call_is(&f, "c3", PCRM_ACD_CALL_OFFERED, "a3", "repair");
	acd_call_is(&f, "c4", PCRM_ACD_CALL_WAITING, "", "billing");
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	FAILS(pcrm_acd_call_get(f.acd, "c5", &ci), PCRM_ENOTFOUND, "c5"); /* still in the IVR */
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_HELD);
	cr_assert_eq(acd_state(&f, "a3"), PCRM_ACD_RESERVED);
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, "sup", &ai));
	cr_assert_eq(ai.state, PCRM_ACD_NOT_READY);
	cr_assert_str_eq(ai.reason, "meal");
	cr_assert_eq(tel_state(&f, "c2"), PCRM_TEL_CALL_HELD);
	cr_assert_eq(tel_state(&f, "c3"), PCRM_TEL_CALL_ALERTING);
	cr_assert_eq(tel_state(&f, "c4"), PCRM_TEL_CALL_QUEUED);
	cr_assert_eq(tel_state(&f, "c5"), PCRM_TEL_CALL_OFFERED);
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_live, 4);
	cr_assert_eq(es.calls_arrived, 4);

	/* life goes on from the restored picture */
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c3", "2003");
	cr_assert_eq(acd_state(&f, "a3"), PCRM_ACD_TALKING);
	FEED(&f, PCRM_TEL_EV_RETRIEVED, "c2", "2002");
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2001");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	OK(pcrm_acd_agent_end_wrap_up(f.acd, "a1")); /* the desktop ends a1's wrap-up */
	cr_assert_str_eq(last_req(&f.sw), "route c4 2001 a1");

	/* a second snapshot of the same picture changes nothing and duplicates nothing */
	struct snap_call_row same[] = {
		{ "c2", PCRM_TEL_CALL_CONNECTED, "2002", "billing", NULL },
		{ "c3", PCRM_TEL_CALL_CONNECTED, "2003", NULL, "2" },
		{ "c4", PCRM_TEL_CALL_QUEUED, "rp", "billing", NULL },
		{ "c5", PCRM_TEL_CALL_OFFERED, NULL, NULL, NULL },
	};
	calls_now = same;
	calls_n = 4;
	int before = f.sw.count;
	OK(pcrm_tel_resync(f.tel));
	cr_assert_eq(last_report.calls_kept, 4);
	cr_assert_eq(last_report.calls_restored, 0);
	cr_assert_eq(last_report.calls_ended, 0);
	cr_assert_eq(f.sw.count, before + 1);
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_arrived, 4);
	cr_assert_eq(es.calls_live, 3);
	fix_close(&f);
}

Test(resync, link_drop_ends_vanished_calls_and_adds_new_ones)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 1);
	agent_on(&f, "a3", "2003", 0);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	const char *dev1 = strstr(last_req(&f.sw), "2001") ? "2001" : "2002";
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", dev1);
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", dev1);
	const char *dev2 = strcmp(dev1, "2001") == 0 ? "2002" : "2001";
	incoming(&f, "c2", "13800000002", "billing", NULL);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c2", dev2);
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c2", dev2);

	/* while the link was down: c2 ended, c6 came in and waits, a3 logged off */
	struct snap_agent_row ag[] = {
		{ "a1", "2001", PCRM_TEL_AGENT_READY, NULL },
		{ "a2", "2002", PCRM_TEL_AGENT_READY, NULL },
	};
	struct snap_call_row calls[] = {
		{ "c1", PCRM_TEL_CALL_CONNECTED, dev1, "billing", NULL },
		{ "c6", PCRM_TEL_CALL_QUEUED, "rp", NULL, "2" },
	};
	agents_now = ag;
	agents_n = 2;
	calls_now = calls;
	calls_n = 2;
	f.sw.on_snapshot = answer_and_end;
	OK(pcrm_tel_resync(f.tel));
	cr_assert_eq(last_report.calls_kept, 1);
	cr_assert_eq(last_report.calls_ended, 1);
	cr_assert_eq(last_report.calls_restored, 1);
	cr_assert_eq(last_report.agents_logged_off, 1);
	cr_assert_eq(acd_state(&f, "a3"), PCRM_ACD_LOGGED_OUT);
	pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f.acd, strcmp(dev2, "2001") == 0 ? "a1" : "a2", &ai));
	/* c2 ended (its wrap-up began) and the switch says the agent is ready */
	cr_assert_eq(ai.state, PCRM_ACD_READY);
	cr_assert_str_eq(ai.call_id, "");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	FAILS(pcrm_tel_call_get(f.tel, "c2", &info), PCRM_ENOTFOUND, "c2");
	acd_call_is(&f, "c6", PCRM_ACD_CALL_WAITING, "", "repair");
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_arrived, 3);
	cr_assert_eq(es.calls_live, 2);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.total.offered, 2);
	cr_assert_eq(qs.total.answered, 2);
	/* an event for the vanished call is one for a cleared call */
	pcrm_tel_reject kind;
	cr_assert_eq(feed(&f, PCRM_TEL_EV_CALL_CLEARED, "c2", NULL, &kind), PCRM_ESTATE);
	cr_assert_eq(kind, PCRM_TEL_REJECT_CLEARED_CALL);
	fix_close(&f);
}

Test(resync, snapshot_input_is_checked)
{
	struct tel_fix f;
	fix_open(&f);
	pcrm_tel_snapshot_call_info c = PCRM_TEL_SNAPSHOT_CALL_INIT;
	c.call_id = "c1";
	FAILS(pcrm_tel_snapshot_call(f.tel, &c), PCRM_ESTATE, "no snapshot is open");
	pcrm_tel_resync_report r = PCRM_TEL_RESYNC_REPORT_INIT;
	FAILS(pcrm_tel_snapshot_end(f.tel, &r), PCRM_ESTATE, "no snapshot is open");
	OK(pcrm_tel_snapshot_begin(f.tel));
	FAILS(pcrm_tel_snapshot_begin(f.tel), PCRM_ESTATE, "already open");
	OK(pcrm_tel_snapshot_call(f.tel, &c));
	FAILS(pcrm_tel_snapshot_call(f.tel, &c), PCRM_EDUPLICATE, "twice");
	c.call_id = "c2";
	c.state = PCRM_TEL_CALL_CONNECTED;
	FAILS(pcrm_tel_snapshot_call(f.tel, &c), PCRM_EINVAL, "device_id: missing");
	c.state = (pcrm_tel_call_state)9;
	FAILS(pcrm_tel_snapshot_call(f.tel, &c), PCRM_EINVAL, "state: 9");
	pcrm_tel_snapshot_agent_info a = PCRM_TEL_SNAPSHOT_AGENT_INIT;
	a.agent_id = "a1";
	FAILS(pcrm_tel_snapshot_agent(f.tel, &a), PCRM_EINVAL, "device_id: missing");
	a.device_id = "2001";
	a.size = 3;
	FAILS(pcrm_tel_snapshot_agent(f.tel, &a), PCRM_EINVAL, "size/version");
	OK(pcrm_tel_snapshot_end(f.tel, &r));
	cr_assert_eq(r.calls_restored, 1); /* c1, queued: waits in the default queue */
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.resyncs, 1);
	fix_close(&f);
}

Test(resync, calls_offered_while_the_snapshot_is_open_are_kept)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 0);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	OK(pcrm_tel_snapshot_begin(f.tel));
	/* the switch took its snapshot, then c2 came in and its events went on flowing */
	incoming(&f, "c2", "13800000002", "billing", NULL);
	pcrm_tel_snapshot_agent_info a = PCRM_TEL_SNAPSHOT_AGENT_INIT;
	a.agent_id = "a1";
	a.device_id = "2001";
	a.state = PCRM_TEL_AGENT_NOT_READY;
	a.reason = "break";
	OK(pcrm_tel_snapshot_agent(f.tel, &a));
	pcrm_tel_snapshot_call_info c = PCRM_TEL_SNAPSHOT_CALL_INIT;
	c.call_id = "c1";
	c.device_id = "rp";
	c.service = "billing";
	c.dialled_number = "95598";
	OK(pcrm_tel_snapshot_call(f.tel, &c));
	pcrm_tel_resync_report r = PCRM_TEL_RESYNC_REPORT_INIT;
	OK(pcrm_tel_snapshot_end(f.tel, &r));
	cr_assert_eq(r.calls_kept, 2);
	cr_assert_eq(r.calls_ended, 0);
	cr_assert_eq(tel_state(&f, "c2"), PCRM_TEL_CALL_QUEUED);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.waiting, 2);
	/* the next snapshot without c2 means c2 is gone */
	OK(pcrm_tel_snapshot_begin(f.tel));
	OK(pcrm_tel_snapshot_agent(f.tel, &a));
	OK(pcrm_tel_snapshot_call(f.tel, &c));
	OK(pcrm_tel_snapshot_end(f.tel, &r));
	cr_assert_eq(r.calls_ended, 1);
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.waiting, 1);
	fix_close(&f);
}
