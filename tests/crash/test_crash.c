/*
 * kill -9 at reproducibly chosen points of four jobs, on SQLite (a file) and
 * on PostgreSQL (the throwaway server), then the job run again to its end.
 *
 * For each store and job, two worlds are built the same way (crash_world.h).
 * The reference world runs instances 1..3 of the job without interruption,
 * each on a fresh connection, and store_faults.h counts the store calls each
 * instance makes: T1, T2, T3.  The crash world runs each instance i in a
 * forked child that kills itself with SIGKILL just before store call N_i,
 * then its rerun, in another child, before call M_i (a rerun has less to do
 * and may finish first), N_i and M_i drawn from 1..T_i by a generator seeded
 * from the printed seed (PCRM_CRASH_SEED=<seed> repeats a run's points
 * exactly).  After each kill the store as the crash left it must be
 * consistent (every ledger's balance the sum of its entries, the audit chain
 * verifying).  Then the instance run again in this process must succeed and
 * report as already there exactly the items the killed runs had stored (its
 * summary, replayed entries, "matched" lines); every item (bill, payment,
 * customer, bank transaction) must then be stored exactly once; and at the
 * end the crash world's business state must equal the reference world's,
 * line by line.
 *
 * Why a self-inflicted SIGKILL at a counted call rather than a kill from the
 * parent after a delay: the library's calls are the same sequence on every
 * run, so a seed names the same point on every machine and under any load;
 * a timer would name a different point each time.  Every point between two
 * calls to the database is reachable this way, which is where a client's
 * death matters (what the server or the SQLite file holds); a kill inside a
 * call (half a message sent, half a page written) tests the database's own
 * atomicity, which this does not.
 *
 * 4 jobs x 3 instances x 2 stores = 24 first kills per run of the suite,
 * and up to 24 more in reruns.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "crash_world.h"
#include "pgtmp.h"
#include "store_faults.h"

#define INSTANCES 3


/*
 * Runs instance `instance` of `job` in a child that SIGKILLs itself before
 * store call `n`.  Returns 1 when it was killed, 0 when the job finished
 * before reaching call n (a rerun, which has less to do); a job that failed
 * fails the test.
 */
static int run_killed(struct world *w, enum crash_job job, int instance, int64_t n,
                      const char *when)
{
	int status = 0;
	pid_t child;

	fflush(stdout);
	fflush(stderr);
	child = fork();
	cr_assert(child >= 0, "fork");
	if (child == 0) {
		pcrm_ctx *ctx = world_open(w);
		int rc;
		if (!ctx) {
			fprintf(stderr, "%s: open: %s\n", when, pcrm_error_last());
			_exit(3);
		}
		store_faults_reset();
		store_faults_kill_at(n);
		rc = world_run_job(ctx, w, job, instance);
		if (rc != PCRM_OK)
			fprintf(stderr, "%s: the job failed with %d: %s\n", when, rc, pcrm_error_last());
		_exit(rc == PCRM_OK ? 0 : 4);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 1;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "%s: the child neither died of SIGKILL nor finished (status %d; its stderr says why)",
	          when, status);
	return 0;
}

/* Store calls of each instance of `job`, run to its end in the reference world. */
static void run_reference(struct world *w, enum crash_job job, int64_t calls[INSTANCES + 1])
{
	for (int i = 1; i <= INSTANCES; i++) {
		pcrm_ctx *ctx = world_open(w);
		cr_assert(ctx, "open: %s", pcrm_error_last());
		store_faults_reset();
		pcrm_assert_ok(world_run_job(ctx, w, job, i));
		calls[i] = store_faults_calls();
		cr_assert_gt(calls[i], 1);
		world_check_exactly_once(ctx, job, i, "reference");
		pcrm_ctx_close(ctx);
	}
}

/* What one store and job went through, for the summary line. */
struct tally {
	int kills, rerun_kills, reruns_finished_first;
	int stored, items;
	char points[512];
	size_t plen;
};

/* The items of the instance stored now, each at least once. */
static int items_stored(pcrm_ctx *ctx, enum crash_job job, int instance, const char *when)
{
	int stored = 0;
	for (int k = 1; k <= world_job_items(job); k++)
		stored += world_item_stored(ctx, job, instance, k, when) > 0;
	return stored;
}

/*
 * One instance on the crash store: killed before call `first`, its rerun
 * killed before call `second` (when it gets that far), then run to its end.
 */
static void crash_instance(struct world *w, const char *store, enum crash_job job, int instance,
                           int64_t first, int64_t second, int64_t calls, uint64_t seed,
                           struct tally *t)
{
	struct job_report report;
	char when[200];
	pcrm_ctx *ctx;
	int stored, rerun_killed;

