/*
 * A bill as one JSON object: what an integrator stores next to the bill or
 * shows to an agent.  Decimals are strings (exactly as the lines carry them),
 * keys are sorted, and the tariff id and version are recorded so the bill can
 * be explained and recomputed later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "tariff_internal.h"

static int put(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *dec(pcrm_decimal d)
{
	char buf[PCRM_DECIMAL_STRING_MAX];

	if (pcrm_decimal_format(d, buf, sizeof(buf)) < 0)
		return NULL;
	return json_string(buf);
}

static json_t *date(pcrm_date d)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
	return json_string(buf);
}

static json_t *line_json(const pcrm_bill_line *l)
{
	json_t *o = json_object();
	int bad = !o;

	bad |= put(o, "code", json_string(l->code)) < 0;
	if (l->period)
		bad |= put(o, "period", json_string(l->period)) < 0;
	if (l->tier)
		bad |= put(o, "tier", json_integer(l->tier)) < 0;
	if (l->item)
		bad |= put(o, "item", json_string(l->item)) < 0;
	if (l->name)
		bad |= put(o, "name", json_string(l->name)) < 0;
	bad |= put(o, "quantity", dec(l->quantity)) < 0;
	bad |= put(o, "unit", json_string(l->unit)) < 0;
	bad |= put(o, "unit_price", dec(l->unit_price)) < 0;
	if (l->prorate_days)
		bad |= put(o, "prorate_days", json_integer(l->prorate_days)) < 0;
	bad |= put(o, "amount", dec(l->amount)) < 0;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *pcrm__bill_json_text(const pcrm_bill *b)
{
	json_t *o = json_object(), *lines = json_array();
	char *text = NULL;
	int bad = !o || !lines;

	bad |= put(o, "tariff_id", json_string(b->tariff->id)) < 0;
	bad |= put(o, "tariff_version", json_integer((json_int_t)b->tariff->version)) < 0;
	bad |= put(o, "currency", json_string(b->tariff->currency)) < 0;
	bad |= put(o, "period_start", date(b->start)) < 0;
	bad |= put(o, "period_end", date(b->end)) < 0;
	bad |= put(o, "energy_kwh", dec(b->energy)) < 0;
	if (b->has_pf)
		bad |= put(o, "power_factor", dec(b->pf)) < 0;
	for (size_t i = 0; !bad && i < b->count; i++)
		bad |= json_array_append_new(lines, line_json(&b->lines[i])) < 0;
	bad |= put(o, "total", dec(b->total)) < 0;
	if (!bad && json_object_set(o, "lines", lines) == 0)
		text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(lines);
	json_decref(o);
	return text;
}

size_t pcrm_bill_json_size(const pcrm_bill *bill)
{
	char *text;
	size_t n;

	if (!bill || !(text = pcrm__bill_json_text(bill)))
		return 0;
	n = strlen(text) + 1;
	free(text);
	return n;
}

int pcrm_bill_to_json(const pcrm_bill *bill, char *buf, size_t size)
{
	char *text;
	size_t n;

	if (!bill || !buf)
		return pcrm__error(PCRM_EINVAL, "bill to json: %s is NULL", bill ? "buf" : "bill");
	if (!(text = pcrm__bill_json_text(bill)))
		return pcrm__error_oom();
	n = strlen(text) + 1;
	if (n > size) {
		free(text);
		if (size > 0)
			buf[0] = '\0';
		return pcrm__error(PCRM_EINVAL, "bill to json: the buffer of %zu bytes is too small, "
		                   "%zu are needed", size, n);
	}
	memcpy(buf, text, n);
	free(text);
	return PCRM_OK;
}
