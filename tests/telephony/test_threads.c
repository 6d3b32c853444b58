/*
 * Thread rules: a switch thread feeds calls while a desktop thread changes
 * agents' states straight through the ACD (whose events then reach the
 * adapter in the desktop thread) and asks the switch for agent states
 * through the adapter.  No deadlock, no call lost or left behind.
 */
#include <pthread.h>

#include "tel_fixture.h"

#define CALLS 3000

struct shared {
	pcrm_acd *acd;
	pcrm_tel *tel;
	pthread_mutex_t log_lock;
	int stop;
	int answered, abandoned;
};

static pcrm_tel_event mk(pcrm_tel_event_type type, const char *call, const char *device)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = device;
	ev.at = 0; /* the ACD keeps its own (real) clock; events of a call stay in order */
	return ev;
}

static void *switch_thread(void *arg)
{
	struct shared *s = arg;
	char id[16];
	for (int i = 0; i < CALLS; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		pcrm_tel_event ev = mk(PCRM_TEL_EV_OFFERED, id, "rp");
		ev.dialled_number = "95598";
		ev.service = "billing";
		cr_assert_eq(pcrm_tel_event_feed(s->tel, &ev, NULL), PCRM_OK, "%s", pcrm_error_last());
		ev = mk(PCRM_TEL_EV_QUEUED, id, "rp");
		cr_assert_eq(pcrm_tel_event_feed(s->tel, &ev, NULL), PCRM_OK, "%s", pcrm_error_last());
		pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
		int answered = 0;
		if (pcrm_acd_call_get(s->acd, id, &ci) == PCRM_OK && ci.state == PCRM_ACD_CALL_OFFERED) {
			const char *dev = strcmp(ci.agent_id, "a1") == 0 ? "2001" : "2002";
			/* the desktop thread may have withdrawn the offer meanwhile: then refused */
			ev = mk(PCRM_TEL_EV_DELIVERED, id, dev);
			if (pcrm_tel_event_feed(s->tel, &ev, NULL) == PCRM_OK) {
				ev = mk(PCRM_TEL_EV_ESTABLISHED, id, dev);
				answered = pcrm_tel_event_feed(s->tel, &ev, NULL) == PCRM_OK;
			}
			if (answered) {
				ev = mk(PCRM_TEL_EV_CONNECTION_CLEARED, id, dev);
				cr_assert_eq(pcrm_tel_event_feed(s->tel, &ev, NULL), PCRM_OK);
			}
		}
		ev = mk(PCRM_TEL_EV_CALL_CLEARED, id, NULL);
		cr_assert_eq(pcrm_tel_event_feed(s->tel, &ev, NULL), PCRM_OK, "%s", pcrm_error_last());
		if (answered)
			s->answered++;
		else
			s->abandoned++;
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *desktop_thread(void *arg)
{
	struct shared *s = arg;
	const char *agents[] = { "a1", "a2" };
	for (unsigned i = 0; !__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST); i++) {
		const char *a = agents[i % 2];
		/* refusals (e.g. not ready while talking) are part of the churn */
		(void)pcrm_acd_agent_end_wrap_up(s->acd, a);
		(void)pcrm_acd_agent_not_ready(s->acd, a, "break");
		(void)pcrm_acd_agent_ready(s->acd, a);
		(void)pcrm_tel_agent_set_state(s->tel, a, NULL, PCRM_TEL_AGENT_READY, NULL);
	}
	return NULL;
}

Test(threads, switch_and_desktop_threads)
{
	struct rec_switch sw;
	memset(&sw, 0, sizeof(sw));
	struct shared s;
	memset(&s, 0, sizeof(s));
	OK(pcrm_acd_new_from_json(&s.acd,
		"{\"version\":1,\"queue_stats_events\":false,\"queues\":[{\"id\":\"billing\",\"wrap_up_s\":0}],"
		"\"agents\":[{\"id\":\"a1\",\"skills\":{\"billing\":5}},{\"id\":\"a2\",\"skills\":{\"billing\":5}}]}",
		NULL, NULL));
	pcrm_tel_switch t = rec_table(&sw);
	OK(pcrm_tel_new(&s.tel, s.acd, &t, NULL));
	OK(pcrm_tel_set_ivr_rules(s.tel, "{\"rules\":[],\"default_queue\":\"billing\"}"));
	pcrm_tel_event ev = mk(PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, "2001");
	ev.agent_id = "a1";
	OK(pcrm_tel_event_feed(s.tel, &ev, NULL));
	ev.device_id = "2002";
	ev.agent_id = "a2";
	OK(pcrm_tel_event_feed(s.tel, &ev, NULL));
	/* Both ready before the threads start: on a loaded machine the switch thread may feed
	 * all its calls before the desktop thread first runs, and logged-on agents are not
	 * ready, so no call would be answered at all. */
	OK(pcrm_acd_agent_ready(s.acd, "a1"));
	OK(pcrm_acd_agent_ready(s.acd, "a2"));

	pthread_t sw_t, desk_t;
	pthread_create(&sw_t, NULL, switch_thread, &s);
	pthread_create(&desk_t, NULL, desktop_thread, &s);
	pthread_join(sw_t, NULL);
	pthread_join(desk_t, NULL);

	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(s.tel, &st));
	cr_assert_eq(st.calls_live, 0);
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(s.acd, &es));
	cr_assert_eq(es.calls_live, 0, "the ACD kept %zu calls", es.calls_live);
	cr_assert_eq(es.calls_arrived, CALLS);
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	OK(pcrm_acd_queue_stats_get(s.acd, "billing", &qs));
	cr_assert_eq(qs.total.answered, (uint64_t)s.answered);
	cr_assert_eq(qs.total.answered + qs.total.abandoned, CALLS);
	cr_assert_gt(s.answered, 0);
	const char *agents[] = { "a1", "a2" };
	for (int i = 0; i < 2; i++) {
		pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
		OK(pcrm_acd_agent_get(s.acd, agents[i], &ai));
		cr_assert_str_eq(ai.call_id, "", "%s is left with call %s", agents[i], ai.call_id);
		cr_assert_neq(ai.state, PCRM_ACD_RESERVED);
	}
	pcrm_tel_free(s.tel);
	pcrm_acd_free(s.acd);
}
