/*
 * libpowercrm - instants, civil time in a fixed UTC offset, clocks.
 *
 * An instant (pcrm_time) is a count of seconds since 1970-01-01T00:00:00Z.
 * Civil (wall-clock) time is always read in a fixed offset from UTC: China
 * uses UTC+8 all year round (no daylight saving), PCRM_UTC_OFFSET_CHINA.
 * The library never consults the process time zone (TZ) or the system clock
 * directly: the current time comes from a clock owned by the context, which
 * tests and simulations replace.
 *
 * All functions here are pure and thread-safe.
 */
#ifndef POWERCRM_TIME_H
#define POWERCRM_TIME_H

#include <powercrm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Seconds since the Unix epoch, UTC. */
typedef int64_t pcrm_time;

/** China Standard Time, UTC+8, in seconds. */
#define PCRM_UTC_OFFSET_CHINA (8 * 3600)

/** A wall-clock date and time. */
typedef struct pcrm_civil {
	int year;   /**< 1..9999 */
	int month;  /**< 1..12 */
	int day;    /**< 1..31 */
	int hour;   /**< 0..23 */
	int minute; /**< 0..59 */
	int second; /**< 0..59 (no leap seconds) */
} pcrm_civil;

/** A calendar date without time, ordered as yyyymmdd when compared numerically. */
typedef struct pcrm_date {
	int year;
	int month;
	int day;
} pcrm_date;

/**
 * Converts wall-clock time at `utc_offset` seconds east of UTC to an instant.
 * PCRM_EINVAL names the bad field (e.g. "day 31 is out of range for 2026-02");
 * offsets are accepted up to +-18:00 (+-64800 seconds) everywhere.
 */
PCRM_EXTERN(int) pcrm_time_from_civil(const pcrm_civil *civil, int utc_offset, pcrm_time *out);

/**
 * Converts an instant to wall-clock time at `utc_offset`.  PCRM_EOVERFLOW when
 * that wall-clock time falls outside years 1..9999.
 */
PCRM_EXTERN(int) pcrm_time_to_civil(pcrm_time t, int utc_offset, pcrm_civil *out);

/** ISO weekday of a date: 1 = Monday ... 7 = Sunday; 0 for an invalid date. */
PCRM_EXTERN(int) pcrm_date_weekday(pcrm_date date);

/** Nonzero when the date exists in the proleptic Gregorian calendar, years 1..9999. */
PCRM_EXTERN(int) pcrm_date_is_valid(pcrm_date date);

/** Days since 1970-01-01 of a valid date (negative before); INT64_MIN for an invalid one. */
PCRM_EXTERN(int64_t) pcrm_date_to_days(pcrm_date date);

/**
 * The date `days` days after 1970-01-01; {0, 0, 0} (an invalid date) outside
 * 0001-01-01 .. 9999-12-31.
 */
PCRM_EXTERN(pcrm_date) pcrm_date_from_days(int64_t days);

/** Number of days in a month (0 for an invalid month). */
PCRM_EXTERN(int) pcrm_days_in_month(int year, int month);

/**
 * Parses "YYYY-MM-DD" strictly (exactly ten characters, a valid date in years
 * 1..9999).  PCRM_EINVAL with the reason otherwise.
 */
PCRM_EXTERN(int) pcrm_date_parse(const char *text, pcrm_date *out);

/**
 * Parses an ISO 8601 / RFC 3339 instant: "2026-11-22T08:30:00+08:00",
 * "2026-11-22T00:30:00Z" or "2026-11-22 08:30:00+0800".  An explicit offset
 * is required: text without one is rejected rather than guessed.  Also
 * rejected: fractional seconds, lower-case 't'/'z', second 60, offsets beyond
 * 18:00 and "-00:00" (RFC 3339's "offset unknown").  Text accepted here and
 * written with 'T' and 'Z' is exactly what pcrm_time_format() writes.
 */
PCRM_EXTERN(int) pcrm_time_parse(const char *text, pcrm_time *out);

/**
 * Formats an instant as "YYYY-MM-DDTHH:MM:SS+HH:MM" at `utc_offset` ("Z" for
 * offset 0) into `buf` (26 bytes are needed, 32 suffice).  PCRM_EINVAL when
 * the buffer is too small or the offset is not whole minutes; PCRM_EOVERFLOW
 * outside years 1..9999.  On failure buf holds "" (when size > 0).
 */
PCRM_EXTERN(int) pcrm_time_format(pcrm_time t, int utc_offset, char *buf, size_t size);

/** A clock: returns the current instant.  `userdata` is the pointer registered with it. */
typedef pcrm_time (*pcrm_clock_fn)(void *userdata);

/**
 * The system clock (CLOCK_REALTIME, whole seconds, truncated); the default of
 * a context.  `userdata` is ignored.
 */
PCRM_EXTERN(pcrm_time) pcrm_clock_system(void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_TIME_H */
