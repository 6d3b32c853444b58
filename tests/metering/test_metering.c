/*
 * Accounts, metering points, meters and readings on both backends: every
 * operation, every rejection, the exact energy arithmetic, permissions and
 * the audit trail.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

#define DAY 86400

static const char *const customer_c1 =
	"{\"customer_no\": \"C1\", \"kind\": \"organisation\", \"name\": \"历下钢构厂\","
	" \"usage_class\": \"large_industry\", \"voltage_level\": \"10kV\", \"org_unit\": \"37010201\"}";
static const char *const customer_q1 =
	"{\"customer_no\": \"Q1\", \"kind\": \"person\", \"name\": \"青岛客户\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3702\"}";

static const char *const account_cash =
	"{\"account_no\": \"A1\", \"name\": \"主账户\", \"payment_method\": \"cash\"}";
static const char *const account_bank =
	"{\"account_no\": \"A2\", \"name\": \"银行代扣户\", \"payment_method\": \"bank_collection\","
	" \"bank\": \"工商银行济南分行\", \"bank_account\": \"6222020200001234567\"}";

static const char *const point_mp1 =
	"{\"mp_no\": \"MP1\", \"account_no\": \"A1\", \"purpose\": \"settlement\","
	" \"voltage_level\": \"10kV\", \"location\": \"1号配电室\"}";

/* CT 200/5 = 40; a time-of-use meter with a demand register */
static const char *const meter_m1 =
	"{\"meter_no\": \"M1\", \"type\": \"three_phase_four_wire\", \"model\": \"DTZY341\","
	" \"multiplier\": \"40\", \"digits\": 6,"
	" \"registers\": [\"total\", \"peak\", \"valley\", \"max_demand\"],"
	" \"initial_readings\": {\"total\": \"1000.00\", \"peak\": \"300.00\", \"valley\": \"700.00\"}}";

static const char *const meter_m2 =
	"{\"meter_no\": \"M2\", \"type\": \"three_phase_four_wire\", \"multiplier\": \"0.5\","
	" \"digits\": 6, \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"0\"}}";

static const char *const removal_fault =
	"{\"reason\": \"fault\", \"note\": \"display blank\","
	" \"final_readings\": {\"total\": \"1400.00\", \"peak\": \"350.00\", \"valley\": \"750.00\"}}";

static pcrm_time ago(const pcrm_test_store *t, int days)
{
	return t->now - (pcrm_time)days * DAY;
}

#define dec pcrm_test_dec
#define assert_dec pcrm_assert_dec

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/* Org tree, customer C1 (township 37010201) and Q1 (Qingdao), account A1 and point MP1 of C1. */
static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, customer_c1, NULL));
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, customer_q1, NULL));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_cash, NULL));
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1", point_mp1, NULL));
}

/* setup() plus meter M1 at MP1, installed 60 days ago. */
static void setup_meter(pcrm_test_store *t)
{
	setup(t);
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m1, ago(t, 60)));
}

static void record(pcrm_test_store *t, const char *meter, pcrm_register reg, const char *value,
                   pcrm_time at, pcrm_reading *out)
{
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, meter, reg, dec(value), at, 0, out));
}

/* ---- registers ---- */

Test(metering, register_names)
{
	pcrm_register reg;
	cr_assert_str_eq(pcrm_register_name(PCRM_REGISTER_CRITICAL_PEAK), "critical_peak");
	cr_assert_null(pcrm_register_name((pcrm_register)0));
	cr_assert_null(pcrm_register_name((pcrm_register)8));
	pcrm_assert_ok(pcrm_register_parse("max_demand", &reg));
	cr_assert_eq(reg, PCRM_REGISTER_MAX_DEMAND);
	pcrm_assert_fails(pcrm_register_parse("Total", &reg), PCRM_EINVAL, "total, peak");
	pcrm_assert_fails(pcrm_register_parse(NULL, &reg), PCRM_EINVAL, "register");
	cr_assert(pcrm_register_is_cumulative(PCRM_REGISTER_REACTIVE));
	cr_assert(!pcrm_register_is_cumulative(PCRM_REGISTER_MAX_DEMAND));
	cr_assert(!pcrm_register_is_cumulative((pcrm_register)42));
}

/* ---- accounts ---- */

PCRM_BACKEND_TEST(account, create_get_list)
{
	pcrm_account *a;
	pcrm_account_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_bank, &a));
	cr_assert_str_eq(pcrm_account_no(a), "A2");
	cr_assert_eq(pcrm_account_version(a), 1);
	pcrm_account_free(a);

	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A2", &a));
	cr_assert_str_eq(pcrm_account_customer_no(a), "C1");
	cr_assert_str_eq(pcrm_account_name(a), "银行代扣户");
	cr_assert_str_eq(pcrm_account_payment_method(a), "bank_collection");
	cr_assert_str_eq(pcrm_account_status(a), "active");
	cr_assert_eq(pcrm_account_created_at(a), t->now);
	cr_assert_eq(pcrm_account_updated_at(a), t->now);
	/* the number is sealed: an account shows its mask (test_bank_account.c) */
	cr_assert(strstr(pcrm_account_json(a), "\"bank_account\":\"6222***********4567\"") != NULL,
	          "%s", pcrm_account_json(a));
	cr_assert(strstr(pcrm_account_json(a), "\"customer_no\":\"C1\"") != NULL);
	pcrm_account_free(a);

	pcrm_assert_ok(pcrm_account_list_load(t->ctx, &township_clerk, "C1", &l));
	cr_assert_eq(pcrm_account_list_count(l), 2);
	cr_assert_str_eq(pcrm_account_no(pcrm_account_list_at(l, 0)), "A1");
	cr_assert_str_eq(pcrm_account_no(pcrm_account_list_at(l, 1)), "A2");
	cr_assert_null(pcrm_account_list_at(l, 2));
	pcrm_account_list_free(l);
	pcrm_assert_ok(pcrm_account_list_load(t->ctx, &root_admin, "Q1", &l));
	cr_assert_eq(pcrm_account_list_count(l), 0);
	pcrm_account_list_free(l);
	pcrm_account_free(NULL);
	pcrm_account_list_free(NULL);
}

