/*
 * Tariffs and workflow definitions belong to org units (docs/security.md,
 * "Tariff and definition ownership"), on both stores: the owner and its
 * ancestors publish base versions; a unit inside the owner's subtree
 * publishes an override for its own subtree only where the newest base
 * version says "overridable": true; billing runs and work-order opening take
 * the most specific version for the customer's (work order's) unit.  The
 * attack of issue 18 first: a county administrator publishing a new version
 * of a province tariff.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../billing/billing_fixtures.h"
#include "../workflow/wf_fixtures.h"

#define GZ "cn-gd-guangzhou-residential"

static const pcrm_actor county_admin = { "admin-lx", PCRM_ROLE_ADMIN, 3, "370102" };
static const pcrm_actor jinan_admin = { "admin-jn3", PCRM_ROLE_ADMIN, 3, "3701" };
static const pcrm_actor qingdao_admin = { "admin-qd", PCRM_ROLE_ADMIN, 3, "3702" };

/* The Guangzhou tariff as version `version` with first-tier price `price`; overridable when asked. */
static char *gz_variant(int version, const char *price, int overridable)
{
	char *text = pcrm_test_read_tariff(GZ ".json"), *out;
	json_t *doc = json_loads(text, 0, NULL);
	cr_assert_not_null(doc);
	json_object_set_new(doc, "version", json_integer(version));
	json_object_set_new(json_object_get(doc, "energy"), "price", json_string(price));
	if (overridable)
		json_object_set_new(doc, "overridable", json_true());
	out = json_dumps(doc, 0);
	json_decref(doc);
	free(text);
	return out;
}

static void publish_ok(pcrm_test_store *t, const pcrm_actor *a, int version, const char *price,
                       int overridable)
{
	char *doc = gz_variant(version, price, overridable);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, a, doc));
	free(doc);
}

static void publish_refused(pcrm_test_store *t, const pcrm_actor *a, int version)
{
	char *doc = gz_variant(version, "0.001", 1);
	int64_t versions = count(t, "SELECT COUNT(*) FROM tariff_version");
	int64_t entries = count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'tariff.publish'");
	pcrm_assert_fails(pcrm_tariff_publish(t->ctx, a, doc), PCRM_EPERM,
	                  "may neither publish its versions nor override it");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version"), versions, "nothing stored");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'tariff.publish'"),
	             entries);
	free(doc);
}

/* The version of the tariff a bill of account `acct` was computed with. */
static int64_t billed_version(pcrm_test_store *t, const char *acct)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT tariff_version FROM bill WHERE account_no = '%s'", acct);
	return count(t, sql);
}

static const char *const run_37 =
	"{\"org_unit\": \"37\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	" \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"" GZ "\"}}";

/* A1 in a township of county 370102, A2 in the county, A3 in city 3701, A4 in city 3702. */
static void homes(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "37010201", "600");
	add_home(t, &city_clerk, 2, "370102", "200");
	add_home(t, &city_clerk, 3, "3701", "200");
	add_home(t, &root_admin, 4, "3702", "600");
}

PCRM_BACKEND_TEST(ownership, county_admin_cannot_publish_a_province_tariff)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_tariff *tariff;
	pcrm_date oct = { 2026, 10, 1 };

	homes(t);
	publish_ok(t, &root_admin, 1, "0.589", 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE owner_unit = '37' "
	                      "AND scope_unit IS NULL"),
	             1, "the first publisher's unit owns it");
	/* the attack: a county administrator, every permission of the role, the province's tariff */
	publish_refused(t, &county_admin, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied' "
	                      "AND object_type = 'tariff' AND object_id = '" GZ "'"),
	             1, "the refusal is audited");
	/* a city inside the province and another city are refused alike */
	publish_refused(t, &jinan_admin, 2);
	publish_refused(t, &qingdao_admin, 2);
	/* every county still bills with the province's version */
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &root_admin, run_37, NULL, NULL, &s));
	cr_assert_eq(s.billed, 4);
	pcrm_assert_dec(s.total, "976.40"); /* 370.40 + 117.80 + 117.80 + 370.40 */
	cr_assert_eq(billed_version(t, "A1"), 1);
	cr_assert_eq(billed_version(t, "A4"), 1);
	pcrm_assert_ok(pcrm_tariff_fetch(t->ctx, &city_agent, GZ, 0, oct, &tariff));
	cr_assert_eq(pcrm_tariff_version(tariff), 1);
	pcrm_tariff_free(tariff);
	/* the owner publishes on */
	publish_ok(t, &root_admin, 2, "0.600", 0);
}

