/* The store layer: opening, migrations, transactions, error mapping, bulk insert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static void raw(pcrm_ctx *ctx, const char *sql)
{
	int rc = ctx->store->driver->exec_script(ctx->store, sql);
	cr_assert_eq(rc, PCRM_OK, "%s: %s", sql, pcrm_error_last());
}

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

Test(store_open, bad_uris_are_named)
{
	pcrm_ctx *ctx = (pcrm_ctx *)1;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "", NULL), PCRM_EINVAL, "uri");
	cr_assert_null(ctx);
	pcrm_assert_fails(pcrm_ctx_open(&ctx, NULL, NULL), PCRM_EINVAL, "uri");
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "mysql://localhost/crm", NULL), PCRM_EINVAL,
	                  "uri: scheme \"mysql\" is unknown");
	/* a mistyped scheme: the rest may hold a password, and is not quoted */
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "postgresq://crm:s3cr3t-pw@db/crm", NULL), PCRM_EINVAL,
	                  "uri: scheme \"postgresq\" is unknown");
	cr_assert_null(strstr(pcrm_error_last(), "s3cr3t"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite:", NULL), PCRM_EINVAL, "sqlite");
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "postgresql:nonsense", NULL), PCRM_EINVAL,
	                  "conninfo");
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite:/nonexistent-dir/x/crm.db", NULL), PCRM_EIO,
	                  "/nonexistent-dir/x/crm.db");
	pcrm_assert_fails(pcrm_ctx_open(NULL, "sqlite::memory:", NULL), PCRM_EINVAL, "out");
}

/*
 * libpq quotes a malformed URI whole, password and all; connection errors
 * and bad options must not carry the password either.  None of these reach
 * a server: nothing listens on port 1.
 */
Test(store_open, postgresql_errors_never_contain_the_password)
{
	static const struct {
		const char *uri;
		int status;
		const char *needle;
	} cases[] = {
		{ "postgresql://crm:s3cr3t-pw@[::1:5432/crm", PCRM_EINVAL,
		  "uri: not a valid PostgreSQL conninfo: " },
		{ "postgresql://crm:s3cr3t-pw@[::1]:5x/crm", PCRM_EINVAL,
		  "uri: port \"5x\" is not a port number" },
		{ "postgresql:host=127.0.0.1 port=1 password=s3cr3t-pw sslmode", PCRM_EINVAL,
		  "uri: not a valid PostgreSQL conninfo" },
		{ "postgresql://crm:s3cr3t-pw@127.0.0.1:1/crm?sslmode=bogus", PCRM_EINVAL,
		  "uri: sslmode \"bogus\" is not one of disable, allow, prefer, require, verify-ca, "
		  "verify-full" },
		{ "postgresql:host=127.0.0.1 port=1 password='s3cr3t-pw' sslmode=requir", PCRM_EINVAL,
		  "uri: sslmode \"requir\"" },
		{ "postgresql://crm:s3cr3t-pw@127.0.0.1:1/crm?target_session_attrs=writable",
		  PCRM_EINVAL, "uri: target_session_attrs \"writable\"" },
		{ "postgresql://crm:s3cr3t-pw@127.0.0.1:1/crm?connect_timeout=5", PCRM_ECONNECTION,
		  "cannot connect to PostgreSQL" },
		{ "postgresql:host=127.0.0.1 port=1 user=crm password=s3cr3t-pw connect_timeout=5",
		  PCRM_ECONNECTION, "cannot connect to PostgreSQL" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcrm_ctx *ctx = (pcrm_ctx *)1;
		pcrm_assert_fails(pcrm_ctx_open(&ctx, cases[i].uri, NULL), cases[i].status,
		                  cases[i].needle);
		cr_assert_null(ctx);
		cr_assert_null(strstr(pcrm_error_last(), "s3cr3t"), "case %zu: %s", i,
		               pcrm_error_last());
	}
}

/* A file of something else is said to be no database, and is left as it was. */
Test(store_open, a_file_that_is_not_a_database_says_so)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/bash\n"
	                           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
	char dir[] = "/tmp/pcrm-notdb-XXXXXX", path[96], uri[128], wal[128], back[256] = "";
	pcrm_ctx *ctx = (pcrm_ctx *)1;
	FILE *f;
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/passwd", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	pcrm_assert_fails(pcrm_ctx_open(&ctx, uri, NULL), PCRM_ENOTDB, "");
	cr_assert_null(ctx);
	snprintf(back, sizeof(back), "%s: not a database", uri);
	cr_assert_str_eq(pcrm_error_last(), back);
	cr_assert_str_eq(pcrm_strerror(PCRM_ENOTDB), "not a database");
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(back, 1, sizeof(back) - 1, f);
	fclose(f);
	back[n] = '\0';
	cr_assert_str_eq(back, text, "the file changed");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	cr_assert_neq(access(wal, F_OK), 0, "a WAL file was created beside it");
	unlink(path);
	rmdir(dir);
}

