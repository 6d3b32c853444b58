/*
 * Customer archive benchmark: bulk import and screen-pop latency on SQLite
 * and PostgreSQL at PCRM_BENCH_CUSTOMERS customers (default 1,000,000).
 *
 * Import speed is reported as customers per second and as a ratio to a bare
 * load of the same rows into a table of the same shape through the same bulk
 * path (prepared INSERT on SQLite, COPY on PostgreSQL) measured in the same
 * run: what validation, sealing, the phone index and auditing cost on top of
 * moving the bytes.
 *
 * The screen pop (pcrm_customer_find_by_phone(): normalise, keyed hash of the
 * number, the blind-index lookup, each customer's data key and personal
 * fields opened) is measured against the screen pop of a library that keeps
 * phone numbers in clear (issue 18: "within 2x of today's cost"): the same
 * customers copied, in the same run and store, into scratch tables shaped as
 * before sealing (schema 2), looked up by the clear number with the same
 * scope check and built into the same customer objects (checked equal on
 * every lookup).  ROUNDS rounds of LOOKUPS random known numbers, each looked
 * up both ways back to back; per round the p50 and p99 of each way and their
 * ratios; printed as min / median / max over the rounds.
 *
 * No assertion on times: this prints figures; the targets live in the issue
 * and docs/customers.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <powercrm.h>

#include "bench.h"
#include "core/ctx.h"
#include "customer/customer_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define PROGRAM "bench_customer"
#define ROUNDS 5
#define LOOKUPS 4000 /* per round and way: the p99 is the 40th slowest */
#define SCREEN_POP_MAX 100 /* as lib/customer/search.c */

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };
static const pcrm_actor clerk = { "bench-clerk", PCRM_ROLE_DATA_CLERK, 3, "P1" };
static const pcrm_actor agent = { "bench-agent", PCRM_ROLE_AGENT, 1, "P1" };

static double now_seconds(void)
{
	return pcrm_bench_seconds(CLOCK_MONOTONIC);
}

