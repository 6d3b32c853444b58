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
		                             "workflows/suggestion.json" };
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
