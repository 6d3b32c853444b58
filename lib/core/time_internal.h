/* Internal: the range of civil time and helpers shared by time.c and the calendar. */
#ifndef PCRM_CORE_TIME_INTERNAL_H
#define PCRM_CORE_TIME_INTERNAL_H

#include <powercrm/time.h>

/* Day numbers (days since 1970-01-01) of 0001-01-01 and 9999-12-31: civil time ends there. */
#define PCRM__MIN_DAY ((int64_t)-719162)
#define PCRM__MAX_DAY ((int64_t)2932896)

/* Local seconds (instant + offset) of 0001-01-01T00:00:00 and 9999-12-31T23:59:59. */
#define PCRM__MIN_LOCAL (PCRM__MIN_DAY * 86400)
#define PCRM__MAX_LOCAL (PCRM__MAX_DAY * 86400 + 86399)

/* The widest UTC offset accepted anywhere: +-18:00, as ISO 8601 and java.time allow. */
#define PCRM__MAX_UTC_OFFSET (18 * 3600)

/* Floor division and the matching non-negative remainder (b > 0). */
static inline int64_t pcrm__floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static inline int64_t pcrm__floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

/*
 * Parses a UTC offset of exactly `len` bytes: "Z", "+HH:MM", "-HH:MM",
 * "+HHMM" or "-HHMM", at most 18:00 either way; "-00:00" means "offset
 * unknown" in RFC 3339 and is refused.  On failure raises PCRM_EINVAL with a
 * message that does not quote the input (the caller prefixes it).
 */
int pcrm__parse_utc_offset(const char *text, size_t len, int *out);

#endif
