/*
 * Ordinary concurrent work on one store, on SQLite (a file) and on
 * PostgreSQL: six processes started at the same instant,
 *
 *   two cashiers     24 counter payments each, to the same accounts, one in
 *                    the other's reverse order;
 *   two runs         July for city 3701 and July for county 370102 (a subtree
 *                    of it, whose account numbers interleave with the rest
 *                    of the city's), both with "post": true;
 *   a run and an     August for 3701 stored without posting, and issuance
 *   issuance         (pcrm_billing_post) of 3701: first of September, whose
 *                    16 bills were stored beforehand (so it posts while the
 *                    cashiers pay and the July runs post), then of August
 *                    twice while the August run goes on.
 *
 * Every job must finish with PCRM_OK: no deadlock or serialization failure
 * surfaced to the caller, no run aborted.  Afterwards (and after one more
 * issuance to post what the racing one came too early for) the store must
 * hold exactly what the same work done one job after the other holds: every
 * bill and payment once, no update lost (every account's standing equal),
 * every ledger the sum of its entries, the audit chain intact.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "crash_world.h"
#include "fixtures.h"
#include "pgtmp.h"


enum worker { CASHIER_A, CASHIER_B, RUN_CITY, RUN_COUNTY, RUN_AUGUST, ISSUANCE, WORKERS };

static const char *const worker_names[] = { "cashier A", "cashier B", "July run of 3701",
	                                    "July run of 370102", "August run of 3701",
	                                    "September and August issuance of 3701" };

static const char *run_spec(const char *org, int month, int post, int batch)
{
	static char spec[512];
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"%s\", \"period\": \"2026-%02d\", \"issue_date\": \"2026-%02d-01\","
	         " \"due_date\": \"2026-%02d-15\", \"post\": %s, \"batch_size\": %d,"
	         " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	         org, month, month + 1, month + 1, post ? "true" : "false", batch);
	return spec;
}

static const char *const issue_september = "{\"org_unit\": \"3701\", \"period\": \"2026-09\","
                                           " \"batch_size\": 3}";
static const char *const issue_august = "{\"org_unit\": \"3701\", \"period\": \"2026-08\","
                                        " \"batch_size\": 3}";

static int cashier(pcrm_ctx *ctx, const char *prefix, int reverse)
{
	for (int i = 1; i <= 24; i++) {
		int k = reverse ? 25 - i : i;
		char doc[256], account[16];
		int rc;
		snprintf(account, sizeof(account), "A%02d", 1 + k % WORLD_HOMES);
		snprintf(doc, sizeof(doc),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"%s-%02d\", \"amount\": "
		         "\"%d.%02d\", \"channel\": \"counter\"}",
		         prefix, k, 20 + k, (k * 13) % 100);
		if ((rc = pcrm_ledger_post(ctx, &city_agent, account, doc, NULL)) != PCRM_OK)
			return rc;
	}
	return PCRM_OK;
}

static int do_work(pcrm_ctx *ctx, enum worker w)
{
	int rc = PCRM_OK;
	switch (w) {
	case CASHIER_A:
		return cashier(ctx, "CA", 0);
	case CASHIER_B:
		return cashier(ctx, "CB", 1);
	case RUN_CITY:
		return pcrm_billing_run(ctx, &city_admin, run_spec("3701", 7, 1, 4), NULL, NULL, NULL);
	case RUN_COUNTY:
		return pcrm_billing_run(ctx, &city_admin, run_spec("370102", 7, 1, 3), NULL, NULL,
		                        NULL);
	case RUN_AUGUST:
		return pcrm_billing_run(ctx, &city_admin, run_spec("3701", 8, 0, 4), NULL, NULL, NULL);
	case ISSUANCE:
		rc = pcrm_billing_post(ctx, &city_admin, issue_september, NULL, NULL, NULL);
		for (int i = 0; i < 2 && rc == PCRM_OK; i++)
			rc = pcrm_billing_post(ctx, &city_admin, issue_august, NULL, NULL, NULL);
		return rc;
	case WORKERS:
		break;
	}
	return PCRM_EINVAL;
}

/* What a worker reports through its pipe: its status and, on failure, the message. */
struct outcome {
	int rc;
	char message[400];
};

