/*
 * The voice campaign dialler on both stores, against a simulated switch:
 * customers who answer, are busy or do not answer (chosen per number),
 * agents who answer what the ACD routes to them.  Pacing never dials more
 * calls than ready agents allow; a VIP's answered call goes to an agent of
 * the VIP level; no answer and busy are retried after the back-off up to
 * max_attempts; an answered call that finds no agent is abandoned; the
 * campaign's call statistics add up, and every result is in the contact
 * history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor job = { "dialler-job", PCRM_ROLE_SYSTEM, 1, "37" };
static const pcrm_actor qingdao_job = { "dialler-qd", PCRM_ROLE_SYSTEM, 1, "3702" };

#define PORT "OUT-PORT"
#define ROUTING_POINT "OUT-RP"

/*
 * The ACD: queue "notice" (no wrap-up), agents n1 and n2 at level 3, n9 at
 * level 9; "other" is an agent of another queue.
 */
#define ACD_JSON                                                                              \
	"{\"version\":1,\"ring_timeout_s\":15,"                                                 \
	"\"queues\":[{\"id\":\"notice\",\"wrap_up_s\":0},{\"id\":\"billing\",\"wrap_up_s\":0}],"  \
	"\"agents\":[{\"id\":\"n1\",\"skills\":{\"notice\":3}},"                                  \
	"{\"id\":\"n2\",\"skills\":{\"notice\":3}},"                                              \
	"{\"id\":\"n9\",\"skills\":{\"notice\":9}},"                                              \
	"{\"id\":\"other\",\"skills\":{\"billing\":5}}]}"

/* How the simulated customers behave, by the last digit of their number. */
enum reply { ANSWER = 'A', BUSY = 'B', NO_ANSWER = 'N' };

struct sim {
	pcrm_acd_ms clock;
	pcrm_acd *acd;
	pcrm_tel *tel;
	pcrm_dialler *dialler;
	char reply[10];                      /* by last digit */
	char dialled[64][48], to[64][24];    /* make_call requests not yet played */
	int ndialled;
	char routed[64][48], routed_dev[64][24]; /* route requests not yet answered */
	int nrouted;
	int dials;                           /* every make_call */
	int most_in_progress;                /* most calls in progress seen at a make_call */
	int ready_at_dial[64];               /* ready agents of "notice" at each make_call */
	int in_progress_at_dial[64];
};

static pcrm_acd_ms sim_clock(void *u)
{
	return ((struct sim *)u)->clock;
}

static int sw_make_call(void *u, const char *call, const char *dev, const char *to)
{
	struct sim *s = u;
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	cr_assert_str_eq(dev, PORT);
	cr_assert_eq(pcrm_acd_queue_stats_get(s->acd, "notice", &qs), PCRM_OK);
	if (s->dials < 64) {
		s->ready_at_dial[s->dials] = (int)qs.agents_ready;
		/* this call is counted already: it is noted before the request */
		s->in_progress_at_dial[s->dials] = pcrm_dialler_in_progress(s->dialler);
	}
	s->dials++;
	snprintf(s->dialled[s->ndialled], sizeof(s->dialled[0]), "%s", call);
	snprintf(s->to[s->ndialled], sizeof(s->to[0]), "%s", to);
	s->ndialled++;
	return PCRM_TEL_DONE;
}

static int sw_route(void *u, const char *call, const char *dev, const char *agent)
{
	struct sim *s = u;
	(void)agent;
	snprintf(s->routed[s->nrouted], sizeof(s->routed[0]), "%s", call);
	snprintf(s->routed_dev[s->nrouted], sizeof(s->routed_dev[0]), "%s", dev);
	s->nrouted++;
	return PCRM_TEL_DONE;
}

static int sw_hangup(void *u, const char *call, const char *dev)
{
	(void)u, (void)call, (void)dev;
	return PCRM_TEL_DONE;
}

