/*
 * Fuzz target for account and metering-point documents as the store calls
 * take them (pcrm_account_create / _update, pcrm_metering_point_create /
 * _update on the fuzz world's customer C1, account A1 and point P1):
 * fuzz_meter_json checks the document rules alone, this one the whole path
 * (parse, check against the stored rows, write, read back).  A refused
 * document has a negative status, a message, and writes nothing.  An
 * accepted one creates exactly one row (or changes the version by one),
 * and reading it back gives the same record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The stored document, parsed. */
static json_t *stored(const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);
	fuzz_require(json_is_object(doc));
	return doc;
}

static void check_account(pcrm_ctx *ctx, const char *doc)
{
	pcrm_account *a = NULL, *again = NULL, *before_update = NULL;
	fuzz_counts before, after;
	json_t *x, *y;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_account_create(ctx, &fuzz_admin, FUZZ_CUSTOMER, doc, &a);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_account_create");
		fuzz_require_unchanged(&before, "pcrm_account_create");
	} else {
		fuzz_count(&after);
		fuzz_require(after.n[FUZZ_ACCOUNT_ROWS] == before.n[FUZZ_ACCOUNT_ROWS] + 1);
		fuzz_require(strcmp(pcrm_account_customer_no(a), FUZZ_CUSTOMER) == 0);
		fuzz_require(pcrm_account_version(a) == 1);
		fuzz_require(pcrm_account_get(ctx, &fuzz_admin, pcrm_account_no(a), &again) == PCRM_OK);
		x = stored(pcrm_account_json(a));
		y = stored(pcrm_account_json(again));
		fuzz_require(json_equal(x, y));
		json_decref(x);
		json_decref(y);
		pcrm_account_free(again);
	}
	pcrm_account_free(a);
	fuzz_rollback();

	/* the same document as a patch of A1 */
	fuzz_begin();
	fuzz_require(pcrm_account_get(ctx, &fuzz_admin, FUZZ_ACCOUNT, &before_update) == PCRM_OK);
	fuzz_count(&before);
	a = NULL;
	rc = pcrm_account_update(ctx, &fuzz_admin, FUZZ_ACCOUNT, doc,
	                         pcrm_account_version(before_update), &a);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_account_update");
		fuzz_require_unchanged(&before, "pcrm_account_update");
	} else {
		fuzz_require(strcmp(pcrm_account_no(a), FUZZ_ACCOUNT) == 0);
		fuzz_require(pcrm_account_version(a) == pcrm_account_version(before_update) + 1);
		fuzz_require(pcrm_account_get(ctx, &fuzz_admin, FUZZ_ACCOUNT, &again) == PCRM_OK);
		fuzz_require(pcrm_account_version(again) == pcrm_account_version(a));
		x = stored(pcrm_account_json(a));
		y = stored(pcrm_account_json(again));
		fuzz_require(json_equal(x, y));
		json_decref(x);
		json_decref(y);
		pcrm_account_free(again);
	}
	pcrm_account_free(a);
	pcrm_account_free(before_update);
	fuzz_rollback();
}

static void check_point(pcrm_ctx *ctx, const char *doc)
{
	pcrm_metering_point *mp = NULL, *again = NULL, *before_update = NULL;
	fuzz_counts before, after;
	json_t *x, *y;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_metering_point_create(ctx, &fuzz_admin, FUZZ_CUSTOMER, doc, &mp);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_metering_point_create");
		fuzz_require_unchanged(&before, "pcrm_metering_point_create");
	} else {
		fuzz_count(&after);
		fuzz_require(after.n[FUZZ_POINT_ROWS] == before.n[FUZZ_POINT_ROWS] + 1);
		fuzz_require(strcmp(pcrm_metering_point_customer_no(mp), FUZZ_CUSTOMER) == 0);
		fuzz_require(pcrm_metering_point_get(ctx, &fuzz_admin, pcrm_metering_point_no(mp),
		                                     &again) == PCRM_OK);
		x = stored(pcrm_metering_point_json(mp));
		y = stored(pcrm_metering_point_json(again));
		fuzz_require(json_equal(x, y));
		json_decref(x);
		json_decref(y);
		pcrm_metering_point_free(again);
	}
	pcrm_metering_point_free(mp);
	fuzz_rollback();

	fuzz_begin();
	fuzz_require(pcrm_metering_point_get(ctx, &fuzz_admin, FUZZ_POINT, &before_update) == PCRM_OK);
	fuzz_count(&before);
	mp = NULL;
	rc = pcrm_metering_point_update(ctx, &fuzz_admin, FUZZ_POINT, doc,
	                                pcrm_metering_point_version(before_update), &mp);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_metering_point_update");
		fuzz_require_unchanged(&before, "pcrm_metering_point_update");
	} else {
		fuzz_require(strcmp(pcrm_metering_point_no(mp), FUZZ_POINT) == 0);
		fuzz_require(pcrm_metering_point_version(mp) ==
		             pcrm_metering_point_version(before_update) + 1);
		fuzz_require(pcrm_metering_point_get(ctx, &fuzz_admin, FUZZ_POINT, &again) == PCRM_OK);
		x = stored(pcrm_metering_point_json(mp));
		y = stored(pcrm_metering_point_json(again));
		fuzz_require(json_equal(x, y));
		json_decref(x);
		json_decref(y);
		pcrm_metering_point_free(again);
	}
	pcrm_metering_point_free(mp);
	pcrm_metering_point_free(before_update);
	fuzz_rollback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *doc = fuzz_text(data, size);
	check_account(ctx, doc);
	check_point(ctx, doc);
	free(doc);
	return 0;
}
