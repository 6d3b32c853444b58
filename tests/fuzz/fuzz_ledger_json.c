/*
 * Fuzz target for ledger posting documents (pcrm_ledger_post()'s JSON):
 * the validation runs without a store.  A refused document fails with
 * PCRM_EINVAL (or PCRM_ENOMEM); an accepted one has a known kind, a key,
 * an amount of two decimals greater than zero (voids excepted), dates in
 * order, and checks again to the same request (canonical form is stable).
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
	fprintf(stderr, "fuzz_ledger_json.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_accepted(const struct pcrm__ledger_request *r)
{
	require(r->kind && r->ref && r->ref[0]);
	require(r->key[0] != '\0');
	if (strcmp(r->kind, "void") != 0) {
		require(r->amount.scale == 2);
		require(pcrm_decimal_sign(r->amount) > 0);
	}
	if (strcmp(r->kind, "bill") == 0) {
		require(r->bill_no && r->period && strlen(r->period) == 7);
		require(r->issue_day <= r->due_day);
	}
	if (strcmp(r->kind, "payment") == 0)
		require(strcmp(r->channel, "bank") != 0 || (r->bank_code && r->transaction_id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__ledger_request r, again;
	json_t *doc;
	char *first, *second;
	int rc = pcrm__ledger_parse_json("entry", (const char *)data, size, &doc);

	if (rc == PCRM_OK)
		rc = pcrm__ledger_request_check(doc, &r);
	if (rc != PCRM_OK) {
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(pcrm_error_last()[0] != '\0');
		json_decref(doc);
		return 0;
	}
	check_accepted(&r);
	first = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	require(first != NULL);
	require(pcrm__ledger_request_check(doc, &again) == PCRM_OK);
	second = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	require(second != NULL && strcmp(first, second) == 0);
	require(strcmp(r.key, again.key) == 0);
	free(first);
	free(second);
	json_decref(doc);
	return 0;
}
