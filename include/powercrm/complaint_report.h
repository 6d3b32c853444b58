/*
 * libpowercrm - the periodic complaint report (投诉统计报表): a day, an ISO
 * week or a calendar month of complaint tickets for an org unit subtree, as
 * JSON and as a printable, self-contained HTML page with Chinese labels.
 *
 * The report is built on the public statistics (pcrm_complaint_stats_compute())
 * and adds the previous period for comparison (period-on-period, 环比), the
 * list of overdue open tickets and the list of repeat tickets.  The
 * definitions are in docs/complaints.md ("The periodic report").
 *
 * Periods are read in the context's UTC offset (China: UTC+8): a day runs
 * from local midnight to local midnight, a week from Monday 00:00 to the
 * next Monday (ISO 8601), a month from the 1st 00:00 to the next 1st.
 *
 * Permissions: PCRM_PERM_ARCHIVE_READ on the requested unit (an actor reads
 * its own subtree, a monitor reads everything); nothing outside it appears.
 * Personal data never appears: sealed fields (an anonymous caller, the
 * person complained about) are left out of the report altogether.
 *
 * Threads: a report object is immutable once returned.
 */
#ifndef POWERCRM_COMPLAINT_REPORT_H
#define POWERCRM_COMPLAINT_REPORT_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_complaint_report pcrm_complaint_report;

/** Default and largest number of tickets in each list of the report. */
#define PCRM_COMPLAINT_REPORT_LIMIT 100
#define PCRM_COMPLAINT_REPORT_LIMIT_MAX 1000

/**
 * The period [*period_from, *period_to) of `kind` that contains the local date `date`
 * ("YYYY-MM-DD") at `utc_offset` seconds east of UTC:
 *
 *   "day"    that date, 00:00 to the next day's 00:00
 *   "week"   the ISO week: the Monday on or before it, 7 days
 *   "month"  the calendar month: the 1st to the next month's 1st
 *
 * PCRM_EINVAL naming "period" for another kind, "date" for a date that does
 * not parse, "utc_offset" beyond +-18:00.  Pure and thread-safe.
 */
PCRM_EXTERN(int) pcrm_complaint_period(const char *kind, const char *date, int utc_offset,
                                       pcrm_time *period_from, pcrm_time *period_to);

/**
 * Builds the report described by the request document:
 *
 *   period    required  "day", "week", "month" or "custom"
 *   date      day/week/month: a local date "YYYY-MM-DD" inside the period
 *   from, to  custom only: ISO 8601 instants, from before to
 *   org_unit  optional  the subtree reported on; default the actor's unit
 *   limit     optional  1..PCRM_COMPLAINT_REPORT_LIMIT_MAX tickets per list
 *                       (default PCRM_COMPLAINT_REPORT_LIMIT)
 *
 * The previous period is the day, ISO week or calendar month before; for a
 * custom period, the span of the same length ending where it starts.
 * Refused with PCRM_EINVAL naming the field for an unknown kind, a missing
 * or malformed date, an inverted or empty period ("to: not after from"),
 * unknown keys; PCRM_EPERM ("org_unit: ...") for a unit outside the actor's
 * subtree (audited as "permission.denied").  Reads only: nothing is stored.
 * Free *out with pcrm_complaint_report_free().
 */
PCRM_EXTERN(int) pcrm_complaint_report_build(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *request, pcrm_complaint_report **out);

/**
 * The report as one JSON object (docs/complaints.md lists its keys): the
 * period and the previous one, totals of both, the change between them,
 * the statistics by responsible unit and by category, the overdue and the
 * repeat list.  Lives as long as the report.
 */
PCRM_EXTERN(const char *) pcrm_complaint_report_json(const pcrm_complaint_report *report);

/**
 * The report as a printable HTML page (UTF-8, Chinese labels, styles
 * inline, no outside resources); every text from the store is escaped.
 * Lives as long as the report.
 */
PCRM_EXTERN(const char *) pcrm_complaint_report_html(const pcrm_complaint_report *report);

/** Frees a report; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_complaint_report_free(pcrm_complaint_report *report);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_COMPLAINT_REPORT_H */