Test(store_open, options_are_validated)
{
	pcrm_ctx *ctx;
	pcrm_ctx_options opts;
	unsigned char key[16] = { 0 };

	pcrm_assert_fails(pcrm_ctx_options_init(&opts, 99), PCRM_EINVAL, "version");
	pcrm_assert_ok(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	cr_assert_eq(opts.utc_offset, PCRM_UTC_OFFSET_CHINA);
	opts.data_key = key;
	opts.data_key_len = sizeof(key);
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts), PCRM_EINVAL,
	                  "options.data_key");
	pcrm_assert_ok(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	opts.utc_offset = 20 * 3600;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts), PCRM_EINVAL,
	                  "options.utc_offset");
	opts.utc_offset = 0;
	opts.version = 7;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts), PCRM_EINVAL,
	                  "options.version");
	pcrm_ctx_close(NULL);
}

static pcrm_time fixed_clock(void *ud)
{
	return *(pcrm_time *)ud;
}

Test(store_open, clock_is_replaceable)
{
	pcrm_ctx *ctx;
	pcrm_time fixed = 1000;
	pcrm_assert_ok(pcrm_ctx_open(&ctx, "sqlite::memory:", NULL));
	cr_assert_gt(pcrm_ctx_now(ctx), 1700000000);
	pcrm_ctx_set_clock(ctx, fixed_clock, &fixed);
	cr_assert_eq(pcrm_ctx_now(ctx), 1000);
	fixed = 2000;
	cr_assert_eq(pcrm_ctx_now(ctx), 2000);
	pcrm_ctx_set_clock(ctx, NULL, NULL);
	cr_assert_gt(pcrm_ctx_now(ctx), 1700000000);
	cr_assert_eq(pcrm_ctx_utc_offset(ctx), PCRM_UTC_OFFSET_CHINA);
	pcrm_ctx_close(ctx);
}

PCRM_BACKEND_TEST(store, opens_migrated)
{
	int v = -1;
	pcrm_assert_ok(pcrm_ctx_schema_version(t->ctx, &v));
	cr_assert_eq(v, pcrm_schema_version_latest());
	cr_assert_geq(v, 1);
	cr_assert(strcmp(pcrm_ctx_backend(t->ctx), "sqlite") == 0 ||
	          strcmp(pcrm_ctx_backend(t->ctx), "postgresql") == 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit"), 0);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

PCRM_BACKEND_TEST(store, reopening_applies_nothing_twice)
{
	pcrm_ctx *again;
	if (strcmp(t->uri, "sqlite::memory:") == 0)
		return; /* a private in-memory database cannot be reopened; the file test covers it */
	make_tree(t->ctx);
	int64_t applied = count(t->ctx, "SELECT COUNT(*) FROM pcrm_schema");
	cr_assert_geq(applied, 1);
	again = pcrm_test_open_again(t);
	cr_assert_eq(count(again, "SELECT COUNT(*) FROM pcrm_schema"), applied);
	cr_assert_eq(count(again, "SELECT MAX(version) FROM pcrm_schema"),
	             pcrm_schema_version_latest());
	cr_assert_eq(count(again, "SELECT COUNT(*) FROM org_unit"), 5);
	pcrm_ctx_close(again);
}

/*
 * Migration numbers may have gaps, and a lower number merged later is
 * still applied to a database that already has higher ones.
 */
PCRM_BACKEND_TEST(store, a_missing_lower_migration_is_applied)
{
	pcrm_ctx *again;
	if (strcmp(t->uri, "sqlite::memory:") == 0)
		return;
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DROP TABLE contact", NULL, 0, NULL));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DELETE FROM pcrm_schema WHERE version = 4",
	                                NULL, 0, NULL));
	again = pcrm_test_open_again(t);
	cr_assert_eq(count(again, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 4"), 1);
	cr_assert_eq(count(again, "SELECT COUNT(*) FROM contact"), 0);
	pcrm_ctx_close(again);
}

PCRM_BACKEND_TEST(store, newer_schema_is_refused_untouched)
{
	pcrm_ctx *again = NULL;
	char sql[160];
	if (strcmp(t->uri, "sqlite::memory:") == 0)
		return; /* see newer_schema_file below */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO pcrm_schema (version, name, applied_at) VALUES (%d, 'future', 0)",
	         pcrm_schema_version_latest() + 1);
	raw(t->ctx, sql);
	pcrm_assert_fails(pcrm_ctx_open(&again, t->uri, NULL), PCRM_ESCHEMA, "newer");
	cr_assert_null(again);
	cr_assert_eq(count(t->ctx, "SELECT MAX(version) FROM pcrm_schema"),
	             pcrm_schema_version_latest() + 1);
}

Test(store_sqlite_file, wal_reopen_and_newer_schema)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[128], cmd[160], sql[160];
	pcrm_ctx *ctx, *again = NULL;
	pcrm_rows *rows;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	pcrm_assert_ok(pcrm__store_query(ctx->store, "PRAGMA journal_mode", NULL, 0, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 0), "wal");
	pcrm__rows_free(rows);
	cr_assert_eq(count(ctx, "PRAGMA foreign_keys"), 1);
	make_tree(ctx);
	pcrm_ctx_close(ctx);

	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "SELECT COUNT(*) FROM org_unit"), 5);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO pcrm_schema (version, name, applied_at) VALUES (%d, 'future', 0)",
	         pcrm_schema_version_latest() + 1);
	raw(ctx, sql);
	pcrm_ctx_close(ctx);
	pcrm_assert_fails(pcrm_ctx_open(&again, uri, NULL), PCRM_ESCHEMA, "upgrade");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s is missing", path);
	return (unsigned)(st.st_mode & 0777);
}

