/*
 * The audit summary of a batch posting: one entry for the batch, listing
 * what every single posting's entry would have said (docs/conventions.md,
 * "Audit").  A month's posting lists every bill, so the summary was built
 * as thousands of small jansson objects and dumped with sorted keys, a
 * fifth of a posting's client time.  It is written here straight into one
 * buffer, byte for byte as json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes
 * the same objects, when every string is printable ASCII without a quote
 * or backslash (codes and keys are); otherwise jansson writes it, as
 * before.  A test compares the two (tests/ledger/test_ledger_bill_request.c).
 * The keys are declared with the checker's (audit/bulk_posting.h).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/bulk_posting.h"
#include "core/error.h"
#include "core/text.h"
#include "ledger_internal.h"

static char *summary_json(const struct pcrm__ledger_batch_line *lines, size_t n, int64_t count,
                          const char *rows_hex)
{
	json_t *entries = json_array(), *summary;
	char *text;

	if (!entries)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct pcrm__ledger_batch_line *l = &lines[i];
		char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
		pcrm__money_text(l->amount, a);
		pcrm__money_text(l->balance, b);
		pcrm__money_text(l->credit, c);
		if (json_array_append_new(entries,
		                          json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}",
		                                    PCRM__BULK_LINE_ACCOUNT, l->account_no,
		                                    PCRM__BULK_LINE_CUSTOMER, l->customer_no,
		                                    PCRM__BULK_LINE_SEQ, (json_int_t)l->seq,
		                                    PCRM__BULK_LINE_REF, l->ref, PCRM__BULK_LINE_AMOUNT,
		                                    a, PCRM__BULK_LINE_BALANCE, b,
		                                    PCRM__BULK_LINE_CREDIT, c)) != 0) {
			json_decref(entries);
			return NULL;
		}
	}
	summary = json_pack("{s:s, s:I, s:o, s:s}", PCRM__BULK_POSTING_KIND, "bill",
	                    PCRM__BULK_POSTING_COUNT, (json_int_t)count, PCRM__BULK_POSTING_ENTRIES,
	                    entries, PCRM__BULK_POSTING_ROWS, rows_hex);
	if (!summary)
		return NULL;
	text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(summary);
	return text;
}

static char *put(char *at, const char *s, size_t n)
{
	memcpy(at, s, n);
	return at + n;
}

#define PUT_LIT(at, s) ((at) = put((at), (s), sizeof(s) - 1))
#define PUT_STR(at, s) ((at) = put((at), (s), strlen(s)))

/* A decimal as a JSON string, as pcrm__money_text() writes it; NULL when it cannot. */
static char *put_money(char *at, pcrm_decimal v)
{
	size_t n;
	*at++ = '"';
	if (!(n = pcrm__decimal_digits(v, at)))
		return NULL;
	at += n;
	*at++ = '"';
	return at;
}

/* Upper bound of one line's text. */
static size_t line_size(const struct pcrm__ledger_batch_line *l)
{
	return strlen(l->account_no) + strlen(l->customer_no) + strlen(l->ref) +
	       3 * (PCRM_DECIMAL_STRING_MAX + 2) + PCRM__INT_TEXT_MAX + 96;
}

char *pcrm__ledger_batch_summary(const struct pcrm__ledger_batch_line *lines, size_t n,
                                 int64_t count, const char *rows_hex)
{
	char number[PCRM__INT_TEXT_MAX], *text, *at;
	size_t size = 96 + PCRM__INT_TEXT_MAX + strlen(rows_hex);

	for (size_t i = 0; i < n; i++) {
		if (!pcrm__ledger_json_plain(lines[i].account_no) ||
		    !pcrm__ledger_json_plain(lines[i].customer_no) ||
		    !pcrm__ledger_json_plain(lines[i].ref))
			return summary_json(lines, n, count, rows_hex);
		size += line_size(&lines[i]);
	}
	if (!pcrm__ledger_json_plain(rows_hex))
		return summary_json(lines, n, count, rows_hex);
	if (!(text = malloc(size)))
		return NULL;
	at = text;
	/* the keys in byte order, as JSON_SORT_KEYS writes them */
	PUT_LIT(at, "{\"" PCRM__BULK_POSTING_COUNT "\":");
	at = put(at, number, pcrm__int_text(count, number));
	PUT_LIT(at, ",\"" PCRM__BULK_POSTING_ENTRIES "\":[");
	for (size_t i = 0; i < n && at; i++) {
		const struct pcrm__ledger_batch_line *l = &lines[i];
		if (i > 0)
			PUT_LIT(at, ",");
		PUT_LIT(at, "{\"" PCRM__BULK_LINE_ACCOUNT "\":\"");
		PUT_STR(at, l->account_no);
		PUT_LIT(at, "\",\"" PCRM__BULK_LINE_AMOUNT "\":");
		if (!(at = put_money(at, l->amount)))
			break;
		PUT_LIT(at, ",\"" PCRM__BULK_LINE_BALANCE "\":");
		if (!(at = put_money(at, l->balance)))
			break;
		PUT_LIT(at, ",\"" PCRM__BULK_LINE_CREDIT "\":");
		if (!(at = put_money(at, l->credit)))
			break;
		PUT_LIT(at, ",\"" PCRM__BULK_LINE_CUSTOMER "\":\"");
		PUT_STR(at, l->customer_no);
		PUT_LIT(at, "\",\"" PCRM__BULK_LINE_REF "\":\"");
		PUT_STR(at, l->ref);
		PUT_LIT(at, "\",\"" PCRM__BULK_LINE_SEQ "\":");
		at = put(at, number, pcrm__int_text(l->seq, number));
		PUT_LIT(at, "}");
	}
	if (!at) { /* a decimal pcrm__money_text() writes as "?": jansson writes that too */
		free(text);
		return summary_json(lines, n, count, rows_hex);
	}
	PUT_LIT(at, "],\"" PCRM__BULK_POSTING_KIND "\":\"bill\",\"" PCRM__BULK_POSTING_ROWS "\":\"");
	PUT_STR(at, rows_hex);
	PUT_LIT(at, "\"}");
	*at = '\0';
	return text;
}
