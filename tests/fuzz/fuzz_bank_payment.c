/*
 * Fuzz target for bank payment documents (pcrm_bank_payment_post()),
 * against the fuzz world's account A1 (owing October's bill once posted:
 * the world leaves it unposted, so a payment becomes credit).  A refused
 * document has a negative status, a message, and writes nothing.  An
 * accepted one is a bank payment (an entry lowering the balance, two decimals) on
 * the account it names, its bank transaction id is its key, and posting
 * the same document again replays that entry and writes nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(pcrm_ctx *ctx, const char *doc, const pcrm_ledger_entry *e)
{
	json_t *input = json_loads(doc, 0, NULL);
	pcrm_ledger_entry *again = NULL;
	fuzz_counts before;

	fuzz_require(input != NULL);
	fuzz_require(strcmp(e->kind, "payment") == 0 && !e->replayed);
	fuzz_require(strcmp(e->account_no, json_string_value(json_object_get(input, "account_no"))) ==
	             0);
	fuzz_require(strcmp(e->ref, json_string_value(json_object_get(input, "transaction_id"))) == 0);
	fuzz_require(e->amount.scale == 2 && pcrm_decimal_sign(e->amount) < 0); /* lowers the balance */
	fuzz_count(&before);
	fuzz_require(pcrm_bank_payment_post(ctx, &fuzz_admin, doc, &again) == PCRM_OK);
	fuzz_require(again->replayed && again->seq == e->seq);
	fuzz_require(pcrm_decimal_cmp(again->amount, e->amount) == 0);
	fuzz_require_unchanged(&before, "a replayed bank payment");
	pcrm_ledger_entry_free(again);
	json_decref(input);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *doc = fuzz_text(data, size);
	pcrm_ledger_entry *e = NULL;
	fuzz_counts before, after;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_bank_payment_post(ctx, &fuzz_admin, doc, &e);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_bank_payment_post");
		fuzz_require_unchanged(&before, "pcrm_bank_payment_post");
		fuzz_require(e == NULL);
	} else {
		fuzz_count(&after);
		fuzz_require(after.n[FUZZ_LEDGER_PAYMENT_ROWS] == before.n[FUZZ_LEDGER_PAYMENT_ROWS] + 1);
		check_accepted(ctx, doc, e);
	}
	pcrm_ledger_entry_free(e);
	fuzz_rollback();
	free(doc);
	return 0;
}
