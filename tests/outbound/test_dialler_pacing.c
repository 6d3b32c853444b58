/*
 * The predictive pace (lib/outbound/dial_pacing.c, docs/outbound.md
 * "Predictive pacing"): the model's answers on hand-checked cases, and a
 * simulated campaign on both stores against a scripted switch on a
 * deterministic clock: customers answer with a low rate after a ring, talk
 * an exponential time, and hang up when no agent comes within 3 seconds of
 * their answer (abandoned).  The same campaign is dialled progressively and
 * predictively: the predictive one keeps the abandoned share within its
 * target, dials more calls per minute, and keeps the agents busier.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "outbound/dialler_internal.h"
#include "store/store.h"

/* ---- the model ---- */

static struct pcrm__pace_inputs inputs(int ready, int busy, double p)
{
	struct pcrm__pace_inputs in;
	memset(&in, 0, sizeof(in));
	in.ready = ready;
	in.busy = busy;
	in.max_new = 1000;
	in.answer_rate = p;
	in.ring_s = 15.0;
	in.handle_s = 120.0;
	in.target = 0.03;
	return in;
}

Test(dialler_pace_model, every_customer_answering_means_one_call_per_free_agent)
{
	struct pcrm__pace_inputs in = inputs(3, 0, 1.0);
	struct pcrm__pace_estimate est;
	pcrm_assert_ok(pcrm__pace_predict(&in, &est));
	/* a fourth call would be a certain abandon: 1 in 4 answered, above 3 % */
	cr_assert_eq(est.calls, 3);
	cr_assert_float_eq(est.abandon_share, 0.0, 1e-12);
	/* customers already waiting take the free agents first */
	in.waiting = 2;
	pcrm_assert_ok(pcrm__pace_predict(&in, &est));
	cr_assert_eq(est.calls, 1);
	in.waiting = 4;
	pcrm_assert_ok(pcrm__pace_predict(&in, &est));
	cr_assert_eq(est.calls, 0);
}

Test(dialler_pace_model, low_answer_rate_dials_more_within_the_target)
{
	struct pcrm__pace_inputs in = inputs(5, 0, 0.2);
	struct pcrm__pace_estimate est;
	pcrm_assert_ok(pcrm__pace_predict(&in, &est));
	cr_assert_gt(est.calls, 10, "only %d calls for 5 agents at a 20 %% answer rate", est.calls);
	cr_assert_leq(est.abandon_share, 0.03);
	/* one more call would pass the target: the largest N was taken */
	{
		struct pcrm__pace_estimate more;
		in.ringing = est.calls + 1;
		in.max_new = 0;
		pcrm_assert_ok(pcrm__pace_predict(&in, &more));
		cr_assert_gt(more.abandon_share, 0.03, "N + 1 calls: share %f", more.abandon_share);
	}
	/* a looser target allows more; a tighter one fewer */
	in = inputs(5, 0, 0.2);
	in.target = 0.10;
	{
		struct pcrm__pace_estimate loose;
		pcrm_assert_ok(pcrm__pace_predict(&in, &loose));
		cr_assert_gt(loose.calls, est.calls);
	}
}

Test(dialler_pace_model, busy_agents_about_to_be_free_count)
{
	struct pcrm__pace_inputs in = inputs(0, 10, 0.5);
	struct pcrm__pace_estimate slow, quick;
	/* no one ready and long calls: hardly any agent frees within the ring time */
	in.handle_s = 3600.0;
	pcrm_assert_ok(pcrm__pace_predict(&in, &slow));
	in.handle_s = 30.0;
	pcrm_assert_ok(pcrm__pace_predict(&in, &quick));
	cr_assert_float_eq(quick.soon_probability, 1.0 - exp(-15.0 / 30.0), 1e-12);
	cr_assert_float_eq(quick.agents_soon, 10 * quick.soon_probability, 1e-9);
	cr_assert_gt(quick.calls, slow.calls);
	cr_assert_leq(quick.abandon_share, 0.03);
	/* an unknown handle time counts no busy agent */
	in.handle_s = 0.0;
	pcrm_assert_ok(pcrm__pace_predict(&in, &slow));
	cr_assert_eq(slow.calls, 0);
}

/* ---- a simulated campaign ---- */

static const pcrm_actor job = { "dialler-job", PCRM_ROLE_SYSTEM, 1, "37" };

#define PORT "OUT-PORT"
#define ROUTING_POINT "OUT-RP"
#define CUSTOMERS 240
#define AGENTS 8
#define ANSWER_RATE 0.25
#define MEAN_TALK_S 90.0
#define PATIENCE_MS 3000
#define MAX_CALLS 1000

enum ev_kind { EV_ANSWER, EV_NO_ANSWER, EV_PATIENCE, EV_HANGUP };

