/*
 * Reporting progress of a long call to the caller's pcrm_progress_fn, and
 * turning a request to stop into the one error every such call returns.
 */
#ifndef PCRM_CORE_PROGRESS_H
#define PCRM_CORE_PROGRESS_H

#include <stdint.h>

#include <powercrm/common.h>

/**
 * Calls `progress` (when not NULL) with `done`.  PCRM_OK to go on; when the
 * callback returns nonzero, PCRM_ESTATE with "WHAT stopped by the progress
 * callback; UNIT so far: DONE" (`what` e.g. "audit verification",
 * `unit` e.g. "entries checked").
 */
int pcrm__progress_report(pcrm_progress_fn progress, void *userdata, int64_t done,
                          const char *what, const char *unit);

#endif
