/*
 * A throwaway PostgreSQL server for the tests.
 *
 * The first call in a test program's runner process (a Criterion PRE_ALL
 * hook, see backend.c) runs initdb + pg_ctl in a fresh temporary directory,
 * listening only on a Unix socket in that directory, as an unprivileged
 * user when the tests run as root; the POST_ALL hook stops it and removes the
 * directory.  Each test gets a database of its own.
 *
 * When PCRM_TEST_PG_URI is set in the environment, that server is used
 * instead and nothing is started.
 */
#ifndef PCRM_TEST_PGTMP_H
#define PCRM_TEST_PGTMP_H

/**
 * Starts the server (once per process tree; later calls are no-ops) and
 * exports its location through the environment so forked test workers find
 * it.  Returns 0 on success; on failure returns -1 and fills `why`.
 */
int pcrm_test_pg_start(char *why, unsigned long why_size);

/**
 * Like pcrm_test_pg_start(), but the server keeps PostgreSQL's durability
 * defaults (fsync, full_page_writes and synchronous_commit on), so a commit
 * returns only after its WAL reached the disk.  The tests use the fast,
 * non-durable server; benchmarks of durable work use this one.  Fails when
 * this process already runs a non-durable server (stop it first).  With
 * PCRM_TEST_PG_URI set, that server is used as it is configured.
 */
int pcrm_test_pg_start_durable(char *why, unsigned long why_size);

/** Stops the server started by pcrm_test_pg_start() or _durable() and removes its directory. */
void pcrm_test_pg_stop(void);

/**
 * Crashes the server as a power cut would: `pg_ctl stop -m immediate` (no
 * checkpoint, connections dropped, the next start runs crash recovery),
 * keeping its directory.  Only the process that started the server may do
 * this, so a test crashes a server of its own, never one other tests share.
 * Returns 0, or -1 with `why` filled.
 */
int pcrm_test_pg_crash(char *why, unsigned long why_size);

/**
 * Starts a server stopped by pcrm_test_pg_crash() again on the same
 * directory and socket, and waits until recovery ends and it accepts
 * connections.  Owner only, like the crash.  Returns 0, or -1 with `why`.
 */
int pcrm_test_pg_restart(char *why, unsigned long why_size);

/**
 * Creates a fresh, empty database on the running server and returns a libpq
 * URI for it ("postgresql:///db?host=/tmp/...&user=..."), or NULL with
 * `why` filled.  The string is static storage, valid until the next call.
 */
const char *pcrm_test_pg_new_database(char *why, unsigned long why_size);

/** Drops the database created last by pcrm_test_pg_new_database() (best effort). */
void pcrm_test_pg_drop_database(void);

/**
 * Nonzero when PostgreSQL tests must run: CI=true in the environment.  Then a
 * server that cannot be started is a test failure, never a skip.
 */
int pcrm_test_pg_required(void);

#endif
