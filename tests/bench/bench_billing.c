/*
 * Billing-run benchmark: an end-to-end monthly run (pcrm_billing_run, the
 * calculation) of PCRM_BENCH_CUSTOMERS residential customers (default
 * 1,000,000) on the Guangzhou tiered tariff, then the posting of its bills
 * to the ledgers (pcrm_billing_post), into PostgreSQL, then SQLite.
 *
 * Each customer has an account, a metering point, a meter and one reading
 * in October 2026 (50..749 kWh, so all three tiers occur).  The archive is
 * loaded through the bulk path before anything is timed (set-up is not
 * what this measures).  In the same run, on the same server:
 *
 *   bare COPY   the very bill rows the run stored, read back and copied
 *               into a table of the bill table's shape (same keys and
 *               indexes) in one transaction: the floor for writing them;
 *   one SQL     (PostgreSQL) the same bills computed the way older
 *               marketing systems did, one INSERT ... SELECT with
 *               LEAST/GREATEST per tier over the readings, writing rows of
 *               the same shape (no ledger, no audit, a minimal document).
 *
 * Wall time is noisy on a shared 2-core machine, so CPU time is printed
 * too: this process's, and on PostgreSQL the server backend's of the
 * benchmark's connection (from /proc).  No assertion on times.
 *
 * PCRM_BENCH_STMT_LOG=FILE (PostgreSQL): the run and the posting are
 * logged statement by statement with their durations
 * (log_min_duration_statement = 0) and the server log is copied to FILE,
 * to see where the server's time goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <powercrm.h>

#include "bench.h"
#include "core/ctx.h"
#include "pgtmp.h"
#include "store/store.h"

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };

/* 2026-10-31 20:00 +08:00, inside October; meters go in on 2026-09-15. */
static const pcrm_time OCT31 = 1793448000;
static const pcrm_time SEP15 = 1789401600;
/* October's readings: (2026-10-01 00:00, 2026-11-01 00:00] at +08:00. */
static const pcrm_time OCT_FROM = 1790784000;
static const pcrm_time OCT_TO = 1793462400;

static const char run_spec[] =
	"{\"org_unit\": \"P1\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	" \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": "
	"\"cn-gd-guangzhou-residential\"}, \"batch_size\": %d}";

struct clock3 {
	double wall, cpu, server;
};

#define now_seconds pcrm_bench_seconds

static void die(const char *what)
{
	pcrm_bench_die("bench_billing", what);
}

