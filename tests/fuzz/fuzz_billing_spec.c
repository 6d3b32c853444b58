/*
 * Fuzz target for the specs of billing runs and postings
 * (pcrm_billing_run(), pcrm_billing_post()), against the fuzz world: one
 * account with October 2026's readings, already billed (not posted) for
 * that month.  A refused spec has a negative status, a message, and writes
 * nothing (the world has one account, so no earlier batch can stay).  An
 * accepted run accounts for every account it took (billed + no usage), its
 * bill count is the rows it stored, and a posting accounts for every bill
 * it looked at and wrote one ledger entry per bill it posted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_run(pcrm_ctx *ctx, const char *spec)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	fuzz_counts before, after;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	s = (pcrm_billing_summary)PCRM_BILLING_SUMMARY_INIT;
	rc = pcrm_billing_run(ctx, &fuzz_admin, spec, NULL, NULL, &s);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_billing_run");
		fuzz_require_unchanged(&before, "pcrm_billing_run");
	} else {
		fuzz_count(&after);
		fuzz_require(s.billed >= 0 && s.no_usage >= 0 && s.already_billed >= 0);
		fuzz_require(s.billed + s.no_usage == s.accounts);
		fuzz_require(after.n[FUZZ_BILL_ROWS] - before.n[FUZZ_BILL_ROWS] == s.billed);
		fuzz_require(s.billed > 0 || pcrm_decimal_sign(s.total) == 0);
		fuzz_require(after.n[FUZZ_LEDGER_ENTRY_ROWS] - before.n[FUZZ_LEDGER_ENTRY_ROWS] <= s.billed);
	}
	fuzz_rollback();
}

static void check_post(pcrm_ctx *ctx, const char *spec)
{
	pcrm_billing_post_summary s = PCRM_BILLING_POST_SUMMARY_INIT;
	fuzz_counts before, after;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	s = (pcrm_billing_post_summary)PCRM_BILLING_POST_SUMMARY_INIT;
	rc = pcrm_billing_post(ctx, &fuzz_admin, spec, NULL, NULL, &s);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_billing_post");
		fuzz_require_unchanged(&before, "pcrm_billing_post");
	} else {
		fuzz_count(&after);
		fuzz_require(s.posted >= 0 && s.already_posted >= 0 && s.nothing_owed >= 0);
		fuzz_require(s.posted + s.already_posted + s.nothing_owed == s.bills);
		fuzz_require(after.n[FUZZ_LEDGER_ENTRY_ROWS] - before.n[FUZZ_LEDGER_ENTRY_ROWS] == s.posted);
		fuzz_require(after.n[FUZZ_BILL_ROWS] == before.n[FUZZ_BILL_ROWS]);
		fuzz_require(s.posted > 0 || pcrm_decimal_sign(s.total) == 0);
	}
	fuzz_rollback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *spec = fuzz_text(data, size);
	check_run(ctx, spec);
	check_post(ctx, spec);
	free(spec);
	return 0;
}
