/*
 * The account ledger on both backends: bills, payments with idempotency
 * keys, allocation to the oldest open bill, credits, refunds, adjustments,
 * voids, arrears with age, dunning, bank payments and reconciliation,
 * permissions, and a random walk checking that the balance is always the
 * sum of the ledger.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "progress_probe.h"
#include "core/ctx.h"
#include "store/store.h"

#define ZHANG "3701000001"   /* residential, township station 37010201 */
#define STEEL "3701000002"   /* large industry, county 370102 */
#define QINGDAO "3702000001" /* city 3702, beside 3701 */

static const pcrm_actor qingdao_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };
static const pcrm_actor bank_gateway = { "bank-gw", PCRM_ROLE_SYSTEM, 1, "37" };

static void add_customer(pcrm_ctx *ctx, const char *no, const char *org, const char *usage,
                         const char *account_no)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"%s\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\"}",
	         no, no, usage, org);
	pcrm_assert_ok(pcrm_customer_create(ctx, &root_admin, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"account_no\": \"%s\", \"name\": \"电费账户\", \"payment_method\": \"cash\"}",
	         account_no);
	pcrm_assert_ok(pcrm_account_create(ctx, &root_admin, no, doc, NULL));
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201", "residential", "A1");
	add_customer(t->ctx, STEEL, "370102", "large_industry", "A2");
	add_customer(t->ctx, QINGDAO, "3702", "residential", "A3");
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static const char *doc(const char *fmt, ...)
{
	static char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static void assert_money(pcrm_decimal v, const char *expected)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	pcrm_assert_ok(pcrm_decimal_format(v, buf, sizeof(buf)));
	cr_assert_str_eq(buf, expected);
}

static pcrm_date day(int y, int m, int d)
{
	pcrm_date out = { y, m, d };
	return out;
}

static void bill(pcrm_test_store *t, const char *account, const char *no, const char *period,
                 const char *issue, const char *due, const char *amount)
{
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account,
	                                doc("{\"kind\": \"bill\", \"bill_no\": \"%s\", \"period\": "
	                                    "\"%s\", \"issue_date\": \"%s\", \"due_date\": \"%s\", "
	                                    "\"amount\": \"%s\"}",
	                                    no, period, issue, due, amount),
	                                NULL));
}

static const char *payment(const char *key, const char *amount)
{
	return doc("{\"kind\": \"payment\", \"idempotency_key\": \"%s\", \"amount\": \"%s\", "
	           "\"channel\": \"counter\"}",
	           key, amount);
}

static pcrm_ledger_summary summary(pcrm_test_store *t, const char *account)
{
	pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, account, &s));
	return s;
}

/* Balance, open amount and credit of an account, as text. */
static void assert_standing(pcrm_test_store *t, const char *account, const char *balance,
                            const char *open, const char *credit)
{
	pcrm_ledger_summary s = summary(t, account);
	assert_money(s.balance, balance);
	assert_money(s.open, open);
	assert_money(s.credit, credit);
}

PCRM_BACKEND_TEST(ledger, payments_go_to_the_oldest_bill_and_overpayment_stays_as_credit)
{
	pcrm_ledger_entry *e;
	setup(t);
	bill(t, "A1", "B2610", "2026-10", "2026-11-01", "2026-11-15", "80.00");
	bill(t, "A1", "B2609", "2026-09", "2026-10-01", "2026-10-15", "100");

	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("P1", "150.00"), &e));
	cr_assert_str_eq(e->kind, "payment");
	cr_assert_str_eq(e->ref, "P1");
	cr_assert_eq(e->seq, 3);
	assert_money(e->amount, "-150.00");
	assert_money(e->balance, "30.00");
	assert_money(e->credit, "0.00");
	cr_assert_eq(e->replayed, 0);
	cr_assert_str_eq(e->posted_by, "agent-jn");
	cr_assert_eq(e->posted_at, t->now);
	/* the September bill is older although it was posted second */
	cr_assert(strstr(e->json, "\"allocations\":[{\"amount\":\"100.00\",\"item_no\":\"B2609\"},"
	                          "{\"amount\":\"50.00\",\"item_no\":\"B2610\"}]"),
	          "%s", e->json);
	pcrm_ledger_entry_free(e);

	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("P2", "50"), &e));
	assert_money(e->balance, "-20.00");
	assert_money(e->credit, "20.00");
	pcrm_ledger_entry_free(e);
	assert_standing(t, "A1", "-20.00", "0.00", "20.00");
	cr_assert_eq(summary(t, "A1").entries, 4);

	/* the next bill consumes the credit */
	bill(t, "A1", "B2611", "2026-11", "2026-12-01", "2026-12-15", "60.00");
	assert_standing(t, "A1", "40.00", "40.00", "0.00");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_allocation WHERE item_no = 'B2611'"), 1);
}

PCRM_BACKEND_TEST(ledger, the_same_key_never_doubles_and_other_content_conflicts)
{
	pcrm_ledger_entry *a, *b;
	int64_t audits;
	setup(t);
	bill(t, "A1", "B1", "2026-10", "2026-11-01", "2026-11-15", "100.00");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K1", "40.00"), &a));
	audits = count(t, "SELECT COUNT(*) FROM audit_log");
	t->now += 3600;
	/* "40" is "40.00": the same request */
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K1", "40"), &b));
	cr_assert_eq(b->replayed, 1);
	cr_assert_eq(b->seq, a->seq);
	cr_assert_eq(b->posted_at, a->posted_at);
	cr_assert_str_eq(b->json, a->json);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log"), audits);
	assert_money(summary(t, "A1").balance, "60.00");
	pcrm_ledger_entry_free(a);
	pcrm_ledger_entry_free(b);

	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K1", "41.00"), NULL),
	                  PCRM_ECONFLICT, "idempotency_key: \"K1\" was already posted");
	/* the same key on another account is other content too */
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, "A2", payment("K1", "40.00"), NULL),
	                  PCRM_ECONFLICT, "K1");
	/* a bill posted again by a rerun billing run: nothing new */
	bill(t, "A1", "B1", "2026-10", "2026-11-01", "2026-11-15", "100");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, "A1",
	                                   doc("{\"kind\": \"bill\", \"bill_no\": \"B1\", \"period\": "
	                                       "\"2026-10\", \"issue_date\": \"2026-11-01\", "
	                                       "\"due_date\": \"2026-11-15\", \"amount\": \"99\"}"),
	                                   NULL),
	                  PCRM_ECONFLICT, "bill_no: \"B1\"");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 2);
	assert_money(summary(t, "A1").balance, "60.00");
}

