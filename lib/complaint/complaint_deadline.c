/*
 * A ticket's reply deadline and how far past it a moment lies, in working
 * time.  The deadline is the carrying work order's process limit counted
 * from the ticket's acceptance (not from the work order's opening, which is
 * the clock's now even for a ticket filed afterwards with its accepted_at),
 * on the calendar stored with the definition version the work order runs
 * on; lateness is counted on the same calendar, or in plain seconds when
 * the version has no calendar (limits stated in clock time).
 */
#include <string.h>

#include "complaint_internal.h"
#include "core/error.h"
#include "workflow/workflow_store.h"

int pcrm__complaint_deadline(pcrm_ctx *ctx, const char *workflow, int version,
                             pcrm_time accepted_at, pcrm_time *due)
{
	pcrm_workflow *wf = NULL;
	pcrm_time warn;
	int rc = pcrm__workflow_load(ctx, workflow, version, &wf);
	*due = 0;
	if (rc == PCRM_OK && wf->process.set)
		rc = pcrm__workflow_limit_due(wf, &wf->process, accepted_at, due, &warn);
	pcrm_workflow_free(wf);
	return rc;
}

int pcrm__complaint_late_seconds(pcrm_ctx *ctx, const char *workflow, int version, pcrm_time due,
                                 pcrm_time at, int64_t *out)
{
	pcrm_workflow *wf = NULL;
	int rc;
	*out = 0;
	if (due == 0 || at <= due)
		return PCRM_OK;
	rc = pcrm__workflow_load(ctx, workflow, version, &wf);
	if (rc == PCRM_OK && wf->calendar)
		rc = pcrm_calendar_working_seconds_between(wf->calendar, due, at, out);
	else if (rc == PCRM_OK)
		*out = at - due;
	pcrm_workflow_free(wf);
	return rc;
}
