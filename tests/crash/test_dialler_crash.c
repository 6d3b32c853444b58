/*
 * The voice campaign dialler (lib/outbound/dialler.c, dial_journal.c)
 * killed with SIGKILL before each of its store calls in turn, on SQLite (a
 * file) and PostgreSQL, until a run gets through.  Each child is a dialler
 * process started afresh (a new instance, a new ACD and switch): it waits
 * out the dead one's lease, settles its open calls, dials, and records each
 * switch event as it arrives with pcrm_dialler_event_record().
 *
 * After every kill, in one snapshot: every call kept in outbound_call has
 * exactly one end result attempt row when it has ended (of its own state)
 * and none while open; an answer row exactly when it was answered; no
 * result or "accepted" row without its call.  At the end a last dialler
 * settles what the last killed one left: no call stays open, and every
 * message is either answered (by exactly one connected call), failed, or
 * queued with no call open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "killed_child.h"
#include "store_faults.h"
#include "core/ctx.h"
#include "store/store.h"

#define MAX_POINTS 3000
#define PORT "OUT-PORT"
#define ROUTING_POINT "OUT-RP"

static const pcrm_actor job = { "dialler-job", PCRM_ROLE_SYSTEM, 1, "37" };

#define ACD_JSON                                                                         \
	"{\"version\":1,\"ring_timeout_s\":15,\"queues\":[{\"id\":\"notice\",\"wrap_up_s\":0}]," \
	"\"agents\":[{\"id\":\"a1\",\"skills\":{\"notice\":3}},{\"id\":\"a2\",\"skills\":"     \
	"{\"notice\":3}},{\"id\":\"a3\",\"skills\":{\"notice\":3}},{\"id\":\"a4\",\"skills\":"  \
	"{\"notice\":3}}]}"

/* The child's switch: calls placed and routes asked, played after each request. */
struct sw {
	pcrm_acd_ms clock;
	char dialled[16][48], to[16][24];
	int ndialled;
	char routed[16][48], routed_dev[16][24];
	int nrouted;
};

static pcrm_acd_ms sw_clock(void *u)
{
	return ((struct sw *)u)->clock;
}

static int sw_make_call(void *u, const char *call, const char *dev, const char *to)
{
	struct sw *s = u;
	(void)dev;
	if (s->ndialled < 16) {
		snprintf(s->dialled[s->ndialled], sizeof(s->dialled[0]), "%s", call);
		snprintf(s->to[s->ndialled], sizeof(s->to[0]), "%s", to);
		s->ndialled++;
	}
	return PCRM_TEL_DONE;
}

static int sw_route(void *u, const char *call, const char *dev, const char *agent)
{
	struct sw *s = u;
	(void)agent;
	if (s->nrouted < 16) {
		snprintf(s->routed[s->nrouted], sizeof(s->routed[0]), "%s", call);
		snprintf(s->routed_dev[s->nrouted], sizeof(s->routed_dev[0]), "%s", dev);
		s->nrouted++;
	}
	return PCRM_TEL_DONE;
}

static int sw_hangup(void *u, const char *call, const char *dev)
{
	(void)u, (void)call, (void)dev;
	return PCRM_TEL_DONE;
}

