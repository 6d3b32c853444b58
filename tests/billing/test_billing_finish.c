/*
 * Billing jobs that must always finish, on both stores:
 *
 * - a run's batch reads the readings of its own accounts only, so runs
 *   finish whatever other accounts' numbers lie between the batch's: two
 *   counties whose account numbers interleave, a city-wide catch-up run
 *   after one county was billed, several runs of the same month at once;
 * - the posting step racing counter payments takes its locks in the
 *   library's one order (docs/architecture.md, "Lock order") and retries a
 *   transaction it owns when the store reports a deadlock, so neither side
 *   ever sees one.
 *
 * Every account's bill is 370.40 (600 kWh on the Guangzhou residential
 * tariff, see test_billing.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_fixtures.h"
#include "race.h"

/* 3701 has two counties: 370102 (make_tree) and 370103, whose account numbers interleave. */
static const pcrm_actor county_admin = { "admin-lc", PCRM_ROLE_ADMIN, 2, "370103" };

#define HOMES 8 /* per county */

/* The tree, the tariff and the homes of 370102 (odd numbers) or 370103 (even numbers). */
static void setup_tree(pcrm_test_store *t)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &city_admin, "370103", "3701", "历城区供电中心",
	                                    PCRM_ORG_COUNTY));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
}

static void add_county_homes(pcrm_test_store *t, int odd)
{
	for (int n = odd ? 1 : 2; n <= 2 * HOMES; n += 2)
		add_home(t, &city_clerk, n, odd ? "370102" : "370103", "600");
}

/* A1, A3, ... in 370102 and A2, A4, ... in 370103: in account order they alternate. */
static void setup(pcrm_test_store *t)
{
	setup_tree(t);
	add_county_homes(t, 1);
	add_county_homes(t, 0);
}

/* A run of October for `org`, `batch` accounts a batch, posting each batch when `post`. */
static void spec_for(char *out, size_t size, const char *org, int batch, int post)
{
	snprintf(out, size,
	         "{\"org_unit\": \"%s\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	         " \"due_date\": \"2026-11-15\", \"batch_size\": %d, \"post\": %s,"
	         " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	         org, batch, post ? "true" : "false");
}

static int run(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org, int batch, int post,
               pcrm_billing_summary *s)
{
	char spec[512];
	spec_for(spec, sizeof(spec), org, batch, post);
	return pcrm_billing_run(ctx, actor, spec, NULL, NULL, s);
}

/* Every account of 3701 has exactly one current bill of October, of 370.40. */
static void assert_billed_once(pcrm_test_store *t, int accounts)
{
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE period = '2026-10' "
	                      "AND status = 'issued'"),
	             accounts);
	cr_assert_eq(count(t, "SELECT COUNT(DISTINCT account_no) FROM bill WHERE period = '2026-10'"),
	             accounts);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE total <> '370.40'"), 0);
}

/* ---- interleaved account numbers ---- */

PCRM_BACKEND_TEST(billing_finish, a_county_run_finishes_when_another_countys_accounts_interleave)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	/* a batch of two spans the other county's accounts between its own */
	pcrm_assert_ok(run(t->ctx, &city_admin, "370102", 2, 0, &s));
	cr_assert_eq(s.accounts, HOMES);
	cr_assert_eq(s.billed, HOMES);
	cr_assert_eq(s.no_usage, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill b JOIN account a ON a.account_no = "
	                      "b.account_no WHERE a.org_unit <> '370102'"),
	             0, "only the county's own accounts are billed");

	pcrm_assert_ok(run(t->ctx, &county_admin, "370103", 2, 0, &s));
	cr_assert_eq(s.billed, HOMES);
	assert_billed_once(t, 2 * HOMES);

	/* idempotent: running either again bills nothing and leaves the bills as they are */
	pcrm_assert_ok(run(t->ctx, &city_admin, "370102", 2, 0, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(s.already_billed, HOMES);
	pcrm_assert_ok(run(t->ctx, &city_admin, "3701", 3, 0, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(s.already_billed, 2 * HOMES);
	assert_billed_once(t, 2 * HOMES);
}

PCRM_BACKEND_TEST(billing_finish, a_city_catch_up_run_after_one_county_finishes_and_posts_once)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;

	/* the county first, in one batch, posted, before the other county's homes exist */
	setup_tree(t);
	add_county_homes(t, 1);
	pcrm_assert_ok(run(t->ctx, &city_admin, "370102", 500, 1, &s));
	cr_assert_eq(s.billed, HOMES);
	add_county_homes(t, 0);
	/* the city catches up: its batches skip the billed county's accounts between its own */
	pcrm_assert_ok(run(t->ctx, &city_admin, "3701", 2, 1, &s));
	cr_assert_eq(s.already_billed, HOMES);
	cr_assert_eq(s.billed, HOMES);
	pcrm_assert_dec(s.total, "2963.20"); /* 8 x 370.40 */
	assert_billed_once(t, 2 * HOMES);
	/* again: nothing new, nothing posted twice */
	pcrm_assert_ok(run(t->ctx, &city_admin, "3701", 2, 1, &s));
	cr_assert_eq(s.billed, 0);
	assert_billed_once(t, 2 * HOMES);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 2 * HOMES);
	for (int n = 1; n <= 2 * HOMES; n++) {
		char acct[16];
		snprintf(acct, sizeof(acct), "A%d", n);
		pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_admin, acct, &l));
		pcrm_assert_dec(l.balance, "370.40");
		cr_assert_eq(l.entries, 1);
	}
}

