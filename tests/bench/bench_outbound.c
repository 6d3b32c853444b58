/*
 * Queueing a planned-outage notice to 200,000 customers of 500 transformer
 * areas, on both stores (issue 23: queued in under 5 seconds).
 *
 * The customers are bulk-loaded into the customer table (the archive's
 * sealing is not what is measured).  Each round creates a new planned-outage
 * campaign over all 500 areas and times pcrm_campaign_queue(): the
 * permission checks, the INSERT ... SELECT over the transformer_area index
 * and the audit entry, committed.  Two baselines are measured in the same
 * run and the same rounds, each writing the same 200,000 rows (same ids,
 * same columns) through the store's bulk path (COPY on PostgreSQL),
 * committed:
 *   bare insert   into outbound_message itself, with its key and indexes;
 *   floor         into a scratch table of the same columns with no key, no
 *                 index and no constraint: what writing the rows costs at
 *                 all on this machine, whatever the schema.
 * Both stores are durable, as in production: SQLite synchronous = FULL (the
 * library's default) and a PostgreSQL server with fsync, full_page_writes
 * and synchronous_commit on.  The tables are emptied before every
 * measurement, so each writes into a table of the same size.
 *
 * The development machine is shared (2 cores, several builds at once), so
 * wall time follows the load.  Each measurement also reports the CPU time
 * of the work (this process, plus the PostgreSQL backend's from /proc), and
 * each round times a fixed CPU-bound loop: its wall / CPU ratio, the
 * "stretch", says how much the load lengthened CPU work in that round.
 * Figures: min / median / max over the rounds; ratios of the medians.
 *
 * `bench_outbound tier [n]` (benchmark "outbound-tier") measures a
 * tier-threshold warning campaign instead: n residential customers (50,000
 * by default), each with an issued bill for every month of the year so far
 * (bulk-loaded, as the customers are), warned within 100 kWh of their next
 * annual threshold.  Its baselines, in the same rounds: the planned-outage
 * notice queue to the same customers (the set-shaped campaign it should
 * cost like) and the bare insert of n outbound_message rows.  Once per
 * store, as a reference, it also times pcrm_tier_position_get() over the
 * first TIER_REFERENCE customers: what the campaign read per customer
 * before it read the target as one set.  The number queued is checked
 * against the figures the loader wrote.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "core/ctx.h"
#include "store/store.h"

#define PROGRAM "bench_outbound"
#define CUSTOMERS 200000L
#define AREAS 500
#define ROUNDS 5
#define TIER_CUSTOMERS 50000L
#define TIER_MONTHS 10 /* January to October: the bench's clock is in November */
#define TIER_REFERENCE 5000L

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

/* What one measurement cost: elapsed, and CPU of this process and of the PostgreSQL backend. */
struct cost {
	double wall, cpu;
};

/*
 * CPU seconds the store's server process has used: its backend's utime +
 * stime from /proc (the throwaway server runs on this machine); 0 for
 * SQLite, whose work is this process's own.
 */
static double backend_cpu(pcrm_ctx *ctx)
{
	char path[64], buf[1024], *p;
	unsigned long utime = 0, stime = 0;
	int64_t pid = 0;
	size_t n;
	FILE *f;

	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES)
		return 0;
	die_rc(pcrm__store_query_int(ctx->store, "SELECT pg_backend_pid()", NULL, 0, &pid),
	       "reading the backend's pid");
	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	if (!(f = fopen(path, "r")))
		pcrm_bench_die(PROGRAM, "opening the backend's /proc stat");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "pid (comm) ": state, then fields 4..13, then utime and stime (proc(5)) */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
	                 &stime) != 2)
		pcrm_bench_die(PROGRAM, "parsing the backend's /proc stat");
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static struct cost cost_start(pcrm_ctx *ctx)
{
	struct cost c;
	c.cpu = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) + backend_cpu(ctx);
	c.wall = pcrm_bench_seconds(CLOCK_MONOTONIC);
	return c;
}

static struct cost cost_since(pcrm_ctx *ctx, struct cost start)
{
	struct cost c;
	c.wall = pcrm_bench_seconds(CLOCK_MONOTONIC) - start.wall;
	c.cpu = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) + backend_cpu(ctx) - start.cpu;
	return c;
}

/*
 * The load gauge: wall / CPU time of a fixed loop that touches no store.
 * 1.0 on an idle machine; 3 means CPU work took three times its CPU time.
 */
static double load_stretch(void)
{
	volatile uint64_t x = 0;
	double w = pcrm_bench_seconds(CLOCK_MONOTONIC), c = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (uint64_t i = 0; i < 100000000u; i++)
		x += i ^ (x >> 3);
	c = pcrm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c;
	w = pcrm_bench_seconds(CLOCK_MONOTONIC) - w;
	return c > 0 ? w / c : 1.0;
}

