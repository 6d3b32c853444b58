/*
 * Events and call detail records: the JSON of each event, the callback
 * (outside the lock: it may call the engine), the bounded poll queue with
 * its overflow report, and the CDR sink with batches, refusal and retry.
 */
#include <stdlib.h>

#include "acd_fixture.h"

static const char *doc =
	"{\"version\":1,\"event_queue_capacity\":16,\"cdr_batch_size\":2,"
	"\"queues\":[{\"id\":\"q\",\"wrap_up_s\":5}],"
	"\"agents\":[{\"id\":\"a1\",\"skills\":{\"q\":5}}]}";

static char *to_json(const pcrm_acd_event *ev)
{
	char *text = NULL;
	OK(pcrm_acd_event_to_json(ev, &text));
	return text;
}

Test(events, json_of_the_screen_pop_and_state_change)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	pcrm_acd_event evs[16] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	ready(acd, "a1");
	OK(pcrm_acd_events_poll(acd, evs, 16, &n, 0));
	cr_assert_eq(n, 2);
	char *j = to_json(&evs[1]);
	char want[512];
	snprintf(want, sizeof(want),
	         "{\"agent\":\"a1\",\"at\":%lld,\"previous\":\"not_ready\",\"seq\":2,"
	         "\"state\":\"ready\",\"type\":\"agent_state\"}", (long long)T0);
	cr_assert_str_eq(j, want);
	pcrm_free(j);
	c.now += 1500;
	arrive(acd, "c1", "q");
	OK(pcrm_acd_events_poll(acd, evs, 16, &n, 0));
	/* call_queued, queue_stats (1 waiting), agent_state (reserved), call_offered, queue_stats (0) */
	cr_assert_eq(n, 5);
	cr_assert_eq(evs[0].type, PCRM_ACD_EV_CALL_QUEUED);
	cr_assert_eq(evs[2].type, PCRM_ACD_EV_AGENT_STATE);
	cr_assert_eq(evs[3].type, PCRM_ACD_EV_CALL_OFFERED);
	j = to_json(&evs[3]);
	snprintf(want, sizeof(want),
	         "{\"agent\":\"a1\",\"at\":%lld,\"call\":\"c1\",\"caller_number\":\"13800000000\","
	         "\"customer_no\":\"3701000001\",\"priority\":0,\"queue\":\"q\",\"seq\":%llu,"
	         "\"type\":\"call_offered\",\"wait_ms\":0}",
	         (long long)(T0 + 1500), (unsigned long long)evs[3].seq);
	cr_assert_str_eq(j, want);
	pcrm_free(j);
	j = to_json(&evs[4]);
	snprintf(want, sizeof(want),
	         "{\"at\":%lld,\"longest_wait_ms\":0,\"queue\":\"q\",\"seq\":%llu,"
	         "\"type\":\"queue_stats\",\"waiting\":0}",
	         (long long)(T0 + 1500), (unsigned long long)evs[4].seq);
	cr_assert_str_eq(j, want);
	pcrm_free(j);
	for (size_t i = 1; i < n; i++)
		cr_assert_eq(evs[i].seq, evs[i - 1].seq + 1);
	pcrm_acd_event bad = evs[0];
	bad.type = (pcrm_acd_event_type)99;
	FAILS(pcrm_acd_event_to_json(&bad, &j), PCRM_EINVAL, "event.type: 99");
	pcrm_acd_free(acd);
}

Test(events, every_type_serialises)
{
	pcrm_acd_event ev;
	memset(&ev, 0, sizeof(ev));
	for (int t = PCRM_ACD_EV_CALL_QUEUED; t <= PCRM_ACD_EV_PREFERRED_FALLBACK; t++) {
		ev.type = (pcrm_acd_event_type)t;
		char *j = to_json(&ev);
		char key[64];
		snprintf(key, sizeof(key), "\"type\":\"%s\"", pcrm_acd_event_type_name(ev.type));
		cr_assert(strstr(j, key), "%s lacks %s", j, key);
		pcrm_free(j);
	}
}