/* A new database holds customer archives: owner only, even under umask 0. */
Test(store_sqlite_file, new_files_are_private)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[256], path[128], wal[256], shm[256], cmd[512];
	char own[128], own_uri[256];
	mode_t old = umask(0);
	pcrm_ctx *ctx;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/crm.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	make_tree(ctx); /* writes, so the WAL and shared-memory files exist */
	cr_assert_eq(file_mode(path), 0600, "crm.db is %o", file_mode(path));
	cr_assert_eq(file_mode(wal), 0600, "crm.db-wal is %o", file_mode(wal));
	cr_assert_eq(file_mode(shm), 0600, "crm.db-shm is %o", file_mode(shm));
	pcrm_ctx_close(ctx);

	/* a file that exists keeps the mode its owner chose */
	snprintf(own, sizeof(own), "%s/shared.db", dir);
	snprintf(own_uri, sizeof(own_uri), "sqlite:%s", own);
	snprintf(cmd, sizeof(cmd), "touch %s && chmod 640 %s", own, own);
	cr_assert_eq(system(cmd), 0);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, own_uri, NULL));
	cr_assert_eq(file_mode(own), 0640, "shared.db is %o", file_mode(own));
	pcrm_ctx_close(ctx);
	umask(old);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(store_sqlite_file, commits_are_synced_unless_asked_otherwise)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[160], cmd[160];
	pcrm_ctx *ctx = NULL;

	cr_assert_not_null(mkdtemp(dir));
	/* synchronous=FULL (2): the WAL reaches the disk before a commit returns */
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "PRAGMA synchronous"), 2);
	make_tree(ctx);
	pcrm_ctx_close(ctx);
	/* NORMAL (1) only when the URI asks for it; the same file either way */
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db?synchronous=normal", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "PRAGMA synchronous"), 1);
	cr_assert_eq(count(ctx, "SELECT COUNT(*) FROM org_unit"), 5);
	pcrm_ctx_close(ctx);
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db?synchronous=full", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "PRAGMA synchronous"), 2);
	pcrm_ctx_close(ctx);
	ctx = (pcrm_ctx *)1;
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db?synchronous=off", dir);
	pcrm_assert_fails(pcrm_ctx_open(&ctx, uri, NULL), PCRM_EINVAL,
	                  "synchronous=\"off\" is not full or normal");
	cr_assert_null(ctx);
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite:?synchronous=normal", NULL), PCRM_EINVAL,
	                  "needs a path");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(store_sqlite_file, uri_parameters_are_validated)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[160], cmd[160];
	static const struct {
		const char *params;
		const char *needle;
	} bad[] = {
		{ "?busy_timeout=fast", "busy_timeout=\"fast\" is not a number of milliseconds" },
		{ "?busy_timeout=", "busy_timeout=\"\" is not a number" },
		{ "?busy_timeout=-1", "busy_timeout=\"-1\"" },
		{ "?busy_timeout=3600001", "busy_timeout=\"3600001\"" },
		{ "?busy_timeout=99999999999", "busy_timeout=\"99999999999\"" },
		{ "?busy_timeout=50&busy_timeout=60", "\"busy_timeout\" is given twice" },
		{ "?timeout=50", "parameter \"timeout\" is unknown" },
		{ "?busy_timeout", "parameter \"busy_timeout\" needs a value" },
		{ "?synchronous=normal&", "parameter \"\" is unknown" },
	};
	pcrm_ctx *ctx = NULL;

	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "sqlite:%s/crm.db%s", dir, bad[i].params);
		pcrm_assert_fails(pcrm_ctx_open(&ctx, uri, NULL), PCRM_EINVAL, bad[i].needle);
		cr_assert_null(ctx);
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db?busy_timeout=50&synchronous=normal", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "PRAGMA busy_timeout"), 50);
	cr_assert_eq(count(ctx, "PRAGMA synchronous"), 1);
	pcrm_ctx_close(ctx);
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_assert_eq(count(ctx, "PRAGMA busy_timeout"), 5000);
	pcrm_ctx_close(ctx);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, "sqlite::memory:?busy_timeout=0", NULL));
	pcrm_ctx_close(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/*
 * A child process holds the write lock (BEGIN IMMEDIATE) of a file database
 * until the parent says so: the parent opens a context and reads meanwhile,
 * and its writes give up after its busy timeout with PCRM_ERETRY.
 */
static pid_t hold_write_lock(const char *uri, int *release)
{
	int locked[2], done[2];
	char byte = 0;
	pid_t pid;
	cr_assert_eq(pipe(locked), 0);
	cr_assert_eq(pipe(done), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* the bare store: opening a context would migrate what the parent left unmigrated */
		pcrm_store *st = NULL;
		close(locked[0]);
		close(done[1]);
		if (pcrm__store_open(&st, uri) != PCRM_OK || pcrm__store_begin(st) != PCRM_OK ||
		    write(locked[1], "L", 1) != 1)
			_exit(2);
		/* hold it until the parent writes or goes away */
		if (read(done[0], &byte, 1) < 0)
			_exit(3);
		pcrm__store_rollback(st);
		pcrm__store_close(st);
		_exit(0);
	}
	close(locked[1]);
	close(done[0]);
	cr_assert_eq(read(locked[0], &byte, 1), 1, "the child did not take the lock");
	close(locked[0]);
	*release = done[1];
	return pid;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

Test(store_sqlite_file, open_and_read_while_another_process_writes)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[160], fast[192], cmd[160];
	pcrm_ctx *ctx = NULL;
	pcrm_org_unit *unit = NULL;
	struct timespec start;
	int release, status, rc;
	pid_t pid;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	snprintf(fast, sizeof(fast), "%s?busy_timeout=50", uri);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	make_tree(ctx);
	pcrm_ctx_close(ctx);

	pid = hold_write_lock(uri, &release);
	/* opening needs no write: the schema is current */
	pcrm_assert_ok(pcrm_ctx_open(&ctx, fast, NULL));
	pcrm_assert_ok(pcrm_org_unit_get(ctx, &root_admin, "3701", &unit));
	pcrm_org_unit_free(unit);
	cr_assert_eq(count(ctx, "SELECT COUNT(*) FROM org_unit"), 5);
	/* a write waits 50 ms for the lock, not the default 5 s, then says retry */
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = pcrm_org_unit_create(ctx, &root_admin, "3703", "37", "淄博供电公司",
	                          PCRM_ORG_CITY);
	cr_assert_eq(rc, PCRM_ERETRY, "%d: %s", rc, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), "busy") != NULL, "%s", pcrm_error_last());
	cr_assert_lt(seconds_since(&start), 4.5, "waited as long as the default timeout");
	pcrm_assert_fails(pcrm_ctx_begin(ctx), PCRM_ERETRY, "busy");
	cr_assert_eq(pcrm_ctx_tx_depth(ctx), 0);

	/* the lock released, the same context writes */
	cr_assert_eq(write(release, "D", 1), 1);
	close(release);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &root_admin, "3703", "37", "淄博供电公司",
	                                    PCRM_ORG_CITY));
	pcrm_ctx_close(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Opening a store that lacks a migration while another process writes: PCRM_ERETRY. */
Test(store_sqlite_file, a_migration_needs_the_write_lock)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[160], fast[192], cmd[160];
	pcrm_ctx *ctx = NULL;
	int release, status;
	pid_t pid;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	snprintf(fast, sizeof(fast), "%s?busy_timeout=50", uri);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	raw(ctx, "DROP TABLE contact; DELETE FROM pcrm_schema WHERE version = 4");
	pcrm_ctx_close(ctx);

	pid = hold_write_lock(uri, &release);
	ctx = (pcrm_ctx *)1;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, fast, NULL), PCRM_ERETRY, "busy");
	cr_assert_null(ctx);
	cr_assert_eq(write(release, "D", 1), 1);
	close(release);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, fast, NULL));
	cr_assert_eq(count(ctx, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 4"), 1);
	pcrm_ctx_close(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

PCRM_BACKEND_TEST(store, foreign_keys_are_enforced)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S("nowhere") };
	int rc = pcrm__store_exec(t->ctx->store,
	                          "INSERT INTO org_unit (code, parent_code, name, level, path, "
	                          "created_at, updated_at, version) "
	                          "VALUES ('x', $1, 'x', 2, '/x/', 0, 0, 1)",
	                          p, 1, NULL);
	cr_assert_eq(rc, PCRM_ESTORE, "%d %s", rc, pcrm_error_last());
}

PCRM_BACKEND_TEST(store, transactions_commit_and_roll_back)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "a", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3704", "37", "b", PCRM_ORG_CITY));
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 1);
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit"), 5);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log"), 5);

	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "a", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit"), 6);
	pcrm_assert_fails(pcrm_ctx_commit(t->ctx), PCRM_ESTATE, "no transaction");
	pcrm_assert_fails(pcrm_ctx_rollback(t->ctx), PCRM_ESTATE, "no transaction");
}

