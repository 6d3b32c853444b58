/*
 * Fuzz target for the JSON Lines customer import (pcrm_customer_import()),
 * against the fuzz world's store.  A refused import names its line, has a
 * negative status and writes nothing (one batch lands whole or not at
 * all).  An accepted one imported at most one customer per non-blank line,
 * the customer table grew by exactly the count it reports, every line's
 * customer exists in the line's org unit, and the import is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every non-blank line's customer is stored in the line's org unit; returns the line count. */
static int64_t check_lines(pcrm_ctx *ctx, const char *text, size_t size)
{
	int64_t lines = 0;
	size_t at = 0;
	while (at < size) {
		const char *nl = memchr(text + at, '\n', size - at);
		size_t end = nl ? (size_t)(nl - text) : size;
		json_t *doc = json_loadb(text + at, end - at, 0, NULL);
		if (doc) {
			pcrm_customer *c = NULL;
			const char *no = json_string_value(json_object_get(doc, "customer_no"));
			const char *org = json_string_value(json_object_get(doc, "org_unit"));
			fuzz_require(no != NULL && org != NULL);
			fuzz_require(pcrm_customer_get(ctx, &fuzz_admin, no, 0, &c) == PCRM_OK);
			fuzz_require(strcmp(pcrm_customer_org_unit(c), org) == 0);
			pcrm_customer_free(c);
			json_decref(doc);
			lines++;
		} else {
			/* an accepted import has no line that is not JSON, blank ones aside */
			for (size_t i = at; i < end; i++)
				fuzz_require(text[i] == ' ' || text[i] == '\t' || text[i] == '\r');
		}
		at = end + 1;
	}
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	fuzz_counts before, after;
	int64_t imported = -1;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_customer_import(ctx, &fuzz_admin, (const char *)data, size, &imported);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_customer_import");
		fuzz_require_unchanged(&before, "pcrm_customer_import");
	} else {
		fuzz_count(&after);
		fuzz_require(imported >= 0);
		fuzz_require(after.n[FUZZ_CUSTOMER_ROWS] - before.n[FUZZ_CUSTOMER_ROWS] == imported);
		fuzz_require(imported <= check_lines(ctx, (const char *)data, size));
		if (imported > 0)
			fuzz_require(after.n[FUZZ_AUDIT_ROWS] > before.n[FUZZ_AUDIT_ROWS]);
	}
	fuzz_rollback();
	return 0;
}
