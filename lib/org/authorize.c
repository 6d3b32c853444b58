/*
 * The one permission check: role and level, the actor's org unit exists,
 * the target lies in the actor's subtree, township stations do not write
 * archives.  Every refusal is audited.
 *
 * What a refusal tells the caller never depends on data outside the actor's
 * subtree: a target unit that does not exist is refused with the same words
 * as one outside the subtree, and pcrm__authorize_object() does the same for
 * archived objects (customers, accounts, bills, ...) looked up by key.  The
 * audit entry keeps the true reason for the people who may read it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/error.h"
#include "org_internal.h"

static int deny(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                const char *target, const char *reason)
{
	return pcrm__audit_deny(ctx, actor, permission, "org_unit", target ? target : actor->org_unit,
	                        reason);
}

static int take_path(const char *path, char **scope_path)
{
	if (!scope_path)
		return PCRM_OK;
	*scope_path = strdup(path);
	return *scope_path ? PCRM_OK : pcrm__error_oom();
}

static int check_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                       const struct pcrm_org_unit *home, const char *target_org,
                       char **scope_path)
{
	struct pcrm_org_unit target;
	char reason[256];
	int rc, inside;

	if (permission == PCRM_PERM_ARCHIVE_WRITE && home->level == PCRM_ORG_TOWNSHIP) {
		snprintf(reason, sizeof(reason),
		         "township station %s has read-only access to customer archives", home->code);
		return deny(ctx, actor, permission, target_org, reason);
	}
	if (!target_org || strcmp(target_org, home->code) == 0)
		return take_path(home->path, scope_path); /* the row just read: not again */
	rc = pcrm__org_load(ctx, target_org, &target);
	if (rc == PCRM_ENOTFOUND) {
		/* Answered like a unit outside the subtree: no oracle for which codes exist. */
		inside = 0;
	} else if (rc != PCRM_OK) {
		return rc;
	} else {
		inside = pcrm__org_path_within(target.path, home->path);
		if (inside)
			rc = take_path(target.path, scope_path);
		pcrm__org_clear(&target);
		if (inside)
			return rc;
	}
	snprintf(reason, sizeof(reason), "org unit %.32s is outside %s's org unit %.32s",
	         target_org, actor->operator_id, home->code);
	return deny(ctx, actor, permission, target_org, reason);
}

int pcrm_authorize(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                   const char *target_org)
{
	return pcrm__authorize_scope(ctx, actor, permission, target_org, NULL);
}

/* What needs no unit: the actor itself and its role's permissions. */
static int check_actor(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                       const char *target_org)
{
	char reason[256];
	int rc = pcrm_actor_validate(actor);

	if (rc != PCRM_OK)
		return rc;
	if (!pcrm_permission_name(permission))
		return pcrm__error(PCRM_EINVAL, "permission: %d is not a known permission",
		                   (int)permission);
	if (!pcrm_actor_can(actor, permission)) {
		snprintf(reason, sizeof(reason), "operator %s (%s level %d) may not %s",
		         actor->operator_id, pcrm_role_name(actor->role), actor->level,
		         pcrm_permission_name(permission));
		return deny(ctx, actor, permission, target_org, reason);
	}
	return PCRM_OK;
}

static int no_home(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                   const char *target_org)
{
	char reason[256];
	snprintf(reason, sizeof(reason), "actor.org_unit: \"%.32s\" does not exist", actor->org_unit);
	return deny(ctx, actor, permission, target_org, reason);
}

int pcrm__authorize_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                          const char *target_org, char **scope_path)
{
	struct pcrm_org_unit home;
	int rc;

	if (scope_path)
		*scope_path = NULL;
	rc = check_actor(ctx, actor, permission, target_org);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__org_load(ctx, actor->org_unit, &home);
	if (rc == PCRM_ENOTFOUND)
		return no_home(ctx, actor, permission, target_org);
	if (rc != PCRM_OK)
		return rc;
	rc = check_scope(ctx, actor, permission, &home, target_org, scope_path);
	pcrm__org_clear(&home);
	return rc;
}

