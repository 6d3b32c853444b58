/*
 * --simulate on an empty store: the few org units, workflows, complaint
 * settings and customers a person needs to try the desktop (two counties,
 * so that the org scope can be seen refusing the other county's customers).
 * Everything goes through the public API as an administrator would do it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desktop.h"

static const pcrm_actor admin = { "desktop-seed", PCRM_ROLE_ADMIN, 3, "37" };

static char *read_text(const char *dir, const char *name)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "desktop: cannot read %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = '\0';
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

#define TRY(call)                                                                   \
	do {                                                                            \
		if ((call) != PCRM_OK) {                                                    \
			fprintf(stderr, "desktop: seeding: %s: %s\n", #call, pcrm_error_last()); \
			goto fail;                                                              \
		}                                                                           \
	} while (0)

static const char *const customers[] = {
	"{\"customer_no\": \"3701020001\", \"kind\": \"person\", \"name\": \"张建国\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"370102\","
	" \"phones\": {\"mobile\": \"13953100001\"}}",
	"{\"customer_no\": \"3701020002\", \"kind\": \"person\", \"name\": \"李秀英\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"370102\","
	" \"phones\": {\"mobile\": \"13953100002\"}, \"vip_level\": 2}",
	"{\"customer_no\": \"3701030001\", \"kind\": \"person\", \"name\": \"王志强\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"370103\","
	" \"phones\": {\"mobile\": \"13953100003\"}}",
};

/*
 * The shipped example's categories, with every county handling its own
 * customers' tickets: an agent of a county then follows the ticket it filed
 * (the example routes everything to the province, outside a county's scope).
 */
static char *complaint_config(const char *data_dir)
{
	char *text = read_text(data_dir, "complaints/config-example.json");
	json_error_t jerr;
	json_t *doc = text ? json_loads(text, 0, &jerr) : NULL, *rules = json_array();
	free(text);
	if (!doc)
		return NULL;
	static const char *const counties[] = { "370102", "370103" };
	static const char *const categories[] = { "service", "business", "outage", "supply_quality",
		                                  "grid_construction" };
	for (size_t c = 0; c < 2; c++)
		for (size_t k = 0; k < 5; k++)
			json_array_append_new(rules, json_pack("{s:s, s:s, s:s}", "category", categories[k],
			                                       "org_unit", counties[c], "responsible_unit",
			                                       counties[c]));
	json_object_set_new(doc, "rules", rules);
	json_object_set_new(doc, "default_unit", json_string("3701"));
	char *out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return out;
}

/*
 * A residential tariff with monthly tiers and two funds, in effect from
 * 2025 (illustrative prices): its bills show the lines an agent explains
 * most often, tier 1 and tier 2 energy and the funds.
 */
static const char tariff[] =
	"{\"id\": \"desk-residential-tiered\", \"version\": 1,"
	" \"name\": \"居民生活用电 阶梯电价 (演示, illustrative)\", \"usage_class\": \"residential\","
	" \"effective_from\": \"2025-01-01\", \"currency\": \"CNY\", \"rounding\": \"half_up\","
	" \"utc_offset\": \"+08:00\","
	" \"energy\": {\"price\": \"0.5469\", \"tier_basis\": \"monthly\", \"tiers\": ["
	"  {\"max\": \"200\", \"surcharge\": \"0\"}, {\"max\": \"400\", \"surcharge\": \"0.05\"},"
	"  {\"surcharge\": \"0.30\"}]},"
	" \"funds\": [{\"code\": \"reservoir\", \"name\": \"大中型水库移民后期扶持基金\", \"price\": \"0.0062\"},"
	"  {\"code\": \"renewable\", \"name\": \"可再生能源电价附加\", \"price\": \"0.001\"}]}";

/* Thirteen months billed, 2025-11 .. 2026-11, so that the pop's "last 12" leaves one out. */
#define BILL_MONTHS 13
static const int monthly_kwh[BILL_MONTHS] = { 180, 210, 260, 230, 190, 170, 220, 310, 420, 380,
	                                      250, 200, 230 };

static int month_add(int year, int month, int add, int *y, int *m)
{
	int n = year * 12 + (month - 1) + add;
	*y = n / 12;
	*m = n % 12 + 1;
	return 0;
}

static pcrm_time local_time(int year, int month, int day, int hour)
{
	pcrm_civil c = { 0 };
	pcrm_time t = 0;
	c.year = year;
	c.month = month;
	c.day = day;
	c.hour = hour;
	pcrm_time_from_civil(&c, 8 * 3600, &t);
	return t;
}

/*
 * Each customer gets an account, a metering point and a meter read on the
 * 20th of every month; a billing run per month bills them all, the newest
 * month posted to the ledger (so it is also the arrears the pop shows).
 */
