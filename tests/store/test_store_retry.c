/*
 * pcrm__store_transaction(): a transaction the library owns is run again
 * after PCRM_ERETRY (a real PostgreSQL deadlock here), one inside a
 * caller's transaction is not, and every attempt starts from nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "race.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store/store.h"

struct counted {
	pcrm_store *st;
	int calls;
	int fail_first; /* this many attempts fail with PCRM_ERETRY after writing */
};

/* Writes a row, then fails with PCRM_ERETRY while fail_first lasts. */
static int write_then_maybe_fail(void *arg)
{
	struct counted *c = arg;
	pcrm_sql_value v[1] = { PCRM_SQL_I(++c->calls) };
	int rc = pcrm__store_exec(c->st, "INSERT INTO retry_probe (attempt) VALUES ($1)", v, 1, NULL);
	if (rc == PCRM_OK && c->calls <= c->fail_first)
		rc = pcrm__error(PCRM_ERETRY, "attempt %d: deadlock (simulated)", c->calls);
	return rc;
}

static int64_t rows_of(pcrm_store *st)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(st, "SELECT COUNT(*) FROM retry_probe", NULL, 0, &n));
	return n;
}

PCRM_BACKEND_TEST(store_retry, an_owned_transaction_is_run_again_and_keeps_one_attempt)
{
	pcrm_store *st = t->ctx->store;
	struct counted c = { st, 0, 2 };

	pcrm_assert_ok(pcrm__store_exec(st, "CREATE TABLE retry_probe (attempt BIGINT)", NULL, 0,
	                                NULL));
	pcrm_assert_ok(pcrm__store_transaction(st, write_then_maybe_fail, &c));
	cr_assert_eq(c.calls, 3);
	cr_assert_eq(rows_of(st), 1, "the failed attempts left nothing");

	/* never more than eight attempts: the last PCRM_ERETRY is the answer */
	c.calls = 0;
	c.fail_first = 100;
	pcrm_assert_fails(pcrm__store_transaction(st, write_then_maybe_fail, &c), PCRM_ERETRY,
	                  "attempt 8");
	cr_assert_eq(c.calls, 8);
	cr_assert_eq(rows_of(st), 1);
	cr_assert_eq(st->tx_depth, 0);
}

PCRM_BACKEND_TEST(store_retry, inside_a_callers_transaction_the_retry_is_the_callers)
{
	pcrm_store *st = t->ctx->store;
	struct counted c = { st, 0, 1 };

	pcrm_assert_ok(pcrm__store_exec(st, "CREATE TABLE retry_probe (attempt BIGINT)", NULL, 0,
	                                NULL));
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec(st, "INSERT INTO retry_probe (attempt) VALUES (0)", NULL, 0,
	                                NULL));
	pcrm_assert_fails(pcrm__store_transaction(st, write_then_maybe_fail, &c), PCRM_ERETRY,
	                  "attempt 1");
	cr_assert_eq(c.calls, 1, "only the caller can run its transaction again");
	cr_assert_eq(st->tx_depth, 1, "the caller's transaction is still open");
	cr_assert_eq(rows_of(st), 1, "the savepoint rolled back, the caller's row stays");
	pcrm_assert_ok(pcrm__store_commit(st));
}

/* ---- a real deadlock (PostgreSQL) ---- */

struct crossing {
	pcrm_store *st;
	int first, second; /* the rows it locks, in this order */
	int calls;
};

static void nap(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static int lock_crossing(void *arg)
{
	struct crossing *c = arg;
	pcrm_sql_value a[1] = { PCRM_SQL_I(c->first) }, b[1] = { PCRM_SQL_I(c->second) };
	int rc = pcrm__store_exec(c->st, "UPDATE retry_pair SET v = v + 1 WHERE id = $1", a, 1, NULL);
	c->calls++;
	if (rc == PCRM_OK && c->calls == 1)
		nap(300); /* the other process takes its first row meanwhile */
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(c->st, "UPDATE retry_pair SET v = v + 1 WHERE id = $1", b, 1,
		                      NULL);
	return rc;
}

/* Locks row 1 then 2 (`up`) or 2 then 1; the number of attempts, or the failure. */
static int cross(pcrm_test_store *t, int up)
{
	pcrm_ctx *ctx = NULL;
	struct crossing c = { NULL, up ? 1 : 2, up ? 2 : 1, 0 };
	int rc = open_another(t, &ctx);
	if (rc == PCRM_OK) {
		c.st = ctx->store;
		rc = pcrm__store_transaction(ctx->store, lock_crossing, &c);
	}
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? c.calls : rc;
}

static int cross_up(pcrm_test_store *t) { return cross(t, 1); }
static int cross_down(pcrm_test_store *t) { return cross(t, 0); }

PCRM_BACKEND_TEST(store_retry, a_deadlock_between_two_processes_is_retried_and_both_finish)
{
	int up = 0, down = 0;
	int64_t sum = -1;

	if (strcmp(pcrm_ctx_backend(t->ctx), "postgresql") != 0)
		return; /* SQLite: one writer at a time (BEGIN IMMEDIATE), nothing can deadlock */
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "CREATE TABLE retry_pair (id INT PRIMARY KEY, v INT)", NULL,
	                                0, NULL));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "INSERT INTO retry_pair VALUES (1, 0), (2, 0)", NULL, 0,
	                                NULL));
	race_pair(t, cross_up, cross_down, &up, &down);
	cr_assert(up > 0 && down > 0, "up: %d, down: %d", up, down);
	cr_assert_eq(up + down, 3, "one of the two was chosen as the victim and ran again: %d, %d",
	             up, down);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT SUM(v) FROM retry_pair", NULL,
	                                     0, &sum));
	cr_assert_eq(sum, 4, "each transaction committed once");
}
