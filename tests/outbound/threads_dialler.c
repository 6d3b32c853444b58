/*
 * The dialler with its two threads, as deployed: a switch thread plays the
 * customers and agents and feeds every event through
 * pcrm_dialler_event_feed() (on an in-memory store), or, on a SQLite file,
 * writes each result as it arrives through pcrm_dialler_event_record()
 * with a store context of its own, while the store's thread runs
 * pcrm_dialler_run() in a loop.  Checks that the pace holds at every dial
 * (never more calls in progress than agents), that every message ends
 * connected or failed, and that the statistics add up.  Suite
 * outbound-threads: `make test` runs it under ThreadSanitizer too.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

/*
 * A plain program, not a Criterion runner: Criterion cannot set up its
 * arena under ThreadSanitizer.  The assertions the fixtures and this file
 * use print where they failed and exit.
 */
static void check_failed(int line, const char *what)
{
	fprintf(stderr, "threads_dialler.c:%d: %s failed: %s\n", line, what, pcrm_error_last());
	exit(1);
}
#undef cr_assert
#undef cr_assert_eq
#undef cr_assert_lt
#undef cr_assert_leq
/* the message arguments are dropped; the ", 0" gives ISO C's "..." an argument */
#define CHECK_(cond, ...) ((cond) ? (void)0 : check_failed(__LINE__, #cond))
#define CHECK_EQ_(a, b, ...) CHECK_((a) == (b), 0)
#define CHECK_LT_(a, b, ...) CHECK_((a) < (b), 0)
#define CHECK_LEQ_(a, b, ...) CHECK_((a) <= (b), 0)
#define cr_assert(...) CHECK_(__VA_ARGS__, 0)
#define cr_assert_eq(...) CHECK_EQ_(__VA_ARGS__, 0)
#define cr_assert_lt(...) CHECK_LT_(__VA_ARGS__, 0)
#define cr_assert_leq(...) CHECK_LEQ_(__VA_ARGS__, 0)

#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

#define CUSTOMERS 24
#define AGENTS 4

static const pcrm_actor job = { "dialler-job", PCRM_ROLE_SYSTEM, 1, "37" };

#define ACD_JSON                                                                              \
	"{\"version\":1,\"ring_timeout_s\":15,\"queues\":[{\"id\":\"notice\",\"wrap_up_s\":0}]," \
	"\"agents\":[{\"id\":\"n1\",\"skills\":{\"notice\":3}},"                                  \
	"{\"id\":\"n2\",\"skills\":{\"notice\":3}},{\"id\":\"n3\",\"skills\":{\"notice\":3}},"    \
	"{\"id\":\"n4\",\"skills\":{\"notice\":3}}]}"

/* What the switch has to play, handed from the requests to the switch thread. */
struct work {
	char call[48];
	char what; /* 'd' dialled (to a number ending in `digit`), 'r' routed to `dev` */
	char dev[24];
	int digit;
};

struct world {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct work q[256];
	int head, count, stop;
	pcrm_dialler *dialler;
	int most_in_progress; /* at a make_call, counting the call being placed */
	int dials;
	pcrm_acd_ms clock;    /* the switch's event time, switch thread only */
	pcrm_ctx *switch_ctx; /* the switch thread's own store context: record, not feed */
	pcrm_outbound_policy policy;
};