static int seed_bills(void)
{
	char doc[512], spec[512], no[16];
	TRY(pcrm_tariff_publish(svc.ctx, &admin, tariff));
	for (size_t i = 0; i < sizeof(customers) / sizeof(customers[0]); i++) {
		snprintf(no, sizeof(no), "%.10s", customers[i] + strlen("{\"customer_no\": \""));
		snprintf(doc, sizeof(doc), "{\"account_no\": \"A%s\", \"name\": \"居民电费账户\","
		         " \"payment_method\": \"cash\"}", no);
		TRY(pcrm_account_create(svc.ctx, &admin, no, doc, NULL));
		snprintf(doc, sizeof(doc), "{\"mp_no\": \"MP%s\", \"account_no\": \"A%s\","
		         " \"purpose\": \"settlement\", \"voltage_level\": \"220V\"}", no, no);
		TRY(pcrm_metering_point_create(svc.ctx, &admin, no, doc, NULL));
		snprintf(doc, sizeof(doc), "{\"meter_no\": \"M%s\", \"type\": \"single_phase\","
		         " \"multiplier\": \"1\", \"digits\": 6, \"registers\": [\"total\"],"
		         " \"initial_readings\": {\"total\": \"1000\"}}", no);
		snprintf(spec, sizeof(spec), "MP%s", no);
		TRY(pcrm_meter_install(svc.ctx, &admin, spec, doc, local_time(2025, 10, 25, 9)));
		int64_t total = 1000;
		snprintf(spec, sizeof(spec), "M%s", no);
		for (int k = 0; k < BILL_MONTHS; k++) {
			int y, m;
			month_add(2025, 11, k, &y, &m);
			total += monthly_kwh[k] + 7 * (int64_t)i; /* customers differ a little */
			TRY(pcrm_reading_record(svc.ctx, &admin, spec, PCRM_REGISTER_TOTAL,
			                        pcrm_decimal_from_int(total), local_time(y, m, 20, 10), 0, NULL));
		}
	}
	for (int k = 0; k < BILL_MONTHS; k++) {
		int y, m, iy, im;
		month_add(2025, 11, k, &y, &m);
		month_add(2025, 11, k + 1, &iy, &im);
		snprintf(spec, sizeof(spec),
		         "{\"org_unit\": \"37\", \"period\": \"%04d-%02d\", \"issue_date\": \"%04d-%02d-01\","
		         " \"due_date\": \"%04d-%02d-15\", \"tariffs\": {\"residential\": \"desk-residential-tiered\"},"
		         " \"post\": %s}", y, m, iy, im, iy, im, k == BILL_MONTHS - 1 ? "true" : "false");
		TRY(pcrm_billing_run(svc.ctx, &admin, spec, NULL, NULL, NULL));
	}
	return 0;
fail:
	return -1;
}

int desk_seed(const char *data_dir)
{
	pcrm_org_unit *unit = NULL;
	if (pcrm_org_unit_get(svc.ctx, &admin, "37", &unit) == PCRM_OK) {
		pcrm_org_unit_free(unit);
		return 0; /* seeded before */
	}
	char *calendar = NULL, *doc = NULL;
	TRY(pcrm_ctx_begin(svc.ctx));
	TRY(pcrm_org_unit_create(svc.ctx, &admin, "37", NULL, "国网山东省电力公司", PCRM_ORG_PROVINCE));
	TRY(pcrm_org_unit_create(svc.ctx, &admin, "3701", "37", "国网济南供电公司", PCRM_ORG_CITY));
	TRY(pcrm_org_unit_create(svc.ctx, &admin, "370102", "3701", "历下区供电中心", PCRM_ORG_COUNTY));
	TRY(pcrm_org_unit_create(svc.ctx, &admin, "370103", "3701", "市中区供电中心", PCRM_ORG_COUNTY));
	calendar = read_text(data_dir, "calendars/cn-2026.json");
	if (!calendar)
		goto fail;
	static const char *const flows[] = { "workflows/complaint.json", "workflows/report.json",
		                             "workflows/suggestion.json", "workflows/inquiry.json",
		                             "workflows/fault-repair-urban.json",
		                             "workflows/fault-repair-rural.json" };
	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		doc = read_text(data_dir, flows[i]);
		if (!doc)
			goto fail;
		TRY(pcrm_workflow_define(svc.ctx, &admin, doc, calendar, NULL));
		free(doc);
		doc = NULL;
	}
	doc = complaint_config(data_dir);
	if (!doc)
		goto fail;
	TRY(pcrm_complaint_config_set(svc.ctx, &admin, doc));
	for (size_t i = 0; i < sizeof(customers) / sizeof(customers[0]); i++)
		TRY(pcrm_customer_create(svc.ctx, &admin, customers[i], NULL));
	TRY(pcrm_contact_record(svc.ctx, &admin, "3701020001",
	                        "{\"channel\": \"phone\", \"direction\": \"inbound\", \"agent\": \"1001\","
	                        " \"summary\": \"咨询阶梯电价第二档起点\", \"business_code\": \"inquiry\"}",
	                        NULL));
	if (seed_bills() != 0)
		goto fail;
	TRY(pcrm_ctx_commit(svc.ctx));
	free(calendar);
	free(doc);
	return 0;
fail:
	pcrm_ctx_rollback(svc.ctx);
	free(calendar);
	free(doc);
	return -1;
}
