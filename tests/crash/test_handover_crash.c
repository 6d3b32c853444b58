/*
 * The outbound hand-over of customer notices (lib/outbound/handover.c)
 * killed with SIGKILL before each of its store calls in turn, on SQLite (a
 * file) and PostgreSQL, until a run gets through: after every kill each
 * notice is either still pending with no outbound message, or marked
 * delivered with exactly one; the run that gets through, and one more, then
 * leave every notice handed over exactly once.  The same for the tick
 * (lib/workflow/tick.c) firing a timer's transition that tells the customer:
 * after every kill each work order has either not moved, kept its timer and
 * told nobody, or moved with exactly one notice at its fire entry.
 *
 * Why every call and not a seeded sample (test_crash.c): a hand-over of
 * three notices makes a few dozen store calls, so all of its kill points
 * are cheap to try, and "crashes midway" then means every midway.
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

#define NOTICES 3
#define MAX_POINTS 1000

static const pcrm_actor job = { "outbound-job", PCRM_ROLE_SYSTEM, 1, "37" };

static const char def[] =
	"{\"name\": \"repair_notice\", \"states\": ["
	"  {\"name\": \"reported\", \"initial\": true}, {\"name\": \"dispatched\"},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"dispatch\", \"from\": \"reported\", \"to\": \"dispatched\","
	"   \"notify_customer\": \"您报修的故障已派工。\"},"
	"  {\"event\": \"close\", \"from\": \"dispatched\", \"to\": \"closed\"}]}";

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

/* NOTICES customers in 3701, each with a work order of `workflow` (defined by `doc_def`) dispatched. */
static void open_dispatched(pcrm_test_store *t, const char *doc_def, const char *workflow)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, doc_def, NULL, NULL));
	for (int i = 1; i <= NOTICES; i++) {
		char no[16], doc[512];
		pcrm_workorder *wo;
		snprintf(no, sizeof(no), "C%d", i);
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"张三\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"13800138000\"}}",
		         no);
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
		t->now += 60;
		pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, workflow, no, no, "3701", NULL,
		                                   &wo));
		pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, pcrm_workorder_id(wo), 1,
		                                   "dispatch", NULL, NULL, NULL));
		pcrm_workorder_free(wo);
	}
}

static void setup(pcrm_test_store *t)
{
	open_dispatched(t, def, "repair_notice");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM work_order_notification"
	                           " WHERE customer_no IS NOT NULL AND delivered_at IS NULL"),
	             NOTICES);
}

/*
 * Each notice pending with no message, or delivered with exactly one, and no
 * message without its notice delivered; returns how many are delivered.  One
 * statement, so one snapshot: on PostgreSQL a child killed just after sending
 * COMMIT may see that commit land between two statements of the parent.
 */
static int64_t check_consistent(pcrm_ctx *ctx, const char *when)
{
	int64_t broken = count(ctx,
		"SELECT (SELECT COUNT(*) FROM work_order_notification n WHERE n.customer_no IS NOT NULL"
		" AND ((n.delivered_at IS NULL AND EXISTS (SELECT 1 FROM outbound_message m"
		"   WHERE m.id = 'wo/' || n.id))"
		" OR (n.delivered_at IS NOT NULL AND (SELECT COUNT(*) FROM outbound_message m"
		"   WHERE m.id = 'wo/' || n.id AND m.work_order_id = n.work_order_id) <> 1)))"
		" + (SELECT COUNT(*) FROM outbound_message m WHERE NOT EXISTS (SELECT 1 FROM"
		"   work_order_notification n WHERE 'wo/' || n.id = m.id AND n.delivered_at IS NOT NULL))");
	cr_assert_eq(broken, 0, "%s: %lld notices or messages half handed over", when,
	             (long long)broken);
	return count(ctx, "SELECT COUNT(*) FROM work_order_notification WHERE delivered_at IS NOT NULL");
}

/* A hand-over, the job the first test kills. */
static int handover_job(pcrm_ctx *ctx, pcrm_test_store *t)
{
	int64_t handed = 0;
	(void)t;
	return pcrm_outbound_handover(ctx, &job, NULL, 100, &handed);
}

/*
 * Runs `work` killed before store call 1, 2, ... until a run gets through,
 * checking the store with `check` after every kill (again once the killed
 * session is gone); `what` names the job in messages.
 */