PCRM_BACKEND_TEST(store, nested_transactions_are_savepoints)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "a", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 2);
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3704", "37", "b", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3705", "37", "c", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit WHERE code IN ('3703','3705')"), 2);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit WHERE code = '3704'"), 0);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

PCRM_BACKEND_TEST(store, a_failed_call_inside_a_transaction_keeps_the_rest)
{
	/* The failing call rolls back to its own savepoint; the caller's work survives. */
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "a", PCRM_ORG_CITY));
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3701", "37", "dup",
	                                       PCRM_ORG_CITY),
	                  PCRM_EDUPLICATE, "already exists");
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3704", "37", "b", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM org_unit"), 7);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

/* A statement given to pcrm__store_exec_later() fails at once or where it is sent. */
static int later(pcrm_store *st, const char *sql, int64_t expect)
{
	int64_t n;
	int rc = pcrm__store_exec_later(st, sql, NULL, 0, expect, PCRM_ECONFLICT, "row 9 is gone");
	return rc != PCRM_OK ? rc : pcrm__store_query_int(st, "SELECT 1", NULL, 0, &n);
}

PCRM_BACKEND_TEST(store, queued_statements_keep_transactions_whole)
{
	pcrm_store *st = t->ctx->store;
	raw(t->ctx, "CREATE TABLE q (id INTEGER PRIMARY KEY, v TEXT)");

	/* a statement that misses its rows fails with its status; nothing commits */
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (1, 'a')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_fails(later(st, "UPDATE q SET v = 'b' WHERE id = 9", 1), PCRM_ECONFLICT,
	                  "row 9 is gone");
	pcrm_assert_fails(pcrm__store_commit(st), PCRM_ESTATE, "rolled back");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q"), 0);

	/* queued work inside a savepoint that rolls back is gone, the rest commits */
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (1, 'a')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (2, 'b')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_ok(pcrm__store_rollback(st));
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (3, 'c')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_ok(pcrm__store_commit(st));
	pcrm_assert_ok(pcrm__store_commit(st));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q"), 2);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q WHERE id = 2"), 0);

	/* a queued failure inside a savepoint fails that level only; the caller's work goes on */
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (4, 'd')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_ok(pcrm__store_begin(st));
	{
		int rc = pcrm__store_exec_later(st, "INSERT INTO q VALUES (1, 'dup')", NULL, 0, -1, 0,
		                                NULL);
		if (rc == PCRM_OK)
			rc = pcrm__store_commit(st); /* sent with the release, which undoes the level */
		else
			pcrm__store_rollback(st);
		cr_assert_eq(rc, PCRM_EDUPLICATE, "%s", pcrm_error_last());
	}
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 1);
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (5, 'e')", NULL, 0, -1, 0,
	                                      NULL));
	pcrm_assert_ok(pcrm__store_commit(st));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q"), 4);

	/* a queued failure reported by COMMIT ends the transaction */
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_exec_later(st, "INSERT INTO q VALUES (6, 'f')", NULL, 0, -1, 0,
	                                      NULL));
	{
		int rc = pcrm__store_exec_later(st, "INSERT INTO q VALUES (1, 'dup')", NULL, 0, -1, 0,
		                                NULL);
		if (rc == PCRM_OK)
			rc = pcrm__store_commit(st);
		else
			pcrm__store_rollback(st);
		cr_assert_eq(rc, PCRM_EDUPLICATE, "%s", pcrm_error_last());
	}
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q"), 4);

	/* empty transactions, and nothing left queued after any of this */
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_commit(st));
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_rollback(st));
	pcrm_assert_ok(pcrm__store_rollback(st));
	cr_assert_eq(st->nqueued, 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM q"), 4);
}

