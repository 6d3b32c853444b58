/* Progress callbacks of long calls (progress.h). */
#include "core/progress.h"

#include "core/error.h"

int pcrm__progress_report(pcrm_progress_fn progress, void *userdata, int64_t done,
                          const char *what, const char *unit)
{
	if (!progress || progress(done, userdata) == 0)
		return PCRM_OK;
	return pcrm__error(PCRM_ESTATE, "%s stopped by the progress callback; %s so far: %lld",
	                   what, unit, (long long)done);
}
