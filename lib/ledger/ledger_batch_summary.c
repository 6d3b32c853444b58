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
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "ledger_internal.h"

static char *summary_json(const struct pcrm__ledger_batch_line *lines, size_t n, int64_t count)
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
		                          json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "account_no",
		                                    l->account_no, "customer_no", l->customer_no, "seq",
		                                    (json_int_t)l->seq, "ref", l->ref, "amount", a,
		                                    "balance", b, "credit", c)) != 0) {
			json_decref(entries);
			return NULL;
		}
	}
	summary = json_pack("{s:s, s:I, s:o}", "kind", "bill", "count", (json_int_t)count, "entries",
	                    entries);
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
                                 int64_t count)
{
	char number[PCRM__INT_TEXT_MAX], *text, *at;
	size_t size = 64 + PCRM__INT_TEXT_MAX;

	for (size_t i = 0; i < n; i++) {
		if (!pcrm__ledger_json_plain(lines[i].account_no) ||
		    !pcrm__ledger_json_plain(lines[i].customer_no) ||
		    !pcrm__ledger_json_plain(lines[i].ref))
			return summary_json(lines, n, count);
		size += line_size(&lines[i]);
	}
	if (!(text = malloc(size)))
		return NULL;
	at = text;
	PUT_LIT(at, "{\"count\":");
	at = put(at, number, pcrm__int_text(count, number));
	PUT_LIT(at, ",\"entries\":[");
	for (size_t i = 0; i < n && at; i++) {
		const struct pcrm__ledger_batch_line *l = &lines[i];
		if (i > 0)
			PUT_LIT(at, ",");
		PUT_LIT(at, "{\"account_no\":\"");
		PUT_STR(at, l->account_no);
		PUT_LIT(at, "\",\"amount\":");
		if (!(at = put_money(at, l->amount)))
			break;
		PUT_LIT(at, ",\"balance\":");
		if (!(at = put_money(at, l->balance)))
			break;
		PUT_LIT(at, ",\"credit\":");
		if (!(at = put_money(at, l->credit)))
			break;
		PUT_LIT(at, ",\"customer_no\":\"");
		PUT_STR(at, l->customer_no);
		PUT_LIT(at, "\",\"ref\":\"");
		PUT_STR(at, l->ref);
		PUT_LIT(at, "\",\"seq\":");
		at = put(at, number, pcrm__int_text(l->seq, number));
		PUT_LIT(at, "}");
	}
	if (!at) { /* a decimal pcrm__money_text() writes as "?": jansson writes that too */
		free(text);
		return summary_json(lines, n, count);
	}
	PUT_LIT(at, "],\"kind\":\"bill\"}");
	*at = '\0';
	return text;
}
