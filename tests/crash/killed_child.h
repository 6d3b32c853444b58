/*
 * A job run in a child process that kills itself (SIGKILL, through
 * store_faults.h) just before its n-th store call, for the crash tests that
 * kill one library call at every point (test_handover_crash.c,
 * test_dialler_crash.c).
 */
#ifndef PCRM_TEST_KILLED_CHILD_H
#define PCRM_TEST_KILLED_CHILD_H

#include <stdint.h>

#include "fixtures.h"

/** The job: runs on the child's own context of the test store. */
typedef int (*killed_child_job)(pcrm_ctx *ctx, pcrm_test_store *t);

/**
 * Runs `job` in a child on its own context of t's store, killed before store
 * call n (0: never).  Returns 1 when the child was killed, 0 when the job
 * finished with PCRM_OK; any other end fails the test.
 */
int killed_child_run(pcrm_test_store *t, int64_t n, killed_child_job job);

/**
 * On PostgreSQL, waits until the killed child's server session has ended,
 * so that the next step never races a COMMIT the child sent just before it
 * died; at once on SQLite.
 */
void killed_child_wait_session_gone(pcrm_ctx *ctx);

#endif
