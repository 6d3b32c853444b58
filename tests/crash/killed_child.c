/* See killed_child.h. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/ctx.h"
#include "killed_child.h"
#include "store/store.h"
#include "store_faults.h"

int killed_child_run(pcrm_test_store *t, int64_t n, killed_child_job job)
{
	int status = 0;
	pid_t child;

	fflush(stdout);
	fflush(stderr);
	child = fork();
	cr_assert(child >= 0, "fork");
	if (child == 0) {
		pcrm_ctx_options opts;
		pcrm_ctx *ctx = NULL;
		int rc;
		pcrm_test_options(t, &opts);
		if (pcrm_ctx_open(&ctx, t->uri, &opts) != PCRM_OK) {
			fprintf(stderr, "open: %s\n", pcrm_error_last());
			_exit(3);
		}
		store_faults_reset();
		if (n > 0)
			store_faults_kill_at(n);
		rc = job(ctx, t);
		if (rc != PCRM_OK)
			fprintf(stderr, "the job failed with %d: %s\n", rc, pcrm_error_last());
		_exit(rc == PCRM_OK ? 0 : 4);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 1;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "the child neither died of SIGKILL nor finished (status %d)", status);
	return 0;
}

void killed_child_wait_session_gone(pcrm_ctx *ctx)
{
	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES)
		return;
	for (int i = 0; i < 2000; i++) {
		int64_t others = -1;
		pcrm_assert_ok(pcrm__store_query_int(
			ctx->store,
			"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
			" AND pid <> pg_backend_pid()",
			NULL, 0, &others));
		if (others == 0)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	cr_assert_fail("the killed child's session did not end within 20 s");
}
