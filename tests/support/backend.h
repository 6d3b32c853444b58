/*
 * Running one test body against both stores.
 *
 *   PCRM_BACKEND_TEST(org, create_and_get)
 *   {
 *       ... t->ctx is an open context on a fresh, migrated store ...
 *   }
 *
 * defines org_sqlite::create_and_get (SQLite in memory) and
 * org_pg::create_and_get (a fresh database on the throwaway PostgreSQL server
 * that backend.c starts once per test program).  Without a PostgreSQL server
 * the pg variants skip, except with CI=true, where they fail.
 */
#ifndef PCRM_TEST_BACKEND_H
#define PCRM_TEST_BACKEND_H

#include <criterion/criterion.h>

#include <powercrm.h>

typedef struct pcrm_test_store {
	const char *uri;     /* reopen it for a second connection */
	pcrm_ctx *ctx;       /* opened with the test clock */
	pcrm_time now;       /* the test clock's reading; tests may move it */
} pcrm_test_store;

typedef void (*pcrm_test_body)(pcrm_test_store *t);

void pcrm_test_run_sqlite(pcrm_test_body body);
void pcrm_test_run_pg(pcrm_test_body body);
/** As pcrm_test_run_sqlite() on a file, so that a second context can open the same store. */
void pcrm_test_run_sqlite_file(pcrm_test_body body);

/** The clock every test context uses: reads t->now (starts at 2026-11-23T09:00:00+08:00). */
pcrm_time pcrm_test_clock(void *userdata);

/** The data key every test store is opened with. */
extern const unsigned char pcrm_test_data_key[PCRM_DATA_KEY_LEN];

/** Options of a test store: its clock and the test data key. */
void pcrm_test_options(pcrm_test_store *t, pcrm_ctx_options *opts);

/**
 * Closes t->ctx and opens it again with a data key (for sealed personal
 * data).  An in-memory SQLite store cannot be reopened: it comes back
 * empty, so call this before the test writes anything.
 */
void pcrm_test_reopen_with_key(pcrm_test_store *t);

/** Opens another context on the same store, with the test data key (closing is the caller's). */
pcrm_ctx *pcrm_test_open_again(pcrm_test_store *t);

/** Opens another context on the same store without a data key (closing is the caller's). */
pcrm_ctx *pcrm_test_open_keyless(pcrm_test_store *t);

/** Asserts rc == PCRM_OK, printing the library's message otherwise. */
#define pcrm_assert_ok(expr)                                                                   \
	do {                                                                                   \
		int rc_ = (expr);                                                              \
		cr_assert_eq(rc_, PCRM_OK, "%s -> %d (%s): %s", #expr, rc_, pcrm_strerror(rc_), \
		             pcrm_error_last());                                               \
	} while (0)

/** Asserts a failure status and that the message mentions `needle`. */
#define pcrm_assert_fails(expr, status, needle)                                                 \
	do {                                                                                    \
		int rc_ = (expr);                                                               \
		cr_assert_eq(rc_, (status), "%s -> %d (%s), expected %d: %s", #expr, rc_,       \
		             pcrm_strerror(rc_), (int)(status), pcrm_error_last());            \
		cr_assert(strstr(pcrm_error_last(), (needle)) != NULL,                          \
		          "message of %s lacks \"%s\": %s", #expr, (needle), pcrm_error_last());  \
	} while (0)

/** A decimal from text, asserting it parses. */
static inline pcrm_decimal pcrm_test_dec(const char *text)
{
	pcrm_decimal d;
	cr_assert_eq(pcrm_decimal_parse(text, &d), PCRM_OK, "%s: %s", text, pcrm_error_last());
	return d;
}

/** Asserts a decimal's exact text: the same digits and the same scale. */
#define pcrm_assert_dec(value, expected)                                                \
	do {                                                                            \
		char buf_[PCRM_DECIMAL_STRING_MAX];                                     \
		pcrm_assert_ok(pcrm_decimal_format((value), buf_, sizeof(buf_)));        \
		cr_assert_str_eq(buf_, (expected), "%s is %s, expected %s", #value, buf_, \
		                 (expected));                                           \
	} while (0)

#define PCRM_BACKEND_TEST(suite, name)                                             \
	static void suite##_##name##_body(pcrm_test_store *t);                     \
	Test(suite##_sqlite, name, .timeout = 120)                                 \
	{                                                                          \
		pcrm_test_run_sqlite(suite##_##name##_body);                       \
	}                                                                          \
	Test(suite##_pg, name, .timeout = 120)                                     \
	{                                                                          \
		pcrm_test_run_pg(suite##_##name##_body);                           \
	}                                                                          \
	static void suite##_##name##_body(pcrm_test_store *t)

/** PCRM_BACKEND_TEST with SQLite on a file: for tests that open the store twice. */
#define PCRM_BACKEND_FILE_TEST(suite, name)                                        \
	static void suite##_##name##_body(pcrm_test_store *t);                     \
	Test(suite##_sqlite, name, .timeout = 120)                                 \
	{                                                                          \
		pcrm_test_run_sqlite_file(suite##_##name##_body);                  \
	}                                                                          \
	Test(suite##_pg, name, .timeout = 120)                                     \
	{                                                                          \
		pcrm_test_run_pg(suite##_##name##_body);                           \
	}                                                                          \
	static void suite##_##name##_body(pcrm_test_store *t)

#endif
