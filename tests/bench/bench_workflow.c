/*
 * Workflow benchmark on SQLite and PostgreSQL:
 *
 *   - transitions per second (pcrm_workorder_fire(), one transaction each:
 *     row update, history entry, timers, audit entry) against a bare
 *     single-row insert-and-commit loop on the same store in the same run,
 *     with durable commits and without (see main());
 *   - pcrm_workorder_tick() over PCRM_BENCH_ORDERS open work orders (default
 *     1,000,000) of which 1% are due: those are opened through the API, the
 *     other 99% (with a timer each, due in ten days) are written through the
 *     bulk path.
 *
 * Prints figures and ratios only; the targets live in issue 6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <powercrm.h>

#include "core/ctx.h"
#include "bench.h"
#include "pgtmp.h"
#include "store/store.h"

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };
static const pcrm_actor sys = { "bench-tick", PCRM_ROLE_SYSTEM, 1, "P1" };

static const char definition[] =
	"{\"name\": \"bench\", \"states\": ["
	"{\"name\": \"a\", \"initial\": true, \"limit\": {\"minutes\": 60}},"
	"{\"name\": \"b\", \"limit\": {\"minutes\": 60}}, {\"name\": \"z\", \"final\": true}],"
	"\"transitions\": [{\"event\": \"go\", \"from\": \"a\", \"to\": \"b\"},"
	"{\"event\": \"back\", \"from\": \"b\", \"to\": \"a\"},"
	"{\"event\": \"end\", \"from\": \"a\", \"to\": \"z\"}]}";

static pcrm_time fake_now = 1795395600; /* 2026-11-23T09:00:00+08:00 */

static pcrm_time clock_fn(void *data)
{
	(void)data;
	return fake_now;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's CPU time (the PostgreSQL server's is not in it). */
static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU seconds used so far by this connection's PostgreSQL backend (a local
 * test server), from /proc; 0 on SQLite or when it cannot be read.
 */
static double server_cpu_seconds(pcrm_ctx *ctx)
{
	char path[64];
	unsigned long utime = 0, stime = 0;
	int64_t pid = 0;
	FILE *f;
	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES ||
	    pcrm__store_query_int(ctx->store, "SELECT pg_backend_pid()", NULL, 0, &pid) != PCRM_OK)
		return 0;
	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* fields 14 and 15 (after the command in parentheses, which has no spaces here) */
	if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
	           &stime) != 2)
		utime = stime = 0;
	fclose(f);
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * PostgreSQL's count of row updates of `table` so far, and of those that were
 * HOT (no new index entries): *hot < 0 when unknown (SQLite).
 */
static void updates(pcrm_ctx *ctx, const char *table, int64_t *all, int64_t *hot)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(table) };
	int64_t flushed = 0;
	*all = 0;
	*hot = -1;
	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES ||
	    pcrm__store_query_int(ctx->store, "SELECT 1 FROM (SELECT pg_stat_force_next_flush(), "
	                                      "pg_stat_clear_snapshot()) x",
	                          NULL, 0, &flushed) != PCRM_OK ||
	    pcrm__store_query_int(ctx->store, "SELECT n_tup_upd FROM pg_stat_user_tables WHERE "
	                                      "relname = $1",
	                          p, 1, all) != PCRM_OK ||
	    pcrm__store_query_int(ctx->store, "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE "
	                                      "relname = $1",
	                          p, 1, hot) != PCRM_OK)
		*hot = -1;
}

/* Statements sent per operation and client CPU per operation, printed next to each rate. */
struct cost {
	double stmts, trips, cpu_us, server_us;
};

static void die(const char *what)
{
	fprintf(stderr, "bench_workflow: %s: %s\n", what, pcrm_error_last());
	exit(1);
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && atol(v) > 0 ? atol(v) : def;
}

/* What one kind of operation has cost so far, over all its rounds. */
struct side {
	long n;
	double secs, cpu, server;
	uint64_t stmts, trips;
};

