/*
 * Call flows across several events: blind and consultation transfers,
 * conference, a cancelled consultation, a ring timeout, and calls the ACD
 * refuses or lets go.
 */
#include "tel_fixture.h"

static void talking(struct tel_fix *f)
{
	agent_on(f, "a1", "2001", 1);
	incoming(f, "c1", "13800000001", "billing", NULL);
	FEED(f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
}

static void feed_other(struct tel_fix *f, pcrm_tel_event_type type, const char *call,
                       const char *device, const char *other, const char *destination)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = device;
	ev.other_call_id = other;
	ev.destination = destination;
	ev.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &ev, NULL));
}

/* a consultation k1 from c1 (held at 2001) through the billing queue, answered by a2 at 2002 */
static void consult_through_queue(struct tel_fix *f)
{
	agent_on(f, "a2", "2002", 1);
	OK(pcrm_tel_consult(f->tel, "c1", NULL, "95598"));
	FEED(f, PCRM_TEL_EV_HELD, "c1", "2001");
	feed_other(f, PCRM_TEL_EV_OFFERED, "k1", "rp", "c1", NULL);
	pcrm_tel_event q = PCRM_TEL_EVENT_INIT;
	q.type = PCRM_TEL_EV_QUEUED;
	q.call_id = "k1";
	q.device_id = "rp";
	q.dialled_number = "95598";
	q.service = "billing";
	q.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &q, NULL));
	cr_assert_str_eq(last_req(&f->sw), "route k1 2002 a2");
	FEED(f, PCRM_TEL_EV_DELIVERED, "k1", "2002");
	FEED(f, PCRM_TEL_EV_ESTABLISHED, "k1", "2002");
	cr_assert_eq(acd_state(f, "a1"), PCRM_ACD_HELD);
	cr_assert_eq(acd_state(f, "a2"), PCRM_ACD_TALKING);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f->tel, "k1", &info));
	cr_assert_str_eq(info.related_call_id, "c1");
}

Test(flows, blind_transfer_to_a_device)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	OK(pcrm_tel_transfer(f.tel, "c1", NULL, "2050"));
	feed_other(&f, PCRM_TEL_EV_TRANSFERRED, "c1", "2001", NULL, "2050");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_eq(info.state, PCRM_TEL_CALL_OFFERED);
	cr_assert(!info.with_acd);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2050");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2050");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(f.acd, "billing", &qs));
	cr_assert_eq(qs.total.answered, 1);
	fix_close(&f);
}

Test(flows, blind_transfer_to_another_queue)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	agent_on(&f, "a3", "2003", 1);
	feed_other(&f, PCRM_TEL_EV_TRANSFERRED, "c1", "2001", NULL, "95598");
	pcrm_tel_event q = PCRM_TEL_EVENT_INIT;
	q.type = PCRM_TEL_EV_QUEUED;
	q.call_id = "c1";
	q.device_id = "rp2";
	q.digits = "2"; /* repair, with the minnan skill */
	q.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &q, NULL));
	cr_assert_str_eq(last_req(&f.sw), "route c1 2003 a3");
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_str_eq(ci.queue_id, "repair");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	fix_close(&f);
}

Test(flows, consultation_then_transfer)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	consult_through_queue(&f);
	OK(pcrm_tel_consult_transfer(f.tel, "c1", "k1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "consult_transfer c1 k1 2001");
	feed_other(&f, PCRM_TEL_EV_TRANSFERRED, "c1", "2001", "k1", "2002");
	/* a1 is done; the caller now talks to a2, whose ACD leg is the consultation's */
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_TALKING);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_eq(info.state, PCRM_TEL_CALL_CONNECTED);
	cr_assert_str_eq(info.device_id, "2002");
	cr_assert_str_eq(info.agent_id, "a2");
	FAILS(pcrm_tel_call_get(f.tel, "k1", &info), PCRM_ENOTFOUND, "k1");
	pcrm_tel_reject kind;
	cr_assert_eq(feed(&f, PCRM_TEL_EV_HELD, "k1", "2002", &kind), PCRM_ESTATE);
	cr_assert_eq(kind, PCRM_TEL_REJECT_CLEARED_CALL);
	/* held and retrieved by a2 on the merged call */
	FEED(&f, PCRM_TEL_EV_HELD, "c1", "2002");
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_HELD);
	FEED(&f, PCRM_TEL_EV_RETRIEVED, "c1", "2002");
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2002");
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_WRAP_UP);
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_live, 0);
	cr_assert_eq(es.calls_arrived, 2);
	fix_close(&f);
}