/* The scratch table of the floor: outbound_message's columns, nothing else. */
static void create_floor_table(pcrm_ctx *ctx)
{
	die_rc(pcrm__store_exec(ctx->store,
	                        "CREATE TABLE bench_floor (org_unit TEXT, id TEXT, customer_no TEXT, "
	                        "campaign_id TEXT, work_order_id TEXT, body TEXT, status TEXT, "
	                        "channel TEXT, channel_index INTEGER, attempts INTEGER, "
	                        "not_before BIGINT, created_at BIGINT, updated_at BIGINT, "
	                        "provider_ref TEXT)",
	                        NULL, 0, NULL),
	       "creating the floor's table");
}

static void empty_table(pcrm_ctx *ctx, const char *table)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "DELETE FROM %s", table);
	die_rc(pcrm__store_exec(ctx->store, sql, NULL, 0, NULL), "emptying a table");
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES) {
		snprintf(sql, sizeof(sql), "VACUUM ANALYZE %s", table);
		die_rc(pcrm__store_exec(ctx->store, sql, NULL, 0, NULL), "vacuuming a table");
	}
}

static struct cost queue_campaign(pcrm_ctx *ctx, int round, int64_t *queued)
{
	char *json = malloc(AREAS * 12 + 1024), id[32];
	size_t n = 0;
	struct cost t;

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
	t = cost_start(ctx);
	die_rc(pcrm_campaign_queue(ctx, &admin, id, queued), "queueing the campaign");
	return cost_since(ctx, t);
}

/* The same rows, ids and columns as a queueing, through the bulk path into `table`, committed. */
static struct cost bulk_insert(pcrm_ctx *ctx, const char *table, long n, int round)
{
	static const char *const cols[] = { "org_unit", "id", "customer_no", "campaign_id",
		                            "status", "channel_index", "attempts", "not_before",
		                            "created_at", "updated_at" };
	pcrm_store *st = ctx->store;
	char id[80], no[32], campaign[32];
	struct cost t = cost_start(ctx);
	int rc = pcrm__store_begin(st);

	snprintf(campaign, sizeof(campaign), "BARE-%d", round);
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, table, cols, 10);
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
	die_rc(pcrm__store_finish(st, rc), "bulk insert");
	return cost_since(ctx, t);
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

static void sort_costs(struct cost *c, double *wall, double *cpu)
{
	for (int r = 0; r < ROUNDS; r++) {
		wall[r] = c[r].wall;
		cpu[r] = c[r].cpu;
	}
	qsort(wall, ROUNDS, sizeof(wall[0]), cmp_double);
	qsort(cpu, ROUNDS, sizeof(cpu[0]), cmp_double);
}

static void print_costs(const char *backend, const char *what, struct cost *c)
{
	double wall[ROUNDS], cpu[ROUNDS];
	sort_costs(c, wall, cpu);
	printf("%s:   %-12s wall %5.2f/%5.2f/%5.2f s, cpu %5.2f/%5.2f/%5.2f s\n", backend, what,
	       wall[0], wall[ROUNDS / 2], wall[ROUNDS - 1], cpu[0], cpu[ROUNDS / 2],
	       cpu[ROUNDS - 1]);
}

static double median_of(struct cost *c, int want_cpu)
{
	double wall[ROUNDS], cpu[ROUNDS];
	sort_costs(c, wall, cpu);
	return want_cpu ? cpu[ROUNDS / 2] : wall[ROUNDS / 2];
}

/* The store on the bench's clock, with the province, the city and its county. */
static pcrm_ctx *open_store(const char *uri)
{
	pcrm_ctx_options opts = pcrm_bench_options();
	pcrm_ctx *ctx;

	opts.clock = bench_clock;
	die_rc(pcrm_ctx_open(&ctx, uri, &opts), "opening the store");
	die_rc(pcrm_org_unit_create(ctx, &admin, "37", NULL, "省公司", PCRM_ORG_PROVINCE), "org 37");
	die_rc(pcrm_org_unit_create(ctx, &admin, "3701", "37", "市公司", PCRM_ORG_CITY), "org 3701");
	die_rc(pcrm_org_unit_create(ctx, &admin, "370102", "3701", "县公司", PCRM_ORG_COUNTY),
	       "org 370102");
	return ctx;
}