PCRM_BACKEND_TEST(account, rejections_name_the_field)
{
	pcrm_account *a;
	setup(t);
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1", "{oops", NULL), PCRM_EINVAL,
	                  "invalid JSON");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1", "[]", NULL), PCRM_EINVAL,
	                  "JSON object");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"cash\", \"colour\": 1}",
	                                      NULL),
	                  PCRM_EINVAL, "colour: unknown field");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"payment_method\": \"cash\"}",
	                                      NULL),
	                  PCRM_EINVAL, "name: is required");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A 9\", \"name\": \"x\","
	                                      " \"payment_method\": \"cash\"}",
	                                      NULL),
	                  PCRM_EINVAL, "account_no: the character at byte 2 is not allowed");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"cheque\"}",
	                                      NULL),
	                  PCRM_EINVAL, "payment_method: must be one of cash, bank_collection, prepaid");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"bank_collection\","
	                                      " \"bank_account\": \"62220202000012\"}",
	                                      NULL),
	                  PCRM_EINVAL, "bank: is required");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"cash\","
	                                      " \"bank_account\": \"62220202000012\"}",
	                                      NULL),
	                  PCRM_EINVAL, "bank_account: only for payment_method bank_collection");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"bank_collection\", \"bank\": \"b\","
	                                      " \"bank_account\": \"6222-0202\"}",
	                                      NULL),
	                  PCRM_EINVAL, "bank_account: the character at byte 5 is not a digit");
	/* a bank account is personal data: no message quotes it */
	cr_assert_null(strstr(pcrm_error_last(), "6222"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                      "{\"account_no\": \"A9\", \"name\": \"x\","
	                                      " \"payment_method\": \"cash\", \"status\": \"gone\"}",
	                                      NULL),
	                  PCRM_EINVAL, "status");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, NULL, account_bank, NULL),
	                  PCRM_EINVAL, "customer_no: missing");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C404", account_bank, NULL),
	                  PCRM_EPERM, "customer: unknown or outside");
	/* account numbers are unique across customers */
	pcrm_assert_fails(pcrm_account_create(t->ctx, &root_admin, "Q1", account_cash, NULL),
	                  PCRM_EDUPLICATE, "account_no: \"A1\" is already taken");
	pcrm_assert_fails(pcrm_account_get(t->ctx, &city_agent, "A404", &a), PCRM_EPERM, "customer: unknown or outside");
	cr_assert_null(a);
	pcrm_assert_fails(pcrm_account_get(t->ctx, &city_agent, "A1", NULL), PCRM_EINVAL, "out");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account"), 1);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

PCRM_BACKEND_TEST(account, update_is_versioned)
{
	pcrm_account *a;
	setup(t);
	t->now += 3600;
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A1",
	                                   "{\"payment_method\": \"bank_collection\","
	                                   " \"bank\": \"农业银行\", \"bank_account\": \"6228480000000001\"}",
	                                   1, &a));
	cr_assert_eq(pcrm_account_version(a), 2);
	cr_assert_str_eq(pcrm_account_payment_method(a), "bank_collection");
	cr_assert_eq(pcrm_account_updated_at(a), t->now);
	cr_assert_eq(pcrm_account_created_at(a), t->now - 3600);
	pcrm_account_free(a);
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"name\": \"stale\"}", 1,
	                                      NULL),
	                  PCRM_ECONFLICT, "version 2");
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"account_no\": \"A7\"}", 2,
	                                      NULL),
	                  PCRM_EINVAL, "account_no: cannot change");
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"name\": null}", 2, NULL),
	                  PCRM_EINVAL, "name: must not be null");
	/* back to cash: the bank fields must go too */
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1",
	                                      "{\"payment_method\": \"cash\"}", 2, NULL),
	                  PCRM_EINVAL, "bank: only for payment_method bank_collection");
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A1",
	                                   "{\"payment_method\": \"prepaid\", \"bank\": null,"
	                                   " \"bank_account\": null}",
	                                   2, NULL));
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A404", "{\"name\": \"x\"}", 1,
	                                      NULL),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A1", &a));
	cr_assert_eq(pcrm_account_version(a), 3);
	cr_assert_str_eq(pcrm_account_payment_method(a), "prepaid");
	cr_assert(strstr(pcrm_account_json(a), "bank") == NULL, "%s", pcrm_account_json(a));
	pcrm_account_free(a);
	/* the audit log shows a bank account masked */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%6228480000000001%'"),
	             0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%6228********0001%'"),
	             1);
}

PCRM_BACKEND_TEST(account, closing_needs_inactive_points_and_is_final)
{
	setup(t);
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"status\": \"closed\"}", 1,
	                                      NULL),
	                  PCRM_ESTATE, "active metering point");
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                          "{\"status\": \"inactive\"}", 1, NULL));
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"status\": \"closed\"}", 1,
	                                   NULL));
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"status\": \"active\"}", 2,
	                                      NULL),
	                  PCRM_ESTATE, "closed");
	/* no new metering point on a closed account */
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                             " \"purpose\": \"settlement\","
	                                             " \"voltage_level\": \"10kV\"}",
	                                             NULL),
	                  PCRM_ESTATE, "account \"A1\" is closed");
}

/* ---- metering points ---- */

PCRM_BACKEND_TEST(metering_point, create_get_list_update)
{
	pcrm_metering_point *mp;
	pcrm_metering_point_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_bank, NULL));
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                          "{\"mp_no\": \"MP0\", \"account_no\": \"A2\","
	                                          " \"purpose\": \"assessment\","
	                                          " \"voltage_level\": \"380V\"}",
	                                          &mp));
	cr_assert_str_eq(pcrm_metering_point_no(mp), "MP0");
	cr_assert_str_eq(pcrm_metering_point_status(mp), "active");
	pcrm_metering_point_free(mp);

	pcrm_assert_ok(pcrm_metering_point_get(t->ctx, &township_clerk, "MP1", &mp));
	cr_assert_str_eq(pcrm_metering_point_customer_no(mp), "C1");
	cr_assert_str_eq(pcrm_metering_point_account_no(mp), "A1");
	cr_assert_str_eq(pcrm_metering_point_purpose(mp), "settlement");
	cr_assert_str_eq(pcrm_metering_point_voltage_level(mp), "10kV");
	cr_assert_eq(pcrm_metering_point_version(mp), 1);
	cr_assert_eq(pcrm_metering_point_created_at(mp), t->now);
	cr_assert(strstr(pcrm_metering_point_json(mp), "\"location\":\"1号配电室\"") != NULL, "%s",
	          pcrm_metering_point_json(mp));
	pcrm_metering_point_free(mp);

	pcrm_assert_ok(pcrm_metering_point_list_load(t->ctx, &city_agent, "C1", &l));
	cr_assert_eq(pcrm_metering_point_list_count(l), 2);
	cr_assert_str_eq(pcrm_metering_point_no(pcrm_metering_point_list_at(l, 0)), "MP0");
	cr_assert_str_eq(pcrm_metering_point_no(pcrm_metering_point_list_at(l, 1)), "MP1");
	pcrm_metering_point_list_free(l);

	t->now += 60;
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                          "{\"account_no\": \"A2\", \"location\": null}", 1,
	                                          &mp));
	cr_assert_eq(pcrm_metering_point_version(mp), 2);
	cr_assert_str_eq(pcrm_metering_point_account_no(mp), "A2");
	cr_assert_eq(pcrm_metering_point_updated_at(mp), t->now);
	cr_assert(strstr(pcrm_metering_point_json(mp), "location") == NULL);
	pcrm_metering_point_free(mp);
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"location\": \"x\"}", 1, NULL),
	                  PCRM_ECONFLICT, "version 2");
}

