/*
 * A bill's posting request written from its fields (lib/ledger/
 * ledger_bill_request.c) and a batch posting's audit summary written
 * straight into a buffer (ledger_batch_summary.c) give, byte for byte, what
 * the jansson way gives for the same input: the same stored texts, the same
 * checked request, the same errors.  No store involved.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <powercrm.h>

#include "ledger/ledger_internal.h"

static pcrm_decimal dec(const char *text)
{
	pcrm_decimal d;
	cr_assert_eq(pcrm_decimal_parse(text, &d), PCRM_OK, "%s", text);
	return d;
}

static struct pcrm__ledger_bill bill(const char *account_no, const char *bill_no,
                                     const char *period, pcrm_date issue, pcrm_date due,
                                     const char *amount)
{
	struct pcrm__ledger_bill b;
	memset(&b, 0, sizeof(b));
	b.customer_no = "C1";
	b.account_no = account_no;
	b.usage_class = "residential";
	b.bill_no = bill_no;
	b.period = period;
	b.issue_date = issue;
	b.due_date = due;
	b.amount = dec(amount);
	return b;
}

static const pcrm_date NOV1 = { 2026, 11, 1 }, NOV15 = { 2026, 11, 15 };

/* The jansson way, as ledger_batch.c posted a bill before: check, then dump twice. */
struct doc_way {
	int rc;
	char error[512];
	struct pcrm__ledger_request req;
	json_t *doc;
	char *request, *stored_doc;
};