static void feed(struct sim *s, pcrm_tel_event_type type, const char *call, const char *dev,
                 const char *agent, const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	s->clock += 1000;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = dev;
	ev.agent_id = agent;
	ev.reason = reason;
	ev.at = s->clock;
	pcrm_assert_ok(pcrm_dialler_event_feed(s->dialler, &ev, NULL));
}

static void agent_ready(struct sim *s, const char *agent)
{
	char dev[24];
	snprintf(dev, sizeof(dev), "d-%s", agent);
	feed(s, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, dev, agent, NULL);
	feed(s, PCRM_TEL_EV_AGENT_READY, NULL, dev, agent, NULL);
}

static void sim_open(struct sim *s, int pacing_percent, int vip_min_level)
{
	pcrm_tel_switch sw = PCRM_TEL_SWITCH_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	memset(s, 0, sizeof(*s));
	s->clock = 1796601600000LL;
	memset(s->reply, ANSWER, sizeof(s->reply));
	pcrm_assert_ok(pcrm_acd_new_from_json(&s->acd, ACD_JSON, sim_clock, s));
	sw.userdata = s;
	sw.route = sw_route;
	sw.make_call = sw_make_call;
	sw.hangup = sw_hangup;
	pcrm_assert_ok(pcrm_tel_new(&s->tel, s->acd, &sw, NULL));
	o.campaign_id = "VOICE-1";
	o.queue_id = "notice";
	o.device_id = PORT;
	o.pacing_percent = pacing_percent;
	o.vip_min_level = vip_min_level;
	pcrm_assert_ok(pcrm_dialler_new(&s->dialler, s->acd, s->tel, &o));
}

static void sim_close(struct sim *s)
{
	pcrm_dialler_free(s->dialler);
	pcrm_tel_free(s->tel);
	pcrm_acd_free(s->acd);
}

/* The customers reply to every call placed so far; answered calls join the ACD. */
static void play_customers(struct sim *s)
{
	int n = s->ndialled;
	s->ndialled = 0;
	for (int i = 0; i < n; i++) {
		char reply = s->reply[s->to[i][strlen(s->to[i]) - 1] - '0'];
		if (reply == ANSWER) {
			feed(s, PCRM_TEL_EV_QUEUED, s->dialled[i], ROUTING_POINT, NULL, NULL);
		} else {
			feed(s, PCRM_TEL_EV_FAILED, s->dialled[i], PORT, NULL,
			     reply == BUSY ? "busy" : "no_answer");
			feed(s, PCRM_TEL_EV_CALL_CLEARED, s->dialled[i], NULL, NULL, NULL);
		}
	}
}

/* The agents answer what was routed to them. */
static void play_agents(struct sim *s)
{
	while (s->nrouted > 0) {
		int i = --s->nrouted;
		feed(s, PCRM_TEL_EV_DELIVERED, s->routed[i], s->routed_dev[i], NULL, NULL);
		feed(s, PCRM_TEL_EV_ESTABLISHED, s->routed[i], s->routed_dev[i], NULL, NULL);
	}
}

/* Every call with an agent ends: the agents are ready again (no wrap-up). */
static void hang_up_all(struct sim *s)
{
	const char *agents[] = { "n1", "n2", "n9" };
	for (int i = 0; i < 3; i++) {
		pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
		pcrm_assert_ok(pcrm_acd_agent_get(s->acd, agents[i], &info));
		if (info.state == PCRM_ACD_TALKING) {
			char call[PCRM_ACD_ID_MAX + 1];
			snprintf(call, sizeof(call), "%s", info.call_id);
			feed(s, PCRM_TEL_EV_CALL_CLEARED, call, NULL, NULL, NULL);
		}
	}
}

/* ---- the store side ---- */

static void add_customer(pcrm_test_store *t, const char *no, int digit, int vip)
{
	char doc[768];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"张三\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
	         " \"vip_level\": %d, \"phones\": {\"mobile\": \"1380013800%d\"}}",
	         no, vip, digit);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
}

