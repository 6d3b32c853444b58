/*
 * staffing_plan - how many agents a 95598 center needs, half-hour by
 * half-hour, and which shifts to roster to cover them.
 *
 * A day of forecast call volumes (48 half-hours) goes through the Erlang C
 * model with an 80/20 service goal (80% of calls answered within 20 s) and
 * 30% shrinkage; the resulting requirement is then covered by 8.5-hour day
 * shifts and a night shift over midnight at minimum paid time.
 *
 * Usage: staffing_plan [calls-per-day]      (default 6000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <powercrm.h>

#define HALF_HOURS 48

/* Share of the day's calls in each half-hour: a typical utility hotline,
 * quiet at night, peaking at 09:00-11:00 and again at 14:00-16:00. */
static const double day_shape[HALF_HOURS] = {
	0.4, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7,      /* 00:00-05:30 */
	0.9, 1.2, 1.8, 2.6, 3.4, 3.9, 4.2, 4.3, 4.1, 3.9, 3.5, 3.0,        /* 06:00-11:30 */
	2.6, 2.5, 2.9, 3.4, 3.7, 3.8, 3.6, 3.2, 2.9, 2.6, 2.3, 2.0,        /* 12:00-17:30 */
	1.9, 1.8, 1.7, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45,       /* 18:00-23:30 */
};

static int fail(const char *what, int rc)
{
	fprintf(stderr, "staffing_plan: %s: %s (%s)\n", what, pcrm_error_last(), pcrm_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	double per_day = argc > 1 ? atof(argv[1]) : 6000.0, total_shape = 0.0;
	pcrm_forecast_interval day[HALF_HOURS];
	pcrm_staffing_result need[HALF_HOURS] = { PCRM_STAFFING_RESULT_INIT };
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	int required[HALF_HOURS], staffed[HALF_HOURS], rc;

	for (int i = 0; i < HALF_HOURS; i++)
		total_shape += day_shape[i];
	for (int i = 0; i < HALF_HOURS; i++) {
		day[i].calls = per_day * day_shape[i] / total_shape;
		day[i].aht_s = i >= 16 && i < 40 ? 240.0 : 300.0; /* night calls are faults: longer */
	}
	target.service_level = 0.80;
	target.target_s = 20.0;
	target.max_occupancy = 0.90;
	if ((rc = pcrm_decimal_parse("0.30", &target.shrinkage)) < 0)
		return fail("shrinkage", rc);
	if ((rc = pcrm_staffing_curve(day, HALF_HOURS, 1800.0, 90.0, &target, need)) < 0)
		return fail("staffing curve", rc);
	for (int i = 0; i < HALF_HOURS; i++)
		required[i] = need[i].scheduled;

	/* Shifts: 8.5 h (17 half-hours) starting on the hour from 06:00 to
	 * 14:00, cost 17; a night shift 22:00-07:00 over midnight, cost 18 + 4
	 * for the night premium; a short evening shift 17:00-22:00, cost 10. */
	pcrm_shift shifts[12];
	size_t n = 0;
	for (int h = 6; h <= 14; h++) {
		pcrm_shift s = { (size_t)(2 * h), 17, NULL, 17, 0 };
		shifts[n++] = s;
	}
	pcrm_shift night = { 44, 18, NULL, 22, 0 }, evening = { 34, 10, NULL, 10, 0 };
	shifts[n++] = night;
	shifts[n++] = evening;

	pcrm_shift_problem problem = PCRM_SHIFT_PROBLEM_INIT;
	problem.intervals = HALF_HOURS;
	problem.required = required;
	problem.cyclic = 1; /* the day repeats: the night shift runs into the morning */
	problem.shifts = shifts;
	problem.shift_count = n;
	int counts[12];
	pcrm_shift_plan plan = PCRM_SHIFT_PLAN_INIT;
	if ((rc = pcrm_staffing_shift_plan(&problem, counts, staffed, &plan)) < 0)
		return fail("shift plan", rc);

	printf("%.0f calls a day, 80%% answered within 20 s, occupancy <= 90%%, shrinkage 30%%\n\n", per_day);
	printf(" time   calls  AHT  erlangs on-phone scheduled staffed  SL\n");
	for (int i = 0; i < HALF_HOURS; i++)
		printf("%02d:%02d %7.1f %4.0f %8.2f %8d %9d %7d  %.3f\n", i / 2, i % 2 * 30, day[i].calls,
		       day[i].aht_s, need[i].metrics.erlangs, need[i].agents, need[i].scheduled, staffed[i],
		       need[i].metrics.service_level);
	printf("\nShift plan (%s):\n", plan.optimal ? "proven optimal" : "heuristic");
	for (size_t j = 0; j < n; j++) {
		size_t end = (shifts[j].start + shifts[j].length) % HALF_HOURS;
		if (counts[j] > 0)
			printf("  %02zu:%02zu-%02zu:%02zu  %3d agents\n", shifts[j].start / 2, shifts[j].start % 2 * 30,
			       end / 2, end % 2 * 30, counts[j]);
	}
	printf("  %lld agent-days, cost %lld, surplus %lld agent-half-hours\n", (long long)plan.agents,
	       (long long)plan.cost, (long long)plan.surplus);
	return 0;
}