int pcrm__authorize_with_home(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                              const struct pcrm_org_unit *home, const char *target_org)
{
	int rc = check_actor(ctx, actor, permission, target_org);
	if (rc != PCRM_OK)
		return rc;
	if (!home)
		return no_home(ctx, actor, permission, target_org);
	return check_scope(ctx, actor, permission, home, target_org, NULL);
}

/*
 * The caller-facing words for an object the actor may not reach: the same
 * whether it is outside the subtree or does not exist at all.
 */
static int refuse_object(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                         const char *kind, const char *key, const char *audit_reason)
{
	pcrm__audit_deny(ctx, actor, permission, kind, key, audit_reason);
	/* Not even the key: a record found through another (a meter's customer) stays unnamed. */
	pcrm__error_at(PCRM_EPERM, "permission.denied", kind,
	               "%s: unknown or outside the org subtree of %s's org unit %.32s", kind,
	               actor->operator_id, actor->org_unit);
	pcrm__error_value("org_unit", "%.32s", actor->org_unit);
	return PCRM_EPERM;
}

/* The object part, with the actor's unit read (`home`): scope, township rule, one refusal. */
static int object_check(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                        const struct pcrm_org_unit *home, const char *kind, const char *key,
                        const char *owner_org)
{
	struct pcrm_org_unit target;
	char reason[256];
	int rc, inside = 0;

	if (permission == PCRM_PERM_ARCHIVE_WRITE && home->level == PCRM_ORG_TOWNSHIP)
		return check_scope(ctx, actor, permission, home, NULL, NULL); /* the actor alone */
	if (!owner_org) {
		snprintf(reason, sizeof(reason), "%s \"%.64s\" does not exist", kind, key);
	} else if (strcmp(owner_org, home->code) == 0) {
		return PCRM_OK;
	} else if ((rc = pcrm__org_load(ctx, owner_org, &target)) == PCRM_OK) {
		inside = pcrm__org_path_within(target.path, home->path);
		pcrm__org_clear(&target);
		snprintf(reason, sizeof(reason), "%s \"%.64s\" of org unit %.32s is outside org unit %.32s",
		         kind, key, owner_org, home->code);
	} else if (rc == PCRM_ENOTFOUND) {
		snprintf(reason, sizeof(reason), "%s \"%.64s\" belongs to missing org unit %.32s", kind,
		         key, owner_org);
	} else {
		return rc;
	}
	if (inside)
		return PCRM_OK;
	return refuse_object(ctx, actor, permission, kind, key, reason);
}

int pcrm__authorize_object(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                           const char *kind, const char *key, const char *owner_org)
{
	struct pcrm_org_unit home;
	int rc = check_actor(ctx, actor, permission, owner_org);

	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__org_load(ctx, actor->org_unit, &home);
	if (rc == PCRM_ENOTFOUND)
		return no_home(ctx, actor, permission, NULL);
	if (rc != PCRM_OK)
		return rc;
	rc = object_check(ctx, actor, permission, &home, kind, key, owner_org);
	pcrm__org_clear(&home);
	return rc;
}

int pcrm__authorize_object_with_home(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     pcrm_permission permission,
                                     const struct pcrm_org_unit *home, const char *kind,
                                     const char *key, const char *owner_org)
{
	int rc = check_actor(ctx, actor, permission, owner_org);
	if (rc != PCRM_OK)
		return rc;
	if (!home)
		return no_home(ctx, actor, permission, NULL);
	return object_check(ctx, actor, permission, home, kind, key, owner_org);
}

int pcrm__authorize_found(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                          const char *kind, const char *key, int lookup_rc, const char *owner_org)
{
	if (lookup_rc == PCRM_ENOTFOUND)
		return pcrm__authorize_object(ctx, actor, permission, kind, key, NULL);
	if (lookup_rc != PCRM_OK)
		return lookup_rc;
	return pcrm__authorize_object(ctx, actor, permission, kind, key, owner_org);
}