PCRM_BACKEND_TEST(ledger, refunds_adjustments_and_voids)
{
	pcrm_ledger_entry *e;
	pcrm_ledger_list *l;
	setup(t);
	bill(t, "A1", "B1", "2026-09", "2026-10-01", "2026-10-15", "100.00");
	bill(t, "A1", "B2", "2026-10", "2026-11-01", "2026-11-15", "50.00");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("P1", "120.00"), NULL));
	/* B1 paid, B2 open 30.00; voiding B1 releases 100.00 to pay B2 and leave 70.00 credit */
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                doc("{\"kind\": \"void\", \"bill_no\": \"B1\", "
	                                    "\"credit_note_no\": \"CN1\", \"reason\": \"抄表错误\"}"),
	                                &e));
	assert_money(e->amount, "-100.00");
	assert_money(e->balance, "-70.00");
	assert_money(e->credit, "70.00");
	cr_assert(strstr(e->json, "\"released\":\"100.00\""), "%s", e->json);
	pcrm_ledger_entry_free(e);
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                   doc("{\"kind\": \"void\", \"bill_no\": \"B1\", "
	                                       "\"credit_note_no\": \"CN2\", \"reason\": \"again\"}"),
	                                   NULL),
	                  PCRM_ESTATE, "already void");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                   doc("{\"kind\": \"void\", \"bill_no\": \"B9\", "
	                                       "\"credit_note_no\": \"CN3\", \"reason\": \"x\"}"),
	                                   NULL),
	                  PCRM_ENOTFOUND, "bill_no");
	/* refund at most the credit */
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                   doc("{\"kind\": \"refund\", \"idempotency_key\": \"R1\", "
	                                       "\"amount\": \"70.01\", \"reason\": \"退费\"}"),
	                                   NULL),
	                  PCRM_ESTATE, "exceeds the credit 70.00");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                doc("{\"kind\": \"refund\", \"idempotency_key\": \"R1\", "
	                                    "\"amount\": \"20.00\", \"reason\": \"退费\"}"),
	                                NULL));
	/* a debit adjustment is an open item the credit pays at once */
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                doc("{\"kind\": \"adjustment\", \"idempotency_key\": \"J1\", "
	                                    "\"direction\": \"debit\", \"amount\": \"60.00\", "
	                                    "\"reason\": \"补收\", \"due_date\": \"2026-12-01\"}"),
	                                NULL));
	assert_standing(t, "A1", "10.00", "10.00", "0.00");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                doc("{\"kind\": \"adjustment\", \"idempotency_key\": \"J2\", "
	                                    "\"direction\": \"credit\", \"amount\": \"10.00\", "
	                                    "\"reason\": \"减免\"}"),
	                                NULL));
	assert_standing(t, "A1", "0.00", "0.00", "0.00");

	/* both the bill and its credit note stay in history */
	pcrm_assert_ok(pcrm_ledger_load(t->ctx, &city_agent, "A1", &l));
	cr_assert_eq(pcrm_ledger_list_count(l), 7);
	cr_assert_str_eq(pcrm_ledger_list_at(l, 0)->kind, "bill");
	cr_assert_str_eq(pcrm_ledger_list_at(l, 0)->ref, "B1");
	cr_assert_str_eq(pcrm_ledger_list_at(l, 3)->kind, "void");
	cr_assert_str_eq(pcrm_ledger_list_at(l, 3)->ref, "CN1");
	cr_assert_null(pcrm_ledger_list_at(l, 7));
	pcrm_ledger_list_free(l);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_item WHERE item_no = 'B1' "
	                      "AND status = 'void'"),
	             1);
}

PCRM_BACKEND_TEST(ledger, arrears_with_age_and_what_the_penalty_needs)
{
	pcrm_arrears *a;
	const pcrm_arrears_item *it;
	setup(t);
	bill(t, "A2", "S2512", "2025-12", "2026-01-05", "2026-01-20", "10000.00");
	bill(t, "A2", "S2511", "2025-11", "2025-12-05", "2025-12-20", "5000.00");
	bill(t, "A1", "Z2610", "2026-10", "2026-11-01", "2026-11-15", "100.00");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A2", payment("P1", "1000.00"), NULL));

	pcrm_assert_ok(pcrm_arrears_load(t->ctx, &city_agent, STEEL, NULL, day(2026, 1, 30), &a));
	cr_assert_eq(pcrm_arrears_count(a), 2);
	it = pcrm_arrears_at(a, 0);
	cr_assert_str_eq(it->item_no, "S2511");
	cr_assert_str_eq(it->kind, "bill");
	cr_assert_str_eq(it->period, "2025-11");
	assert_money(it->amount, "5000.00");
	assert_money(it->open_amount, "4000.00");
	cr_assert_eq(it->days_past_due, 41);
	cr_assert_eq(it->prior_year, 1);
	cr_assert_eq(it->residential, 0);
	cr_assert_str_eq(it->usage_class, "large_industry");
	cr_assert_eq(it->due_date.year, 2025);
	it = pcrm_arrears_at(a, 1);
	cr_assert_eq(it->days_past_due, 10);
	cr_assert_eq(it->prior_year, 0);
	assert_money(pcrm_arrears_total(a), "14000.00");
	cr_assert_null(pcrm_arrears_at(a, 2));
	pcrm_arrears_free(a);

	/* one account, not yet due */
	pcrm_assert_ok(pcrm_arrears_load(t->ctx, &city_agent, ZHANG, "A1", day(2026, 11, 10), &a));
	cr_assert_eq(pcrm_arrears_count(a), 1);
	cr_assert_eq(pcrm_arrears_at(a, 0)->days_past_due, 0);
	cr_assert_eq(pcrm_arrears_at(a, 0)->residential, 1);
	pcrm_arrears_free(a);
	pcrm_assert_fails(pcrm_arrears_load(t->ctx, &city_agent, ZHANG, "A2", day(2026, 11, 10), &a),
	                  PCRM_ENOTFOUND, "not an account of");
	pcrm_assert_fails(pcrm_arrears_load(t->ctx, &city_agent, ZHANG, NULL, day(2026, 2, 30), &a),
	                  PCRM_EINVAL, "as_of");
	pcrm_assert_fails(pcrm_arrears_load(t->ctx, &qingdao_agent, ZHANG, NULL, day(2026, 2, 3), &a),
	                  PCRM_EPERM, "outside");
	cr_assert_null(a);
}

