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

/** Seconds on a clock (CLOCK_MONOTONIC for wall time, CLOCK_PROCESS_CPUTIME_ID for CPU). */
static inline double pcrm_bench_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Prints what failed with the library's last error and exits with status 1. */
static inline void pcrm_bench_die(const char *program, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program, what, pcrm_error_last());
	exit(1);
}

#endif
