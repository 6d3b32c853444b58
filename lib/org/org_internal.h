/* Internal: org-unit lookups that other modules need for scoping. */
#ifndef PCRM_ORG_INTERNAL_H
#define PCRM_ORG_INTERNAL_H

#include <powercrm/org.h>

#include "store/store.h"

struct pcrm_org_unit {
	char *code;
	char *name;
	char *parent; /* NULL at the top */
	char *path;
	int level;
	int version;
	pcrm_time created_at;
	pcrm_time updated_at;
};

/** The columns of a unit (as pcrm__org_from_row reads them) of the table aliased `a`. */
#define PCRM__ORG_COLUMNS(a)                                                                 \
	a ".code, " a ".name, " a ".parent_code, " a ".path, " a ".level, " a ".version, " a \
	".created_at, " a ".updated_at"

/** Fills a unit from columns first..first+7 of the current row (PCRM__ORG_COLUMNS). */
int pcrm__org_from_row(pcrm_rows *rows, int first, struct pcrm_org_unit *out);

/** Reads a unit without any permission check; PCRM_ENOTFOUND names the code. */
int pcrm__org_load(pcrm_ctx *ctx, const char *code, struct pcrm_org_unit *out);

/** Frees the strings of a unit filled by pcrm__org_load (not the struct). */
void pcrm__org_clear(struct pcrm_org_unit *unit);

/** Nonzero when `path` lies inside the subtree whose path is `ancestor_path`. */
int pcrm__org_path_within(const char *path, const char *ancestor_path);

/**
 * pcrm_authorize() that also hands back the org path the actor may see:
 * the target's path, or the actor's own when target_org is NULL (malloc'd,
 * the caller frees it).  Lets list queries filter to a subtree without
 * reading the org tree twice.
 */
int pcrm__authorize_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                          const char *target_org, char **scope_path);

/**
 * pcrm_authorize() with the actor's unit already read (`home`, NULL when it
 * does not exist), by a caller that joined it to a row it reads anyway: the
 * same checks, in the same order, one statement fewer.
 */
int pcrm__authorize_with_home(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                              const struct pcrm_org_unit *home, const char *target_org);

#endif
