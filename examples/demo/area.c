/*
 * The supply area: the city of Jinan with five counties and their township
 * stations, the shipped tariffs, workflows and calendar, and N customers of
 * every usage class with an account, a metering point, a meter and the
 * October reading of each register.
 *
 * Customers go in through the JSON Lines import (one call per 5,000);
 * accounts, metering points, meters and readings have no bulk call, so
 * they are made one by one inside a transaction of 500 customers each:
 * one commit (one disk sync on SQLite) per batch instead of one per call.
 */
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static const struct demo_county counties[] = {
	{ "370102", "历下区供电中心", 1 },
	{ "370103", "市中区供电中心", 1 },
	{ "370112", "历城区供电中心", 1 },
	{ "370124", "平阴县供电公司", 0 },
	{ "370126", "商河县供电公司", 0 },
};
#define COUNTY_COUNT ((int)(sizeof(counties) / sizeof(counties[0])))
#define STATIONS_PER_COUNTY 3

static const char *const station_names[COUNTY_COUNT][STATIONS_PER_COUNTY] = {
	{ "姚家供电所", "甸柳供电所", "千佛山供电所" },
	{ "四里村供电所", "七贤供电所", "党家供电所" },
	{ "洪家楼供电所", "王舍人供电所", "唐冶供电所" },
	{ "榆山供电所", "孔村供电所", "东阿供电所" },
	{ "许商供电所", "玉皇庙供电所", "贾庄供电所" },
};

/*
 * 一般工商业 has no shipped Chinese tariff (data/tariffs has residential,
 * large industry and a US commercial one), so the demo publishes this
 * single-part one of its own: illustrative figures, the format of
 * docs/tariff-format.md.
 */
static const char commercial_tariff[] =
	"{\"id\": \"demo-general-commercial\", \"version\": 1,"
	" \"name\": \"一般工商业 单一制 不满1千伏 (demo, illustrative)\","
	" \"usage_class\": \"general_commercial_industrial\", \"effective_from\": \"2026-01-01\","
	" \"currency\": \"CNY\", \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\","
	" \"energy\": {\"price\": \"0.6758\"}}";

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄",
	                                "周", "吴", "徐", "孙", "马", "朱", "胡", "郭" };
static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰",
	                             "强", "军", "平", "刚", "桂英", "秀兰", "建华", "国强" };
static const char *const firms[] = { "泉城", "齐鲁", "华山", "趵突", "大明", "舜耕", "鲁能", "章丘" };
static const char *const trades[] = { "商贸", "餐饮", "物流", "酒店", "超市", "印刷" };
static const char *const plants[] = { "钢铁", "化工", "机械", "水泥", "造纸", "纺织" };

#define ACCOUNT_MANAGERS 8

static void publish_tariffs(struct demo *d)
{
	static const char *const files[] = { "cn-residential-tiered-tou.json",
		                             "cn-gd-guangzhou-residential.json",
		                             "cn-large-industry-two-part.json" };
	char path[1024];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tariffs/%s", d->data_dir, files[i]);
		char *doc = read_text(path);
		CHECK(pcrm_tariff_publish(d->ctx, &ACT_PRICING, doc));
		free(doc);
	}
	CHECK(pcrm_tariff_publish(d->ctx, &ACT_PRICING, commercial_tariff));
}

/* Every shipped workflow, its working-day limits counted in the 2026 calendar. */
static void define_workflows(struct demo *d)
{
	static const char *const names[] = { "complaint", "report", "suggestion", "inquiry",
		                             "fault-repair-urban", "fault-repair-rural",
		                             "new-connection-lv-residential",
		                             "new-connection-lv-nonresidential" };
	char path[1024];
	snprintf(path, sizeof(path), "%s/calendars/cn-2026.json", d->data_dir);
	char *calendar = read_text(path);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/workflows/%s.json", d->data_dir, names[i]);
		char *doc = read_text(path);
		CHECK(pcrm_workflow_define(d->ctx, &ACT_PROVINCE_ADMIN, doc, calendar, NULL));
		free(doc);
	}
	free(calendar);
}

