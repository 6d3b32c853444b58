/*
 * PostgreSQL crashed mid-transaction (`pg_ctl stop -m immediate`: no
 * checkpoint, every backend killed, crash recovery on the next start) and
 * started again: the call running at that moment fails with
 * PCRM_ECONNECTION, nothing of its open transaction is stored, and the next
 * call on the same context reconnects and works.
 *
 * The test starts a server of its own in its worker (no other test may lose
 * its server), pgtmp's fast one, and its connections turn
 * synchronous_commit back on: with it off, an immediate stop loses
 * transactions whose commit had already returned (the first version of this
 * test saw a whole committed bank statement vanish that way), which is not
 * the library's fault.  fsync stays off: the operating system survives this
 * crash, so what the server wrote is there for recovery, as after a crash of
 * the server alone in production; an operating system crash is not simulated.  The crash is injected through
 * store_faults.h: before the N-th libpq call that the library makes inside
 * an open transaction, the server is stopped, then the call goes on against
 * the dead connection.  Two instances of each of the four jobs of
 * crash_world.h are crashed in turn on one store; each N comes from the
 * printed seed (PCRM_CRASH_SEED) out of the in-transaction calls the same
 * instance makes on a reference store that is never crashed, and at the end
 * both stores must hold the same business state.
 *
 * One exception to "the call fails": a crash that falls inside a libpq
 * pipeline (pg_pipeline() in lib/store/postgres.c sends the last statements
 * and COMMIT together, then reads their results).  The COMMIT may already
 * have reached the server, which commits it before it is stopped, and its
 * result may already be in the client's socket buffer; then the call
 * legitimately returns PCRM_OK, or PCRM_ECONNECTION with the transaction
 * stored (the client cannot know which, as with any lost COMMIT reply).
 * Either way the transaction is stored whole or not at all, and the rerun
 * stores it exactly once.
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

struct in_tx {
	int64_t seen;  /* libpq calls made inside a transaction so far */
	int64_t crash_at; /* crash before this one; 0: only count */
	char why[512];
	int crash_failed;
	int in_pipeline; /* the crash fell inside a pipeline: its COMMIT may have been sent */
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
	s->in_pipeline = PQpipelineStatus(pgconn) != PQ_PIPELINE_OFF;
	if (pcrm_test_pg_crash(s->why, sizeof(s->why)) != 0)
		s->crash_failed = 1;
	return 1;
}

#define INSTANCES 2 /* crash points per job */
#define JOBS 4

static const enum crash_job jobs[JOBS] = { JOB_PAYMENTS, JOB_BANK, JOB_BILLING, JOB_IMPORT };

/*
 * The reference: every instance of every job in the order the test crashes
 * them, uninterrupted, each on a fresh connection, counting the libpq calls
 * it makes inside transactions.
 */
static void count_calls_in_transactions(struct world *w, int64_t calls[JOBS][INSTANCES + 1])
{
	for (int j = 0; j < JOBS; j++)
		for (int i = 1; i <= INSTANCES; i++) {
			struct in_tx count = { 0, 0, "", 0, 0 };
			pcrm_ctx *ctx = world_open(w);
			cr_assert(ctx, "%s", pcrm_error_last());
			store_faults_reset();
			store_faults_arm(1, count_or_crash, &count);
			pcrm_assert_ok(world_run_job(ctx, w, jobs[j], i));
			store_faults_reset();
			pcrm_ctx_close(ctx);
			cr_assert_gt(count.seen, 0, "%s makes no call inside a transaction",
			             crash_job_name(jobs[j]));
			calls[j][i] = count.seen;
		}
}

/*
 * What the failed call left: only whole transactions, in order.  A billing
 * batch (4 accounts, their bills posted with them) and an import batch (4
 * lines) are one transaction each, so are a payment and a whole statement;
 * the statement's was open when the server died, so none of it is stored,
 * unless its COMMIT was already sent (`commit_sent`): then all of it may be.
 */
