/*
 * Fuzz target for complaint filing documents (pcrm_complaint_file()'s JSON)
 * and review documents (pcrm_complaint_review()'s): the validation runs
 * without a store.  Whatever it accepts must hold the
 * documented values and limits; a refusal is only PCRM_EINVAL (or
 * PCRM_ENOMEM) with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint/complaint_internal.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_complaint_doc.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static const char *const natures[] = { "complaint", "report", "opinion", "suggestion", NULL };
static const char *const urgencies[] = { "normal", "major", NULL };

static void check_accepted(const struct pcrm__complaint_input *in)
{
	require(pcrm__complaint_one_of(in->channel, pcrm__complaint_channels));
	require(pcrm__complaint_one_of(in->category, pcrm__complaint_categories));
	require(pcrm__complaint_one_of(in->nature, natures));
	require(pcrm__complaint_one_of(in->urgency, urgencies));
	require(in->subcategory && strlen(in->subcategory) >= 1);
	require(in->description && strlen(in->description) >= 1 &&
	        strlen(in->description) <= PCRM__COMPLAINT_TEXT_MAX);
	require(!(in->anonymous && in->customer_no));
	if (in->anonymous) {
		require(json_is_string(json_object_get(in->anonymous, "name")));
		require(json_is_string(json_object_get(in->anonymous, "contact")));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__complaint_input in;
	char *text = malloc(size + 1);
	json_t *doc = NULL;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the API takes NUL-terminated text: what follows a NUL is not seen */
	rc = pcrm__complaint_parse(text, &doc, &in);
	if (rc == PCRM_OK)
		check_accepted(&in);
	else
		require((rc == PCRM_EINVAL || rc == PCRM_ENOMEM) && pcrm_error_last()[0] != '\0');
	json_decref(doc);

	/* the same input as a supervisor's review document (pcrm_complaint_review()) */
	{
		const char *decision, *reason;
		rc = pcrm__complaint_review_parse(text, &doc, &decision, &reason);
		if (rc == PCRM_OK) {
			require(strcmp(decision, "approve") == 0 || strcmp(decision, "return") == 0);
			require(strcmp(decision, "approve") == 0 || reason != NULL);
			require(!reason || (strlen(reason) >= 1 && strlen(reason) <= 2000));
		} else {
			require((rc == PCRM_EINVAL || rc == PCRM_ENOMEM) &&
			        pcrm_error_last()[0] != '\0');
		}
		json_decref(doc);
	}
	free(text);
	return 0;
}
