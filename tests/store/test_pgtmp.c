/*
 * The throwaway PostgreSQL server of tests/support/pgtmp.c, tested on its own.
 *
 * This program has hooks of its own instead of backend.c's: it uses nothing
 * from backend.c, so the linker leaves that object (and its hooks) out of
 * the archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <libpq-fe.h>

#include "pgtmp.h"

/* Runs in the runner, before any worker exists; workers only see the environment it leaves. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	char why[1024];
	struct timespec t0, t1;

	(void)set;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pcrm_test_pg_start(why, sizeof(why)) != 0) {
		fprintf(stderr, "pgtmp: no server: %s\n", why);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "pgtmp: server ready in %.2f s at %s\n",
	        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	        getenv("PCRM_TEST_PG_HOST") ? getenv("PCRM_TEST_PG_HOST") : "(external)");
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	pcrm_test_pg_stop();
}

/* Skips without a server, except under CI=true, where a missing server is a failure. */
static void need_server(void)
{
	const char *error = getenv("PCRM_TEST_PG_ERROR");

	if (!error)
		return;
	if (pcrm_test_pg_required())
		cr_assert_fail("PostgreSQL is required (CI=true) but did not start: %s", error);
	cr_skip_test("no PostgreSQL server: %s", error);
}

/* The tests that look at the server itself make no sense against PCRM_TEST_PG_URI. */
static void need_own_server(void)
{
	need_server();
	if (getenv("PCRM_TEST_PG_URI"))
		cr_skip_test("PCRM_TEST_PG_URI is set: nothing was started");
}

static const char *fresh_database(void)
{
	char why[1024];
	const char *uri;

	need_server();
	uri = pcrm_test_pg_new_database(why, sizeof(why));
	if (!uri) {
		if (pcrm_test_pg_required())
			cr_assert_fail("PostgreSQL is required (CI=true): %s", why);
		cr_skip_test("no PostgreSQL database: %s", why);
	}
	return uri;
}

static PGconn *connect_to(const char *uri)
{
	PGconn *conn = PQconnectdb(uri);
	cr_assert_eq(PQstatus(conn), CONNECTION_OK, "connect %s: %s", uri, PQerrorMessage(conn));
	return conn;
}

static void exec_ok(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql,
	             PQresultErrorMessage(res));
	PQclear(res);
}

