/*
 * bench_trace: what the trace callback costs (powercrm/trace.h).
 *
 * The same read (pcrm_org_unit_get: the actor's unit, the scope check, the
 * row) is timed N times with tracing unset, with a callback set whose mask
 * selects nothing, and with a no-op callback receiving every kind, in turn
 * within each run, on both stores.  Reported: nanoseconds per call (min /
 * median / max over RUNS runs) and each against unset.  Unset is the
 * library's default; the traced cases bound from above what the unset test
 * of one pointer can cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define RUNS 5

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "37" };

static int64_t g_events;

static void count_event(const pcrm_trace_event *ev, void *userdata)
{
	(void)ev;
	(void)userdata;
	g_events++;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double time_calls(pcrm_ctx *ctx, long n)
{
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++) {
		pcrm_org_unit *u = NULL;
		if (pcrm_org_unit_get(ctx, &admin, "3701", &u) != PCRM_OK)
			pcrm_bench_die("bench_trace", "pcrm_org_unit_get");
		pcrm_org_unit_free(u);
	}
	return (pcrm_bench_seconds(CLOCK_MONOTONIC) - t0) * 1e9 / (double)n;
}

static void run(const char *backend, const char *uri, long n)
{
	static const char *const names[3] = { "unset", "set, mask selects nothing",
		                              "no-op callback, every kind" };
	pcrm_ctx_options opts = pcrm_bench_options();
	double ns[3][RUNS];
	pcrm_ctx *ctx;

	if (pcrm_ctx_open(&ctx, uri, &opts) != PCRM_OK)
		pcrm_bench_die("bench_trace", "open");
	if (pcrm_org_unit_create(ctx, &admin, "37", NULL, "省公司", PCRM_ORG_PROVINCE) != PCRM_OK ||
	    pcrm_org_unit_create(ctx, &admin, "3701", "37", "市公司", PCRM_ORG_CITY) != PCRM_OK)
		pcrm_bench_die("bench_trace", "org units");
	time_calls(ctx, n / 10); /* warm the caches and the prepared statements */
	for (int r = 0; r < RUNS; r++) {
		pcrm_ctx_set_trace(ctx, 0, NULL, NULL);
		ns[0][r] = time_calls(ctx, n);
		pcrm_ctx_set_trace(ctx, 0, count_event, NULL);
		ns[1][r] = time_calls(ctx, n);
		g_events = 0;
		pcrm_ctx_set_trace(ctx, PCRM_TRACE_ALL, count_event, NULL);
		ns[2][r] = time_calls(ctx, n);
	}
	printf("bench_trace %s: %ld calls of pcrm_org_unit_get per case, %d runs; "
	       "%.1f trace events per call when traced\n",
	       backend, n, RUNS, (double)g_events / (double)n);
	for (int c = 0; c < 3; c++) {
		double sorted[RUNS], ratio[RUNS];
		for (int r = 0; r < RUNS; r++) {
			sorted[r] = ns[c][r];
			ratio[r] = ns[c][r] / ns[0][r];
		}
		qsort(sorted, RUNS, sizeof(double), by_value);
		qsort(ratio, RUNS, sizeof(double), by_value);
		printf("  %-28s %8.0f / %8.0f / %8.0f ns per call   x unset %.3f / %.3f / %.3f\n",
		       names[c], sorted[0], sorted[RUNS / 2], sorted[RUNS - 1], ratio[0],
		       ratio[RUNS / 2], ratio[RUNS - 1]);
	}
	pcrm_ctx_close(ctx);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	return pcrm_bench_on_both_stores("bench_trace", run, n > 0 ? n : 20000);
}