static void campaign(pcrm_test_store *t)
{
	int64_t n = 0;
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T10:00:00+08:00", &t->now));
	pcrm_assert_ok(pcrm_campaign_create(
		t->ctx, &city_admin,
		"{\"id\": \"VOICE-1\", \"org_unit\": \"3701\", \"name\": \"新电价告知外呼\","
		" \"kind\": \"tariff_announcement\", \"template\": \"{name}：新电价1月1日起执行。\","
		" \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"channels\": [\"voice\"],"
		" \"target\": {}}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "VOICE-1", &n));
}

static pcrm_outbound_policy policy_no_rate_limit(int max_attempts)
{
	pcrm_outbound_policy p = PCRM_OUTBOUND_POLICY_INIT;
	p.rate_limit = 0;
	p.max_attempts = max_attempts;
	return p;
}

static int64_t count_rows(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static void status_is(pcrm_test_store *t, const char *id, const char *expected, int attempts)
{
	char buf[16];
	int n = -1;
	pcrm_assert_ok(pcrm_outbound_status(t->ctx, &job, id, buf, sizeof(buf), &n));
	cr_assert_str_eq(buf, expected, "%s is %s, expected %s", id, buf, expected);
	cr_assert_eq(n, attempts, "%s: %d attempts, expected %d", id, n, attempts);
}

static void stats_add_up(pcrm_test_store *t, pcrm_campaign_call_stats *s)
{
	*s = (pcrm_campaign_call_stats)PCRM_CAMPAIGN_CALL_STATS_INIT;
	pcrm_assert_ok(pcrm_campaign_call_stats_get(t->ctx, &job, "VOICE-1", s));
	cr_assert_eq(s->dialled, s->no_answer + s->busy + s->answered,
	             "dialled %lld != no answer %lld + busy %lld + answered %lld",
	             (long long)s->dialled, (long long)s->no_answer, (long long)s->busy,
	             (long long)s->answered);
	cr_assert_eq(s->answered, s->connected + s->abandoned);
}

/* How many of the customer's contact history entries hold `needle` (summaries are sealed at rest). */
static int contacts_with(pcrm_test_store *t, const char *customer_no, const char *needle)
{
	pcrm_contact_list *l = NULL;
	int n = 0;
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &job, customer_no, NULL, 50, &l));
	for (size_t i = 0; i < pcrm_contact_list_count(l); i++)
		if (strstr(pcrm_contact_summary(pcrm_contact_list_at(l, i)), needle))
			n++;
	pcrm_contact_list_free(l);
	return n;
}

/* The agent a message's call was connected to, "" when none. */
static void connected_agent(pcrm_test_store *t, const char *message_id, char *out, size_t size)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(message_id) };
	pcrm_rows *rows = NULL;
	out[0] = '\0';
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT agent_id FROM outbound_attempt WHERE message_id = $1"
	                                 " AND result = 'connected'", p, 1, &rows));
	if (pcrm__rows_next(rows) == 1)
		snprintf(out, size, "%s", pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
}

