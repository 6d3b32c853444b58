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

/**
 * The permission check for one archived object found by its key (a
 * customer, account, bill, ...): pcrm_authorize() against `owner_org`, the
 * org unit the object belongs to, or NULL when no object has that key.  A
 * missing object and one outside the actor's subtree are refused alike:
 * PCRM_EPERM with the message `<kind>: unknown or outside the org subtree
 * of <operator>'s org unit <unit>` (the key only in the audit entry), so the
 * answer never tells whether the key exists elsewhere or who owns it.  The audit entry records the true reason.  A malformed
 * actor, a role without the permission, an actor whose unit does not exist
 * and the township rule are answered first, from the actor alone.
 */
int pcrm__authorize_object(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                           const char *kind, const char *key, const char *owner_org);

/** pcrm__authorize_object() with the actor's unit already read (NULL: it does not exist). */
int pcrm__authorize_object_with_home(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     pcrm_permission permission,
                                     const struct pcrm_org_unit *home, const char *kind,
                                     const char *key, const char *owner_org);

/**
 * pcrm__authorize_object() after a lookup that returned `lookup_rc`:
 * PCRM_ENOTFOUND becomes the refusal for a missing object, another error
 * is returned as it is, PCRM_OK checks `owner_org`.  Lets a caller write
 * `rc = load(...); rc = pcrm__authorize_found(..., rc, org);`.
 */
int pcrm__authorize_found(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                          const char *kind, const char *key, int lookup_rc, const char *owner_org);

/** What is stored of a shared document id (a tariff, a workflow definition), for publishing. */
struct pcrm__published {
	const char *kind; /* "tariff", "workflow": the audit object type */
	const char *id;
	pcrm_permission permission; /* what publishing needs */
	int exists;                 /* some version of the id is stored */
	const char *owner;          /* its owner unit; NULL: stored before ownership (the top) */
	int overridable;            /* the newest base version allows overrides */
};

/**
 * Whether the actor, already authorised for p->permission in its own unit,
 * may publish a version of p->id, and as what (lib/org/publish.c): a base
 * version (*override 0: the actor's unit is the owner or an ancestor, or the
 * id is new) or an override for the actor's own subtree (*override 1: the
 * actor's unit lies inside the owner's subtree and the newest base version
 * is overridable).  Otherwise PCRM_EPERM, one message whoever the owner,
 * the true reason audited.  Call it before the publishing transaction (a
 * denial's audit entry must commit), and inside it check that what was
 * stored of the id is still the same (PCRM_ERETRY otherwise).
 */
int pcrm__publish_scope(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__published *p,
                        int *override);

#endif