PCRM_BACKEND_TEST(ledger, bad_input_names_the_field_and_writes_nothing)
{
	static const struct {
		const char *json;
		const char *needle;
	} cases[] = {
		{ "{\"kind\": \"gift\"}", "kind:" },
		{ "{\"amount\": \"1\"}", "kind: is required" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": 10, "
		  "\"channel\": \"counter\"}", "amount: must be a string" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"10.001\", "
		  "\"channel\": \"counter\"}", "amount: \"10.001\" has more than 2 decimals" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"-5\", "
		  "\"channel\": \"counter\"}", "amount: must be greater than 0" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"1e3\", "
		  "\"channel\": \"counter\"}", "amount: \"1e3\" is not a decimal" },
		/* found by fuzz_ledger_json: too many digits was PCRM_EOVERFLOW */
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", "
		  "\"amount\": \"60833333338.888888444444444\", \"channel\": \"counter\"}",
		  "amount: \"60833333338.888888444444444\" is not a decimal" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", "
		  "\"amount\": \"92233720368547759\", \"channel\": \"counter\"}",
		  "amount: \"92233720368547759\" is too large" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"5\", "
		  "\"channel\": \"cash\"}", "channel:" },
		{ "{\"kind\": \"payment\", \"amount\": \"5\", \"channel\": \"counter\"}",
		  "idempotency_key: is required" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K K\", \"amount\": \"5\", "
		  "\"channel\": \"counter\"}", "idempotency_key: byte 2" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"5\", "
		  "\"channel\": \"counter\", \"paid_at\": \"2099-01-01T00:00:00+08:00\"}",
		  "paid_at: lies in the future" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"5\", "
		  "\"channel\": \"bank\"}", "bank_code: is required" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", \"amount\": \"5\", "
		  "\"channel\": \"counter\", \"tip\": \"1\"}", "tip: unknown field" },
		{ "{\"kind\": \"bill\", \"bill_no\": \"B\", \"period\": \"2026-13\", "
		  "\"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"amount\": \"1\"}",
		  "period: must be YYYY-MM" },
		{ "{\"kind\": \"bill\", \"bill_no\": \"B\", \"period\": \"2026-10\", "
		  "\"issue_date\": \"2026-11-01\", \"due_date\": \"2026-10-15\", \"amount\": \"1\"}",
		  "due_date: lies before issue_date" },
		{ "{\"kind\": \"bill\", \"bill_no\": \"B\", \"period\": \"2026-10\", "
		  "\"issue_date\": \"2026-11-31\", \"due_date\": \"2026-12-15\", \"amount\": \"1\"}",
		  "issue_date:" },
		{ "{\"kind\": \"adjustment\", \"idempotency_key\": \"J\", \"direction\": \"credit\", "
		  "\"amount\": \"1\", \"reason\": \"x\", \"due_date\": \"2026-12-01\"}",
		  "due_date: only for debit" },
		{ "{\"kind\": \"refund\", \"idempotency_key\": \"R\", \"amount\": \"1\"}",
		  "reason: is required" },
		{ "[1]", "must be a JSON object" },
		{ "{\"kind\": \"payment\",", "invalid JSON" },
		/* too large for its scale: bad input (PCRM_EINVAL) as in bank statements */
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", "
		  "\"amount\": \"922337203685477580.7\", \"channel\": \"counter\"}",
		  "amount: \"922337203685477580.7\" is too large" },
		{ "{\"kind\": \"payment\", \"idempotency_key\": \"K\", "
		  "\"amount\": \"99999999999999999999\", \"channel\": \"counter\"}",
		  "amount: \"99999999999999999999\" is not a decimal amount" },
		{ "{\"kind\": \"refund\", \"idempotency_key\": \"R\", \"amount\": \"1\", "
		  "\"reason\": \"ok \\u202e\"}", "reason: invisible formatting character U+202E" },
		{ "{\"kind\": \"refund\", \"idempotency_key\": \"R\", \"amount\": \"1\", "
		  "\"reason\": \" \\u3000 \"}", "reason: is empty or only white space" },
	};
	setup(t);
	int64_t audits = count(t, "SELECT COUNT(*) FROM audit_log");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, "A1", cases[i].json, NULL),
		                  PCRM_EINVAL, cases[i].needle);
	/* a syntax error names line and column, never a piece of the document */
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, "A1",
	                                   "{\"kind\": \"refund\", \"reason\": Zhang San}", NULL),
	                  PCRM_EINVAL, "invalid JSON at line 1 column");
	cr_assert_null(strstr(pcrm_error_last(), "Zhang"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, "NOPE", payment("K", "1"), NULL),
	                  PCRM_EPERM, "account: unknown or outside");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &root_admin, NULL, payment("K", "1"), NULL),
	                  PCRM_EINVAL, "account_no: missing");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_account"), 0);
	/* only the refusal of the unknown account is audited */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log"), audits + 1);
}

