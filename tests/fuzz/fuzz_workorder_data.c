/*
 * Fuzz target for work-order data (the JSON object pcrm_workorder_open()
 * stores and pcrm_workorder_fire() merges), against the fuzz world's
 * workflow "fz", whose "handle" event requires a "note".  A refused call
 * has a negative status, a message, and writes nothing.  An accepted open
 * stores the object as a merge into {} (its nulls dropped); an accepted fire stores the RFC 7386 merge
 * of the old data and the input, holds a note, and moves the work order
 * to "handled" with its version one up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 7386 merge patch of `patch` into `target` (both objects), written here to check the library's. */
static void merge_patch(json_t *target, const json_t *patch)
{
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)patch, key, value) {
		if (json_is_null(value)) {
			json_object_del(target, key);
		} else if (json_is_object(value)) {
			json_t *inner = json_object_get(target, key);
			if (!json_is_object(inner)) {
				inner = json_object();
				json_object_set_new(target, key, inner);
			}
			merge_patch(inner, value);
		} else {
			json_object_set(target, key, value);
		}
	}
}

static json_t *data_of(const pcrm_workorder *wo)
{
	json_t *d = json_loads(pcrm_workorder_data(wo), 0, NULL);
	fuzz_require(json_is_object(d));
	return d;
}

static void check_open(pcrm_ctx *ctx, const char *data)
{
	pcrm_workorder *wo = NULL;
	fuzz_counts before, after;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_workorder_open(ctx, &fuzz_admin, "fz", "K2", FUZZ_CUSTOMER, "3701", data, &wo);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_workorder_open");
		fuzz_require_unchanged(&before, "pcrm_workorder_open");
	} else {
		json_t *given = json_loads(data, 0, NULL), *expected = json_object(), *kept = data_of(wo);
		fuzz_require(json_is_object(given));
		merge_patch(expected, given);
		fuzz_count(&after);
		fuzz_require(after.n[FUZZ_WORKORDER_ROWS] == before.n[FUZZ_WORKORDER_ROWS] + 1);
		fuzz_require(strcmp(pcrm_workorder_state(wo), "accepted") == 0);
		fuzz_require(json_equal(expected, kept));
		json_decref(given);
		json_decref(expected);
		json_decref(kept);
	}
	pcrm_workorder_free(wo);
	fuzz_rollback();
}

static void check_fire(pcrm_ctx *ctx, const char *data)
{
	pcrm_workorder *old = NULL, *wo = NULL;
	fuzz_counts before;
	int rc;

	fuzz_begin();
	fuzz_require(pcrm_workorder_get(ctx, &fuzz_admin, fuzz_workorder_id(), &old) == PCRM_OK);
	fuzz_count(&before);
	rc = pcrm_workorder_fire(ctx, &fuzz_admin, fuzz_workorder_id(), pcrm_workorder_version(old),
	                         "handle", data, NULL, &wo);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_workorder_fire");
		fuzz_require_unchanged(&before, "pcrm_workorder_fire");
	} else {
		json_t *expected = data_of(old), *patch = json_loads(data, 0, NULL), *kept = data_of(wo);
		fuzz_require(json_is_object(patch));
		merge_patch(expected, patch);
		fuzz_require(json_equal(expected, kept));
		fuzz_require(json_object_get(kept, "note") != NULL);
		fuzz_require(strcmp(pcrm_workorder_state(wo), "handled") == 0);
		fuzz_require(pcrm_workorder_version(wo) == pcrm_workorder_version(old) + 1);
		json_decref(expected);
		json_decref(patch);
		json_decref(kept);
	}
	pcrm_workorder_free(wo);
	pcrm_workorder_free(old);
	fuzz_rollback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *text = fuzz_text(data, size);
	check_open(ctx, text);
	check_fire(ctx, text);
	free(text);
	return 0;
}