struct sim_event {
	pcrm_acd_ms at;
	enum ev_kind kind;
	int call;
};

struct sim_call {
	char id[48];
	int answered, established, cleared;
	pcrm_acd_ms talk_start;
};

struct campaign_sim {
	pcrm_acd_ms clock;
	uint64_t rng;
	pcrm_acd *acd;
	pcrm_tel *tel;
	pcrm_dialler *dialler;
	struct sim_call calls[MAX_CALLS];
	int ncalls;
	struct sim_event events[4 * MAX_CALLS];
	int nevents;
	char routed[64][48], routed_dev[64][24];
	int nrouted;
	int64_t talk_ms; /* agents' talk, summed */
	pcrm_acd_ms last_dial;
	int answered, abandoned, predictive_passes;
};

static double uniform(struct campaign_sim *s)
{
	/* splitmix64: the same customers for each pace */
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static void schedule(struct campaign_sim *s, pcrm_acd_ms at, enum ev_kind kind, int call)
{
	cr_assert_lt(s->nevents, 4 * MAX_CALLS);
	s->events[s->nevents++] = (struct sim_event){ at, kind, call };
}

static pcrm_acd_ms campaign_clock(void *u)
{
	return ((struct campaign_sim *)u)->clock;
}

static int sim_make_call(void *u, const char *call, const char *dev, const char *to)
{
	struct campaign_sim *s = u;
	int i = s->ncalls++;
	(void)dev, (void)to;
	cr_assert_lt(i, MAX_CALLS);
	memset(&s->calls[i], 0, sizeof(s->calls[i]));
	snprintf(s->calls[i].id, sizeof(s->calls[i].id), "%s", call);
	s->last_dial = s->clock;
	/* a quarter answer after 5..15 s; the rest ring 25 s for nothing */
	if (uniform(s) < ANSWER_RATE)
		schedule(s, s->clock + 5000 + (pcrm_acd_ms)(uniform(s) * 10000), EV_ANSWER, i);
	else
		schedule(s, s->clock + 25000, EV_NO_ANSWER, i);
	return PCRM_TEL_DONE;
}

static int sim_route(void *u, const char *call, const char *dev, const char *agent)
{
	struct campaign_sim *s = u;
	(void)agent;
	cr_assert_lt(s->nrouted, 64);
	snprintf(s->routed[s->nrouted], sizeof(s->routed[0]), "%s", call);
	snprintf(s->routed_dev[s->nrouted], sizeof(s->routed_dev[0]), "%s", dev);
	s->nrouted++;
	return PCRM_TEL_DONE;
}

static int sim_hangup(void *u, const char *call, const char *dev)
{
	(void)u, (void)call, (void)dev;
	return PCRM_TEL_DONE;
}

static void sim_feed(struct campaign_sim *s, pcrm_tel_event_type type, const char *call,
                     const char *dev, const char *agent, const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = dev;
	ev.agent_id = agent;
	ev.reason = reason;
	ev.at = s->clock;
	pcrm_assert_ok(pcrm_dialler_event_feed(s->dialler, &ev, NULL));
}

static int call_index(struct campaign_sim *s, const char *id)
{
	for (int i = s->ncalls - 1; i >= 0; i--)
		if (strcmp(s->calls[i].id, id) == 0)
			return i;
	return -1;
}

/* Agents take what the ACD routed to them at once, and talk an exponential time. */
static void play_routes(struct campaign_sim *s)
{
	while (s->nrouted > 0) {
		char call[48], dev[24];
		int i;
		s->nrouted--;
		snprintf(call, sizeof(call), "%s", s->routed[s->nrouted]);
		snprintf(dev, sizeof(dev), "%s", s->routed_dev[s->nrouted]);
		sim_feed(s, PCRM_TEL_EV_DELIVERED, call, dev, NULL, NULL);
		sim_feed(s, PCRM_TEL_EV_ESTABLISHED, call, dev, NULL, NULL);
		i = call_index(s, call);
		cr_assert_geq(i, 0);
		s->calls[i].established = 1;
		s->calls[i].talk_start = s->clock;
		schedule(s, s->clock + 1000 + (pcrm_acd_ms)(-log(1.0 - uniform(s)) * MEAN_TALK_S * 1000),
		         EV_HANGUP, i);
	}
}

static void play(struct campaign_sim *s, const struct sim_event *e)
{
	struct sim_call *c = &s->calls[e->call];
	switch (e->kind) {
	case EV_ANSWER:
		c->answered = 1;
		s->answered++;
		sim_feed(s, PCRM_TEL_EV_QUEUED, c->id, ROUTING_POINT, NULL, NULL);
		schedule(s, s->clock + PATIENCE_MS, EV_PATIENCE, e->call);
		break;
	case EV_NO_ANSWER:
		sim_feed(s, PCRM_TEL_EV_FAILED, c->id, PORT, NULL, "no_answer");
		sim_feed(s, PCRM_TEL_EV_CALL_CLEARED, c->id, NULL, NULL, NULL);
		c->cleared = 1;
		break;
	case EV_PATIENCE:
		if (!c->established && !c->cleared) {
			sim_feed(s, PCRM_TEL_EV_CALL_CLEARED, c->id, NULL, NULL, NULL);
			c->cleared = 1;
			s->abandoned++;
		}
		break;
	case EV_HANGUP:
		sim_feed(s, PCRM_TEL_EV_CALL_CLEARED, c->id, NULL, NULL, NULL);
		c->cleared = 1;
		s->talk_ms += s->clock - c->talk_start;
		break;
	}
	play_routes(s);
}

/* Plays every event due by now, earliest first. */
static void play_due(struct campaign_sim *s)
{
	for (;;) {
		int best = -1;
		struct sim_event e;
		for (int i = 0; i < s->nevents; i++)
			if (s->events[i].at <= s->clock && (best < 0 || s->events[i].at < s->events[best].at))
				best = i;
		if (best < 0)
			return;
		e = s->events[best];
		s->events[best] = s->events[--s->nevents];
		play(s, &e);
	}
}

struct campaign_result {
	int dialled, answered, abandoned, predictive_passes;
	double minutes, occupancy, abandon_share, calls_per_minute;
};

static void queue_campaign(pcrm_test_store *t, const char *id)
{
	char doc[512];
	int64_t n = 0;
	snprintf(doc, sizeof(doc),
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"新电价告知外呼\","
	         " \"kind\": \"tariff_announcement\", \"template\": \"{name}：新电价1月1日起执行。\","
	         " \"schedule_at\": \"2026-11-24T08:00:00+08:00\", \"channels\": [\"voice\"],"
	         " \"target\": {}}", id);
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &city_admin, doc));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, id, &n));
	cr_assert_eq(n, CUSTOMERS);
}

