/* Internal: lib/workflow's store-facing helpers shared between its files. */
#ifndef PCRM_WORKFLOW_STORE_H
#define PCRM_WORKFLOW_STORE_H

#include "workflow_internal.h"

/**
 * Version `version` (0 = newest) of a stored definition, parsed once per
 * context and cached; free the reference with pcrm_workflow_free().
 */
int pcrm__workflow_load(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out);

/** How many definitions the context's cache holds (tests). */
int pcrm__workflow_count_cached(pcrm_ctx *ctx);

#endif
