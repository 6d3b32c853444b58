/*
 * Tier-threshold warning campaigns on both stores, over bills a billing run
 * made.  The annual tariff's tiers are 0..700, 700..1000 and above; by
 * 23 November 2026 October's bills put H1 at 650 kWh (50 to go), H2 at 300
 * (400 to go), H3 at 1200 (the top tier: nothing to warn of); H4 has no
 * bill and Q5, of Qingdao, is outside the Jinan campaign.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

/* 2026-10-31 20:00 +08:00: a reading inside October. */
#define OCT31 ((pcrm_time)1793448000)

static const char annual_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"700\", \"surcharge\": \"0\"},"
	" {\"max\": \"1000\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}]}}";

static const char template_text[] =
	"户号{customer_no}：本年度已用电{year_energy}千瓦时，处于第{tier}档，"
	"再用{tier_remaining}千瓦时（上限{tier_threshold}）将进入第{next_tier}档。";

/* Home n of `org` with `kwh` used in October (none when NULL). */
static void home(pcrm_test_store *t, int n, const char *prefix, const char *org, const char *kwh)
{
	char no[8], acct[8], mp[8], meter[8];
	snprintf(no, sizeof(no), "%s%d", prefix, n);
	snprintf(acct, sizeof(acct), "A%d", n);
	snprintf(mp, sizeof(mp), "P%d", n);
	snprintf(meter, sizeof(meter), "M%d", n);
	pcrm_test_add_home(t->ctx, &root_admin, n, org, no, acct, mp, meter, t->now - 86400 * 90);
	if (kwh) {
		pcrm_decimal v;
		pcrm_assert_ok(pcrm_decimal_add(pcrm_decimal_from_int(1000), pcrm_test_dec(kwh), &v));
		pcrm_assert_ok(pcrm_reading_record(t->ctx, &root_admin, meter, PCRM_REGISTER_TOTAL, v,
		                                   OCT31, 0, NULL));
	}
}

static void setup(pcrm_test_store *t)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	make_tree(t->ctx);
	home(t, 1, "H", "3701", "650");
	home(t, 2, "H", "370102", "300");
	home(t, 3, "H", "3701", "1200");
	home(t, 4, "H", "3701", NULL);
	home(t, 5, "Q", "3702", "690");
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, annual_tariff));
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &root_admin,
	                                "{\"org_unit\": \"37\", \"period\": \"2026-10\","
	                                " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                                " \"tariffs\": {\"residential\": \"annual-residential\"}}",
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 4);
}

static int create(pcrm_test_store *t, const char *id, const char *target)
{
	char doc[1024];
	snprintf(doc, sizeof(doc),
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"阶梯电量提醒\","
	         " \"kind\": \"tier_warning\", \"template\": \"%s\","
	         " \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"target\": %s}",
	         id, template_text, target);
	return pcrm_campaign_create(t->ctx, &city_admin, doc);
}

static int64_t rows(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/* The queued text of message `id`. */
static void body_is(pcrm_test_store *t, const char *id, const char *expected)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *r = NULL;
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT body FROM outbound_message WHERE id = $1", p, 1, &r));
	cr_assert_eq(pcrm__rows_next(r), 1, "no message %s", id);
	cr_assert_str_eq(pcrm__rows_text(r, 0), expected);
	pcrm__rows_free(r);
}

PCRM_BACKEND_TEST(tier_warning, a_kwh_margin_warns_only_those_close_to_the_next_tier)
{
	int64_t n = -1;

	setup(t);
	pcrm_assert_ok(create(t, "TW-1", "{\"margin_kwh\": \"100\"}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "TW-1", &n));
	cr_assert_eq(n, 1);
	body_is(t, "TW-1/H1", "户号H1：本年度已用电650千瓦时，处于第1档，再用50千瓦时（上限700）"
	                      "将进入第2档。");
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM outbound_message WHERE campaign_id = 'TW-1'"), 1);
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.queue'"), 1);
	/* again: nobody is warned twice by one campaign */
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "TW-1", &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM outbound_message WHERE campaign_id = 'TW-1'"), 1);
}

PCRM_BACKEND_TEST(tier_warning, a_percent_margin_is_of_the_threshold)
{
	int64_t n = -1;

	setup(t);
	/* 60 % of 700 is 420: H2's 400 to go is within it, as H1's 50; 57 % (399) leaves H2 out */
	pcrm_assert_ok(create(t, "TW-57", "{\"margin_percent\": 57}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "TW-57", &n));
	cr_assert_eq(n, 1);
	pcrm_assert_ok(create(t, "TW-60", "{\"margin_percent\": 60}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "TW-60", &n));
	cr_assert_eq(n, 2, "queued %lld", (long long)n);
	body_is(t, "TW-60/H2", "户号H2：本年度已用电300千瓦时，处于第1档，再用400千瓦时（上限700）"
	                       "将进入第2档。");
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM outbound_message WHERE customer_no IN "
	                     "('H3', 'H4', 'Q5')"),
	             0, "the top tier, no bill and another city are never warned");
}

PCRM_BACKEND_TEST(tier_warning, bad_targets_are_refused_by_name_and_store_nothing)
{
	static const struct {
		const char *target, *needle;
	} bad[] = {
		{ "{}", "exactly one of margin_kwh, margin_percent" },
		{ "{\"margin_kwh\": \"10\", \"margin_percent\": 5}", "exactly one" },
		{ "{\"margin_kwh\": 10}", "target.margin_kwh" },
		{ "{\"margin_kwh\": \"0\"}", "target.margin_kwh" },
		{ "{\"margin_kwh\": \"-5\"}", "target.margin_kwh" },
		{ "{\"margin_kwh\": \"1.0000001\"}", "target.margin_kwh" },
		{ "{\"margin_percent\": 0}", "target.margin_percent" },
		{ "{\"margin_percent\": 101}", "target.margin_percent" },
		{ "{\"margin_percent\": \"5\"}", "target.margin_percent" },
		{ "{\"margin_percent\": 5, \"usage_classes\": [\"residential\"]}", "usage_classes" },
	};

	setup(t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		pcrm_assert_fails(create(t, "TW-BAD", bad[i].target), PCRM_EINVAL, bad[i].needle);
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM outbound_campaign"), 0);
	/* a template may name the tier fields; an unknown field is still refused */
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin,
	                                       "{\"id\": \"TW-X\", \"org_unit\": \"3701\", \"name\":"
	                                       " \"x\", \"kind\": \"tier_warning\", \"template\":"
	                                       " \"{tier_price}\", \"schedule_at\":"
	                                       " \"2026-11-24T09:00:00+08:00\", \"target\":"
	                                       " {\"margin_percent\": 5}}"),
	                  PCRM_EINVAL, "unknown placeholder");
	/* another city's admin may not queue Jinan's warnings */
	pcrm_assert_ok(create(t, "TW-1", "{\"margin_kwh\": \"100\"}"));
	pcrm_assert_fails(pcrm_campaign_queue(t->ctx,
	                                      &(pcrm_actor){ "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" },
	                                      "TW-1", NULL),
	                  PCRM_EPERM, "");
	cr_assert_eq(rows(t, "SELECT COUNT(*) FROM outbound_message"), 0);
}