PCRM_BACKEND_TEST(metering_point, rejections_name_the_field)
{
	pcrm_metering_point *mp;
	setup(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &root_admin, "Q1",
	                                   "{\"account_no\": \"QA\", \"name\": \"q\","
	                                   " \"payment_method\": \"cash\"}",
	                                   NULL));
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                             " \"purpose\": \"billing\","
	                                             " \"voltage_level\": \"10kV\"}",
	                                             NULL),
	                  PCRM_EINVAL, "purpose: must be one of settlement, assessment, internal");
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                             " \"purpose\": \"settlement\","
	                                             " \"voltage_level\": \"11kV\"}",
	                                             NULL),
	                  PCRM_EINVAL, "voltage_level");
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"purpose\": \"settlement\","
	                                             " \"voltage_level\": \"10kV\"}",
	                                             NULL),
	                  PCRM_EINVAL, "account_no: is required");
	/* an account of another customer, or none at all */
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"QA\","
	                                             " \"purpose\": \"settlement\","
	                                             " \"voltage_level\": \"10kV\"}",
	                                             NULL),
	                  PCRM_EINVAL, "account_no: \"QA\" is not an account of customer \"C1\"");
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"A404\","
	                                             " \"purpose\": \"settlement\","
	                                             " \"voltage_level\": \"10kV\"}",
	                                             NULL),
	                  PCRM_EINVAL, "account_no");
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &city_clerk, "C1", point_mp1, NULL),
	                  PCRM_EDUPLICATE, "mp_no: \"MP1\" is already taken");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"mp_no\": \"MP9\"}", 1, NULL),
	                  PCRM_EINVAL, "mp_no: cannot change");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"account_no\": \"QA\"}", 1, NULL),
	                  PCRM_EINVAL, "not an account of customer \"C1\"");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"status\": \"gone\"}", 1, NULL),
	                  PCRM_EINVAL, "status: must be one of active, inactive");
	pcrm_assert_fails(pcrm_metering_point_get(t->ctx, &city_agent, "MP404", &mp), PCRM_EPERM,
	                  "customer: unknown or outside");
	cr_assert_null(mp);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM metering_point"), 1);
}

/* ---- meters ---- */

PCRM_BACKEND_TEST(meter, install_and_history)
{
	pcrm_meter_history *h;
	const pcrm_meter_installation *i;
	setup_meter(t);
	pcrm_assert_ok(pcrm_meter_history_load(t->ctx, &city_agent, "MP1", &h));
	cr_assert_eq(pcrm_meter_history_count(h), 1);
	i = pcrm_meter_history_at(h, 0);
	cr_assert_str_eq(i->meter_no, "M1");
	cr_assert_str_eq(i->type, "three_phase_four_wire");
	assert_dec(i->multiplier, "40");
	cr_assert_eq(i->digits, 6);
	cr_assert_eq(i->registers, PCRM_REGISTER_BIT(PCRM_REGISTER_TOTAL) |
	                                   PCRM_REGISTER_BIT(PCRM_REGISTER_PEAK) |
	                                   PCRM_REGISTER_BIT(PCRM_REGISTER_VALLEY) |
	                                   PCRM_REGISTER_BIT(PCRM_REGISTER_MAX_DEMAND));
	cr_assert_eq(i->installed_at, ago(t, 60));
	cr_assert(i->in_service);
	cr_assert_null(i->removal_reason);
	cr_assert(strstr(i->json, "\"initial_readings\":{\"peak\":\"300.00\"") != NULL, "%s", i->json);
	cr_assert(strstr(i->json, "removal") == NULL);
	cr_assert_null(pcrm_meter_history_at(h, 1));
	pcrm_meter_history_free(h);
	pcrm_meter_history_free(NULL);
}

struct bad_meter {
	const char *json;
	const char *needle;
};

PCRM_BACKEND_TEST(meter, install_rejections_name_the_field)
{
	static const struct bad_meter cases[] = {
		{ "{\"type\": \"single_phase\"}", "meter_no: is required" },
		{ "{\"meter_no\": \"M9\", \"type\": \"two_phase\"}", "type: must be one of" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": 40}",
		  "multiplier: must be a decimal string" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"0\"}",
		  "multiplier: must be greater than 0" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"-40\"}",
		  "multiplier: must be greater than 0" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1e3\"}",
		  "multiplier: " },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"0.0000001\"}",
		  "multiplier: at most 6 decimals" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 0}",
		  "digits: 0 is outside 1..12" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": \"6\"}",
		  "digits: must be an integer" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": []}",
		  "registers: must be a non-empty array" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\", \"shoulder\"]}",
		  "registers[1]: must be one of total" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\", \"total\"]}",
		  "registers[1]: \"total\" appears twice" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\", \"peak\"], \"initial_readings\": {\"total\": \"0\"}}",
		  "initial_readings.peak: missing" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"0\", \"valley\": \"0\"}}",
		  "initial_readings.valley: not one of the meter's registers" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"max_demand\"], \"initial_readings\": {\"max_demand\": \"0\"}}",
		  "initial_readings.max_demand: the demand register has no initial reading" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 4,"
		  " \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"10000\"}}",
		  "initial_readings.total: 10000 does not fit a display of 4 digits" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"-1\"}}",
		  "initial_readings.total: -1 is negative" },
		{ "{\"meter_no\": \"M9\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6,"
		  " \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"0\"}, \"owner\": 1}",
		  "owner: unknown field" },
	};
	setup(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", cases[i].json, ago(t, 1)),
		                  PCRM_EINVAL, cases[i].needle);
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m1, t->now + 60),
	                  PCRM_EINVAL, "installed_at: 2026-11-23T09:01:00+08:00 is in the future");
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP404", meter_m1, ago(t, 1)),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", NULL, ago(t, 1)),
	                  PCRM_EINVAL, "meter: missing");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_installation"), 0);

	/* one meter per point, one point per meter, and none at an inactive point */
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m1, ago(t, 60)));
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m2, ago(t, 1)),
	                  PCRM_ESTATE, "already has meter \"M1\" in service");
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                          "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                          " \"purpose\": \"internal\","
	                                          " \"voltage_level\": \"380V\"}",
	                                          NULL));
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP2", meter_m1, ago(t, 1)),
	                  PCRM_EDUPLICATE, "meter_no: meter \"M1\" is in service at metering point \"MP1\"");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"status\": \"inactive\"}", 1, NULL),
	                  PCRM_ESTATE, "meter in service");
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "MP2",
	                                          "{\"status\": \"inactive\"}", 1, NULL));
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP2", meter_m2, ago(t, 1)),
	                  PCRM_ESTATE, "inactive");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_installation"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_register"), 4);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

