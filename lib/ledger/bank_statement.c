/*
 * The bank statement file (docs/bank-statement-format.md):
 *
 *   bank_statement,1,ICBC,2026-11-23,2,370.50
 *   T0001,A1,120.50,09:15:02
 *   T0002,A2,250.00,10:01:40
 *
 * A header (literal "bank_statement", format version 1, bank code, date,
 * number of lines, total amount) and one line per transaction.  The count
 * and the total catch a truncated or altered file.  Parsing needs no store;
 * every error names the line and the field, and nothing is kept on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ledger_internal.h"

#define LINE_MAX_BYTES 256
#define LINES_MAX 1000000
#define FIELDS_MAX 6

struct cursor {
	const char *p, *end;
	int line;
};

/* The next line without its terminator (LF or CRLF): 1 = a line, 0 = end of text. */
static int next_line(struct cursor *c, const char **start, size_t *len)
{
	const char *nl;
	if (c->p >= c->end)
		return 0;
	*start = c->p;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	*len = (size_t)((nl ? nl : c->end) - c->p);
	c->p = nl ? nl + 1 : c->end;
	if (*len > 0 && (*start)[*len - 1] == '\r')
		(*len)--;
	c->line++;
	return 1;
}

struct fields {
	const char *at[FIELDS_MAX];
	size_t len[FIELDS_MAX];
	int n;
};

static int split(int line, const char *s, size_t len, int want, const char *names,
                 struct fields *f)
{
	size_t start = 0;
	f->n = 0;
	if (len > LINE_MAX_BYTES)
		return pcrm__error(PCRM_EINVAL, "line %d: longer than %d bytes", line, LINE_MAX_BYTES);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (f->n == FIELDS_MAX)
			break;
		f->at[f->n] = s + start;
		f->len[f->n] = i - start;
		f->n++;
		start = i + 1;
	}
	if (f->n != want || start <= len)
		return pcrm__error(PCRM_EINVAL, "line %d: expected %d fields (%s), found %s%d", line,
		                   want, names, start <= len ? "more than " : "", f->n);
	return PCRM_OK;
}

static int bad(int line, const char *field, const char *s, size_t len, const char *why)
{
	char q[PCRM_QUOTE_SIZE];
	pcrm__quote(s, len, q, sizeof(q));
	return pcrm__error(PCRM_EINVAL, "line %d, %s: \"%s\" %s", line, field, q, why);
}

static int code(int line, const char *field, const char *s, size_t len, size_t max, int bank,
                char *out)
{
	if (len < 1 || len > max)
		return bad(line, field, s, len, "must be 1..64 characters (16 for a bank code)");
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		int ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= 'a' && ch <= 'z') || (!bank && (ch == '-' || ch == '_' || ch == '.'));
		if (!ok)
			return bad(line, field, s, len,
			           bank ? "may hold only letters and digits" :
			                  "may hold only letters, digits, - _ .");
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return PCRM_OK;
}

static int amount(int line, const char *s, size_t len, int allow_zero, pcrm_decimal *out)
{
	pcrm_decimal v;
	if (len == 0 || len > 24 || pcrm_decimal_parse_n(s, len, &v) != PCRM_OK)
		return bad(line, "amount", s, len, "is not a decimal amount");
	if (v.scale > 2)
		return bad(line, "amount", s, len, "has more than 2 decimals");
	if (pcrm_decimal_sign(v) < 0 || (!allow_zero && pcrm_decimal_sign(v) == 0))
		return bad(line, "amount", s, len, "must be greater than 0");
	if (s[0] == '+' || s[0] == '.' || s[len - 1] == '.')
		return bad(line, "amount", s, len, "must be digits with an optional point and decimals");
	return pcrm_decimal_round(v, 2, PCRM_ROUND_HALF_UP, out) == PCRM_OK ?
	               PCRM_OK :
	               bad(line, "amount", s, len, "is too large");
}

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int time_of_day(int line, const char *s, size_t len, int *out)
{
	if (len != 8 || s[2] != ':' || s[5] != ':' || !is_digits(s, 2) || !is_digits(s + 3, 2) ||
	    !is_digits(s + 6, 2) || two(s) > 23 || two(s + 3) > 59 || two(s + 6) > 59)
		return bad(line, "time", s, len, "is not a time HH:MM:SS");
	*out = two(s) * 3600 + two(s + 3) * 60 + two(s + 6);
	return PCRM_OK;
}

static int header(struct cursor *c, struct pcrm__bank_statement *st, long *count,
                  pcrm_decimal *total)
{
	static const char names[] = "bank_statement, version, bank_code, date, count, total";
	const char *s;
	size_t len;
	struct fields f;
	char date[16];
	int rc;

	if (!next_line(c, &s, &len))
		return pcrm__error(PCRM_EINVAL, "line 1: the file is empty (a header is required)");
	rc = split(1, s, len, 6, names, &f);
	if (rc != PCRM_OK)
		return rc;
	if (f.len[0] != 14 || memcmp(f.at[0], "bank_statement", 14) != 0)
		return bad(1, "bank_statement", f.at[0], f.len[0], "is not the header's first field");
	if (f.len[1] != 1 || f.at[1][0] != '1')
		return bad(1, "version", f.at[1], f.len[1], "is not a known format version (1)");
	rc = code(1, "bank_code", f.at[2], f.len[2], PCRM__BANK_CODE_MAX, 1, st->bank_code);
	if (rc != PCRM_OK)
		return rc;
	if (f.len[3] != 10 || (memcpy(date, f.at[3], 10), date[10] = '\0',
	                       pcrm_date_parse(date, &st->date) != PCRM_OK))
		return bad(1, "date", f.at[3], f.len[3], "is not a date YYYY-MM-DD");
	if (f.len[4] < 1 || f.len[4] > 7 || !is_digits(f.at[4], f.len[4]))
		return bad(1, "count", f.at[4], f.len[4], "is not a number of lines");
	*count = strtol(f.at[4], NULL, 10);
	if (*count > LINES_MAX)
		return bad(1, "count", f.at[4], f.len[4], "is more than 1000000 lines");
	return amount(1, f.at[5], f.len[5], 1, total);
}

