/*
 * libpowercrm demo: the main job on the embedded SQLite store.
 *
 *   demo sqlite:demo.db [DATA_DIR]
 *
 * Builds a supply company's org tree as the actors who own each level, files
 * customers into the archive (ID numbers sealed with a data key), answers an
 * incoming call with a screen pop, shows refused and stale operations, bills
 * October from meter readings (a tariff from DATA_DIR/tariffs, default
 * "data"), corrects a bill, prints the hash-chained audit log and verifies
 * it.  The context's clock is fixed at 2026-11-23 09:00 +08:00 so every run
 * prints the same.  Uses the public API only (<powercrm.h>).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

#define CHECK(call)                                                                      \
	do {                                                                             \
		int rc_ = (call);                                                        \
		if (rc_ != PCRM_OK) {                                                    \
			fprintf(stderr, "%s failed: %s (%s)\n", #call, pcrm_strerror(rc_), \
			        pcrm_error_last());                                      \
			exit(1);                                                         \
		}                                                                        \
	} while (0)

static int print_entry(const pcrm_audit_entry *e, void *userdata)
{
	char when[40];
	(void)userdata;
	pcrm_time_format(e->at, PCRM_UTC_OFFSET_CHINA, when, sizeof(when));
	printf("  #%-3lld %s  %-10s %-10s %-18s %-9s %-9s %.12s..\n", (long long)e->seq, when,
	       e->operator_id, e->role, e->action, e->object_type, e->object_id, e->hash);
	printf("        %s\n", e->summary);
	return 0;
}

static void print_tree(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code, int depth)
{
	pcrm_org_unit *unit;
	pcrm_org_unit_list *children;

	CHECK(pcrm_org_unit_get(ctx, actor, code, &unit));
	printf("  %*s%s %s (level %d)\n", depth * 2, "", pcrm_org_unit_code(unit),
	       pcrm_org_unit_name(unit), (int)pcrm_org_unit_level(unit));
	pcrm_org_unit_free(unit);
	CHECK(pcrm_org_unit_children(ctx, actor, code, &children));
	for (size_t i = 0; i < pcrm_org_unit_list_count(children); i++)
		print_tree(ctx, actor, pcrm_org_unit_code(pcrm_org_unit_list_at(children, i)),
		           depth + 1);
	pcrm_org_unit_list_free(children);
}

static const char *const customers[] = {
	"{\"customer_no\": \"3701000001\", \"kind\": \"person\", \"name\": \"张三\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"37010201\","
	" \"transformer_area\": \"TA-0042\", \"household_size\": 4,"
	" \"phones\": {\"mobile\": \"+86 138 0013 8000\", \"landline\": \"0531-88888888\"},"
	" \"id_number\": \"11010519491231002X\"}",
	"{\"customer_no\": \"3701900001\", \"kind\": \"organisation\", \"name\": \"济南钢铁厂\","
	" \"usage_class\": \"large_industry\", \"voltage_level\": \"110kV\", \"org_unit\": \"370102\","
	" \"vip_level\": 3, \"account_manager\": \"A3701\","
	" \"phones\": {\"landline\": \"(0531) 8888-8888\"}}",
	"{\"customer_no\": \"3701000002\", \"kind\": \"person\", \"name\": \"李四\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"37010201\","
	" \"phones\": {\"mobile\": \"13900139000\"}, \"low_income\": true}",
};

static void screen_pop(pcrm_ctx *ctx, const pcrm_actor *agent, const char *caller)
{
	pcrm_customer_list *hits;
	CHECK(pcrm_customer_find_by_phone(ctx, agent, caller, &hits));
	printf("  incoming call from %s: %zu match(es)\n", caller, pcrm_customer_list_count(hits));
	for (size_t i = 0; i < pcrm_customer_list_count(hits); i++) {
		const pcrm_customer *c = pcrm_customer_list_at(hits, i);
		printf("    %s %-12s VIP %d  %s\n", pcrm_customer_no(c), pcrm_customer_name(c),
		       pcrm_customer_vip_level(c), pcrm_customer_status(c));
	}
	pcrm_customer_list_free(hits);
}

static void archive(pcrm_ctx *ctx, const pcrm_actor *clerk, const pcrm_actor *agent)
{
	pcrm_customer *c;
	int rc;

	for (size_t i = 0; i < sizeof(customers) / sizeof(customers[0]); i++)
		CHECK(pcrm_customer_create(ctx, clerk, customers[i], NULL));
	printf("\ncustomer archive: %zu customers filed\n",
	       sizeof(customers) / sizeof(customers[0]));
	screen_pop(ctx, agent, "+86 531 8888 8888");
	screen_pop(ctx, agent, "0086-139-0013-9000");

	CHECK(pcrm_customer_get(ctx, agent, "3701000001", 0, &c));
	printf("  agent's view of 3701000001: %s\n", pcrm_customer_json(c));
	pcrm_customer_free(c);
	CHECK(pcrm_customer_update(ctx, clerk, "3701000001", "{\"vip_level\": 1}", 1, NULL));
	rc = pcrm_customer_update(ctx, clerk, "3701000001", "{\"vip_level\": 2}", 1, NULL);
	printf("  a second update from version 1: %s: %s\n", pcrm_strerror(rc), pcrm_error_last());
	rc = pcrm_customer_create(ctx, clerk, "{\"customer_no\": \"X1\", \"kind\": \"person\"}", NULL);
	printf("  an incomplete customer: %s: %s\n", pcrm_strerror(rc), pcrm_error_last());
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);
	size_t n;
	if (!f || !buf) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static pcrm_decimal dec(const char *text)
{
	pcrm_decimal d;
	CHECK(pcrm_decimal_parse(text, &d));
	return d;
}

static pcrm_time at(const char *iso)
{
	pcrm_time t;
	CHECK(pcrm_time_parse(iso, &t));
	return t;
}

/* An account, a metering point and a meter for a residential customer, read at the end of October. */
static void meter_up(pcrm_ctx *ctx, const pcrm_actor *clerk, const char *customer_no,
                     const char *n, const char *october_reading)
{
	char doc[512], acct[32], mp[32], meter[32];
	snprintf(acct, sizeof(acct), "A%s", n);
	snprintf(mp, sizeof(mp), "MP%s", n);
	snprintf(meter, sizeof(meter), "M%s", n);
	snprintf(doc, sizeof(doc), "{\"account_no\": \"%s\", \"name\": \"电费\", \"payment_method\": \"cash\"}",
	         acct);
	CHECK(pcrm_account_create(ctx, clerk, customer_no, doc, NULL));
	snprintf(doc, sizeof(doc), "{\"mp_no\": \"%s\", \"account_no\": \"%s\", \"purpose\": \"settlement\","
	         " \"voltage_level\": \"220V\"}", mp, acct);
	CHECK(pcrm_metering_point_create(ctx, clerk, customer_no, doc, NULL));
	snprintf(doc, sizeof(doc), "{\"meter_no\": \"%s\", \"type\": \"single_phase\", \"multiplier\": \"1\","
	         " \"digits\": 6, \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"1000\"}}",
	         meter);
	CHECK(pcrm_meter_install(ctx, clerk, mp, doc, at("2026-09-15T10:00:00+08:00")));
	CHECK(pcrm_reading_record(ctx, clerk, meter, PCRM_REGISTER_TOTAL, dec(october_reading),
	                          at("2026-10-31T18:00:00+08:00"), 0, NULL));
}