static void die(const char *what)
{
	pcrm_bench_die(PROGRAM, what);
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

/* ---- the baseline: the screen pop of a library that keeps phone numbers in clear ---- */

/*
 * Scratch copies of the customer table and the phone index as the library kept them before
 * personal data was sealed (schema 2, before 20): name and phones in clear in the row and its
 * document, the normalised number in clear in the phone index, the same indexes.  Same rows,
 * same store, same run.
 */
static const char clear_schema[] =
	"CREATE TABLE bench_clear_customer (customer_no TEXT PRIMARY KEY, org_unit TEXT NOT NULL, "
	"kind TEXT NOT NULL, name TEXT NOT NULL, usage_class TEXT NOT NULL, "
	"voltage_level TEXT NOT NULL, status TEXT NOT NULL, vip_level INTEGER NOT NULL, "
	"transformer_area TEXT, doc TEXT NOT NULL, id_masked TEXT, id_cipher TEXT, id_hash TEXT, "
	"created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version INTEGER NOT NULL, "
	"pii_cipher TEXT, pii_key TEXT, erased_at BIGINT);"
	"CREATE INDEX bench_clear_customer_by_org ON bench_clear_customer (org_unit, customer_no);"
	"CREATE INDEX bench_clear_customer_by_area ON bench_clear_customer (transformer_area);"
	"CREATE INDEX bench_clear_customer_by_name ON bench_clear_customer (name);"
	"CREATE TABLE bench_clear_phone (customer_no TEXT NOT NULL, kind TEXT NOT NULL, "
	"phone TEXT NOT NULL, PRIMARY KEY (customer_no, kind));"
	"CREATE INDEX bench_clear_phone_by_phone ON bench_clear_phone (phone);";

static const char *doc_text(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

/* One page of customers as the library reads them (unsealed) into the clear tables. */
static void clear_copy_page(pcrm_store *st, pcrm_customer **items, size_t count)
{
	static const char *const ccols[] = { "customer_no", "org_unit", "kind", "name",
		                             "usage_class", "voltage_level", "status", "vip_level",
		                             "transformer_area", "doc", "created_at", "updated_at",
		                             "version" };
	static const char *const pcols[] = { "customer_no", "kind", "phone" };
	if (pcrm__store_begin(st) || pcrm__store_bulk_begin(st, "bench_clear_customer", ccols, 13))
		die("clear copy");
	for (size_t i = 0; i < count; i++) {
		const pcrm_customer *c = items[i];
		/* the document as stored before sealing: everything but the bookkeeping fields */
		json_t *stored = json_deep_copy(c->doc);
		char *text;
		json_object_del(stored, "id_number");
		json_object_del(stored, "version");
		json_object_del(stored, "created_at");
		json_object_del(stored, "updated_at");
		text = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
		pcrm_sql_value v[13] = {
			PCRM_SQL_S(c->no),          PCRM_SQL_S(c->org_unit),
			PCRM_SQL_S(doc_text(c->doc, "kind")), PCRM_SQL_S(c->name),
			PCRM_SQL_S(doc_text(c->doc, "usage_class")),
			PCRM_SQL_S(doc_text(c->doc, "voltage_level")), PCRM_SQL_S(c->status),
			PCRM_SQL_I(c->vip_level),   PCRM_SQL_S(doc_text(c->doc, "transformer_area")),
			PCRM_SQL_S(text),           PCRM_SQL_I(c->created_at),
			PCRM_SQL_I(c->updated_at),  PCRM_SQL_I(c->version)
		};
		if (!text || pcrm__store_bulk_row(st, v))
			die("clear copy row");
		free(text);
		json_decref(stored);
	}
	if (pcrm__store_bulk_end(st, 0) || pcrm__store_bulk_begin(st, "bench_clear_phone", pcols, 3))
		die("clear copy phones");
	for (size_t i = 0; i < count; i++) {
		const char *kind;
		json_t *number;
		json_object_foreach(json_object_get(items[i]->doc, "phones"), kind, number) {
			pcrm_sql_value v[3] = { PCRM_SQL_S(items[i]->no), PCRM_SQL_S(kind),
				                PCRM_SQL_S(json_string_value(number)) };
			if (pcrm__store_bulk_row(st, v))
				die("clear copy phone row");
		}
	}
	if (pcrm__store_bulk_end(st, 0) || pcrm__store_commit(st))
		die("clear copy commit");
}

/* Every imported customer, read through the library, into the clear tables. */
static void clear_copy(pcrm_ctx *ctx)
{
	static const char page[] = "SELECT " PCRM__CUSTOMER_COLUMNS " FROM customer c "
	                           "WHERE c.customer_no > $1 ORDER BY c.customer_no LIMIT 5000";
	char after[64] = "";
	if (ctx->store->driver->exec_script(ctx->store, clear_schema))
		die("clear tables");
	for (;;) {
		pcrm_sql_value p[1] = { PCRM_SQL_S(after) };
		pcrm_customer **items;
		pcrm_rows *rows;
		size_t count;
		if (pcrm__store_query(ctx->store, page, p, 1, &rows) ||
		    pcrm__customer_list_rows(ctx, rows, 0, &items, &count))
			die("reading customers for the clear copy");
		pcrm__rows_free(rows);
		if (count == 0) {
			free(items);
			break;
		}
		clear_copy_page(ctx->store, items, count);
		snprintf(after, sizeof(after), "%s", items[count - 1]->no);
		for (size_t i = 0; i < count; i++)
			pcrm_customer_free(items[i]);
		free(items);
	}
	/* PostgreSQL plans from statistics: both the library's tables and the copies get fresh ones */
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES &&
	    pcrm__store_exec(ctx->store, "ANALYZE", NULL, 0, NULL))
		die("analyze");
}

/*
 * The screen pop as the library did it before phones were sealed (search.c before schema 20):
 * the number normalised, the actor's scope read, one indexed SELECT by the clear number, the
 * same customer objects built from the rows, which carry no cipher to open.
 */
static int clear_screen_pop(pcrm_ctx *ctx, const char *caller_number, pcrm_customer ***items,
                            size_t *count)
{
	static const char sql[] =
		"SELECT " PCRM__CUSTOMER_COLUMNS " FROM bench_clear_customer c JOIN org_unit o "
		"ON o.code = c.org_unit "
		"WHERE c.customer_no IN (SELECT customer_no FROM bench_clear_phone WHERE phone = $1) "
		"AND substr(o.path, 1, length($2)) = $2 "
		"ORDER BY c.vip_level DESC, c.customer_no LIMIT $3";
	char phone[PCRM_PHONE_MAX], *scope = NULL;
	pcrm_rows *rows;
	int rc = pcrm_phone_normalize(caller_number, phone, sizeof(phone));
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, &agent, PCRM_PERM_ARCHIVE_READ, NULL, &scope);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[3] = { PCRM_SQL_S(phone), PCRM_SQL_S(scope),
			                PCRM_SQL_I(SCREEN_POP_MAX) };
		rc = pcrm__store_query(ctx->store, sql, p, 3, &rows);
	}
	if (rc == PCRM_OK) {
		rc = pcrm__customer_list_rows(ctx, rows, SCREEN_POP_MAX, items, count);
		pcrm__rows_free(rows);
	}
	free(scope);
	return rc;
}