PCRM_BACKEND_TEST(ownership, overrides_only_where_allowed_and_most_specific_wins)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_tariff *tariff;
	pcrm_date oct = { 2026, 10, 1 };

	homes(t);
	publish_ok(t, &root_admin, 1, "0.589", 0);
	/* the province allows overrides from version 2 on */
	publish_ok(t, &root_admin, 2, "0.589", 1);
	publish_ok(t, &county_admin, 5, "0.489", 0);
	publish_ok(t, &jinan_admin, 6, "0.539", 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE version = 5 "
	                      "AND scope_unit = '370102' AND owner_unit = '37'"),
	             1, "the county's version is an override for its subtree; the province owns it");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE version = 6 "
	                      "AND scope_unit = '3701'"),
	             1);
	/* another unit's override does not hide the base version from a plain fetch */
	pcrm_assert_ok(pcrm_tariff_fetch(t->ctx, &city_agent, GZ, 0, oct, &tariff));
	cr_assert_eq(pcrm_tariff_version(tariff), 2);
	pcrm_tariff_free(tariff);
	/* the province withdraws the permission: no new overrides, the old ones stay */
	publish_ok(t, &root_admin, 7, "0.589", 0);
	publish_refused(t, &county_admin, 8);

	pcrm_assert_ok(pcrm_billing_run(t->ctx, &root_admin, run_37, NULL, NULL, &s));
	cr_assert_eq(s.billed, 4);
	cr_assert_eq(billed_version(t, "A1"), 5, "a township of the county: the county's override");
	cr_assert_eq(billed_version(t, "A2"), 5, "the county itself");
	cr_assert_eq(billed_version(t, "A3"), 6, "the city: its own override");
	cr_assert_eq(billed_version(t, "A4"), 7, "another city: the province's newest version");
	/* 310.40 (260 x 0.489 + 340 x 0.539) + 97.80 + 107.80 + 370.40 */
	pcrm_assert_dec(s.total, "886.40");
}

PCRM_BACKEND_TEST(ownership, a_new_tariff_belongs_to_its_first_publisher)
{
	make_tree(t->ctx);
	publish_ok(t, &county_admin, 1, "0.589", 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE owner_unit = '370102' "
	                      "AND scope_unit IS NULL"),
	             1);
	/* another city may not; the county's ancestors may, as base versions */
	publish_refused(t, &qingdao_admin, 2);
	publish_ok(t, &jinan_admin, 2, "0.600", 0);
	publish_ok(t, &root_admin, 3, "0.610", 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE owner_unit = '370102' "
	                      "AND scope_unit IS NULL"),
	             3, "the owner stays the first publisher's unit");
	/* a bad "overridable" is refused by name, nothing stored */
	{
		char *doc = gz_variant(4, "0.589", 0);
		char *bad = malloc(strlen(doc) + 32);
		sprintf(bad, "{\"overridable\": \"yes\",%s", doc + 1);
		pcrm_assert_fails(pcrm_tariff_publish(t->ctx, &root_admin, bad), PCRM_EINVAL,
		                  "overridable: expected true or false");
		cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version"), 3);
		free(bad);
		free(doc);
	}
}

PCRM_BACKEND_TEST(ownership, tariffs_published_before_ownership_belong_to_the_top)
{
	int64_t changed = 0;
	make_tree(t->ctx);
	publish_ok(t, &root_admin, 1, "0.589", 0);
	/* as migration 23 leaves a version published before it */
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "UPDATE tariff_version SET owner_unit = NULL",
	                                NULL, 0, &changed));
	cr_assert_eq(changed, 1);
	publish_refused(t, &jinan_admin, 2);
	publish_refused(t, &county_admin, 2);
	publish_ok(t, &root_admin, 2, "0.600", 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version WHERE owner_unit IS NULL"), 2);
}

/* ---- workflow definitions ---- */

static const pcrm_actor county_org_admin = { "admin-lx2", PCRM_ROLE_ADMIN, 2, "370102" };

