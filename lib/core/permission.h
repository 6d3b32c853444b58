/* Internal: permissions by name, for documents that name one (workflow definitions). */
#ifndef PCRM_CORE_PERMISSION_H
#define PCRM_CORE_PERMISSION_H

#include <powercrm/actor.h>

/**
 * The permission whose pcrm_permission_name() is `name` ("kb.approve") into
 * *out; 0 when `name` is NULL or names none (no error is set: the caller
 * knows the JSON path to name).
 */
int pcrm__permission_by_name(const char *name, pcrm_permission *out);

#endif