PCRM_BACKEND_TEST(meter, removal_closes_with_final_readings)
{
	pcrm_meter_history *h;
	const pcrm_meter_installation *i;
	pcrm_reading_list *l;
	pcrm_decimal e;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1250.00", ago(t, 30), NULL);

	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                    "{\"reason\": \"fault\", \"final_readings\":"
	                                    " {\"total\": \"1400\", \"peak\": \"350\"}}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "final_readings.valley: missing");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                    "{\"reason\": \"fault\", \"final_readings\":"
	                                    " {\"total\": \"1400\", \"peak\": \"350\","
	                                    " \"valley\": \"750\", \"reactive\": \"1\"}}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "final_readings.reactive: meter \"M1\" has no reactive register");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                    "{\"reason\": \"fault\", \"final_readings\":"
	                                    " {\"total\": \"1200\", \"peak\": \"350\","
	                                    " \"valley\": \"750\"}}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "final_readings.total: the total reading 1200 is below the "
	                               "previous reading 1250.00");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 30)),
	                  PCRM_EINVAL, "removed_at: not after the last total reading");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                    "{\"reason\": \"bored\", \"final_readings\": {}}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "reason: must be one of fault");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", "{\"reason\": \"fault\"}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "final_readings: is required");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                    "{\"reason\": \"fault\", \"final_readings\":"
	                                    " {\"total\": 1400}}",
	                                    ago(t, 10)),
	                  PCRM_EINVAL, "final_readings.total: must be a decimal string");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 1);

	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 10)));
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 5)),
	                  PCRM_ESTATE, "no meter in service");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1500"), ago(t, 5), 0, NULL),
	                  PCRM_ESTATE, "M1\" was removed from metering point \"MP1\"");

	pcrm_assert_ok(pcrm_meter_history_load(t->ctx, &city_agent, "MP1", &h));
	cr_assert_eq(pcrm_meter_history_count(h), 1);
	i = pcrm_meter_history_at(h, 0);
	cr_assert(!i->in_service);
	cr_assert_eq(i->removed_at, ago(t, 10));
	cr_assert_str_eq(i->removal_reason, "fault");
	cr_assert(strstr(i->json, "\"note\":\"display blank\"") != NULL, "%s", i->json);
	cr_assert(strstr(i->json, "\"final_readings\":{\"peak\":\"350.00\"") != NULL, "%s", i->json);
	pcrm_meter_history_free(h);

	/* the final reading counted what the meter measured after its last reading */
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &city_agent, "M1", PCRM_REGISTER_TOTAL, 0,
	                                      t->now, &l));
	cr_assert_eq(pcrm_reading_list_count(l), 2);
	cr_assert_eq(pcrm_reading_list_at(l, 1)->flags, PCRM_READING_FINAL);
	assert_dec(pcrm_reading_list_at(l, 1)->energy, "6000.00"); /* (1400 - 1250) x 40 */
	pcrm_reading_list_free(l);
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_PEAK,
	                                          0, t->now, &e));
	assert_dec(e, "2000.00"); /* (350 - 300) x 40 */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_register WHERE final_value IS NOT NULL"), 3);
}

PCRM_BACKEND_TEST(meter, removed_meters_can_serve_again)
{
	pcrm_meter_history *h;
	setup_meter(t);
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                          "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                          " \"purpose\": \"internal\","
	                                          " \"voltage_level\": \"380V\"}",
	                                          NULL));
	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 20)));
	/* not before it left MP1, neither at MP2 nor back at MP1 before its removal */
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP2", meter_m1, ago(t, 21)),
	                  PCRM_EINVAL, "installed_at: before meter \"M1\" was removed");
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m2, ago(t, 25)),
	                  PCRM_EINVAL, "installed_at: before meter \"M1\" was removed from metering "
	                               "point \"MP1\"");
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP2", meter_m1, ago(t, 15)));
	record(t, "M1", PCRM_REGISTER_TOTAL, "1000.10", ago(t, 5), NULL);
	pcrm_assert_ok(pcrm_meter_history_load(t->ctx, &city_agent, "MP2", &h));
	cr_assert_eq(pcrm_meter_history_count(h), 1);
	cr_assert(pcrm_meter_history_at(h, 0)->in_service);
	pcrm_meter_history_free(h);
}

