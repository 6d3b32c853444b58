/*
 * PostgreSQL crashed mid-transaction (`pg_ctl stop -m immediate`, as a power
 * cut or an OOM kill of the postmaster would) and started again: the call
 * running at that moment fails with PCRM_ECONNECTION, nothing of its open
 * transaction is stored, and the next call on the same context reconnects
 * and works.
 *
 * The test starts a server of its own (pgtmp's durable one: fsync on, as in
 * production, so crash recovery is the real thing), never the one other
 * tests share.  The crash is injected through store_faults.h: before the
 * N-th libpq call that the library makes inside an open transaction, the
 * server is stopped, then the call goes on against the dead connection.  N
 * comes from the printed seed (PCRM_CRASH_SEED), out of the in-transaction
 * calls an uninterrupted run of the same job makes on a reference database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "backend.h"
#include "crash_world.h"
#include "fixtures.h"
#include "pgtmp.h"
#include "store_faults.h"

#define POINTS_PER_JOB 2

struct in_tx {
	int64_t seen;  /* libpq calls made inside a transaction so far */
	int64_t crash_at; /* crash before this one; 0: only count */
	char why[512];
	int crash_failed;
};

static int count_or_crash(void *pgconn, void *userdata)
{
	struct in_tx *s = userdata;
	PGTransactionStatusType ts;
	if (!pgconn)
		return 0;
	ts = PQtransactionStatus(pgconn);
	if (ts != PQTRANS_INTRANS && ts != PQTRANS_ACTIVE && ts != PQTRANS_INERROR)
		return 0;
	if (++s->seen != s->crash_at)
		return 0;
	if (pcrm_test_pg_crash(s->why, sizeof(s->why)) != 0)
		s->crash_failed = 1;
	return 1;
}

/* The libpq calls an uninterrupted run of `job` makes inside transactions. */
static int64_t calls_in_transactions(struct world *w, enum crash_job job)
{
	struct in_tx count = { 0, 0, "", 0 };
	pcrm_ctx *ctx = world_open(w);
	cr_assert(ctx, "%s", pcrm_error_last());
	store_faults_reset();
	store_faults_arm(1, count_or_crash, &count);
	pcrm_assert_ok(world_run_job(ctx, w, job, 1));
	store_faults_reset();
	pcrm_ctx_close(ctx);
	cr_assert_gt(count.seen, 0, "%s makes no call inside a transaction", crash_job_name(job));
	return count.seen;
}

/* How many of the 1-based numbered items `stored(k)` holds, asserting they are a prefix. */
static int stored_prefix(pcrm_ctx *ctx, int items, int (*stored)(pcrm_ctx *, int),
                         const char *what)
{
	int prefix = 0;
	while (prefix < items && stored(ctx, prefix + 1))
		prefix++;
	for (int k = prefix + 1; k <= items; k++)
		cr_assert(!stored(ctx, k), "%s: item %d is stored but item %d is not", what, k,
		          prefix + 1);
	return prefix;
}

static int bill_stored(pcrm_ctx *ctx, int k)
{
	char no[16];
	pcrm_bill_list *l = NULL;
	size_t n;
	snprintf(no, sizeof(no), "C%02d", k);
	pcrm_assert_ok(pcrm_bill_list_load(ctx, &root_admin, no, "2026-07", "2026-07", &l));
	n = pcrm_bill_list_count(l);
	cr_assert(n == 0 || pcrm_bill_list_at(l, 0)->posted, "bill of %s stored but not posted",
	          no);
	pcrm_bill_list_free(l);
	return n > 0;
}

static int ledger_has(pcrm_ctx *ctx, const char *account, const char *ref)
{
	pcrm_ledger_list *l = NULL;
	int found = 0;
	pcrm_assert_ok(pcrm_ledger_load(ctx, &root_admin, account, &l));
	for (size_t i = 0; i < pcrm_ledger_list_count(l); i++)
		found += strcmp(pcrm_ledger_list_at(l, i)->ref, ref) == 0;
	pcrm_ledger_list_free(l);
	return found;
}

/* Mirrors crash_world.c's payment_of() and bank_line_of() for instance 1. */
static int payment_stored(pcrm_ctx *ctx, int k)
{
	char key[32], account[16];
	snprintf(key, sizeof(key), "S1-%02d", k);
	snprintf(account, sizeof(account), "A%02d", 1 + (k * 5 + 1) % WORLD_HOMES);
	return ledger_has(ctx, account, key);
}

static int customer_stored(pcrm_ctx *ctx, int k)
{
	char no[16];
	pcrm_customer *c = NULL;
	int rc;
	snprintf(no, sizeof(no), "I1-%02d", k);
	rc = pcrm_customer_get(ctx, &root_admin, no, 0, &c);
	pcrm_customer_free(c);
	cr_assert(rc == PCRM_OK || rc == PCRM_ENOTFOUND, "%s: %s", no, pcrm_error_last());
	return rc == PCRM_OK;
}