PCRM_BACKEND_TEST(dialler, paced_to_ready_agents)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	pcrm_campaign_call_stats st;
	pcrm_campaign_stats cs = PCRM_CAMPAIGN_STATS_INIT;
	struct sim s;
	char no[16];

	make_tree(t->ctx);
	for (int i = 0; i < 8; i++) {
		snprintf(no, sizeof(no), "V%d", i);
		add_customer(t, no, i, 0);
	}
	campaign(t);
	sim_open(&s, 100, 1);
	/* no agent ready: nothing is dialled */
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.capacity, 0);
	cr_assert_eq(s.dials, 0);
	agent_ready(&s, "n1");
	agent_ready(&s, "n2");
	agent_ready(&s, "other"); /* another queue's agent does not count */
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.ready_agents, 2);
	cr_assert_eq(pass.dialled, 2);
	cr_assert_eq(s.dials, 2);
	/* the calls ring: a second run dials nothing more */
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.in_progress, 2);
	cr_assert_eq(pass.capacity, 0);
	cr_assert_eq(s.dials, 2);
	/* answered and connected: both agents talk, still nothing more */
	play_customers(&s);
	play_agents(&s);
	cr_assert_eq(pcrm_dialler_in_progress(s.dialler), 0);
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.results, 4); /* answered + connected, twice */
	cr_assert_eq(pass.ready_agents, 0);
	cr_assert_eq(s.dials, 2);
	/* the calls end, the agents are ready: the next two, and so on through all eight */
	for (int round = 0; round < 3; round++) {
		hang_up_all(&s);
		pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
		cr_assert_eq(pass.dialled, 2, "round %d dialled %d", round, pass.dialled);
		play_customers(&s);
		play_agents(&s);
	}
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(s.dials, 8);
	for (int i = 0; i < s.dials; i++)
		cr_assert_leq(s.in_progress_at_dial[i], s.ready_at_dial[i],
		              "dial %d: %d calls in progress with %d agents ready", i,
		              s.in_progress_at_dial[i], s.ready_at_dial[i]);
	stats_add_up(t, &st);
	cr_assert_eq(st.dialled, 8);
	cr_assert_eq(st.connected, 8);
	pcrm_assert_ok(pcrm_campaign_stats_get(t->ctx, &job, "VOICE-1", &cs));
	cr_assert_eq(cs.answered, 8);
	cr_assert_eq(cs.waiting, 0);
	status_is(t, "VOICE-1/V3", "answered", 1);
	sim_close(&s);
}

PCRM_BACKEND_TEST(dialler, pacing_ratio_and_abandoned_without_agent)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	pcrm_campaign_call_stats st;
	struct sim s;
	char no[16];

	make_tree(t->ctx);
	for (int i = 0; i < 4; i++) {
		snprintf(no, sizeof(no), "V%d", i);
		add_customer(t, no, i, 0);
	}
	campaign(t);
	sim_open(&s, 200, 1); /* two calls per ready agent */
	agent_ready(&s, "n1");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.capacity, 2);
	cr_assert_eq(s.dials, 2);
	/* both answer; one reaches n1, the other waits, and its customer hangs up */
	play_customers(&s);
	play_agents(&s);
	cr_assert_eq(pcrm_dialler_in_progress(s.dialler), 1);
	feed(&s, PCRM_TEL_EV_CALL_CLEARED, s.dialled[1], NULL, NULL, NULL);
	cr_assert_eq(pcrm_dialler_in_progress(s.dialler), 0);
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	stats_add_up(t, &st);
	cr_assert_eq(st.answered, 2);
	cr_assert_eq(st.connected, 1);
	cr_assert_eq(st.abandoned, 1);
	/* the abandoned message waits for its retry: not due yet */
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message WHERE status = 'queued'"
	                           " AND attempts = 1"),
	             1);
	cr_assert_eq(contacts_with(t, "V0", ": abandoned, campaign VOICE-1") +
	                     contacts_with(t, "V1", ": abandoned, campaign VOICE-1"),
	             1);
	sim_close(&s);
}

PCRM_BACKEND_TEST(dialler, vip_goes_to_a_suitable_agent)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	struct sim s;
	char agent[32];

	make_tree(t->ctx);
	add_customer(t, "V1", 1, 3); /* VIP level 3: queued first (customer-number order) */
	add_customer(t, "V2", 2, 0);
	campaign(t);
	sim_open(&s, 100, 8);
	/* n1 is ready longest: the queue's longest-idle choice for any call it may take */
	agent_ready(&s, "n1");
	agent_ready(&s, "n9");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(s.dials, 2);
	play_customers(&s);
	play_agents(&s);
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	connected_agent(t, "VOICE-1/V1", agent, sizeof(agent));
	cr_assert_str_eq(agent, "n9", "the VIP's call went to %s", agent);
	connected_agent(t, "VOICE-1/V2", agent, sizeof(agent));
	cr_assert_str_eq(agent, "n1");
	/* the contact history names the agent */
	cr_assert_eq(contacts_with(t, "V1", "connected, agent n9"), 1);
	sim_close(&s);
}

