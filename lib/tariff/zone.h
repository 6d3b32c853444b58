/*
 * Internal: an IANA time zone read from the system's tzdata (TZif files,
 * RFC 8536), so that a tariff's TOU hours fall on local clock hours across
 * daylight-saving changes.
 *
 * Why parse TZif instead of asking the C library: localtime_r() reads the
 * process-wide TZ variable, and switching zones means setenv() + tzset(),
 * which is neither thread-safe nor the library's business (it would change
 * the calling program's zone).  A TZif file is a small, stable, documented
 * format; parsed once when a tariff is loaded, a zone is an immutable table
 * that any thread can read, and bill computation stays free of I/O.
 */
#ifndef PCRM_TARIFF_ZONE_H
#define PCRM_TARIFF_ZONE_H

#include <stddef.h>
#include <stdint.h>

/* Longest zone name accepted ("America/Argentina/ComodRivadavia" is 32). */
#define PCRM__ZONE_NAME_MAX 64

/* One end of daylight time in a POSIX TZ rule (the TZif footer). */
struct pcrm__zone_date {
	char kind;    /* 'J': Julian day 1..365 without Feb 29; 'N': day 0..365; 'M': month rule */
	int day;      /* J and N */
	int month, week, weekday; /* M: month 1..12, week 1..5 (5 = last), weekday 0 = Sunday */
	int32_t secs; /* local time of day of the change, -167..167 hours */
};

/* The rule for instants after the last transition (the TZif footer). */
struct pcrm__zone_rule {
	int present;
	int has_dst;
	int32_t std_off, dst_off; /* UTC offsets in seconds (east positive) */
	struct pcrm__zone_date start, end;
};

struct pcrm__zone {
	char name[PCRM__ZONE_NAME_MAX + 1];
	size_t count;    /* transitions */
	int64_t *at;     /* transition instants, strictly increasing */
	int32_t *offset; /* UTC offset from at[i] on */
	int32_t initial; /* UTC offset before the first transition */
	struct pcrm__zone_rule rule;
};

/*
 * Parses TZif data (version 2 or later; the 64-bit part is used).  On
 * failure PCRM_EINVAL naming what is wrong ("TZif: ...").  Leap-second
 * ("right/") files are refused.  Offsets must lie within +-18:00.
 */
int pcrm__zone_parse(const unsigned char *data, size_t len, struct pcrm__zone *out);

/*
 * Loads zone `name` (e.g. "America/New_York") from $TZDIR or
 * /usr/share/zoneinfo.  The name is checked first (letters, digits, '/',
 * '_', '-', '+'; no "." component, no leading '/'), so it cannot reach
 * outside the zone directory.  Errors name `what` (the JSON path).
 */
int pcrm__zone_load(const char *what, const char *name, struct pcrm__zone *out);

/* The UTC offset (seconds) in force at instant t. */
int32_t pcrm__zone_offset_at(const struct pcrm__zone *z, int64_t t);

/*
 * The first instant at or after which local time is at least `local`
 * (local seconds since 1970-01-01): the UTC start of a local day when
 * `local` is a midnight, also when that midnight falls in a gap.
 */
int64_t pcrm__zone_local_start(const struct pcrm__zone *z, int64_t local);

/*
 * The first transition strictly after t, or INT64_MAX when the offset never
 * changes again.
 */
int64_t pcrm__zone_next_change(const struct pcrm__zone *z, int64_t t);

void pcrm__zone_clear(struct pcrm__zone *z);

#endif