PCRM_BACKEND_TEST(store, unique_violation_is_duplicate)
{
	raw(t->ctx, "CREATE TABLE dup_t (k TEXT PRIMARY KEY)");
	pcrm_sql_value p[1] = { PCRM_SQL_S("a") };
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "INSERT INTO dup_t (k) VALUES ($1)", p, 1,
	                                NULL));
	cr_assert_eq(pcrm__store_exec(t->ctx->store, "INSERT INTO dup_t (k) VALUES ($1)", p, 1, NULL),
	             PCRM_EDUPLICATE, "%s", pcrm_error_last());
}

PCRM_BACKEND_TEST(store, parameters_keep_their_order_and_types)
{
	pcrm_sql_value p[3] = { PCRM_SQL_I(-9007199254740993LL), PCRM_SQL_S("$1 'q' \"d\""),
		                PCRM_SQL_NUL };
	pcrm_rows *rows;
	raw(t->ctx, "CREATE TABLE p_t (a BIGINT, b TEXT, c TEXT)");
	/* $2 before $1 in the text: numbering, not position, binds */
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "INSERT INTO p_t (b, a, c) VALUES ($2, $1, $3)", p, 3, NULL));
	pcrm_assert_ok(pcrm__store_query(t->ctx->store, "SELECT a, b, c FROM p_t WHERE b = $1",
	                                 &p[1], 1, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_eq(pcrm__rows_int(rows, 0), -9007199254740993LL);
	cr_assert_str_eq(pcrm__rows_text(rows, 1), "$1 'q' \"d\"");
	cr_assert(pcrm__rows_is_null(rows, 2));
	cr_assert_null(pcrm__rows_text(rows, 2));
	cr_assert_eq(pcrm__rows_next(rows), 0);
	pcrm__rows_free(rows);
}

PCRM_BACKEND_TEST(store, bulk_insert_takes_plain_identifiers_only)
{
	static const char *const good[] = { "k", "n" };
	static const char *const quoted[] = { "k", "n\" FROM x; --" };
	raw(t->ctx, "CREATE TABLE bulk_i (k TEXT PRIMARY KEY, n BIGINT)");
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_fails(pcrm__store_bulk_begin(t->ctx->store, "bulk_i\"; DROP TABLE x", good, 2),
	                  PCRM_ESTORE, "not a plain table name");
	pcrm_assert_fails(pcrm__store_bulk_begin(t->ctx->store, "Bulk_I", good, 2), PCRM_ESTORE,
	                  "not a plain table name");
	pcrm_assert_fails(pcrm__store_bulk_begin(t->ctx->store, "bulk_i", quoted, 2), PCRM_ESTORE,
	                  "column 2 is not a plain identifier");
	pcrm_assert_fails(pcrm__store_bulk_begin(t->ctx->store, "bulk_i", good, 0), PCRM_ESTORE,
	                  "not a plain table name");
	/* nothing was begun: a correct bulk insert still works in the same transaction */
	pcrm_assert_ok(pcrm__store_bulk_begin(t->ctx->store, "bulk_i", good, 2));
	pcrm_assert_ok(pcrm__store_bulk_end(t->ctx->store, 0));
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
}

PCRM_BACKEND_TEST(store, bulk_insert_round_trips_awkward_text)
{
	static const char *const cols[] = { "k", "n", "note" };
	const char *awkward = "tab\there\nnew line \\ backslash 中文";
	char key[32];
	pcrm_rows *rows;

	raw(t->ctx, "CREATE TABLE bulk_t (k TEXT PRIMARY KEY, n BIGINT, note TEXT)");
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm__store_bulk_begin(t->ctx->store, "bulk_t", cols, 3));
	for (int i = 0; i < 2000; i++) {
		pcrm_sql_value v[3];
		snprintf(key, sizeof(key), "k%05d", i);
		v[0] = PCRM_SQL_S(key);
		v[1] = PCRM_SQL_I(i);
		v[2] = i % 2 ? PCRM_SQL_S(awkward) : PCRM_SQL_NUL;
		pcrm_assert_ok(pcrm__store_bulk_row(t->ctx->store, v));
	}
	pcrm_assert_ok(pcrm__store_bulk_end(t->ctx->store, 0));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM bulk_t"), 2000);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM bulk_t WHERE note IS NULL"), 1000);
	cr_assert_eq(count(t->ctx, "SELECT SUM(n) FROM bulk_t"), 1999 * 2000 / 2);
	pcrm_assert_ok(pcrm__store_query(t->ctx->store, "SELECT note FROM bulk_t WHERE k = 'k00001'",
	                                 NULL, 0, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 0), awkward);
	pcrm__rows_free(rows);
}