/* test_def with the first limit changed (a distinct document) and overridable when asked. */
static char *def_variant(int hours, int overridable)
{
	json_t *doc = json_loads(test_def, 0, NULL);
	json_t *limit = json_object_get(json_array_get(json_object_get(doc, "states"), 0), "limit");
	char *out;
	json_object_set_new(limit, "working_hours", json_integer(hours));
	if (overridable)
		json_object_set_new(doc, "overridable", json_true());
	out = json_dumps(doc, 0);
	json_decref(doc);
	return out;
}

static int define(pcrm_test_store *t, const pcrm_actor *a, int hours, int overridable, int *v)
{
	char *doc = def_variant(hours, overridable), *cal = cn2026();
	int rc = pcrm_workflow_define(t->ctx, a, doc, cal, v);
	free(doc);
	free(cal);
	return rc;
}

/* The definition version a work order opened in `org` runs on. */
static int opened_version(pcrm_test_store *t, const char *org, const char *key)
{
	pcrm_workorder *wo = NULL;
	int v;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", key, NULL, org, NULL, &wo));
	v = pcrm_workorder_workflow_version(wo);
	pcrm_workorder_free(wo);
	return v;
}

PCRM_BACKEND_TEST(ownership, definitions_owned_and_overridden_per_unit)
{
	pcrm_workflow *wf = NULL;
	int v = 0;

	make_tree(t->ctx);
	cr_assert_eq(define(t, &root_admin, 8, 0, &v), PCRM_OK);
	cr_assert_eq(v, 1);
	/* a county administrator may not change the province's process */
	pcrm_assert_fails(define(t, &county_org_admin, 4, 0, &v), PCRM_EPERM,
	                  "may neither publish its versions nor override it");
	pcrm_assert_fails(define(t, &city_admin, 4, 0, &v), PCRM_EPERM, "override it");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM workflow_def"), 1, "nothing stored");
	/* until the province allows overrides */
	pcrm_assert_ok(define(t, &root_admin, 8, 1, &v));
	cr_assert_eq(v, 2);
	pcrm_assert_ok(define(t, &county_org_admin, 4, 0, &v));
	cr_assert_eq(v, 3, "versions are numbered across the name");
	pcrm_assert_ok(define(t, &county_org_admin, 4, 0, &v));
	cr_assert_eq(v, 3, "the same override again is the same version");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM workflow_def WHERE version = 3 "
	                      "AND scope_unit = '370102' AND owner_unit = '37'"),
	             1);
	cr_assert_eq(opened_version(t, "370102", "k1"), 3, "the county's own version");
	cr_assert_eq(opened_version(t, "37010201", "k2"), 3, "and its townships'");
	cr_assert_eq(opened_version(t, "3701", "k3"), 2, "the city: the province's");
	cr_assert_eq(opened_version(t, "3702", "k4"), 2);
	/* the newest base version for everyone else; the county's override still wins there */
	pcrm_assert_ok(define(t, &root_admin, 6, 0, &v));
	cr_assert_eq(v, 4);
	cr_assert_eq(opened_version(t, "3702", "k5"), 4);
	cr_assert_eq(opened_version(t, "370102", "k6"), 3);
	/* and version 0 of a get is the base version */
	pcrm_assert_ok(pcrm_workflow_get(t->ctx, &city_agent, "test", 0, &wf));
	cr_assert_eq(pcrm_workflow_version(wf), 4);
	pcrm_workflow_free(wf);
	/* overrides closed again */
	pcrm_assert_fails(define(t, &county_org_admin, 3, 0, &v), PCRM_EPERM, "override it");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied' "
	                      "AND object_type = 'workflow' AND object_id = 'test'"),
	             3);
}

PCRM_BACKEND_TEST(ownership, definitions_belong_to_their_first_definer_or_the_top)
{
	int v = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(define(t, &county_org_admin, 8, 0, &v));
	pcrm_assert_fails(define(t, &(pcrm_actor){ "admin-qd2", PCRM_ROLE_ADMIN, 2, "3702" }, 4, 0,
	                         &v),
	                  PCRM_EPERM, "override it");
	pcrm_assert_ok(define(t, &city_admin, 4, 0, &v));
	cr_assert_eq(v, 2, "an ancestor of the owner defines base versions");
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "UPDATE workflow_def SET owner_unit = NULL",
	                                NULL, 0, NULL));
	pcrm_assert_fails(define(t, &city_admin, 5, 0, &v), PCRM_EPERM, "override it");
	pcrm_assert_ok(define(t, &root_admin, 5, 0, &v));
	cr_assert_eq(v, 3);
}