Test(flows, consultation_then_conference)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	consult_through_queue(&f);
	OK(pcrm_tel_conference(f.tel, "c1", "k1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "conference c1 k1 2001");
	feed_other(&f, PCRM_TEL_EV_CONFERENCED, "c1", "2001", "k1", "2002");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING); /* off hold in the conference */
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_TALKING);
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_CONNECTED);
	/* a2 leaves the conference: its leg ends, a1 and the caller go on */
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2002");
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_WRAP_UP);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_eq(es.calls_live, 0);
	fix_close(&f);
}

Test(flows, conference_goes_on_when_the_first_agent_leaves)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	consult_through_queue(&f);
	feed_other(&f, PCRM_TEL_EV_CONFERENCED, "c1", "2001", "k1", "2002");
	FEED(&f, PCRM_TEL_EV_CONNECTION_CLEARED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_WRAP_UP);
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_TALKING);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.device_id, "2002");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "c1", NULL);
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_WRAP_UP);
	fix_close(&f);
}

Test(flows, consultation_cancelled)
{
	struct tel_fix f;
	fix_open(&f);
	talking(&f);
	OK(pcrm_tel_consult(f.tel, "c1", NULL, "2050"));
	FEED(&f, PCRM_TEL_EV_HELD, "c1", "2001");
	feed_other(&f, PCRM_TEL_EV_OFFERED, "k1", "2050", "c1", NULL);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "k1", "2050");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "k1", "2050");
	OK(pcrm_tel_consult_cancel(f.tel, "c1", "k1", NULL));
	cr_assert_str_eq(last_req(&f.sw), "consult_cancel c1 k1 2001");
	FEED(&f, PCRM_TEL_EV_CALL_CLEARED, "k1", NULL);
	FEED(&f, PCRM_TEL_EV_RETRIEVED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.related_call_id, "");
	FAILS(pcrm_tel_consult_transfer(f.tel, "c1", "k1", NULL), PCRM_ESTATE, "connected");
	fix_close(&f);
}

Test(flows, ring_timeout_deflects_the_call_back_to_its_queue)
{
	struct tel_fix f;
	fix_open(&f);
	agent_on(&f, "a1", "2001", 1);
	incoming(&f, "c1", "13800000001", "billing", NULL);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	f.clock.now += 16000;
	OK(pcrm_acd_tick(f.acd)); /* the integrator's timer thread, straight into the ACD */
	/* a1 missed it and, as the only agent, is offered it again at once */
	cr_assert(has_req(&f.sw, "deflect c1 2001 rp"));
	cr_assert_str_eq(last_req(&f.sw), "route c1 2001 a1");
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	/* the switch confirms the deflect: not a failure of the new offer */
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_DIVERTED;
	ev.call_id = "c1";
	ev.device_id = "2001";
	ev.destination = "rp";
	ev.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	cr_assert_eq(tel_state(&f, "c1"), PCRM_TEL_CALL_QUEUED);
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f.acd, "c1", &ci));
	cr_assert_eq(ci.misses, 1);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_RESERVED);
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001");
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_TALKING);
	fix_close(&f);
}