static int print_progress(int64_t done, void *userdata)
{
	(void)userdata;
	printf("  ... %lld bills calculated\n", (long long)done);
	return 0;
}

static void print_bill(const pcrm_bill_record *b)
{
	char total[PCRM_DECIMAL_STRING_MAX], energy[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal_format(b->total, total, sizeof(total));
	pcrm_decimal_format(b->energy, energy, sizeof(energy));
	printf("  %-16s %s %-6s %-10s %6s kWh  %8s yuan  (%s v%lld)%s%s\n", b->bill_no, b->period,
	       b->status, b->posted ? "posted" : "not posted", energy, total, b->tariff_id,
	       (long long)b->tariff_version, b->replaces ? "  replaces " : "",
	       b->replaces ? b->replaces : "");
}

/*
 * The monthly job: October's bills for Jinan calculated from the meter
 * readings (电费核算), reviewed, then posted to the ledgers (电费发行), then
 * a correction.
 */
static void billing(pcrm_ctx *ctx, const pcrm_actor *pricing, const pcrm_actor *admin,
                    const pcrm_actor *clerk, const pcrm_actor *agent, const char *data_dir)
{
	char path[1024], total[PCRM_DECIMAL_STRING_MAX];
	pcrm_billing_summary s;
	pcrm_billing_post_summary ps;
	pcrm_bill_list *bills;
	pcrm_bill_record *fresh;
	pcrm_ledger_summary ledger;
	char *tariff;

	snprintf(path, sizeof(path), "%s/tariffs/cn-gd-guangzhou-residential.json", data_dir);
	tariff = read_file(path);
	CHECK(pcrm_tariff_publish(ctx, pricing, tariff)); /* tariffs are set province-wide */
	free(tariff);
	meter_up(ctx, clerk, "3701000001", "0001", "1600");  /* 600 kWh */
	meter_up(ctx, clerk, "3701000002", "0002", "1180");  /* 180 kWh */

	printf("\nbilling October for 3701 on tariff cn-gd-guangzhou-residential:\n");
	CHECK(pcrm_billing_run(ctx, admin,
	                       "{\"org_unit\": \"3701\", \"period\": \"2026-10\","
	                       " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                       " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	                       print_progress, NULL, &s));
	pcrm_decimal_format(s.total, total, sizeof(total));
	printf("  run: %lld accounts, %lld billed, %lld without readings, total %s yuan\n",
	       (long long)s.accounts, (long long)s.billed, (long long)s.no_usage, total);
	CHECK(pcrm_billing_run(ctx, admin,
	                       "{\"org_unit\": \"3701\", \"period\": \"2026-10\","
	                       " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                       " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	                       NULL, NULL, &s));
	printf("  the same run again: %lld billed, %lld already billed\n", (long long)s.billed,
	       (long long)s.already_billed);
	CHECK(pcrm_bill_list_load(ctx, agent, "3701000001", "2026-10", "2026-10", &bills));
	printf("  calculated, for review (the ledger does not owe it yet):\n");
	print_bill(pcrm_bill_list_at(bills, 0));
	pcrm_bill_list_free(bills);

	/* Reviewed: issue the month, the bills become receivables. */
	CHECK(pcrm_billing_post(ctx, admin, "{\"org_unit\": \"3701\", \"period\": \"2026-10\"}",
	                        NULL, NULL, &ps));
	pcrm_decimal_format(ps.total, total, sizeof(total));
	printf("  posted to the ledgers: %lld bills, total %s yuan\n", (long long)ps.posted, total);

	/* A reading the meter reader missed: 100 kWh more in October; the bill is corrected. */
	CHECK(pcrm_reading_record(ctx, clerk, "M0001", PCRM_REGISTER_TOTAL, dec("1700"),
	                          at("2026-10-31T22:00:00+08:00"), 0, NULL));
	CHECK(pcrm_bill_correct(ctx, admin, "A0001-202610", "missed reading of 31 October", &fresh));
	pcrm_bill_record_free(fresh);

	CHECK(pcrm_bill_list_load(ctx, agent, "3701000001", "2026-01", "2026-12", &bills));
	printf("  3701000001 asks about its bills (newest first):\n");
	for (size_t i = 0; i < pcrm_bill_list_count(bills); i++)
		print_bill(pcrm_bill_list_at(bills, i));
	printf("    lines of %s: %s\n", pcrm_bill_list_at(bills, 0)->bill_no,
	       pcrm_bill_list_at(bills, 0)->json);
	pcrm_bill_list_free(bills);
	CHECK(pcrm_ledger_summary_load(ctx, agent, "A0001", &ledger));
	pcrm_decimal_format(ledger.balance, total, sizeof(total));
	printf("  account A0001 owes %s yuan after %lld ledger entries\n", total,
	       (long long)ledger.entries);
}

/* The call center's worked example: 100 calls in half an hour, 3 minutes each, 80/20. */
static void staffing(void)
{
	pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	pcrm_staffing_result r;
	int lines;

	target.service_level = 0.80;
	target.target_s = 20.0;
	CHECK(pcrm_decimal_parse("0.30", &target.shrinkage));
	CHECK(pcrm_staffing_required(&q, &target, &r));
	printf("\nstaffing: 100 calls / 30 min, AHT 180 s, 80%% within 20 s\n");
	for (int n = r.agents - 3; n <= r.agents; n++) {
		pcrm_queue_metrics m;
		CHECK(pcrm_erlang_c_metrics(&q, n, 20.0, &m));
		printf("  %d agents: service level %.4f, ASA %.1f s, occupancy %.2f\n", n,
		       m.service_level, m.asa_s, m.occupancy);
	}
	printf("  required: %d on the phones, %d to schedule with 30%% shrinkage\n", r.agents,
	       r.scheduled);
	CHECK(pcrm_erlang_b_lines(10.0, 0.02, &lines));
	printf("  trunk lines for 10 erlangs at 2%% blocking: %d\n", lines);
}

/* The demo's fixed "now": Monday 2026-11-23 09:00 +08:00. */
static pcrm_time demo_clock(void *userdata)
{
	(void)userdata;
	return 1795395600;
}

int main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "sqlite:demo.db";
	const char *data_dir = argc > 2 ? argv[2] : "data";
	const pcrm_actor province_admin = { "A0001", PCRM_ROLE_ADMIN, 3, "37" };
	const pcrm_actor city_admin = { "A3701", PCRM_ROLE_ADMIN, 2, "3701" };
	const pcrm_actor township_clerk = { "C0042", PCRM_ROLE_DATA_CLERK, 1, "37010201" };
	const pcrm_actor auditor = { "M0001", PCRM_ROLE_MONITOR, 2, "37" };
	const pcrm_actor city_clerk = { "C3701", PCRM_ROLE_DATA_CLERK, 1, "3701" };
	const pcrm_actor agent = { "G0007", PCRM_ROLE_AGENT, 1, "3701" };
	/* In production the data key comes from the integrator's key store, never from source. */
	static const unsigned char demo_key[PCRM_DATA_KEY_LEN] = "demo-key-never-use-in-production";
	pcrm_ctx_options opts;
	pcrm_ctx *ctx;
	int64_t checked = 0, bad = 0;
	int version = 0, rc;

	printf("libpowercrm %s (headers %s)\n", pcrm_version(), PCRM_VERSION_STRING);
	CHECK(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	opts.data_key = demo_key;
	opts.data_key_len = sizeof(demo_key);
	opts.clock = demo_clock;
	CHECK(pcrm_ctx_open(&ctx, uri, &opts));
	CHECK(pcrm_ctx_schema_version(ctx, &version));
	printf("store: %s (%s), schema version %d\n\n", uri, pcrm_ctx_backend(ctx), version);

	/* One transaction: the tree appears whole or not at all. */
	CHECK(pcrm_ctx_begin(ctx));
	CHECK(pcrm_org_unit_create(ctx, &province_admin, "37", NULL, "国网山东省电力公司",
	                           PCRM_ORG_PROVINCE));
	CHECK(pcrm_org_unit_create(ctx, &province_admin, "3701", "37", "国网济南供电公司",
	                           PCRM_ORG_CITY));
	CHECK(pcrm_org_unit_create(ctx, &province_admin, "3702", "37", "国网青岛供电公司",
	                           PCRM_ORG_CITY));
	CHECK(pcrm_org_unit_create(ctx, &city_admin, "370102", "3701", "历下区供电中心",
	                           PCRM_ORG_COUNTY));
	CHECK(pcrm_org_unit_create(ctx, &city_admin, "37010201", "370102", "姚家供电所",
	                           PCRM_ORG_TOWNSHIP));
	CHECK(pcrm_ctx_commit(ctx));
	CHECK(pcrm_org_unit_rename(ctx, &city_admin, "370102", "历下供电中心", 1));

	printf("org tree:\n");
	print_tree(ctx, &province_admin, "37", 0);

	printf("\nrefused operations (each leaves an audit entry):\n");
	rc = pcrm_org_unit_create(ctx, &city_admin, "370201", "3702", "市南区供电中心",
	                          PCRM_ORG_COUNTY);
	printf("  %s creates a unit under 3702: %s: %s\n", city_admin.operator_id, pcrm_strerror(rc),
	       pcrm_error_last());
	rc = pcrm_authorize(ctx, &township_clerk, PCRM_PERM_ARCHIVE_WRITE, "37010201");
	printf("  %s edits township archives: %s: %s\n", township_clerk.operator_id,
	       pcrm_strerror(rc), pcrm_error_last());

	archive(ctx, &city_clerk, &agent);
	billing(ctx, &province_admin, &city_admin, &city_clerk, &agent, data_dir);
	staffing();

	printf("\naudit log:\n");
	CHECK(pcrm_audit_list(ctx, &auditor, 0, 0, print_entry, NULL));
	rc = pcrm_audit_verify(ctx, &auditor, &checked, &bad);
	if (rc == PCRM_OK)
		printf("\naudit chain verified: %lld entries intact\n", (long long)checked);
	else
		printf("\naudit chain BROKEN at entry %lld: %s\n", (long long)bad, pcrm_error_last());
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? 0 : 1;
}