/* A field longer than the driver's row buffer, escapes falling on every offset. */
PCRM_BACKEND_TEST(store, bulk_insert_round_trips_text_longer_than_its_buffer)
{
	static const char *const cols[] = { "k", "note" };
	static const char piece[] = "0123456\\t\tx\n\r";
	size_t n = 30000;
	char *text = malloc(n + 1);
	pcrm_sql_value v[2];
	pcrm_rows *rows;

	for (size_t i = 0; i < n; i++)
		text[i] = piece[i % (sizeof(piece) - 1)];
	text[n] = '\0';
	raw(t->ctx, "CREATE TABLE bulk_long (k TEXT PRIMARY KEY, note TEXT)");
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm__store_bulk_begin(t->ctx->store, "bulk_long", cols, 2));
	v[0] = PCRM_SQL_S("long");
	v[1] = PCRM_SQL_S(text);
	pcrm_assert_ok(pcrm__store_bulk_row(t->ctx->store, v));
	v[0] = PCRM_SQL_S("short");
	v[1] = PCRM_SQL_S("\\");
	pcrm_assert_ok(pcrm__store_bulk_row(t->ctx->store, v));
	pcrm_assert_ok(pcrm__store_bulk_end(t->ctx->store, 0));
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	pcrm_assert_ok(pcrm__store_query(t->ctx->store, "SELECT k, note FROM bulk_long ORDER BY k",
	                                 NULL, 0, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 1), text);
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 1), "\\");
	pcrm__rows_free(rows);
	free(text);
}