/* CPU seconds (user + system) of a server backend, 0 when unknown. */
static double backend_cpu(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;
	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name in parentheses: state is field 3, utime 14, stime 15 */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long server_pid(pcrm_ctx *ctx)
{
	int64_t pid = 0;
	if (ctx->store->driver->kind != PCRM_STORE_POSTGRES)
		return 0;
	if (pcrm__store_query_int(ctx->store, "SELECT pg_backend_pid()", NULL, 0, &pid))
		die("backend pid");
	return (long)pid;
}

static struct clock3 clock_start(long pid)
{
	struct clock3 c = { now_seconds(CLOCK_MONOTONIC), now_seconds(CLOCK_PROCESS_CPUTIME_ID),
		            backend_cpu(pid) };
	return c;
}

static struct clock3 clock_since(struct clock3 t0, long pid)
{
	struct clock3 c = clock_start(pid);
	c.wall -= t0.wall;
	c.cpu -= t0.cpu;
	c.server -= t0.server;
	return c;
}

static char *read_file(const char *name)
{
	char path[1024];
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char *buf = calloc(1, 1 << 16);
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/data/tariffs/%s", root ? root : ".", name);
	if (!buf || !(f = fopen(path, "rb")))
		die(path);
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* ---- the archive, through the bulk path ---- */

static long kwh_of(long i)
{
	return 50 + (i * 37) % 700;
}

static void bulk_table(pcrm_store *st, const char *table, const char *const *cols, int ncols,
                       long n, void (*row)(long i, pcrm_sql_value *v, char (*buf)[64]))
{
	char buf[8][64];
	pcrm_sql_value v[16];
	if (pcrm__store_bulk_begin(st, table, cols, ncols))
		die(table);
	for (long i = 0; i < n; i++) {
		row(i, v, buf);
		if (pcrm__store_bulk_row(st, v))
			die(table);
	}
	if (pcrm__store_bulk_end(st, 0))
		die(table);
}

static void customer_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	snprintf(b[0], 64, "C%08ld", i);
	snprintf(b[1], 64, "C%ld", i % 4);
	snprintf(b[2], 64, "居民%ld", i);
	snprintf(b[3], 64, "{\"household_size\":%ld}", 1 + i % 6);
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_S(b[1]);
	v[2] = PCRM_SQL_S("person");
	v[3] = PCRM_SQL_S(b[2]);
	v[4] = PCRM_SQL_S("residential");
	v[5] = PCRM_SQL_S("220V");
	v[6] = PCRM_SQL_S("active");
	v[7] = PCRM_SQL_I(0);
	v[8] = PCRM_SQL_S(b[3]);
	v[9] = PCRM_SQL_I(SEP15);
	v[10] = PCRM_SQL_I(SEP15);
	v[11] = PCRM_SQL_I(1);
	v[12] = PCRM_SQL_I(1 + i % 6); /* household_size, as in the document */
	v[13] = PCRM_SQL_I(0);         /* low_income */
}

/* b[k] = the k-th letter of `letters` and the customer's number: "C00000042", "A00000042", ... */
static void numbers(long i, char (*b)[64], const char *letters)
{
	for (int k = 0; letters[k]; k++)
		snprintf(b[k], 64, "%c%08ld", letters[k], i);
}

/* status, doc, created_at, updated_at, version */
static void archive_tail(pcrm_sql_value *v, const char *doc)
{
	v[0] = PCRM_SQL_S("active");
	v[1] = PCRM_SQL_S(doc);
	v[2] = PCRM_SQL_I(SEP15);
	v[3] = PCRM_SQL_I(SEP15);
	v[4] = PCRM_SQL_I(1);
}

static void account_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	numbers(i, b, "CA");
	snprintf(b[2], 64, "C%ld", i % 4);
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_S(b[1]);
	v[2] = PCRM_SQL_S("cash");
	archive_tail(v + 3, "{\"name\":\"电费\",\"payment_method\":\"cash\"}");
	/* the customer's row as the account copies it (migration 13) */
	v[8] = PCRM_SQL_S(b[2]);
	v[9] = PCRM_SQL_S("residential");
	v[10] = PCRM_SQL_I(1 + i % 6);
	v[11] = PCRM_SQL_I(0);
	v[12] = PCRM_SQL_S("active");
}

static void point_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	numbers(i, b, "CPA");
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_S(b[1]);
	v[2] = PCRM_SQL_S(b[2]);
	archive_tail(v + 3, "{\"purpose\":\"settlement\",\"voltage_level\":\"220V\"}");
}

static void meter_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	numbers(i, b, "CPM");
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_I(i + 1);
	v[2] = PCRM_SQL_S(b[1]);
	v[3] = PCRM_SQL_S(b[2]);
	v[4] = PCRM_SQL_S("single_phase");
	v[5] = PCRM_SQL_S("1");
	v[6] = PCRM_SQL_I(6);
	v[7] = PCRM_SQL_S("{\"registers\":[\"total\"]}");
	v[8] = PCRM_SQL_I(SEP15);
	v[9] = PCRM_SQL_I(2);
}

static void register_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	snprintf(b[0], 64, "C%08ld", i);
	snprintf(b[1], 64, "%ld", 1000 + kwh_of(i));
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_I(i + 1);
	v[2] = PCRM_SQL_S("total");
	v[3] = PCRM_SQL_S("1000");
	v[4] = PCRM_SQL_S(b[1]);
	v[5] = PCRM_SQL_I(OCT31);
	v[6] = PCRM_SQL_I(1);
}

