/*
 * Fuzz target: the customer document validator (create and patch forms) and
 * the phone normaliser, the parsers that see imported and typed-in data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/customer.h>
#include "customer/customer_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_phone(const uint8_t *data, size_t size)
{
	char raw[64], out[PCRM_PHONE_MAX], again[PCRM_PHONE_MAX];
	size_t n = size < sizeof(raw) - 1 ? size : sizeof(raw) - 1;
	memcpy(raw, data, n);
	raw[n] = '\0';
	if (pcrm_phone_normalize(raw, out, sizeof(out)) == PCRM_OK) {
		/* a normalised number is a fixed point */
		if (pcrm_phone_normalize(out, again, sizeof(again)) != PCRM_OK || strcmp(out, again)) {
			fprintf(stderr, "phone \"%s\" -> \"%s\" is not stable\n", raw, out);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	check_phone(data, size);
	if (!doc)
		return 0;
	if (json_is_object(doc)) {
		json_t *patch = json_deep_copy(doc);
		if (pcrm__customer_validate(doc, 0) == PCRM_OK) {
			/* a valid document stays valid when validated again (defaults, phones) */
			if (pcrm__customer_validate(doc, 0) != PCRM_OK) {
				fprintf(stderr, "revalidation failed: %s\n", pcrm_error_last());
				abort();
			}
			if (pcrm__customer_validate(patch, 1) == PCRM_OK)
				pcrm__customer_merge(doc, patch);
		}
		json_decref(patch);
	} else {
		pcrm__customer_validate(doc, 0);
	}
	json_decref(doc);
	return 0;
}