static void check_nothing_partial(pcrm_ctx *ctx, enum crash_job job, int instance,
                                  int commit_sent, const char *when)
{
	int items = world_job_items(job), prefix = 0;
	while (prefix < items && world_item_stored(ctx, job, instance, prefix + 1, when) == 1)
		prefix++;
	for (int k = prefix + 1; k <= items; k++)
		cr_assert_eq(world_item_stored(ctx, job, instance, k, when), 0,
		             "%s: item %d is stored but item %d is not", when, k, prefix + 1);
	if (job == JOB_BILLING || job == JOB_IMPORT)
		cr_assert_eq(prefix % 4, 0, "%s: %d items stored, not whole batches of 4", when,
		             prefix);
	if (job == JOB_BANK)
		cr_assert(prefix == 0 || (commit_sent && prefix == items),
		          "%s: %d of %d lines of the statement stored", when, prefix, items);
}

/* A fresh store on the test's server whose commits wait for their WAL to be written. */
static void create_store(struct world *w)
{
	static const char sync_commit[] = "&options=-c%20synchronous_commit%3Don";
	world_create(w, 1);
	cr_assert(strchr(w->uri, '?') && strlen(w->uri) + sizeof(sync_commit) <= sizeof(w->uri),
	          "%s", w->uri);
	strcat(w->uri, sync_commit);
	world_setup(w);
}

/* One crash: returns after the checks, the server running again. */
static void crash_once(struct world *w, enum crash_job job, int instance, int64_t at,
                       int64_t of, uint64_t seed)
{
	struct in_tx crash = { 0, at, "", 0, 0 };
	char when[200], why[512];
	pcrm_ctx *ctx = world_open(w);
	int rc;

	snprintf(when, sizeof(when),
	         "%s %d, server crashed before libpq call %" PRId64 " of %" PRId64
	         " inside transactions (PCRM_CRASH_SEED=%" PRIu64 ")",
	         crash_job_name(job), instance, at, of, seed);
	cr_assert(ctx, "%s", pcrm_error_last());
	store_faults_reset();
	store_faults_arm(1, count_or_crash, &crash);
	rc = world_run_job(ctx, w, job, instance);
	store_faults_reset();
	cr_assert(!crash.crash_failed, "%s: %s", when, crash.why);
	cr_assert_eq(crash.seen, at, "%s: the crash point was not reached", when);
	cr_assert(rc == PCRM_ECONNECTION || (rc == PCRM_OK && crash.in_pipeline),
	          "%s: the call returned %d (%s): %s", when, rc, pcrm_strerror(rc),
	          pcrm_error_last());
	cr_assert_eq(pcrm_test_pg_restart(why, sizeof(why)), 0, "%s: restart: %s", when, why);

	/* The same context: its first call reconnects. */
	if (rc == PCRM_OK) /* the COMMIT's reply arrived before the server died */
		world_check_exactly_once(ctx, job, instance, when);
	else
		check_nothing_partial(ctx, job, instance, crash.in_pipeline, when);
	world_check_consistent(ctx, when);
	rc = world_run_job(ctx, w, job, instance);
	cr_assert_eq(rc, PCRM_OK, "%s: the next call failed with %d (%s): %s", when, rc,
	             pcrm_strerror(rc), pcrm_error_last());
	world_check_exactly_once(ctx, job, instance, when);
	world_check_consistent(ctx, when);
	pcrm_ctx_close(ctx);
}

Test(pg_stop, crash_mid_transaction_then_restart, .timeout = 600)
{
	char why[512], *expected, *found;
	uint64_t seed = store_faults_seed(), state = seed ^ 0x5eed5eedu;
	int64_t calls[JOBS][INSTANCES + 1];
	struct world ref, w;
	int crashes = 0;

	if (pcrm_test_pg_start(why, sizeof(why)) != 0) {
		if (pcrm_test_pg_required())
			cr_assert_fail("PostgreSQL is required (CI=true) but did not start: %s", why);
		cr_skip_test("no PostgreSQL server: %s", why);
	}
	create_store(&ref);
	count_calls_in_transactions(&ref, calls);
	expected = world_take_state(&ref);

	create_store(&w);
	for (int j = 0; j < JOBS; j++)
		for (int i = 1; i <= INSTANCES; i++) {
			crash_once(&w, jobs[j], i, store_faults_pick(&state, calls[j][i]), calls[j][i],
			           seed);
			crashes++;
		}
	found = world_take_state(&w);
	world_assert_same_state(expected, found, "the crashed server's store against the reference");
	free(expected);
	free(found);
	pcrm_test_pg_stop();
	fprintf(stderr,
	        "pg_stop: %d server crashes mid-transaction survived, PCRM_CRASH_SEED=%" PRIu64 "\n",
	        crashes, seed);
}
