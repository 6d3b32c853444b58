/*
 * demo: a day at a 95598 service centre, end to end, on the public API.
 *
 *   demo [--customers N] [--seed S] [--store URI] [--out DIR] [--data DIR] [--quiet]
 *
 * Builds a supply area of N customers (100,000 by default) from the seed,
 * bills October, and runs Monday 23 November 2026: payments, the hotline's
 * calls on the simulated switch with an Erlang C shift plan, the work
 * orders and complaint tickets those calls open, the timers of the
 * workflows, the bank's reconciliation, and the audit chain's check.  The
 * summary goes to the terminal; summary.json, data files, gnuplot charts and
 * index.html go to the report folder (build/demo-report by default).
 *
 * The store is an SQLite file by default (DIR/demo.db, recreated);
 * --store postgresql://... runs the same day on PostgreSQL (an empty
 * database: the demo creates its org tree).  Every figure is determined by
 * the seed: the context's clock is the demo's own virtual clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

static void usage(void)
{
	fprintf(stderr, "usage: demo [--customers N] [--seed S] [--store URI] [--out DIR] [--data DIR] [--quiet]\n"
	                "  --customers N  customers of the supply area, 100..2000000 (100000)\n"
	                "  --seed S       seed of everything drawn (20261123)\n"
	                "  --store URI    sqlite:PATH or postgresql://... (sqlite:OUT/demo.db, recreated)\n"
	                "  --out DIR      report folder (build/demo-report)\n"
	                "  --data DIR     the shipped tariffs, workflows and calendars (data)\n"
	                "  --quiet        no progress lines\n");
	exit(2);
}

static void parse_args(struct demo *d, int argc, char **argv)
{
	d->n_customers = 100000;
	d->seed = 20261123;
	d->store_uri = NULL;
	d->out_dir = "build/demo-report";
	d->data_dir = "data";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;
		if (strcmp(a, "--quiet") == 0) {
			d->quiet = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		errno = 0;
		if (strcmp(a, "--customers") == 0) {
			long long n = strtoll(v, &end, 10);
			if (errno || *end || n < 100 || n > 2000000) {
				fprintf(stderr, "demo: --customers: %s is not 100..2000000\n", v);
				exit(2);
			}
			d->n_customers = n;
		} else if (strcmp(a, "--seed") == 0) {
			d->seed = strtoull(v, &end, 10);
			if (errno || *end || !*v) {
				fprintf(stderr, "demo: --seed: %s is not a number\n", v);
				exit(2);
			}
		} else if (strcmp(a, "--store") == 0) {
			d->store_uri = v;
		} else if (strcmp(a, "--out") == 0) {
			d->out_dir = v;
		} else if (strcmp(a, "--data") == 0) {
			d->data_dir = v;
		} else {
			usage();
		}
	}
}

static void make_dirs(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "demo: cannot create %s\n", path);
		exit(1);
	}
}

/* The default store is a scratch SQLite file in the report folder: the demo starts from nothing
 * every time.  synchronous=normal: a scratch file needs no sync per commit (ctx.h). */
static char *default_store(const char *out_dir)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char file[1100], *uri = xmalloc(1200);
	for (size_t i = 0; i < 3; i++) {
		snprintf(file, sizeof(file), "%s/demo.db%s", out_dir, suffixes[i]);
		unlink(file);
	}
	snprintf(uri, 1200, "sqlite:%s/demo.db?synchronous=normal", out_dir);
	return uri;
}

/*
 * Monday: everything that happens, in time order, on the context's clock:
 * payments, answered calls, the later steps of work orders, and every half
 * hour the workflow timers (pcrm_workorder_tick).
 */
