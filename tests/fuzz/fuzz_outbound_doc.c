/*
 * Fuzz target for the outbound documents: campaign documents
 * (pcrm_campaign_create()) with their message templates, and single
 * messages (pcrm_outbound_queue()) and return-visit survey answers
 * (pcrm_campaign_survey_answer()); the validation runs without a store.
 * Whatever is accepted must hold the documented rules (outbound.h), a
 * template that passed its check must render, and failures are only
 * PCRM_EINVAL (or PCRM_ENOMEM) with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/common.h>

#include "outbound/outbound_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_outbound_doc.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_failure(int rc)
{
	require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
	require(pcrm_error_last()[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__template_fields f = { "C1", "张**", "TA-1", "2026-12-05T08:00:00+08:00",
		                           "2026-12-05T17:00:00+08:00", "100.00", "1", "2", "2700",
	                           "2760", "60" };
	char *text = malloc(size + 1), *tpl = NULL, *body = NULL;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = pcrm__campaign_doc_check(text, &tpl);
	if (rc != PCRM_OK) {
		check_failure(rc);
	} else {
		require(tpl && strlen(tpl) >= 1 && strlen(tpl) <= PCRM__TEMPLATE_MAX);
		require(pcrm__template_check("template", tpl) == PCRM_OK);
		rc = pcrm__template_render(tpl, &f, &body);
		if (rc == PCRM_OK)
			require(strlen(body) <= PCRM_OUTBOUND_BODY_MAX);
		else
			check_failure(rc);
	}
	/* the same bytes as a template on their own */
	if (strlen(text) == size && pcrm__template_check("template", text) == PCRM_OK) {
		free(body);
		body = NULL;
		rc = pcrm__template_render(text, &f, &body);
		require(rc == PCRM_OK || rc == PCRM_EINVAL);
	}
	rc = pcrm__outbound_queue_doc_check(text);
	if (rc != PCRM_OK)
		check_failure(rc);
	rc = pcrm__survey_answer_doc_check(text);
	if (rc != PCRM_OK)
		check_failure(rc);
	free(body);
	free(tpl);
	free(text);
	return 0;
}
