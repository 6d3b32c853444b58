/*
 * What a benchmark program needs besides the library: a clock and a way
 * out.  Header-only, so a benchmark includes it and nothing else changes.
 */
#ifndef PCRM_TEST_BENCH_H
#define PCRM_TEST_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <powercrm.h>

#include "pgtmp.h"

/** Seconds on a clock (CLOCK_MONOTONIC for wall time, CLOCK_PROCESS_CPUTIME_ID for CPU). */
static inline double pcrm_bench_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Personal data is stored sealed: every benchmark store is opened with this (bench-only) key. */
static const unsigned char pcrm_bench_data_key[PCRM_DATA_KEY_LEN] = "bench data key, not for use 0123";

/** Default options plus the bench data key. */
static inline pcrm_ctx_options pcrm_bench_options(void)
{
	pcrm_ctx_options opts = PCRM_CTX_OPTIONS_INIT;
	opts.data_key = pcrm_bench_data_key;
	opts.data_key_len = sizeof(pcrm_bench_data_key);
	return opts;
}

/** Prints what failed with the library's last error and exits with status 1. */
static inline void pcrm_bench_die(const char *program, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program, what, pcrm_error_last());
	exit(1);
}

/**
 * Runs `run(backend, uri, n)` on a scratch SQLite file, then on a new
 * database of a throwaway PostgreSQL server (tests/support/pgtmp.h), and
 * cleans both up; the server is durable (fsync, full_page_writes and
 * synchronous_commit on, like SQLite's default synchronous = FULL) when
 * `durable` is set, else the tests' server with all three off.  Returns
 * main()'s status: 1 when PostgreSQL is required (CI) but cannot start, 0
 * when it is optional and absent.
 */
static inline int pcrm_bench_on_stores(const char *program,
                                       void (*run)(const char *backend, const char *uri, long n),
                                       long n, int durable)
{
	char dir[] = "/tmp/pcrm-bench-XXXXXX", uri[128], why[512], cmd[160];
	const char *pg;

	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: mkdtemp failed\n", program);
		return 1;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/bench.db", dir);
	run("sqlite", uri, n);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: could not remove %s\n", program, dir);
	if ((durable ? pcrm_test_pg_start_durable(why, sizeof(why)) :
	               pcrm_test_pg_start(why, sizeof(why))) != 0) {
		fprintf(stderr, "%s: no PostgreSQL server: %s\n", program, why);
		return pcrm_test_pg_required() ? 1 : 0;
	}
	pg = pcrm_test_pg_new_database(why, sizeof(why));
	if (!pg) {
		fprintf(stderr, "%s: %s\n", program, why);
		pcrm_test_pg_stop();
		return 1;
	}
	run("postgresql", pg, n);
	pcrm_test_pg_drop_database();
	pcrm_test_pg_stop();
	return 0;
}

/** pcrm_bench_on_stores() on the tests' (not durable) PostgreSQL server. */
static inline int pcrm_bench_on_both_stores(const char *program,
                                            void (*run)(const char *backend, const char *uri,
                                                        long n),
                                            long n)
{
	return pcrm_bench_on_stores(program, run, n, 0);
}

#endif