static int add_line(struct pcrm__bank_statement *st, size_t *cap, const struct pcrm__bank_line *l)
{
	if (st->count == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct pcrm__bank_line *lines = realloc(st->lines, n * sizeof(*lines));
		if (!lines)
			return pcrm__error_oom();
		st->lines = lines;
		*cap = n;
	}
	st->lines[st->count++] = *l;
	return PCRM_OK;
}

static int by_txn(const void *a, const void *b)
{
	const struct pcrm__bank_line *x = *(const struct pcrm__bank_line *const *)a;
	const struct pcrm__bank_line *y = *(const struct pcrm__bank_line *const *)b;
	int c = strcmp(x->transaction_id, y->transaction_id);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A transaction id twice in one statement is an error naming the second line. */
static int no_repeats(const struct pcrm__bank_statement *st)
{
	const struct pcrm__bank_line **sorted;
	int rc = PCRM_OK;
	if (st->count < 2)
		return PCRM_OK;
	sorted = malloc(st->count * sizeof(*sorted));
	if (!sorted)
		return pcrm__error_oom();
	for (size_t i = 0; i < st->count; i++)
		sorted[i] = &st->lines[i];
	qsort(sorted, st->count, sizeof(*sorted), by_txn);
	for (size_t i = 1; i < st->count && rc == PCRM_OK; i++)
		if (strcmp(sorted[i]->transaction_id, sorted[i - 1]->transaction_id) == 0)
			rc = pcrm__error(PCRM_EINVAL,
			                 "line %d, transaction_id: \"%s\" repeats line %d",
			                 sorted[i]->line, sorted[i]->transaction_id, sorted[i - 1]->line);
	free(sorted);
	return rc;
}

static int body(struct cursor *c, struct pcrm__bank_statement *st, pcrm_decimal *sum)
{
	static const char names[] = "transaction_id, account_no, amount, time";
	size_t cap = 0, len;
	const char *s;
	int rc = PCRM_OK;

	while (rc == PCRM_OK && next_line(c, &s, &len)) {
		struct pcrm__bank_line l;
		struct fields f;
		if (len == 0 && c->p >= c->end)
			break; /* a final empty line: the file ended with CRLF twice or similar */
		if (st->count >= LINES_MAX)
			return pcrm__error(PCRM_EINVAL, "line %d: more than %d lines", c->line, LINES_MAX);
		memset(&l, 0, sizeof(l));
		l.line = c->line;
		rc = split(c->line, s, len, 4, names, &f);
		if (rc == PCRM_OK)
			rc = code(c->line, "transaction_id", f.at[0], f.len[0], PCRM__LEDGER_KEY_MAX, 0,
			          l.transaction_id);
		if (rc == PCRM_OK)
			rc = code(c->line, "account_no", f.at[1], f.len[1], PCRM__LEDGER_CODE_MAX, 0,
			          l.account_no);
		if (rc == PCRM_OK)
			rc = amount(c->line, f.at[2], f.len[2], 0, &l.amount);
		if (rc == PCRM_OK)
			rc = time_of_day(c->line, f.at[3], f.len[3], &l.seconds);
		if (rc == PCRM_OK && pcrm_decimal_add(*sum, l.amount, sum) != PCRM_OK)
			rc = bad(c->line, "amount", f.at[2], f.len[2], "makes the total overflow");
		if (rc == PCRM_OK)
			rc = add_line(st, &cap, &l);
	}
	return rc;
}

int pcrm__bank_statement_parse(const char *text, size_t len, struct pcrm__bank_statement *out)
{
	struct cursor c = { text, text + len, 0 };
	pcrm_decimal total, sum = pcrm_decimal_make(0, 2);
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX];
	long count = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text)
		return pcrm__error(PCRM_EINVAL, "statement: missing");
	rc = header(&c, out, &count, &total);
	if (rc == PCRM_OK)
		rc = body(&c, out, &sum);
	if (rc == PCRM_OK && (long)out->count != count)
		rc = pcrm__error(PCRM_EINVAL, "line 1, count: the header says %ld lines, the file has %zu",
		                 count, out->count);
	if (rc == PCRM_OK && pcrm_decimal_cmp(sum, total) != 0) {
		pcrm__money_text(total, a);
		pcrm__money_text(sum, b);
		rc = pcrm__error(PCRM_EINVAL, "line 1, total: the header says %s, the lines add up to %s",
		                 a, b);
	}
	if (rc == PCRM_OK)
		rc = no_repeats(out);
	if (rc != PCRM_OK)
		pcrm__bank_statement_clear(out);
	return rc;
}

void pcrm__bank_statement_clear(struct pcrm__bank_statement *s)
{
	free(s->lines);
	memset(s, 0, sizeof(*s));
}