static int bank_line_stored(pcrm_ctx *ctx, int k)
{
	char id[32], account[16];
	snprintf(id, sizeof(id), "T1-%02d", k);
	snprintf(account, sizeof(account), "A%02d", 1 + (k * 3 + 7) % WORLD_HOMES);
	return ledger_has(ctx, account, id);
}

/*
 * What the failed call left: only whole transactions.  A billing batch (4
 * accounts, bills posted with them), an import batch (4 lines) and a
 * statement (16 lines) are each one transaction; a payment is one.
 */
static void check_nothing_partial(pcrm_ctx *ctx, enum crash_job job, const char *when)
{
	int n;
	switch (job) {
	case JOB_BILLING:
		n = stored_prefix(ctx, WORLD_HOMES, bill_stored, when);
		cr_assert_eq(n % 4, 0, "%s: %d bills stored, not whole batches of 4", when, n);
		break;
	case JOB_PAYMENTS:
		(void)stored_prefix(ctx, 24, payment_stored, when);
		break;
	case JOB_IMPORT:
		n = stored_prefix(ctx, 20, customer_stored, when);
		cr_assert_eq(n % 4, 0, "%s: %d customers stored, not whole batches of 4", when, n);
		break;
	case JOB_BANK:
		n = stored_prefix(ctx, 16, bank_line_stored, when);
		cr_assert_eq(n, 0, "%s: %d lines of the statement stored, its transaction was open",
		             when, n);
		break;
	}
}

static void crash_server_during(enum crash_job job, uint64_t seed, uint64_t *state, int *crashes)
{
	struct world ref, w;
	int64_t in_tx;
	pcrm_ctx *ctx;

	world_create(&ref, 1);
	world_setup(&ref);
	in_tx = calls_in_transactions(&ref, job);
	world_remove(&ref);

	for (int p = 0; p < POINTS_PER_JOB; p++) {
		struct in_tx crash = { 0, store_faults_pick(state, in_tx), "", 0 };
		char when[200];
		int rc;
		snprintf(when, sizeof(when),
		         "%s, server crashed before libpq call %" PRId64 " of %" PRId64
		         " inside transactions (PCRM_CRASH_SEED=%" PRIu64 ")",
		         crash_job_name(job), crash.crash_at, in_tx, seed);
		world_create(&w, 1);
		world_setup(&w);
		ctx = world_open(&w);
		cr_assert(ctx, "%s", pcrm_error_last());

		store_faults_reset();
		store_faults_arm(1, count_or_crash, &crash);
		rc = world_run_job(ctx, &w, job, 1);
		store_faults_reset();
		cr_assert(!crash.crash_failed, "%s: %s", when, crash.why);
		cr_assert_eq(crash.seen, crash.crash_at, "%s: the crash point was not reached", when);
		cr_assert_eq(rc, PCRM_ECONNECTION, "%s: the call returned %d (%s): %s", when, rc,
		             pcrm_strerror(rc), pcrm_error_last());
		(*crashes)++;

		{
			char why[512];
			cr_assert_eq(pcrm_test_pg_restart(why, sizeof(why)), 0, "%s: restart: %s", when,
			             why);
		}
		/* The same context: its first call reconnects. */
		check_nothing_partial(ctx, job, when);
		world_check_consistent(ctx, when);
		rc = world_run_job(ctx, &w, job, 1);
		cr_assert_eq(rc, PCRM_OK, "%s: the next call failed with %d: %s", when, rc,
		             pcrm_error_last());
		world_check_exactly_once(ctx, &w, job, 1, when);
		world_check_consistent(ctx, when);
		pcrm_ctx_close(ctx);
		world_remove(&w);
	}
}

Test(pg_stop, crash_mid_transaction_then_restart, .timeout = 600)
{
	char why[512];
	uint64_t seed = store_faults_seed(), state = seed ^ 0x5eed5eedu;
	int crashes = 0;
	static const enum crash_job jobs[] = { JOB_PAYMENTS, JOB_IMPORT, JOB_BANK, JOB_BILLING };

	if (pcrm_test_pg_start_durable(why, sizeof(why)) != 0) {
		if (pcrm_test_pg_required())
			cr_assert_fail("PostgreSQL is required (CI=true) but did not start: %s", why);
		cr_skip_test("no PostgreSQL server: %s", why);
	}
	for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++)
		crash_server_during(jobs[j], seed, &state, &crashes);
	pcrm_test_pg_stop();
	fprintf(stderr,
	        "pg_stop: %d server crashes mid-transaction survived, PCRM_CRASH_SEED=%" PRIu64 "\n",
	        crashes, seed);
}