PCRM_BACKEND_TEST(dialler, unanswered_calls_retried_per_policy)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(2);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	pcrm_campaign_call_stats st;
	struct sim s;

	make_tree(t->ctx);
	add_customer(t, "V1", 1, 0);
	add_customer(t, "V2", 2, 0);
	add_customer(t, "V3", 3, 0);
	pcrm_assert_ok(pcrm_outbound_set_do_not_contact(t->ctx, &city_clerk, "V3",
	                                                PCRM_OUTBOUND_VOICE, 1));
	campaign(t);
	sim_open(&s, 100, 1);
	s.reply[1] = NO_ANSWER;
	s.reply[2] = BUSY;
	agent_ready(&s, "n1");
	agent_ready(&s, "n2");
	agent_ready(&s, "n9");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 2);
	cr_assert_eq(pass.suppressed, 1); /* V3 said no calls */
	play_customers(&s);
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.results, 2);
	cr_assert_eq(pass.dialled, 0, "retried before the back-off");
	status_is(t, "VOICE-1/V1", "queued", 1);
	status_is(t, "VOICE-1/V2", "queued", 1);
	/* the back-off (300 s) passes: each is dialled a second time */
	t->now += 299;
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 0);
	t->now += 1;
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 2);
	/* V2 answers this time; V1 again not: max_attempts (2) ends it */
	s.reply[2] = ANSWER;
	play_customers(&s);
	play_agents(&s);
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	status_is(t, "VOICE-1/V1", "failed", 2);
	status_is(t, "VOICE-1/V2", "answered", 2);
	status_is(t, "VOICE-1/V3", "suppressed", 0);
	stats_add_up(t, &st);
	cr_assert_eq(st.dialled, 4);
	cr_assert_eq(st.no_answer, 2);
	cr_assert_eq(st.busy, 1);
	cr_assert_eq(st.connected, 1);
	/* each result is in the contact history; no number is stored in clear */
	cr_assert_eq(contacts_with(t, "V1", "outbound voice message VOICE-1/V1: no_answer"), 2);
	cr_assert_eq(contacts_with(t, "V2", "outbound voice message VOICE-1/V2: busy"), 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt WHERE "
	                           "provider_ref LIKE '%13800%'"),
	             0);
	sim_close(&s);
}

PCRM_BACKEND_TEST(dialler, scope_and_bad_input)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_campaign_call_stats st = PCRM_CAMPAIGN_CALL_STATS_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	pcrm_dialler *d = NULL;
	struct sim s;

	make_tree(t->ctx);
	add_customer(t, "V1", 1, 0);
	campaign(t);
	sim_open(&s, 100, 1);
	agent_ready(&s, "n1");
	/* Qingdao's job may not call Jinan's customers: nothing dialled, nothing written */
	pcrm_assert_fails(pcrm_dialler_run(s.dialler, t->ctx, &qingdao_job, &policy, NULL),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_campaign_call_stats_get(t->ctx, &qingdao_job, "VOICE-1", &st),
	                  PCRM_EPERM, "");
	cr_assert_eq(s.dials, 0);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt"), 0);
	o.campaign_id = "VOICE-1";
	o.queue_id = "nosuch";
	o.device_id = PORT;
	pcrm_assert_fails(pcrm_dialler_new(&d, s.acd, s.tel, &o), PCRM_EINVAL, "options.queue_id");
	o.queue_id = "notice";
	o.pacing_percent = 5;
	pcrm_assert_fails(pcrm_dialler_new(&d, s.acd, s.tel, &o), PCRM_EINVAL,
	                  "options.pacing_percent: 5 is not 10..1000");
	cr_assert_null(d);
	policy.max_attempts = 0;
	pcrm_assert_fails(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, NULL), PCRM_EINVAL,
	                  "policy.max_attempts");
	cr_assert_eq(s.dials, 0);
	sim_close(&s);
}

