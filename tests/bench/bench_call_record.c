/*
 * Call-record sink benchmark: how fast the store-backed CDR sink stores
 * batches of PCRM_BENCH_CDRS call detail records (default 100,000) on SQLite
 * and PostgreSQL, against a bare load of rows of the same shape through the
 * same bulk path (prepared INSERT on SQLite, COPY on PostgreSQL) in the same
 * number of transactions, measured in the same run, alternating, three
 * rounds: min / median / max of each, and the ratio of the medians.
 *
 * The sink's extra work per batch: the look-up of calls already stored, the
 * customers' org units, sealing each caller number (AES-GCM + HMAC), the
 * contact entry of every answered call of a known customer (validated like
 * any contact, a second bulk write) and the audit entry.  A re-flush of a
 * stored batch (everything skipped) is timed too.
 *
 * No assertion on absolute times: this prints figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

#include "bench.h"
#include "callrecord/call_record_internal.h"
#include "core/ctx.h"
#include "pgtmp.h"
#include "store/store.h"

#define BATCH 500
#define CUSTOMERS 10000
#define ROUNDS 3

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };
static const pcrm_actor sys = { "bench-sink", PCRM_ROLE_SYSTEM, 1, "P1" };

static void die(const char *what)
{
	pcrm_bench_die("bench_call_record", what);
}

static void setup_archive(pcrm_ctx *ctx)
{
	size_t cap = (size_t)CUSTOMERS * 200, at = 0;
	char *buf = malloc(cap);
	int64_t n = 0;
	if (!buf)
		die("malloc");
	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE) ||
	    pcrm_org_unit_create(ctx, &admin, "C1", "P1", "city", PCRM_ORG_CITY))
		die("org");
	for (int i = 0; i < CUSTOMERS; i++)
		at += (size_t)snprintf(buf + at, cap - at,
		                       "{\"customer_no\":\"K%07d\",\"kind\":\"person\",\"name\":\"客户%d\","
		                       "\"usage_class\":\"residential\",\"voltage_level\":\"220V\","
		                       "\"org_unit\":\"C1\"}\n", i, i);
	if (pcrm_customer_import(ctx, &admin, buf, at, &n) || n != CUSTOMERS)
		die("import");
	free(buf);
}

/* Round r's CDRs: 70 % answered, the rest abandoned; every other call from a known customer. */
static void make_cdrs(pcrm_acd_cdr *v, long n, int r)
{
	const pcrm_acd_ms t0 = 1795395600000LL + (pcrm_acd_ms)r * 86400000LL;
	for (long i = 0; i < n; i++) {
		pcrm_acd_cdr *c = &v[i];
		memset(c, 0, sizeof(*c));
		c->size = sizeof(*c);
		c->version = PCRM_ACD_CDR_VERSION;
		snprintf(c->call_id, sizeof(c->call_id), "r%d-c%07ld", r, i);
		snprintf(c->queue_id, sizeof(c->queue_id), "billing");
		snprintf(c->first_queue_id, sizeof(c->first_queue_id), "billing");
		snprintf(c->caller_number, sizeof(c->caller_number), "13%09ld", (i * 7919L) % 1000000000L);
		if (i % 2 == 0)
			snprintf(c->customer_no, sizeof(c->customer_no), "K%07ld", i % CUSTOMERS);
		c->arrived_at = t0 + i * 100;
		c->wait_ms = 8000;
		if (i % 10 < 7) {
			c->outcome = PCRM_ACD_OUTCOME_ANSWERED;
			snprintf(c->agent_id, sizeof(c->agent_id), "A%03ld", i % 300);
			c->answered_at = c->arrived_at + 8000;
			c->talk_ms = 180000;
			c->ended_at = c->answered_at + c->talk_ms;
			c->wrap_up_end_at = c->ended_at + 10000;
			c->wrap_up_ms = 10000;
		} else {
			c->outcome = PCRM_ACD_OUTCOME_ABANDONED;
			c->ended_at = c->arrived_at + 8000;
		}
	}
}

static double sink_store(pcrm_call_record_sink *sink, const pcrm_acd_cdr *v, long n)
{
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	for (long at = 0; at < n; at += BATCH)
		if (pcrm_call_record_sink_write((void *)sink, v + at,
		                                (size_t)(n - at < BATCH ? n - at : BATCH)))
			die("sink write");
	return pcrm_bench_seconds(CLOCK_MONOTONIC) - t0;
}