/* ---- the screen pop against its baseline ---- */

enum way { CLEAR, SEALED, WAYS };
enum clock_kind { WALL, CPU, CLOCKS }; /* CPU: this thread's, the whole work on SQLite only */

/* One round's p50 and p99 of each way on each clock, in microseconds. */
struct pop_round {
	double p50[WAYS][CLOCKS], p99[WAYS][CLOCKS];
};

/* Both lookups must build the same customers: the baseline does all the work but the sealing. */
static void assert_same(pcrm_customer **clear, size_t n_clear, const pcrm_customer_list *sealed)
{
	if (n_clear < 1 || n_clear != pcrm_customer_list_count(sealed))
		die("the clear and the sealed screen pop found different numbers of customers");
	for (size_t i = 0; i < n_clear; i++)
		if (strcmp(pcrm_customer_json(clear[i]),
		           pcrm_customer_json(pcrm_customer_list_at(sealed, i))) != 0)
			die("the clear and the sealed screen pop built different customers");
}

/*
 * One round: LOOKUPS random known numbers, each looked up both ways back to back (which goes
 * first alternates), so both see the same load on a busy machine.
 */
static void screen_pop_round(pcrm_ctx *ctx, long n, unsigned int *seed, struct pop_round *r)
{
	static double us[WAYS][CLOCKS][LOOKUPS];
	for (int i = 0; i < LOOKUPS; i++) {
		char mobile[32];
		pcrm_customer **items = NULL;
		pcrm_customer_list *l = NULL;
		size_t count = 0;
		mobile_of((long)(rand_r(seed) % (unsigned int)n), mobile, sizeof(mobile));
		for (int turn = 0; turn < 2; turn++) {
			enum way w = (turn + i) % 2 == 0 ? CLEAR : SEALED;
			double c0 = pcrm_bench_seconds(CLOCK_THREAD_CPUTIME_ID);
			double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC), t1;
			int rc = w == CLEAR ? clear_screen_pop(ctx, mobile, &items, &count) :
			                      pcrm_customer_find_by_phone(ctx, &agent, mobile, &l);
			t1 = pcrm_bench_seconds(CLOCK_MONOTONIC);
			us[w][CPU][i] = (pcrm_bench_seconds(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e6;
			us[w][WALL][i] = (t1 - t0) * 1e6;
			if (rc != PCRM_OK)
				die(w == CLEAR ? "clear screen pop" : "screen pop");
		}
		assert_same(items, count, l);
		for (size_t k = 0; k < count; k++)
			pcrm_customer_free(items[k]);
		free(items);
		pcrm_customer_list_free(l);
	}
	for (int w = 0; w < WAYS; w++)
		for (int c = 0; c < CLOCKS; c++) {
			qsort(us[w][c], LOOKUPS, sizeof(double), compare_double);
			r->p50[w][c] = us[w][c][LOOKUPS / 2];
			r->p99[w][c] = us[w][c][LOOKUPS * 99 / 100];
		}
}

/* min / median / max over the rounds of values[] */
static void spread(double values[ROUNDS], double out[3])
{
	qsort(values, ROUNDS, sizeof(values[0]), compare_double);
	out[0] = values[0];
	out[1] = values[ROUNDS / 2];
	out[2] = values[ROUNDS - 1];
}

/* "p50 a / b / c us, p99 d / e / f us" of one way on one clock */
static void print_way(const char *backend, const char *label, const struct pop_round *r, int w,
                      int c)
{
	double p50[ROUNDS], p99[ROUNDS], s50[3], s99[3];
	for (int i = 0; i < ROUNDS; i++) {
		p50[i] = r[i].p50[w][c];
		p99[i] = r[i].p99[w][c];
	}
	spread(p50, s50);
	spread(p99, s99);
	printf("%-10s   %-34s p50 %.0f / %.0f / %.0f us, p99 %.0f / %.0f / %.0f us\n", backend,
	       label, s50[0], s50[1], s50[2], s99[0], s99[1], s99[2]);
}

/* The ratio sealed / clear per round (same round, same load), then its spread; returns the
 * median p50 ratio. */
static double print_ratio(const char *backend, const char *label, const struct pop_round *r,
                          int c)
{
	double p50[ROUNDS], p99[ROUNDS], s50[3], s99[3];
	for (int i = 0; i < ROUNDS; i++) {
		p50[i] = r[i].p50[SEALED][c] / r[i].p50[CLEAR][c];
		p99[i] = r[i].p99[SEALED][c] / r[i].p99[CLEAR][c];
	}
	spread(p50, s50);
	spread(p99, s99);
	printf("%-10s   %-34s p50 %.2f / %.2f / %.2fx, p99 %.2f / %.2f / %.2fx\n", backend, label,
	       s50[0], s50[1], s50[2], s99[0], s99[1], s99[2]);
	return s50[1];
}

static void screen_pop(pcrm_ctx *ctx, long n, const char *backend)
{
	struct pop_round r[ROUNDS];
	unsigned int seed = 42;
	int sqlite = ctx->store->driver->kind == PCRM_STORE_SQLITE;
	double ratio, p99[ROUNDS], s99[3];

	for (int i = 0; i < ROUNDS; i++)
		screen_pop_round(ctx, n, &seed, &r[i]);
	printf("%-10s screen pop at %ld customers, %d rounds of %d lookups each way "
	       "(min / median / max over the rounds):\n",
	       backend, n, ROUNDS, LOOKUPS);
	print_way(backend, "clear phone index (baseline):", r, CLEAR, WALL);
	print_way(backend, "sealed (blind index, unseal):", r, SEALED, WALL);
	ratio = print_ratio(backend, "sealed / clear:", r, WALL);
	/* on SQLite the thread's CPU time is all the work, free of the machine's load */
	if (sqlite) {
		print_way(backend, "CPU, clear phone index:", r, CLEAR, CPU);
		print_way(backend, "CPU, sealed:", r, SEALED, CPU);
		print_ratio(backend, "CPU, sealed / clear:", r, CPU);
	}
	for (int i = 0; i < ROUNDS; i++)
		p99[i] = r[i].p99[SEALED][WALL];
	spread(p99, s99);
	printf("%-10s   targets: p50 ratio <= 2x (median round): %s; sealed p99 < 1000 us (median "
	       "round): %s\n",
	       backend, ratio <= 2.0 ? "met" : "NOT met", s99[1] < 1000 ? "met" : "NOT met");
}

/* The import input, generated once for both stores. */
static const char *input;
static size_t input_len;

static void run(const char *backend, const char *uri, long n)
{
	pcrm_ctx *ctx;
	double t_import, t_bare;
	pcrm_ctx_options opts = pcrm_bench_options();
	if (pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	make_tree(ctx);
	t_bare = bare_load(ctx, n);
	t_import = import_all(ctx, input, input_len);
	printf("%-10s import: %ld customers in %.1f s = %.0f customers/s; bare %s of the same rows "
	       "%.1f s; ratio %.2fx\n",
	       backend, n, t_import, (double)n / t_import,
	       strcmp(backend, "sqlite") == 0 ? "INSERT" : "COPY", t_bare, t_import / t_bare);
	clear_copy(ctx);
	screen_pop(ctx, n, backend);
	pcrm_ctx_close(ctx);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_CUSTOMERS");
	long n = env ? atol(env) : 1000000;
	char *data;
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as soon as it is known, even into a file */
	if (n < 1)
		n = 1;
	data = generate(n, &input_len);
	input = data;
	status = pcrm_bench_on_both_stores(PROGRAM, run, n);
	free(data);
	return status;
}
