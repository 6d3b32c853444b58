/* A small org tree and actors that most store-level tests start from. */
#ifndef PCRM_TEST_FIXTURES_H
#define PCRM_TEST_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>

#include "backend.h"

/* province 37 > city 3701 > county 370102 > township 37010201; city 3702 beside 3701 */
static const pcrm_actor root_admin = { "admin-root", PCRM_ROLE_ADMIN, 3, "37" };
static const pcrm_actor city_admin = { "admin-jn", PCRM_ROLE_ADMIN, 2, "3701" };
static const pcrm_actor city_clerk = { "clerk-jn", PCRM_ROLE_DATA_CLERK, 1, "3701" };
static const pcrm_actor township_clerk = { "clerk-tw", PCRM_ROLE_DATA_CLERK, 2, "37010201" };
static const pcrm_actor city_agent = { "agent-jn", PCRM_ROLE_AGENT, 1, "3701" };
static const pcrm_actor monitor = { "monitor-1", PCRM_ROLE_MONITOR, 1, "37" };

static inline void make_tree(pcrm_ctx *ctx)
{
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &root_admin, "37", NULL, "山东省电力公司",
	                                    PCRM_ORG_PROVINCE));
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &root_admin, "3701", "37", "济南供电公司",
	                                    PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &root_admin, "3702", "37", "青岛供电公司",
	                                    PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &city_admin, "370102", "3701", "历下区供电中心",
	                                    PCRM_ORG_COUNTY));
	pcrm_assert_ok(pcrm_org_unit_create(ctx, &city_admin, "37010201", "370102", "姚家供电所",
	                                    PCRM_ORG_TOWNSHIP));
}

/*
 * Home n: a residential customer "居民<n>" in `org`, created by `clerk`,
 * with one account, one settlement metering point and a single-phase meter
 * whose "total" register reads 1000 when installed at `installed`.  The
 * caller names the four (billing tests use C<n>, A<n>, P<n>, M<n>).
 */
static inline void pcrm_test_add_home(pcrm_ctx *ctx, const pcrm_actor *clerk, int n,
                                      const char *org, const char *customer_no,
                                      const char *account_no, const char *mp_no,
                                      const char *meter_no, pcrm_time installed)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"居民%d\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\"}",
	         customer_no, n, org);
	pcrm_assert_ok(pcrm_customer_create(ctx, clerk, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"account_no\": \"%s\", \"name\": \"电费\", \"payment_method\": \"cash\"}",
	         account_no);
	pcrm_assert_ok(pcrm_account_create(ctx, clerk, customer_no, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"mp_no\": \"%s\", \"account_no\": \"%s\", \"purpose\": \"settlement\","
	         " \"voltage_level\": \"220V\"}",
	         mp_no, account_no);
	pcrm_assert_ok(pcrm_metering_point_create(ctx, clerk, customer_no, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"meter_no\": \"%s\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
	         " \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"1000\"}}",
	         meter_no);
	pcrm_assert_ok(pcrm_meter_install(ctx, clerk, mp_no, doc, installed));
}

/** Creates a residential person customer `no` in org unit `org` (as root_admin). */
static inline void add_person(pcrm_ctx *ctx, const char *no, const char *org)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\"}",
	         no, no, org);
	pcrm_assert_ok(pcrm_customer_create(ctx, &root_admin, doc, NULL));
}

/** A shipped tariff document (data/tariffs/<name>) as text; free() it. */
static inline char *pcrm_test_read_tariff(const char *name)
{
	char path[1024];
	FILE *f;
	char *buf = calloc(1, 1 << 16);
	size_t n;
	snprintf(path, sizeof(path), "%s/data/tariffs/%s", getenv("PCRM_SOURCE_ROOT"), name);
	f = fopen(path, "rb");
	cr_assert(f && buf, "cannot open %s", path);
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

#endif