/* The same rows (stand-ins of sealed size for the caller) moved by the bulk path alone. */
static double bare_store(pcrm_ctx *ctx, const pcrm_acd_cdr *v, long n)
{
	static const char cipher[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccdd"
	                             "eeff001122334455667788";
	static const char hash[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	pcrm_store *st = ctx->store;
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	for (long at = 0; at < n; at += BATCH) {
		if (pcrm__store_begin(st) ||
		    pcrm__store_bulk_begin(st, "bench_bare", pcrm__call_record_columns,
		                           PCRM__CALL_RECORD_COLUMNS))
			die("bare begin");
		for (long i = at; i < n && i < at + BATCH; i++) {
			const pcrm_acd_cdr *c = &v[i];
			pcrm_sql_value r[PCRM__CALL_RECORD_COLUMNS] = {
				PCRM_SQL_S("C1"), PCRM_SQL_S(c->customer_no), PCRM_SQL_S(c->call_id),
				PCRM_SQL_I(c->arrived_at), PCRM_SQL_S(c->queue_id),
				PCRM_SQL_S(c->first_queue_id), PCRM_SQL_S(c->agent_id),
				PCRM_SQL_S(pcrm_acd_outcome_name(c->outcome)), PCRM_SQL_I(0), PCRM_SQL_I(0),
				PCRM_SQL_I(0), PCRM_SQL_I(0), PCRM_SQL_I(c->answered_at),
				PCRM_SQL_I(c->ended_at), PCRM_SQL_I(c->wrap_up_end_at), PCRM_SQL_I(c->wait_ms),
				PCRM_SQL_I(c->talk_ms), PCRM_SQL_I(0), PCRM_SQL_I(c->wrap_up_ms),
				PCRM_SQL_S("1380***8000"), PCRM_SQL_S(cipher), PCRM_SQL_S(hash),
				PCRM_SQL_NUL, PCRM_SQL_I(1795395600), PCRM_SQL_S("bench-sink")
			};
			if (pcrm__store_bulk_row(st, r))
				die("bare row");
		}
		if (pcrm__store_bulk_end(st, 0) || pcrm__store_commit(st))
			die("bare commit");
	}
	return pcrm_bench_seconds(CLOCK_MONOTONIC) - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void run(const char *backend, const char *uri, long n)
{
	static const unsigned char key[PCRM_DATA_KEY_LEN] = "bench-key-0123456789abcdef012345";
	double sink[ROUNDS], bare[ROUNDS], again[ROUNDS];
	pcrm_call_record_sink *s;
	pcrm_ctx_options opts;
	pcrm_acd_cdr *v = malloc((size_t)n * sizeof(*v));
	pcrm_ctx *ctx;

	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.data_key = key;
	opts.data_key_len = sizeof(key);
	if (!v || pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	setup_archive(ctx);
	/* the same columns, primary key and unique index as call_record (docs/call-records.md) */
	if (ctx->store->driver->exec_script(ctx->store,
	                                    "CREATE TABLE bench_bare AS SELECT * FROM call_record "
	                                    "WHERE 1 = 0;"
	                                    "CREATE UNIQUE INDEX bench_bare_key ON bench_bare "
	                                    "(org_unit, arrived_ms, call_id);"
	                                    "CREATE UNIQUE INDEX bench_bare_once ON bench_bare "
	                                    "(call_id, arrived_ms);"
	                                    "CREATE INDEX bench_bare_agent ON bench_bare "
	                                    "(agent_id, arrived_ms);"
	                                    "CREATE INDEX bench_bare_customer ON bench_bare "
	                                    "(customer_no, arrived_ms);"
	                                    "CREATE INDEX bench_bare_caller ON bench_bare "
	                                    "(caller_hash, arrived_ms);"))
		die("bare table");
	if (pcrm_call_record_sink_new(&s, ctx, &sys, NULL))
		die("sink");
	for (int r = 0; r < ROUNDS; r++) {
		make_cdrs(v, n, r);
		bare[r] = bare_store(ctx, v, n);
		sink[r] = sink_store(s, v, n);
		again[r] = sink_store(s, v, n); /* every call stored already: all skipped */
	}
	qsort(sink, ROUNDS, sizeof(double), cmp);
	qsort(bare, ROUNDS, sizeof(double), cmp);
	qsort(again, ROUNDS, sizeof(double), cmp);
	printf("%-10s sink: %ld CDRs in batches of %d: min/median/max %.2f/%.2f/%.2f s "
	       "(%.0f CDRs/s at the median; 40 %% with a contact entry)\n",
	       backend, n, BATCH, sink[0], sink[1], sink[2], (double)n / sink[1]);
	printf("%-10s bare %s of the same rows: %.2f/%.2f/%.2f s; ratio of medians %.2fx\n", backend,
	       strcmp(backend, "sqlite") == 0 ? "INSERT" : "COPY", bare[0], bare[1], bare[2],
	       sink[1] / bare[1]);
	printf("%-10s re-flush of stored batches (all skipped): %.2f/%.2f/%.2f s; %.2fx the bare "
	       "load\n", backend, again[0], again[1], again[2], again[1] / bare[1]);
	fflush(stdout);
	pcrm_call_record_sink_free(s);
	pcrm_ctx_close(ctx);
	free(v);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_CDRS");
	long n = env ? atol(env) : 100000;

	if (n < BATCH)
		n = BATCH;
	return pcrm_bench_on_both_stores("bench_call_record", run, n);
}
