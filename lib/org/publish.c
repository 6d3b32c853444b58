/*
 * Who may publish a new version of a shared document (a tariff, a workflow
 * definition), and for which org units that version applies.
 *
 * Each document id belongs to an org unit, the owner: the unit of whoever
 * published its first version.  The owner and its ancestors publish base
 * versions, which apply wherever the id is used.  A unit inside the owner's
 * subtree may publish an override, a version that applies to its own
 * subtree only, and only when the newest base version allows it
 * ("overridable": true).  Anyone else is refused.  Documents stored before
 * ownership existed (schema 23) have no owner: they belong to the top of the
 * tree, so only an actor of a top-level unit publishes their base versions.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/error.h"
#include "org_internal.h"

static int refuse(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                  const char *kind, const char *id, const char *reason)
{
	pcrm__audit_deny(ctx, actor, permission, kind, id, reason);
	/* the same words whatever the owner: the owner unit stays in the audit entry */
	return pcrm__error(PCRM_EPERM,
	                   "%s \"%.64s\": %s's org unit %.32s may neither publish its versions nor "
	                   "override it",
	                   kind, id, actor->operator_id, actor->org_unit);
}

/* Where the actor stands to the owner: 1 owner or ancestor, 0 inside its subtree, -1 outside. */
static int relation(pcrm_ctx *ctx, const struct pcrm_org_unit *home, const char *owner, int *out)
{
	struct pcrm_org_unit o;
	int rc;

	if (!owner) { /* stored before ownership: the top of the tree owns it */
		*out = home->parent ? 0 : 1;
		return PCRM_OK;
	}
	if (strcmp(owner, home->code) == 0) {
		*out = 1;
		return PCRM_OK;
	}
	rc = pcrm__org_load(ctx, owner, &o);
	if (rc == PCRM_ENOTFOUND) {
		pcrm_error_clear();
		*out = -1;
		return PCRM_OK;
	}
	if (rc != PCRM_OK)
		return rc;
	if (pcrm__org_path_within(o.path, home->path))
		*out = 1;
	else if (pcrm__org_path_within(home->path, o.path))
		*out = 0;
	else
		*out = -1;
	pcrm__org_clear(&o);
	return PCRM_OK;
}

int pcrm__publish_scope(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__published *p,
                        int *override)
{
	struct pcrm_org_unit home;
	char reason[256];
	int rel = 0, rc;

	*override = 0;
	rc = pcrm__org_load(ctx, actor->org_unit, &home);
	if (rc != PCRM_OK)
		return rc; /* pcrm_authorize() has refused a missing unit before */
	if (p->exists)
		rc = relation(ctx, &home, p->owner, &rel);
	else
		rel = 1; /* a new id: the actor's unit becomes its owner */
	pcrm__org_clear(&home);
	if (rc != PCRM_OK || rel == 1)
		return rc;
	if (rel == 0 && p->overridable) {
		*override = 1;
		return PCRM_OK;
	}
	if (rel == 0)
		snprintf(reason, sizeof(reason),
		         "%s \"%.64s\" of org unit %.32s allows no overrides in org unit %.32s", p->kind,
		         p->id, p->owner ? p->owner : "(top)", actor->org_unit);
	else
		snprintf(reason, sizeof(reason), "%s \"%.64s\" of org unit %.32s is outside org unit %.32s",
		         p->kind, p->id, p->owner ? p->owner : "(top)", actor->org_unit);
	return refuse(ctx, actor, p->permission, p->kind, p->id, reason);
}