static void bare_insert(pcrm_ctx *ctx, long i)
{
	pcrm_sql_value p[2] = { PCRM_SQL_I(i), PCRM_SQL_S("x") };
	if (pcrm__store_begin(ctx->store) ||
	    pcrm__store_exec(ctx->store, "INSERT INTO bench_baseline (id, v) VALUES ($1, $2)", p, 2,
	                     NULL) ||
	    pcrm__store_commit(ctx->store))
		die("baseline insert");
}

static void fire_one(pcrm_ctx *ctx, const pcrm_workorder *wo, long i)
{
	if (pcrm_workorder_fire(ctx, &admin, pcrm_workorder_id(wo), (int)i + 1,
	                        i % 2 ? "back" : "go", NULL, NULL, NULL))
		die("fire");
}

/* Runs operations from..to-1 of one kind and adds what they cost to `s`. */
static void round_of(pcrm_ctx *ctx, const pcrm_workorder *wo, long from, long to,
                     struct side *s)
{
	double sc0 = server_cpu_seconds(ctx), c0, t0; /* its own query is not counted */
	uint64_t s0 = ctx->store->statements, r0 = ctx->store->round_trips;
	c0 = cpu_seconds();
	t0 = seconds();
	for (long i = from; i < to; i++) {
		if (wo)
			fire_one(ctx, wo, i);
		else
			bare_insert(ctx, i);
	}
	s->secs += seconds() - t0;
	s->cpu += cpu_seconds() - c0;
	s->stmts += ctx->store->statements - s0;
	s->trips += ctx->store->round_trips - r0;
	s->server += server_cpu_seconds(ctx) - sc0;
	s->n += to - from;
}

static double rate(const struct side *s, struct cost *c)
{
	c->cpu_us = s->cpu * 1e6 / (double)s->n;
	c->stmts = (double)s->stmts / (double)s->n;
	c->trips = (double)s->trips / (double)s->n;
	c->server_us = s->server * 1e6 / (double)s->n;
	return (double)s->n / s->secs;
}

/*
 * n bare single-row insert-and-commits and n transitions, alternating in
 * rounds of ROUND: a durable commit's cost follows the disk, which on a
 * shared virtual machine changes from second to second, so both kinds must
 * meet the same moments or the ratio measures the disk's mood instead.
 */
#define ROUND 25
static void measure(pcrm_ctx *ctx, long n, double *base, struct cost *bc, double *fire,
                    struct cost *fc)
{
	struct side bare = { 0, 0, 0, 0, 0, 0 }, tr = { 0, 0, 0, 0, 0, 0 };
	pcrm_workorder *wo = NULL;
	if (pcrm__store_exec(ctx->store, "CREATE TABLE bench_baseline (id BIGINT PRIMARY KEY, v TEXT)",
	                     NULL, 0, NULL) ||
	    pcrm_workorder_open(ctx, &admin, "bench", "T", NULL, "P1", NULL, &wo))
		die("setup of the transitions");
	for (long i = 0; i < n; i += ROUND) {
		long to = i + ROUND < n ? i + ROUND : n;
		round_of(ctx, NULL, i, to, &bare);
		round_of(ctx, wo, i, to, &tr);
	}
	*base = rate(&bare, bc);
	*fire = rate(&tr, fc);
	pcrm_workorder_free(wo);
}

