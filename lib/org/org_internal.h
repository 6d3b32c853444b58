/* Internal: org-unit lookups that other modules need for scoping. */
#ifndef PCRM_ORG_INTERNAL_H
#define PCRM_ORG_INTERNAL_H

#include <powercrm/org.h>

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

#endif
