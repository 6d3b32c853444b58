/*
 * Fuzz target for contact documents (pcrm_contact_record()'s JSON): the
 * validation runs without a store.  Whatever it accepts must hold the
 * documented limits, and its call-log line must keep the 5.8.3 shape: six
 * separators, no line break, and a summary that unescapes to the original.
 * Failures are only PCRM_EINVAL (or PCRM_ENOMEM).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/customer.h>

#include "customer/contact_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_contact_json.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The inverse of the log line's escaping, as a reader of the file would write it. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	while (*s) {
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		switch (s[1]) {
		case '\\': out[n++] = '\\'; s += 2; break;
		case 'n': out[n++] = '\n'; s += 2; break;
		case 'r': out[n++] = '\r'; s += 2; break;
		case 't': out[n++] = '\t'; s += 2; break;
		case 'x':
			require(hex_value(s[2]) >= 0 && hex_value(s[3]) >= 0);
			out[n++] = (char)(hex_value(s[2]) * 16 + hex_value(s[3]));
			s += 4;
			break;
		default: broken("unknown escape", __LINE__);
		}
	}
	out[n] = '\0';
	return n;
}

static void check_line(const pcrm_contact *c)
{
	static char line[PCRM_CONTACT_LOG_LINE_MAX], summary[PCRM_CONTACT_LOG_LINE_MAX];
	char small[16];
	const char *field = line;
	size_t len;

	require(pcrm_contact_format_log_line(c, line, sizeof(line)) == PCRM_OK);
	len = strlen(line);
	require(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL);
	for (int i = 0; i < 6; i++) {
		field = strchr(field, ';');
		require(field != NULL);
		field++;
	}
	require(strchr(field, ';') == NULL);
	require(unescape(field, summary) == strlen(pcrm_contact_summary(c)));
	require(strcmp(summary, pcrm_contact_summary(c)) == 0);
	/* exactly one byte short fails, and leaves an empty string rather than half a line */
	require(pcrm_contact_format_log_line(c, line, len) == PCRM_EINVAL && line[0] == '\0');
	require(pcrm_contact_format_log_line(c, small, sizeof(small)) == PCRM_EINVAL);
	require(small[0] == '\0');
}

static void check_accepted(struct pcrm__contact_fields *f)
{
	char norm[PCRM_PHONE_MAX];
	pcrm_contact *c;
	size_t n;

	require(f->channel && f->direction && f->summary);
	n = strlen(f->summary);
	require(n >= 1 && n <= PCRM_CONTACT_SUMMARY_MAX);
	require(f->duration_seconds >= -1 && f->duration_seconds <= PCRM__CONTACT_DURATION_MAX);
	require(!f->has_at || f->at >= 0);
	if (f->caller_number) {
		/* normalising is idempotent: what is stored finds itself again */
		require(pcrm_phone_normalize(f->caller_number, norm, sizeof(norm)) == PCRM_OK);
		require(strcmp(norm, f->caller_number) == 0);
	}
	f->id = "00000000-0000-4000-8000-000000000000";
	f->customer_no = "3701000001";
	f->recorded_by = "fuzz";
	if (!f->agent)
		f->agent = "fuzz";
	if (pcrm__contact_new(f, PCRM_UTC_OFFSET_CHINA, &c) != PCRM_OK)
		return; /* out of memory */
	check_line(c);
	pcrm_contact_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__contact_fields f;
	json_t *doc;
	int rc = pcrm__contact_parse((const char *)data, size, &doc, &f);

	if (rc != PCRM_OK) {
		require(doc == NULL);
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(pcrm_error_last()[0] != '\0');
		return 0;
	}
	require(doc != NULL);
	check_accepted(&f);
	json_decref(doc);
	return 0;
}