/* The other 99%: open work orders written through the bulk path, each with a pending timer. */
static void filler(pcrm_ctx *ctx, long from, long count)
{
	static const char *const wo_cols[] = {
		"id", "workflow", "workflow_version", "business_key", "open_key", "org_unit", "state",
		"status", "data", "opened_by", "opened_at", "updated_at", "due_at", "overdue",
		"suspended", "reminders", "escalations", "version", "steps"
	};
	static const char *const timer_cols[] = { "work_order_id", "scope", "kind", "working",
		                                  "due_at", "done" };
	char id[48], key[32];
	pcrm_time due = fake_now + 10 * 86400;

	if (pcrm__store_begin(ctx->store) ||
	    pcrm__store_bulk_begin(ctx->store, "work_order", wo_cols, 19))
		die("bulk work_order");
	for (long i = from; i < from + count; i++) {
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012ld", i);
		snprintf(key, sizeof(key), "F%ld", i);
		{
			pcrm_sql_value v[19] = {
				PCRM_SQL_S(id), PCRM_SQL_S("bench"), PCRM_SQL_I(1), PCRM_SQL_S(key),
				PCRM_SQL_S(key), PCRM_SQL_S("P1"), PCRM_SQL_S("a"), PCRM_SQL_S("open"),
				PCRM_SQL_S("{}"), PCRM_SQL_S("bench"), PCRM_SQL_I(fake_now),
				PCRM_SQL_I(fake_now), PCRM_SQL_I(due), PCRM_SQL_I(0), PCRM_SQL_I(0),
				PCRM_SQL_I(0), PCRM_SQL_I(0), PCRM_SQL_I(1), PCRM_SQL_I(1)
			};
			if (pcrm__store_bulk_row(ctx->store, v))
				die("bulk work_order row");
		}
	}
	if (pcrm__store_bulk_end(ctx->store, 0) ||
	    pcrm__store_bulk_begin(ctx->store, "work_order_timer", timer_cols, 6))
		die("bulk timers");
	for (long i = from; i < from + count; i++) {
		pcrm_sql_value v[6];
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012ld", i);
		v[0] = PCRM_SQL_S(id);
		v[1] = PCRM_SQL_S("state");
		v[2] = PCRM_SQL_S("due");
		v[3] = PCRM_SQL_I(0);
		v[4] = PCRM_SQL_I(due + i % 86400);
		v[5] = PCRM_SQL_I(0);
		if (pcrm__store_bulk_row(ctx->store, v))
			die("bulk timer row");
	}
	if (pcrm__store_bulk_end(ctx->store, 0) || pcrm__store_commit(ctx->store))
		die("bulk end");
}

static void tick(pcrm_ctx *ctx, const char *backend, long orders)
{
	long due = orders / 100;
	char key[32];
	double t0, c0, sc0, open_s, tick_s;
	int64_t upd0, hot0, upd1, hot1;
	uint64_t s0, r0;
	int processed = 0;

	t0 = seconds();
	for (long i = 0; i < due; i++) {
		snprintf(key, sizeof(key), "K%ld", i);
		if (pcrm_workorder_open(ctx, &admin, "bench", key, NULL, "P1", NULL, NULL))
			die("open");
	}
	open_s = seconds() - t0;
	filler(ctx, 0, orders - due);
	/*
	 * What autovacuum would have done long before a tick in production: the
	 * bulk-loaded rows get their statistics, visibility map and hint bits now,
	 * so neither autovacuum running meanwhile nor the first touch of fresh
	 * rows is counted as tick's work.
	 */
	if (ctx->store->driver->exec_script(ctx->store, ctx->store->driver->kind ==
	                                                        PCRM_STORE_POSTGRES ?
	                                                    "VACUUM ANALYZE" : "ANALYZE"))
		die("analyze");
	updates(ctx, "work_order", &upd0, &hot0);
	sc0 = server_cpu_seconds(ctx); /* its own query is not counted */
	s0 = ctx->store->statements;
	r0 = ctx->store->round_trips;
	c0 = cpu_seconds();
	t0 = seconds();
	if (pcrm_workorder_tick(ctx, &sys, fake_now + 3600, &processed))
		die("tick");
	tick_s = seconds() - t0;
	printf("%s: opened %ld work orders at %.0f/s; tick over %ld open work orders, %d timers "
	       "due: %.3f s (%.0f timers/s; target < 1 s on PostgreSQL); CPU: client %.3f s, "
	       "server %.2f s; %llu statements, %llu round trips\n",
	       backend, due, (double)due / open_s, orders + 1, processed, tick_s,
	       (double)processed / tick_s, cpu_seconds() - c0, server_cpu_seconds(ctx) - sc0,
	       (unsigned long long)(ctx->store->statements - s0),
	       (unsigned long long)(ctx->store->round_trips - r0));
	updates(ctx, "work_order", &upd1, &hot1);
	if (hot0 >= 0 && hot1 >= 0)
		printf("%s: tick updated %lld work_order rows, %lld of them HOT\n", backend,
		       (long long)(upd1 - upd0), (long long)(hot1 - hot0));
}

/*
 * One store configuration: transitions against the baseline, then (when
 * `orders` > 0) tick.  `backend` names the store and whether its commits are
 * durable, so every printed figure says what it was measured on.
 */
