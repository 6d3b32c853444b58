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
 *               marketing systems did, one INSERT ... SELECT: the tariff's
 *               parameters read from its stored version document (jsonb),
 *               the month's season, household size and low-income rules,
 *               every line of the library's bill and the same itemised
 *               document (jsonb_build_object / jsonb_agg), into a table of
 *               the bill table's shape (no ledger, no audit: neither has
 *               the run).  Every bill is then compared with the library's
 *               (every column but created_at, the documents as jsonb) and
 *               any difference stops the benchmark.
 *
 * Wall time is noisy on a shared 2-core machine, so CPU time is printed
 * too: this process's, and on PostgreSQL the server backend's of the
 * benchmark's connection (from /proc).  No assertion on times.
 *
 * PCRM_BENCH_NO_ONE_SQL=1 (PostgreSQL): the one statement (and the comparison
 * of its bills with the library's) is left out; at 1,000,000 customers it
 * takes longer than the rest together, and the run / bare COPY ratio does
 * not need it.
 *
 * PCRM_BENCH_ROUNDS=N: N rounds (default 3), each on a fresh store; the
 * ratios are printed per round and as min / median / max at the end.
 *
 * PCRM_BENCH_POST_IN_RUN=1: the run posts each batch's bills in the batch's
 * transaction ("post": true in its spec) instead of a separate
 * pcrm_billing_post(); "library run" is then run + posting.
 *
 * Besides the bare COPY of the bills, a bare COPY (SQLite: batched INSERT)
 * of the bills together with the ledger rows their posting wrote
 * (ledger_entry, ledger_item, ledger_account) into tables of the same shape
 * (keys, indexes and foreign keys: those of SQLite's stored table text, on
 * PostgreSQL added to a LIKE copy) is the baseline of run + posting.
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
#include "core/crypto.h"
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
	"\"cn-gd-guangzhou-residential\"}, \"batch_size\": %d, \"post\": %s}";
/* The run spec's "tariffs", which the one statement reads too. */
static const char run_tariffs[] = "{\"residential\": \"cn-gd-guangzhou-residential\"}";

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
	char **text; /* NTEXT text columns per row (NULL for SQL NULL), batch last */
	int64_t *num; /* 4 integer columns per row */
	long n;
};

/* bill_columns and then batch (15), which the bare COPY leaves out and the floor writes */
static const int text_cols[] = { 0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 14, 15 };
static const int int_cols[] = { 6, 7, 8, 13 };
#define NTEXT 12
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
	                      "created_at, created_by, batch FROM bill ORDER BY account_no",
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
		pcrm_sql_value v[16];
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
 * The floor of what a run must do, written by plain SQL without the library
 * (docs/billing.md, "Performance"): for each batch, read its accounts (one
 * range of account) and their month's readings (one range of
 * meter_reading_by_account), then in one transaction COPY its bills with
 * their batch column into a table of the bill table's whole shape (the
 * batch index of migration 23 included), hashing each row's columns with
 * SHA-256 as they are sent, and write one row of the batch's digest.  What it
 * leaves out is the library's own work: computing the bills and their
 * documents, the run's checks, the audit chain.  The bills are those the
 * run stored, in account order.
 */
static struct clock3 floor_copy(pcrm_ctx *ctx, const struct bill_rows *b, int batch, long pid)
{
	static const char *const floor_columns[] = {
		"customer_no", "bill_no", "account_no", "period", "status", "tariff_id",
		"tariff_version", "issue_day", "due_day", "energy", "total", "replaces", "doc",
		"created_at", "created_by", "batch",
	};
	pcrm_store *st = ctx->store;
	char after[64] = "", sql[512];
	struct clock3 t0;
	pcrm_sha256 *h;
	long at = 0;

