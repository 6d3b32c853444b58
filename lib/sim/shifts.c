/*
 * From a staffing shift (staffing.h) to the stretches on duty the
 * simulation logs an agent on for.
 */
#include "sim_internal.h"
#include "core/error.h"

static int add(pcrm_sim_shift *out, size_t max, size_t *n, double start, double end)
{
	if (*n < max) {
		out[*n].start_s = start;
		out[*n].end_s = end;
	}
	(*n)++;
	return PCRM_OK;
}

int pcrm_sim_shift_stretches(const pcrm_shift *shift, size_t intervals, int cyclic,
                             double interval_s, pcrm_sim_shift *out, size_t max, size_t *count)
{
	if (!shift || !count || (max && !out))
		return pcrm__error(PCRM_EINVAL, "pcrm_sim_shift_stretches: shift, count and out are required");
	if (intervals == 0 || !(interval_s > 0.0 && interval_s <= 86400.0))
		return pcrm__error(PCRM_EINVAL, "pcrm_sim_shift_stretches: intervals must be >= 1 and "
		                   "interval_s in (0, 86400]");
	size_t n = 0;
	if (shift->pattern) {
		for (size_t t = 0; t < intervals;) {
			if (!shift->pattern[t]) {
				t++;
				continue;
			}
			size_t e = t;
			while (e < intervals && shift->pattern[e])
				e++;
			add(out, max, &n, (double)t * interval_s, (double)e * interval_s);
			t = e;
		}
	} else {
		if (shift->start >= intervals || shift->length == 0 || shift->length > intervals)
			return pcrm__error(PCRM_EINVAL, "shift: start %zu / length %zu do not fit %zu "
			                   "intervals", shift->start, shift->length, intervals);
		size_t end = shift->start + shift->length;
		if (end > intervals && cyclic) {
			/* over midnight: the part after the wrap comes first in time */
			add(out, max, &n, 0.0, (double)(end - intervals) * interval_s);
			end = intervals;
		} else if (end > intervals) {
			end = intervals;
		}
		add(out, max, &n, (double)shift->start * interval_s, (double)end * interval_s);
	}
	*count = n;
	if (n > max)
		return pcrm__error(PCRM_EOVERFLOW, "pcrm_sim_shift_stretches: %zu stretches, room for %zu",
		                   n, max);
	return PCRM_OK;
}
