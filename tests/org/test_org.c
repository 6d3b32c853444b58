/* Org units and the permission check, on SQLite and PostgreSQL. */
#include <string.h>

#include "backend.h"
#include "fixtures.h"

static int64_t count_denials(pcrm_ctx *ctx);

PCRM_BACKEND_TEST(org, tree_is_built_and_read_back)
{
	pcrm_org_unit *u;
	pcrm_org_unit_list *kids;
	int within = -1;

	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &city_agent, "37010201", &u));
	cr_assert_str_eq(pcrm_org_unit_name(u), "姚家供电所");
	cr_assert_str_eq(pcrm_org_unit_parent(u), "370102");
	cr_assert_str_eq(pcrm_org_unit_path(u), "/37/3701/370102/37010201/");
	cr_assert_eq(pcrm_org_unit_level(u), PCRM_ORG_TOWNSHIP);
	cr_assert_eq(pcrm_org_unit_version(u), 1);
	cr_assert_eq(pcrm_org_unit_created_at(u), t->now);
	pcrm_org_unit_free(u);

	pcrm_assert_ok(pcrm_org_unit_children(t->ctx, &root_admin, "37", &kids));
	cr_assert_eq(pcrm_org_unit_list_count(kids), 2);
	cr_assert_str_eq(pcrm_org_unit_code(pcrm_org_unit_list_at(kids, 0)), "3701");
	cr_assert_str_eq(pcrm_org_unit_code(pcrm_org_unit_list_at(kids, 1)), "3702");
	cr_assert_null(pcrm_org_unit_list_at(kids, 2));
	cr_assert_str_eq(pcrm_org_unit_parent(pcrm_org_unit_list_at(kids, 0)), "37");
	pcrm_org_unit_list_free(kids);

	pcrm_assert_ok(pcrm_org_unit_is_within(t->ctx, "37010201", "3701", &within));
	cr_assert_eq(within, 1);
	pcrm_assert_ok(pcrm_org_unit_is_within(t->ctx, "37010201", "3702", &within));
	cr_assert_eq(within, 0);
	pcrm_assert_ok(pcrm_org_unit_is_within(t->ctx, "3701", "3701", &within));
	cr_assert_eq(within, 1);
	pcrm_assert_fails(pcrm_org_unit_is_within(t->ctx, "9999", "37", &within), PCRM_ENOTFOUND,
	                  "9999");
	pcrm_org_unit_free(NULL);
	pcrm_org_unit_list_free(NULL);
}

PCRM_BACKEND_TEST(org, bad_input_is_named_and_changes_nothing)
{
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "bad code", "37", "x",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "code");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "name");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "x",
	                                       (pcrm_org_level)9),
	                  PCRM_EINVAL, "level");
	/* a child must sit below its parent */
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "3701", "x",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "level");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "3799", "x",
	                                       PCRM_ORG_CITY),
	                  PCRM_EPERM, "3799 is outside"); /* no oracle for which codes exist */
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3701", "37", "again",
	                                       PCRM_ORG_CITY),
	                  PCRM_EDUPLICATE, "3701");
	{
		pcrm_org_unit *u;
		pcrm_assert_fails(pcrm_org_unit_get(t->ctx, &root_admin, "3703", &u), PCRM_EPERM,
		                  "3703 is outside");
		cr_assert_null(u);
	}
}

PCRM_BACKEND_TEST(org, values_are_bound_not_spliced)
{
	const char *evil = "x'); DROP TABLE org_unit; --";
	pcrm_org_unit *u;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", evil, PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &root_admin, "3703", &u));
	cr_assert_str_eq(pcrm_org_unit_name(u), evil);
	pcrm_org_unit_free(u);
}

PCRM_BACKEND_TEST(org, rename_uses_optimistic_versions)
{
	pcrm_org_unit *u;
	make_tree(t->ctx);
	t->now += 60;
	pcrm_assert_ok(pcrm_org_unit_rename(t->ctx, &city_admin, "370102", "历下供电中心", 1));
	pcrm_assert_fails(pcrm_org_unit_rename(t->ctx, &city_admin, "370102", "stale", 1),
	                  PCRM_ECONFLICT, "version 2");
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &city_admin, "370102", &u));
	cr_assert_str_eq(pcrm_org_unit_name(u), "历下供电中心");
	cr_assert_eq(pcrm_org_unit_version(u), 2);
	cr_assert_eq(pcrm_org_unit_updated_at(u), t->now);
	cr_assert_lt(pcrm_org_unit_created_at(u), t->now);
	pcrm_org_unit_free(u);
	pcrm_assert_fails(pcrm_org_unit_rename(t->ctx, &root_admin, "3799", "x", 1), PCRM_EPERM,
	                  "3799 is outside");
}

