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
#include "core/error.h"
#include "core/permission.h"
#include "workflow_internal.h"

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

pcrm_permission pcrm__workflow_fire_permission(const pcrm_workflow *wf, const char *state,
                                               const char *event)
{
	size_t from = state ? pcrm__workflow_state_index(wf, state) : (size_t)-1;
	const struct pcrm__wf_transition *t =
		from != (size_t)-1 && event ? pcrm__workflow_transition(wf, from, event) : NULL;
	return t ? t->permission : PCRM_PERM_WORKORDER_HANDLE;
}