static void run(const char *backend, const char *uri, long n)
{
	struct cost q[ROUNDS], b[ROUNDS], f[ROUNDS];
	double stretch[ROUNDS], wall[ROUNDS], cpu[ROUNDS];
	int64_t queued = 0;
	pcrm_ctx *ctx = open_store(uri);

	load_customers(ctx, n);
	create_floor_table(ctx);
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		die_rc(pcrm__store_exec(ctx->store, "ANALYZE customer", NULL, 0, NULL), "analyze");
	for (int r = 0; r < ROUNDS; r++) {
		stretch[r] = load_stretch();
		empty_table(ctx, "bench_floor");
		f[r] = bulk_insert(ctx, "bench_floor", n, r);
		empty_table(ctx, "outbound_message");
		b[r] = bulk_insert(ctx, "outbound_message", n, r);
		empty_table(ctx, "outbound_message");
		q[r] = queue_campaign(ctx, r, &queued);
		if (queued != n) {
			fprintf(stderr, "%s: queued %lld of %ld customers\n", PROGRAM, (long long)queued, n);
			exit(1);
		}
	}
	qsort(stretch, ROUNDS, sizeof(stretch[0]), cmp_double);
	printf("%s: planned-outage notice to %ld customers of %d areas, %d rounds "
	       "(min/median/max); load stretch %.1f/%.1f/%.1f\n",
	       backend, n, AREAS, ROUNDS, stretch[0], stretch[ROUNDS / 2], stretch[ROUNDS - 1]);
	print_costs(backend, "queue", q);
	print_costs(backend, "bare insert", b);
	print_costs(backend, "no-index", f);
	sort_costs(q, wall, cpu);
	printf("%s:   ratios of medians, wall (cpu): queue / bare insert %.2f (%.2f), "
	       "queue / no-index floor %.2f (%.2f); under 5 s: %s (max %.2f s)\n",
	       backend, median_of(q, 0) / median_of(b, 0), median_of(q, 1) / median_of(b, 1),
	       median_of(q, 0) / median_of(f, 0), median_of(q, 1) / median_of(f, 1),
	       wall[ROUNDS - 1] < 5.0 ? "met" : wall[ROUNDS / 2] < 5.0 ? "median met, max not" :
	                                                          "NOT met",
	       wall[ROUNDS - 1]);
	pcrm_ctx_close(ctx);
}

/* ---- tier-threshold warnings (`bench_outbound tier`) ---- */

static const char tier_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"700\", \"surcharge\": \"0\"},"
	" {\"max\": \"1000\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}]}}";

/* Customer i's monthly energy: 40..100 kWh, so its year stands at 400..1000 kWh. */
static long monthly_kwh(long i)
{
	return 40 + i % 61;
}

/* How many customers the campaign must warn: within 100 kWh below 700 or below 1000. */
static int64_t tier_expected(long n)
{
	int64_t warned = 0;
	for (long i = 0; i < n; i++) {
		long year = TIER_MONTHS * monthly_kwh(i);
		long left = year < 700 ? 700 - year : year < 1000 ? 1000 - year : -1;
		warned += left >= 0 && left <= 100;
	}
	return warned;
}

/* Customer i's issued bill (account A<i>) for each month from January, bulk-loaded. */
static void load_bills(pcrm_ctx *ctx, long n)
{
	static const char *const cols[] = { "customer_no", "bill_no", "account_no", "period",
		                            "status", "tariff_id", "tariff_version", "issue_day",
		                            "due_day", "energy", "total", "doc", "created_at",
		                            "created_by" };
	pcrm_store *st = ctx->store;
	char no[32], acct[32], bill[48], period[8], kwh[16];
	int rc = pcrm__store_begin(st);

	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, "bill", cols, 14);
	for (long i = 0; i < n && rc == PCRM_OK; i++) {
		snprintf(no, sizeof(no), "C%07ld", i);
		snprintf(acct, sizeof(acct), "A%07ld", i);
		snprintf(kwh, sizeof(kwh), "%ld", monthly_kwh(i));
		for (int m = 1; m <= TIER_MONTHS && rc == PCRM_OK; m++) {
			snprintf(period, sizeof(period), "2026-%02d", m);
			snprintf(bill, sizeof(bill), "%s-2026%02d", acct, m);
			pcrm_sql_value v[14] = { PCRM_SQL_S(no),      PCRM_SQL_S(bill),
				                 PCRM_SQL_S(acct),    PCRM_SQL_S(period),
				                 PCRM_SQL_S("issued"), PCRM_SQL_S("annual-residential"),
				                 PCRM_SQL_I(1),       PCRM_SQL_I(20454 + 30 * m),
				                 PCRM_SQL_I(20468 + 30 * m), PCRM_SQL_S(kwh),
				                 PCRM_SQL_S("30.00"), PCRM_SQL_S("{}"),
				                 PCRM_SQL_I(0),       PCRM_SQL_S("bench") };
			rc = pcrm__store_bulk_row(st, v);
		}
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(st, 0);
	die_rc(pcrm__store_finish(st, rc), "loading bills");
}

static struct cost queue_tier(pcrm_ctx *ctx, int round, int64_t *queued)
{
	char json[512], id[32];
	struct cost t;