static void reading_row(long i, pcrm_sql_value *v, char (*b)[64])
{
	numbers(i, b, "CPM");
	snprintf(b[3], 64, "%ld", 1000 + kwh_of(i));
	snprintf(b[4], 64, "%ld", kwh_of(i));
	v[0] = PCRM_SQL_S(b[0]);
	v[1] = PCRM_SQL_I(i + 1);
	v[2] = PCRM_SQL_S("total");
	v[3] = PCRM_SQL_I(1);
	v[4] = PCRM_SQL_S(b[1]);
	v[5] = PCRM_SQL_S(b[2]);
	v[6] = PCRM_SQL_I(OCT31);
	v[7] = PCRM_SQL_S(b[3]);
	v[8] = PCRM_SQL_S("1000");
	v[9] = PCRM_SQL_I(SEP15);
	v[10] = PCRM_SQL_S("1");
	v[11] = PCRM_SQL_S(b[4]);
	v[12] = PCRM_SQL_I(0);
	v[13] = PCRM_SQL_I(OCT31);
	snprintf(b[5], 64, "A%08ld", i);
	v[14] = PCRM_SQL_S(b[5]); /* the point's account (migration 13) */
}

static void load_archive(pcrm_ctx *ctx, long n)
{
	static const char *const customer[] = { "customer_no", "org_unit", "kind", "name",
		                                "usage_class", "voltage_level", "status",
		                                "vip_level", "doc", "created_at", "updated_at",
		                                "version", "household_size", "low_income" };
	static const char *const account[] = { "customer_no", "account_no", "payment_method",
		                               "status", "doc", "created_at", "updated_at",
		                               "version", "org_unit", "usage_class",
		                               "household_size", "low_income", "customer_status" };
	static const char *const point[] = { "customer_no", "mp_no", "account_no", "status",
		                             "doc", "created_at", "updated_at", "version" };
	static const char *const meter[] = { "customer_no", "id", "mp_no", "meter_no",
		                             "meter_type", "multiplier", "digits", "doc",
		                             "installed_at", "version" };
	static const char *const reg[] = { "customer_no", "installation_id", "reg",
		                           "initial_value", "last_value", "last_read_at",
		                           "last_seq" };
	static const char *const reading[] = { "customer_no", "installation_id", "reg", "seq",
		                               "mp_no", "meter_no", "read_at", "value",
		                               "previous", "previous_at", "multiplier", "energy",
		                               "flags", "recorded_at", "account_no" };
	pcrm_store *st = ctx->store;
	char code[8];
	char *tariff = read_file("cn-gd-guangzhou-residential.json");

	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE))
		die("org");
	for (int c = 0; c < 4; c++) {
		snprintf(code, sizeof(code), "C%d", c);
		if (pcrm_org_unit_create(ctx, &admin, code, "P1", "city", PCRM_ORG_CITY))
			die("org");
	}
	if (pcrm_tariff_publish(ctx, &admin, tariff))
		die("tariff");
	free(tariff);
	if (pcrm__store_begin(st))
		die("begin");
	bulk_table(st, "customer", customer, 14, n, customer_row);
	bulk_table(st, "account", account, 13, n, account_row);
	bulk_table(st, "metering_point", point, 8, n, point_row);
	bulk_table(st, "meter_installation", meter, 10, n, meter_row);
	bulk_table(st, "meter_register", reg, 7, n, register_row);
	bulk_table(st, "meter_reading", reading, 15, n, reading_row);
	if (pcrm__store_commit(st))
		die("commit");
	if (st->driver->kind == PCRM_STORE_POSTGRES && st->driver->exec_script(st, "ANALYZE"))
		die("analyze");
}

/* ---- the baselines ---- */

#define BILL_SHAPE                                                                           \
	" (customer_no TEXT NOT NULL, bill_no TEXT NOT NULL, account_no TEXT NOT NULL, "     \
	"period TEXT NOT NULL, status TEXT NOT NULL, tariff_id TEXT NOT NULL, "               \
	"tariff_version BIGINT NOT NULL, issue_day BIGINT NOT NULL, due_day BIGINT NOT NULL, " \
	"energy TEXT NOT NULL, total TEXT NOT NULL, replaces TEXT, doc TEXT NOT NULL, "       \
	"created_at BIGINT NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (customer_no, bill_no))"

static void bill_shaped_table(pcrm_store *st, const char *name)
{
	char sql[1280];
	snprintf(sql, sizeof(sql),
	         "CREATE TABLE %s" BILL_SHAPE ";"
	         "CREATE UNIQUE INDEX %s_by_no ON %s (bill_no);"
	         "CREATE UNIQUE INDEX %s_issued_once ON %s (account_no, period) WHERE status = 'issued';"
	         "CREATE UNIQUE INDEX %s_issued_by_period ON %s (period, account_no) "
	         "WHERE status = 'issued';"
	         "CREATE INDEX %s_by_customer ON %s (customer_no, period);",
	         name, name, name, name, name, name, name, name, name);
	if (st->driver->exec_script(st, sql))
		die(name);
}

