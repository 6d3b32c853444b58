/* The two-backend test runner and the hooks that own the throwaway PostgreSQL server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/hooks.h>

#include "backend.h"
#include "pgtmp.h"

#define TEST_EPOCH 1795395600 /* 2026-11-23T09:00:00+08:00, a Monday */

/* The runner process starts the server before any worker exists and stops it at the end. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	char why[512];
	(void)set;
	if (pcrm_test_pg_start(why, sizeof(why)) != 0)
		setenv("PCRM_TEST_PG_ERROR", why, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	pcrm_test_pg_stop();
}

const unsigned char pcrm_test_data_key[PCRM_DATA_KEY_LEN] = "0123456789abcdef0123456789abcde";

void pcrm_test_options(pcrm_test_store *t, pcrm_ctx_options *opts)
{
	pcrm_ctx_options_init(opts, PCRM_CTX_OPTIONS_VERSION);
	opts->clock = pcrm_test_clock;
	opts->clock_data = t;
	/* personal data is always sealed: every store a test opens has the test key */
	opts->data_key = pcrm_test_data_key;
	opts->data_key_len = sizeof(pcrm_test_data_key);
}

pcrm_time pcrm_test_clock(void *userdata)
{
	return ((pcrm_test_store *)userdata)->now;
}

static void run(pcrm_test_body body, const char *uri)
{
	pcrm_test_store t;
	pcrm_ctx_options opts;
	int rc;

	memset(&t, 0, sizeof(t));
	t.uri = uri;
	t.now = TEST_EPOCH;
	pcrm_test_options(&t, &opts);
	rc = pcrm_ctx_open(&t.ctx, uri, &opts);
	cr_assert_eq(rc, PCRM_OK, "open %s: %s", uri, pcrm_error_last());
	body(&t);
	pcrm_ctx_close(t.ctx);
}

void pcrm_test_reopen_with_key(pcrm_test_store *t)
{
	pcrm_ctx_options opts;
	pcrm_ctx_close(t->ctx);
	pcrm_test_options(t, &opts);
	t->ctx = NULL;
	cr_assert_eq(pcrm_ctx_open(&t->ctx, t->uri, &opts), PCRM_OK, "%s", pcrm_error_last());
}

pcrm_ctx *pcrm_test_open_again(pcrm_test_store *t)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_test_options(t, &opts);
	cr_assert_eq(pcrm_ctx_open(&ctx, t->uri, &opts), PCRM_OK, "reopen: %s", pcrm_error_last());
	return ctx;
}

pcrm_ctx *pcrm_test_open_keyless(pcrm_test_store *t)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_test_options(t, &opts);
	opts.data_key = NULL;
	opts.data_key_len = 0;
	cr_assert_eq(pcrm_ctx_open(&ctx, t->uri, &opts), PCRM_OK, "reopen: %s", pcrm_error_last());
	return ctx;
}

void pcrm_test_run_sqlite(pcrm_test_body body)
{
	run(body, "sqlite::memory:");
}

void pcrm_test_run_sqlite_file(pcrm_test_body body)
{
	char dir[] = "/tmp/pcrm-test-XXXXXX", uri[64], path[64];
	cr_assert(mkdtemp(dir), "mkdtemp");
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	run(body, uri);
	/* the database and what SQLite may have left beside it */
	static const char *const files[] = { "crm.db", "crm.db-wal", "crm.db-shm", "crm.db-journal" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
	rmdir(dir);
}

void pcrm_test_run_pg(pcrm_test_body body)
{
	char why[512];
	const char *start_error = getenv("PCRM_TEST_PG_ERROR");
	const char *uri;

	if (start_error) {
		if (pcrm_test_pg_required())
			cr_assert_fail("PostgreSQL is required (CI=true) but did not start: %s", start_error);
		cr_skip_test("no PostgreSQL server: %s", start_error);
	}
	uri = pcrm_test_pg_new_database(why, sizeof(why));
	if (!uri) {
		if (pcrm_test_pg_required())
			cr_assert_fail("PostgreSQL is required (CI=true): %s", why);
		cr_skip_test("no PostgreSQL database: %s", why);
	}
	run(body, uri);
	pcrm_test_pg_drop_database();
}
