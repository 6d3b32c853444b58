/*
 * The screen pop's bills: the customer's newest bills (pcrm_bill_list_load,
 * as the agent's actor) with every line of the itemised bill the billing run
 * stored (pcrm_bill_to_json(): reason code, quantity, unit, unit price,
 * amount) and a sentence in Chinese that explains it, so the agent can read
 * a bill to the caller line by line.  The amounts stay the stored decimal
 * strings: nothing is recomputed or rounded here.
 */
#include <stdio.h>
#include <string.h>

#include "desktop.h"

/* The reason codes of docs/tariff-format.md ("Lines") as an agent says them. */
static const struct { const char *code, *label; } labels[] = {
	{ "energy", "电度电费" },
	{ "low_income_allowance", "低收入户免费电量" },
	{ "basic_capacity", "基本电费（按容量）" },
	{ "basic_contract_demand", "基本电费（按合同需量）" },
	{ "basic_contract_demand_excess", "基本电费（超合同需量部分）" },
	{ "basic_actual_demand", "基本电费（按实际需量）" },
	{ "basic_demand", "基本电费（按需量）" },
	{ "basic_demand_excess", "基本电费（超需量部分）" },
	{ "demand_flat", "需量电费" },
	{ "demand_tou", "分时需量电费" },
	{ "power_factor_adjustment", "功率因数调整电费" },
	{ "export_credit", "上网电量抵扣" },
	{ "credit_brought_forward", "上期结转抵扣" },
	{ "credit_carried_forward", "结转下期" },
	{ "fund", "政府性基金及附加" },
	{ "fixed_charge", "固定费用" },
	{ "minimum_monthly", "月最低电费补足" },
	{ "minimum_annual", "年最低电费补足" },
};

static const struct { const char *period, *label; } periods[] = {
	{ "critical_peak", "尖峰" }, { "peak", "峰" }, { "flat", "平" }, { "valley", "谷" },
};

static const char *label_of(const char *code)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].code, code) == 0)
			return labels[i].label;
	return NULL;
}

static const char *period_of(const char *period)
{
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		if (strcmp(periods[i].period, period) == 0)
			return periods[i].label;
	return period;
}

static const char *text_of(json_t *line, const char *key)
{
	const char *s = json_string_value(json_object_get(line, key));
	return s ? s : "";
}

/* "电度电费 第2档 峰时段: 340 kWh × 0.639 元/kWh = 217.26 元" */
static void explain(json_t *line)
{
	const char *code = text_of(line, "code"), *name = text_of(line, "name");
	const char *label = *name ? name : label_of(code);
	char what[256], tier[32] = "", period[48] = "";
	json_int_t t = json_integer_value(json_object_get(line, "tier"));
	if (t > 0)
		snprintf(tier, sizeof(tier), " 第%d档", (int)t);
	if (*text_of(line, "period"))
		snprintf(period, sizeof(period), " %s时段", period_of(text_of(line, "period")));
	snprintf(what, sizeof(what), "%s%s%s", label ? label : code, tier, period);
	json_int_t days = json_integer_value(json_object_get(line, "prorate_days"));
	char prorate[48] = "";
	if (days > 0)
		snprintf(prorate, sizeof(prorate), "（按%d天折算）", (int)days);
	/* a price per kWh, kVA or kW; per bill or per yuan (power factor) it is plain yuan */
	const char *unit = text_of(line, "unit");
	int per = strcmp(unit, "kWh") == 0 || strcmp(unit, "kVA") == 0 || strcmp(unit, "kW") == 0;
	char sentence[512];
	snprintf(sentence, sizeof(sentence), "%s: %s %s × %s 元%s%s%s = %s 元", what,
	         text_of(line, "quantity"), unit, text_of(line, "unit_price"), per ? "/" : "",
	         per ? unit : "", prorate, text_of(line, "amount"));
	json_object_set_new(line, "label", json_string(what));
	json_object_set_new(line, "explanation", json_string(sentence));
}

static void date_text(pcrm_date d, char *out, size_t size)
{
	snprintf(out, size, "%04d-%02d-%02d", d.year, d.month, d.day);
}

int desk_bills_json(const pcrm_actor *actor, const char *customer_no, size_t limit, json_t **out)
{
	pcrm_bill_list *list = NULL;
	*out = NULL;
	if (pcrm_bill_list_load(svc.ctx, actor, customer_no, NULL, NULL, &list) != PCRM_OK)
		return -1;
	json_t *bills = json_array();
	for (size_t i = 0; i < pcrm_bill_list_count(list) && i < limit; i++) {
		const pcrm_bill_record *b = pcrm_bill_list_at(list, i);
		char energy[64], total[64], issue[16], due[16];
		json_error_t jerr;
		pcrm_decimal_format(b->energy, energy, sizeof(energy));
		pcrm_decimal_format(b->total, total, sizeof(total));
		date_text(b->issue_date, issue, sizeof(issue));
		date_text(b->due_date, due, sizeof(due));
		json_t *doc = b->json ? json_loads(b->json, 0, &jerr) : NULL;
		json_t *lines = json_is_array(json_object_get(doc, "lines"))
		                        ? json_incref(json_object_get(doc, "lines")) : json_array();
		size_t k;
		json_t *line;
		json_array_foreach(lines, k, line)
			if (json_is_object(line))
				explain(line);
		json_array_append_new(bills, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s, s:o}",
			"bill_no", b->bill_no, "account_no", b->account_no, "period", b->period,
			"status", b->status, "issue_date", issue, "due_date", due, "energy_kwh", energy,
			"total", total, "tariff_id", b->tariff_id, "tariff_version",
			(json_int_t)b->tariff_version, "posted", b->posted,
			"period_start", text_of(doc, "period_start"), "period_end",
			text_of(doc, "period_end"), "lines", lines));
		json_decref(doc);
	}
	pcrm_bill_list_free(list);
	*out = bills;
	return 0;
}
