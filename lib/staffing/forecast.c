/*
 * From forecasts to staffing: the per-interval staffing curve, and a
 * forecast made by averaging history by weekday and interval.
 */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/out_version.h"
#include "staffing_internal.h"

static int check_interval(const pcrm_forecast_interval *f, const char *what, size_t i)
{
	int rc;

	if ((rc = pcrm__staff_check("calls", f->calls, 0)) < 0 ||
	    (rc = pcrm__staff_check("aht_s", f->aht_s, f->calls > 0.0)) < 0) {
		pcrm__error_prefix("%s %zu", what, i);
		return rc;
	}
	return PCRM_OK;
}

int pcrm_staffing_curve(const pcrm_forecast_interval *intervals, size_t count,
                        double interval_s, double patience_s,
                        const pcrm_staffing_target *target, pcrm_staffing_result *out)
{
	int rc;

	if (intervals == NULL && count > 0)
		return pcrm__error(PCRM_EINVAL, "intervals: NULL");
	if (out == NULL && count > 0)
		return pcrm__error(PCRM_EINVAL, "out: NULL");
	if ((rc = pcrm__staff_check("interval_s", interval_s, 1)) < 0)
		return rc;
	/* An array: out[0]'s version is the layout of every element (docs/abi.md). */
	if (count > 0 && (rc = PCRM__OUT_VERSION_CHECK("out[0]", &out[0], PCRM_STAFFING_RESULT)) < 0)
		return rc;
	/* Validate everything before writing anything. */
	for (size_t i = 0; i < count; i++)
		if ((rc = check_interval(&intervals[i], "interval", i)) < 0)
			return rc;
	for (size_t i = 0; i < count; i++) {
		pcrm_queue q;
		q.calls = intervals[i].calls;
		q.interval_s = interval_s;
		/* A zero-call interval may carry no handle time: any positive one
		 * gives the same (idle) answer. */
		q.aht_s = intervals[i].calls > 0.0 ? intervals[i].aht_s : 1.0;
		q.patience_s = patience_s;
		out[i].version = out[0].version;
		if ((rc = pcrm_staffing_required(&q, target, &out[i])) < 0) {
			pcrm__error_prefix("interval %zu", i);
			return rc;
		}
	}
	return PCRM_OK;
}

int pcrm_staffing_weekday_profile(const pcrm_forecast_interval *history, size_t days,
                                  size_t per_day, int first_weekday,
                                  pcrm_forecast_interval *profile, int samples[7])
{
	int count[7] = { 0 };
	int rc;

	if (history == NULL && days > 0)
		return pcrm__error(PCRM_EINVAL, "history: NULL");
	if (profile == NULL)
		return pcrm__error(PCRM_EINVAL, "profile: NULL");
	if (per_day == 0 || per_day > 24 * 3600)
		return pcrm__error(PCRM_EINVAL, "per_day: %zu is not in 1..86400", per_day);
	if (days > (size_t)1 << 20 || days * per_day > (size_t)1 << 28)
		return pcrm__error(PCRM_EINVAL, "days: %zu days of %zu intervals is too much history",
		                   days, per_day);
	if (first_weekday < 0 || first_weekday > 6)
		return pcrm__error(PCRM_EINVAL, "first_weekday: %d is not in 0 (Monday)..6 (Sunday)",
		                   first_weekday);
	for (size_t i = 0; i < days * per_day; i++)
		if ((rc = check_interval(&history[i], "history entry", i)) < 0)
			return rc;

	for (size_t d = 0; d < days; d++)
		count[(first_weekday + (int)(d % 7)) % 7]++;
	for (int w = 0; w < 7; w++) {
		for (size_t i = 0; i < per_day; i++) {
			double calls = 0.0, handled = 0.0, aht_sum = 0.0;
			for (size_t d = (size_t)((w - first_weekday + 7) % 7); d < days; d += 7) {
				const pcrm_forecast_interval *h = &history[d * per_day + i];
				calls += h->calls;
				handled += h->calls * h->aht_s;
				aht_sum += h->aht_s;
			}
			pcrm_forecast_interval *p = &profile[(size_t)w * per_day + i];
			p->calls = count[w] > 0 ? calls / count[w] : 0.0;
			/* Handle time is a per-call mean: weight each day by its calls. */
			p->aht_s = calls > 0.0 ? handled / calls : (count[w] > 0 ? aht_sum / count[w] : 0.0);
		}
	}
	if (samples != NULL)
		memcpy(samples, count, sizeof(count));
	return PCRM_OK;
}