static void push(struct world *w, const struct work *x)
{
	pthread_mutex_lock(&w->lock);
	cr_assert_lt(w->count, 256);
	w->q[(w->head + w->count++) % 256] = *x;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static int sw_make_call(void *u, const char *call, const char *dev, const char *to)
{
	struct world *w = u;
	struct work x = { .what = 'd' };
	int n = pcrm_dialler_in_progress(w->dialler);
	(void)dev;
	snprintf(x.call, sizeof(x.call), "%s", call);
	x.digit = to[strlen(to) - 1] - '0';
	pthread_mutex_lock(&w->lock);
	if (n > w->most_in_progress)
		w->most_in_progress = n;
	w->dials++;
	pthread_mutex_unlock(&w->lock);
	push(w, &x);
	return PCRM_TEL_DONE;
}

static int sw_route(void *u, const char *call, const char *dev, const char *agent)
{
	struct work x = { .what = 'r' };
	(void)agent;
	snprintf(x.call, sizeof(x.call), "%s", call);
	snprintf(x.dev, sizeof(x.dev), "%s", dev);
	push(u, &x);
	return PCRM_TEL_DONE;
}

static void feed(struct world *w, pcrm_tel_event_type type, const char *call, const char *dev,
                 const char *agent, const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = dev;
	ev.agent_id = agent;
	ev.reason = reason;
	ev.at = ++w->clock;
	if (w->switch_ctx)
		cr_assert_eq(pcrm_dialler_event_record(w->dialler, w->switch_ctx, &job, &w->policy, &ev,
		                                       NULL),
		             PCRM_OK, "%s", pcrm_error_last());
	else
		cr_assert_eq(pcrm_dialler_event_feed(w->dialler, &ev, NULL), PCRM_OK, "%s",
		             pcrm_error_last());
}

/* Customers with an odd last digit are busy; the others answer and talk not at all. */
static void *switch_thread(void *u)
{
	struct world *w = u;
	for (;;) {
		struct work x;
		pthread_mutex_lock(&w->lock);
		while (w->count == 0 && !w->stop)
			pthread_cond_wait(&w->more, &w->lock);
		if (w->count == 0) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		x = w->q[w->head];
		w->head = (w->head + 1) % 256;
		w->count--;
		pthread_mutex_unlock(&w->lock);
		if (x.what == 'r') {
			feed(w, PCRM_TEL_EV_DELIVERED, x.call, x.dev, NULL, NULL);
			feed(w, PCRM_TEL_EV_ESTABLISHED, x.call, x.dev, NULL, NULL);
			feed(w, PCRM_TEL_EV_CALL_CLEARED, x.call, NULL, NULL, NULL);
		} else if (x.digit % 2) {
			feed(w, PCRM_TEL_EV_FAILED, x.call, "port", NULL, "busy");
			feed(w, PCRM_TEL_EV_CALL_CLEARED, x.call, NULL, NULL, NULL);
		} else {
			feed(w, PCRM_TEL_EV_QUEUED, x.call, "rp", NULL, NULL);
		}
	}
}

static void body(pcrm_test_store *t, pcrm_ctx *switch_ctx)
{
	pcrm_tel_switch sw = PCRM_TEL_SWITCH_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_campaign_call_stats st = PCRM_CAMPAIGN_CALL_STATS_INIT;
	struct world w;
	pcrm_acd *acd = NULL;
	pcrm_tel *tel = NULL;
	pthread_t th;
	int64_t n = 0, left = 1;
	char doc[512];

	policy.rate_limit = 0;
	policy.max_attempts = 1; /* busy ends a message: the run finishes without waiting out back-offs */

	make_tree(t->ctx);
	for (int i = 0; i < CUSTOMERS; i++) {
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"T%02d\", \"kind\": \"person\", \"name\": \"赵六\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"1380013800%d\"}}",
		         i, i % 10);
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
	}
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T10:00:00+08:00", &t->now));
	pcrm_assert_ok(pcrm_campaign_create(
		t->ctx, &city_admin,
		"{\"id\": \"VOICE-T\", \"org_unit\": \"3701\", \"name\": \"n\","
		" \"kind\": \"tariff_announcement\", \"template\": \"t\","
		" \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"channels\": [\"voice\"],"
		" \"target\": {}}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "VOICE-T", &n));
	cr_assert_eq(n, CUSTOMERS);

	memset(&w, 0, sizeof(w));
	w.policy = policy;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.more, NULL);
	pcrm_assert_ok(pcrm_acd_new_from_json(&acd, ACD_JSON, NULL, NULL));
	sw.userdata = &w;
	sw.route = sw_route;
	sw.make_call = sw_make_call;
	pcrm_assert_ok(pcrm_tel_new(&tel, acd, &sw, NULL));
	o.campaign_id = "VOICE-T";
	o.queue_id = "notice";
	o.device_id = "port";
	pcrm_assert_ok(pcrm_dialler_new(&w.dialler, acd, tel, &o));
	for (int i = 1; i <= AGENTS; i++) {
		char agent[8], dev[8];
		snprintf(agent, sizeof(agent), "n%d", i);
		snprintf(dev, sizeof(dev), "d%d", i);
		feed(&w, PCRM_TEL_EV_AGENT_LOGGED_ON, NULL, dev, agent, NULL);
		feed(&w, PCRM_TEL_EV_AGENT_READY, NULL, dev, agent, NULL);
	}
	w.switch_ctx = switch_ctx; /* the agents' events above went in without a store */
	cr_assert_eq(pthread_create(&th, NULL, switch_thread, &w), 0);
	for (int round = 0; round < 20000 && left > 0; round++) {
		struct timespec pause = { 0, 200000 };
		pcrm_assert_ok(pcrm_dialler_run(w.dialler, t->ctx, &job, &policy, NULL));
		pcrm_assert_ok(pcrm__store_query_int(
			t->ctx->store, "SELECT COUNT(*) FROM outbound_message WHERE status IN ('queued', 'sent')",
			NULL, 0, &left));
		nanosleep(&pause, NULL);
	}
	pthread_mutex_lock(&w.lock);
	w.stop = 1;
	pthread_cond_signal(&w.more);
	pthread_mutex_unlock(&w.lock);
	pthread_join(th, NULL);
	pcrm_assert_ok(pcrm_dialler_run(w.dialler, t->ctx, &job, &policy, NULL));
	cr_assert_eq(left, 0, "%lld messages never ended", (long long)left);
	cr_assert_leq(w.most_in_progress, AGENTS, "%d calls in progress with %d agents",
	              w.most_in_progress, AGENTS);
	pcrm_assert_ok(pcrm_campaign_call_stats_get(t->ctx, &job, "VOICE-T", &st));
	cr_assert_eq(st.dialled, CUSTOMERS);
	cr_assert_eq(st.busy, CUSTOMERS / 2);
	cr_assert_eq(st.connected, CUSTOMERS / 2);
	cr_assert_eq(st.dialled, st.no_answer + st.busy + st.answered);
	cr_assert_eq(st.answered, st.connected + st.abandoned);
	/* every call's row ended as its result says */
	pcrm_assert_ok(pcrm__store_query_int(
		t->ctx->store, "SELECT COUNT(*) FROM outbound_call WHERE state IN ('connected', 'busy')",
		NULL, 0, &n));
	cr_assert_eq(n, CUSTOMERS);
	pcrm_dialler_free(w.dialler);
	pcrm_tel_free(tel);
	pcrm_acd_free(acd);
	pthread_cond_destroy(&w.more);
	pthread_mutex_destroy(&w.lock);
}

int main(void)
{
	pcrm_test_store t;
	pcrm_ctx_options opts;
	pcrm_ctx *switch_ctx = NULL;
	char dir[] = "/tmp/pcrm-dialler-threads-XXXXXX", uri[96], path[96];

	memset(&t, 0, sizeof(t));
	t.uri = "sqlite::memory:";
	pcrm_test_options(&t, &opts);
	cr_assert_eq(pcrm_ctx_open(&t.ctx, t.uri, &opts), PCRM_OK);
	body(&t, NULL);
	pcrm_ctx_close(t.ctx);

	/* results recorded by the switch thread through a context of its own */
	memset(&t, 0, sizeof(t));
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	t.uri = uri;
	pcrm_test_options(&t, &opts);
	cr_assert_eq(pcrm_ctx_open(&t.ctx, t.uri, &opts), PCRM_OK);
	cr_assert_eq(pcrm_ctx_open(&switch_ctx, t.uri, &opts), PCRM_OK);
	body(&t, switch_ctx);
	pcrm_ctx_close(switch_ctx);
	pcrm_ctx_close(t.ctx);
	for (int i = 0; i < 3; i++) {
		static const char *suffix[] = { "", "-wal", "-shm" };
		snprintf(path, sizeof(path), "%s/crm.db%s", dir, suffix[i]);
		unlink(path);
	}
	rmdir(dir);
	printf("dialler threads: ok\n");
	return 0;
}
