/* The role/level policy of the service center. */
#include <criterion/criterion.h>
#include <string.h>

#include <powercrm.h>

static pcrm_actor make(pcrm_role role, int level)
{
	pcrm_actor a = { "op-001", role, level, "3701" };
	return a;
}

Test(actor, validate_names_the_bad_field)
{
	pcrm_actor a = make(PCRM_ROLE_AGENT, 1);
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_OK);

	a.level = 7;
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "actor.level") != NULL, "%s", pcrm_error_last());

	a = make((pcrm_role)42, 1);
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "actor.role") != NULL);

	a = make(PCRM_ROLE_AGENT, 1);
	a.operator_id = "";
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "actor.operator_id") != NULL);

	a.operator_id = "bad\nid";
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_EINVAL);

	a = make(PCRM_ROLE_AGENT, 1);
	a.org_unit = NULL;
	cr_assert_eq(pcrm_actor_validate(&a), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "actor.org_unit") != NULL);

	cr_assert_eq(pcrm_actor_validate(NULL), PCRM_EINVAL);
}

Test(actor, roles_do_their_own_work)
{
	pcrm_actor agent = make(PCRM_ROLE_AGENT, 1);
	pcrm_actor clerk = make(PCRM_ROLE_DATA_CLERK, 1);
	pcrm_actor monitor = make(PCRM_ROLE_MONITOR, 1);

	cr_assert(pcrm_actor_can(&agent, PCRM_PERM_ARCHIVE_READ));
	cr_assert_not(pcrm_actor_can(&agent, PCRM_PERM_ARCHIVE_WRITE));
	cr_assert(pcrm_actor_can(&clerk, PCRM_PERM_ARCHIVE_WRITE));
	cr_assert(pcrm_actor_can(&monitor, PCRM_PERM_CALL_MONITOR));
	cr_assert_not(pcrm_actor_can(&agent, PCRM_PERM_CALL_MONITOR));
	cr_assert(pcrm_actor_can(&monitor, PCRM_PERM_AUDIT_READ));
	cr_assert_not(pcrm_actor_can(&clerk, PCRM_PERM_AUDIT_READ));
}

Test(actor, higher_levels_can_do_what_lower_levels_can)
{
	for (int role = PCRM_ROLE_ADMIN; role <= PCRM_ROLE_SYSTEM; role++) {
		for (int perm = PCRM_PERM_ORG_READ; perm <= PCRM_PERM_BANK_RECONCILE; perm++) {
			for (int level = PCRM_LEVEL_MIN; level < PCRM_LEVEL_MAX; level++) {
				pcrm_actor lo = make((pcrm_role)role, level);
				pcrm_actor hi = make((pcrm_role)role, level + 1);
				if (pcrm_actor_can(&lo, (pcrm_permission)perm))
					cr_assert(pcrm_actor_can(&hi, (pcrm_permission)perm),
					          "role %d perm %d level %d", role, perm, level);
			}
		}
	}
}

Test(actor, levels_grade_permissions)
{
	pcrm_actor junior_admin = make(PCRM_ROLE_ADMIN, 1);
	pcrm_actor senior_admin = make(PCRM_ROLE_ADMIN, 3);
	pcrm_actor team_leader = make(PCRM_ROLE_AGENT, 3);
	pcrm_actor agent = make(PCRM_ROLE_AGENT, 2);

	cr_assert_not(pcrm_actor_can(&junior_admin, PCRM_PERM_ORG_WRITE));
	cr_assert(pcrm_actor_can(&senior_admin, PCRM_PERM_ORG_WRITE));
	cr_assert_not(pcrm_actor_can(&junior_admin, PCRM_PERM_TARIFF_WRITE));
	cr_assert(pcrm_actor_can(&senior_admin, PCRM_PERM_TARIFF_WRITE));
	cr_assert(pcrm_actor_can(&team_leader, PCRM_PERM_WORKORDER_SUPERVISE));
	cr_assert_not(pcrm_actor_can(&agent, PCRM_PERM_WORKORDER_SUPERVISE));
	cr_assert_eq(pcrm_role_min_level(PCRM_ROLE_AGENT, PCRM_PERM_WORKORDER_SUPERVISE), 3);
	cr_assert_eq(pcrm_role_min_level(PCRM_ROLE_AGENT, PCRM_PERM_ARCHIVE_WRITE), 0);
}

