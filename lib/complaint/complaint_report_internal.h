/* Internal: what the files of the periodic complaint report share. */
#ifndef PCRM_COMPLAINT_REPORT_INTERNAL_H
#define PCRM_COMPLAINT_REPORT_INTERNAL_H

#include <jansson.h>

#include <powercrm/complaint.h>
#include <powercrm/complaint_report.h>

/** A validated report request (pcrm_complaint_report_build()'s document). */
struct pcrm__report_request {
	char kind[8];         /* "day", "week", "month", "custom" */
	char date[11];        /* the local date given, "" for custom */
	char org_unit[64];    /* "" when absent: the actor's unit */
	int limit;
	pcrm_time from, to;           /* the period, [from, to) */
	pcrm_time prev_from, prev_to; /* the period before it */
};

/**
 * Parses and validates a request at `utc_offset` and computes both periods.
 * PCRM_EINVAL naming the field (JSON path) otherwise; never quotes values.
 * Pure: no store, so it is fuzzed on its own (tests/fuzz/fuzz_complaint_report.c).
 */
int pcrm__report_request_parse(const char *json, int utc_offset, struct pcrm__report_request *out);

/**
 * Appends the overdue and the repeat list of the tickets accepted in
 * [from, to) whose responsible unit lies under `scope` (an org path) to
 * `report` as "overdue" and "repeats": {"total", "limit", "tickets": [...]}.
 */
int pcrm__report_lists(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to, int limit,
                       json_t *report);

/** The printable page of a built report document; *out is malloc'd. */
int pcrm__report_html(const json_t *report, char **out);

/** Appends `text` to `b` with &, <, >, " and ' escaped for HTML text and attributes. */
struct pcrm__strbuf;
void pcrm__html_escape(struct pcrm__strbuf *b, const char *text);

#endif