static void doc_way(const struct pcrm__ledger_bill *b, struct doc_way *w)
{
	memset(w, 0, sizeof(*w));
	w->doc = pcrm__ledger_bill_doc(b);
	cr_assert_not_null(w->doc);
	w->rc = pcrm__ledger_request_check(w->doc, &w->req);
	snprintf(w->error, sizeof(w->error), "%s", w->rc ? pcrm_error_last() : "");
	if (w->rc != PCRM_OK)
		return;
	w->request = pcrm__ledger_request_text(w->doc, b->account_no);
	cr_assert_eq(json_object_set_new(w->doc, "allocations", json_array()), 0);
	w->stored_doc = json_dumps(w->doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_object_del(w->doc, "allocations");
	cr_assert(w->request && w->stored_doc);
}

static void doc_way_free(struct doc_way *w)
{
	free(w->request);
	free(w->stored_doc);
	json_decref(w->doc);
}

/*
 * Both ways on the same bill: same result, texts and request; returns
 * whether it was accepted.  *direct: whether the texts were written without
 * the document (so the comparison compared two ways, not one with itself).
 */
static int assert_same_way(const struct pcrm__ledger_bill *b, int *direct)
{
	struct doc_way w;
	struct pcrm__ledger_bill_request r;
	int rc;

	doc_way(b, &w);
	rc = pcrm__ledger_bill_prepare(b, &r);
	*direct = r.doc_json == NULL;
	cr_assert_eq(rc, w.rc, "bill %s: %d, the document way %d (%s)", b->bill_no, rc, w.rc,
	             w.error);
	if (rc != PCRM_OK) {
		cr_assert_str_eq(pcrm_error_last(), w.error);
	} else {
		cr_assert_str_eq(r.request, w.request);
		cr_assert_str_eq(r.doc, w.stored_doc);
		cr_assert_str_eq(r.req.kind, w.req.kind);
		cr_assert_str_eq(r.req.key, w.req.key);
		cr_assert_str_eq(r.req.ref, w.req.ref);
		cr_assert_str_eq(r.req.bill_no, w.req.bill_no);
		cr_assert_str_eq(r.req.period, w.req.period);
		cr_assert_eq(pcrm_decimal_cmp(r.req.amount, w.req.amount), 0);
		cr_assert_eq(r.req.amount.scale, w.req.amount.scale);
		cr_assert_eq(r.req.issue_day, w.req.issue_day);
		cr_assert_eq(r.req.due_day, w.req.due_day);
		cr_assert_eq(r.req.debit, w.req.debit);
		cr_assert_eq(r.req.has_at, w.req.has_at);
	}
	pcrm__ledger_bill_request_clear(&r);
	doc_way_free(&w);
	return rc == PCRM_OK;
}

static int assert_same(const struct pcrm__ledger_bill *b)
{
	int direct;
	return assert_same_way(b, &direct);
}

/* Accepted, and written without the document. */
static void assert_direct(const struct pcrm__ledger_bill *b)
{
	int direct;
	cr_assert(assert_same_way(b, &direct), "%s", b->bill_no);
	cr_assert(direct, "bill %s went the document way", b->bill_no);
}

Test(ledger_bill_request, texts_are_those_of_the_document_way)
{
	static const char *const amounts[] = { "123.45", "0.01", "7", "7.5", "100.10",
		                               "92233720368547758.07", "1000000" };
	static const char *const accounts[] = { "A00000042", "acct-1_2.3", "A\"quote", "A\\back",
		                                "账户7", "A\ttab", "A/slash", "" };
	struct pcrm__ledger_bill b;

	for (size_t i = 0; i < sizeof(amounts) / sizeof(*amounts); i++) {
		b = bill("A00000042", "B2026100000042", "2026-10", NOV1, NOV15, amounts[i]);
		assert_direct(&b);
	}
	/* an account number jansson escapes or keeps as UTF-8 goes the document way */
	for (size_t i = 0; i < sizeof(accounts) / sizeof(*accounts); i++) {
		int direct;
		b = bill(accounts[i], "B-1.x_Y", "2026-10", NOV1, NOV15, "5.00");
		cr_assert(assert_same_way(&b, &direct), "%s", accounts[i]);
		cr_assert_eq(direct, pcrm__ledger_json_plain(accounts[i]), "%s", accounts[i]);
	}
	/* the first and last months and days a date can have; due on the issue day */
	b = bill("A1", "B1", "0001-01", (pcrm_date){ 1, 1, 1 }, (pcrm_date){ 9999, 12, 31 }, "1");
	assert_direct(&b);
	b = bill("A1", "B1", "9999-12", NOV1, NOV1, "1");
	assert_direct(&b);
	b = bill("A1", "B1", "2028-02", (pcrm_date){ 2028, 2, 29 }, (pcrm_date){ 2028, 3, 1 }, "1");
	assert_direct(&b);
}

Test(ledger_bill_request, refusals_are_those_of_the_document_way)
{
	static const char *const bad_amounts[] = { "0", "0.00", "-5.00", "1.005",
		                                   "92233720368547758.07" /* at scale 1 below */ };
	static const char *const bad_bill_nos[] = { "", "B 1", "B\"1", "账单", "B/1",
		                                    /* 65 characters: one past the longest key */
		                                    "B12345678901234567890123456789012345678901234567890"
		                                    "12345678901234" };
	static const char *const bad_periods[] = { "2026-13", "2026-00", "0000-10", "2026-1",
		                                   "2026/10", "202610", "2026-10-01", "" };
	struct pcrm__ledger_bill b;

	for (size_t i = 0; i < sizeof(bad_amounts) / sizeof(*bad_amounts); i++) {
		b = bill("A1", "B1", "2026-10", NOV1, NOV15, bad_amounts[i]);
		if (i == 4)
			b.amount = pcrm_decimal_make(INT64_MAX, 1); /* too large at two decimals */
		cr_assert_not(assert_same(&b), "%s", bad_amounts[i]);
	}
	for (size_t i = 0; i < sizeof(bad_bill_nos) / sizeof(*bad_bill_nos); i++) {
		b = bill("A1", bad_bill_nos[i], "2026-10", NOV1, NOV15, "1");
		cr_assert_not(assert_same(&b), "%s", bad_bill_nos[i]);
	}
	for (size_t i = 0; i < sizeof(bad_periods) / sizeof(*bad_periods); i++) {
		b = bill("A1", "B1", bad_periods[i], NOV1, NOV15, "1");
		cr_assert_not(assert_same(&b), "%s", bad_periods[i]);
	}
	/* due before issue; dates that do not exist */
	b = bill("A1", "B1", "2026-10", NOV15, NOV1, "1");
	cr_assert_not(assert_same(&b));
	b = bill("A1", "B1", "2026-10", (pcrm_date){ 2026, 2, 30 }, NOV15, "1");
	cr_assert_not(assert_same(&b));
	b = bill("A1", "B1", "2026-10", NOV1, (pcrm_date){ 2026, 11, 31 }, "1");
	cr_assert_not(assert_same(&b));
	b = bill("A1", "B1", "2026-10", (pcrm_date){ 0, 1, 1 }, NOV15, "1");
	cr_assert_not(assert_same(&b));
}

/* The summary as ledger_batch.c built it before: one jansson object per entry, dumped sorted. */
static char *summary_by_jansson(const struct pcrm__ledger_batch_line *lines, size_t n,
                                int64_t count, const char *rows_hex)
{
	json_t *entries = json_array(), *summary;
	char *text;
	for (size_t i = 0; i < n; i++) {
		char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
		pcrm__money_text(lines[i].amount, a);
		pcrm__money_text(lines[i].balance, b);
		pcrm__money_text(lines[i].credit, c);
		cr_assert_eq(json_array_append_new(
		                     entries, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}",
		                                        "account_no", lines[i].account_no, "customer_no",
		                                        lines[i].customer_no, "seq",
		                                        (json_int_t)lines[i].seq, "ref", lines[i].ref,
		                                        "amount", a, "balance", b, "credit", c)),
		             0);
	}
	summary = json_pack("{s:s, s:I, s:o, s:s}", "kind", "bill", "count", (json_int_t)count,
	                    "entries", entries, "rows_sha256", rows_hex);
	text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(summary);
	return text;
}