struct recorder {
	pcrm_acd *acd;
	size_t count;
	uint64_t last_seq;
	int reentered;
};

static void record(void *ud, const pcrm_acd_event *ev)
{
	struct recorder *r = ud;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	cr_assert_gt(ev->seq, r->last_seq);
	r->last_seq = ev->seq;
	r->count++;
	/* the callback runs outside the engine lock: calling back in must not deadlock */
	if (pcrm_acd_agent_get(r->acd, "a1", &info) == PCRM_OK)
		r->reentered++;
}

Test(events, callback_sees_what_the_queue_sees)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	struct recorder r = { acd, 0, 0, 0 };
	OK(pcrm_acd_set_event_callback(acd, record, &r));
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	pcrm_acd_event evs[16] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	OK(pcrm_acd_events_poll(acd, evs, 16, &n, 0));
	cr_assert_eq(r.count, n);
	cr_assert_eq(r.reentered, (int)n);
	cr_assert_eq(r.last_seq, evs[n - 1].seq);
	pcrm_acd_free(acd);
}

Test(events, full_poll_queue_drops_counts_and_reports)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	pcrm_acd_engine_stats st = PCRM_ACD_ENGINE_STATS_INIT;
	pcrm_acd_event evs[32] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	OK(pcrm_acd_agent_login(acd, "a1"));
	for (int i = 0; i < 10; i++) { /* two events each: 1 + 20 > 16 */
		OK(pcrm_acd_agent_ready(acd, "a1"));
		OK(pcrm_acd_agent_not_ready(acd, "a1", "break"));
	}
	OK(pcrm_acd_engine_stats_get(acd, &st));
	cr_assert_eq(st.events_emitted, 21);
	cr_assert_eq(st.events_dropped, 5);
	cr_assert_eq(st.events_queued, 16);
	OK(pcrm_acd_events_poll(acd, evs, 32, &n, 0));
	cr_assert_eq(n, 16);
	OK(pcrm_acd_agent_ready(acd, "a1"));
	OK(pcrm_acd_events_poll(acd, evs, 32, &n, 0));
	cr_assert_eq(n, 2);
	cr_assert_eq(evs[0].type, PCRM_ACD_EV_EVENTS_LOST);
	cr_assert_eq(evs[0].count, 5);
	cr_assert_eq(evs[1].type, PCRM_ACD_EV_AGENT_STATE);
	/* an empty queue waits for at most the timeout (real time) */
	OK(pcrm_acd_events_poll(acd, evs, 32, &n, 20));
	cr_assert_eq(n, 0);
	FAILS(pcrm_acd_events_poll(acd, evs, 32, &n, -1), PCRM_EINVAL, "timeout_ms");
	pcrm_acd_free(acd);
}

Test(events, no_poll_queue)
{
	pcrm_acd_options o = PCRM_ACD_OPTIONS_INIT;
	pcrm_acd *acd;
	pcrm_acd_event ev = PCRM_ACD_EVENT_INIT;
	size_t n;
	o.event_queue_capacity = 0;
	OK(pcrm_acd_new(&acd, &o));
	FAILS(pcrm_acd_events_poll(acd, &ev, 1, &n, 0), PCRM_EUNSUPPORTED, "no poll queue");
	pcrm_acd_free(acd);
}

struct sink {
	pcrm_acd_cdr got[16];
	size_t count, batches;
	int refuse;
};

static int take(void *ud, const pcrm_acd_cdr *cdrs, size_t n)
{
	struct sink *s = ud;
	if (s->refuse)
		return -1;
	s->batches++;
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(cdrs[i].size, sizeof(pcrm_acd_cdr));
		cr_assert_eq(cdrs[i].version, PCRM_ACD_CDR_VERSION);
		s->got[s->count++] = cdrs[i];
	}
	return 0;
}

