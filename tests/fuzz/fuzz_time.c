/*
 * Fuzz target for the time parsers, which read outside input (API requests,
 * imported work orders, calendar files).  The parsers are strict, so any
 * text they accept is canonical: a date prints back byte for byte, an
 * instant written with 'T' and 'Z' likewise, and every accepted instant
 * formats and re-parses to itself at any offset.  The first bytes are also
 * taken as a raw instant to push the civil conversions to their edges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEXT 256

/* Aborts (what libFuzzer and the corpus replay catch) naming the broken invariant. */
#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_time.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static const int offsets[] = { 0, PCRM_UTC_OFFSET_CHINA, -5 * 3600, 5 * 3600 + 45 * 60,
                               -18 * 3600, 18 * 3600 };

/* t formats and parses back to itself at each offset where it has a civil time. */
static void check_instant(pcrm_time t)
{
	char buf[32];
	pcrm_time back;
	pcrm_civil c;

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		int rc = pcrm_time_format(t, offsets[i], buf, sizeof(buf));
		if (rc != PCRM_OK) {
			/* only instants outside years 1..9999 at that offset fail */
			require(rc == PCRM_EOVERFLOW);
			require(pcrm_time_to_civil(t, offsets[i], &c) == PCRM_EOVERFLOW);
			continue;
		}
		require(strlen(buf) == (offsets[i] == 0 ? 20u : 25u));
		require(pcrm_time_parse(buf, &back) == PCRM_OK);
		require(back == t);
		require(pcrm_time_to_civil(t, offsets[i], &c) == PCRM_OK);
		require(pcrm_time_from_civil(&c, offsets[i], &back) == PCRM_OK);
		require(back == t);
	}
}

static void check_date_text(const char *text)
{
	pcrm_date d;
	char buf[16];

	if (pcrm_date_parse(text, &d) != PCRM_OK)
		return;
	require(pcrm_date_is_valid(d));
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
	require(strcmp(buf, text) == 0);
	require(pcrm_date_weekday(d) >= 1 && pcrm_date_weekday(d) <= 7);
	{
		pcrm_date back = pcrm_date_from_days(pcrm_date_to_days(d));
		require(back.year == d.year && back.month == d.month && back.day == d.day);
	}
}

static void check_time_text(const char *text)
{
	pcrm_time t;
	char buf[32];

	if (pcrm_time_parse(text, &t) != PCRM_OK)
		return;
	check_instant(t);
	/* the canonical UTC form prints back exactly */
	if (strlen(text) == 20 && text[10] == 'T' && text[19] == 'Z') {
		require(pcrm_time_format(t, 0, buf, sizeof(buf)) == PCRM_OK);
		require(strcmp(buf, text) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_TEXT + 1];
	uint64_t raw = 0;

	if (size > MAX_TEXT)
		size = MAX_TEXT;
	memcpy(text, data, size);
	text[size] = '\0';
	check_date_text(text);
	check_time_text(text);
	/* the same bytes as an instant, all of int64 */
	memcpy(&raw, data, size < sizeof(raw) ? size : sizeof(raw));
	check_instant((pcrm_time)raw);
	check_instant((pcrm_time)(raw % 400000000000u) - 100000000000);
	return 0;
}