/*
 * A duplicate that reading the batch again does not remove is not another
 * run's progress: the run stops with it instead of reading forever.  (A
 * void bill without a replacement, which only SQL of one's own makes,
 * holds the number the run would give.)
 */
PCRM_BACKEND_TEST(billing_finish, a_duplicate_no_concurrent_run_explains_stops_the_run)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	pcrm_assert_ok(run(t->ctx, &city_admin, "370102", 500, 0, &s));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "UPDATE bill SET status = 'void' "
	                                "WHERE bill_no = 'A3-202610'", NULL, 0, NULL));
	pcrm_assert_fails(run(t->ctx, &city_admin, "370102", 2, 0, &s), PCRM_EDUPLICATE, "A3");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), HOMES, "nothing written");
}

/* ---- several processes at once ---- */

/*
 * Runs fn(t, i) in `k` forked processes (i = 0 .. k-1) at once, each on
 * connections of its own; results[i] receives what each returned.
 */
static void race_many(pcrm_test_store *t, int (*fn)(pcrm_test_store *, int), int k, int *results)
{
	pid_t pids[8];
	int fds[8][2];

	cr_assert(k <= 8);
	for (int i = 0; i < k; i++) {
		cr_assert_eq(pipe(fds[i]), 0);
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0) {
			int rc = fn(t, i);
			close(fds[i][0]);
			if (write(fds[i][1], &rc, sizeof(rc)) != (ssize_t)sizeof(rc))
				_exit(2);
			_exit(0); /* never the parent's exit handlers or connections */
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < k; i++) {
		int status = 0;
		results[i] = -100;
		cr_assert_eq(read(fds[i][0], &results[i], sizeof(results[i])),
		             (ssize_t)sizeof(results[i]), "process %d died", i);
		close(fds[i][0]);
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
	}
}

/* The city's October run, posting, two accounts a batch, on a connection of its own. */
static int run_city(pcrm_test_store *t, int i)
{
	pcrm_ctx *ctx = NULL;
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	int rc = open_another(t, &ctx);
	(void)i;
	if (rc == PCRM_OK)
		rc = run(ctx, &city_admin, "3701", 2, 1, &s);
	if (rc != PCRM_OK)
		fprintf(stderr, "run %d: %s\n", i, pcrm_error_last());
	pcrm_ctx_close(ctx);
	return rc;
}

PCRM_BACKEND_TEST(billing_finish, four_runs_of_the_same_month_at_once_all_finish_billing_once)
{
	struct pcrm_test_race_store r;
	pcrm_test_store *s = pcrm_test_race_store(t, &r);
	int results[4];
	pcrm_billing_summary sum = PCRM_BILLING_SUMMARY_INIT;

	setup(s);
	race_many(s, run_city, 4, results);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(results[i], PCRM_OK, "run %d: %d (%s)", i, results[i],
		             pcrm_strerror(results[i]));
	assert_billed_once(s, 2 * HOMES);
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 2 * HOMES);
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM ledger_account WHERE balance <> '370.40' "
	                      "OR entries <> 1"),
	             0);
	/* and once more, alone: nothing left to do */
	pcrm_assert_ok(run(s->ctx, &city_admin, "3701", 2, 1, &sum));
	cr_assert_eq(sum.billed, 0);
	cr_assert_eq(sum.already_billed, 2 * HOMES);
	pcrm_assert_ok(pcrm_audit_verify(s->ctx, &root_admin, NULL, NULL));
	pcrm_test_race_store_remove(&r);
}

/* ---- the posting step racing counter payments ---- */

#define PAYERS 2
#define RACE_ACCOUNTS 48 /* A1 .. A48: the race needs more batches than the other tests */

/* The county a round races in: 370102 (odd account numbers) or 370103 (even). */
static int round_odd;