PCRM_BACKEND_TEST(store, failed_bulk_insert_leaves_nothing)
{
	static const char *const cols[] = { "k" };
	pcrm_sql_value v[1] = { PCRM_SQL_S("same") };
	int rc;
	raw(t->ctx, "CREATE TABLE bulk_u (k TEXT PRIMARY KEY)");
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm__store_bulk_begin(t->ctx->store, "bulk_u", cols, 1));
	pcrm_assert_ok(pcrm__store_bulk_row(t->ctx->store, v));
	/* SQLite reports the duplicate on the row, PostgreSQL's COPY when it ends */
	rc = pcrm__store_bulk_row(t->ctx->store, v);
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(t->ctx->store, 0);
	else
		pcrm__store_bulk_end(t->ctx->store, 1);
	cr_assert_eq(rc, PCRM_EDUPLICATE, "%d %s", rc, pcrm_error_last());
	pcrm_assert_fails(pcrm_ctx_commit(t->ctx), PCRM_ESTATE, "rolled back");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM bulk_u"), 0);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

PCRM_BACKEND_TEST(store, bulk_insert_needs_a_transaction)
{
	static const char *const cols[] = { "k" };
	pcrm_assert_fails(pcrm__store_bulk_begin(t->ctx->store, "org_unit", cols, 1), PCRM_ESTATE,
	                  "transaction");
}

/* --- PostgreSQL only: connection loss and serialization failures --- */

