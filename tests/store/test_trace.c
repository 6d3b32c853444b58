/*
 * The trace callback (powercrm/trace.h): statements with their SQL and
 * round trips, transactions, retries, counters of committed work only,
 * PostgreSQL notices; the mask; refused misuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store/store.h"

#define MAX_EVENTS 512

struct recorded {
	int n;
	pcrm_trace_kind kind[MAX_EVENTS];
	char text[MAX_EVENTS][160];
	int64_t duration[MAX_EVENTS], count[MAX_EVENTS];
	int status[MAX_EVENTS];
};

static void record(const pcrm_trace_event *ev, void *userdata)
{
	struct recorded *r = userdata;
	if (r->n >= MAX_EVENTS)
		return;
	r->kind[r->n] = ev->kind;
	snprintf(r->text[r->n], sizeof(r->text[0]), "%s", ev->text);
	r->duration[r->n] = ev->duration_ns;
	r->count[r->n] = ev->count;
	r->status[r->n] = ev->status;
	r->n++;
}

/* The sum of the counts of counter `name`, and how many events of `kind` there were. */
static int64_t counted(const struct recorded *r, const char *name)
{
	int64_t sum = 0;
	for (int i = 0; i < r->n; i++)
		if (r->kind[i] == PCRM_TRACE_COUNTER && strcmp(r->text[i], name) == 0)
			sum += r->count[i];
	return sum;
}

static int events(const struct recorded *r, pcrm_trace_kind kind)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += r->kind[i] == kind;
	return n;
}

static int64_t audit_rows(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM audit_log", NULL,
	                                     0, &n));
	return n;
}

PCRM_BACKEND_TEST(trace, statements_transactions_and_counters)
{
	struct recorded *r = calloc(1, sizeof(*r));
	int64_t before, statements = 0, found_insert = 0;

	cr_assert_not_null(r);
	make_tree(t->ctx);
	before = audit_rows(t);
	pcrm_assert_ok(pcrm_ctx_set_trace(t->ctx, PCRM_TRACE_ALL, record, r));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370103", "3701", "市中区",
	                                    PCRM_ORG_COUNTY));
	for (int i = 0; i < r->n; i++) {
		if (r->kind[i] != PCRM_TRACE_STATEMENT)
			continue;
		statements += r->count[i];
		cr_assert_geq(r->count[i], 1);
		cr_assert_geq(r->duration[i], 0);
		cr_assert_eq(r->status[i], PCRM_OK);
		cr_assert(strstr(r->text[i], "370103") == NULL, "parameters are never reported: %s",
		          r->text[i]);
		found_insert |= strstr(r->text[i], "INSERT INTO") != NULL ||
		                strstr(r->text[i], "COMMIT") != NULL;
	}
	cr_assert_gt(statements, 1);
	cr_assert(found_insert);
	cr_assert_eq(events(r, PCRM_TRACE_TRANSACTION), 1);
	for (int i = 0; i < r->n; i++)
		if (r->kind[i] == PCRM_TRACE_TRANSACTION) {
			cr_assert_str_eq(r->text[i], "commit");
			cr_assert_eq(r->status[i], PCRM_OK);
			cr_assert_gt(r->duration[i], 0);
		}
	/* the counter says what the store holds: one audit entry more */
	cr_assert_eq(counted(r, "audit.entries"), audit_rows(t) - before);
	cr_assert_eq(counted(r, "audit.entries"), 1);

	/* rolled-back work counts nothing; committed work counts at the commit */
	memset(r, 0, sizeof(*r));
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370104", "3701", "槐荫区",
	                                    PCRM_ORG_COUNTY));
	cr_assert_eq(counted(r, "audit.entries"), 0, "not before the commit");
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	cr_assert_eq(counted(r, "audit.entries"), 0);
	cr_assert_eq(events(r, PCRM_TRACE_TRANSACTION), 1);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370104", "3701", "槐荫区",
	                                    PCRM_ORG_COUNTY));
	/* a failed call inside the transaction rolls its savepoint back, and what it counted */
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &city_admin, "370104", "3701", "槐荫区",
	                                       PCRM_ORG_COUNTY),
	                  PCRM_EDUPLICATE, "370104");
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	cr_assert_eq(counted(r, "audit.entries"), audit_rows(t) - before - 1);

	/* the mask: counters only */
	memset(r, 0, sizeof(*r));
	pcrm_assert_ok(pcrm_ctx_set_trace(t->ctx, PCRM_TRACE_COUNTER, record, r));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370105", "3701", "天桥区",
	                                    PCRM_ORG_COUNTY));
	cr_assert_eq(r->n, 1);
	cr_assert_eq(r->kind[0], PCRM_TRACE_COUNTER);

	/* removed: nothing more */
	memset(r, 0, sizeof(*r));
	pcrm_assert_ok(pcrm_ctx_set_trace(t->ctx, 0, NULL, NULL));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370112", "3701", "历城区",
	                                    PCRM_ORG_COUNTY));
	cr_assert_eq(r->n, 0);
	free(r);
}

PCRM_BACKEND_TEST(trace, misuse_is_refused)
{
	struct recorded r;
	pcrm_assert_fails(pcrm_ctx_set_trace(t->ctx, 0x100, record, &r), PCRM_EINVAL, "mask");
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_fails(pcrm_ctx_set_trace(t->ctx, PCRM_TRACE_ALL, record, &r), PCRM_ESTATE,
	                  "a transaction is open");
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
}

/* A transaction the library runs again reports each retry with the store's reason. */
static int fail_twice(void *arg)
{
	int *calls = arg;
	return ++*calls <= 2 ? pcrm__error(PCRM_ERETRY, "deadlock (simulated) %d", *calls) : PCRM_OK;
}

PCRM_BACKEND_TEST(trace, retries_are_reported)
{
	struct recorded *r = calloc(1, sizeof(*r));
	int calls = 0, n = 0;
	cr_assert_not_null(r);
	pcrm_assert_ok(pcrm_ctx_set_trace(t->ctx, PCRM_TRACE_RETRY, record, r));
	pcrm_assert_ok(pcrm__store_transaction(t->ctx->store, fail_twice, &calls));
	for (int i = 0; i < r->n; i++) {
		cr_assert_eq(r->kind[i], PCRM_TRACE_RETRY);
		cr_assert_eq(r->count[i], n + 2, "attempt numbers: %lld", (long long)r->count[i]);
		cr_assert(strstr(r->text[i], "deadlock (simulated)") != NULL, "%s", r->text[i]);
		n++;
	}
	cr_assert_eq(n, 2);
	free(r);
}

/* PostgreSQL's notices go to the callback (and never to stderr). */
static void notices_body(pcrm_test_store *t)
{
	struct recorded *r = calloc(1, sizeof(*r));
	cr_assert_not_null(r);
	pcrm_assert_ok(pcrm_ctx_set_trace(t->ctx, PCRM_TRACE_NOTICE, record, r));
	pcrm_assert_ok(t->ctx->store->driver->exec_script(
	        t->ctx->store, "DO $$ BEGIN RAISE NOTICE 'meter % read twice', 42; "
	                       "RAISE WARNING 'tier table stale'; END $$"));
	cr_assert_eq(r->n, 2);
	cr_assert_str_eq(r->text[0], "NOTICE: meter 42 read twice");
	cr_assert_str_eq(r->text[1], "WARNING: tier table stale");
	free(r);
}

Test(trace_pg, notices_reach_the_callback, .timeout = 120)
{
	pcrm_test_run_pg(notices_body);
}