	bill_shaped_table(st, "bench_floor");
	snprintf(sql, sizeof(sql),
	         "ALTER TABLE bench_floor ADD COLUMN batch TEXT;"
	         "CREATE INDEX bench_floor_by_batch ON bench_floor (batch) WHERE batch IS NOT NULL;"
	         "CREATE TABLE bench_floor_digest (batch TEXT PRIMARY KEY, digest TEXT NOT NULL);");
	if (st->driver->exec_script(st, sql) || pcrm__sha256_new(&h))
		die("floor tables");
	t0 = clock_start(pid);
	while (at < b->n) {
		pcrm_sql_value q[4] = { PCRM_SQL_S(after), PCRM_SQL_I(batch) };
		char last[64] = "", hex[PCRM_SHA256_HEX_LEN + 1];
		pcrm_rows *rows;
		long end = at + batch < b->n ? at + batch : b->n;
		int rc;

		if (pcrm__store_query(st, "SELECT account_no, customer_no, usage_class, household_size, "
		                          "low_income, org_unit FROM account WHERE account_no > $1 "
		                          "AND status = 'active' ORDER BY account_no LIMIT $2",
		                      q, 2, &rows))
			die("floor accounts");
		while ((rc = pcrm__rows_next(rows)) == 1)
			snprintf(last, sizeof(last), "%s", pcrm__rows_text(rows, 0));
		pcrm__rows_free(rows);
		if (rc < 0)
			die("floor accounts");
		q[1] = PCRM_SQL_S(last);
		q[2] = PCRM_SQL_I(INT64_MIN); /* the whole archive is the month's: no filter cost saved */
		q[3] = PCRM_SQL_I(INT64_MAX);
		if (pcrm__store_query(st, "SELECT account_no, reg, energy FROM meter_reading "
		                          "WHERE account_no > $1 AND account_no <= $2 "
		                          "AND read_at > $3 AND read_at <= $4",
		                      q, 4, &rows))
			die("floor readings");
		while ((rc = pcrm__rows_next(rows)) == 1)
			(void)pcrm__rows_text(rows, 2);
		pcrm__rows_free(rows);
		if (rc < 0)
			die("floor readings");
		snprintf(after, sizeof(after), "%s", last);

		if (pcrm__store_begin(st) || pcrm__store_bulk_begin(st, "bench_floor", floor_columns, 16))
			die("floor copy");
		for (long i = at; i < end; i++) {
			pcrm_sql_value v[16];
			for (int c = 0; c < NTEXT; c++)
				v[text_cols[c]] = PCRM_SQL_S(b->text[i * NTEXT + c]);
			for (int c = 0; c < NINT; c++)
				v[int_cols[c]] = PCRM_SQL_I(b->num[i * NINT + c]);
			for (int c = 0; c < NTEXT; c++) {
				const char *x = b->text[i * NTEXT + c];
				if (x && pcrm__sha256_update(h, x, strlen(x)))
					die("floor digest");
			}
			if (pcrm__sha256_update(h, &b->num[i * NINT], NINT * sizeof(int64_t)) ||
			    pcrm__store_bulk_row(st, v))
				die("floor row");
		}
		if (pcrm__store_bulk_end(st, 0) || pcrm__sha256_final_hex(h, hex) ||
		    pcrm__sha256_reset(h))
			die("floor copy");
		{
			pcrm_sql_value d[2] = { PCRM_SQL_S(b->text[at * NTEXT + NTEXT - 1]),
				                PCRM_SQL_S(hex) };
			if (pcrm__store_exec(st, "INSERT INTO bench_floor_digest (batch, digest) "
			                         "VALUES ($1, $2)", d, 2, NULL) ||
			    pcrm__store_commit(st))
				die("floor commit");
		}
		at = end;
	}
	pcrm__sha256_free(h);
	return clock_since(t0, pid);
}

/*
 * The rows a step stored in some tables, read back (not timed) and written
 * again into tables of the same shape (PostgreSQL: LIKE ... INCLUDING ALL
 * and the foreign keys; SQLite: the stored CREATE TABLE / CREATE INDEX text
 * under another name, foreign keys included)
 * in one transaction through the bulk path: the floor for writing them.
 * Values go as text, as COPY's text format sends them anyway.
 */
#define BARE_TABLES_MAX 4

struct table_rows {
	const char *table;
	char **cols;
	int ncols;
	char **text; /* ncols per row, NULL for SQL NULL */
	long n;
};