	snprintf(id, sizeof(id), "TIER-%d", round);
	snprintf(json, sizeof(json),
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"阶梯电量提醒\","
	         " \"kind\": \"tier_warning\", \"template\": \"户号{customer_no}：本年度已用电"
	         "{year_energy}千瓦时，再用{tier_remaining}千瓦时将进入第{next_tier}档。\","
	         " \"schedule_at\": \"2026-11-24T09:00:00+08:00\","
	         " \"target\": {\"margin_kwh\": \"100\"}}",
	         id);
	die_rc(pcrm_campaign_create(ctx, &admin, json), "creating the tier campaign");
	t = cost_start(ctx);
	die_rc(pcrm_campaign_queue(ctx, &admin, id, queued), "queueing the tier campaign");
	return cost_since(ctx, t);
}

/* The reads the campaign made before: pcrm_tier_position_get() per customer. */
static struct cost per_customer_reads(pcrm_ctx *ctx, long n)
{
	pcrm_tier_position p = PCRM_TIER_POSITION_INIT;
	const pcrm_date today = { 2026, 11, 23 };
	char no[32];
	struct cost t = cost_start(ctx);

	for (long i = 0; i < n; i++) {
		snprintf(no, sizeof(no), "C%07ld", i);
		die_rc(pcrm_tier_position_get(ctx, &admin, no, NULL, today, &p), "a tier position");
	}
	return cost_since(ctx, t);
}

static void die_queued(int64_t queued, int64_t expected, const char *what)
{
	if (queued != expected) {
		fprintf(stderr, "%s: %s queued %lld, expected %lld\n", PROGRAM, what,
		        (long long)queued, (long long)expected);
		exit(1);
	}
}

static void run_tier(const char *backend, const char *uri, long n)
{
	struct cost w[ROUNDS], o[ROUNDS], b[ROUNDS], ref;
	double stretch[ROUNDS];
	long ref_n = n < TIER_REFERENCE ? n : TIER_REFERENCE;
	int64_t expected = tier_expected(n), queued = 0;
	pcrm_ctx *ctx = open_store(uri);

	die_rc(pcrm_tariff_publish(ctx, &admin, tier_tariff), "publishing the tariff");
	load_customers(ctx, n);
	load_bills(ctx, n);
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		for (int i = 0; i < 2; i++)
			die_rc(pcrm__store_exec(ctx->store, i ? "ANALYZE bill" : "ANALYZE customer",
			                        NULL, 0, NULL),
			       "analyze");
	for (int r = 0; r < ROUNDS; r++) {
		stretch[r] = load_stretch();
		empty_table(ctx, "outbound_message");
		b[r] = bulk_insert(ctx, "outbound_message", n, r);
		empty_table(ctx, "outbound_message");
		o[r] = queue_campaign(ctx, r, &queued);
		die_queued(queued, n, "the planned-outage notice");
		empty_table(ctx, "outbound_message");
		w[r] = queue_tier(ctx, r, &queued);
		die_queued(queued, expected, "the tier warning");
	}
	ref = per_customer_reads(ctx, ref_n);
	qsort(stretch, ROUNDS, sizeof(stretch[0]), cmp_double);
	printf("%s: tier-threshold warning over %ld residential customers with %d bills each, "
	       "%lld warned, %d rounds (min/median/max); load stretch %.1f/%.1f/%.1f\n",
	       backend, n, TIER_MONTHS, (long long)expected, ROUNDS, stretch[0],
	       stretch[ROUNDS / 2], stretch[ROUNDS - 1]);
	print_costs(backend, "tier queue", w);
	print_costs(backend, "outage queue", o);
	print_costs(backend, "bare insert", b);
	printf("%s:   ratios of medians, wall (cpu): tier / outage queue %.2f (%.2f), "
	       "tier / bare insert %.2f (%.2f)\n",
	       backend, median_of(w, 0) / median_of(o, 0), median_of(w, 1) / median_of(o, 1),
	       median_of(w, 0) / median_of(b, 0), median_of(w, 1) / median_of(b, 1));
	printf("%s:   reference, pcrm_tier_position_get() one by one: %ld customers in "
	       "wall %.2f s, cpu %.2f s (%.3f ms wall each; x%ld customers would be %.1f s)\n",
	       backend, ref_n, ref.wall, ref.cpu, 1000.0 * ref.wall / (double)ref_n, n,
	       ref.wall * (double)n / (double)ref_n);
	pcrm_ctx_close(ctx);
}

int main(int argc, char **argv)
{
	int tier = argc > 1 && strcmp(argv[1], "tier") == 0;
	long n = argc > 1 + tier ? atol(argv[1 + tier]) : tier ? TIER_CUSTOMERS : CUSTOMERS;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n < AREAS)
		n = AREAS;
	return pcrm_bench_on_stores(PROGRAM, tier ? run_tier : run, n, 1);
}