static void build_org_tree(struct demo *d)
{
	char code[16];
	CHECK(pcrm_ctx_begin(d->ctx));
	CHECK(pcrm_org_unit_create(d->ctx, &ACT_PROVINCE_ADMIN, "37", NULL, "国网山东省电力公司",
	                           PCRM_ORG_PROVINCE));
	CHECK(pcrm_org_unit_create(d->ctx, &ACT_PROVINCE_ADMIN, CITY, "37", "国网济南供电公司",
	                           PCRM_ORG_CITY));
	for (int c = 0; c < COUNTY_COUNT; c++) {
		CHECK(pcrm_org_unit_create(d->ctx, &ACT_CITY_ADMIN, counties[c].code, CITY,
		                           counties[c].name, PCRM_ORG_COUNTY));
		for (int s = 0; s < STATIONS_PER_COUNTY; s++) {
			snprintf(code, sizeof(code), "%s%02d", counties[c].code, s + 1);
			CHECK(pcrm_org_unit_create(d->ctx, &ACT_CITY_ADMIN, code, counties[c].code,
			                           station_names[c][s], PCRM_ORG_TOWNSHIP));
		}
	}
	CHECK(pcrm_ctx_commit(d->ctx));
}

/* Who the customers are: drawn once from the seed, kept in memory for every later step. */
static void draw_customers(struct demo *d)
{
	uint64_t r = rng_for(d->seed, 1);
	int64_t n = d->n_customers;
	int tas_per_station = (int)(n / (COUNTY_COUNT * STATIONS_PER_COUNTY * 200));
	if (tas_per_station < 1)
		tas_per_station = 1;
	d->ta_count = COUNTY_COUNT * STATIONS_PER_COUNTY * tas_per_station;
	d->cust = xcalloc((size_t)n, sizeof(*d->cust));
	for (int64_t i = 0; i < n; i++) {
		struct demo_customer *c = &d->cust[i];
		double u = rng_unit(&r);
		/* 70 % of the customers live in the three city districts */
		c->county = u < 0.70 ? (int)rng_below(&r, 3) : 3 + (int)rng_below(&r, 2);
		c->station = (int)rng_below(&r, STATIONS_PER_COUNTY);
		c->ta = (c->county * STATIONS_PER_COUNTY + c->station) * tas_per_station +
		        (int)rng_below(&r, (uint64_t)tas_per_station);
		u = rng_unit(&r);
		if (u < 0.005)
			c->klass = CLASS_LARGE_INDUSTRY;
		else if (u < 0.11)
			c->klass = CLASS_COMMERCIAL;
		else if (u < 0.13)
			c->klass = CLASS_LOW_INCOME;
		else
			c->klass = counties[c->county].urban ? CLASS_RESIDENTIAL_TOU
			                                     : CLASS_RESIDENTIAL_TIERED;
		if (c->klass == CLASS_LARGE_INDUSTRY)
			c->vip = (unsigned char)(3 + rng_below(&r, 3));
		else if (c->klass == CLASS_COMMERCIAL && rng_below(&r, 100) < 3)
			c->vip = (unsigned char)(1 + rng_below(&r, 2));
		c->bank = (unsigned char)(rng_below(&r, 100) <
		                          (c->klass == CLASS_COMMERCIAL || c->klass == CLASS_LARGE_INDUSTRY
		                                   ? 60u
		                                   : 30u));
		d->st.class_customers[c->klass]++;
		if (c->vip)
			d->st.vips++;
	}
}

void station_code(const struct demo *d, int64_t i, char *buf, size_t size)
{
	snprintf(buf, size, "%s%02d", counties[d->cust[i].county].code, d->cust[i].station + 1);
}

void ta_code(const struct demo *d, int ta, char *buf, size_t size)
{
	int per_station = d->ta_count / (COUNTY_COUNT * STATIONS_PER_COUNTY);
	int st = ta / per_station;
	snprintf(buf, size, "TA-%s%02d-%03d", counties[st / STATIONS_PER_COUNTY].code,
	         st % STATIONS_PER_COUNTY + 1, ta % per_station + 1);
}