/* The posting step of October in the round's county, on a connection of its own. */
static int post_county(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	char spec[128];
	int rc = open_another(t, &ctx);
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"%s\", \"period\": \"2026-10\", \"batch_size\": 3}",
	         round_odd ? "370102" : "370103");
	if (rc == PCRM_OK)
		rc = pcrm_billing_post(ctx, &city_admin, spec, NULL, NULL, &ps);
	if (rc != PCRM_OK)
		fprintf(stderr, "posting: %s\n", pcrm_error_last());
	pcrm_ctx_close(ctx);
	return rc;
}

/* A counter payment of 50.00 to account A<n>, the payer's own key. */
static int pay(pcrm_ctx *ctx, int payer, int n)
{
	char acct[16], doc[256];
	snprintf(acct, sizeof(acct), "A%d", n);
	snprintf(doc, sizeof(doc),
	         "{\"kind\": \"payment\", \"idempotency_key\": \"counter-%d-%d\", "
	         "\"amount\": \"50.00\", \"channel\": \"counter\"}",
	         payer, n);
	return pcrm_ledger_post(ctx, &city_admin, acct, doc, NULL);
}

/* Payer i pays every account of the round's county once, the odd payers from the last down. */
static int pay_all(pcrm_test_store *t, int payer)
{
	pcrm_ctx *ctx = NULL;
	int rc = open_another(t, &ctx);
	for (int k = 1; k <= RACE_ACCOUNTS && rc == PCRM_OK; k++) {
		int n = payer % 2 ? RACE_ACCOUNTS + 1 - k : k;
		if (n % 2 == round_odd)
			rc = pay(ctx, payer, n);
	}
	if (rc != PCRM_OK)
		fprintf(stderr, "payer %d: %s\n", payer, pcrm_error_last());
	pcrm_ctx_close(ctx);
	return rc;
}

static int post_or_pay(pcrm_test_store *t, int i)
{
	return i == 0 ? post_county(t) : pay_all(t, i);
}

/*
 * The posting step (a batch posting that, for accounts holding credit,
 * posts one by one) racing counter payments to the same accounts: on main
 * a batch holding the audit head waited for an account a payment held,
 * which waited for the audit head.  Now everyone finishes, every ledger
 * is its entries' sum (the balances below are exact) and the audit chain
 * verifies.
 */
PCRM_BACKEND_TEST(billing_finish, posting_racing_counter_payments_never_deadlocks)
{
	struct pcrm_test_race_store r;
	pcrm_test_store *s = pcrm_test_race_store(t, &r);
	int results[1 + PAYERS];
	pcrm_billing_summary sum = PCRM_BILLING_SUMMARY_INIT;
	int64_t checked = 0;

	setup(s);
	for (int n = 2 * HOMES + 1; n <= RACE_ACCOUNTS; n++)
		add_home(s, &city_clerk, n, n % 2 ? "370102" : "370103", "600");
	pcrm_assert_ok(run(s->ctx, &city_admin, "3701", 500, 0, &sum));
	/*
	 * Three accounts in four pay ahead: their bills are posted one by one
	 * (allocating the credit), each taking the audit head inside the batch.
	 */
	for (int n = 1; n <= RACE_ACCOUNTS; n++)
		if (n % 4 != 0)
			pcrm_assert_ok(pay(s->ctx, 0, n));
	/* a round per county, to give the race two chances */
	for (round_odd = 1; round_odd >= 0; round_odd--) {
		race_many(s, post_or_pay, 1 + PAYERS, results);
		for (int i = 0; i <= PAYERS; i++)
			cr_assert_eq(results[i], PCRM_OK, "round %d, %s %d: %d (%s)", 2 - round_odd,
			             i ? "payer" : "posting", i, results[i], pcrm_strerror(results[i]));
	}

	for (int n = 1; n <= RACE_ACCOUNTS; n++) {
		char acct[16];
		pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;
		snprintf(acct, sizeof(acct), "A%d", n);
		pcrm_assert_ok(pcrm_ledger_summary_load(s->ctx, &city_admin, acct, &l));
		/* 370.40 billed, 2 x 50.00 paid at the counter, 50.00 ahead for three in four */
		pcrm_assert_dec(l.balance, n % 4 ? "220.40" : "270.40");
		cr_assert_eq(l.entries, n % 4 ? 4 : 3, "A%d: %lld entries", n, (long long)l.entries);
	}
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM ledger_account a WHERE entries <> "
	                      "(SELECT COUNT(*) FROM ledger_entry e WHERE e.account_no = a.account_no)"),
	             0);
	pcrm_assert_ok(pcrm_audit_verify(s->ctx, &root_admin, &checked, NULL));
	cr_assert(checked > 0);
	pcrm_test_race_store_remove(&r);
}