static void lost_connection_is_reported_then_repaired(pcrm_test_store *t)
{
	pcrm_ctx *killer = pcrm_test_open_again(t);
	int64_t pid = count(t->ctx, "SELECT pg_backend_pid()");
	pcrm_sql_value p[1] = { PCRM_SQL_I(pid) };
	pcrm_org_unit *u;

	make_tree(t->ctx);
	pcrm_assert_ok(pcrm__store_exec(killer->store, "SELECT pg_terminate_backend($1::int)", p, 1,
	                                NULL));
	pcrm_assert_fails(pcrm_org_unit_get(t->ctx, &root_admin, "3701", &u), PCRM_ECONNECTION,
	                  "connection");
	/* the next call reconnects */
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &root_admin, "3701", &u));
	pcrm_org_unit_free(u);
	cr_assert_neq(count(t->ctx, "SELECT pg_backend_pid()"), pid);

	/* inside a transaction, a lost connection is not silently replaced */
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	p[0] = PCRM_SQL_I(count(t->ctx, "SELECT pg_backend_pid()"));
	pcrm_assert_ok(pcrm__store_exec(killer->store, "SELECT pg_terminate_backend($1::int)", p, 1,
	                                NULL));
	cr_assert_eq(pcrm_org_unit_create(t->ctx, &root_admin, "3709", "37", "x", PCRM_ORG_CITY),
	             PCRM_ECONNECTION, "%s", pcrm_error_last());
	cr_assert_eq(pcrm_org_unit_create(t->ctx, &root_admin, "3709", "37", "x", PCRM_ORG_CITY),
	             PCRM_ECONNECTION, "%s", pcrm_error_last());
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3709", "37", "x", PCRM_ORG_CITY));
	pcrm_ctx_close(killer);
}

Test(store_pg, lost_connection_is_reported_then_repaired, .timeout = 120)
{
	pcrm_test_run_pg(lost_connection_is_reported_then_repaired);
}

static void serialization_failure_is_retry(pcrm_test_store *t)
{
	pcrm_ctx *other = pcrm_test_open_again(t);
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	raw(t->ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
	cr_assert_eq(count(t->ctx, "SELECT version FROM org_unit WHERE code = '3701'"), 1);
	/* another session changes the row after our snapshot was taken */
	pcrm_assert_ok(pcrm_org_unit_rename(other, &root_admin, "3701", "renamed", 1));
	cr_assert_eq(pcrm__store_exec(t->ctx->store,
	                              "UPDATE org_unit SET name = 'mine' WHERE code = '3701'", NULL, 0,
	                              NULL),
	             PCRM_ERETRY, "%s", pcrm_error_last());
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	pcrm_ctx_close(other);
}

Test(store_pg, serialization_failure_is_retry, .timeout = 120)
{
	pcrm_test_run_pg(serialization_failure_is_retry);
}

/* The setting text of plan_cache_mode as the session has it now. */
static void assert_plan_cache_mode(pcrm_test_store *t, const char *expected)
{
	pcrm_rows *rows;
	pcrm_assert_ok(pcrm__store_query(t->ctx->store, "SELECT current_setting('plan_cache_mode')",
	                                 NULL, 0, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 0), expected);
	pcrm__rows_free(rows);
}

/*
 * pcrm__store_query_generic() runs its query under force_generic_plan and
 * the setting ends with it: the session's next statements plan as before.
 */
static void generic_plan_setting_ends_with_the_query(pcrm_test_store *t)
{
	pcrm_rows *rows;
	pcrm_sql_value p[1] = { PCRM_SQL_S("x") };
	assert_plan_cache_mode(t, "auto");
	pcrm_assert_ok(pcrm__store_query_generic(
		t->ctx->store, "SELECT current_setting('plan_cache_mode'), CAST($1 AS TEXT)", p, 1,
		&rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 0), "force_generic_plan");
	cr_assert_str_eq(pcrm__rows_text(rows, 1), "x");
	pcrm__rows_free(rows);
	assert_plan_cache_mode(t, "auto");
	/* inside a transaction the setting would outlive the query: a plain query there */
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm__store_query_generic(
		t->ctx->store, "SELECT current_setting('plan_cache_mode'), CAST($1 AS TEXT)", p, 1,
		&rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	cr_assert_str_eq(pcrm__rows_text(rows, 0), "auto");
	pcrm__rows_free(rows);
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	assert_plan_cache_mode(t, "auto");
}

Test(store_pg, generic_plan_setting_ends_with_the_query, .timeout = 120)
{
	pcrm_test_run_pg(generic_plan_setting_ends_with_the_query);
}
