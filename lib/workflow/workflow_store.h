/* Internal: lib/workflow's store-facing helpers shared between its files. */
#ifndef PCRM_WORKFLOW_STORE_H
#define PCRM_WORKFLOW_STORE_H

#include "workflow_internal.h"

/**
 * Version `version` (0 = the newest base version) of a stored definition, parsed once per
 * context and cached; free the reference with pcrm_workflow_free().
 */
int pcrm__workflow_load(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out);

/**
 * The version a work order of `org_unit` opens with: the newest override
 * of the deepest unit on the unit's path, else the newest base version
 * (docs/security.md, "Tariff and definition ownership"); cached as above.
 */
int pcrm__workflow_load_for(pcrm_ctx *ctx, const char *name, const char *org_unit,
                            pcrm_workflow **out);

/** How many definitions the context's cache holds (tests). */
int pcrm__workflow_count_cached(pcrm_ctx *ctx);

#endif