/* ---- kept in the store as they happen; a dead dialler's calls settled once ---- */

static void record(struct sim *s, pcrm_test_store *t, const pcrm_outbound_policy *policy,
                   pcrm_tel_event_type type, const char *call, const char *dev,
                   const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	s->clock += 1000;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = dev;
	ev.reason = reason;
	ev.at = s->clock;
	pcrm_assert_ok(pcrm_dialler_event_record(s->dialler, t->ctx, &job, policy, &ev, NULL));
}

static int64_t calls_in(pcrm_test_store *t, const char *state)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(state) };
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM outbound_call WHERE state = $1",
	                                     p, 1, &n));
	return n;
}

PCRM_BACKEND_TEST(dialler, results_stored_as_events_arrive)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	struct sim s;

	make_tree(t->ctx);
	add_customer(t, "V1", 1, 0);
	add_customer(t, "V2", 2, 0);
	campaign(t);
	sim_open(&s, 100, 1);
	s.reply[2] = BUSY;
	agent_ready(&s, "n1");
	agent_ready(&s, "n2");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 2);
	/* each call is a row before the switch hears of it */
	cr_assert_eq(calls_in(t, "dialling"), 2);
	/* V1 answers: written with the event, no run in between */
	record(&s, t, &policy, PCRM_TEL_EV_QUEUED, s.dialled[0], ROUTING_POINT, NULL);
	cr_assert_eq(calls_in(t, "answered"), 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt WHERE result = 'answered'"),
	             1);
	record(&s, t, &policy, PCRM_TEL_EV_DELIVERED, s.routed[0], s.routed_dev[0], NULL);
	record(&s, t, &policy, PCRM_TEL_EV_ESTABLISHED, s.routed[0], s.routed_dev[0], NULL);
	cr_assert_eq(calls_in(t, "connected"), 1);
	status_is(t, "VOICE-1/V1", "answered", 1);
	/* V2 is busy: retried per the policy, at once in the store */
	record(&s, t, &policy, PCRM_TEL_EV_FAILED, s.dialled[1], PORT, "busy");
	record(&s, t, &policy, PCRM_TEL_EV_CALL_CLEARED, s.dialled[1], NULL, NULL);
	cr_assert_eq(calls_in(t, "busy"), 1);
	status_is(t, "VOICE-1/V2", "queued", 1);
	/* a result seen twice is written once */
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.results, 0);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt WHERE result <> 'accepted'"),
	             3);
	/* another unit's job may not record: the event is not fed, nothing written */
	{
		pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
		ev.type = PCRM_TEL_EV_CALL_CLEARED;
		ev.call_id = s.routed[0];
		ev.at = s.clock + 1000;
		pcrm_assert_fails(pcrm_dialler_event_record(s.dialler, t->ctx, &qingdao_job, &policy,
		                                            &ev, NULL),
		                  PCRM_EPERM, "");
	}
	sim_close(&s);
}

