/*
 * Customer archive benchmark: bulk import and screen-pop latency on SQLite
 * and PostgreSQL at PCRM_BENCH_CUSTOMERS customers (default 1,000,000).
 *
 * Import speed is reported as customers per second and as a ratio to a bare
 * load of the same rows into a table of the same shape through the same bulk
 * path (prepared INSERT on SQLite, COPY on PostgreSQL) measured in the same
 * run: what validation, sealing, the phone index and auditing cost on top of
 * moving the bytes.  Screen-pop latency is the distribution of 20,000
 * pcrm_customer_find_by_phone() calls for random known numbers.
 *
 * No assertion on absolute times: this prints figures; the targets live in
 * the issue and docs/customers.md.
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

#define LOOKUPS 20000

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };
static const pcrm_actor clerk = { "bench-clerk", PCRM_ROLE_DATA_CLERK, 3, "P1" };
static const pcrm_actor agent = { "bench-agent", PCRM_ROLE_AGENT, 1, "P1" };

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_customer: %s: %s\n", what, pcrm_error_last());
	exit(1);
}

/* province P1 > 4 cities > 16 counties > 64 township stations */
static void make_tree(pcrm_ctx *ctx)
{
	char code[32], parent[32];
	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE))
		die("org");
	for (int c = 0; c < 4; c++) {
		snprintf(code, sizeof(code), "C%d", c);
		if (pcrm_org_unit_create(ctx, &admin, code, "P1", "city", PCRM_ORG_CITY))
			die("org");
		for (int k = 0; k < 4; k++) {
			snprintf(parent, sizeof(parent), "C%d", c);
			snprintf(code, sizeof(code), "C%dK%d", c, k);
			if (pcrm_org_unit_create(ctx, &admin, code, parent, "county", PCRM_ORG_COUNTY))
				die("org");
			for (int t = 0; t < 4; t++) {
				char tw[48];
				snprintf(tw, sizeof(tw), "C%dK%dT%d", c, k, t);
				if (pcrm_org_unit_create(ctx, &admin, tw, code, "township",
				                         PCRM_ORG_TOWNSHIP))
					die("org");
			}
		}
	}
}

static void mobile_of(long i, char *buf, size_t size)
{
	snprintf(buf, size, "13%09ld", (i * 7919L) % 1000000000L);
}

static char *generate(long n, size_t *len)
{
	size_t cap = (size_t)n * 360 + 1, at = 0;
	char *buf = malloc(cap);
	if (!buf)
		die("out of memory");
	for (long i = 0; i < n; i++) {
		char mobile[32];
		mobile_of(i, mobile, sizeof(mobile));
		at += (size_t)snprintf(buf + at, cap - at,
		                       "{\"customer_no\":\"B%08ld\",\"kind\":\"person\",\"name\":\"客户%ld\","
		                       "\"usage_class\":\"residential\",\"voltage_level\":\"220V\","
		                       "\"org_unit\":\"C%ldK%ldT%ld\",\"transformer_area\":\"TA%04ld\","
		                       "\"vip_level\":%ld,\"household_size\":%ld,"
		                       "\"phones\":{\"mobile\":\"%s\"}}\n",
		                       i, i, i % 4, (i / 4) % 4, (i / 16) % 4, i % 5000, i % 97 == 0 ? 2L : 0L,
		                       1 + i % 6, mobile);
	}
	*len = at;
	return buf;
}

/* The same rows, already rendered, through the same bulk path: the floor. */
static double bare_load(pcrm_ctx *ctx, long n)
{
	static const char *const cols[] = { "customer_no", "org_unit", "name", "doc", "phone" };
	pcrm_store *st = ctx->store;
	double t0;
	st->driver->exec_script(st, "CREATE TABLE bench_bare (customer_no TEXT PRIMARY KEY, "
	                            "org_unit TEXT, name TEXT, doc TEXT, phone TEXT)");
	t0 = now_seconds();
	if (pcrm__store_begin(st) || pcrm__store_bulk_begin(st, "bench_bare", cols, 5))
		die("bare load");
	for (long i = 0; i < n; i++) {
		char no[32], org[48], name[48], mobile[32], doc[256];
		pcrm_sql_value v[5];
		snprintf(no, sizeof(no), "B%08ld", i);
		snprintf(org, sizeof(org), "C%ldK%ldT%ld", i % 4, (i / 4) % 4, (i / 16) % 4);
		snprintf(name, sizeof(name), "客户%ld", i);
		mobile_of(i, mobile, sizeof(mobile));
		snprintf(doc, sizeof(doc), "{\"customer_no\":\"%s\",\"name\":\"%s\"}", no, name);
		v[0] = PCRM_SQL_S(no);
		v[1] = PCRM_SQL_S(org);
		v[2] = PCRM_SQL_S(name);
		v[3] = PCRM_SQL_S(doc);
		v[4] = PCRM_SQL_S(mobile);
		if (pcrm__store_bulk_row(st, v))
			die("bare row");
	}
	if (pcrm__store_bulk_end(st, 0) || pcrm__store_commit(st))
		die("bare commit");
	return now_seconds() - t0;
}