/* Dials campaign `id` to its end with AGENTS agents; `predictive` NULL: progressive. */
static struct campaign_result run_campaign(pcrm_test_store *t, const char *id,
                                           const pcrm_dialler_predictive *predictive)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_tel_switch sw = PCRM_TEL_SWITCH_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	pcrm_campaign_stats cs = PCRM_CAMPAIGN_STATS_INIT;
	struct campaign_result r;
	struct campaign_sim *s = calloc(1, sizeof(*s));
	char acd_json[1024];
	size_t len;
	pcrm_time start = t->now;

	cr_assert_not_null(s);
	policy.rate_limit = 0;
	policy.max_attempts = 1; /* each customer called once: the campaign has CUSTOMERS calls */
	s->clock = (pcrm_acd_ms)t->now * 1000;
	s->rng = 20261208;
	len = (size_t)snprintf(acd_json, sizeof(acd_json),
	                       "{\"version\":1,\"ring_timeout_s\":15,\"queues\":[{\"id\":\"notice\","
	                       "\"wrap_up_s\":0}],\"agents\":[");
	for (int i = 0; i < AGENTS; i++)
		len += (size_t)snprintf(acd_json + len, sizeof(acd_json) - len,
		                        "%s{\"id\":\"a%d\",\"skills\":{\"notice\":3}}", i ? "," : "", i);
	snprintf(acd_json + len, sizeof(acd_json) - len, "]}");
	pcrm_assert_ok(pcrm_acd_new_from_json(&s->acd, acd_json, campaign_clock, s));
	sw.userdata = s;
	sw.route = sim_route;
	sw.make_call = sim_make_call;
	sw.hangup = sim_hangup;
	pcrm_assert_ok(pcrm_tel_new(&s->tel, s->acd, &sw, NULL));
	o.campaign_id = id;
	o.queue_id = "notice";
	o.device_id = PORT;
	pcrm_assert_ok(pcrm_dialler_new(&s->dialler, s->acd, s->tel, &o));
	pcrm_assert_ok(pcrm_dialler_set_predictive(s->dialler, predictive));
	for (int i = 0; i < AGENTS; i++) {
		char agent[8], dev[16];
		snprintf(agent, sizeof(agent), "a%d", i);
		snprintf(dev, sizeof(dev), "d-a%d", i);
		sim_feed(s, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, dev, agent, NULL);
		sim_feed(s, PCRM_TEL_EV_AGENT_READY, NULL, dev, agent, NULL);
	}
	/* the switch plays every second; the dialler runs every 2 s, until every message is
	 * settled and every call has ended */
	for (int second = 0; second < 4 * 3600; second++) {
		pcrm_dialler_pass pass = PCRM_DIALLER_PASS_INIT;
		pcrm_dialler_pace pace = PCRM_DIALLER_PACE_INIT;
		s->clock += 1000;
		t->now = start + second + 1;
		play_due(s);
		if (second % 2)
			continue;
		pcrm_assert_ok(pcrm_dialler_run(s->dialler, t->ctx, &job, &policy, &pass));
		pcrm_assert_ok(pcrm_dialler_pace_get(s->dialler, &pace));
		if (pace.mode == PCRM_DIALLER_PREDICTIVE)
			s->predictive_passes++;
		if (second == 0)
			cr_assert_eq(pace.mode, PCRM_DIALLER_PROGRESSIVE,
			             "no observations yet: the first pass is progressive");
		if (s->ncalls == CUSTOMERS && s->nevents == 0 && pcrm_dialler_in_progress(s->dialler) == 0)
			break;
	}
	cr_assert_eq(s->ncalls, CUSTOMERS, "the campaign did not end: %d calls", s->ncalls);
	pcrm_assert_ok(pcrm_campaign_stats_get(t->ctx, &job, id, &cs));
	memset(&r, 0, sizeof(r));
	r.dialled = s->ncalls;
	r.answered = s->answered;
	r.abandoned = s->abandoned;
	r.predictive_passes = s->predictive_passes;
	r.minutes = (double)(t->now - start) / 60.0;
	/* the dialling rate: calls over the time to the last dial (the talk after it is the tail) */
	r.calls_per_minute = r.dialled / ((double)(s->last_dial / 1000 - start) / 60.0);
	r.occupancy = (double)s->talk_ms / ((double)(t->now - start) * 1000.0 * AGENTS);
	r.abandon_share = r.answered ? (double)r.abandoned / r.answered : 0.0;
	{
		pcrm_campaign_call_stats st = PCRM_CAMPAIGN_CALL_STATS_INIT;
		pcrm_assert_ok(pcrm_campaign_call_stats_get(t->ctx, &job, id, &st));
		/* what the store recorded is what the switch did */
		cr_assert_eq(st.dialled, r.dialled);
		cr_assert_eq(st.answered, r.answered);
		cr_assert_eq(st.abandoned, r.abandoned);
	}
	pcrm_dialler_free(s->dialler);
	pcrm_tel_free(s->tel);
	pcrm_acd_free(s->acd);
	free(s);
	return r;
}

