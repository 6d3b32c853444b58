/*
 * What the complaint suites share: the three fixture customers (their
 * numbers name where they live in the org tree), the actors that are not
 * in tests/workflow/wf_fixtures.h, and the customer maker.
 */
#ifndef PCRM_TEST_COMPLAINT_FIXTURE_H
#define PCRM_TEST_COMPLAINT_FIXTURE_H

#include <stdio.h>

#include "backend.h"
#include "../workflow/wf_fixtures.h"

#define ZHANG "3701000001"   /* township station 37010201 (under 370102) */
#define LI "3701000002"      /* county 370102 */
#define QINGDAO "3702000001" /* city 3702 */

static const pcrm_actor jn_lead = { "lead-jn", PCRM_ROLE_AGENT, 2, "3701" };
static const pcrm_actor qd_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };

/* A residential person in unit ORG whose mobile phone is PHONE. */
static inline void add_customer(pcrm_ctx *ctx, const char *no, const char *org, const char *phone)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"phones\": {\"mobile\": \"%s\"}}",
	         no, no, org, phone);
	pcrm_assert_ok(pcrm_customer_create(ctx, &root_admin, doc, NULL));
}

#endif