static void kill_until_through(pcrm_test_store *t, const char *what,
                               int (*work)(pcrm_ctx *, pcrm_test_store *),
                               int64_t (*check)(pcrm_ctx *, const char *))
{
	int64_t n, killed = 0;
	char when[80];

	for (n = 1; n <= MAX_POINTS; n++) {
		if (!killed_child_run(t, n, work))
			break;
		killed++;
		snprintf(when, sizeof(when), "%s killed before store call %lld", what, (long long)n);
		check(t->ctx, when);
		killed_child_wait_session_gone(t->ctx);
		check(t->ctx, when);
	}
	cr_assert_lt(n, MAX_POINTS, "the %s never got through", what);
	cr_assert_gt(killed, 3, "only %lld kill points", (long long)killed);
	fprintf(stderr, "%lld kill points, then a %s got through\n", (long long)killed, what);
}

PCRM_BACKEND_FILE_TEST(handover_crash, killed_at_every_store_call_hands_over_exactly_once)
{
	int64_t handed = -1;

	setup(t);
	kill_until_through(t, "hand-over", handover_job, check_consistent);
	/* the run that got through handed over whatever the killed ones left pending */
	cr_assert_eq(check_consistent(t->ctx, "after the run that got through"), NOTICES);
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 100, &handed));
	cr_assert_eq(handed, 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM outbound_message"), NOTICES);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.handover'"),
	             1, "only the committed hand-over is audited");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));
}

/* ---- the tick firing a transition that tells the customer ---- */

#define TICK_NOTICE "您的报修工单超时未处理，已自动转办。"

static const char tick_def[] =
	"{\"name\": \"repair_auto\", \"states\": ["
	"  {\"name\": \"reported\", \"initial\": true},"
	"  {\"name\": \"dispatched\", \"limit\": {\"minutes\": 30,"
	"     \"on_expiry\": {\"flag\": true, \"fire\": \"time_out\"}}},"
	"  {\"name\": \"transferred\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"dispatch\", \"from\": \"reported\", \"to\": \"dispatched\"},"
	"  {\"event\": \"time_out\", \"from\": \"dispatched\", \"to\": \"transferred\","
	"   \"notify_customer\": \"" TICK_NOTICE "\"}]}";

/* NOTICES work orders of customers, dispatched, their 30 minutes passed; nobody told yet. */
static void setup_tick(pcrm_test_store *t)
{
	open_dispatched(t, tick_def, "repair_auto");
	t->now += 31 * 60;
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM work_order_notification"), 0);
}

static int tick_job(pcrm_ctx *ctx, pcrm_test_store *t)
{
	int processed = 0;
	return pcrm_workorder_tick(ctx, &root_admin, t->now, &processed);
}

/*
 * Each work order either still dispatched, with its timer and no notice, or
 * transferred with exactly one notice, written at its time_out entry; one
 * statement (one snapshot), as check_consistent.  Returns how many moved.
 */
static int64_t check_tick_consistent(pcrm_ctx *ctx, const char *when)
{
	int64_t broken = count(ctx,
		"SELECT COUNT(*) FROM work_order w WHERE NOT ("
		" (w.state = 'dispatched'"
		"  AND NOT EXISTS (SELECT 1 FROM work_order_notification n WHERE n.work_order_id = w.id)"
		"  AND EXISTS (SELECT 1 FROM work_order_timer m WHERE m.work_order_id = w.id"
		"   AND m.done = 0))"
		" OR (w.state = 'transferred'"
		"  AND (SELECT COUNT(*) FROM work_order_notification n WHERE n.work_order_id = w.id) = 1"
		"  AND (SELECT COUNT(*) FROM work_order_notification n JOIN work_order_history h"
		"   ON h.work_order_id = n.work_order_id AND h.seq = n.seq WHERE n.work_order_id = w.id"
		"   AND n.customer_no = w.customer_no AND h.event = 'time_out') = 1))");
	cr_assert_eq(broken, 0, "%s: %lld work orders moved without their notice or told twice",
	             when, (long long)broken);
	return count(ctx, "SELECT COUNT(*) FROM work_order WHERE state = 'transferred'");
}

PCRM_BACKEND_FILE_TEST(handover_crash, tick_killed_at_every_store_call_tells_exactly_once)
{
	int64_t handed = -1;
	int processed = -1;

	setup_tick(t);
	kill_until_through(t, "tick", tick_job, check_tick_consistent);
	cr_assert_eq(check_tick_consistent(t->ctx, "after the tick that got through"), NOTICES);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &root_admin, t->now, &processed));
	cr_assert_eq(processed, 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM work_order_notification"), NOTICES);
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 100, &handed));
	cr_assert_eq(handed, NOTICES);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));
}