/* The ledger's permissions: counters take payments, senior staff adjust, finance reconciles. */
Test(actor, ledger_permissions)
{
	pcrm_actor agent = make(PCRM_ROLE_AGENT, 1);
	pcrm_actor clerk2 = make(PCRM_ROLE_DATA_CLERK, 2);
	pcrm_actor clerk3 = make(PCRM_ROLE_DATA_CLERK, 3);
	pcrm_actor admin1 = make(PCRM_ROLE_ADMIN, 1);
	pcrm_actor admin2 = make(PCRM_ROLE_ADMIN, 2);
	pcrm_actor monitor = make(PCRM_ROLE_MONITOR, 3);
	pcrm_actor system = make(PCRM_ROLE_SYSTEM, 1);

	cr_assert(pcrm_actor_can(&agent, PCRM_PERM_PAYMENT_POST));
	cr_assert_not(pcrm_actor_can(&monitor, PCRM_PERM_PAYMENT_POST));
	cr_assert_not(pcrm_actor_can(&agent, PCRM_PERM_LEDGER_ADJUST));
	cr_assert_not(pcrm_actor_can(&clerk2, PCRM_PERM_LEDGER_ADJUST));
	cr_assert(pcrm_actor_can(&clerk3, PCRM_PERM_LEDGER_ADJUST));
	cr_assert_not(pcrm_actor_can(&admin1, PCRM_PERM_LEDGER_ADJUST));
	cr_assert(pcrm_actor_can(&admin2, PCRM_PERM_LEDGER_ADJUST));
	cr_assert(pcrm_actor_can(&admin2, PCRM_PERM_BANK_RECONCILE));
	cr_assert_not(pcrm_actor_can(&clerk3, PCRM_PERM_BANK_RECONCILE));
	cr_assert(pcrm_actor_can(&system, PCRM_PERM_BANK_RECONCILE));
	cr_assert_str_eq(pcrm_permission_name(PCRM_PERM_PAYMENT_POST), "payment.post");
	cr_assert_str_eq(pcrm_permission_name(PCRM_PERM_LEDGER_ADJUST), "ledger.adjust");
	cr_assert_str_eq(pcrm_permission_name(PCRM_PERM_BANK_RECONCILE), "bank.reconcile");
}

Test(actor, malformed_actor_may_do_nothing)
{
	pcrm_actor a = make(PCRM_ROLE_ADMIN, 0);
	cr_assert_not(pcrm_actor_can(&a, PCRM_PERM_ORG_READ));
	cr_assert_not(pcrm_actor_can(NULL, PCRM_PERM_ORG_READ));
	a = make(PCRM_ROLE_ADMIN, 3);
	cr_assert_not(pcrm_actor_can(&a, (pcrm_permission)999));
}

Test(actor, names_round_trip)
{
	pcrm_role r;
	for (int role = PCRM_ROLE_ADMIN; role <= PCRM_ROLE_SYSTEM; role++) {
		const char *name = pcrm_role_name((pcrm_role)role);
		cr_assert_not_null(name);
		cr_assert_eq(pcrm_role_parse(name, &r), PCRM_OK);
		cr_assert_eq((int)r, role);
	}
	cr_assert_null(pcrm_role_name((pcrm_role)0));
	cr_assert_eq(pcrm_role_parse("boss", &r), PCRM_EINVAL);
	cr_assert(strstr(pcrm_error_last(), "boss") != NULL);
	for (int perm = PCRM_PERM_ORG_READ; perm <= PCRM_PERM_BANK_RECONCILE; perm++)
		cr_assert_not_null(pcrm_permission_name((pcrm_permission)perm));
}