PCRM_BACKEND_TEST(dialler, dead_dialler_calls_settled_once_and_retried)
{
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	pcrm_campaign_call_stats st;
	int64_t unknown = -1;
	struct sim s, again;
	char answered_call[48];

	make_tree(t->ctx);
	add_customer(t, "V1", 1, 0);
	add_customer(t, "V2", 2, 0);
	campaign(t);
	sim_open(&s, 100, 1);
	agent_ready(&s, "n1");
	agent_ready(&s, "n2");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 2);
	/* V1 answers and waits (no route played); V2 rings; then the dialler dies */
	snprintf(answered_call, sizeof(answered_call), "%s", s.dialled[0]);
	record(&s, t, &policy, PCRM_TEL_EV_QUEUED, answered_call, ROUTING_POINT, NULL);
	sim_close(&s);

	/* the restarted dialler waits for the dead one's lease */
	sim_open(&again, 100, 1);
	agent_ready(&again, "n1");
	t->now += PCRM_DIALLER_LEASE_S - 1;
	pcrm_assert_fails(pcrm_dialler_run(again.dialler, t->ctx, &job, &policy, &pass), PCRM_ESTATE,
	                  "another dialler holds it");
	cr_assert_eq(again.dials, 0);
	t->now += 1;
	pcrm_assert_ok(pcrm_dialler_run(again.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.results, 2, "settled %d", pass.results);
	cr_assert_eq(pass.dialled, 0, "the settled calls wait for their back-off");
	cr_assert_eq(calls_in(t, "unknown"), 1);
	cr_assert_eq(calls_in(t, "abandoned"), 1);
	status_is(t, "VOICE-1/V1", "queued", 1);
	status_is(t, "VOICE-1/V2", "queued", 1);
	/* once: the next run settles nothing */
	pcrm_assert_ok(pcrm_dialler_run(again.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.results, 0);
	pcrm_assert_ok(pcrm_campaign_calls_unknown(t->ctx, &job, "VOICE-1", &unknown));
	cr_assert_eq(unknown, 1);
	st = (pcrm_campaign_call_stats)PCRM_CAMPAIGN_CALL_STATS_INIT;
	pcrm_assert_ok(pcrm_campaign_call_stats_get(t->ctx, &job, "VOICE-1", &st));
	cr_assert_eq(st.dialled, st.no_answer + st.busy + st.answered + unknown);
	cr_assert_eq(st.answered, st.connected + st.abandoned);
	/* after the back-off both are dialled again and connect */
	t->now += 300;
	agent_ready(&again, "n2");
	pcrm_assert_ok(pcrm_dialler_run(again.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 2);
	play_customers(&again);
	play_agents(&again);
	pcrm_assert_ok(pcrm_dialler_run(again.dialler, t->ctx, &job, &policy, &pass));
	status_is(t, "VOICE-1/V1", "answered", 2);
	status_is(t, "VOICE-1/V2", "answered", 2);
	cr_assert_eq(contacts_with(t, "V2", "outbound voice message VOICE-1/V2: unknown"), 1);
	sim_close(&again);
}

/*
 * The dialler's pass is a campaign's own: it sends its campaign's calls and
 * leaves the workflow outbox's customer notices to the general delivery
 * pass, whose first step hands them over (lib/outbound/deliver.c).
 */
PCRM_BACKEND_TEST(dialler, a_campaign_pass_hands_over_no_workflow_notice)
{
	static const char def[] =
		"{\"name\": \"repair_notice\", \"states\": [{\"name\": \"reported\", \"initial\": true},"
		" {\"name\": \"closed\", \"final\": true}], \"transitions\": [{\"event\": \"close\","
		" \"from\": \"reported\", \"to\": \"closed\", \"notify_customer\": \"故障已修复。\"}]}";
	pcrm_outbound_policy policy = policy_no_rate_limit(5);
	pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
	pcrm_workorder *wo = NULL;
	int64_t handed = -1;
	struct sim s;

	make_tree(t->ctx);
	add_customer(t, "V0", 0, 0);
	campaign(t);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "repair_notice", "R1", "V0", "3701",
	                                   NULL, &wo));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, pcrm_workorder_id(wo), 1, "close",
	                                   NULL, NULL, NULL));
	pcrm_workorder_free(wo);
	sim_open(&s, 100, 1);
	agent_ready(&s, "n1");
	pcrm_assert_ok(pcrm_dialler_run(s.dialler, t->ctx, &job, &policy, &pass));
	cr_assert_eq(pass.dialled, 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM work_order_notification"
	                           " WHERE customer_no IS NOT NULL AND delivered_at IS NULL"), 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message WHERE id LIKE 'wo/%'"), 0);
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 10, &handed));
	cr_assert_eq(handed, 1);
	sim_close(&s);
}