PCRM_BACKEND_TEST(ledger, permissions_and_audit)
{
	setup(t);
	int64_t before = count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post'");
	bill(t, "A1", "B1", "2026-10", "2026-11-01", "2026-11-15", "100.00");
	/* an agent takes payments but neither bills nor adjusts */
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("P1", "10"), NULL));
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_agent, "A1",
	                                   doc("{\"kind\": \"bill\", \"bill_no\": \"B2\", \"period\": "
	                                       "\"2026-10\", \"issue_date\": \"2026-11-01\", "
	                                       "\"due_date\": \"2026-11-15\", \"amount\": \"1\"}"),
	                                   NULL),
	                  PCRM_EPERM, "billing.run");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &city_agent, "A1",
	                                   doc("{\"kind\": \"refund\", \"idempotency_key\": \"R\", "
	                                       "\"amount\": \"1\", \"reason\": \"x\"}"),
	                                   NULL),
	                  PCRM_EPERM, "ledger.adjust");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &monitor, "A1", payment("P2", "10"), NULL),
	                  PCRM_EPERM, "payment.post");
	pcrm_assert_fails(pcrm_ledger_post(t->ctx, &qingdao_agent, "A1", payment("P3", "10"), NULL),
	                  PCRM_EPERM, "outside");
	/* township stations take payments at their counters */
	pcrm_actor township_agent = { "agent-tw", PCRM_ROLE_AGENT, 1, "37010201" };
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &township_agent, "A1", payment("P4", "10"), NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post'"),
	             before + 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"),
	             4);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 3);
	int64_t bad = 0;
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, &bad));
}

/* A deterministic generator, so a failure replays. */
static uint64_t rng_state;
static unsigned int rnd(unsigned int n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)((rng_state >> 33) % n);
}

/* The balance is always the sum of the ledger, each entry's balance the running sum. */
static void check_invariants(pcrm_test_store *t, const char *account)
{
	pcrm_ledger_summary s = summary(t, account);
	pcrm_decimal sum = pcrm_decimal_make(0, 2), diff;
	pcrm_ledger_list *l;
	pcrm_assert_ok(pcrm_ledger_load(t->ctx, &root_admin, account, &l));
	cr_assert_eq((int64_t)pcrm_ledger_list_count(l), s.entries);
	for (size_t i = 0; i < pcrm_ledger_list_count(l); i++) {
		const pcrm_ledger_entry *e = pcrm_ledger_list_at(l, i);
		pcrm_assert_ok(pcrm_decimal_add(sum, e->amount, &sum));
		cr_assert_eq(pcrm_decimal_cmp(sum, e->balance), 0, "entry %lld", (long long)e->seq);
		cr_assert_eq(e->seq, (int64_t)i + 1);
	}
	pcrm_ledger_list_free(l);
	cr_assert_eq(pcrm_decimal_cmp(sum, s.balance), 0);
	pcrm_assert_ok(pcrm_decimal_sub(s.open, s.credit, &diff));
	cr_assert_eq(pcrm_decimal_cmp(diff, s.balance), 0);
	cr_assert_geq(pcrm_decimal_sign(s.open), 0);
	cr_assert_geq(pcrm_decimal_sign(s.credit), 0);
	cr_assert(pcrm_decimal_is_zero(s.open) || pcrm_decimal_is_zero(s.credit));
}

PCRM_BACKEND_TEST(ledger, balance_is_always_the_sum_of_the_ledger)
{
	int bills = 0;
	setup(t);
	rng_state = 20261123;
	for (int step = 0; step < 120; step++) {
		char amount[32], key[32];
		int rc;
		snprintf(amount, sizeof(amount), "%u.%02u", rnd(300), rnd(100) + (step % 7 == 0));
		snprintf(key, sizeof(key), "K%d", step);
		switch (rnd(6)) {
		case 0:
		case 1:
			bills++;
			snprintf(key, sizeof(key), "B%d", step);
			rc = pcrm_ledger_post(t->ctx, &root_admin, "A1",
			                      doc("{\"kind\": \"bill\", \"bill_no\": \"%s\", \"period\": "
			                          "\"2026-%02d\", \"issue_date\": \"2026-%02d-%02d\", "
			                          "\"due_date\": \"2026-%02d-28\", \"amount\": \"%s\"}",
			                          key, 1 + rnd(12), 1 + rnd(12), 1 + rnd(28),
			                          12, amount),
			                      NULL);
			break;
		case 2:
			rc = pcrm_ledger_post(t->ctx, &root_admin, "A1", payment(key, amount), NULL);
			break;
		case 3:
			rc = pcrm_ledger_post(t->ctx, &root_admin, "A1",
			                      doc("{\"kind\": \"refund\", \"idempotency_key\": \"%s\", "
			                          "\"amount\": \"%s\", \"reason\": \"r\"}",
			                          key, amount),
			                      NULL);
			break;
		case 4:
			rc = pcrm_ledger_post(t->ctx, &root_admin, "A1",
			                      doc("{\"kind\": \"adjustment\", \"idempotency_key\": \"%s\", "
			                          "\"direction\": \"%s\", \"amount\": \"%s\", "
			                          "\"reason\": \"r\"}",
			                          key, rnd(2) ? "debit" : "credit", amount),
			                      NULL);
			break;
		default:
			snprintf(amount, sizeof(amount), "B%u", bills ? rnd((unsigned)step + 1) : 0);
			rc = pcrm_ledger_post(t->ctx, &root_admin, "A1",
			                      doc("{\"kind\": \"void\", \"bill_no\": \"%s\", "
			                          "\"credit_note_no\": \"C%d\", \"reason\": \"r\"}",
			                          amount, step),
			                      NULL);
			break;
		}
		/* refusals (refund above the credit, a void of no bill, zero amounts) change nothing */
		cr_assert(rc == PCRM_OK || rc == PCRM_ESTATE || rc == PCRM_ENOTFOUND ||
		          rc == PCRM_EINVAL,
		          "step %d: %d %s", step, rc, pcrm_error_last());
		if (step % 10 == 9)
			check_invariants(t, "A1");
	}
	check_invariants(t, "A1");
	cr_assert_gt(count(t, "SELECT COUNT(*) FROM ledger_entry"), 60);
}

