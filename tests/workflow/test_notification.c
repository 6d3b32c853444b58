/* The notification outbox on both stores: what writes rows, claims, leases, acknowledgements. */
#include "wf_fixtures.h"

#include "core/ctx.h"
#include "store/store.h"

#define ZHANG "3701000001"

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(
		t->ctx, &root_admin,
		"{\"customer_no\": \"" ZHANG "\", \"kind\": \"person\", \"name\": \"张三\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		" \"org_unit\": \"37010201\"}",
		NULL));
	define_test(t->ctx);
}

static char *open_one(pcrm_test_store *t, const char *key, const char *org)
{
	pcrm_workorder *wo = NULL;
	char *id;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", key, ZHANG, org, "{}", &wo));
	id = strdup(pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	return id;
}

static int64_t pending(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM work_order_notification "
	                                     "WHERE delivered_at IS NULL",
	                                     NULL, 0, &n));
	return n;
}

static pcrm_notification_list *claim(pcrm_test_store *t, const pcrm_actor *who, const char *org,
                                     int limit)
{
	pcrm_notification_list *l = NULL;
	pcrm_assert_ok(pcrm_notification_claim(t->ctx, who, org, limit, 60, &l));
	return l;
}

PCRM_BACKEND_TEST(notification, supervisor_actions_write_one_row_each_addressed_after_the_entry)
{
	pcrm_notification_list *l;
	const pcrm_notification *n;
	char *id, expect[64];
	setup(t);
	id = open_one(t, "K1", "370102");
	cr_assert_eq(pending(t), 0, "opening tells nobody");
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &supervisor, id, "请尽快处理", NULL));
	pcrm_assert_ok(pcrm_workorder_comment(t->ctx, &supervisor, id, "备注"));
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &supervisor, id, 2, "agent-lx", NULL, NULL,
	                                       NULL));
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &supervisor, id, NULL, NULL));
	cr_assert_eq(pending(t), 3, "remind, reassign, escalate; a comment tells nobody");

	l = claim(t, &root_admin, NULL, 10);
	cr_assert_eq(pcrm_notification_list_count(l), 3, "got %zu", pcrm_notification_list_count(l));
	n = pcrm_notification_list_at(l, 0);
	snprintf(expect, sizeof(expect), "%s/2", id);
	cr_assert_str_eq(n->id, expect);
	cr_assert_str_eq(n->work_order_id, id);
	cr_assert_eq(n->seq, 2);
	cr_assert_str_eq(n->kind, "remind");
	cr_assert_str_eq(n->org_unit, "370102");
	cr_assert_null(n->recipient, "nobody owned it yet: the unit is told");
	cr_assert_str_eq(n->note, "请尽快处理");
	cr_assert_eq(n->created_at, t->now);
	cr_assert_eq(n->attempts, 1);
	n = pcrm_notification_list_at(l, 1);
	cr_assert_str_eq(n->kind, "reassign");
	cr_assert_str_eq(n->recipient, "agent-lx", "the new owner is told");
	n = pcrm_notification_list_at(l, 2);
	cr_assert_str_eq(n->kind, "escalate");
	cr_assert_str_eq(n->org_unit, "3701", "the unit raised to is told");
	cr_assert_null(pcrm_notification_list_at(l, 3));
	pcrm_notification_list_free(l);
	free(id);
}

PCRM_BACKEND_TEST(notification, a_notify_limit_writes_its_row_through_tick)
{
	pcrm_notification_list *l;
	char *id;
	int n = 0;
	setup(t);
	id = open_one(t, "K1", "3701");
	/* the warning at 50 % tells nobody; the state limit escalates: the parent unit is told */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 9, 30), &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(pending(t), 1);
	l = claim(t, &system_actor, "37", 10);
	cr_assert_eq(pcrm_notification_list_count(l), 1);
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->kind, "escalate");
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->org_unit, "37");
	cr_assert_null(pcrm_notification_list_at(l, 0)->recipient);
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->note, "limit of state accepted passed");
	pcrm_assert_ok(pcrm_notification_ack(t->ctx, &system_actor,
	                                     pcrm_notification_list_at(l, 0)->id));
	pcrm_notification_list_free(l);
	cr_assert_eq(pending(t), 0);
	/* the process limit says notify: one row, written once however often tick runs */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 12, 1, 0, 0), &n));
	cr_assert_eq(n, 2, "the warning at 80 %% and the limit");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 12, 2, 0, 0), &n));
	cr_assert_eq(pending(t), 1);
	l = claim(t, &system_actor, "37", 10);
	cr_assert_eq(pcrm_notification_list_count(l), 1);
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->kind, "notify");
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->note, "process limit passed");
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->org_unit, "3701",
	                 "the escalation before left the work order with its unit");
	cr_assert_eq(pcrm_notification_list_at(l, 0)->created_at, cst(2026, 12, 1, 0, 0));
	pcrm_notification_list_free(l);
	free(id);
}