	snprintf(when, sizeof(when),
	         "%s, %s %d, killed before store call %" PRId64 " of %" PRId64
	         " (PCRM_CRASH_SEED=%" PRIu64 ")",
	         store, crash_job_name(job), instance, first, calls, seed);
	cr_assert(run_killed(w, job, instance, first, when), "%s: the kill point was not reached",
	          when);
	t->kills++;
	ctx = world_open(w);
	cr_assert(ctx, "%s: reopening: %s", when, pcrm_error_last());
	world_check_consistent(ctx, when);
	pcrm_ctx_close(ctx);

	snprintf(when, sizeof(when),
	         "%s, %s %d, killed before store call %" PRId64 ", its rerun before call %" PRId64
	         " (PCRM_CRASH_SEED=%" PRIu64 ")",
	         store, crash_job_name(job), instance, first, second, seed);
	rerun_killed = run_killed(w, job, instance, second, when);
	t->rerun_kills += rerun_killed;
	t->reruns_finished_first += !rerun_killed;

	ctx = world_open(w);
	cr_assert(ctx, "%s: reopening: %s", when, pcrm_error_last());
	world_check_consistent(ctx, when);
	stored = items_stored(ctx, job, instance, when);
	cr_assert_eq(world_run_job_report(ctx, w, job, instance, &report), PCRM_OK,
	             "%s: running it again failed: %s", when, pcrm_error_last());
	/* the rerun says what it skipped: exactly what the killed runs had stored */
	cr_assert(report.already == stored && report.written + stored == world_job_items(job),
	          "%s: %d of %d items were stored; the rerun wrote %" PRId64 " and found %" PRId64
	          " already there",
	          when, stored, world_job_items(job), report.written, report.already);
	world_check_exactly_once(ctx, job, instance, when);
	world_check_consistent(ctx, when);
	pcrm_ctx_close(ctx);

	t->stored += stored;
	t->items += world_job_items(job);
	t->plen += (size_t)snprintf(t->points + t->plen, sizeof(t->points) - t->plen,
	                            "%s%" PRId64 "%s%" PRId64 "/%" PRId64, t->plen ? ", " : "",
	                            first, rerun_killed ? "+" : "+(finished before) ", second, calls);
	if (t->plen >= sizeof(t->points))
		t->plen = sizeof(t->points) - 1;
}

static void crash_job(int pg, enum crash_job job)
{
	const char *store = pg ? "postgresql" : "sqlite";
	uint64_t seed = store_faults_seed();
	uint64_t state = seed ^ ((uint64_t)(job + 1) * 0x9e3779b97f4a7c15ULL) ^ (pg ? 0xa5a5u : 0);
	int64_t calls[INSTANCES + 1];
	struct world ref, crash;
	struct tally t;
	char *expected, *found;

	memset(&t, 0, sizeof(t));
	world_create(&ref, pg);
	world_setup(&ref);
	run_reference(&ref, job, calls);
	expected = world_take_state(&ref);

	world_create(&crash, pg);
	world_setup(&crash);
	for (int i = 1; i <= INSTANCES; i++) {
		int64_t first = store_faults_pick(&state, calls[i]);
		int64_t second = store_faults_pick(&state, calls[i]);
		crash_instance(&crash, store, job, i, first, second, calls[i], seed, &t);
	}
	found = world_take_state(&crash);
	world_assert_same_state(expected, found, "the crashed store against the uninterrupted one");
	free(expected);
	free(found);
	/* One line per job and store for docs/reliability.md; meson keeps it in the test log. */
	fprintf(stderr,
	        "crash: %s, %s: %d kill points survived, %d of them in a rerun (reruns that finished "
	        "before their point: %d); store call of the kill+of the rerun's kill/calls: %s; %d of %d "
	        "items were stored when the final rerun began; PCRM_CRASH_SEED=%" PRIu64 "\n",
	        store, crash_job_name(job), t.kills + t.rerun_kills, t.rerun_kills,
	        t.reruns_finished_first, t.points, t.stored, t.items, seed);
}

#define CRASH_TESTS(suite, pg)                                                         \
	Test(suite, billing_run_with_posting, .timeout = 600)                          \
	{                                                                              \
		crash_job(pg, JOB_BILLING);                                            \
	}                                                                              \
	Test(suite, payment_stream, .timeout = 600)                                    \
	{                                                                              \
		crash_job(pg, JOB_PAYMENTS);                                           \
	}                                                                              \
	Test(suite, customer_import, .timeout = 600)                                   \
	{                                                                              \
		crash_job(pg, JOB_IMPORT);                                             \
	}                                                                              \
	Test(suite, bank_statement_posting, .timeout = 600)                            \
	{                                                                              \
		crash_job(pg, JOB_BANK);                                               \
	}

CRASH_TESTS(crash_sqlite, 0)
CRASH_TESTS(crash_pg, 1)