static void read_table(pcrm_ctx *ctx, int pg, const char *table, struct table_rows *t)
{
	pcrm_sql_value v[1] = { PCRM_SQL_S(table) };
	char sql[256];
	pcrm_rows *rows;
	long cap = 1024;
	int rc;

	memset(t, 0, sizeof(*t));
	t->table = table;
	if (pcrm__store_query(ctx->store, pg ? "SELECT column_name FROM information_schema.columns "
	                                        "WHERE table_name = $1 ORDER BY ordinal_position"
	                                      : "SELECT name FROM pragma_table_info($1) ORDER BY cid",
	                      v, 1, &rows))
		die("columns");
	t->cols = calloc(64, sizeof(char *));
	while ((rc = pcrm__rows_next(rows)) == 1 && t->ncols < 64)
		t->cols[t->ncols++] = strdup(pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
	if (rc < 0 || t->ncols == 0)
		die("columns");
	snprintf(sql, sizeof(sql), "SELECT * FROM %s", table);
	if (pcrm__store_query(ctx->store, sql, NULL, 0, &rows))
		die("read rows");
	t->text = malloc((size_t)cap * (size_t)t->ncols * sizeof(char *));
	while (t->text && (rc = pcrm__rows_next(rows)) == 1) {
		if (t->n == cap) {
			cap *= 2;
			t->text = realloc(t->text, (size_t)cap * (size_t)t->ncols * sizeof(char *));
			if (!t->text)
				break;
		}
		for (int c = 0; c < t->ncols; c++) {
			const char *x = pcrm__rows_text(rows, c);
			t->text[t->n * t->ncols + c] = x ? strdup(x) : NULL;
		}
		t->n++;
	}
	pcrm__rows_free(rows);
	if (!t->text || rc < 0)
		die("read rows");
}

static void free_table(struct table_rows *t)
{
	for (long i = 0; i < t->n * t->ncols; i++)
		free(t->text[i]);
	for (int c = 0; c < t->ncols; c++)
		free(t->cols[c]);
	free(t->text);
	free(t->cols);
}

/* `text` with the first occurrence of `from` replaced by `to` (malloc'd). */
static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) + strlen(to) + 1;
	char *out = malloc(n);
	if (!out || !at)
		die("schema text");
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static void shaped_copy(pcrm_ctx *ctx, int pg, const char *table, const char *copy)
{
	pcrm_store *st = ctx->store;
	char sql[1024];

	if (pg) {
		/* LIKE copies keys and indexes; the foreign keys (checked per row) are added after */
		pcrm_sql_value v[1] = { PCRM_SQL_S(table) };
		pcrm_rows *rows;
		char *fks[16];
		int n = 0, rc;
		snprintf(sql, sizeof(sql), "CREATE TABLE %s (LIKE %s INCLUDING ALL)", copy, table);
		if (st->driver->exec_script(st, sql))
			die("shaped table");
		if (pcrm__store_query(st, "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
		                          "WHERE conrelid = $1::regclass AND contype = 'f'", v, 1, &rows))
			die("foreign keys");
		while ((rc = pcrm__rows_next(rows)) == 1 && n < 16)
			fks[n++] = strdup(pcrm__rows_text(rows, 0));
		pcrm__rows_free(rows);
		for (int i = 0; i < n; i++) {
			snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD %s", copy, fks[i]);
			if (st->driver->exec_script(st, sql))
				die("foreign key");
			free(fks[i]);
		}
		return;
	}
	/* SQLite: the table first, then its indexes, renamed */
	{
		pcrm_sql_value v[1] = { PCRM_SQL_S(table) };
		pcrm_rows *rows;
		char *stmts[32];
		int n = 0, rc;
		if (pcrm__store_query(st, "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = $1 "
		                          "AND sql IS NOT NULL ORDER BY type = 'index', name",
		                      v, 1, &rows))
			die("schema");
		while ((rc = pcrm__rows_next(rows)) == 1 && n < 32) {
			char *a, *b, renamed[512];
			if (strcmp(pcrm__rows_text(rows, 0), "table") == 0) {
				stmts[n++] = replace_once(pcrm__rows_text(rows, 2), table, copy);
				continue;
			}
			snprintf(renamed, sizeof(renamed), "%s_%s", copy, pcrm__rows_text(rows, 1));
			a = replace_once(pcrm__rows_text(rows, 2), pcrm__rows_text(rows, 1), renamed);
			snprintf(sql, sizeof(sql), " ON %s", table);
			snprintf(renamed, sizeof(renamed), " ON %s", copy);
			b = replace_once(a, sql, renamed);
			free(a);
			stmts[n++] = b;
		}
		pcrm__rows_free(rows);
		for (int i = 0; i < n; i++) {
			if (st->driver->exec_script(st, stmts[i]))
				die("shaped table");
			free(stmts[i]);
		}
	}
}

static struct clock3 bare_copy_tables(pcrm_ctx *ctx, const char *const *tables, int ntables,
                                      long pid)
{
	pcrm_store *st = ctx->store;
	int pg = st->driver->kind == PCRM_STORE_POSTGRES;
	struct table_rows t[BARE_TABLES_MAX];
	char copies[BARE_TABLES_MAX][64];
	struct clock3 t0, took;
	static int round;

	round++;
	for (int k = 0; k < ntables; k++) {
		read_table(ctx, pg, tables[k], &t[k]);
		snprintf(copies[k], sizeof(copies[k]), "bench_bare%d_%s", round, tables[k]);
		shaped_copy(ctx, pg, tables[k], copies[k]);
	}
	t0 = clock_start(pid);
	if (pcrm__store_begin(st))
		die("bare copy");
	for (int k = 0; k < ntables; k++) {
		pcrm_sql_value *v = calloc((size_t)t[k].ncols, sizeof(*v));
		if (!v || pcrm__store_bulk_begin(st, copies[k], (const char *const *)t[k].cols,
		                                 t[k].ncols))
			die("bare copy");
		for (long i = 0; i < t[k].n; i++) {
			for (int c = 0; c < t[k].ncols; c++)
				v[c] = PCRM_SQL_S(t[k].text[i * t[k].ncols + c]);
			if (pcrm__store_bulk_row(st, v))
				die("bare row");
		}
		if (pcrm__store_bulk_end(st, 0))
			die("bare copy end");
		free(v);
	}
	if (pcrm__store_commit(st))
		die("bare commit");
	took = clock_since(t0, pid);
	for (int k = 0; k < ntables; k++)
		free_table(&t[k]);
	return took;
}