static void run(const char *backend, const char *uri, long n, long orders)
{
	pcrm_ctx_options opts = pcrm_bench_options();
	double base, fire;
	struct cost bc, fc;
	pcrm_ctx *ctx;

	opts.clock = clock_fn;
	if (pcrm_ctx_open(&ctx, uri, &opts))
		die(uri);
	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE) ||
	    pcrm_workflow_define(ctx, &admin, definition, NULL, NULL))
		die("setup");
	measure(ctx, n, &base, &bc, &fire, &fc);
	printf("%s: bare insert+commit %.0f/s (%.1f statements, %.1f round trips, CPU %.0f us "
	       "client + %.0f us server each); transitions %.0f/s (%.1f statements, %.1f round "
	       "trips, CPU %.0f us client + %.0f us server each); ratio %.2f (target >= 0.5)\n",
	       backend, base, bc.stmts, bc.trips, bc.cpu_us, bc.server_us, fire, fc.stmts, fc.trips,
	       fc.cpu_us, fc.server_us, fire / base);
	fflush(stdout);
	if (orders > 0)
		tick(ctx, backend, orders);
	fflush(stdout);
	pcrm_ctx_close(ctx);
}

static void remove_dir(const char *dir)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_workflow: could not remove %s\n", dir);
}

static void run_sqlite(const char *backend, const char *options, long n, long orders)
{
	char dir[] = "/tmp/pcrm-bench-wf-XXXXXX", uri[160];
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(uri, sizeof(uri), "sqlite:%s/bench.db%s", dir, options);
	run(backend, uri, n, orders);
	remove_dir(dir);
}

/* Returns nonzero when no server could be started (a failure only under CI=true). */
static int run_postgres(const char *backend, int durable, long n, long orders)
{
	char why[512];
	const char *pg;
	if ((durable ? pcrm_test_pg_start_durable(why, sizeof(why)) :
	               pcrm_test_pg_start(why, sizeof(why))) != 0) {
		fprintf(stderr, "bench_workflow: no PostgreSQL server: %s\n", why);
		return 1;
	}
	pg = pcrm_test_pg_new_database(why, sizeof(why));
	if (!pg) {
		fprintf(stderr, "bench_workflow: %s\n", why);
		pcrm_test_pg_stop();
		exit(1);
	}
	run(backend, pg, n, orders);
	pcrm_test_pg_drop_database();
	pcrm_test_pg_stop();
	return 0;
}

/*
 * Both stores, each durable (what the library and a production server do)
 * and not durable (SQLite synchronous=NORMAL; the tests' PostgreSQL server,
 * fsync and synchronous_commit off), so no figure hides what it costs to
 * reach the disk.  Durable commits wait for the disk, so they run fewer
 * transitions (PCRM_BENCH_DURABLE_TRANSITIONS).  tick runs on the library's
 * default SQLite and on both PostgreSQL servers (PCRM_BENCH_ORDERS).
 * PCRM_BENCH_ONLY=sqlite|sqlite-normal|postgresql-fast|postgresql runs one.
 */
int main(void)
{
	long n = env_long("PCRM_BENCH_TRANSITIONS", 2000);
	long nd = env_long("PCRM_BENCH_DURABLE_TRANSITIONS", 500);
	long orders = env_long("PCRM_BENCH_ORDERS", 1000000);
	const char *only = getenv("PCRM_BENCH_ONLY"); /* one of the four labels' first words */

	if (!only || strcmp(only, "sqlite") == 0)
		run_sqlite("sqlite (synchronous=FULL, durable)", "", nd, orders);
	if (!only || strcmp(only, "sqlite-normal") == 0)
		run_sqlite("sqlite (synchronous=NORMAL, not durable)", "?synchronous=normal", n, 0);
	if ((!only || strcmp(only, "postgresql-fast") == 0) &&
	    run_postgres("postgresql (fsync off, not durable)", 0, n, orders))
		return pcrm_test_pg_required() ? 1 : 0;
	if ((!only || strcmp(only, "postgresql") == 0) &&
	    run_postgres("postgresql (fsync on, durable)", 1, nd, orders))
		return pcrm_test_pg_required() ? 1 : 0;
	return 0;
}
