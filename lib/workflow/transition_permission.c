/*
 * The permission a transition asks of whoever fires it ("permission" in the
 * definition: "kb.approve"), checked in the work order's org scope in place
 * of the default workorder.handle.
 *
 * Why a permission and not a guard's role list: a role list can only
 * approximate a permission (the kb_article workflow's "admin, data_clerk,
 * system" left out monitors, who hold kb.approve, and let level-1 admins,
 * who do not, fire it directly), and it sat on top of workorder.handle, so
 * no list could name a role lacking that.  The permission table
 * (lib/core/actor.c) stays the one place that says who may do what; the
 * definition only says which of its entries a step is.
 */
#include <string.h>

#include "core/error.h"
#include "core/permission.h"
#include "org/org_internal.h"
#include "workflow_internal.h"
#include "workorder_internal.h"

int pcrm__workflow_parse_permission(const json_t *v, const char *path,
                                    struct pcrm__wf_transition *t)
{
	t->permission = PCRM_PERM_WORKORDER_HANDLE;
	if (!v)
		return PCRM_OK;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a string naming a permission", path);
	if (!pcrm__permission_by_name(json_string_value(v), &t->permission))
		return pcrm__error(PCRM_EINVAL,
		                   "%s: not a permission's name (docs/security.md lists them: "
		                   "kb.approve, workorder.handle, ...)",
		                   path);
	return PCRM_OK;
}

/* The transition's permission for `event` in `state`; workorder.handle when there is none. */
static pcrm_permission transition_permission(const pcrm_workflow *wf, const char *state,
                                             const char *event)
{
	size_t from = state ? pcrm__workflow_state_index(wf, state) : (size_t)-1;
	const struct pcrm__wf_transition *t =
		from != (size_t)-1 && event ? pcrm__workflow_transition(wf, from, event) : NULL;
	return t ? t->permission : PCRM_PERM_WORKORDER_HANDLE;
}

int pcrm__wo_fire_permission(const struct pcrm__wo_op *op, const struct pcrm_org_unit *home,
                             const char *event, pcrm_permission *perm)
{
	pcrm_permission named = transition_permission(op->wf, pcrm__wo_str(op->wo, "state"), event);
	const char *org = pcrm__wo_str(op->wo, "org_unit");
	struct pcrm_org_unit target;
	int rc;

	if (named == *perm || !home || !home->code)
		return PCRM_OK;
	if (strcmp(org, home->code) == 0) {
		*perm = named;
		return PCRM_OK;
	}
	/*
	 * Outside the actor's subtree the default stays: the refusal is then the
	 * one an id nobody has gets, whatever the work order's definition and
	 * state (no oracle), at one org-unit read for the few transitions that
	 * name a permission.
	 */
	rc = pcrm__org_load(op->ctx, org, &target);
	if (rc == PCRM_ENOTFOUND)
		return PCRM_OK;
	if (rc != PCRM_OK)
		return rc;
	if (pcrm__org_path_within(target.path, home->path))
		*perm = named;
	pcrm__org_clear(&target);
	return PCRM_OK;
}
