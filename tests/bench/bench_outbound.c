/*
 * Queueing a planned-outage notice to 200,000 customers of 500 transformer
 * areas, on both stores (issue 23: queued in under 5 seconds).
 *
 * The customers are bulk-loaded into the customer table (the archive's
 * sealing is not what is measured).  Each round creates a new planned-outage
 * campaign over all 500 areas and times pcrm_campaign_queue(): the
 * permission checks, the INSERT ... SELECT over the transformer_area index
 * and the audit entry, committed.  The baseline, measured in the same run
 * and the same rounds, is a bare bulk insert of the same 200,000 queue rows
 * (same ids, same columns) through the store's bulk path (COPY on
 * PostgreSQL), committed.  The queue is emptied before every measurement, so
 * both write into a table of the same size.  Figures: min / median / max
 * over the rounds, and the ratio of the medians.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/ctx.h"
#include "store/store.h"

#define PROGRAM "bench_outbound"
#define CUSTOMERS 200000L
#define AREAS 500
#define ROUNDS 3

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "37" };

static void die_rc(int rc, const char *what)
{
	if (rc != PCRM_OK)
		pcrm_bench_die(PROGRAM, what);
}

static void load_customers(pcrm_ctx *ctx, long n)
{
	static const char *const cols[] = { "customer_no", "org_unit", "kind", "name",
		                            "usage_class", "voltage_level", "status", "vip_level",
		                            "transformer_area", "doc", "created_at", "updated_at",
		                            "version" };
	pcrm_store *st = ctx->store;
	char no[32], area[32], doc[128];
	int rc = pcrm__store_begin(st);

	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, "customer", cols, 13);
	for (long i = 0; i < n && rc == PCRM_OK; i++) {
		/* half in the city, half in its county: the subtree test does real work */
		const char *org = i % 2 ? "370102" : "3701";
		snprintf(no, sizeof(no), "C%07ld", i);
		snprintf(area, sizeof(area), "TA-%03ld", i % AREAS);
		snprintf(doc, sizeof(doc), "{\"customer_no\": \"%s\", \"org_unit\": \"%s\"}", no, org);
		pcrm_sql_value v[13] = { PCRM_SQL_S(no),   PCRM_SQL_S(org),  PCRM_SQL_S("person"),
			                 PCRM_SQL_S("客**"), PCRM_SQL_S("residential"),
			                 PCRM_SQL_S("220V"), PCRM_SQL_S("active"), PCRM_SQL_I(0),
			                 PCRM_SQL_S(area), PCRM_SQL_S(doc), PCRM_SQL_I(0), PCRM_SQL_I(0),
			                 PCRM_SQL_I(1) };
		rc = pcrm__store_bulk_row(st, v);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(st, 0);
	die_rc(pcrm__store_finish(st, rc), "loading customers");
}

static void empty_queue(pcrm_ctx *ctx)
{
	die_rc(pcrm__store_exec(ctx->store, "DELETE FROM outbound_message", NULL, 0, NULL),
	       "emptying the queue");
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		die_rc(pcrm__store_exec(ctx->store, "VACUUM ANALYZE outbound_message", NULL, 0, NULL),
		       "vacuuming the queue");
}

static double queue_campaign(pcrm_ctx *ctx, int round, int64_t *queued)
{
	char *json = malloc(AREAS * 12 + 1024), id[32];
	size_t n = 0;
	double t;

	if (!json)
		pcrm_bench_die(PROGRAM, "out of memory");
	snprintf(id, sizeof(id), "OUT-%d", round);
	n += (size_t)sprintf(json + n,
	                     "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"检修停电\","
	                     " \"kind\": \"planned_outage\", \"template\": \"{name}：台区"
	                     "{transformer_area}于{outage_start}停电。\","
	                     " \"schedule_at\": \"2026-11-24T09:00:00+08:00\","
	                     " \"target\": {\"outage_start\": \"2026-12-05T08:00:00+08:00\","
	                     " \"outage_end\": \"2026-12-05T17:00:00+08:00\", \"transformer_areas\": [",
	                     id);
	for (int a = 0; a < AREAS; a++)
		n += (size_t)sprintf(json + n, "%s\"TA-%03d\"", a ? ", " : "", a);
	sprintf(json + n, "]}}");
	die_rc(pcrm_campaign_create(ctx, &admin, json), "creating the campaign");
	free(json);
	t = pcrm_bench_seconds(CLOCK_MONOTONIC);
	die_rc(pcrm_campaign_queue(ctx, &admin, id, queued), "queueing the campaign");
	return pcrm_bench_seconds(CLOCK_MONOTONIC) - t;
}