PCRM_BACKEND_TEST(notification, leases_acknowledgements_and_scope)
{
	pcrm_notification_list *l, *again;
	char first[64], second[64];
	char *a, *b;
	int64_t audits = 0;
	setup(t);
	a = open_one(t, "K1", "370102");
	b = open_one(t, "K2", "3702");
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &root_admin, a, NULL, NULL));
	t->now += 10;
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &root_admin, b, NULL, NULL));

	/* the city of Jinan sees only its own subtree; one claim at a time gets a row */
	l = claim(t, &city_agent, NULL, 10);
	cr_assert_eq(pcrm_notification_list_count(l), 1);
	snprintf(first, sizeof(first), "%s", pcrm_notification_list_at(l, 0)->id);
	pcrm_notification_list_free(l);
	l = claim(t, &city_agent, NULL, 10);
	cr_assert_eq(pcrm_notification_list_count(l), 0, "leased to the first claim");
	pcrm_notification_list_free(l);
	pcrm_assert_fails(pcrm_notification_ack(t->ctx, &city_agent, "no-such/1"), PCRM_EPERM,
	                  "notification: unknown or outside"); /* like another unit's: no oracle */

	/* the whole province: Qingdao's row is there, Jinan's still leased */
	l = claim(t, &root_admin, NULL, 10);
	cr_assert_eq(pcrm_notification_list_count(l), 1);
	snprintf(second, sizeof(second), "%s", pcrm_notification_list_at(l, 0)->id);
	cr_assert_str_neq(first, second);
	pcrm_notification_list_free(l);
	pcrm_assert_fails(pcrm_notification_ack(t->ctx, &city_agent, second), PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_notification_ack(t->ctx, &root_admin, second));
	pcrm_assert_ok(pcrm_notification_ack(t->ctx, &root_admin, second));
	cr_assert_eq(pending(t), 1);

	/* the lease runs out: handed out again, counted, oldest first */
	t->now += 61;
	l = claim(t, &root_admin, NULL, 1);
	cr_assert_eq(pcrm_notification_list_count(l), 1);
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->id, first);
	cr_assert_eq(pcrm_notification_list_at(l, 0)->attempts, 2);
	pcrm_notification_list_free(l);
	pcrm_assert_ok(pcrm_notification_ack(t->ctx, &city_agent, first));
	t->now += 3600;
	again = claim(t, &root_admin, NULL, 10);
	cr_assert_eq(pcrm_notification_list_count(again), 0, "delivered rows never come back");
	pcrm_notification_list_free(again);
	cr_assert_eq(pending(t), 0);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM audit_log WHERE action IN "
	                                     "('notification.claim', 'notification.ack')",
	                                     NULL, 0, &audits));
	cr_assert_eq(audits, 5, "three claims that got rows, two acknowledgements");
	free(a);
	free(b);
}

PCRM_BACKEND_TEST(notification, bad_requests_are_refused_by_name)
{
	pcrm_notification_list *l = (pcrm_notification_list *)&l;
	setup(t);
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &root_admin, NULL, 0, 60, &l), PCRM_EINVAL,
	                  "limit");
	cr_assert_null(l);
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &root_admin, NULL, 1001, 60, &l),
	                  PCRM_EINVAL, "limit");
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &root_admin, NULL, 10, 0, &l),
	                  PCRM_EINVAL, "lease_seconds");
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &root_admin, NULL, 10, 86401, &l),
	                  PCRM_EINVAL, "lease_seconds");
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &root_admin, NULL, 10, 60, NULL),
	                  PCRM_EINVAL, "out");
	pcrm_assert_fails(pcrm_notification_claim(t->ctx, &city_agent, "3702", 10, 60, &l),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_notification_ack(t->ctx, &root_admin, NULL), PCRM_EINVAL, "id");
	pcrm_assert_fails(pcrm_notification_ack(t->ctx, &root_admin, ""), PCRM_EINVAL, "id");
	cr_assert_eq(pcrm_notification_list_count(NULL), 0);
	cr_assert_null(pcrm_notification_list_at(NULL, 0));
	pcrm_notification_list_free(NULL);
}

#define RACE_REMINDERS 40

/* Claims one at a time on a connection of its own until nothing is left; how many it got. */
static int claim_all(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	int got = 0, rc = open_another(t, &ctx);
	while (rc == PCRM_OK) {
		pcrm_notification_list *l = NULL;
		size_t n;
		rc = pcrm_notification_claim(ctx, &system_actor, NULL, 1, 600, &l);
		n = pcrm_notification_list_count(l);
		pcrm_notification_list_free(l);
		if (rc != PCRM_OK || n == 0)
			break;
		got += (int)n;
	}
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? got : rc;
}

/*
 * PostgreSQL: two processes claiming at once never get the same row (FOR
 * UPDATE SKIP LOCKED).  SQLite serialises writers, so the race is not there.
 */
PCRM_BACKEND_TEST(notification, two_processes_claim_disjoint_sets)
{
	int mine, theirs;
	int64_t once = 0;
	char *id;

	if (strcmp(pcrm_ctx_backend(t->ctx), "postgresql") != 0)
		return;
	setup(t);
	id = open_one(t, "K1", "3701");
	for (int i = 0; i < RACE_REMINDERS; i++)
		pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &root_admin, id, NULL, NULL));
	race_two(t, claim_all, &mine, &theirs);
	cr_assert(mine >= 0 && theirs >= 0, "claim failed: %d / %d", mine, theirs);
	cr_assert_eq(mine + theirs, RACE_REMINDERS, "%d + %d", mine, theirs);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM work_order_notification "
	                                     "WHERE attempts = 1 AND claimed_until IS NOT NULL",
	                                     NULL, 0, &once));
	cr_assert_eq(once, RACE_REMINDERS, "every notification claimed exactly once");
	free(id);
}