PCRM_BACKEND_TEST(ledger, dunning_lists_overdue_accounts_with_their_reminders)
{
	pcrm_dunning_list *l;
	const pcrm_dunning_item *it;
	setup(t);
	bill(t, "A1", "Z1", "2026-09", "2026-10-01", "2026-10-15", "100.00");
	bill(t, "A2", "S1", "2026-10", "2026-11-01", "2026-11-15", "5000.00");
	bill(t, "A3", "Q1", "2026-09", "2026-10-01", "2026-10-15", "70.00");
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A1",
	                                   "{\"channel\": \"sms\", \"at\": "
	                                   "\"2026-10-20T10:00:00+08:00\"}"));
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A1",
	                                   "{\"channel\": \"phone\", \"note\": \"客户答应周五缴费\"}"));
	/* a reminder before the bill fell due does not count for it */
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A2",
	                                   "{\"channel\": \"letter\", \"at\": "
	                                   "\"2026-11-02T10:00:00+08:00\"}"));
	pcrm_assert_fails(pcrm_dunning_remind(t->ctx, &city_agent, "A1", "{\"channel\": \"fax\"}"),
	                  PCRM_EINVAL, "channel:");
	pcrm_assert_fails(pcrm_dunning_remind(t->ctx, &monitor, "A1", "{\"channel\": \"sms\"}"),
	                  PCRM_EPERM, "contact.write");

	pcrm_assert_ok(pcrm_dunning_list_load(t->ctx, &city_agent, NULL, day(2026, 11, 23), 7, &l));
	cr_assert_eq(pcrm_dunning_list_count(l), 2); /* Qingdao's account is outside 3701 */
	it = pcrm_dunning_list_at(l, 0);
	cr_assert_str_eq(it->account_no, "A1");
	cr_assert_str_eq(it->customer_no, ZHANG);
	cr_assert_str_eq(it->org_unit, "37010201");
	cr_assert_eq(it->days_past_due, 39);
	cr_assert_eq(it->reminders, 2);
	cr_assert_eq(it->last_reminded_at, t->now);
	cr_assert_eq(it->open_items, 1);
	assert_money(it->arrears, "100.00");
	it = pcrm_dunning_list_at(l, 1);
	cr_assert_str_eq(it->account_no, "A2");
	cr_assert_eq(it->days_past_due, 8);
	cr_assert_eq(it->reminders, 0);
	pcrm_dunning_list_free(l);

	pcrm_assert_ok(pcrm_dunning_list_load(t->ctx, &city_agent, NULL, day(2026, 11, 23), 8, &l));
	cr_assert_eq(pcrm_dunning_list_count(l), 1);
	pcrm_dunning_list_free(l);
	pcrm_assert_ok(pcrm_dunning_list_load(t->ctx, &root_admin, NULL, day(2026, 11, 23), 30, &l));
	cr_assert_eq(pcrm_dunning_list_count(l), 2);
	pcrm_dunning_list_free(l);
	/* a paid account leaves the list */
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("P1", "100"), NULL));
	pcrm_assert_ok(pcrm_dunning_list_load(t->ctx, &city_agent, "370102", day(2026, 11, 23), 0, &l));
	cr_assert_eq(pcrm_dunning_list_count(l), 1);
	pcrm_dunning_list_free(l);
	pcrm_assert_fails(pcrm_dunning_list_load(t->ctx, &city_agent, NULL, day(2026, 11, 23), -1, &l),
	                  PCRM_EINVAL, "min_days");
}

static const char *bank_payment(const char *txn, const char *account, const char *amount,
                                const char *at)
{
	return doc("{\"bank_code\": \"ICBC\", \"transaction_id\": \"%s\", \"account_no\": \"%s\", "
	           "\"amount\": \"%s\", \"paid_at\": \"%s\"}",
	           txn, account, amount, at);
}

PCRM_BACKEND_TEST(ledger, bank_payments_are_idempotent_by_transaction_id)
{
	pcrm_ledger_entry *a, *b;
	setup(t);
	bill(t, "A1", "Z1", "2026-10", "2026-11-01", "2026-11-15", "100.00");
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T1", "A1", "100.00",
	                                                   "2026-11-23T08:00:00+08:00"),
	                                      &a));
	cr_assert_str_eq(a->ref, "T1");
	assert_money(a->balance, "0.00");
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T1", "A1", "100",
	                                                   "2026-11-23T08:00:00+08:00"),
	                                      &b));
	cr_assert(b->replayed);
	cr_assert_eq(a->seq, b->seq);
	pcrm_ledger_entry_free(a);
	pcrm_ledger_entry_free(b);
	pcrm_assert_fails(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                         bank_payment("T1", "A2", "100.00",
	                                                      "2026-11-23T08:00:00+08:00"),
	                                         NULL),
	                  PCRM_ECONFLICT, "transaction_id: \"T1\"");
	pcrm_assert_fails(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                         "{\"bank_code\": \"ICBC\", \"transaction_id\": \"T2\","
	                                         " \"account_no\": \"A1\", \"amount\": \"1\"}",
	                                         NULL),
	                  PCRM_EINVAL, "paid_at: is required");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 1);
}

