/*
 * libpowercrm - organisation units and the permission check.
 *
 * A supply company is a tree of org units (供电单位): province > city >
 * county > township supply station (供电所).  Every actor works in one org
 * unit and sees only data inside that unit's subtree.  Township stations, the
 * lowest level, read their own archives but may not change them.
 *
 * pcrm_authorize() is the single permission check every module calls before
 * it reads or changes anything: role and level (actor.h), org scope, the
 * township rule.  A denial returns PCRM_EPERM, changes nothing, and leaves an
 * audit entry ("permission.denied").
 */
#ifndef POWERCRM_ORG_H
#define POWERCRM_ORG_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pcrm_org_level {
	PCRM_ORG_PROVINCE = 1, /**< 省公司 */
	PCRM_ORG_CITY = 2,     /**< 市供电公司 */
	PCRM_ORG_COUNTY = 3,   /**< 县供电公司 */
	PCRM_ORG_TOWNSHIP = 4  /**< 乡镇供电所: read-only on archives */
} pcrm_org_level;

/** One org unit, read from the store.  Free with pcrm_org_unit_free(). */
typedef struct pcrm_org_unit pcrm_org_unit;

/** A list of org units.  Free with pcrm_org_unit_list_free(). */
typedef struct pcrm_org_unit_list pcrm_org_unit_list;

/**
 * Creates an org unit.  `code` is the unit's permanent key (1..32 letters,
 * digits, '-', '_', '.'), `parent_code` NULL for a top-level unit, which
 * only a senior administrator (level PCRM_LEVEL_MAX) may create.  A child's
 * level must be deeper than its parent's (a county may hang directly under a
 * province).  The actor needs PCRM_PERM_ORG_WRITE within the parent's
 * subtree; a parent that does not exist is refused like one outside it
 * (PCRM_EPERM).  The actor's own org unit must exist, except when a top-level
 * unit is created by the administrator who works in it (actor.org_unit ==
 * code: how the first unit of a store comes to be).  PCRM_EDUPLICATE when
 * the code is taken.  Audited.
 */
PCRM_EXTERN(int) pcrm_org_unit_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                                      const char *parent_code, const char *name,
                                      pcrm_org_level level);

/**
 * Renames an org unit.  `expected_version` is the version the caller read:
 * when somebody changed the unit since, PCRM_ECONFLICT and nothing changes.
 * Audited with the old and new name.
 */
PCRM_EXTERN(int) pcrm_org_unit_rename(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                                      const char *new_name, int expected_version);

/** Reads one org unit (needs PCRM_PERM_ORG_READ within the actor's subtree). */
PCRM_EXTERN(int) pcrm_org_unit_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                                   pcrm_org_unit **out);

/** Lists the direct children of `code`, ordered by code. */
PCRM_EXTERN(int) pcrm_org_unit_children(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                                        pcrm_org_unit_list **out);

PCRM_EXTERN(void) pcrm_org_unit_free(pcrm_org_unit *unit);
/* Accessors: strings live as long as the unit (or the list holding it). */
PCRM_EXTERN(const char *) pcrm_org_unit_code(const pcrm_org_unit *unit);
PCRM_EXTERN(const char *) pcrm_org_unit_name(const pcrm_org_unit *unit);
/** NULL for a top-level unit. */
PCRM_EXTERN(const char *) pcrm_org_unit_parent(const pcrm_org_unit *unit);
PCRM_EXTERN(pcrm_org_level) pcrm_org_unit_level(const pcrm_org_unit *unit);
/** "/province/city/.../code/": the unit's ancestry, root first. */
PCRM_EXTERN(const char *) pcrm_org_unit_path(const pcrm_org_unit *unit);
PCRM_EXTERN(int) pcrm_org_unit_version(const pcrm_org_unit *unit);
PCRM_EXTERN(pcrm_time) pcrm_org_unit_created_at(const pcrm_org_unit *unit);
PCRM_EXTERN(pcrm_time) pcrm_org_unit_updated_at(const pcrm_org_unit *unit);

PCRM_EXTERN(size_t) pcrm_org_unit_list_count(const pcrm_org_unit_list *list);
/** The i-th unit; owned by the list. NULL when i is out of range. */
PCRM_EXTERN(const pcrm_org_unit *) pcrm_org_unit_list_at(const pcrm_org_unit_list *list, size_t i);
PCRM_EXTERN(void) pcrm_org_unit_list_free(pcrm_org_unit_list *list);

/**
 * Nonzero in *out when `code` is `ancestor` itself or lies below it.
 * PCRM_ENOTFOUND when either unit does not exist.
 */
PCRM_EXTERN(int) pcrm_org_unit_is_within(pcrm_ctx *ctx, const char *code, const char *ancestor,
                                         int *out);

/**
 * May `actor` do `permission` on data belonging to org unit `target_org`?
 * PCRM_OK, or PCRM_EPERM with the reason (and an audit entry), or
 * PCRM_EINVAL for a malformed actor.  `target_org` NULL checks role, level
 * and the actor's own org unit only.
 *
 * An actor whose own org unit does not exist is refused (PCRM_EPERM) for
 * every permission; every public function that takes an actor makes this
 * check (docs/security.md, "Org scope").  A `target_org` that does not exist
 * is refused with the same PCRM_EPERM and the same message as one outside
 * the actor's subtree, so the answer never reveals which units exist.
 */
PCRM_EXTERN(int) pcrm_authorize(pcrm_ctx *ctx, const pcrm_actor *actor,
                                pcrm_permission permission, const char *target_org);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_ORG_H */