int county_is_urban(const struct demo *d, int64_t i)
{
	return counties[d->cust[i].county].urban;
}

/* One customer document of the import (docs/customers.md). */
static int customer_line(const struct demo *d, int64_t i, uint64_t *r, char *buf, size_t size)
{
	const struct demo_customer *c = &d->cust[i];
	char no[24], station[16], ta[32], name[96], extra[160];
	customer_no(i, no, sizeof(no));
	station_code(d, i, station, sizeof(station));
	ta_code(d, c->ta, ta, sizeof(ta));
	if (c->klass == CLASS_COMMERCIAL || c->klass == CLASS_LARGE_INDUSTRY) {
		int large = c->klass == CLASS_LARGE_INDUSTRY;
		snprintf(name, sizeof(name), "%s%s%s有限公司%lld号", large ? "山东" : "济南",
		         firms[rng_below(r, 8)], large ? plants[rng_below(r, 6)] : trades[rng_below(r, 6)],
		         (long long)(i + 1));
		extra[0] = '\0';
		if (c->vip)
			snprintf(extra, sizeof(extra), ", \"vip_level\": %d, \"account_manager\": \"AM%02d\"",
			         c->vip, (int)(i % ACCOUNT_MANAGERS) + 1);
		return snprintf(buf, size,
		                "{\"customer_no\": \"%s\", \"kind\": \"organisation\", \"name\": \"%s\","
		                " \"usage_class\": \"%s\", \"voltage_level\": \"%s\", \"org_unit\": \"%s\","
		                " \"transformer_area\": \"%s\", \"phones\": {\"landline\": \"0531%08lld\"}%s}\n",
		                no, name, large ? "large_industry" : "general_commercial_industrial",
		                large ? "10kV" : "380V", station, ta, (long long)(60000000 + i), extra);
	}
	snprintf(name, sizeof(name), "%s%s", surnames[rng_below(r, 16)], given[rng_below(r, 18)]);
	return snprintf(buf, size,
	                "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"%s\","
	                " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	                " \"org_unit\": \"%s\", \"transformer_area\": \"%s\","
	                " \"phones\": {\"mobile\": \"13%09lld\"}, \"household_size\": %d%s}\n",
	                no, name, station, ta, (long long)(100000000 + i), 1 + (int)rng_below(r, 6),
	                c->klass == CLASS_LOW_INCOME ? ", \"low_income\": true" : "");
}

static void import_customers(struct demo *d)
{
	enum { BATCH = 5000, LINE_MAX_BYTES = 768 };
	uint64_t r = rng_for(d->seed, 2);
	char *buf = xmalloc((size_t)BATCH * LINE_MAX_BYTES);
	for (int64_t start = 0; start < d->n_customers; start += BATCH) {
		size_t len = 0;
		int64_t end = start + BATCH < d->n_customers ? start + BATCH : d->n_customers;
		pcrm_import_result res = PCRM_IMPORT_RESULT_INIT;
		for (int64_t i = start; i < end; i++)
			len += (size_t)customer_line(d, i, &r, buf + len, LINE_MAX_BYTES);
		CHECK(pcrm_customer_import_ext(d->ctx, &ACT_CITY_CLERK, buf, len, &res));
		d->st.customers += res.imported;
		progress(d, "customers imported (JSONL)", end, d->n_customers);
	}
	free(buf);
	progress_done(d, "customers imported (JSONL)", "%lld customers, %lld VIP",
	              (long long)d->st.customers, (long long)d->st.vips);
}

