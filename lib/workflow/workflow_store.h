/* Internal: lib/workflow's store-facing helpers shared between its files. */
#ifndef PCRM_WORKFLOW_STORE_H
#define PCRM_WORKFLOW_STORE_H

#include "workflow_internal.h"

/** Loads and parses version `version` (0 = newest) of a stored definition. */
int pcrm__workflow_load(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out);

#endif