Test(cdr, batches_refusal_and_retry)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, doc);
	struct sink s = { .refuse = 0 };
	size_t flushed;
	FAILS(pcrm_acd_cdr_flush(acd, &flushed), PCRM_ESTATE, "no sink");
	OK(pcrm_acd_set_cdr_sink(acd, take, &s));
	ready(acd, "a1");
	arrive(acd, "c1", "q");
	advance(acd, &c, 2000);
	OK(pcrm_acd_call_answer(acd, "c1", "a1"));
	advance(acd, &c, 30000);
	OK(pcrm_acd_call_hangup(acd, "c1"));
	arrive(acd, "c2", "q");
	advance(acd, &c, 4000);
	OK(pcrm_acd_call_hangup(acd, "c2")); /* abandoned after 4 s: short */
	advance(acd, &c, 1000);              /* c1's wrap-up (5 s) ends */
	arrive(acd, "c3", "q");
	OK(pcrm_acd_call_hangup(acd, "c3"));
	s.refuse = 1;
	FAILS(pcrm_acd_cdr_flush(acd, &flushed), PCRM_EIO, "stay pending");
	cr_assert_eq(flushed, 0);
	s.refuse = 0;
	OK(pcrm_acd_cdr_flush(acd, &flushed));
	cr_assert_eq(flushed, 3);
	cr_assert_eq(s.batches, 2, "batches of cdr_batch_size = 2");
	/* c2 left first (abandoned), then c1 (at the end of its wrap-up), then c3 */
	cr_assert_str_eq(s.got[0].call_id, "c2");
	cr_assert_eq(s.got[0].outcome, PCRM_ACD_OUTCOME_ABANDONED);
	cr_assert_eq(s.got[0].short_abandon, 1);
	cr_assert_eq(s.got[0].wait_ms, 4000);
	cr_assert_str_eq(s.got[1].call_id, "c1");
	cr_assert_eq(s.got[1].outcome, PCRM_ACD_OUTCOME_ANSWERED);
	cr_assert_str_eq(s.got[1].agent_id, "a1");
	cr_assert_str_eq(s.got[1].caller_number, "13800000000");
	cr_assert_eq(s.got[1].wait_ms, 2000);
	cr_assert_eq(s.got[1].talk_ms, 30000);
	cr_assert_eq(s.got[1].wrap_up_ms, 5000);
	cr_assert_eq(s.got[1].answered_at, T0 + 2000);
	cr_assert_eq(s.got[1].ended_at, T0 + 32000);
	cr_assert_eq(s.got[1].wrap_up_end_at, T0 + 37000);
	cr_assert_str_eq(s.got[2].call_id, "c3");
	OK(pcrm_acd_cdr_flush(acd, &flushed));
	cr_assert_eq(flushed, 0);
	pcrm_acd_engine_stats st = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(acd, &st));
	cr_assert_eq(st.cdrs_emitted, 3);
	cr_assert_eq(st.cdrs_flushed, 3);
	cr_assert_eq(st.cdrs_pending, 0);
	pcrm_acd_free(acd);
}

Test(cdr, pending_limit_drops_and_reports)
{
	struct vclock c = { 0 };
	pcrm_acd *acd = engine(&c, "{\"version\":1,\"cdr_max_pending\":2,\"queues\":[{\"id\":\"q\"}]}");
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof(id), "c%d", i);
		arrive(acd, id, "q");
		OK(pcrm_acd_call_hangup(acd, id));
	}
	pcrm_acd_engine_stats st = PCRM_ACD_ENGINE_STATS_INIT;
	OK(pcrm_acd_engine_stats_get(acd, &st));
	cr_assert_eq(st.cdrs_pending, 2);
	cr_assert_eq(st.cdrs_dropped, 1);
	pcrm_acd_event evs[64] = { PCRM_ACD_EVENT_INIT };
	size_t n;
	int lost = 0;
	OK(pcrm_acd_events_poll(acd, evs, 64, &n, 0));
	for (size_t i = 0; i < n; i++)
		lost += evs[i].type == PCRM_ACD_EV_CDRS_LOST && evs[i].count == 1;
	cr_assert_eq(lost, 1);
	pcrm_acd_free(acd);
}