/* The floor: the same rows, ids and columns, through the bulk path, committed. */
static double bare_insert(pcrm_ctx *ctx, long n, int round)
{
	static const char *const cols[] = { "org_unit", "id", "customer_no", "campaign_id",
		                            "status", "channel_index", "attempts", "not_before",
		                            "created_at", "updated_at" };
	pcrm_store *st = ctx->store;
	char id[80], no[32], campaign[32];
	double t = pcrm_bench_seconds(CLOCK_MONOTONIC);
	int rc = pcrm__store_begin(st);

	snprintf(campaign, sizeof(campaign), "BARE-%d", round);
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, "outbound_message", cols, 10);
	for (long i = 0; i < n && rc == PCRM_OK; i++) {
		snprintf(no, sizeof(no), "C%07ld", i);
		snprintf(id, sizeof(id), "%s/%s", campaign, no);
		pcrm_sql_value v[10] = { PCRM_SQL_S(i % 2 ? "370102" : "3701"), PCRM_SQL_S(id),
			                 PCRM_SQL_S(no), PCRM_SQL_S(campaign), PCRM_SQL_S("queued"),
			                 PCRM_SQL_I(0), PCRM_SQL_I(0), PCRM_SQL_I(1),
			                 PCRM_SQL_I(1), PCRM_SQL_I(1) };
		rc = pcrm__store_bulk_row(st, v);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(st, 0);
	die_rc(pcrm__store_finish(st, rc), "bare insert");
	return pcrm_bench_seconds(CLOCK_MONOTONIC) - t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static pcrm_time bench_clock(void *u)
{
	(void)u;
	return 1795395600; /* 2026-11-23T09:00:00+08:00: 12 days before the outage */
}

static void run(const char *backend, const char *uri, long n)
{
	pcrm_ctx_options opts = pcrm_bench_options();
	double q[ROUNDS], b[ROUNDS];
	pcrm_ctx *ctx;
	int64_t queued = 0;

	opts.clock = bench_clock;
	die_rc(pcrm_ctx_open(&ctx, uri, &opts), "opening the store");
	die_rc(pcrm_org_unit_create(ctx, &admin, "37", NULL, "省公司", PCRM_ORG_PROVINCE), "org 37");
	die_rc(pcrm_org_unit_create(ctx, &admin, "3701", "37", "市公司", PCRM_ORG_CITY), "org 3701");
	die_rc(pcrm_org_unit_create(ctx, &admin, "370102", "3701", "县公司", PCRM_ORG_COUNTY),
	       "org 370102");
	load_customers(ctx, n);
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		die_rc(pcrm__store_exec(ctx->store, "ANALYZE customer", NULL, 0, NULL), "analyze");
	for (int r = 0; r < ROUNDS; r++) {
		empty_queue(ctx);
		b[r] = bare_insert(ctx, n, r);
		empty_queue(ctx);
		q[r] = queue_campaign(ctx, r, &queued);
		if (queued != n) {
			fprintf(stderr, "%s: queued %lld of %ld customers\n", PROGRAM, (long long)queued, n);
			exit(1);
		}
	}
	qsort(q, ROUNDS, sizeof(q[0]), cmp_double);
	qsort(b, ROUNDS, sizeof(b[0]), cmp_double);
	printf("%s: planned-outage notice to %ld customers of %d areas queued in "
	       "%.2f/%.2f/%.2f s; bare insert of the same rows %.2f/%.2f/%.2f s "
	       "(min/median/max of %d rounds); ratio of medians %.2f; under 5 s: %s\n",
	       backend, n, AREAS, q[0], q[ROUNDS / 2], q[ROUNDS - 1], b[0], b[ROUNDS / 2],
	       b[ROUNDS - 1], ROUNDS, q[ROUNDS / 2] / b[ROUNDS / 2],
	       q[ROUNDS - 1] < 5.0 ? "met" : "NOT met");
	pcrm_ctx_close(ctx);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : CUSTOMERS;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n < AREAS)
		n = AREAS;
	return pcrm_bench_on_both_stores(PROGRAM, run, n);
}
