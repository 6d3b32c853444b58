/*
 * Ledger benchmark: posting payments (pcrm_ledger_post) against a bare
 * baseline measured in the same run, on SQLite (a file) and PostgreSQL.
 *
 * PCRM_BENCH_PAYMENTS payments (default 20,000) are posted to 1,000
 * accounts that each owe two bills, each payment its own transaction as a
 * counter or bank gateway posts them.  The baseline inserts the same
 * number of rows of the ledger_entry shape, one committed transaction
 * each, with no validation, permission check, idempotency lookup,
 * allocation or audit entry: the ratio is what those cost on top of
 * writing the row.  A second pass posts every key again (a retry storm),
 * which must change nothing.
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

#define ACCOUNTS 1000

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };
static const pcrm_actor cashier = { "bench-cashier", PCRM_ROLE_AGENT, 1, "P1" };

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_ledger: %s: %s\n", what, pcrm_error_last());
	exit(1);
}

static void setup(pcrm_ctx *ctx)
{
	char doc[512];
	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE))
		die("org");
	for (int i = 0; i < ACCOUNTS; i++) {
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"C%06d\", \"kind\": \"person\", \"name\": \"客户\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"P1\"}",
		         i);
		if (pcrm_customer_create(ctx, &admin, doc, NULL))
			die("customer");
		snprintf(doc, sizeof(doc),
		         "{\"account_no\": \"A%06d\", \"name\": \"电费\", \"payment_method\": \"cash\"}",
		         i);
		snprintf(doc + 256, 32, "C%06d", i);
		if (pcrm_account_create(ctx, &admin, doc + 256, doc, NULL))
			die("account");
		for (int b = 0; b < 2; b++) {
			char account[16], bill[512];
			snprintf(account, sizeof(account), "A%06d", i);
			snprintf(bill, sizeof(bill),
			         "{\"kind\": \"bill\", \"bill_no\": \"B%06d-%d\", \"period\": \"2026-%02d\","
			         " \"issue_date\": \"2026-%02d-01\", \"due_date\": \"2026-%02d-15\","
			         " \"amount\": \"%d.%02d\"}",
			         i, b, 9 + b, 10 + b, 10 + b, 50 + i % 200, i % 100);
			if (pcrm_ledger_post(ctx, &admin, account, bill, NULL))
				die("bill");
		}
	}
}

static double post_payments(pcrm_ctx *ctx, long n, int *replayed)
{
	double t0 = now_seconds();
	*replayed = 0;
	for (long k = 0; k < n; k++) {
		char account[16], doc[256];
		pcrm_ledger_entry *e;
		snprintf(account, sizeof(account), "A%06ld", k % ACCOUNTS);
		snprintf(doc, sizeof(doc),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"PAY-%ld\", \"amount\": "
		         "\"%ld.%02ld\", \"channel\": \"counter\"}",
		         k, 10 + k % 90, k % 100);
		if (pcrm_ledger_post(ctx, &cashier, account, doc, &e))
			die("payment");
		*replayed += e->replayed;
		pcrm_ledger_entry_free(e);
	}
	return now_seconds() - t0;
}

static double bare_inserts(pcrm_ctx *ctx, long n)
{
	static const char sql[] =
		"INSERT INTO bench_bare (customer_no, account_no, seq, entry_key, kind, ref, amount, "
		"balance, credit, business_day, posted_at, posted_by, request, doc) VALUES ($1, $2, "
		"$3, $4, 'payment', $4, $5, '0.00', '0.00', 20415, 1795395600, 'bench', '{}', '{}')";
	double t0;
	if (pcrm__store_exec(ctx->store,
	                     "CREATE TABLE bench_bare (customer_no TEXT NOT NULL, account_no TEXT NOT "
	                     "NULL, seq BIGINT NOT NULL, entry_key TEXT NOT NULL, kind TEXT NOT NULL, "
	                     "ref TEXT NOT NULL, amount TEXT NOT NULL, balance TEXT NOT NULL, credit "
	                     "TEXT NOT NULL, business_day BIGINT NOT NULL, posted_at BIGINT NOT NULL, "
	                     "posted_by TEXT NOT NULL, request TEXT NOT NULL, doc TEXT NOT NULL, "
	                     "PRIMARY KEY (customer_no, account_no, seq))",
	                     NULL, 0, NULL))
		die("bare table");
	if (pcrm__store_exec(ctx->store, "CREATE UNIQUE INDEX bench_bare_key ON bench_bare (entry_key)",
	                     NULL, 0, NULL))
		die("bare index");
	t0 = now_seconds();
	for (long k = 0; k < n; k++) {
		char customer[16], account[16], key[32], amount[32];
		snprintf(customer, sizeof(customer), "C%06ld", k % ACCOUNTS);
		snprintf(account, sizeof(account), "A%06ld", k % ACCOUNTS);
		snprintf(key, sizeof(key), "payment/PAY-%ld", k);
		snprintf(amount, sizeof(amount), "-%ld.%02ld", 10 + k % 90, k % 100);
		pcrm_sql_value p[5] = { PCRM_SQL_S(customer), PCRM_SQL_S(account), PCRM_SQL_I(k + 3),
			                PCRM_SQL_S(key), PCRM_SQL_S(amount) };
		if (pcrm__store_begin(ctx->store) ||
		    pcrm__store_finish(ctx->store, pcrm__store_exec(ctx->store, sql, p, 5, NULL)))
			die("bare insert");
	}
	return now_seconds() - t0;
}

static void run(const char *backend, const char *uri, long n)
{
	pcrm_ctx *ctx;
	double t_bare, t_post, t_retry;
	int replayed;
	pcrm_ctx_options opts = pcrm_bench_options();
	if (pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	setup(ctx);
	t_bare = bare_inserts(ctx, n);
	t_post = post_payments(ctx, n, &replayed);
	if (replayed)
		die("a first posting came back replayed");
	t_retry = post_payments(ctx, n, &replayed);
	if (replayed != n)
		die("a retried posting was not replayed");
	printf("%-10s payments: %ld posted in %.2f s = %.0f/s; bare INSERT of the same rows "
	       "%.2f s = %.0f/s; ratio %.2fx; retrying every key %.2f s (ratio %.2fx, nothing "
	       "written)\n",
	       backend, n, t_post, (double)n / t_post, t_bare, (double)n / t_bare, t_post / t_bare,
	       t_retry, t_retry / t_bare);
	fflush(stdout);
	pcrm_ctx_close(ctx);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_PAYMENTS");
	long n = env ? atol(env) : 20000;

	if (n < 1)
		n = 1;
	return pcrm_bench_on_both_stores("bench_ledger", run, n);
}