/* A campaign of an hour of simulated time on each store: longer than PCRM_BACKEND_TEST allows. */
static void compare_paces(pcrm_test_store *t);

Test(dialler_pace_sqlite, predictive_keeps_abandonment_within_target_and_dials_more,
     .timeout = 900)
{
	pcrm_test_run_sqlite(compare_paces);
}

Test(dialler_pace_pg, predictive_keeps_abandonment_within_target_and_dials_more, .timeout = 900)
{
	pcrm_test_run_pg(compare_paces);
}

static void compare_paces(pcrm_test_store *t)
{
	pcrm_dialler_predictive pred = PCRM_DIALLER_PREDICTIVE_INIT;
	struct campaign_result prog, predictive;

	make_tree(t->ctx);
	for (int i = 0; i < CUSTOMERS; i++) {
		char doc[512];
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"P%04d\", \"kind\": \"person\", \"name\": \"张三\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"138%08d\"}}", i, i);
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
	}
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T08:30:00+08:00", &t->now));
	queue_campaign(t, "VOICE-PROG");
	queue_campaign(t, "VOICE-PRED");
	prog = run_campaign(t, "VOICE-PROG", NULL);
	pred.min_observations = 30;
	predictive = run_campaign(t, "VOICE-PRED", &pred);
	fprintf(stderr,
	        "%-12s %6s %8s %9s %9s %10s %9s\n"
	        "%-12s %6d %8.1f %9.2f %9d %9.1f%% %8.1f%%\n"
	        "%-12s %6d %8.1f %9.2f %9d %9.1f%% %8.1f%%\n",
	        "pace", "calls", "minutes", "calls/min", "answered", "abandoned", "occupancy",
	        "progressive", prog.dialled, prog.minutes, prog.calls_per_minute, prog.answered,
	        prog.abandon_share * 100, prog.occupancy * 100, "predictive", predictive.dialled,
	        predictive.minutes, predictive.calls_per_minute, predictive.answered,
	        predictive.abandon_share * 100, predictive.occupancy * 100);
	cr_assert_gt(predictive.predictive_passes, 0);
	cr_assert_leq(predictive.abandon_share, 0.03, "predictive abandoned %.2f %% of answered calls",
	              predictive.abandon_share * 100);
	cr_assert_gt(predictive.calls_per_minute, prog.calls_per_minute * 1.25,
	             "predictive %.2f calls/min, progressive %.2f", predictive.calls_per_minute,
	             prog.calls_per_minute);
	cr_assert_gt(predictive.occupancy, prog.occupancy);
}