static const char *kwh(int64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

/* The account, metering point, meter (installed on 30 September) and its October readings. */
static void meter_up(struct demo *d, int64_t i, uint64_t *r, pcrm_time installed, pcrm_time read)
{
	const struct demo_customer *c = &d->cust[i];
	char no[24], acct[24], mp[32], meter[32], doc[768], terms[160], bank[96], a[32], b[32];
	customer_no(i, no, sizeof(no));
	account_no(i, acct, sizeof(acct));
	snprintf(mp, sizeof(mp), "MP%s", no);
	snprintf(meter, sizeof(meter), "M%s", no);

	int large = c->klass == CLASS_LARGE_INDUSTRY;
	int64_t contract_kw = large ? 1000 + 500 * (int64_t)rng_below(r, 13) : 0;
	terms[0] = bank[0] = '\0';
	if (large)
		snprintf(terms, sizeof(terms),
		         ", \"contract_capacity_kva\": \"%lld\", \"contract_demand_kw\": \"%lld\","
		         " \"pf_standard\": \"0.90\"",
		         (long long)(contract_kw * 5 / 4), (long long)contract_kw);
	if (c->bank)
		snprintf(bank, sizeof(bank), ", \"bank\": \"ICBC\", \"bank_account\": \"62220216%011lld\"",
		         (long long)i);
	snprintf(doc, sizeof(doc), "{\"account_no\": \"%s\", \"name\": \"电费账户\","
	         " \"payment_method\": \"%s\"%s%s}", acct, c->bank ? "bank_collection" : "cash",
	         bank, terms);
	CHECK(pcrm_account_create(d->ctx, &ACT_CITY_CLERK, no, doc, NULL));
	snprintf(doc, sizeof(doc), "{\"mp_no\": \"%s\", \"account_no\": \"%s\", \"purpose\": \"settlement\","
	         " \"voltage_level\": \"%s\"}", mp, acct,
	         large ? "10kV" : c->klass == CLASS_COMMERCIAL ? "380V" : "220V");
	CHECK(pcrm_metering_point_create(d->ctx, &ACT_CITY_CLERK, no, doc, NULL));

	/* Energies are whole kWh drawn from the seed; the readings are exact decimals. */
	if (large) {
		/* multiplier 100: a display step is 100 kWh */
		int64_t total = 3000 + (int64_t)rng_below(r, 27000);
		int64_t cp = total * 8 / 100, pk = total * 35 / 100, fl = total * 32 / 100;
		int64_t va = total - cp - pk - fl;
		int64_t base = (int64_t)rng_below(r, 1000000);
		int64_t reactive = total * (30 + (int64_t)rng_below(r, 36)) / 100;
		/* 70 % .. 115 % of the contract: a few pay the excess above 105 % */
		int64_t demand_x100 = contract_kw * (70 + (int64_t)rng_below(r, 46));
		snprintf(doc, sizeof(doc),
		         "{\"meter_no\": \"%s\", \"type\": \"three_phase_three_wire\", \"multiplier\": \"100\","
		         " \"digits\": 8, \"registers\": [\"critical_peak\", \"peak\", \"flat\", \"valley\","
		         " \"reactive\", \"max_demand\"], \"initial_readings\": {\"critical_peak\": \"%lld\","
		         " \"peak\": \"%lld\", \"flat\": \"%lld\", \"valley\": \"%lld\", \"reactive\": \"%lld\"}}",
		         meter, (long long)base, (long long)base, (long long)base, (long long)base,
		         (long long)base);
		CHECK(pcrm_meter_install(d->ctx, &ACT_CITY_CLERK, mp, doc, installed));
		const pcrm_register regs[] = { PCRM_REGISTER_CRITICAL_PEAK, PCRM_REGISTER_PEAK,
			                       PCRM_REGISTER_FLAT, PCRM_REGISTER_VALLEY,
			                       PCRM_REGISTER_REACTIVE };
		const int64_t diffs[] = { cp, pk, fl, va, reactive };
		for (int k = 0; k < 5; k++)
			CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, regs[k],
			                          pcrm_decimal_from_int(base + diffs[k]), read, 0, NULL));
		/* the demand register shows kW / multiplier: (kW x 100) / 10^4 */
		CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, PCRM_REGISTER_MAX_DEMAND,
		                          pcrm_decimal_make(demand_x100, 4), read, 0, NULL));
		d->st.readings += 6;
	} else if (c->klass == CLASS_COMMERCIAL) {
		int64_t base = (int64_t)rng_below(r, 500000), use = 300 + (int64_t)rng_below(r, 5700);
		snprintf(doc, sizeof(doc),
		         "{\"meter_no\": \"%s\", \"type\": \"three_phase_four_wire\", \"multiplier\": \"1\","
		         " \"digits\": 7, \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"%s\"}}",
		         meter, kwh(base, a, sizeof(a)));
		CHECK(pcrm_meter_install(d->ctx, &ACT_CITY_CLERK, mp, doc, installed));
		CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, PCRM_REGISTER_TOTAL,
		                          pcrm_decimal_from_int(base + use), read, 0, NULL));
		d->st.readings += 1;
	} else {
		int64_t use = c->klass == CLASS_LOW_INCOME ? 40 + (int64_t)rng_below(r, 150)
		                                           : 60 + (int64_t)rng_below(r, 260);
		if (c->klass != CLASS_LOW_INCOME && rng_below(r, 10) == 0)
			use += (int64_t)rng_below(r, 500); /* electric heating, a big family */
		int64_t base = (int64_t)rng_below(r, 50000);
		if (county_is_urban(d, i)) {
			int64_t valley = use * (25 + (int64_t)rng_below(r, 21)) / 100;
			snprintf(doc, sizeof(doc),
			         "{\"meter_no\": \"%s\", \"type\": \"single_phase\", \"multiplier\": \"1\","
			         " \"digits\": 6, \"registers\": [\"peak\", \"valley\"],"
			         " \"initial_readings\": {\"peak\": \"%s\", \"valley\": \"%s\"}}",
			         meter, kwh(base, a, sizeof(a)), kwh(base / 2, b, sizeof(b)));
			CHECK(pcrm_meter_install(d->ctx, &ACT_CITY_CLERK, mp, doc, installed));
			CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, PCRM_REGISTER_PEAK,
			                          pcrm_decimal_from_int(base + use - valley), read, 0, NULL));
			CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, PCRM_REGISTER_VALLEY,
			                          pcrm_decimal_from_int(base / 2 + valley), read, 0, NULL));
			d->st.readings += 2;
		} else {
			snprintf(doc, sizeof(doc),
			         "{\"meter_no\": \"%s\", \"type\": \"single_phase\", \"multiplier\": \"1\","
			         " \"digits\": 6, \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"%s\"}}",
			         meter, kwh(base, a, sizeof(a)));
			CHECK(pcrm_meter_install(d->ctx, &ACT_CITY_CLERK, mp, doc, installed));
			CHECK(pcrm_reading_record(d->ctx, &ACT_CITY_CLERK, meter, PCRM_REGISTER_TOTAL,
			                          pcrm_decimal_from_int(base + use), read, 0, NULL));
			d->st.readings += 1;
		}
	}
	d->st.accounts++;
	d->st.meters++;
}