/* The statuses of items 2 and 3 (T3, T4) of a reconciliation, then frees it. */
static void expect_t3_t4(pcrm_bank_reconciliation *r, const char *status)
{
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 2)->status, status);
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 3)->status, status);
	pcrm_bank_reconciliation_free(r);
}

static const char statement[] =
	"bank_statement,1,ICBC,2026-11-23,4,430.00\r\n"
	"T1,A1,100.00,08:00:00\r\n"
	"T2,A2,200.00,09:30:00\r\n"
	"T3,A1,30.00,10:00:00\r\n"
	"T4,A2,100,23:59:59\r\n";

/* The same day as the ledger has it (T2 at 199.00). */
static const char agreed[] =
	"bank_statement,1,ICBC,2026-11-23,4,429.00\r\n"
	"T1,A1,100.00,08:00:00\r\n"
	"T2,A2,199.00,09:30:00\r\n"
	"T3,A1,30.00,10:00:00\r\n"
	"T4,A2,100,23:59:59\r\n";

PCRM_BACKEND_TEST(ledger, reconciliation_finds_every_difference)
{
	pcrm_bank_reconciliation *r;
	const pcrm_bank_recon_item *it;
	setup(t);
	t->now += 86400; /* the day after the statement's */
	/* T1 matches, T2 is 199.00 on our side, T3 and T4 we lack, T9 the bank lacks */
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T1", "A1", "100.00",
	                                                   "2026-11-23T08:00:00+08:00"), NULL));
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T2", "A2", "199.00",
	                                                   "2026-11-23T09:30:00+08:00"), NULL));
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T9", "A1", "5.00",
	                                                   "2026-11-23T07:00:00+08:00"), NULL));
	/* another day and another bank are not this statement's business */
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T8", "A1", "5.00",
	                                                   "2026-11-22T23:59:59+08:00"), NULL));

	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, statement, strlen(statement), 0, &r));
	cr_assert_eq(pcrm_bank_reconciliation_count(r), 5);
	it = pcrm_bank_reconciliation_at(r, 0);
	cr_assert_str_eq(it->status, "matched");
	cr_assert_str_eq(it->transaction_id, "T1");
	cr_assert_eq(it->line, 2);
	it = pcrm_bank_reconciliation_at(r, 1);
	cr_assert_str_eq(it->status, "amount_mismatch");
	assert_money(it->bank_amount, "200.00");
	assert_money(it->ledger_amount, "199.00");
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 2)->transaction_id, "T3");
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 3)->status, "missing_ours");
	it = pcrm_bank_reconciliation_at(r, 4);
	cr_assert_str_eq(it->status, "missing_bank");
	cr_assert_str_eq(it->transaction_id, "T9");
	cr_assert_eq(it->line, 0);
	cr_assert_null(pcrm_bank_reconciliation_at(r, 5));
	expect_t3_t4(r, "missing_ours");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 4);

	/* posting a statement that disagrees with the ledger (T2) refuses it by line, posts nothing */
	r = (pcrm_bank_reconciliation *)1;
	pcrm_assert_fails(pcrm_bank_reconcile(t->ctx, &city_admin, statement, strlen(statement),
	                                      PCRM_BANK_RECONCILE_POST_MISSING, &r),
	                  PCRM_ECONFLICT,
	                  "line 3, transaction_id: \"T2\" is posted already with amount 199.00, not "
	                  "200.00; nothing of the statement was posted");
	cr_assert_null(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 4);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);

	/* posting what we lack: T3 and T4 become payments; a second run posts nothing more */
	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, agreed, strlen(agreed),
	                                   PCRM_BANK_RECONCILE_POST_MISSING, &r));
	expect_t3_t4(r, "posted");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 6);
	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, agreed, strlen(agreed),
	                                   PCRM_BANK_RECONCILE_POST_MISSING, &r));
	expect_t3_t4(r, "matched");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 6);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'bank.reconcile'"), 3);

	pcrm_assert_fails(pcrm_bank_reconcile(t->ctx, &city_agent, statement, strlen(statement), 0,
	                                      &r),
	                  PCRM_EPERM, "bank.reconcile");
}

/* Progress counts statement lines; a stop rolls the whole reconciliation back. */
PCRM_BACKEND_TEST(ledger, reconciliation_reports_progress_and_a_stop_posts_nothing)
{
	struct progress_probe p = { 0 };
	pcrm_bank_reconciliation *r = NULL;
	setup(t);
	t->now += 86400;
	p.stop_at = 1;
	pcrm_assert_fails(pcrm_bank_reconcile_ext(t->ctx, &city_admin, agreed, strlen(agreed),
	                                          PCRM_BANK_RECONCILE_POST_MISSING,
	                                          progress_probe_report, &p, &r),
	                  PCRM_ESTATE, "bank reconciliation stopped by the progress callback; "
	                               "statement lines matched so far: 4");
	cr_assert_null(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'bank.reconcile'"), 0);

	memset(&p, 0, sizeof(p));
	pcrm_assert_ok(pcrm_bank_reconcile_ext(t->ctx, &city_admin, agreed, strlen(agreed),
	                                       PCRM_BANK_RECONCILE_POST_MISSING,
	                                       progress_probe_report, &p, &r));
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.seen[0], 4);
	cr_assert_eq(pcrm_bank_reconciliation_count(r), 4);
	pcrm_bank_reconciliation_free(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 4);
}

