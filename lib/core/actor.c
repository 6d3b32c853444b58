/*
 * Roles, levels and what they may do.
 *
 * The service-center plan (marketing-system-plan 5.3.2) defines four roles
 * whose duties do not overlap, each with levels whose operations do overlap:
 * a higher level can do everything a lower one can.  The table below is that
 * policy: for each permission, the lowest level of each role that holds it
 * (0 = never).  Org-unit scope is checked separately by pcrm_authorize().
 */
#include <string.h>

#include <powercrm/actor.h>

#include "error.h"
#include "permission.h"
#include "text_check.h"

#define ROLE_COUNT 5
#define OPERATOR_ID_MAX 64

struct permission_rule {
	pcrm_permission permission;
	const char *name;
	/* min level for admin, agent, data clerk, monitor, system */
	int min_level[ROLE_COUNT];
};

static const struct permission_rule rules[] = {
	{ PCRM_PERM_ORG_READ, "org.read", { 1, 1, 1, 1, 1 } },
	{ PCRM_PERM_ORG_WRITE, "org.write", { 2, 0, 0, 0, 1 } },
	{ PCRM_PERM_ARCHIVE_READ, "archive.read", { 1, 1, 1, 1, 1 } },
	{ PCRM_PERM_ARCHIVE_WRITE, "archive.write", { 1, 0, 1, 0, 1 } },
	{ PCRM_PERM_PII_READ, "pii.read", { 2, 0, 2, 0, 1 } },
	{ PCRM_PERM_TARIFF_WRITE, "tariff.write", { 3, 0, 0, 0, 1 } },
	{ PCRM_PERM_BILLING_RUN, "billing.run", { 2, 0, 2, 0, 1 } },
	{ PCRM_PERM_WORKORDER_HANDLE, "workorder.handle", { 1, 1, 1, 0, 1 } },
	/* supervising work orders is the team leader's (班长席) job: senior agents */
	{ PCRM_PERM_WORKORDER_SUPERVISE, "workorder.supervise", { 1, 3, 0, 2, 1 } },
	{ PCRM_PERM_CALL_MONITOR, "call.monitor", { 2, 0, 0, 1, 0 } },
	{ PCRM_PERM_AUDIT_READ, "audit.read", { 1, 0, 0, 1, 1 } },
	/*
	 * integrator entries speak for the whole system (docs/security.md): its
	 * own account (system role) and senior admins, never front-line staff
	 */
	{ PCRM_PERM_AUDIT_WRITE, "audit.write", { 2, 0, 0, 0, 1 } },
	/* every front-line role logs its contacts, township stations included */
	{ PCRM_PERM_CONTACT_WRITE, "contact.write", { 1, 1, 1, 0, 1 } },
	/* counter clerks (营业厅 agents) take payments; monitors only watch */
	{ PCRM_PERM_PAYMENT_POST, "payment.post", { 1, 1, 1, 0, 1 } },
	/* money going back or bills changing after the fact: senior staff only */
	{ PCRM_PERM_LEDGER_ADJUST, "ledger.adjust", { 2, 0, 3, 0, 1 } },
	/* the finance side of bank collection */
	{ PCRM_PERM_BANK_RECONCILE, "bank.reconcile", { 2, 0, 0, 0, 1 } },
	/* everyone answers from the knowledge base; the archive's clerks write it, seniors approve */
	{ PCRM_PERM_KB_READ, "kb.read", { 1, 1, 1, 1, 1 } },
	{ PCRM_PERM_KB_WRITE, "kb.write", { 1, 0, 1, 0, 1 } },
	{ PCRM_PERM_KB_APPROVE, "kb.approve", { 2, 0, 3, 2, 1 } },
	/* a campaign speaks to thousands of customers at once: senior admins and batch jobs */
	{ PCRM_PERM_CAMPAIGN_WRITE, "campaign.write", { 2, 0, 0, 0, 1 } },
};

static const char *const role_names[ROLE_COUNT] = {
	"admin", "agent", "data_clerk", "monitor", "system"
};

static const struct permission_rule *find_rule(pcrm_permission permission)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].permission == permission)
			return &rules[i];
	return NULL;
}

static int role_index(pcrm_role role)
{
	int i = (int)role - 1;
	return i >= 0 && i < ROLE_COUNT ? i : -1;
}

const char *pcrm_role_name(pcrm_role role)
{
	int i = role_index(role);
	return i < 0 ? NULL : role_names[i];
}

int pcrm_role_parse(const char *name, pcrm_role *out)
{
	if (!name || !out)
		return pcrm__error(PCRM_EINVAL, "role: missing argument");
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (pcrm_role)(i + 1);
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EINVAL,
	                   "role: \"%.64s\" is not one of admin, agent, data_clerk, monitor, system",
	                   name);
}

const char *pcrm_permission_name(pcrm_permission permission)
{
	const struct permission_rule *r = find_rule(permission);
	return r ? r->name : NULL;
}

int pcrm__permission_by_name(const char *name, pcrm_permission *out)
{
	for (size_t i = 0; name && i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (strcmp(name, rules[i].name) == 0) {
			*out = rules[i].permission;
			return 1;
		}
	}
	return 0;
}

int pcrm_role_min_level(pcrm_role role, pcrm_permission permission)
{
	const struct permission_rule *r = find_rule(permission);
	int i = role_index(role);
	return r && i >= 0 ? r->min_level[i] : 0;
}

/* 1..max bytes of text a report can show as it is stored (see text_check.h). */
static int check_id(const char *field, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu printable characters", field, max);
	return pcrm__text_check(field, s, n, 0);
}

int pcrm_actor_validate(const pcrm_actor *actor)
{
	int rc;
	if (!actor)
		return pcrm__error(PCRM_EINVAL, "actor: missing (every operation needs an actor)");
	rc = check_id("actor.operator_id", actor->operator_id, OPERATOR_ID_MAX);
	if (rc != PCRM_OK)
		return rc;
	if (role_index(actor->role) < 0)
		return pcrm__error(PCRM_EINVAL, "actor.role: %d is not a known role", (int)actor->role);
	if (actor->level < PCRM_LEVEL_MIN || actor->level > PCRM_LEVEL_MAX)
		return pcrm__error(PCRM_EINVAL, "actor.level: %d is outside %d..%d", actor->level,
		                   PCRM_LEVEL_MIN, PCRM_LEVEL_MAX);
	return check_id("actor.org_unit", actor->org_unit, OPERATOR_ID_MAX);
}

int pcrm_actor_can(const pcrm_actor *actor, pcrm_permission permission)
{
	int min;
	if (!actor || role_index(actor->role) < 0 || actor->level < PCRM_LEVEL_MIN ||
	    actor->level > PCRM_LEVEL_MAX)
		return 0;
	min = pcrm_role_min_level(actor->role, permission);
	return min > 0 && actor->level >= min;
}
