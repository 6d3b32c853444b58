/*
 * The world the store-backed fuzz targets act on (fuzz_world.h).  Built
 * once through the public API, the way an integrator would, so an input
 * meets real rows: an org tree, a customer with an account, a metering
 * point, a meter with readings in the month billed, a published tariff, a
 * workflow definition and an open work order; October 2026 is billed, not
 * posted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "store/store.h"

#include "fuzz_world.h"

/* 2026-09-15 00:00 +08:00: the meter goes in before the month billed. */
#define SEP15 1789401600
/* 2026-10-31 20:00 +08:00: a reading inside October. */
#define OCT31 1793448000
/* 2026-11-05 10:00 +08:00: the clock every input sees. */
#define NOW 1793844000

const pcrm_actor fuzz_admin = { "fuzz-admin", PCRM_ROLE_ADMIN, 3, "37" };

static pcrm_ctx *world;
static char workorder_id[PCRM_WORKORDER_ID_LEN + 1];

/* in the order of enum fuzz_table */
static const char *const tables[FUZZ_TABLES] = {
	"customer", "customer_phone", "account", "metering_point", "meter_installation",
	"meter_reading", "contact", "bill", "ledger_account", "ledger_entry", "ledger_payment",
	"tariff_version", "workflow_def", "work_order", "work_order_history",
	"audit_log WHERE action <> 'permission.denied'"
};

void fuzz_broken(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s (last error: %s)\n", file, line, what,
	        pcrm_error_last());
	abort();
}

static void setup_ok(int rc, const char *what)
{
	if (rc != PCRM_OK) {
		fprintf(stderr, "fuzz world: %s failed: %s (%s)\n", what, pcrm_strerror(rc),
		        pcrm_error_last());
		abort();
	}
}

static pcrm_time fixed_clock(void *data)
{
	(void)data;
	return NOW;
}

static const char tariff[] =
	"{\"id\": \"fz-res\", \"version\": 1, \"usage_class\": \"residential\","
	" \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\", \"rounding\": \"half_up\","
	" \"energy\": {\"price\": \"0.5\"}}";

static const char workflow[] =
	"{\"name\": \"fz\", \"title\": \"fuzz\", \"limit\": {\"hours\": 48},"
	" \"states\": [{\"name\": \"accepted\", \"initial\": true},"
	"  {\"name\": \"handled\", \"limit\": {\"hours\": 2}}, {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"handle\", \"from\": \"accepted\", \"to\": \"handled\","
	"   \"guard\": {\"require\": [\"note\"]}},"
	"  {\"event\": \"close\", \"from\": \"handled\", \"to\": \"closed\"}]}";

static void build(pcrm_ctx *ctx)
{
	pcrm_workorder *wo = NULL;
	pcrm_decimal v;

	setup_ok(pcrm_org_unit_create(ctx, &fuzz_admin, "37", NULL, "省公司", PCRM_ORG_PROVINCE),
	         "org 37");
	setup_ok(pcrm_org_unit_create(ctx, &fuzz_admin, "3701", "37", "市公司", PCRM_ORG_CITY),
	         "org 3701");
	setup_ok(pcrm_org_unit_create(ctx, &fuzz_admin, "3702", "37", "另一市", PCRM_ORG_CITY),
	         "org 3702");
	setup_ok(pcrm_customer_create(ctx, &fuzz_admin,
	                              "{\"customer_no\": \"C1\", \"kind\": \"person\", \"name\": \"居民\","
	                              " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	                              " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"13800000000\"}}",
	                              NULL),
	         "customer C1");
	setup_ok(pcrm_account_create(ctx, &fuzz_admin, "C1",
	                             "{\"account_no\": \"A1\", \"name\": \"电费\","
	                             " \"payment_method\": \"cash\"}",
	                             NULL),
	         "account A1");
	setup_ok(pcrm_metering_point_create(ctx, &fuzz_admin, "C1",
	                                    "{\"mp_no\": \"P1\", \"account_no\": \"A1\","
	                                    " \"purpose\": \"settlement\", \"voltage_level\": \"220V\"}",
	                                    NULL),
	         "metering point P1");
	setup_ok(pcrm_meter_install(ctx, &fuzz_admin, "P1",
	                            "{\"meter_no\": \"M1\", \"type\": \"single_phase\","
	                            " \"multiplier\": \"1\", \"digits\": 6, \"registers\": [\"total\"],"
	                            " \"initial_readings\": {\"total\": \"1000\"}}",
	                            SEP15),
	         "meter M1");
	setup_ok(pcrm_decimal_parse("1100", &v), "reading value");
	setup_ok(pcrm_reading_record(ctx, &fuzz_admin, "M1", PCRM_REGISTER_TOTAL, v, OCT31, 0, NULL),
	         "reading");
	setup_ok(pcrm_tariff_publish(ctx, &fuzz_admin, tariff), "tariff");
	setup_ok(pcrm_billing_run(ctx, &fuzz_admin,
	                          "{\"org_unit\": \"37\", \"period\": \"2026-10\","
	                          " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                          " \"tariffs\": {\"residential\": \"fz-res\"}}",
	                          NULL, NULL, NULL),
	         "billing run");
	setup_ok(pcrm_workflow_define(ctx, &fuzz_admin, workflow, NULL, NULL), "workflow");
	setup_ok(pcrm_workorder_open(ctx, &fuzz_admin, "fz", "K1", "C1", "3701", "{\"topic\": \"x\"}",
	                             &wo),
	         "work order");
	snprintf(workorder_id, sizeof(workorder_id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

pcrm_ctx *fuzz_world(void)
{
	static const unsigned char key[PCRM_DATA_KEY_LEN] = "fuzz-data-key-0123456789abcdef!";
	pcrm_ctx_options opts;

	if (world)
		return world;
	setup_ok(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION), "options");
	opts.clock = fixed_clock;
	opts.data_key = key;
	opts.data_key_len = sizeof(key);
	setup_ok(pcrm_ctx_open(&world, "sqlite::memory:", &opts), "open");
	build(world);
	return world;
}

const char *fuzz_workorder_id(void)
{
	fuzz_world();
	return workorder_id;
}

void fuzz_count(fuzz_counts *out)
{
	pcrm_ctx *ctx = fuzz_world();
	for (int i = 0; i < FUZZ_TABLES; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		setup_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &out->n[i]), sql);
	}
}

void fuzz_require_unchanged(const fuzz_counts *before, const char *call)
{
	fuzz_counts after;
	fuzz_count(&after);
	for (int i = 0; i < FUZZ_TABLES; i++) {
		if (after.n[i] != before->n[i]) {
			fprintf(stderr, "%s failed (%s) but wrote to %s: %lld rows, %lld before\n", call,
			        pcrm_error_last(), tables[i], (long long)after.n[i],
			        (long long)before->n[i]);
			abort();
		}
	}
}

void fuzz_require_refusal(int rc, const char *call)
{
	if (rc >= 0 || pcrm_error_last()[0] == '\0') {
		fprintf(stderr, "%s: status %d with message \"%s\": a refusal needs a negative status "
		                "and a message\n",
		        call, rc, pcrm_error_last());
		abort();
	}
}

void fuzz_begin(void)
{
	setup_ok(pcrm_ctx_begin(fuzz_world()), "begin");
}

void fuzz_rollback(void)
{
	setup_ok(pcrm_ctx_rollback(fuzz_world()), "rollback");
	if (pcrm_ctx_tx_depth(world) != 0) {
		fprintf(stderr, "a call left %d transactions open\n", pcrm_ctx_tx_depth(world));
		abort();
	}
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
