/*
 * Audit chain benchmark (issue 18): durable audited mutations per second
 * with 1, 4 and 16 concurrent clients, each in a city of its own, on a
 * PostgreSQL server that keeps its durability defaults (every commit waits
 * for its WAL to reach the disk), against bare insert-and-commit with the
 * same number of clients in the same run.
 *
 * The mutation is pcrm_audit_record(): validation, the permission and org
 * checks, the chain lookup, the head's row lock, the hash and the entry, in
 * one committed transaction.  The baseline inserts a row of the same size
 * (client, number, an entry-sized text) and commits, with no check, lock
 * or hash.  Each level runs ROUNDS rounds, the audited and the bare pass
 * back to back in each, and prints the ratio audited/bare of every round
 * (min/median/max): 1.0 means the audit chain costs nothing on top of a
 * durable insert.  "one city" repeats the audited pass with every client in
 * the same city (one chain, one head row): what every client met before
 * schema 21, when one global head serialised every mutation.
 *
 * PCRM_BENCH_SECONDS: seconds per pass (default 2).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

#include "bench.h"
#include "core/ctx.h"
#include "pgtmp.h"
#include "store/store.h"

#define ROUNDS 3
#define CLIENTS_MAX 16

static const pcrm_actor root = { "bench-admin", PCRM_ROLE_ADMIN, 3, "37" };
static const char *uri;
static atomic_int stop;

struct client {
	pthread_t thread;
	pcrm_ctx *ctx;
	pcrm_actor actor;
	char org[16], operator_id[32];
	int bare, id;
	long done;
	pthread_barrier_t *start;
};

static void *run_client(void *arg)
{
	struct client *c = arg;
	char payload[256];
	memset(payload, 'x', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	c->done = 0;
	pthread_barrier_wait(c->start);
	while (!atomic_load(&stop)) {
		int rc;
		if (c->bare) {
			pcrm_sql_value p[3] = { PCRM_SQL_I(c->id), PCRM_SQL_I(c->done),
				                PCRM_SQL_S(payload) };
			rc = pcrm__store_exec(c->ctx->store,
			                      "INSERT INTO bench_bare (client, n, payload) "
			                      "VALUES ($1, $2, $3)",
			                      p, 3, NULL);
		} else {
			rc = pcrm_audit_record(c->ctx, &c->actor, "bench.op", "call", "c-1",
			                       "{\"note\":\"benchmark\"}");
		}
		if (rc == PCRM_ERETRY)
			continue;
		if (rc != PCRM_OK)
			pcrm_bench_die("bench_audit", c->bare ? "bare insert" : "audit record");
		c->done++;
	}
	return NULL;
}

/* Mutations per second of `n` clients for `seconds`; `same_city`: all in city 01. */
static double pass(struct client *clients, int n, int bare, int same_city, double seconds)
{
	pthread_barrier_t start;
	struct timespec pause = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
	double t0, elapsed;
	long total = 0;

	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	atomic_store(&stop, 0);
	for (int i = 0; i < n; i++) {
		struct client *c = &clients[i];
		c->bare = bare;
		c->start = &start;
		c->actor.org_unit = same_city ? "3701" : c->org;
		if (pthread_create(&c->thread, NULL, run_client, c) != 0)
			pcrm_bench_die("bench_audit", "pthread_create");
	}
	pthread_barrier_wait(&start);
	t0 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	nanosleep(&pause, NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++) {
		pthread_join(clients[i].thread, NULL);
		total += clients[i].done;
	}
	elapsed = pcrm_bench_seconds(CLOCK_MONOTONIC) - t0;
	pthread_barrier_destroy(&start);
	return (double)total / elapsed;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void setup(void)
{
	pcrm_ctx *ctx;
	if (pcrm_ctx_open(&ctx, uri, NULL) != PCRM_OK)
		pcrm_bench_die("bench_audit", "open");
	if (pcrm_org_unit_create(ctx, &root, "37", NULL, "province", PCRM_ORG_PROVINCE) != PCRM_OK)
		pcrm_bench_die("bench_audit", "province");
	for (int i = 1; i <= CLIENTS_MAX; i++) {
		char code[16];
		snprintf(code, sizeof(code), "37%02d", i);
		if (pcrm_org_unit_create(ctx, &root, code, "37", "city", PCRM_ORG_CITY) != PCRM_OK)
			pcrm_bench_die("bench_audit", "city");
	}
	if (pcrm__store_exec(ctx->store,
	                     "CREATE TABLE bench_bare (id BIGSERIAL PRIMARY KEY, client INTEGER NOT "
	                     "NULL, n BIGINT NOT NULL, payload TEXT NOT NULL)",
	                     NULL, 0, NULL) != PCRM_OK)
		pcrm_bench_die("bench_audit", "bare table");
	pcrm_ctx_close(ctx);
}

static void level(struct client *clients, int n, double seconds)
{
	double ratio[ROUNDS], same[ROUNDS], audited = 0, bare = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double b = pass(clients, n, 1, 0, seconds), a = pass(clients, n, 0, 0, seconds);
		double s = n > 1 ? pass(clients, n, 0, 1, seconds) : a;
		ratio[r] = a / b;
		same[r] = s / b;
		audited += a;
		bare += b;
	}
	qsort(ratio, ROUNDS, sizeof(double), by_value);
	qsort(same, ROUNDS, sizeof(double), by_value);
	printf("postgresql %2d clients: audited %.0f/s, bare insert+commit %.0f/s (means); "
	       "audited/bare min %.2f median %.2f max %.2f",
	       n, audited / ROUNDS, bare / ROUNDS, ratio[0], ratio[ROUNDS / 2], ratio[ROUNDS - 1]);
	if (n > 1)
		printf("; all in one city: min %.2f median %.2f max %.2f", same[0], same[ROUNDS / 2],
		       same[ROUNDS - 1]);
	printf("\n");
	fflush(stdout);
}

int main(void)
{
	static const int levels[] = { 1, 4, 16 };
	struct client clients[CLIENTS_MAX];
	const char *env = getenv("PCRM_BENCH_SECONDS");
	double seconds = env ? atof(env) : 2.0;
	char why[512];

	if (seconds <= 0)
		seconds = 2.0;
	if (pcrm_test_pg_start_durable(why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_audit: no PostgreSQL server: %s\n", why);
		return pcrm_test_pg_required() ? 1 : 0;
	}
	uri = pcrm_test_pg_new_database(why, sizeof(why));
	if (!uri) {
		fprintf(stderr, "bench_audit: %s\n", why);
		pcrm_test_pg_stop();
		return 1;
	}
	setup();
	memset(clients, 0, sizeof(clients));
	for (int i = 0; i < CLIENTS_MAX; i++) {
		struct client *c = &clients[i];
		c->id = i;
		snprintf(c->org, sizeof(c->org), "37%02d", i + 1);
		snprintf(c->operator_id, sizeof(c->operator_id), "bridge-%02d", i + 1);
		c->actor.operator_id = c->operator_id;
		c->actor.role = PCRM_ROLE_SYSTEM;
		c->actor.level = 1;
		c->actor.org_unit = c->org;
		if (pcrm_ctx_open(&c->ctx, uri, NULL) != PCRM_OK)
			pcrm_bench_die("bench_audit", "open client");
	}
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++)
		level(clients, levels[l], seconds);
	for (int i = 0; i < CLIENTS_MAX; i++)
		pcrm_ctx_close(clients[i].ctx);
	pcrm_test_pg_drop_database();
	pcrm_test_pg_stop();
	return 0;
}