static void setup(pcrm_test_store *t)
{
	int64_t n = 0;
	make_tree(t->ctx);
	/* by the number's last digit: 1, 2 answer, 3 is busy, 4 does not answer, 5 answers
	 * but finds no agent (the child hangs it up while it waits) */
	for (int i = 1; i <= 5; i++) {
		char doc[512];
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"V%d\", \"kind\": \"person\", \"name\": \"张三\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"1380013800%d\"}}",
		         i, i);
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
	}
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T10:00:00+08:00", &t->now));
	pcrm_assert_ok(pcrm_campaign_create(
		t->ctx, &city_admin,
		"{\"id\": \"VOICE-1\", \"org_unit\": \"3701\", \"name\": \"新电价告知外呼\","
		" \"kind\": \"tariff_announcement\", \"template\": \"{name}：新电价1月1日起执行。\","
		" \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"channels\": [\"voice\"],"
		" \"target\": {}}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "VOICE-1", &n));
	cr_assert_eq(n, 5);
}

static pcrm_outbound_policy policy(void)
{
	pcrm_outbound_policy p = PCRM_OUTBOUND_POLICY_INIT;
	p.rate_limit = 0;
	p.max_attempts = 3;
	return p;
}

static int record(pcrm_dialler *d, pcrm_ctx *ctx, struct sw *s, pcrm_tel_event_type type,
                  const char *call, const char *dev, const char *agent, const char *reason)
{
	pcrm_outbound_policy pol = policy();
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	s->clock += 1000;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = dev;
	ev.agent_id = agent;
	ev.reason = reason;
	ev.at = s->clock;
	return pcrm_dialler_event_record(d, ctx, &job, &pol, &ev, NULL);
}

/* One dialler process: start, take over, dial, hear every call through to its end. */
static int dialler_job(pcrm_ctx *ctx, pcrm_time now)
{
	static const char *agents[] = { "a1", "a2", "a3", "a4" };
	pcrm_outbound_policy pol = policy();
	pcrm_tel_switch swt = PCRM_TEL_SWITCH_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	pcrm_acd *acd = NULL;
	pcrm_tel *tel = NULL;
	pcrm_dialler *d = NULL;
	struct sw s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.clock = (pcrm_acd_ms)now * 1000;
	if ((rc = pcrm_acd_new_from_json(&acd, ACD_JSON, sw_clock, &s)) != PCRM_OK)
		return rc;
	swt.userdata = &s;
	swt.route = sw_route;
	swt.make_call = sw_make_call;
	swt.hangup = sw_hangup;
	rc = pcrm_tel_new(&tel, acd, &swt, NULL);
	o.campaign_id = "VOICE-1";
	o.queue_id = "notice";
	o.device_id = PORT;
	if (rc == PCRM_OK)
		rc = pcrm_dialler_new(&d, acd, tel, &o);
	/* three agents ready: the fourth call's customer, if one answers, waits */
	for (int i = 0; rc == PCRM_OK && i < 3; i++) {
		char dev[16];
		snprintf(dev, sizeof(dev), "d-%s", agents[i]);
		rc = record(d, ctx, &s, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, dev, agents[i], NULL);
		if (rc == PCRM_OK)
			rc = record(d, ctx, &s, PCRM_TEL_EV_AGENT_READY, NULL, dev, agents[i], NULL);
	}
	if (rc == PCRM_OK)
		rc = pcrm_dialler_set_predictive(d, NULL);
	if (rc == PCRM_OK)
		rc = pcrm_dialler_run(d, ctx, &job, &pol, NULL);
	for (int i = 0; rc == PCRM_OK && i < s.ndialled; i++) {
		char digit = s.to[i][strlen(s.to[i]) - 1];
		if (digit == '3' || digit == '4') {
			rc = record(d, ctx, &s, PCRM_TEL_EV_FAILED, s.dialled[i], PORT, NULL,
			            digit == '3' ? "busy" : "no_answer");
			if (rc == PCRM_OK)
				rc = record(d, ctx, &s, PCRM_TEL_EV_CALL_CLEARED, s.dialled[i], NULL, NULL,
				            NULL);
			continue;
		}
		s.nrouted = 0;
		rc = record(d, ctx, &s, PCRM_TEL_EV_QUEUED, s.dialled[i], ROUTING_POINT, NULL, NULL);
		if (rc == PCRM_OK && digit == '5') /* no agent for it: the customer hangs up */
			rc = record(d, ctx, &s, PCRM_TEL_EV_CALL_CLEARED, s.dialled[i], NULL, NULL, NULL);
		for (int k = 0; rc == PCRM_OK && k < s.nrouted && digit != '5'; k++) {
			rc = record(d, ctx, &s, PCRM_TEL_EV_DELIVERED, s.routed[k], s.routed_dev[k], NULL,
			            NULL);
			if (rc == PCRM_OK)
				rc = record(d, ctx, &s, PCRM_TEL_EV_ESTABLISHED, s.routed[k],
				            s.routed_dev[k], NULL, NULL);
		}
	}
	if (rc == PCRM_OK)
		rc = pcrm_dialler_run(d, ctx, &job, &pol, NULL);
	pcrm_dialler_free(d);
	pcrm_tel_free(tel);
	pcrm_acd_free(acd);
	return rc;
}

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

#define END_RESULTS "('no_answer', 'busy', 'connected', 'abandoned', 'unknown')"

/* Calls and attempt rows that disagree, in one statement (one snapshot). */
static void check_consistent(pcrm_ctx *ctx, const char *when)
{
	int64_t broken = count(ctx,
		"SELECT (SELECT COUNT(*) FROM outbound_call c WHERE"
		"   (SELECT COUNT(*) FROM outbound_attempt a WHERE a.provider_ref = c.call_id"
		"     AND a.result IN " END_RESULTS ")"
		"   <> CASE WHEN c.state IN ('dialling', 'answered') THEN 0 ELSE 1 END"
		" OR (c.state NOT IN ('dialling', 'answered') AND NOT EXISTS (SELECT 1 FROM"
		"   outbound_attempt a WHERE a.provider_ref = c.call_id AND a.result = c.state))"
		" OR (SELECT COUNT(*) FROM outbound_attempt a WHERE a.provider_ref = c.call_id"
		"   AND a.result = 'answered') <> CASE WHEN c.answered_ms IS NULL THEN 0 ELSE 1 END)"
		" + (SELECT COUNT(*) FROM outbound_attempt a WHERE a.channel = 'voice'"
		"   AND a.result IN ('accepted', 'answered', 'no_answer', 'busy', 'connected',"
		"   'abandoned', 'unknown')"
		"   AND NOT EXISTS (SELECT 1 FROM outbound_call c WHERE c.call_id = a.provider_ref))");
	cr_assert_eq(broken, 0, "%s: %lld calls or attempt rows disagree", when, (long long)broken);
}

/* The dialler's job in a killed child, at the test's clock. */
static int dialler_child_job(pcrm_ctx *ctx, pcrm_test_store *t)
{
	return dialler_job(ctx, t->now);
}

PCRM_BACKEND_FILE_TEST(dialler_crash, killed_at_every_store_call_settles_each_call_once)
{
	int64_t n, killed = 0;
	char when[64];

	setup(t);
	for (n = 1; n <= MAX_POINTS; n++) {
		if (!killed_child_run(t, n, dialler_child_job))
			break;
		killed++;
		snprintf(when, sizeof(when), "killed before store call %lld", (long long)n);
		check_consistent(t->ctx, when);
		killed_child_wait_session_gone(t->ctx);
		check_consistent(t->ctx, when);
		/* the next process starts once the dead one's lease is over */
		t->now += PCRM_DIALLER_LEASE_S;
	}
	cr_assert_lt(n, MAX_POINTS, "the dialler never got through");
	cr_assert_gt(killed, 20, "only %lld kill points", (long long)killed);
	fprintf(stderr, "%lld kill points, then a dialler got through\n", (long long)killed);
	check_consistent(t->ctx, "after the run that got through");
	/* one more, later, takes over from the one that got through: nothing is left open */
	t->now += PCRM_DIALLER_LEASE_S;
	cr_assert_eq(killed_child_run(t, 0, dialler_child_job), 0);
	check_consistent(t->ctx, "after the last dialler");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM outbound_call"
	                           " WHERE state IN ('dialling', 'answered')"),
	             0, "calls left open");
	cr_assert_eq(count(t->ctx,
	                   "SELECT COUNT(*) FROM outbound_message m WHERE"
	                   " (m.status = 'answered' AND (SELECT COUNT(*) FROM outbound_call c"
	                   "   WHERE c.message_id = m.id AND c.state = 'connected') <> 1)"
	                   " OR (m.status NOT IN ('answered', 'failed', 'queued'))"
	                   " OR (m.status = 'queued' AND EXISTS (SELECT 1 FROM outbound_call c"
	                   "   WHERE c.message_id = m.id AND c.state IN ('dialling', 'answered')))"),
	             0, "messages out of step with their calls");
	cr_assert_gt(count(t->ctx, "SELECT COUNT(*) FROM outbound_call WHERE state = 'unknown'"), 0,
	             "no kill left a call to settle");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));
}
