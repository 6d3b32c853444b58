/*
 * Fuzz target for bank statement files (pcrm_bank_reconcile()'s CSV): the
 * parser runs without a store.  A refused file fails with PCRM_EINVAL (or
 * PCRM_ENOMEM) and a message naming its line; an accepted one holds the
 * documented limits, its lines add up to the header's count and total,
 * and writing it back out parses to the same statement.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/ledger.h>

#include "ledger/ledger_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_bank_statement.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_line(const struct pcrm__bank_line *l, int expected_line)
{
	require(l->line == expected_line);
	require(l->transaction_id[0] != '\0');
	require(l->account_no[0] != '\0');
	require(l->amount.scale == 2);
	require(pcrm_decimal_sign(l->amount) > 0);
	require(l->seconds >= 0 && l->seconds < 86400);
}

/* The statement written back in the documented format. */
static char *write_back(const struct pcrm__bank_statement *s, size_t *len)
{
	pcrm_decimal total = pcrm_decimal_make(0, 2);
	char amount[PCRM_DECIMAL_STRING_MAX];
	size_t cap = 128 + s->count * 160, n;
	char *out = malloc(cap);
	require(out != NULL);
	for (size_t i = 0; i < s->count; i++)
		require(pcrm_decimal_add(total, s->lines[i].amount, &total) == PCRM_OK);
	require(pcrm_decimal_format(total, amount, sizeof(amount)) == PCRM_OK);
	n = (size_t)snprintf(out, cap, "bank_statement,1,%s,%04d-%02d-%02d,%zu,%s\n", s->bank_code,
	                     s->date.year, s->date.month, s->date.day, s->count, amount);
	for (size_t i = 0; i < s->count; i++) {
		const struct pcrm__bank_line *l = &s->lines[i];
		require(pcrm_decimal_format(l->amount, amount, sizeof(amount)) == PCRM_OK);
		n += (size_t)snprintf(out + n, cap - n, "%s,%s,%s,%02d:%02d:%02d\n", l->transaction_id,
		                      l->account_no, amount, l->seconds / 3600, l->seconds / 60 % 60,
		                      l->seconds % 60);
	}
	*len = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__bank_statement s, again;
	char *text;
	size_t len;
	int rc = pcrm__bank_statement_parse((const char *)data, size, &s);

	if (rc != PCRM_OK) {
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(s.lines == NULL && s.count == 0);
		require(rc == PCRM_ENOMEM || strncmp(pcrm_error_last(), "line ", 5) == 0);
		return 0;
	}
	require(s.bank_code[0] != '\0');
	require(pcrm_date_is_valid(s.date));
	for (size_t i = 0; i < s.count; i++)
		check_line(&s.lines[i], (int)i + 2);
	text = write_back(&s, &len);
	require(pcrm__bank_statement_parse(text, len, &again) == PCRM_OK);
	require(again.count == s.count);
	require(strcmp(again.bank_code, s.bank_code) == 0);
	for (size_t i = 0; i < s.count; i++) {
		require(strcmp(again.lines[i].transaction_id, s.lines[i].transaction_id) == 0);
		require(strcmp(again.lines[i].account_no, s.lines[i].account_no) == 0);
		require(pcrm_decimal_cmp(again.lines[i].amount, s.lines[i].amount) == 0);
		require(again.lines[i].seconds == s.lines[i].seconds);
	}
	free(text);
	pcrm__bank_statement_clear(&again);
	pcrm__bank_statement_clear(&s);
	return 0;
}