PCRM_BACKEND_TEST(meter, replacement_lets_readings_start_again)
{
	pcrm_meter_history *h;
	pcrm_reading r = PCRM_READING_INIT;
	pcrm_decimal e;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1250.00", ago(t, 30), NULL);

	/* errors name the document they come from; nothing changes */
	pcrm_assert_fails(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", removal_fault,
	                                     "{\"meter_no\": \"M2\", \"type\": \"single_phase\","
	                                     " \"multiplier\": \"x\"}",
	                                     ago(t, 20)),
	                  PCRM_EINVAL, "new_meter: multiplier");
	pcrm_assert_fails(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", "{\"reason\": \"x\"}",
	                                     meter_m2, ago(t, 20)),
	                  PCRM_EINVAL, "removal: reason");
	pcrm_assert_fails(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", removal_fault, "{",
	                                     ago(t, 20)),
	                  PCRM_EINVAL, "new_meter: invalid JSON");
	/* the new meter is busy elsewhere: the removal is rolled back too */
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                          "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                          " \"purpose\": \"internal\","
	                                          " \"voltage_level\": \"380V\"}",
	                                          NULL));
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP2", meter_m2, ago(t, 50)));
	pcrm_assert_fails(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", removal_fault, meter_m2,
	                                     ago(t, 20)),
	                  PCRM_EDUPLICATE, "meter_no: meter \"M2\" is in service at metering point "
	                                   "\"MP2\"");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_installation WHERE removed_at IS NULL"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 1);
	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP2",
	                                 "{\"reason\": \"other\", \"final_readings\": {\"total\": \"0\"}}",
	                                 ago(t, 40)));

	pcrm_assert_ok(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", removal_fault, meter_m2,
	                                  ago(t, 20)));
	/* the new meter starts at 0: below the old 1400, and that is fine */
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M2", PCRM_REGISTER_TOTAL,
	                                   dec("120.4"), ago(t, 10), 0, &r));
	assert_dec(r.previous, "0");
	cr_assert_eq(r.previous_at, ago(t, 20));
	assert_dec(r.multiplier, "0.5");
	assert_dec(r.energy, "60.20");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M2", PCRM_REGISTER_PEAK,
	                                      dec("1"), ago(t, 5), 0, NULL),
	                  PCRM_EINVAL, "register: meter \"M2\" has no peak register");

	pcrm_assert_ok(pcrm_meter_history_load(t->ctx, &city_agent, "MP1", &h));
	cr_assert_eq(pcrm_meter_history_count(h), 2);
	cr_assert_str_eq(pcrm_meter_history_at(h, 0)->meter_no, "M1");
	cr_assert_eq(pcrm_meter_history_at(h, 0)->removed_at, ago(t, 20));
	cr_assert_str_eq(pcrm_meter_history_at(h, 1)->meter_no, "M2");
	cr_assert_eq(pcrm_meter_history_at(h, 1)->installed_at, ago(t, 20));
	cr_assert(pcrm_meter_history_at(h, 1)->in_service);
	pcrm_meter_history_free(h);

	/* the period across the replacement: old meter up to its final reading, new one from 0 */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL,
	                                          ago(t, 30), t->now, &e));
	assert_dec(e, "6060.20"); /* (1400 - 1250) x 40 + 120.4 x 0.5 */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL,
	                                          ago(t, 60), t->now, &e));
	assert_dec(e, "16060.20"); /* + (1250 - 1000) x 40 */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'meter.replace'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'meter.remove'"), 1);
}

/* ---- readings ---- */

PCRM_BACKEND_TEST(reading, energy_is_exact)
{
	pcrm_reading r = PCRM_READING_INIT;
	pcrm_decimal e;
	setup_meter(t);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   dec("1250.50"), ago(t, 30), 0, &r));
	cr_assert_eq(r.reg, PCRM_REGISTER_TOTAL);
	cr_assert_eq(r.read_at, ago(t, 30));
	assert_dec(r.value, "1250.50");
	assert_dec(r.previous, "1000.00");
	cr_assert_eq(r.previous_at, ago(t, 60)); /* the installation */
	assert_dec(r.energy, "10020.00");
	cr_assert_eq(r.flags, 0);
	cr_assert_eq(r.recorded_at, t->now);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1300.25", t->now, &r);
	assert_dec(r.previous, "1250.50");
	assert_dec(r.energy, "1990.00");
	/* equal readings: no consumption, still a reading */
	record(t, "M1", PCRM_REGISTER_PEAK, "300.00", ago(t, 1), &r);
	assert_dec(r.energy, "0.00");

	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL,
	                                          ago(t, 60), t->now, &e));
	assert_dec(e, "12010.00");
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL,
	                                          ago(t, 31), ago(t, 30), &e));
	assert_dec(e, "10020.00"); /* the reading at `to` belongs to the period */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL,
	                                          ago(t, 30), ago(t, 29), &e));
	assert_dec(e, "0");        /* the one at `from` does not */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_VALLEY,
	                                          ago(t, 60), t->now, &e));
	assert_dec(e, "0");

	/* decimal multipliers stay exact: 0.1 -> 0.3 at x0.5 is 0.10, not 0.09999... */
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, "C1",
	                                          "{\"mp_no\": \"MP3\", \"account_no\": \"A1\","
	                                          " \"purpose\": \"internal\","
	                                          " \"voltage_level\": \"220V\"}",
	                                          NULL));
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP3",
	                                  "{\"meter_no\": \"M3\", \"type\": \"single_phase\","
	                                  " \"multiplier\": \"0.5\", \"digits\": 5,"
	                                  " \"registers\": [\"total\"],"
	                                  " \"initial_readings\": {\"total\": \"0.1\"}}",
	                                  ago(t, 3)));
	record(t, "M3", PCRM_REGISTER_TOTAL, "0.3", ago(t, 2), &r);
	assert_dec(r.energy, "0.10");
	record(t, "M3", PCRM_REGISTER_TOTAL, "0.7", ago(t, 1), &r);
	assert_dec(r.energy, "0.20");
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP3", PCRM_REGISTER_TOTAL,
	                                          ago(t, 3), t->now, &e));
	assert_dec(e, "0.30");
}

PCRM_BACKEND_TEST(reading, going_backwards_is_rejected)
{
	pcrm_reading r = PCRM_READING_INIT;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1250.00", ago(t, 30), NULL);
	r.flags = 99;
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1249.99"), ago(t, 20), 0, &r),
	                  PCRM_EINVAL, "value: the total reading 1249.99 is below the previous "
	                               "reading 1250.00");
	cr_assert_eq(r.flags, 99, "a failed call leaves the result untouched");
	cr_assert(strstr(pcrm_error_last(), "flag a rollover or replace the meter") != NULL);
	/* also against the initial reading, on a register never read */
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_PEAK,
	                                      dec("299"), ago(t, 20), 0, NULL),
	                  PCRM_EINVAL, "the peak reading 299 is below the previous reading 300.00");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'meter.reading'"), 1);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
	/* and the register is still where it was */
	record(t, "M1", PCRM_REGISTER_TOTAL, "1250.00", ago(t, 20), &r);
	assert_dec(r.previous, "1250.00");
}

