/*
 * Fault points at the store's client calls, for the crash tests.
 *
 * store_faults.c defines, in the test program itself, the SQLite and libpq
 * functions through which lib/store talks to its database (sqlite3_step,
 * sqlite3_exec, PQexec*, PQprepare, PQsend*, PQpipelineSync, PQputCopy*,
 * PQgetResult).  The library is linked into the test program from its
 * static archive, so its calls reach these definitions, which count the call
 * and then pass it on to the real function (dlsym(RTLD_NEXT)).  Nothing in
 * the library changes for it.
 *
 * A test arms a fault at call N of a job: the job runs, and just before its
 * Nth call reaches the database the action runs (by default the process
 * kills itself with SIGKILL, as kill -9 would).  Because the library's calls
 * are a deterministic sequence for a given job and store state, N chosen
 * from a seeded generator names the same point in the job on every run.
 */
#ifndef PCRM_TEST_STORE_FAULTS_H
#define PCRM_TEST_STORE_FAULTS_H

#include <stdint.h>

/**
 * What a fault does; `pgconn` is the libpq connection of the call (a
 * `PGconn *`) or NULL for a SQLite call.  Returning 0 says "not here after
 * all": the fault stays armed and is asked again at the next call.
 */
typedef int (*store_fault_fn)(void *pgconn, void *userdata);

/** Starts counting calls from zero; no fault armed. */
void store_faults_reset(void);

/** The calls counted since the last reset. */
int64_t store_faults_calls(void);

/** Arms a SIGKILL just before call `n` (1-based) after the last reset. */
void store_faults_kill_at(int64_t n);

/**
 * Arms `fn` to run before call `n` and every later call until it returns
 * nonzero; then the fault is spent and calls pass through again.
 */
void store_faults_arm(int64_t n, store_fault_fn fn, void *userdata);

/** Nonzero once an armed fault has fired (its fn returned nonzero). */
int store_faults_fired(void);

/** A 64-bit generator (splitmix64) for choosing fault points from a printed seed. */
uint64_t store_faults_next(uint64_t *state);

/** A number in 1..n from the generator. */
int64_t store_faults_pick(uint64_t *state, int64_t n);

/**
 * The seed of this run: PCRM_CRASH_SEED from the environment when set
 * (decimal), otherwise a fresh one from the clock and the pid.  Print it, so
 * that a failure can be run again with the same points.
 */
uint64_t store_faults_seed(void);

#endif