static double import_all(pcrm_ctx *ctx, const char *data, size_t len)
{
	const size_t batch = 10000 * 360;
	size_t at = 0;
	int64_t total = 0;
	double t0 = now_seconds();
	while (at < len) {
		/* cut the input at a line end near the batch size */
		size_t end = at + batch < len ? at + batch : len;
		int64_t n = 0;
		while (end < len && data[end - 1] != '\n')
			end++;
		if (pcrm_customer_import(ctx, &clerk, data + at, end - at, &n))
			die("import");
		total += n;
		at = end;
	}
	(void)total;
	return now_seconds() - t0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void screen_pop(pcrm_ctx *ctx, long n, const char *backend)
{
	static double us[LOOKUPS];
	unsigned int seed = 42;
	for (int i = 0; i < LOOKUPS; i++) {
		char mobile[32];
		pcrm_customer_list *l;
		double t0;
		long k = (long)(rand_r(&seed) % (unsigned int)n);
		mobile_of(k, mobile, sizeof(mobile));
		t0 = now_seconds();
		if (pcrm_customer_find_by_phone(ctx, &agent, mobile, &l))
			die("screen pop");
		us[i] = (now_seconds() - t0) * 1e6;
		if (pcrm_customer_list_count(l) < 1)
			die("screen pop found nobody");
		pcrm_customer_list_free(l);
	}
	qsort(us, LOOKUPS, sizeof(us[0]), compare_double);
	printf("%-10s screen pop: p50 %.0f us, p99 %.0f us, max %.0f us (%d lookups at %ld "
	       "customers; target p99 < 1000 us)\n",
	       backend, us[LOOKUPS / 2], us[LOOKUPS * 99 / 100], us[LOOKUPS - 1], LOOKUPS, n);
}

static void run(const char *backend, const char *uri, long n, const char *data, size_t len)
{
	pcrm_ctx *ctx;
	double t_import, t_bare;
	pcrm_ctx_options opts = pcrm_bench_options();
	if (pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	make_tree(ctx);
	t_bare = bare_load(ctx, n);
	t_import = import_all(ctx, data, len);
	printf("%-10s import: %ld customers in %.1f s = %.0f customers/s; bare %s of the same rows "
	       "%.1f s; ratio %.2fx\n",
	       backend, n, t_import, (double)n / t_import,
	       strcmp(backend, "sqlite") == 0 ? "INSERT" : "COPY", t_bare, t_import / t_bare);
	fflush(stdout);
	screen_pop(ctx, n, backend);
	fflush(stdout);
	pcrm_ctx_close(ctx);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_CUSTOMERS");
	long n = env ? atol(env) : 1000000;
	char dir[] = "/tmp/pcrm-bench-XXXXXX", uri[128], why[512], cmd[160];
	const char *pg;
	size_t len;
	char *data;

	if (n < 1)
		n = 1;
	data = generate(n, &len);
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(uri, sizeof(uri), "sqlite:%s/bench.db", dir);
	run("sqlite", uri, n, data, len);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_customer: could not remove %s\n", dir);

	if (pcrm_test_pg_start(why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_customer: no PostgreSQL server: %s\n", why);
		free(data);
		return pcrm_test_pg_required() ? 1 : 0;
	}
	pg = pcrm_test_pg_new_database(why, sizeof(why));
	if (!pg) {
		fprintf(stderr, "bench_customer: %s\n", why);
		pcrm_test_pg_stop();
		free(data);
		return 1;
	}
	run("postgresql", pg, n, data, len);
	pcrm_test_pg_drop_database();
	pcrm_test_pg_stop();
	free(data);
	return 0;
}