PCRM_BACKEND_TEST(reading, rollover_passes_the_display)
{
	pcrm_reading r = PCRM_READING_INIT;
	pcrm_reading_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP1",
	                                  "{\"meter_no\": \"M4\", \"type\": \"single_phase\","
	                                  " \"multiplier\": \"2\", \"digits\": 4,"
	                                  " \"registers\": [\"total\", \"max_demand\"],"
	                                  " \"initial_readings\": {\"total\": \"9990\"}}",
	                                  ago(t, 10)));
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M4", PCRM_REGISTER_TOTAL,
	                                      dec("9995"), ago(t, 5), PCRM_READING_ROLLOVER, NULL),
	                  PCRM_EINVAL, "flags: a rollover needs a reading below the previous one");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M4", PCRM_REGISTER_TOTAL,
	                                      dec("10000"), ago(t, 5), 0, NULL),
	                  PCRM_EINVAL, "value: 10000 does not fit a display of 4 digits");
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M4", PCRM_REGISTER_TOTAL,
	                                   dec("15"), ago(t, 5), PCRM_READING_ROLLOVER, &r));
	assert_dec(r.energy, "50"); /* (10^4 - 9990 + 15) x 2 */
	cr_assert_eq(r.flags, PCRM_READING_ROLLOVER);
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M4", PCRM_REGISTER_MAX_DEMAND,
	                                      dec("1"), ago(t, 5), PCRM_READING_ROLLOVER, NULL),
	                  PCRM_EINVAL, "flags: the max_demand register does not roll over");
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &city_agent, "M4", PCRM_REGISTER_TOTAL, 0,
	                                      t->now, &l));
	cr_assert_eq(pcrm_reading_list_count(l), 1);
	cr_assert_eq(pcrm_reading_list_at(l, 0)->flags, PCRM_READING_ROLLOVER);
	assert_dec(pcrm_reading_list_at(l, 0)->previous, "9990");
	pcrm_reading_list_free(l);
}

PCRM_BACKEND_TEST(reading, max_demand_is_not_cumulative)
{
	pcrm_reading r = PCRM_READING_INIT;
	pcrm_decimal e;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_MAX_DEMAND, "120.5", ago(t, 40), &r);
	assert_dec(r.previous, "0");
	assert_dec(r.energy, "4820.0"); /* the demand: 120.5 x 40 kW */
	/* lower than last month's: normal for a demand register */
	record(t, "M1", PCRM_REGISTER_MAX_DEMAND, "80.25", ago(t, 10), &r);
	assert_dec(r.previous, "120.5");
	assert_dec(r.energy, "3210.00");
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1",
	                                          PCRM_REGISTER_MAX_DEMAND, ago(t, 60), t->now, &e));
	assert_dec(e, "4820.0"); /* the largest demand, not a sum */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1",
	                                          PCRM_REGISTER_MAX_DEMAND, ago(t, 20), t->now, &e));
	assert_dec(e, "3210.00");
}

PCRM_BACKEND_TEST(reading, time_must_move_forward)
{
	setup_meter(t);
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1100"), ago(t, 61), 0, NULL),
	                  PCRM_EINVAL, "read_at: 2026-09-23T09:00:00+08:00 is not after the "
	                               "installation at 2026-09-24T09:00:00+08:00");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1100"), ago(t, 60), 0, NULL),
	                  PCRM_EINVAL, "not after the installation");
	record(t, "M1", PCRM_REGISTER_TOTAL, "1100", ago(t, 30), NULL);
	/* a reading earlier than the previous one is refused, even with a higher value */
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), ago(t, 31), 0, NULL),
	                  PCRM_EINVAL, "read_at: 2026-10-23T09:00:00+08:00 is not after the previous "
	                               "reading at 2026-10-24T09:00:00+08:00");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), ago(t, 30), 0, NULL),
	                  PCRM_EINVAL, "not after the previous reading");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), t->now + 1, 0, NULL),
	                  PCRM_EINVAL, "read_at: 2026-11-23T09:00:01+08:00 is in the future");
	/* registers keep their own time line */
	record(t, "M1", PCRM_REGISTER_PEAK, "310", ago(t, 40), NULL);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 2);
}

PCRM_BACKEND_TEST(reading, bad_arguments_name_the_field)
{
	setup_meter(t);
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M404", PCRM_REGISTER_TOTAL,
	                                      dec("1"), ago(t, 1), 0, NULL),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, NULL, PCRM_REGISTER_TOTAL,
	                                      dec("1"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "meter_no: missing");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", (pcrm_register)99,
	                                      dec("1"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "register: 99 is not a pcrm_register");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_REACTIVE,
	                                      dec("1"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "register: meter \"M1\" has no reactive register");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1100"), ago(t, 1), PCRM_READING_FINAL, NULL),
	                  PCRM_EINVAL, "flags: unknown bits 0x2");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("-5"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "value: -5 is negative");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1100.1234567"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "value: 1100.1234567 has more than 6 decimals");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      pcrm_decimal_make(1, 40), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "value: scale 40");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1000000"), ago(t, 1), 0, NULL),
	                  PCRM_EINVAL, "does not fit a display of 6 digits");
	{
		pcrm_actor broken = { "x", PCRM_ROLE_DATA_CLERK, 9, "3701" };
		pcrm_assert_fails(pcrm_reading_record(t->ctx, &broken, "M1", PCRM_REGISTER_TOTAL,
		                                      dec("1100"), ago(t, 1), 0, NULL),
		                  PCRM_EINVAL, "actor.level");
	}
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 0);
}

PCRM_BACKEND_TEST(reading, lists_cover_the_period)
{
	pcrm_reading_list *l;
	pcrm_decimal e;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1100", ago(t, 50), NULL);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1200", ago(t, 40), NULL);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1300", ago(t, 30), NULL);
	record(t, "M1", PCRM_REGISTER_PEAK, "310", ago(t, 30), NULL);
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &township_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      ago(t, 50), ago(t, 30), &l));
	cr_assert_eq(pcrm_reading_list_count(l), 2);
	cr_assert_eq(pcrm_reading_list_at(l, 0)->read_at, ago(t, 40));
	assert_dec(pcrm_reading_list_at(l, 0)->value, "1200");
	assert_dec(pcrm_reading_list_at(l, 0)->previous, "1100");
	cr_assert_eq(pcrm_reading_list_at(l, 0)->previous_at, ago(t, 50));
	assert_dec(pcrm_reading_list_at(l, 0)->multiplier, "40");
	assert_dec(pcrm_reading_list_at(l, 0)->energy, "4000");
	cr_assert_eq(pcrm_reading_list_at(l, 1)->read_at, ago(t, 30));
	cr_assert_eq(pcrm_reading_list_at(l, 1)->reg, PCRM_REGISTER_TOTAL);
	cr_assert_null(pcrm_reading_list_at(l, 2));
	pcrm_reading_list_free(l);
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &city_agent, "M1", PCRM_REGISTER_VALLEY, 0,
	                                      t->now, &l));
	cr_assert_eq(pcrm_reading_list_count(l), 0);
	pcrm_reading_list_free(l);
	pcrm_reading_list_free(NULL);
	pcrm_assert_fails(pcrm_reading_list_load(t->ctx, &city_agent, "M1", PCRM_REGISTER_TOTAL,
	                                         t->now, 0, &l),
	                  PCRM_EINVAL, "to: 0 is before from");
	cr_assert_null(l);
	pcrm_assert_fails(pcrm_reading_list_load(t->ctx, &city_agent, "M404", PCRM_REGISTER_TOTAL, 0,
	                                         t->now, &l),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_metering_point_energy(t->ctx, &city_agent, "MP404",
	                                             PCRM_REGISTER_TOTAL, 0, t->now, &e),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", (pcrm_register)0, 0,
	                                             t->now, &e),
	                  PCRM_EINVAL, "register");
	pcrm_assert_fails(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1",
	                                             PCRM_REGISTER_TOTAL, 0, t->now, NULL),
	                  PCRM_EINVAL, "out");
}