static void add_limited_queues(struct tel_fix *f)
{
	pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
	q.id = "closed";
	q.no_agent = PCRM_ACD_NO_AGENT_REFUSE;
	OK(pcrm_acd_queue_add(f->acd, &q));
	pcrm_acd_queue_config w = PCRM_ACD_QUEUE_CONFIG_INIT;
	w.id = "slow";
	w.max_wait_s = 10;
	OK(pcrm_acd_queue_add(f->acd, &w));
	OK(pcrm_tel_set_ivr_rules(f->tel,
		"{\"rules\":[{\"service\":\"closed\",\"queue\":\"closed\"},"
		"{\"service\":\"slow\",\"queue\":\"slow\"}]}"));
}

Test(flows, refused_call_goes_to_the_fallback)
{
	struct tel_fix f;
	pcrm_tel_options o = PCRM_TEL_OPTIONS_INIT;
	o.fallback_destination = "voicemail";
	fix_open_with(&f, &o);
	add_limited_queues(&f);
	incoming(&f, "c1", "13800000001", "closed", NULL);
	cr_assert_str_eq(last_req(&f.sw), "deflect c1 rp voicemail");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_eq(info.state, PCRM_TEL_CALL_OFFERED);
	cr_assert(!info.with_acd);
	/* max wait passed without an overflow queue */
	incoming(&f, "c2", "13800000002", "slow", NULL);
	f.clock.now += 11000;
	OK(pcrm_acd_tick(f.acd));
	cr_assert_str_eq(last_req(&f.sw), "deflect c2 rp voicemail");
	fix_close(&f);
}

Test(flows, refused_call_without_fallback_is_hung_up)
{
	struct tel_fix f;
	fix_open(&f);
	add_limited_queues(&f);
	incoming(&f, "c1", "13800000001", "closed", NULL);
	cr_assert_str_eq(last_req(&f.sw), "hangup c1 rp");
	fix_close(&f);
}

static int events_seen;
static void count_events(void *ud, const pcrm_acd_event *ev)
{
	(void)ud;
	(void)ev;
	events_seen++;
}

Test(flows, acd_events_are_passed_on)
{
	struct tel_fix f;
	fix_open(&f);
	OK(pcrm_tel_set_acd_event_callback(f.tel, count_events, NULL));
	events_seen = 0;
	talking(&f);
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(f.acd, &es));
	cr_assert_gt(events_seen, 3);
	cr_assert_eq((uint64_t)events_seen, es.events_emitted);
	fix_close(&f);
}

Test(flows, ring_all_routes_to_every_agent_and_the_first_answer_wins)
{
	struct tel_fix f;
	fix_open(&f);
	pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
	q.id = "all";
	q.strategy = PCRM_ACD_RING_ALL;
	OK(pcrm_acd_queue_add(f.acd, &q));
	OK(pcrm_acd_agent_set_skill(f.acd, "a1", "all", 5));
	OK(pcrm_acd_agent_set_skill(f.acd, "a2", "all", 5));
	OK(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[],\"default_queue\":\"all\"}"));
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 1);
	incoming(&f, "c1", "13800000001", NULL, NULL);
	cr_assert(has_req(&f.sw, "route c1 2001 a1"));
	cr_assert(has_req(&f.sw, "route c1 2002 a2"));
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2001");
	FEED(&f, PCRM_TEL_EV_DELIVERED, "c1", "2002");
	int before = f.sw.count;
	FEED(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2002");
	cr_assert_eq(acd_state(&f, "a2"), PCRM_ACD_TALKING);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY); /* withdrawn */
	cr_assert_eq(f.sw.count, before, "the switch's fork stops ringing a1 itself");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.device_id, "2002");
	/* the losing leg's late answer is not the call's */
	pcrm_tel_reject kind;
	cr_assert_eq(feed(&f, PCRM_TEL_EV_ESTABLISHED, "c1", "2001", &kind), PCRM_ESTATE);
	cr_assert_eq(kind, PCRM_TEL_REJECT_OUT_OF_ORDER);
	fix_close(&f);
}