static void assert_summary_same(const struct pcrm__ledger_batch_line *lines, size_t n,
                                int64_t count)
{
	static const char rows_hex[] =
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	char *direct = pcrm__ledger_batch_summary(lines, n, count, rows_hex);
	char *expected = summary_by_jansson(lines, n, count, rows_hex);
	cr_assert_not_null(direct);
	cr_assert_str_eq(direct, expected);
	free(direct);
	free(expected);
}

Test(ledger_bill_request, batch_summary_is_written_as_jansson_writes_it)
{
	struct pcrm__ledger_batch_line lines[4] = {
		{ "A00000001", "C00000001", "B2026100000001", 1, { 12345, 2 }, { 12345, 2 }, { 0, 2 } },
		{ "A00000002", "C00000002", "B2026100000002", INT64_MAX, { 1, 2 }, { -250, 2 },
		  { 99999, 2 } },
		{ "acct-1_2.3", "cust.9", "B-1.x_Y", 17, { 100, 0 }, { 5, 1 }, { 0, 0 } },
		{ "A4", "C4", "B4", 2, { INT64_MAX, 2 }, { INT64_MIN + 1, 2 }, { 0, 2 } },
	};

	assert_summary_same(lines, 4, 4);
	assert_summary_same(lines, 1, 1);
	assert_summary_same(lines, 0, 0);
	assert_summary_same(lines, 2, 5); /* count also covers entries listed elsewhere */
	/* strings jansson escapes or keeps as UTF-8: written by jansson, the same bytes */
	lines[2].customer_no = "C\"q\\u";
	assert_summary_same(lines, 4, 4);
	lines[2].customer_no = "客户";
	assert_summary_same(lines, 4, 4);
	lines[2].customer_no = "C2";
	lines[0].ref = "B\n1";
	assert_summary_same(lines, 4, 4);
	/* a decimal pcrm__money_text() cannot write ("?") */
	lines[0].ref = "B1";
	lines[1].balance = pcrm_decimal_make(1, 40);
	assert_summary_same(lines, 4, 4);
}