/*
 * The same month's bills as one statement, the way an older marketing
 * system (营销系统) computes them: one INSERT ... SELECT, set-based, with
 * everything the library's bill depends on read from the store and nothing
 * of the Guangzhou tariff written into the SQL.
 *
 *   version  for each usage class of the run's "tariffs", the version of
 *            the named tariff in effect on the first day of the month (and
 *            still on the last), its document as jsonb; a tariff this
 *            statement cannot bill (time of use, basic or demand charges,
 *            power factor, minimums, annual or daily tiers, a rounding other
 *            than half_up) yields no version, so no bills, and the
 *            comparison after it fails rather than pass wrong bills;
 *   tier, low, fund, fixed
 *            its parameters as rows, once: per tier the price (the tier's,
 *            or the energy price plus its surcharge) and the text the
 *            library prints for it, the bounds of the month's season
 *            (seasonal_max) and the large-household extras; the low-income
 *            allowance; the funds and fixed charges in document order;
 *   usage    the month's energy per account, (from, to] as the run reads
 *            it: the total register, else the sum of the TOU registers;
 *   subject  the active accounts of active customers in the org unit's
 *            subtree with usage and no current bill of the month yet;
 *   line     every line of every bill: an energy line per tier with energy
 *            in it (thresholds raised for a large household), the
 *            low-income allowance, a line per fund and per fixed charge,
 *            each amount rounded half-up to the fen (numeric: exact), each
 *            line the object the library writes (decimals as strings:
 *            quantities without trailing zeros, prices with at least two
 *            decimals);
 *   bill     per account the lines in the library's order (jsonb_agg) and
 *            the total, the sum of the rounded lines;
 *   then the row of the library's shape, its document built with
 *   jsonb_build_object (the period cut to the account's supply_start /
 *   supply_end as the run does).
 *
 * Lines as rows with one GROUP BY, rather than a LATERAL subquery building
 * each bill's lines: the same result, and about 10 % less server CPU for
 * the SELECT at 1,000,000 customers (58 s against 65 s).
 *
 * $1 org unit, $2 month, $3..$4 the readings' (from, to], $5 issue day,
 * $6 due day, $7 now, $8 the actor, $9 the run spec's tariffs object.
 */