PCRM_BACKEND_TEST(org, top_level_units_need_a_senior_administrator)
{
	pcrm_actor junior = { "admin-2", PCRM_ROLE_ADMIN, 2, "37" };
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &junior, "37", NULL, "x", PCRM_ORG_PROVINCE),
	                  PCRM_EPERM, "top-level");
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "37", NULL, "x", PCRM_ORG_PROVINCE));
	/* read once "37" exists: the audit log refuses readers whose unit does not */
	cr_assert_eq(count_denials(t->ctx), 1);
}

PCRM_BACKEND_TEST(org, actors_stay_inside_their_subtree)
{
	pcrm_org_unit *u;
	make_tree(t->ctx);
	/* Jinan's administrator may grow Jinan's tree but not Qingdao's */
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &city_admin, "370201", "3702", "x",
	                                       PCRM_ORG_COUNTY),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_org_unit_get(t->ctx, &city_agent, "3702", &u), PCRM_EPERM, "3702");
	pcrm_assert_fails(pcrm_org_unit_get(t->ctx, &city_agent, "37", &u), PCRM_EPERM, "outside");
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &monitor, "3702", &u));
	pcrm_org_unit_free(u);
	cr_assert_eq(count_denials(t->ctx), 3);
}

PCRM_BACKEND_TEST(org, roles_and_levels_are_enforced)
{
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &city_agent, "370103", "3701", "x",
	                                       PCRM_ORG_COUNTY),
	                  PCRM_EPERM, "org.write");
	pcrm_assert_fails(pcrm_authorize(t->ctx, &city_agent, PCRM_PERM_ARCHIVE_WRITE, "370102"),
	                  PCRM_EPERM, "archive.write");
	pcrm_assert_ok(pcrm_authorize(t->ctx, &city_clerk, PCRM_PERM_ARCHIVE_WRITE, "37010201"));
	pcrm_assert_ok(pcrm_authorize(t->ctx, &city_agent, PCRM_PERM_ARCHIVE_READ, NULL));
	{
		pcrm_actor ghost = { "ghost", PCRM_ROLE_AGENT, 1, "0000" };
		pcrm_assert_fails(pcrm_authorize(t->ctx, &ghost, PCRM_PERM_ARCHIVE_READ, NULL),
		                  PCRM_EPERM, "does not exist");
	}
	{
		pcrm_actor bad = { "x", PCRM_ROLE_AGENT, 9, "3701" };
		pcrm_assert_fails(pcrm_authorize(t->ctx, &bad, PCRM_PERM_ARCHIVE_READ, NULL),
		                  PCRM_EINVAL, "actor.level");
	}
	pcrm_assert_fails(pcrm_authorize(t->ctx, &city_agent, (pcrm_permission)99, NULL),
	                  PCRM_EINVAL, "permission");
}

PCRM_BACKEND_TEST(org, township_stations_read_but_never_write_archives)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_authorize(t->ctx, &township_clerk, PCRM_PERM_ARCHIVE_READ, "37010201"));
	pcrm_assert_fails(pcrm_authorize(t->ctx, &township_clerk, PCRM_PERM_ARCHIVE_WRITE,
	                                 "37010201"),
	                  PCRM_EPERM, "read-only");
	/* the county above may write the township's archives */
	{
		pcrm_actor county_clerk = { "clerk-lx", PCRM_ROLE_DATA_CLERK, 1, "370102" };
		pcrm_assert_ok(pcrm_authorize(t->ctx, &county_clerk, PCRM_PERM_ARCHIVE_WRITE,
		                              "37010201"));
	}
}

struct denial_count {
	int64_t n;
};

static int count_denial(const pcrm_audit_entry *e, void *ud)
{
	if (strcmp(e->action, "permission.denied") == 0)
		((struct denial_count *)ud)->n++;
	return 0;
}

static int64_t count_denials(pcrm_ctx *ctx)
{
	struct denial_count c = { 0 };
	pcrm_assert_ok(pcrm_audit_list(ctx, &root_admin, 0, 0, count_denial, &c));
	return c.n;
}

PCRM_BACKEND_TEST(org, a_denial_leaves_only_an_audit_entry)
{
	pcrm_org_unit_list *kids;
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &city_clerk, "370199", "3701", "x",
	                                       PCRM_ORG_COUNTY),
	                  PCRM_EPERM, "org.write");
	pcrm_assert_ok(pcrm_org_unit_children(t->ctx, &root_admin, "3701", &kids));
	cr_assert_eq(pcrm_org_unit_list_count(kids), 1);
	pcrm_org_unit_list_free(kids);
	cr_assert_eq(count_denials(t->ctx), 1);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}
