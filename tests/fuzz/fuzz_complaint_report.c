/*
 * Fuzz target for complaint report requests (pcrm_complaint_report_build()'s
 * JSON): the parsing and the period computation run without a store.
 * Whatever it accepts must be a known kind with a non-empty period, the
 * period before it ending where it starts and no longer than a month, a
 * limit in range; a refusal is only PCRM_EINVAL (or PCRM_ENOMEM) with a
 * message.  A calendar period must also be what pcrm_complaint_period() says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint/complaint_report_internal.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_complaint_report.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_accepted(const struct pcrm__report_request *r, int offset)
{
	int custom = strcmp(r->kind, "custom") == 0;
	require(custom || strcmp(r->kind, "day") == 0 || strcmp(r->kind, "week") == 0 ||
	        strcmp(r->kind, "month") == 0);
	require(r->from < r->to);
	require(r->prev_from < r->prev_to);
	require(r->limit >= 1 && r->limit <= PCRM_COMPLAINT_REPORT_LIMIT_MAX);
	if (custom) {
		require(r->prev_to == r->from && r->prev_to - r->prev_from == r->to - r->from);
		require(r->date[0] == '\0');
	} else {
		pcrm_time from, to;
		require(r->prev_to == r->from);
		require(r->to - r->from <= 31 * 86400 && (r->to - r->from) % 86400 == 0);
		require((r->from + offset) % 86400 == 0); /* local midnight */
		require(pcrm_complaint_period(r->kind, r->date, offset, &from, &to) == PCRM_OK);
		require(from == r->from && to == r->to);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int offsets[] = { PCRM_UTC_OFFSET_CHINA, 0, -5 * 3600 };
	struct pcrm__report_request r;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the API takes NUL-terminated text: what follows a NUL is not seen */
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		int rc = pcrm__report_request_parse(text, offsets[i], &r);
		if (rc == PCRM_OK)
			check_accepted(&r, offsets[i]);
		else
			require((rc == PCRM_EINVAL || rc == PCRM_ENOMEM) && pcrm_error_last()[0] != '\0');
	}
	free(text);
	return 0;
}