static void the_day(struct demo *d)
{
	pcrm_time start = civil(2026, 11, 23, 0, 0, 0), end = start + 24 * 3600;
	pcrm_time next_tick = start + 1800;
	int64_t done = 0, total = d->st.calls_answered;
	for (;;) {
		pcrm_time tp = payments_next(d), tc = calls_next(d), tf = followups_next(d), t = 0;
		int which = -1;
		if (tp && (!t || tp < t))
			t = tp, which = 0;
		if (tc && (!t || tc < t))
			t = tc, which = 1;
		if (tf && tf < end && (!t || tf < t))
			t = tf, which = 2;
		if (next_tick <= end && (!t || next_tick <= t))
			t = next_tick, which = 3;
		if (which < 0)
			break;
		d->now = t;
		switch (which) {
		case 0:
			payments_post_next(d);
			break;
		case 1:
			calls_handle_next(d);
			if (++done % 100 == 0)
				progress(d, "the day: calls, payments, timers", done, total);
			break;
		case 2:
			followups_run_next(d);
			break;
		case 3: {
			int processed = 0;
			CHECK(pcrm_workorder_tick(d->ctx, &ACT_SYSTEM, t, &processed));
			d->st.ticks++;
			d->st.timers += processed;
			next_tick += 1800;
			break;
		}
		}
	}
	d->now = end;
	progress_done(d, "the day: calls, payments, timers", "%lld contacts, %lld repair orders, %lld timers fired",
	              (long long)d->st.contacts, (long long)d->st.repair_orders, (long long)d->st.timers);
}

int main(int argc, char **argv)
{
	/*
	 * DEMO KEY, public in this source: a deployment never writes its key in
	 * source; it passes options.key_provider, which asks its key store (an
	 * HSM, a KMS) for each key version (docs/security.md, "Keys").
	 */
	static const unsigned char DEMO_DATA_KEY[PCRM_DATA_KEY_LEN] = "demo-key-never-use-in-production";
	struct demo d;
	pcrm_ctx_options opts;
	struct timespec t0, t1;
	char *owned_uri = NULL;
	int version;

	memset(&d, 0, sizeof(d));
	parse_args(&d, argc, argv);
	d.progress = d.quiet ? NULL : stdout;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress_clock_start();
	make_dirs(d.out_dir);
	if (!d.store_uri)
		d.store_uri = owned_uri = default_store(d.out_dir);

	CHECK(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	opts.data_key = DEMO_DATA_KEY;
	opts.data_key_len = sizeof(DEMO_DATA_KEY);
	opts.clock = demo_clock;
	opts.clock_data = &d;
	d.now = civil(2026, 11, 1, 8, 0, 0);
	CHECK(pcrm_ctx_open(&d.ctx, d.store_uri, &opts));
	CHECK(pcrm_ctx_schema_version(d.ctx, &version));
	if (!d.quiet)
		printf("libpowercrm %s: a day at the 95598 service centre of 国网济南供电公司\n"
		       "  store %s (schema %d), %lld customers, seed %llu\n\n",
		       pcrm_version(), pcrm_ctx_backend(d.ctx), version, (long long)d.n_customers,
		       (unsigned long long)d.seed);

	area_build(&d);
	billing_run_and_post(&d);
	complaints_backlog(&d);
	payments_prepare(&d);
	calls_plan_and_simulate(&d);
	the_day(&d);
	d.now = civil(2026, 11, 24, 0, 30, 0); /* the bank's file arrives after midnight */
	bank_reconcile(&d);
	work_orders_summary(&d);
	complaints_stats(&d);
	{
		int64_t checked = 0, bad = 0;
		int rc = pcrm_audit_verify(d.ctx, &ACT_AUDITOR, &checked, &bad);
		d.st.audit_entries = checked;
		d.st.audit_ok = rc == PCRM_OK;
		progress_done(&d, "audit chain verified", "%lld entries, %s", (long long)checked,
		              rc == PCRM_OK ? "intact" : "BROKEN");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	report_write(&d, wall);
	if (!d.quiet)
		printf("\n%.1f s wall, %.1f s CPU in the demo process\n", wall, cpu_seconds());
	pcrm_ctx_close(d.ctx);
	payments_free(&d);
	calls_free(&d);
	complaints_free(&d);
	free(d.cust);
	free(owned_uri);
	return d.st.audit_ok ? 0 : 1;
}