static const char *const bill_columns[] = {
	"customer_no", "bill_no", "account_no", "period", "status", "tariff_id", "tariff_version",
	"issue_day", "due_day", "energy", "total", "replaces", "doc", "created_at", "created_by",
};

struct bill_rows {
	char **text; /* 13 text columns per row (NULL for SQL NULL) */
	int64_t *num; /* 4 integer columns per row */
	long n;
};

static const int text_cols[] = { 0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 14 };
static const int int_cols[] = { 6, 7, 8, 13 };
#define NTEXT 11
#define NINT 4

/* Reads back every stored bill (not timed). */
static void read_bills(pcrm_ctx *ctx, long n, struct bill_rows *out)
{
	pcrm_rows *rows;
	long i = 0;
	int rc;
	out->text = calloc((size_t)n * NTEXT, sizeof(char *));
	out->num = calloc((size_t)n * NINT, sizeof(int64_t));
	if (!out->text || !out->num)
		die("out of memory");
	if (pcrm__store_query(ctx->store,
	                      "SELECT customer_no, bill_no, account_no, period, status, tariff_id, "
	                      "tariff_version, issue_day, due_day, energy, total, replaces, doc, "
	                      "created_at, created_by FROM bill",
	                      NULL, 0, &rows))
		die("read bills");
	while ((rc = pcrm__rows_next(rows)) == 1 && i < n) {
		for (int c = 0; c < NTEXT; c++) {
			const char *s = pcrm__rows_text(rows, text_cols[c]);
			out->text[i * NTEXT + c] = s ? strdup(s) : NULL;
		}
		for (int c = 0; c < NINT; c++)
			out->num[i * NINT + c] = pcrm__rows_int(rows, int_cols[c]);
		i++;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		die("read bills");
	out->n = i;
}

static void free_bills(struct bill_rows *b)
{
	for (long i = 0; i < b->n * NTEXT; i++)
		free(b->text[i]);
	free(b->text);
	free(b->num);
}

static struct clock3 bare_copy(pcrm_ctx *ctx, const struct bill_rows *b, long pid)
{
	pcrm_store *st = ctx->store;
	struct clock3 t0;
	bill_shaped_table(st, "bench_bare");
	t0 = clock_start(pid);
	if (pcrm__store_begin(st) || pcrm__store_bulk_begin(st, "bench_bare", bill_columns, 15))
		die("bare copy");
	for (long i = 0; i < b->n; i++) {
		pcrm_sql_value v[15];
		for (int c = 0; c < NTEXT; c++)
			v[text_cols[c]] = PCRM_SQL_S(b->text[i * NTEXT + c]);
		for (int c = 0; c < NINT; c++)
			v[int_cols[c]] = PCRM_SQL_I(b->num[i * NINT + c]);
		if (pcrm__store_bulk_row(st, v))
			die("bare row");
	}
	if (pcrm__store_bulk_end(st, 0) || pcrm__store_commit(st))
		die("bare commit");
	return clock_since(t0, pid);
}

/*
 * The same month's bills as one statement: October is a summer month of the
 * Guangzhou tariff (tiers up to 260 and 600 kWh at 0.589, 0.639, 0.889
 * yuan/kWh), each tier's amount rounded to the fen.
 */
static struct clock3 one_statement(pcrm_ctx *ctx, long pid, int64_t *rows)
{
	static const char sql[] =
		"INSERT INTO bench_sql_bill (customer_no, bill_no, account_no, period, status, "
		"tariff_id, tariff_version, issue_day, due_day, energy, total, replaces, doc, "
		"created_at, created_by) "
		"SELECT u.customer_no, u.account_no || '-202610', u.account_no, '2026-10', 'issued', "
		"'cn-gd-guangzhou-residential', 1, $3, $4, u.kwh::text, "
		"(round(LEAST(u.kwh, 260) * 0.589, 2) "
		" + round(GREATEST(LEAST(u.kwh, 600) - 260, 0) * 0.639, 2) "
		" + round(GREATEST(u.kwh - 600, 0) * 0.889, 2))::text, NULL, "
		"'{\"kwh\":\"' || u.kwh::text || '\"}', $5, 'bench-sql' "
		"FROM (SELECT a.customer_no, a.account_no, SUM(r.energy::numeric) AS kwh "
		"      FROM account a JOIN customer c ON c.customer_no = a.customer_no "
		"      JOIN metering_point m ON m.account_no = a.account_no "
		"      JOIN meter_reading r ON r.mp_no = m.mp_no "
		"      WHERE a.status = 'active' AND c.status = 'active' AND r.reg = 'total' "
		"      AND r.read_at > $1 AND r.read_at <= $2 "
		"      GROUP BY a.customer_no, a.account_no) u";
	pcrm_date issue = { 2026, 11, 1 }, due = { 2026, 11, 15 };
	pcrm_sql_value p[5] = { PCRM_SQL_I(OCT_FROM), PCRM_SQL_I(OCT_TO),
		                PCRM_SQL_I(pcrm_date_to_days(issue)),
		                PCRM_SQL_I(pcrm_date_to_days(due)), PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	struct clock3 t0;
	bill_shaped_table(ctx->store, "bench_sql_bill");
	t0 = clock_start(pid);
	if (pcrm__store_exec(ctx->store, sql, p, 5, rows))
		die("one statement");
	return clock_since(t0, pid);
}

static int check_sql_totals(pcrm_ctx *ctx, int64_t *differ)
{
	return pcrm__store_query_int(ctx->store,
	                             "SELECT COUNT(*) FROM bill b JOIN bench_sql_bill s "
	                             "ON s.account_no = b.account_no "
	                             "WHERE s.total::numeric <> b.total::numeric",
	                             NULL, 0, differ);
}

/* ---- the run ---- */

static void run(const char *backend, const char *uri, long n, int batch)
{
	char spec[512];
	pcrm_ctx *ctx;
	pcrm_billing_summary sum;
	struct bill_rows bills;
	struct clock3 t_run, t_post, t_bare, t_sql = { 0, 0, 0 };
	pcrm_billing_post_summary posted;
	int64_t sql_rows = 0, differ = 0;
	double t_setup = now_seconds(CLOCK_MONOTONIC);
	int pg;
	long pid;

	if (pcrm_ctx_open(&ctx, uri, NULL))
		die("open");
	pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	pid = server_pid(ctx);
	load_archive(ctx, n);
	t_setup = now_seconds(CLOCK_MONOTONIC) - t_setup;

	snprintf(spec, sizeof(spec), run_spec, batch);
	if (pg && getenv("PCRM_BENCH_STMT_LOG") &&
	    ctx->store->driver->exec_script(ctx->store, "SET log_min_duration_statement = 0"))
		die("statement log");
	{
		struct clock3 t0 = clock_start(pid);
		if (pcrm_billing_run(ctx, &admin, spec, NULL, NULL, &sum))
			die("billing run");
		t_run = clock_since(t0, pid);
	}
	if (sum.billed != n)
		die("not every customer was billed");
	{
		char post_spec[128];
		struct clock3 t0 = clock_start(pid);
		snprintf(post_spec, sizeof(post_spec),
		         "{\"org_unit\": \"P1\", \"period\": \"2026-10\", \"batch_size\": %d}", batch);
		if (pcrm_billing_post(ctx, &admin, post_spec, NULL, NULL, &posted))
			die("posting");
		t_post = clock_since(t0, pid);
	}
	if (posted.posted != n)
		die("not every bill was posted");
	if (pg && getenv("PCRM_BENCH_STMT_LOG")) {
		char cmd[512];
		if (ctx->store->driver->exec_script(ctx->store, "SET log_min_duration_statement = -1"))
			die("statement log");
		snprintf(cmd, sizeof(cmd), "cp %s/log %s", getenv("PCRM_TEST_PG_HOST"),
		         getenv("PCRM_BENCH_STMT_LOG"));
		if (system(cmd) != 0)
			die("copy the server log");
	}
	read_bills(ctx, n, &bills);
	t_bare = bare_copy(ctx, &bills, pid);
	free_bills(&bills);
	if (pg) {
		t_sql = one_statement(ctx, pid, &sql_rows);
		if (sql_rows != n || check_sql_totals(ctx, &differ) || differ != 0)
			die("the one statement's bills differ from the library's");
	}

	printf("%-10s billing run: %ld customers (batch %d, set-up %.1f s untimed)\n", backend, n,
	       batch, t_setup);
	printf("%-10s   library run  %7.2f s = %8.0f customers/s  (cpu: client %.2f s, server "
	       "%.2f s)\n",
	       backend, t_run.wall, (double)n / t_run.wall, t_run.cpu, t_run.server);
	printf("%-10s   posting      %7.2f s = %8.0f bills/s      (cpu: client %.2f s, server "
	       "%.2f s)\n",
	       backend, t_post.wall, (double)n / t_post.wall, t_post.cpu, t_post.server);
	printf("%-10s   run + post   %7.2f s = %8.0f customers/s  (cpu: client %.2f s, server "
	       "%.2f s)\n",
	       backend, t_run.wall + t_post.wall, (double)n / (t_run.wall + t_post.wall),
	       t_run.cpu + t_post.cpu, t_run.server + t_post.server);
	printf("%-10s   bare %-6s  %7.2f s = %8.0f rows/s       (cpu: client %.2f s, server %.2f "
	       "s)\n",
	       backend, pg ? "COPY" : "INSERT", t_bare.wall, (double)n / t_bare.wall, t_bare.cpu,
	       t_bare.server);
	printf("%-10s   ratio run / bare %s: %.2fx wall, %.2fx cpu (target < 1.5)\n", backend,
	       pg ? "COPY" : "INSERT", t_run.wall / t_bare.wall,
	       (t_run.cpu + t_run.server) / (t_bare.cpu + t_bare.server));
	printf("%-10s   ratio run + post / bare %s: %.2fx wall, %.2fx cpu\n", backend,
	       pg ? "COPY" : "INSERT", (t_run.wall + t_post.wall) / t_bare.wall,
	       (t_run.cpu + t_run.server + t_post.cpu + t_post.server) /
	               (t_bare.cpu + t_bare.server));
	if (pg) {
		printf("%-10s   one SQL stmt %7.2f s = %8.0f customers/s  (cpu: client %.2f s, server "
		       "%.2f s)\n",
		       backend, t_sql.wall, (double)n / t_sql.wall, t_sql.cpu, t_sql.server);
		printf("%-10s   ratio one SQL / run: %.2fx wall, %.2fx cpu (target >= 10: the library "
		       "10x faster)\n",
		       backend, t_sql.wall / t_run.wall,
		       (t_sql.cpu + t_sql.server) / (t_run.cpu + t_run.server));
		printf("%-10s   ratio one SQL / run + post: %.2fx wall, %.2fx cpu\n", backend,
		       t_sql.wall / (t_run.wall + t_post.wall),
		       (t_sql.cpu + t_sql.server) /
		               (t_run.cpu + t_run.server + t_post.cpu + t_post.server));
	}
	fflush(stdout);
	pcrm_ctx_close(ctx);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_CUSTOMERS");
	const char *benv = getenv("PCRM_BENCH_BATCH");
	long n = env ? atol(env) : 1000000;
	int batch = benv ? atoi(benv) : 2000;
	char dir[] = "/tmp/pcrm-bench-XXXXXX", uri[128], why[512], cmd[160];
	const char *pg;

	if (n < 1)
		n = 1;
	if (batch < 1 || batch > 10000)
		batch = 2000;
	if (pcrm_test_pg_start(why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_billing: no PostgreSQL server: %s\n", why);
		if (pcrm_test_pg_required())
			return 1;
	} else if (!(pg = pcrm_test_pg_new_database(why, sizeof(why)))) {
		fprintf(stderr, "bench_billing: %s\n", why);
		pcrm_test_pg_stop();
		return 1;
	} else {
		run("postgresql", pg, n, batch);
		if (!getenv("PCRM_BENCH_KEEP_DB"))
			pcrm_test_pg_drop_database();
		pcrm_test_pg_stop();
	}

	if (getenv("PCRM_BENCH_NO_SQLITE"))
		return 0;
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(uri, sizeof(uri), "sqlite:%s/bench.db", dir);
	run("sqlite", uri, n, batch);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_billing: could not remove %s\n", dir);
	return 0;
}