static struct clock3 one_statement(pcrm_ctx *ctx, long pid, int64_t *rows)
{
	/* in parts: C99 promises string literals of 4,095 bytes only */
	static const char *const parts[] = {
		"INSERT INTO bench_sql_bill (customer_no, bill_no, account_no, period, status, tariff_id, "
		" tariff_version, issue_day, due_day, energy, total, replaces, doc, created_at, created_by) "
		"WITH month AS ( "
		" SELECT d AS first_day, (d + interval '1 month' - interval '1 day')::date AS last_day, "
		"  extract(month FROM d)::int AS mon "
		" FROM (SELECT to_date($2, 'YYYY-MM') AS d) m), "
		"version AS ( "
		" SELECT c.usage_class, v.tariff_id, v.version, v.d, v.d->'energy' AS e, month.* "
		" FROM month CROSS JOIN jsonb_each_text($9::jsonb) c(usage_class, tariff_id) "
		" CROSS JOIN LATERAL ( "
		"  SELECT t.tariff_id, t.version, t.effective_to, t.doc::jsonb AS d "
		"  FROM tariff_version t "
		"  WHERE t.tariff_id = c.tariff_id "
		"  AND t.effective_from <= month.first_day - date '1970-01-01' "
		"  AND (t.effective_to IS NULL OR t.effective_to >= month.first_day - date '1970-01-01') "
		"  ORDER BY t.version DESC LIMIT 1) v "
		" WHERE (v.effective_to IS NULL OR v.effective_to >= month.last_day - date '1970-01-01') "
		" AND NOT v.d ?| ARRAY['tou', 'basic', 'demand_charges', 'power_factor_adjustment', "
		"  'minimum'] "
		" AND COALESCE(v.d->'energy'->>'tier_basis', 'monthly') = 'monthly' "
		" AND v.d->>'rounding' = 'half_up'), ",
		"tier AS MATERIALIZED ( "
		" SELECT usage_class, n AS ord, tier, price, "
		"  round(price, GREATEST(scale(trim_scale(price)), 2))::text AS price_text, "
		"  COALESCE(lag(hi) OVER w, 0) AS lo, hi, "
		"  COALESCE(lag(hi_extra) OVER w, 0) AS lo_extra, COALESCE(hi_extra, 0) AS hi_extra, min_size "
		" FROM ( "
		"  SELECT v.usage_class, k.n, k.n::int AS tier, "
		"   COALESCE((k.x->>'price')::numeric, "
		"            (v.e->>'price')::numeric + (k.x->>'surcharge')::numeric) AS price, "
		"   COALESCE((SELECT s->'max'->>(k.n::int - 1) "
		"             FROM jsonb_array_elements(v.e->'seasonal_max') s "
		"             WHERE s->'months' @> to_jsonb(v.mon)), k.x->>'max')::numeric AS hi, "
		"   (v.e->'large_household'->'extra'->>(k.n::int - 1))::numeric AS hi_extra, "
		"   COALESCE((v.e->'large_household'->>'min_size')::int, 2147483647) AS min_size "
		"  FROM version v CROSS JOIN LATERAL jsonb_array_elements(v.e->'tiers') WITH ORDINALITY k(x, n) "
		"  UNION ALL "
		"  SELECT v.usage_class, 1, NULL, (v.e->>'price')::numeric, NULL, NULL, 2147483647 "
		"  FROM version v WHERE NOT v.e ? 'tiers') k "
		" WINDOW w AS (PARTITION BY usage_class ORDER BY n)), "
		"low AS MATERIALIZED ( "
		" SELECT v.usage_class, (v.e->'low_income'->>'free_kwh')::numeric AS kwh, "
		"  -(v.e->'low_income'->>'price')::numeric AS price, "
		"  round(-(v.e->'low_income'->>'price')::numeric, "
		"   GREATEST(scale(trim_scale((v.e->'low_income'->>'price')::numeric)), 2))::text AS price_text "
		" FROM version v WHERE v.e ? 'low_income'), "
		"fund AS MATERIALIZED ( "
		" SELECT v.usage_class, f.n AS ord, f.x->>'code' AS code, f.x->>'name' AS name, "
		"  (f.x->>'price')::numeric AS price, "
		"  round((f.x->>'price')::numeric, "
		"   GREATEST(scale(trim_scale((f.x->>'price')::numeric)), 2))::text AS price_text "
		" FROM version v CROSS JOIN LATERAL jsonb_array_elements(v.d->'funds') WITH ORDINALITY f(x, n)), "
		"fixed AS MATERIALIZED ( "
		" SELECT v.usage_class, x.n AS ord, x.x->>'code' AS code, x.x->>'name' AS name, "
		"  round((x.x->>'amount')::numeric, 2) AS amount "
		" FROM version v "
		" CROSS JOIN LATERAL jsonb_array_elements(v.d->'fixed_charges') WITH ORDINALITY x(x, n)), ",
		"usage AS ( "
		" SELECT m.account_no, "
		"  CASE WHEN bool_or(r.reg = 'total') "
		"   THEN sum(r.energy::numeric) FILTER (WHERE r.reg = 'total') "
		"   ELSE COALESCE(sum(r.energy::numeric) "
		"    FILTER (WHERE r.reg IN ('peak', 'flat', 'valley', 'critical_peak')), 0) END AS kwh "
		" FROM metering_point m JOIN meter_reading r ON r.mp_no = m.mp_no "
		" WHERE r.read_at > $3 AND r.read_at <= $4 "
		" GROUP BY m.account_no), "
		"subject AS MATERIALIZED ( "
		" SELECT a.customer_no, a.account_no, a.supply_start, a.supply_end, c.usage_class, "
		"  c.household_size, c.low_income, u.kwh "
		" FROM org_unit o JOIN customer c ON c.org_unit = o.code "
		" JOIN account a ON a.customer_no = c.customer_no "
		" JOIN usage u ON u.account_no = a.account_no "
		" WHERE o.path ^@ (SELECT path FROM org_unit WHERE code = $1) "
		" AND c.status = 'active' AND a.status = 'active' "
		" AND c.usage_class IN (SELECT usage_class FROM version) "
		" AND NOT EXISTS (SELECT 1 FROM bench_sql_bill s WHERE s.account_no = a.account_no "
		"  AND s.period = $2 AND s.status = 'issued')), ",
		"line AS ( "
		" SELECT account_no, 1 AS seq, ord, amount, "
		"  jsonb_strip_nulls(jsonb_build_object('amount', amount::text, 'code', 'energy', "
		"   'quantity', trim_scale(qty)::text, 'tier', tier, 'unit', 'kWh', "
		"   'unit_price', price_text)) AS line "
		" FROM (SELECT s.account_no, k.ord, k.tier, k.price_text, q.qty, "
		"        round(q.qty * k.price, 2) AS amount "
		"       FROM subject s JOIN tier k ON k.usage_class = s.usage_class "
		"       CROSS JOIN LATERAL (SELECT GREATEST(LEAST(s.kwh, k.hi + CASE "
		"         WHEN s.household_size >= k.min_size THEN k.hi_extra ELSE 0 END) - (k.lo + CASE "
		"         WHEN s.household_size >= k.min_size THEN k.lo_extra ELSE 0 END), 0) AS qty) q "
		"       WHERE q.qty > 0) e "
		" UNION ALL "
		" SELECT s.account_no, 2, 0, round(LEAST(s.kwh, l.kwh) * l.price, 2), "
		"  jsonb_build_object('amount', round(LEAST(s.kwh, l.kwh) * l.price, 2)::text, "
		"   'code', 'low_income_allowance', 'quantity', trim_scale(LEAST(s.kwh, l.kwh))::text, "
		"   'unit', 'kWh', 'unit_price', l.price_text) "
		" FROM subject s JOIN low l ON l.usage_class = s.usage_class "
		" WHERE s.low_income <> 0 AND s.kwh <> 0 "
		" UNION ALL "
		" SELECT s.account_no, 3, f.ord, round(s.kwh * f.price, 2), "
		"  jsonb_build_object('amount', round(s.kwh * f.price, 2)::text, 'code', 'fund', "
		"   'item', f.code, 'name', f.name, 'quantity', trim_scale(s.kwh)::text, 'unit', 'kWh', "
		"   'unit_price', f.price_text) "
		" FROM subject s JOIN fund f ON f.usage_class = s.usage_class "
		" UNION ALL "
		" SELECT s.account_no, 4, x.ord, x.amount, "
		"  jsonb_build_object('amount', x.amount::text, 'code', 'fixed_charge', 'item', x.code, "
		"   'name', x.name, 'quantity', '1', 'unit', 'bill', 'unit_price', x.amount::text) "
		" FROM subject s JOIN fixed x ON x.usage_class = s.usage_class), "
		"bill AS ( "
		" SELECT account_no, sum(amount) AS total, jsonb_agg(line ORDER BY seq, ord) AS lines "
		" FROM line GROUP BY account_no) ",
		"SELECT s.customer_no, s.account_no || '-' || replace($2, '-', ''), s.account_no, $2, "
		" 'issued', v.tariff_id, v.version, $5, $6, trim_scale(s.kwh)::text, "
		" COALESCE(b.total, 0.00)::text, NULL, "
		" jsonb_build_object('currency', v.d->>'currency', 'energy_kwh', trim_scale(s.kwh)::text, "
		"  'lines', COALESCE(b.lines, '[]'::jsonb), "
		"  'period_start', to_char(GREATEST(v.first_day, s.supply_start::date), 'YYYY-MM-DD'), "
		"  'period_end', to_char(LEAST(v.last_day, s.supply_end::date), 'YYYY-MM-DD'), "
		"  'tariff_id', v.tariff_id, 'tariff_version', v.version, "
		"  'total', COALESCE(b.total, 0.00)::text)::text, "
		" $7, $8 "
		"FROM subject s JOIN version v ON v.usage_class = s.usage_class "
		"LEFT JOIN bill b ON b.account_no = s.account_no",
	};
	char sql[16384] = "";
	pcrm_date issue = { 2026, 11, 1 }, due = { 2026, 11, 15 };
	pcrm_sql_value p[9] = { PCRM_SQL_S("P1"),
		                PCRM_SQL_S("2026-10"),
		                PCRM_SQL_I(OCT_FROM),
		                PCRM_SQL_I(OCT_TO),
		                PCRM_SQL_I(pcrm_date_to_days(issue)),
		                PCRM_SQL_I(pcrm_date_to_days(due)),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)),
		                PCRM_SQL_S(admin.operator_id),
		                PCRM_SQL_S(run_tariffs) };
	struct clock3 t0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (strlen(sql) + strlen(parts[i]) >= sizeof(sql))
			die("one statement: the SQL is longer than its buffer");
		strcat(sql, parts[i]);
	}
	bill_shaped_table(ctx->store, "bench_sql_bill");
	t0 = clock_start(pid);
	if (pcrm__store_exec(ctx->store, sql, p, 9, rows))
		die("one statement");
	return clock_since(t0, pid);
}