PCRM_BACKEND_TEST(ledger, a_malformed_statement_names_line_and_field_and_posts_nothing)
{
	static const struct {
		const char *text;
		const char *needle;
	} cases[] = {
		{ "", "line 1: the file is empty" },
		{ "bank,1,ICBC,2026-11-23,0,0\n", "line 1, bank_statement:" },
		{ "bank_statement,2,ICBC,2026-11-23,0,0\n", "line 1, version:" },
		{ "bank_statement,1,IC-BC,2026-11-23,0,0\n", "line 1, bank_code:" },
		{ "bank_statement,1,ICBC,2026-02-30,0,0\n", "line 1, date:" },
		{ "bank_statement,1,ICBC,2026-11-23,x,0\n", "line 1, count:" },
		{ "bank_statement,1,ICBC,2026-11-23,1,5.00\nT1,A1,5.00,08:00:00,extra\n",
		  "line 2: expected 4 fields" },
		{ "bank_statement,1,ICBC,2026-11-23,2,10.00\nT1,A1,5.00,08:00:00\nT2,A1,5.0x,08:00:00\n",
		  "line 3, amount: \"5.0x\"" },
		{ "bank_statement,1,ICBC,2026-11-23,1,5.001\nT1,A1,5.001,08:00:00\n",
		  "line 1, amount:" },
		{ "bank_statement,1,ICBC,2026-11-23,1,5.00\nT1,A1,5.00,24:00:00\n", "line 2, time:" },
		{ "bank_statement,1,ICBC,2026-11-23,1,5.00\nT 1,A1,5.00,08:00:00\n",
		  "line 2, transaction_id:" },
		{ "bank_statement,1,ICBC,2026-11-23,1,5.00\nT1,,5.00,08:00:00\n", "line 2, account_no:" },
		{ "bank_statement,1,ICBC,2026-11-23,2,10.00\nT1,A1,5.00,08:00:00\nT1,A1,5.00,08:00:00\n",
		  "line 3, transaction_id: \"T1\" repeats line 2" },
		{ "bank_statement,1,ICBC,2026-11-23,3,10.00\nT1,A1,5.00,08:00:00\nT2,A1,5.00,08:00:00\n",
		  "line 1, count: the header says 3 lines, the file has 2" },
		{ "bank_statement,1,ICBC,2026-11-23,2,10.01\nT1,A1,5.00,08:00:00\nT2,A1,5.00,08:00:00\n",
		  "line 1, total: the header says 10.01, the lines add up to 10.00" },
		/* well formed, but line 3's account does not exist: posting it fails, nothing posts */
		{ "bank_statement,1,ICBC,2026-11-23,2,10.00\nT1,A1,5.00,08:00:00\nT2,NOPE,5.00,08:00:00\n",
		  "line 3: account: unknown or outside" },
	};
	pcrm_bank_reconciliation *r = NULL;
	setup(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = pcrm_bank_reconcile(t->ctx, &city_admin, cases[i].text, strlen(cases[i].text),
		                             PCRM_BANK_RECONCILE_POST_MISSING, &r);
		cr_assert_neq(rc, PCRM_OK, "case %zu", i);
		cr_assert(strstr(pcrm_error_last(), cases[i].needle), "case %zu: %s", i,
		          pcrm_error_last());
		cr_assert_null(r);
	}
	/* an amount too large for fen is PCRM_EINVAL here as in a posting document */
	pcrm_assert_fails(pcrm_bank_reconcile(t->ctx, &city_admin,
	                                      "bank_statement,1,ICBC,2026-11-23,1,1.00\n"
	                                      "T1,A1,922337203685477580.7,08:00:00\n",
	                                      strlen("bank_statement,1,ICBC,2026-11-23,1,1.00\n"
	                                             "T1,A1,922337203685477580.7,08:00:00\n"),
	                                      PCRM_BANK_RECONCILE_POST_MISSING, &r),
	                  PCRM_EINVAL, "line 2, amount: \"922337203685477580.7\" is too large");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'bank.reconcile'"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post'"), 0);
}

/* `lines` payments T001.. alternating A1 / A2; line `changed` (0: none) 1 fen more or elsewhere. */
static char *day_statement(int lines, int changed, const char *other_account)
{
	size_t cap = 64 + (size_t)lines * 64, len;
	char *text = malloc(cap);
	long fen = 0;
	cr_assert_not_null(text);
	for (int i = 1; i <= lines; i++)
		fen += 1000 + i + (i == changed && !other_account);
	len = (size_t)snprintf(text, cap, "bank_statement,1,ICBC,2026-11-23,%d,%ld.%02ld\n", lines,
	                       fen / 100, fen % 100);
	for (int i = 1; i <= lines; i++) {
		int amount = 1000 + i + (i == changed && !other_account);
		const char *account = i == changed && other_account ? other_account :
		                      i % 2                         ? "A1" :
		                                                      "A2";
		len += (size_t)snprintf(text + len, cap - len, "T%03d,%s,%d.%02d,08:%02d:00\n", i,
		                        account, amount / 100, amount % 100, i % 60);
	}
	return text;
}

static int64_t statuses(pcrm_bank_reconciliation *r, const char *status)
{
	int64_t n = 0;
	for (size_t i = 0; i < pcrm_bank_reconciliation_count(r); i++)
		n += strcmp(pcrm_bank_reconciliation_at(r, i)->status, status) == 0;
	return n;
}

