/*
 * A bill's posting request, from its fields instead of a JSON document.
 *
 * The batch posting (ledger_batch.c) posts tens of thousands of bills a
 * month.  Building each request as a jansson tree, checking it field by
 * field (pcrm__ledger_request_check()) and dumping it twice for the entry's
 * `request` and `doc` columns cost about 11 us a bill, most of a posting's
 * client time.  A bill's request has six fields the library made itself
 * (bill number, month, two dates, amount), so the checks and the two texts
 * are written here straight from the fields, byte for byte as the document
 * path gives them: keys in byte order, compact, nothing to escape, because
 * a field goes this way only when every byte of it is one jansson writes
 * as is (the codes' letters, digits, "-", "_", "."; printable ASCII for the
 * account number).  Anything else (a field the checks would refuse, an
 * account number with a quote or a non-ASCII byte) goes the document way,
 * which gives the same texts and the same errors as before.  A test
 * compares the two ways on the same fields (tests/ledger/test_ledger_bill_request.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "ledger_internal.h"

/* "YYYY-MM-DD", as a bill's request has always written a date ("%04d-%02d-%02d") */
static void date_text(pcrm_date d, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
}

json_t *pcrm__ledger_bill_doc(const struct pcrm__ledger_bill *b)
{
	char total[PCRM_DECIMAL_STRING_MAX], issue[16], due[16];
	pcrm_decimal_format(b->amount, total, sizeof(total));
	date_text(b->issue_date, issue);
	date_text(b->due_date, due);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "bill", "bill_no", b->bill_no,
	                 "period", b->period, "issue_date", issue, "due_date", due, "amount", total);
}

/* A key as check_key() in ledger_doc.c accepts it: 1..KEY_MAX of letters, digits, - _ . */
static int is_key(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return n >= 1 && n <= PCRM__LEDGER_KEY_MAX;
}

int pcrm__ledger_json_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* "YYYY-MM" of a month 0001-01 .. 9999-12: what check_period() accepts. */
static int is_period(const char *s)
{
	int year, month;
	for (int i = 0; i < 7; i++)
		if (i == 4 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	month = (s[5] - '0') * 10 + (s[6] - '0');
	return s[7] == '\0' && year >= 1 && month >= 1 && month <= 12;
}

/* A date whose "%04d-%02d-%02d" pcrm_date_parse() reads back as itself. */
static int is_date(pcrm_date d)
{
	return d.year >= 1 && d.year <= 9999 && pcrm_date_to_days(d) != INT64_MIN;
}

/*
 * The checks of pcrm__ledger_request_check() on a bill's fields, when they
 * all pass: the request filled as it fills it (strings borrowed from `b`).
 * 0 when the document way must decide (it refuses, or a byte needs care).
 */
static int check_fast(const struct pcrm__ledger_bill *b, struct pcrm__ledger_request *req)
{
	pcrm_decimal amount = b->amount;

	if (!b->bill_no || !b->period || !b->account_no || !is_key(b->bill_no) ||
	    !is_period(b->period) || !pcrm__ledger_json_plain(b->account_no) || !is_date(b->issue_date) ||
	    !is_date(b->due_date))
		return 0;
	/* pcrm__money_parse(): above zero, at most two decimals, brought to two */
	if (pcrm_decimal_sign(amount) <= 0 || amount.scale < 0 || amount.scale > 2 ||
	    pcrm_decimal_round(amount, 2, PCRM_ROUND_HALF_UP, &amount) != PCRM_OK)
		return 0;
	memset(req, 0, sizeof(*req));
	req->kind = "bill";
	req->bill_no = req->ref = b->bill_no;
	req->period = b->period;
	req->amount = amount;
	req->issue_day = pcrm_date_to_days(b->issue_date);
	req->due_day = pcrm_date_to_days(b->due_date);
	if (req->due_day < req->issue_day)
		return 0;
	snprintf(req->key, sizeof(req->key), "bill/%s", b->bill_no);
	return 1;
}

/* Appends a literal or a string that needs no escape. */
static char *put(char *at, const char *s, size_t n)
{
	memcpy(at, s, n);
	return at + n;
}

#define PUT_LIT(at, s) ((at) = put((at), (s), sizeof(s) - 1))
#define PUT_STR(at, s) ((at) = put((at), (s), strlen(s)))

/*
 * {"<first>",...,"amount":"A","bill_no":"B","due_date":"D","issue_date":"I",
 * "kind":"bill","period":"P"}: the fields after the first key in byte order.
 */
static char *render(const char *head, const char *amount, const struct pcrm__ledger_bill *b,
                    const char *issue, const char *due)
{
	size_t n = strlen(head) + strlen(amount) + strlen(b->bill_no) + strlen(b->period) + 128;
	char *text = malloc(n), *at = text;
	if (!text)
		return NULL;
	PUT_STR(at, head);
	PUT_LIT(at, ",\"amount\":\"");
	PUT_STR(at, amount);
	PUT_LIT(at, "\",\"bill_no\":\"");
	PUT_STR(at, b->bill_no);
	PUT_LIT(at, "\",\"due_date\":\"");
	PUT_STR(at, due);
	PUT_LIT(at, "\",\"issue_date\":\"");
	PUT_STR(at, issue);
	PUT_LIT(at, "\",\"kind\":\"bill\",\"period\":\"");
	PUT_STR(at, b->period);
	PUT_LIT(at, "\"}");
	*at = '\0';
	return text;
}

/* The document way: the request as a document, checked, dumped as ledger.c dumps it. */
static int prepare_doc(const struct pcrm__ledger_bill *b, struct pcrm__ledger_bill_request *out)
{
	json_t *doc = pcrm__ledger_bill_doc(b);
	int rc;

	if (!doc)
		return pcrm__error_oom();
	out->doc_json = doc;
	rc = pcrm__ledger_request_check(doc, &out->req);
	if (rc != PCRM_OK)
		return rc;
	if (!(out->request = pcrm__ledger_request_text(doc, b->account_no)))
		return pcrm__error_oom();
	if (json_object_set_new(doc, "allocations", json_array()) == 0)
		out->doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_object_del(doc, "allocations");
	return out->doc ? PCRM_OK : pcrm__error_oom();
}

int pcrm__ledger_bill_prepare(const struct pcrm__ledger_bill *b,
                              struct pcrm__ledger_bill_request *out)
{
	char amount[PCRM_DECIMAL_STRING_MAX], issue[16], due[16];
	char head[PCRM__LEDGER_CODE_MAX * 4 + 32], *account_head = head;
	size_t account_len;

	memset(out, 0, sizeof(*out));
	if (!check_fast(b, &out->req))
		return prepare_doc(b, out);
	pcrm__money_text(out->req.amount, amount);
	date_text(b->issue_date, issue);
	date_text(b->due_date, due);
	account_len = strlen(b->account_no);
	if (account_len + 32 > sizeof(head) && !(account_head = malloc(account_len + 32)))
		return pcrm__error_oom();
	memcpy(account_head, "{\"account_no\":\"", 15);
	memcpy(account_head + 15, b->account_no, account_len);
	memcpy(account_head + 15 + account_len, "\"", 2);
	out->request = render(account_head, amount, b, issue, due);
	out->doc = render("{\"allocations\":[]", amount, b, issue, due);
	if (account_head != head)
		free(account_head);
	return out->request && out->doc ? PCRM_OK : pcrm__error_oom();
}

void pcrm__ledger_bill_request_clear(struct pcrm__ledger_bill_request *r)
{
	free(r->request);
	free(r->doc);
	json_decref(r->doc_json);
	memset(r, 0, sizeof(*r));
}