/* The single value of a one-row query, copied into `out`. */
static void query_value(PGconn *conn, const char *sql, char *out, size_t out_size)
{
	PGresult *res = PQexec(conn, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql,
	             PQresultErrorMessage(res));
	cr_assert_eq(PQntuples(res), 1, "%s: %d rows", sql, PQntuples(res));
	snprintf(out, out_size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

/*
 * Both tests below create the same table in "their" database after checking
 * it has none; were the database shared, whichever ran second would fail.
 */
static void create_insert_select(void)
{
	const char *uri = fresh_database();
	PGconn *conn = connect_to(uri);
	char value[256];

	query_value(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", value,
	            sizeof(value));
	cr_assert_str_eq(value, "0", "a fresh database has tables: %s", uri);
	query_value(conn, "SELECT current_database()", value, sizeof(value));
	cr_assert(strstr(uri, value) != NULL, "%s is not the database of %s", value, uri);

	exec_ok(conn, "CREATE TABLE meter_reading (id bigint PRIMARY KEY, kwh numeric(12,2))");
	exec_ok(conn, "INSERT INTO meter_reading VALUES (1, 10.25), (2, 0.75), (3, 100.00)");
	query_value(conn, "SELECT sum(kwh) FROM meter_reading", value, sizeof(value));
	cr_assert_str_eq(value, "111.00");
	query_value(conn, "SELECT current_setting('server_encoding')", value, sizeof(value));
	cr_assert_str_eq(value, "UTF8");

	PQfinish(conn);
	pcrm_test_pg_drop_database();
}

Test(pgtmp_database, first_test_gets_a_fresh_database, .timeout = 60)
{
	create_insert_select();
}

Test(pgtmp_database, second_test_gets_another, .timeout = 60)
{
	create_insert_select();
}

Test(pgtmp_database, each_call_makes_a_new_one, .timeout = 60)
{
	char first[4096], value[64];
	const char *second;
	PGconn *conn;

	snprintf(first, sizeof(first), "%s", fresh_database());
	conn = connect_to(first);
	exec_ok(conn, "CREATE TABLE left_behind (x int)");
	PQfinish(conn);

	second = fresh_database();
	cr_assert_str_neq(first, second);
	conn = connect_to(second);
	query_value(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'left_behind'", value,
	            sizeof(value));
	cr_assert_str_eq(value, "0", "the table of %s shows in %s", first, second);
	PQfinish(conn);
	pcrm_test_pg_drop_database();
}

Test(pgtmp_database, drop_removes_it, .timeout = 60)
{
	char uri[4096];
	PGconn *conn;

	snprintf(uri, sizeof(uri), "%s", fresh_database());
	conn = connect_to(uri);
	/* FORCE: an open connection does not keep the database alive. */
	pcrm_test_pg_drop_database();
	PQfinish(conn);
	conn = PQconnectdb(uri);
	cr_assert_neq(PQstatus(conn), CONNECTION_OK, "%s still exists", uri);
	cr_assert(strstr(PQerrorMessage(conn), "does not exist") != NULL, "%s",
	          PQerrorMessage(conn));
	PQfinish(conn);
	pcrm_test_pg_drop_database(); /* twice is harmless */
}

/* The server process: unprivileged when we are root, ourselves otherwise. */
Test(pgtmp_server, runs_as_an_unprivileged_user, .timeout = 60)
{
	char value[4096], path[4200], line[256];
	uid_t expected = geteuid(), backend_uid = (uid_t)-1;
	const char *uri;
	struct stat st;
	PGconn *conn;
	FILE *f;

	need_own_server();
	uri = fresh_database();
	conn = connect_to(uri);
	query_value(conn, "SELECT pg_backend_pid()", value, sizeof(value));
	snprintf(path, sizeof(path), "/proc/%s/status", value);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0)
			backend_uid = (uid_t)strtoul(line + 4, NULL, 10);
	fclose(f);
	if (expected == 0)
		cr_assert_neq(backend_uid, 0, "the server runs as root");
	else
		cr_assert_eq(backend_uid, expected, "the server runs as uid %lu, not as us",
		             (unsigned long)backend_uid);

	query_value(conn, "SELECT current_setting('data_directory')", value, sizeof(value));
	cr_assert_eq(stat(value, &st), 0, "%s", value);
	cr_assert_eq(st.st_uid, backend_uid, "%s is owned by %lu", value,
	             (unsigned long)st.st_uid);
	PQfinish(conn);
	pcrm_test_pg_drop_database();
}

/* No TCP port and the socket in the private directory exported to us. */
Test(pgtmp_server, listens_only_on_its_private_socket, .timeout = 60)
{
	char value[4096];
	const char *host;
	PGconn *conn;

	need_own_server();
	host = getenv("PCRM_TEST_PG_HOST");
	cr_assert_not_null(host);
	cr_assert(strncmp(host, "/tmp/pcrm-pg-", 13) == 0, "%s", host);
	conn = connect_to(fresh_database());
	query_value(conn, "SHOW listen_addresses", value, sizeof(value));
	cr_assert_str_eq(value, "");
	query_value(conn, "SHOW unix_socket_directories", value, sizeof(value));
	cr_assert_str_eq(value, host);
	query_value(conn, "SHOW port", value, sizeof(value));
	cr_assert_str_eq(value, getenv("PCRM_TEST_PG_PORT"));
	query_value(conn, "SHOW fsync", value, sizeof(value));
	cr_assert_str_eq(value, "off");
	PQfinish(conn);
	pcrm_test_pg_drop_database();
}

/*
 * The runner started the server (PRE_ALL) and workers are its children:
 * what the store tests rely on when they take their server from the hooks.
 */
Test(pgtmp_server, started_by_the_runner, .timeout = 60)
{
	const char *owner;

	need_own_server();
	owner = getenv("PCRM_TEST_PG_OWNER_PID");
	cr_assert_not_null(owner);
	cr_assert_eq(strtol(owner, NULL, 10), (long)getppid(), "owner %s, our parent %ld", owner,
	             (long)getppid());
}

/* Only the owner stops the server; start in a worker finds the running one. */
Test(pgtmp_server, workers_neither_restart_nor_stop_it, .timeout = 60)
{
	char why[1024], host[4096];
	PGconn *conn;

	need_own_server();
	snprintf(host, sizeof(host), "%s", getenv("PCRM_TEST_PG_HOST"));
	cr_assert_eq(pcrm_test_pg_start(why, sizeof(why)), 0, "%s", why);
	cr_assert_str_eq(getenv("PCRM_TEST_PG_HOST"), host, "a second server was started");
	pcrm_test_pg_stop();
	conn = connect_to(fresh_database());
	PQfinish(conn);
	pcrm_test_pg_drop_database();
}

/*
 * Not built with AddressSanitizer: with Criterion 2.4.1 the runner process
 * then ends, in about half the runs, with a 48-byte LeakSanitizer report
 * whose stack lies wholly inside libcriterion, both when this test starts a
 * server in a child of its worker and when it only skips itself (a skipped
 * test alone was enough).  The ordinary build runs it.
 */
#ifndef __SANITIZE_ADDRESS__
/* The value of a one-row query on a fresh database of the running server, or "" on failure. */
static void setting(const char *uri, const char *name, char *out, size_t out_size)
{
	char sql[64];
	PGconn *conn = PQconnectdb(uri);
	PGresult *res;
	snprintf(sql, sizeof(sql), "SHOW %s", name);
	res = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, sql) : NULL;
	snprintf(out, out_size, "%s",
	         res && PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	PQfinish(conn);
}

/*
 * Runs in a child of the worker, which ends with _exit(): the durable
 * server's start and stop stay out of the worker's own exit path.  Returns
 * 0 when every check held, else the number of the first that failed.
 */
static int durable_checks(void)
{
	char why[1024], value[64], host[4096];
	const char *uri;
	snprintf(host, sizeof(host), "%s", getenv("PCRM_TEST_PG_HOST"));
	if (pcrm_test_pg_start_durable(why, sizeof(why)) != 0)
		return 1;
	if (strcmp(getenv("PCRM_TEST_PG_HOST"), host) == 0)
		return 2; /* the tests' server was reused */
	/* one server per process: a second kind is refused until this one stops */
	if (pcrm_test_pg_start(why, sizeof(why)) != -1 ||
	    !strstr(why, "durable server is already running"))
		return 3;
	uri = pcrm_test_pg_new_database(why, sizeof(why));
	if (!uri)
		return 4;
	setting(uri, "fsync", value, sizeof(value));
	if (strcmp(value, "on") != 0)
		return 5;
	setting(uri, "synchronous_commit", value, sizeof(value));
	if (strcmp(value, "on") != 0)
		return 6;
	setting(uri, "full_page_writes", value, sizeof(value));
	if (strcmp(value, "on") != 0)
		return 7;
	pcrm_test_pg_drop_database();
	pcrm_test_pg_stop();
	return getenv("PCRM_TEST_PG_HOST") ? 8 : 0;
}

/*
 * The tests' server trades durability for speed; the durable one (for
 * benchmarks) keeps PostgreSQL's defaults.  A worker has no server of its
 * own, so it (here: a child of it) may start a durable one, and stop it.
 */
Test(pgtmp_server, durable_on_request_only, .timeout = 120)
{
	char value[64];
	int status = -1;
	pid_t pid;

	need_own_server();
	setting(fresh_database(), "fsync", value, sizeof(value));
	cr_assert_str_eq(value, "off");
	pcrm_test_pg_drop_database();
	setting(fresh_database(), "synchronous_commit", value, sizeof(value));
	cr_assert_str_eq(value, "off");
	pcrm_test_pg_drop_database();

	fflush(NULL);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(durable_checks());
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "durable check %d failed",
	          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

#endif /* __SANITIZE_ADDRESS__ */

/* A server that cannot start says why, and tells the workers through the environment. */
Test(pgtmp_server, failure_to_start_is_explained, .timeout = 60)
{
	char why[1024];

	unsetenv("PCRM_TEST_PG_URI");
	unsetenv("PCRM_TEST_PG_HOST");
	unsetenv("PCRM_TEST_PG_PORT");
	unsetenv("PCRM_TEST_PG_OWNER_PID");
	unsetenv("PCRM_TEST_PG_ERROR");
	setenv("PCRM_TEST_PG_BINDIR", "/nonexistent/pg/bin", 1);
	why[0] = '\0';
	cr_assert_eq(pcrm_test_pg_start(why, sizeof(why)), -1);
	cr_assert(strstr(why, "/nonexistent/pg/bin") != NULL, "%s", why);
	cr_assert_str_eq(getenv("PCRM_TEST_PG_ERROR"), why);
	cr_assert_null(pcrm_test_pg_new_database(why, sizeof(why)));
	cr_assert(strstr(why, "/nonexistent/pg/bin") != NULL, "%s", why);
}

Test(pgtmp_env, ci_true_makes_postgresql_required)
{
	setenv("CI", "true", 1);
	cr_assert(pcrm_test_pg_required());
	setenv("CI", "false", 1);
	cr_assert_not(pcrm_test_pg_required());
	unsetenv("CI");
	cr_assert_not(pcrm_test_pg_required());
}