/*
 * Every bill of the statement against the library's, bill by bill: the
 * same bill numbers, every column but created_at (when each was written)
 * equal, the energy and total as the very strings the library stored, and
 * the documents equal as jsonb (keys, order of the lines, every value; the
 * statement's text has jsonb's key order and spacing, not the library's).
 * *differ counts the bills of either side without an equal one on the
 * other; *example names one of them.
 */
static int check_sql_bills(pcrm_ctx *ctx, int64_t *differ, char *example, size_t size)
{
	static const char differing[] =
		" FROM bill b FULL JOIN bench_sql_bill s ON s.bill_no = b.bill_no "
		"WHERE s.bill_no IS NULL OR b.bill_no IS NULL OR NOT ("
		"s.customer_no = b.customer_no AND s.account_no = b.account_no "
		"AND s.period = b.period AND s.status = b.status AND s.tariff_id = b.tariff_id "
		"AND s.tariff_version = b.tariff_version AND s.issue_day = b.issue_day "
		"AND s.due_day = b.due_day AND s.energy = b.energy AND s.total = b.total "
		"AND s.replaces IS NOT DISTINCT FROM b.replaces AND s.created_by = b.created_by "
		"AND s.doc::jsonb = b.doc::jsonb)";
	char sql[1024];
	pcrm_rows *rows;
	int rc;

	example[0] = '\0';
	snprintf(sql, sizeof(sql), "SELECT COUNT(*)%s", differing);
	if (pcrm__store_query_int(ctx->store, sql, NULL, 0, differ))
		return -1;
	if (*differ == 0)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT COALESCE(b.bill_no, s.bill_no)%s LIMIT 1", differing);
	if (pcrm__store_query(ctx->store, sql, NULL, 0, &rows))
		return -1;
	if ((rc = pcrm__rows_next(rows)) == 1)
		snprintf(example, size, "%s", pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
	return rc < 0 ? -1 : 0;
}

/* ---- the run ---- */

/* One round's ratios (CPU: client + server), for min / median / max over the rounds. */
struct ratios {
	double run_bare, all_bare, post_run;          /* CPU */
	double run_bare_w, all_bare_w, post_run_w;    /* wall */
	double run_floor, floor_bare;                 /* CPU */
};

static const char *const posted_tables[] = { "bill", "ledger_entry", "ledger_item",
	                                     "ledger_account" };

static struct ratios run(const char *backend, const char *uri, long n, int batch)
{
	struct ratios out;
	struct clock3 t_all;
	char spec[512];
	pcrm_ctx *ctx;
	pcrm_billing_summary sum = PCRM_BILLING_SUMMARY_INIT;
	struct bill_rows bills;
	struct clock3 t_run, t_post, t_bare, t_floor, t_sql = { 0, 0, 0 };
	pcrm_billing_post_summary posted = PCRM_BILLING_POST_SUMMARY_INIT;
	int64_t sql_rows = 0, differ = 0;
	char example[64];
	double t_setup = now_seconds(CLOCK_MONOTONIC);
	int pg, one_sql = !getenv("PCRM_BENCH_NO_ONE_SQL");
	int post_in_run = getenv("PCRM_BENCH_POST_IN_RUN") != NULL;
	int no_post = getenv("PCRM_BENCH_NO_POST") != NULL && !post_in_run;
	long pid;

	pcrm_ctx_options opts = pcrm_bench_options();

	if (pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	pid = server_pid(ctx);
	load_archive(ctx, n);
	t_setup = now_seconds(CLOCK_MONOTONIC) - t_setup;

	snprintf(spec, sizeof(spec), run_spec, batch, post_in_run ? "true" : "false");
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
	if (post_in_run || no_post) {
		/*
		 * The run posted each batch in its transaction: nothing is left to
		 * post.  Or PCRM_BENCH_NO_POST: the run alone is measured.
		 */
		memset(&t_post, 0, sizeof(t_post));
		memset(&posted, 0, sizeof(posted));
		posted.posted = n;
	} else {
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
	t_floor = floor_copy(ctx, &bills, batch, pid);
	free_bills(&bills);
	if (no_post)
		memset(&t_all, 0, sizeof(t_all));
	else
		t_all = bare_copy_tables(ctx, posted_tables, 4, pid);
	if (pg && one_sql) {
		t_sql = one_statement(ctx, pid, &sql_rows);
		if (check_sql_bills(ctx, &differ, example, sizeof(example)))
			die("comparing the one statement's bills with the library's");
		if (sql_rows != n || differ != 0) {
			fprintf(stderr, "bench_billing: the one statement wrote %lld bills for %ld "
			        "customers; %lld differ from the library's (e.g. %s)\n",
			        (long long)sql_rows, n, (long long)differ, example[0] ? example : "-");
			die("the one statement's bills differ from the library's");
		}
	}

	printf("%-10s billing run: %ld customers (batch %d, set-up %.1f s untimed)%s\n", backend, n,
	       batch, t_setup, post_in_run ? ", posting in the run (\"post\": true)" : "");
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
	printf("%-10s   ratio run / bare %s: %.2fx wall, %.2fx cpu (target <= 1.25)\n", backend,
	       pg ? "COPY" : "INSERT", t_run.wall / t_bare.wall,
	       (t_run.cpu + t_run.server) / (t_bare.cpu + t_bare.server));
	printf("%-10s   floor        %7.2f s = %8.0f rows/s       (cpu: client %.2f s, server %.2f "
	       "s): inputs read, bills + batch column COPY'd and hashed, a digest row per batch\n",
	       backend, t_floor.wall, (double)n / t_floor.wall, t_floor.cpu, t_floor.server);
	printf("%-10s   ratio run / floor: %.2fx wall, %.2fx cpu; floor / bare %s: %.2fx cpu\n",
	       backend, t_run.wall / t_floor.wall,
	       (t_run.cpu + t_run.server) / (t_floor.cpu + t_floor.server), pg ? "COPY" : "INSERT",
	       (t_floor.cpu + t_floor.server) / (t_bare.cpu + t_bare.server));
	printf("%-10s   ratio run + post / bare %s: %.2fx wall, %.2fx cpu\n", backend,
	       pg ? "COPY" : "INSERT", (t_run.wall + t_post.wall) / t_bare.wall,
	       (t_run.cpu + t_run.server + t_post.cpu + t_post.server) /
	               (t_bare.cpu + t_bare.server));
	printf("%-10s   bare %-6s of the bills and their ledger rows (entry, item, account) "
	       "%7.2f s (cpu: client %.2f s, server %.2f s)\n", backend, pg ? "COPY" : "INSERT",
	       t_all.wall, t_all.cpu, t_all.server);
	out.run_bare = (t_run.cpu + t_run.server) / (t_bare.cpu + t_bare.server);
	out.all_bare = no_post ? 0 : (t_run.cpu + t_run.server + t_post.cpu + t_post.server) /
	                                     (t_all.cpu + t_all.server);
	out.post_run = (t_post.cpu + t_post.server) / (t_run.cpu + t_run.server);
	out.run_bare_w = t_run.wall / t_bare.wall;
	out.run_floor = (t_run.cpu + t_run.server) / (t_floor.cpu + t_floor.server);
	out.floor_bare = (t_floor.cpu + t_floor.server) / (t_bare.cpu + t_bare.server);
	out.all_bare_w = no_post ? 0 : (t_run.wall + t_post.wall) / t_all.wall;
	out.post_run_w = t_post.wall / t_run.wall;
	printf("%-10s   ratio run + post / bare %s of bills + ledger rows: %.2fx wall, %.2fx cpu "
	       "(target <= 2)\n", backend, pg ? "COPY" : "INSERT", out.all_bare_w, out.all_bare);
	if (pg && one_sql) {
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
	return out;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void print_spread(const char *backend, const char *what, double *v, int rounds)
{
	qsort(v, (size_t)rounds, sizeof(double), cmp_double);
	printf("%-10s   %-44s %.2fx / %.2fx / %.2fx\n", backend, what, v[0], v[rounds / 2],
	       v[rounds - 1]);
}

/* min / median / max of each ratio over the rounds. */
static void summary(const char *backend, const struct ratios *r, int rounds, int pg)
{
	double v[8][16];
	static const char *const names[8] = {
		"run / bare (cpu; target <= 1.25)", "run / bare (wall)",
		"run + post / bare + ledger (cpu; <= 2)", "run + post / bare + ledger (wall)",
		"post / run (cpu)", "post / run (wall)", "run / floor (cpu)", "floor / bare (cpu)"
	};
	for (int i = 0; i < rounds; i++) {
		v[0][i] = r[i].run_bare;
		v[1][i] = r[i].run_bare_w;
		v[2][i] = r[i].all_bare;
		v[3][i] = r[i].all_bare_w;
		v[4][i] = r[i].post_run;
		v[5][i] = r[i].post_run_w;
		v[6][i] = r[i].run_floor;
		v[7][i] = r[i].floor_bare;
	}
	printf("%-10s %d rounds, min / median / max (bare = %s):\n", backend, rounds,
	       pg ? "COPY" : "batched INSERT");
	for (int k = 0; k < 8; k++)
		print_spread(backend, names[k], v[k], rounds);
	fflush(stdout);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_CUSTOMERS");
	const char *benv = getenv("PCRM_BENCH_BATCH");
	const char *renv = getenv("PCRM_BENCH_ROUNDS");
	int rounds = renv ? atoi(renv) : 3;
	long n = env ? atol(env) : 1000000;
	int batch = benv ? atoi(benv) : 2000;
	char dir[] = "/tmp/pcrm-bench-XXXXXX", uri[128], why[512], cmd[160];
	const char *pg;

	if (n < 1)
		n = 1;
	if (batch < 1 || batch > 10000)
		batch = 2000;
	if (rounds < 1 || rounds > 16)
		rounds = 3;
	if (pcrm_test_pg_start(why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_billing: no PostgreSQL server: %s\n", why);
		if (pcrm_test_pg_required())
			return 1;
	} else if (!(pg = pcrm_test_pg_new_database(why, sizeof(why)))) {
		fprintf(stderr, "bench_billing: %s\n", why);
		pcrm_test_pg_stop();
		return 1;
	} else {
		struct ratios r[16];
		for (int i = 0; i < rounds; i++) {
			if (i > 0 && !(pg = pcrm_test_pg_new_database(why, sizeof(why)))) {
				fprintf(stderr, "bench_billing: %s\n", why);
				pcrm_test_pg_stop();
				return 1;
			}
			r[i] = run("postgresql", pg, n, batch);
			if (!getenv("PCRM_BENCH_KEEP_DB"))
				pcrm_test_pg_drop_database();
		}
		summary("postgresql", r, rounds, 1);
		pcrm_test_pg_stop();
	}

	if (getenv("PCRM_BENCH_NO_SQLITE"))
		return 0;
	if (!mkdtemp(dir))
		die("mkdtemp");
	{
		struct ratios r[16];
		for (int i = 0; i < rounds; i++) {
			snprintf(uri, sizeof(uri), "sqlite:%s/bench%d.db", dir, i);
			r[i] = run("sqlite", uri, n, batch);
		}
		summary("sqlite", r, rounds, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_billing: could not remove %s\n", dir);
	return 0;
}
