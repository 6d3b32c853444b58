/* Internal: the loaded form of a business calendar, shared by calendar.c and calendar_load.c. */
#ifndef PCRM_CORE_CALENDAR_INTERNAL_H
#define PCRM_CORE_CALENDAR_INTERNAL_H

#include <powercrm/calendar.h>

/* Intervals one day may list; minute resolution would allow 720, nobody needs more than a few. */
#define PCRM__MAX_INTERVALS 48

/* One working interval, in seconds since local midnight: [start, end), 0 <= start < end <= 86400. */
struct pcrm__interval {
	int32_t start;
	int32_t end;
};

/* One day's working hours: ascending, disjoint, touching intervals merged. */
struct pcrm__hours {
	int count;
	int64_t total; /* working seconds of the whole day */
	struct pcrm__interval iv[PCRM__MAX_INTERVALS];
};

/* Holidays as inclusive ranges of day numbers (days since 1970-01-01 local). */
struct pcrm__day_range {
	int64_t first;
	int64_t last;
	size_t index; /* position in the document's "holidays", for messages */
};

struct pcrm__make_up {
	int64_t day;
	int hours_as; /* index into week[]: 0 = Monday */
	size_t index; /* position in the document's "make_up_working_days" */
};

struct pcrm_calendar {
	char *name;
	int utc_offset;
	struct pcrm__hours week[7]; /* Monday first, as ISO weekdays */
	int64_t week_total;         /* working seconds of an ordinary week */
	int week_days;              /* weekdays with working hours */
	struct pcrm__day_range *holidays; /* sorted by first, disjoint */
	size_t holiday_count;
	struct pcrm__make_up *make_ups;   /* sorted by day, none on a holiday */
	size_t make_up_count;
};

/* The holiday range containing `day`, or NULL (binary search; calendar.c). */
const struct pcrm__day_range *pcrm__calendar_holiday(const pcrm_calendar *cal, int64_t day);

#endif