static void meters_and_readings(struct demo *d)
{
	enum { BATCH = 500 };
	uint64_t r = rng_for(d->seed, 3);
	pcrm_time installed = civil(2026, 9, 30, 10, 0, 0);
	pcrm_time read = civil(2026, 10, 31, 16, 0, 0);
	for (int64_t start = 0; start < d->n_customers; start += BATCH) {
		int64_t end = start + BATCH < d->n_customers ? start + BATCH : d->n_customers;
		CHECK(pcrm_ctx_begin(d->ctx));
		for (int64_t i = start; i < end; i++)
			meter_up(d, i, &r, installed, read);
		CHECK(pcrm_ctx_commit(d->ctx));
		progress(d, "accounts, meters, October readings", end, d->n_customers);
	}
	progress_done(d, "accounts, meters, October readings", "%lld accounts, %lld meters, %lld readings",
	              (long long)d->st.accounts, (long long)d->st.meters, (long long)d->st.readings);
}

void area_build(struct demo *d)
{
	d->counties = counties;
	d->county_count = COUNTY_COUNT;
	d->now = civil(2026, 11, 1, 8, 0, 0);
	build_org_tree(d);
	publish_tariffs(d);
	define_workflows(d);
	complaints_setup(d);
	progress_done(d, "org tree, tariffs, workflows", "1 city, %d counties, %d stations, 4 tariffs, 8 workflows",
	              COUNTY_COUNT, COUNTY_COUNT * STATIONS_PER_COUNTY);
	draw_customers(d);
	import_customers(d);
	meters_and_readings(d);
}
