/*
 * Fuzz target for calendar documents: whatever pcrm_calendar_load()
 * accepts must support the arithmetic without crashing, looping or
 * leaking, and the arithmetic must hold its invariants: the working time
 * counted between start and add(start, d) is d, add() of zero is the
 * identity, and failures are only the documented statuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/calendar.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOC (64 * 1024)

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_calendar.c:%d: invariant failed: %s\n", line, what);
	abort();
}

/* Instants around the shipped year, the epoch and the edges of civil time. */
static const pcrm_time starts[] = {
	1770861600,              /* 2026-02-12T10:00:00+08:00 */
	1767196800,              /* 2026-01-01T00:00:00+08:00 */
	1790000000, 0, -1,
	INT64_C(253402200000),   /* late in 9999 */
	INT64_C(-62135500000),   /* early in year 1 */
};

static const int64_t durations[] = { 0, 1, 3599, 27000, 86400, 5 * 27000 + 17, 10000000 };

static void check_calendar(const pcrm_calendar *cal)
{
	require(pcrm_calendar_name(cal) != NULL && pcrm_calendar_name(cal)[0] != '\0');
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		pcrm_time s = starts[i], end;
		int64_t between;
		int rc;

		(void)pcrm_calendar_is_working_time(cal, s);
		for (size_t j = 0; j < sizeof(durations) / sizeof(durations[0]); j++) {
			rc = pcrm_calendar_add_working_seconds(cal, s, durations[j], &end);
			if (rc != PCRM_OK) {
				require(durations[j] > 0);
				require(rc == PCRM_ENOTFOUND || rc == PCRM_EOVERFLOW || rc == PCRM_EINVAL);
				continue;
			}
			require(end >= s);
			require(durations[j] > 0 || end == s);
			require(pcrm_calendar_working_seconds_between(cal, s, end, &between) == PCRM_OK);
			require(between == durations[j]);
			if (durations[j] > 0)
				require(pcrm_calendar_is_working_time(cal, end - 1));
		}
		for (int days = 0; days <= 6; days += 3) {
			rc = pcrm_calendar_add_working_days(cal, s, days, &end);
			if (rc == PCRM_OK)
				require(days > 0 ? end > s : end == s);
			else
				require(rc == PCRM_ENOTFOUND || rc == PCRM_EOVERFLOW || rc == PCRM_EINVAL);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char doc[MAX_DOC + 1];
	pcrm_calendar *cal = NULL;

	if (size > MAX_DOC)
		size = MAX_DOC;
	memcpy(doc, data, size);
	doc[size] = '\0';
	if (pcrm_calendar_load(&cal, doc) != PCRM_OK) {
		require(cal == NULL);
		return 0;
	}
	check_calendar(cal);
	pcrm_calendar_free(cal);
	return 0;
}