PCRM_BACKEND_TEST(ledger, a_statement_posted_in_part_is_finished_by_a_rerun)
{
	char *part = day_statement(7, 0, NULL), *all = day_statement(20, 0, NULL), *changed;
	pcrm_bank_reconciliation *r = NULL;
	int64_t entries;
	setup(t);
	t->now += 86400;
	/* as left by a statement posting stopped after line 8 (7 payments, header on line 1) */
	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, part, strlen(part),
	                                   PCRM_BANK_RECONCILE_POST_MISSING, &r));
	cr_assert_eq(statuses(r, "posted"), 7);
	pcrm_bank_reconciliation_free(r);
	/* and one the bank's gateway posted on its own */
	pcrm_assert_ok(pcrm_bank_payment_post(t->ctx, &bank_gateway,
	                                      bank_payment("T012", "A2", "10.12",
	                                                   "2026-11-23T08:12:00+08:00"), NULL));

	/* the whole statement: the 8 there are matched (reported, not posted again), 12 posted */
	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, all, strlen(all),
	                                   PCRM_BANK_RECONCILE_POST_MISSING, &r));
	cr_assert_eq(pcrm_bank_reconciliation_count(r), 20);
	cr_assert_eq(statuses(r, "matched"), 8);
	cr_assert_eq(statuses(r, "posted"), 12);
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 11)->status, "matched");
	cr_assert_eq(pcrm_bank_reconciliation_at(r, 11)->line, 13);
	pcrm_bank_reconciliation_free(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 20);
	cr_assert_eq(count(t, "SELECT COUNT(DISTINCT bank_txn_id) FROM ledger_payment"), 20);
	entries = count(t, "SELECT COUNT(*) FROM ledger_entry");

	/* line 6 (T005) one fen off, or to another account: refused by line, nothing posted */
	changed = day_statement(20, 5, NULL);
	pcrm_assert_fails(pcrm_bank_reconcile(t->ctx, &city_admin, changed, strlen(changed),
	                                      PCRM_BANK_RECONCILE_POST_MISSING, &r),
	                  PCRM_ECONFLICT, "line 6, transaction_id: \"T005\" is posted already with "
	                                  "amount 10.05, not 10.06");
	free(changed);
	changed = day_statement(20, 5, "A2");
	pcrm_assert_fails(pcrm_bank_reconcile(t->ctx, &city_admin, changed, strlen(changed),
	                                      PCRM_BANK_RECONCILE_POST_MISSING, &r),
	                  PCRM_ECONFLICT, "line 6, transaction_id: \"T005\" is posted already to "
	                                  "account \"A1\", not \"A2\"");
	/* without posting, the same statement is reconciled and the line reported */
	pcrm_assert_ok(pcrm_bank_reconcile(t->ctx, &city_admin, changed, strlen(changed), 0, &r));
	cr_assert_str_eq(pcrm_bank_reconciliation_at(r, 4)->status, "amount_mismatch");
	pcrm_bank_reconciliation_free(r);
	free(changed);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), entries);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 20);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, &entries, NULL));
	free(part);
	free(all);
}

struct poster {
	pcrm_test_store *t;
	int id;
	int fresh, replayed, failures;
};

/* Posts 25 shared keys (both threads, same content) and 25 keys of its own to A1. */
static void *post_many(void *arg)
{
	struct poster *p = arg;
	pcrm_ctx *ctx = pcrm_test_open_again(p->t);
	for (int i = 0; i < 50; i++) {
		char key[32], json[256];
		pcrm_ledger_entry *e = NULL;
		int rc;
		if (i % 2)
			snprintf(key, sizeof(key), "S%d", i);
		else
			snprintf(key, sizeof(key), "T%d-%d", p->id, i);
		snprintf(json, sizeof(json),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"%s\", \"amount\": "
		         "\"1.%02d\", \"channel\": \"online\"}",
		         key, i);
		do {
			rc = pcrm_ledger_post(ctx, &city_agent, "A1", json, &e);
		} while (rc == PCRM_ERETRY);
		if (rc != PCRM_OK)
			p->failures++;
		else if (e->replayed)
			p->replayed++;
		else
			p->fresh++;
		pcrm_ledger_entry_free(e);
	}
	pcrm_ctx_close(ctx);
	return NULL;
}

/* Two connections posting at once: no key doubles, every payment counts once. */
static void concurrent_postings(pcrm_test_store *t)
{
	pthread_t th[2];
	struct poster p[2] = { { t, 0, 0, 0, 0 }, { t, 1, 0, 0, 0 } };
	setup(t);
	bill(t, "A1", "B1", "2026-10", "2026-11-01", "2026-11-15", "30.00");
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, post_many, &p[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(p[0].failures + p[1].failures, 0, "%s", pcrm_error_last());
	cr_assert_eq(p[0].fresh + p[1].fresh, 75);
	cr_assert_eq(p[0].replayed + p[1].replayed, 25);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 75);
	check_invariants(t, "A1");
}

Test(ledger_pg, concurrent_postings_never_double, .timeout = 120)
{
	pcrm_test_run_pg(concurrent_postings);
}

/*
 * A caller-allocated output struct carries the layout the caller was compiled
 * with (docs/abi.md): a struct nobody initialised (version 0) or from a newer
 * header is refused before anything is read or written.
 */
PCRM_BACKEND_TEST(ledger, summary_refuses_an_output_struct_without_a_known_version)
{
	setup(t);
	bill(t, "A1", "B2610", "2026-10", "2026-11-01", "2026-11-15", "80.00");
	const unsigned int bad[] = { 0, PCRM_LEDGER_SUMMARY_VERSION + 1 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
		s.version = bad[i];
		s.entries = -7;
		int rc = pcrm_ledger_summary_load(t->ctx, &root_admin, "A1", &s);
		cr_assert_eq(rc, PCRM_EINVAL, "version %u: %d (%s)", bad[i], rc, pcrm_error_last());
		cr_assert(strstr(pcrm_error_last(), "out.version") != NULL, "%s", pcrm_error_last());
		cr_assert(strstr(pcrm_error_last(), "PCRM_LEDGER_SUMMARY_INIT") != NULL, "%s",
		          pcrm_error_last());
		cr_assert_eq(s.entries, -7, "nothing written");
		cr_assert_eq(s.version, bad[i]);
	}
	pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A1", &s));
	cr_assert_eq(s.version, PCRM_LEDGER_SUMMARY_VERSION);
	cr_assert_eq(s.entries, 1);
	assert_money(s.balance, "80.00");
}