PCRM_BACKEND_TEST(reading, a_callers_transaction_rolls_it_back)
{
	pcrm_reading r = PCRM_READING_INIT;
	setup_meter(t);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	record(t, "M1", PCRM_REGISTER_TOTAL, "1500", ago(t, 10), NULL);
	/* a refusal inside the caller's transaction leaves it usable */
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1400"), ago(t, 5), 0, NULL),
	                  PCRM_EINVAL, "below the previous reading 1500");
	record(t, "M1", PCRM_REGISTER_TOTAL, "1600", ago(t, 5), NULL);
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 0);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1400", ago(t, 5), &r);
	assert_dec(r.previous, "1000.00");
}

/* ---- concurrency (PostgreSQL: two connections) ---- */

struct racer {
	pcrm_ctx *ctx;
	pcrm_decimal value;
	pcrm_time at;
	int rc;
	char message[512];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	r->rc = pcrm_reading_record(r->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL, r->value, r->at,
	                            0, NULL);
	snprintf(r->message, sizeof(r->message), "%s", pcrm_error_last());
	return NULL;
}

PCRM_BACKEND_TEST(reading, concurrent_readings_are_checked_in_order)
{
	struct racer other;
	pthread_t thread;
	setup_meter(t);
	if (strcmp(pcrm_ctx_backend(t->ctx), "postgresql") != 0)
		cr_skip_test("an in-memory SQLite store has no second connection");
	memset(&other, 0, sizeof(other));
	other.ctx = pcrm_test_open_again(t);
	other.value = dec("1100");
	other.at = ago(t, 1);
	/* the first writer holds the installation; the second waits, then sees its reading */
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	record(t, "M1", PCRM_REGISTER_TOTAL, "1200", ago(t, 2), NULL);
	cr_assert_eq(pthread_create(&thread, NULL, race, &other), 0);
	nanosleep(&(struct timespec){ 0, 300 * 1000 * 1000 }, NULL);
	pcrm_assert_ok(pcrm_ctx_commit(t->ctx));
	pthread_join(thread, NULL);
	pcrm_ctx_close(other.ctx);
	cr_assert_eq(other.rc, PCRM_EINVAL, "%d: %s", other.rc, other.message);
	cr_assert(strstr(other.message, "below the previous reading 1200") != NULL, "%s",
	          other.message);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 1);
}

/* ---- permissions and audit ---- */

PCRM_BACKEND_TEST(metering_permissions, agents_and_townships_read_only)
{
	pcrm_account *a;
	pcrm_metering_point *mp;
	pcrm_meter_history *h;
	pcrm_reading_list *l;
	pcrm_decimal e;
	const pcrm_actor *readers[] = { &city_agent, &township_clerk };
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1100", ago(t, 30), NULL);
	for (size_t i = 0; i < 2; i++) {
		const pcrm_actor *who = readers[i];
		pcrm_assert_ok(pcrm_account_get(t->ctx, who, "A1", &a));
		pcrm_account_free(a);
		pcrm_assert_ok(pcrm_metering_point_get(t->ctx, who, "MP1", &mp));
		pcrm_metering_point_free(mp);
		pcrm_assert_ok(pcrm_meter_history_load(t->ctx, who, "MP1", &h));
		pcrm_meter_history_free(h);
		pcrm_assert_ok(pcrm_reading_list_load(t->ctx, who, "M1", PCRM_REGISTER_TOTAL, 0, t->now,
		                                      &l));
		cr_assert_eq(pcrm_reading_list_count(l), 1);
		pcrm_reading_list_free(l);
		pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, who, "MP1", PCRM_REGISTER_TOTAL, 0,
		                                          t->now, &e));
	}
	/* agents never write */
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_agent, "C1", account_bank, NULL),
	                  PCRM_EPERM, "archive.write");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &city_agent, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), ago(t, 20), 0, NULL),
	                  PCRM_EPERM, "archive.write");
	/* township stations read their own archives but cannot modify them */
	pcrm_assert_fails(pcrm_account_update(t->ctx, &township_clerk, "A1", "{\"name\": \"x\"}", 1,
	                                      NULL),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_metering_point_create(t->ctx, &township_clerk, "C1",
	                                             "{\"mp_no\": \"MP2\", \"account_no\": \"A1\","
	                                             " \"purpose\": \"internal\","
	                                             " \"voltage_level\": \"380V\"}",
	                                             NULL),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &township_clerk, "MP1",
	                                             "{\"location\": \"x\"}", 1, NULL),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &township_clerk, "MP1", meter_m2, ago(t, 1)),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_meter_remove(t->ctx, &township_clerk, "MP1", removal_fault,
	                                    ago(t, 1)),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_meter_replace(t->ctx, &township_clerk, "MP1", removal_fault, meter_m2,
	                                     ago(t, 1)),
	                  PCRM_EPERM, "read-only");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &township_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), ago(t, 20), 0, NULL),
	                  PCRM_EPERM, "read-only");
	/* the denials changed nothing and left one audit entry each */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM metering_point"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_installation WHERE removed_at IS NULL"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"), 9);
}

