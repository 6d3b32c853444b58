/*
 * libpowercrm - business calendars: working hours, holidays, make-up days.
 *
 * A business calendar says when work is done: working-hour intervals per
 * weekday, public holidays (no work even on a weekday) and make-up working
 * days (a weekend day that is worked, China's 调休), all read in one fixed
 * UTC offset.  Calendars are data: a JSON document (docs/calendar-format.md)
 * loaded with pcrm_calendar_load(); data/calendars/ ships an example year of
 * Chinese public holidays.
 *
 * Work-order time limits are computed with these functions: "due 5 working
 * days after acceptance", "how much working time has passed".
 *
 * A loaded calendar is immutable and may be shared between threads.
 */
#ifndef POWERCRM_CALENDAR_H
#define POWERCRM_CALENDAR_H

#include <powercrm/common.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_calendar pcrm_calendar;

/**
 * Loads a calendar from a JSON document (NUL-terminated).  The document is
 * validated completely; PCRM_EINVAL names the path of the bad field, e.g.
 * "working_hours.mon[1]: end 12:00 is not after start 13:30".  Free the
 * result with pcrm_calendar_free().
 */
PCRM_EXTERN(int) pcrm_calendar_load(pcrm_calendar **out, const char *json);

/** Loads a calendar from a JSON file (PCRM_EIO when it cannot be read). */
PCRM_EXTERN(int) pcrm_calendar_load_file(pcrm_calendar **out, const char *path);

/** Frees a calendar; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_calendar_free(pcrm_calendar *cal);

/** The calendar's name from its document; lives as long as the calendar (NULL for NULL). */
PCRM_EXTERN(const char *) pcrm_calendar_name(const pcrm_calendar *cal);

/** The UTC offset (seconds east) in which the calendar's days and hours are read. */
PCRM_EXTERN(int) pcrm_calendar_utc_offset(const pcrm_calendar *cal);

/**
 * Nonzero when `date` is a working day: a make-up working day, or a weekday
 * with working hours that is not a holiday.
 */
PCRM_EXTERN(int) pcrm_calendar_is_working_day(const pcrm_calendar *cal, pcrm_date date);

/**
 * Nonzero when instant `t` falls inside working hours.  Intervals are
 * half-open: with 08:30-12:00, 08:30:00 is working time and 12:00:00 is not.
 */
PCRM_EXTERN(int) pcrm_calendar_is_working_time(const pcrm_calendar *cal, pcrm_time t);

/**
 * The earliest instant at which `seconds` of working time have passed after
 * `start` (start itself may lie outside working hours: counting begins at the
 * next working moment, so a start inside a break counts from the break's
 * end).  A count that uses up an interval exactly ends at that interval's end
 * (Monday 17:00 + 30 min with hours until 17:30 is Monday 17:30, not Tuesday
 * morning).  seconds = 0 returns start unchanged.  Fails with PCRM_EINVAL for
 * negative seconds or a start outside years 1..9999, with PCRM_ENOTFOUND when
 * no working time comes within 3660 days (about ten years; e.g. no working
 * hours at all), and with PCRM_EOVERFLOW when the result would fall after
 * 9999-12-31.  The cost does not grow with `seconds`: whole weeks are skipped.
 */
PCRM_EXTERN(int) pcrm_calendar_add_working_seconds(const pcrm_calendar *cal, pcrm_time start,
                                                   int64_t seconds, pcrm_time *out);

/**
 * The instant `days` working days after `start`: the same wall-clock time on
 * the days-th following working day (a start outside working hours counts from
 * the next working moment; when that time of day lies outside the target
 * day's hours, the end of that day's working hours).  Used for limits stated
 * as "within 5 working days".  Example: a start on Friday 18:00 becomes Monday
 * 08:30, so one working day later is Tuesday 08:30.  days = 0 returns start
 * unchanged.  Fails like pcrm_calendar_add_working_seconds() (PCRM_EINVAL for
 * negative days).
 */
PCRM_EXTERN(int) pcrm_calendar_add_working_days(const pcrm_calendar *cal, pcrm_time start,
                                                int days, pcrm_time *out);

/**
 * Working seconds in [from, to) (0 when to <= from); the inverse of
 * pcrm_calendar_add_working_seconds(): between(start, add(start, s)) == s.
 * PCRM_EINVAL only for an instant outside years 1..9999.
 */
PCRM_EXTERN(int) pcrm_calendar_working_seconds_between(const pcrm_calendar *cal, pcrm_time from,
                                                       pcrm_time to, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_CALENDAR_H */