/* All workers at once: each opens its context, then waits for the start signal. */
static void run_together(struct world *w, struct outcome out[WORKERS])
{
	int go[2], results[WORKERS][2];
	pid_t pids[WORKERS];

	cr_assert_eq(pipe(go), 0);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < WORKERS; i++) {
		cr_assert_eq(pipe(results[i]), 0);
		pids[i] = fork();
		cr_assert(pids[i] >= 0, "fork");
		if (pids[i] == 0) {
			struct outcome o;
			char byte;
			pcrm_ctx *ctx = world_open(w);
			memset(&o, 0, sizeof(o));
			close(go[1]);
			close(results[i][0]);
			/* end of file on the start pipe is the signal: every worker sees it at once */
			while (read(go[0], &byte, 1) > 0)
				;
			o.rc = ctx ? do_work(ctx, (enum worker)i) : PCRM_ECONNECTION;
			if (o.rc != PCRM_OK)
				snprintf(o.message, sizeof(o.message), "%s", pcrm_error_last());
			pcrm_ctx_close(ctx);
			_exit(write(results[i][1], &o, sizeof(o)) == (ssize_t)sizeof(o) ? 0 : 2);
		}
		close(results[i][1]);
	}
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < WORKERS; i++) {
		int status = 0;
		out[i].rc = -100;
		snprintf(out[i].message, sizeof(out[i].message), "the worker reported nothing");
		if (read(results[i][0], &out[i], sizeof(out[i])) != (ssize_t)sizeof(out[i]))
			out[i].rc = -100;
		close(results[i][0]);
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
	}
}

/* The archive, and September's bills stored (not posted) for the issuance to post. */
static void prepare(struct world *w, int pg)
{
	pcrm_ctx *ctx;
	world_create(w, pg);
	world_setup(w);
	ctx = world_open(w);
	cr_assert(ctx, "%s", pcrm_error_last());
	pcrm_assert_ok(pcrm_billing_run(ctx, &city_admin, run_spec("3701", 9, 0, 8), NULL, NULL,
	                                NULL));
	pcrm_ctx_close(ctx);
}

static char *state_after(struct world *w)
{
	pcrm_ctx *ctx = world_open(w);
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	char *state;
	cr_assert(ctx, "%s", pcrm_error_last());
	/* what the racing issuance came too early for */
	pcrm_assert_ok(pcrm_billing_post(ctx, &city_admin, issue_august, NULL, NULL, &ps));
	cr_assert_eq(ps.posted + ps.already_posted + ps.nothing_owed, WORLD_HOMES,
	             "August: %" PRId64 " posted, %" PRId64 " before, %" PRId64 " owe nothing",
	             ps.posted, ps.already_posted, ps.nothing_owed);
	world_check_consistent(ctx, "after the concurrent jobs");
	state = world_state(ctx, 0);
	pcrm_ctx_close(ctx);
	return state;
}

static void concurrent_jobs(int pg)
{
	struct world ref, w;
	struct outcome out[WORKERS];
	char *expected, *found;
	int failed = 0;
	char failures[2048] = "";
	size_t flen = 0;

	/* the same work, one job after the other */
	prepare(&ref, pg);
	{
		pcrm_ctx *ctx = world_open(&ref);
		cr_assert(ctx, "%s", pcrm_error_last());
		for (int i = 0; i < WORKERS; i++)
			cr_assert_eq(do_work(ctx, (enum worker)i), PCRM_OK, "%s alone: %s",
			             worker_names[i], pcrm_error_last());
		pcrm_ctx_close(ctx);
	}
	expected = state_after(&ref);
	world_remove(&ref);

	prepare(&w, pg);
	run_together(&w, out);
	for (int i = 0; i < WORKERS; i++) {
		if (out[i].rc == PCRM_OK)
			continue;
		failed++;
		flen += (size_t)snprintf(failures + flen, sizeof(failures) - flen, "\n  %s: %d (%s): %s",
		                         worker_names[i], out[i].rc,
		                         out[i].rc > -100 ? pcrm_strerror(out[i].rc) : "no report",
		                         out[i].message);
		if (flen >= sizeof(failures))
			flen = sizeof(failures) - 1;
	}
	cr_assert_eq(failed, 0, "%s: %d of %d concurrent jobs failed:%s", pg ? "postgresql" : "sqlite",
	             failed, WORKERS, failures);
	found = state_after(&w);
	world_assert_same_state(expected, found, "concurrent work against the same work in sequence");
	free(expected);
	free(found);
	world_remove(&w);
	fprintf(stderr, "concurrency: %s: %d concurrent jobs finished, state equal to sequential\n",
	        pg ? "postgresql" : "sqlite", WORKERS);
}

Test(concurrency_sqlite, payments_runs_and_issuance_at_once, .timeout = 600)
{
	concurrent_jobs(0);
}

Test(concurrency_pg, payments_runs_and_issuance_at_once, .timeout = 600)
{
	concurrent_jobs(1);
}