PCRM_BACKEND_TEST(metering_permissions, nobody_sees_outside_the_subtree)
{
	const pcrm_actor qingdao_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };
	const pcrm_actor qingdao_clerk = { "clerk-qd", PCRM_ROLE_DATA_CLERK, 1, "3702" };
	pcrm_account *a;
	pcrm_account_list *al;
	pcrm_metering_point *mp;
	pcrm_metering_point_list *ml;
	pcrm_meter_history *h;
	pcrm_reading_list *l;
	pcrm_decimal e;
	setup_meter(t);
	record(t, "M1", PCRM_REGISTER_TOTAL, "1100", ago(t, 30), NULL);
	pcrm_assert_fails(pcrm_account_get(t->ctx, &qingdao_agent, "A1", &a), PCRM_EPERM, "outside");
	cr_assert_null(a);
	pcrm_assert_fails(pcrm_account_list_load(t->ctx, &qingdao_agent, "C1", &al), PCRM_EPERM,
	                  "outside");
	pcrm_assert_fails(pcrm_metering_point_get(t->ctx, &qingdao_agent, "MP1", &mp), PCRM_EPERM,
	                  "outside");
	pcrm_assert_fails(pcrm_metering_point_list_load(t->ctx, &qingdao_agent, "C1", &ml),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_meter_history_load(t->ctx, &qingdao_agent, "MP1", &h), PCRM_EPERM,
	                  "outside");
	pcrm_assert_fails(pcrm_reading_list_load(t->ctx, &qingdao_agent, "M1", PCRM_REGISTER_TOTAL,
	                                         0, t->now, &l),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_metering_point_energy(t->ctx, &qingdao_agent, "MP1",
	                                             PCRM_REGISTER_TOTAL, 0, t->now, &e),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_account_create(t->ctx, &qingdao_clerk, "C1", account_bank, NULL),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_reading_record(t->ctx, &qingdao_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                      dec("1200"), ago(t, 20), 0, NULL),
	                  PCRM_EPERM, "outside");

	/* M1 moves to Qingdao's customer: its Jinan readings stay invisible there */
	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 20)));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &qingdao_clerk, "Q1",
	                                   "{\"account_no\": \"QA\", \"name\": \"q\","
	                                   " \"payment_method\": \"prepaid\"}",
	                                   NULL));
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &qingdao_clerk, "Q1",
	                                          "{\"mp_no\": \"QMP\", \"account_no\": \"QA\","
	                                          " \"purpose\": \"settlement\","
	                                          " \"voltage_level\": \"220V\"}",
	                                          NULL));
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &qingdao_clerk, "QMP", meter_m1, ago(t, 10)));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &qingdao_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   dec("1000.5"), ago(t, 5), 0, NULL));
	pcrm_assert_fails(pcrm_reading_list_load(t->ctx, &city_agent, "M1", PCRM_REGISTER_TOTAL, 0,
	                                         t->now, &l),
	                  PCRM_EPERM, "outside");
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &qingdao_agent, "M1", PCRM_REGISTER_TOTAL, 0,
	                                      t->now, &l));
	cr_assert_eq(pcrm_reading_list_count(l), 1);
	cr_assert_eq(pcrm_reading_list_at(l, 0)->read_at, ago(t, 5));
	pcrm_reading_list_free(l);
	pcrm_assert_ok(pcrm_reading_list_load(t->ctx, &root_admin, "M1", PCRM_REGISTER_TOTAL, 0,
	                                      t->now, &l));
	cr_assert_eq(pcrm_reading_list_count(l), 3); /* Jinan's reading and final, Qingdao's */
	pcrm_reading_list_free(l);
}

PCRM_BACKEND_TEST(metering_permissions, a_closed_customer_changes_no_more)
{
	pcrm_customer *c;
	pcrm_decimal e;
	setup_meter(t);
	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP1", removal_fault, ago(t, 20)));
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_clerk, "C1", 0, &c));
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "C1", pcrm_customer_version(c)));
	pcrm_customer_free(c);
	pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1", account_bank, NULL),
	                  PCRM_ESTATE, "customer \"C1\" is closed");
	pcrm_assert_fails(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1",
	                                             "{\"location\": \"x\"}", 1, NULL),
	                  PCRM_ESTATE, "closed");
	pcrm_assert_fails(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m2, ago(t, 1)),
	                  PCRM_ESTATE, "closed");
	/* its history stays readable */
	pcrm_assert_ok(pcrm_metering_point_energy(t->ctx, &city_agent, "MP1", PCRM_REGISTER_TOTAL, 0,
	                                          t->now, &e));
	assert_dec(e, "16000.00");
}

PCRM_BACKEND_TEST(metering_audit, every_change_is_audited)
{
	int64_t checked = 0;
	pcrm_rows *rows;
	char actions[1024] = "";
	setup(t); /* 5 org units, 2 customers, account, metering point */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"name\": \"新名\"}", 1, NULL));
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "MP1", "{\"location\": \"2号\"}",
	                                          1, NULL));
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, "MP1", meter_m1, ago(t, 60)));
	record(t, "M1", PCRM_REGISTER_TOTAL, "1100", ago(t, 30), NULL);
	pcrm_assert_ok(pcrm_meter_replace(t->ctx, &city_clerk, "MP1", removal_fault, meter_m2,
	                                  ago(t, 20)));
	pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "MP1",
	                                 "{\"reason\": \"closure\", \"final_readings\": {\"total\": \"7\"}}",
	                                 ago(t, 10)));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 15);
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT action, object_id FROM audit_log WHERE seq > 7 "
	                                 "ORDER BY seq",
	                                 NULL, 0, &rows));
	while (pcrm__rows_next(rows) == 1) {
		strcat(actions, pcrm__rows_text(rows, 0));
		strcat(actions, ":");
		strcat(actions, pcrm__rows_text(rows, 1));
		strcat(actions, " ");
	}
	pcrm__rows_free(rows);
	cr_assert_str_eq(actions, "account.create:A1 metering_point.create:MP1 account.update:A1 "
	                          "metering_point.update:MP1 meter.install:MP1 meter.reading:M1 "
	                          "meter.replace:MP1 meter.remove:MP1 ");
	/* a reading's entry says what it was measured against */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'meter.reading' AND "
	                      "summary LIKE '%\"energy\":\"4000.00\"%' AND "
	                      "summary LIKE '%\"previous\":\"1000.00\"%'"),
	             1);
}

PCRM_BACKEND_TEST(metering_schema, migration_three_is_applied)
{
	int version = 0;
	pcrm_assert_ok(pcrm_ctx_schema_version(t->ctx, &version));
	cr_assert_geq(version, 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 3 AND "
	                      "name = 'accounts, metering points, meters and readings'"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading"), 0);
}
