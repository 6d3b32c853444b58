/*
 * A bill as one JSON object: what an integrator stores next to the bill or
 * shows to an agent.  Decimals are strings (exactly as the lines carry them),
 * keys are sorted, and the tariff id and version are recorded so the bill can
 * be explained and recomputed later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "tariff_internal.h"

/*
 * Written straight into one buffer, in the byte order json_dumps() with
 * JSON_SORT_KEYS | JSON_COMPACT gives (keys sorted bytewise, strings
 * escaped as jansson escapes them, UTF-8 kept): building a jansson tree
 * and dumping it was most of a billing run's client time.  Strings come
 * from a validated tariff document, so they are valid UTF-8 already.
 */
struct out {
	char *buf;
	size_t len, cap;
	int bad;
};

/* More room (out of line: raw() and its callers inline the check alone). */
static __attribute__((noinline)) void grow_slow(struct out *o, size_t more)
{
	char *p;
	size_t cap;
	if (o->bad)
		return;
	cap = o->cap ? o->cap : 512;
	while (cap < o->len + more + 1)
		cap *= 2;
	if (!(p = realloc(o->buf, cap))) {
		o->bad = 1;
		return;
	}
	o->buf = p;
	o->cap = cap;
}

/* Room for `more` bytes and the final NUL. */
static inline void grow(struct out *o, size_t more)
{
	if (o->len + more + 1 > o->cap)
		grow_slow(o, more);
}

/*
 * Inlined, so that a literal's memcpy has a constant size the compiler
 * turns into a move or two; the NUL is written once, at the end: calls of
 * raw() were a sixth of a billing run's client instructions.
 */
static inline void raw(struct out *o, const char *s, size_t n)
{
	grow(o, n);
	if (o->bad)
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

#define LIT(o, s) raw((o), (s), sizeof(s) - 1)

/* A JSON string as jansson writes it: '"' and '\\' escaped, control bytes as \b \f \n \r \t or \u00XX. */
static void str(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	LIT(o, "\"");
	while (*s) {
		size_t run = 0;
		while (s[run] && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
			run++;
		raw(o, s, run);
		s += run;
		if (!*s)
			break;
		switch (*s) {
		case '"': LIT(o, "\\\""); break;
		case '\\': LIT(o, "\\\\"); break;
		case '\b': LIT(o, "\\b"); break;
		case '\f': LIT(o, "\\f"); break;
		case '\n': LIT(o, "\\n"); break;
		case '\r': LIT(o, "\\r"); break;
		case '\t': LIT(o, "\\t"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[(unsigned char)*s >> 4], hex[*s & 15] };
			raw(o, u, 6);
		}
		}
		s++;
	}
	LIT(o, "\"");
}

/* A key (a literal that needs no escape) after a comma unless it comes first. */
#define KEY(o, k, first)                                     \
	do {                                                 \
		if (*(first))                                \
			LIT((o), "\"" k "\":");              \
		else                                         \
			LIT((o), ",\"" k "\":");             \
		*(first) = 0;                                \
	} while (0)

/* A decimal as a JSON string: digits, '-' and '.', nothing to escape; formatted in place. */
static void dec(struct out *o, pcrm_decimal d)
{
	size_t n;
	grow(o, PCRM_DECIMAL_STRING_MAX + 2);
	if (o->bad)
		return;
	n = pcrm__decimal_digits(d, o->buf + o->len + 1);
	if (n == 0) {
		o->bad = 1;
		return;
	}
	o->buf[o->len] = '"';
	o->buf[o->len + n + 1] = '"';
	o->len += n + 2;
}

/* Digits by hand: snprintf() was a sixth of the rendering. */
static void integer(struct out *o, long long v)
{
	char buf[PCRM__INT_TEXT_MAX];
	raw(o, buf, pcrm__int_text(v, buf));
}

/* "YYYY-MM-DD" exactly as "%04d-%02d-%02d" writes it */
static void date(struct out *o, pcrm_date d)
{
	char buf[12];
	int y = d.year;
	if (y < 0 || y > 9999 || d.month < 0 || d.month > 99 || d.day < 0 || d.day > 99) {
		char text[48]; /* not a date a bill can have; written as snprintf() would */
		snprintf(text, sizeof(text), "%04d-%02d-%02d", d.year, d.month, d.day);
		str(o, text);
		return;
	}
	buf[0] = '"';
	buf[1] = (char)('0' + y / 1000);
	buf[2] = (char)('0' + y / 100 % 10);
	buf[3] = (char)('0' + y / 10 % 10);
	buf[4] = (char)('0' + y % 10);
	buf[5] = '-';
	buf[6] = (char)('0' + d.month / 10);
	buf[7] = (char)('0' + d.month % 10);
	buf[8] = '-';
	buf[9] = (char)('0' + d.day / 10);
	buf[10] = (char)('0' + d.day % 10);
	buf[11] = '"';
	raw(o, buf, sizeof(buf));
}

/* Keys in byte order: amount code item name period prorate_days quantity tier unit unit_price */
static void line_json(struct out *o, const pcrm_bill_line *l)
{
	int first = 1;
	LIT(o, "{");
	KEY(o, "amount", &first);
	dec(o, l->amount);
	KEY(o, "code", &first);
	str(o, l->code);
	if (l->item) {
		KEY(o, "item", &first);
		str(o, l->item);
	}
	if (l->name) {
		KEY(o, "name", &first);
		str(o, l->name);
	}
	if (l->period) {
		KEY(o, "period", &first);
		str(o, l->period);
	}
	if (l->prorate_days) {
		KEY(o, "prorate_days", &first);
		integer(o, l->prorate_days);
	}
	KEY(o, "quantity", &first);
	dec(o, l->quantity);
	if (l->tier) {
		KEY(o, "tier", &first);
		integer(o, l->tier);
	}
	KEY(o, "unit", &first);
	str(o, l->unit);
	KEY(o, "unit_price", &first);
	dec(o, l->unit_price);
	LIT(o, "}");
}

/*
 * Keys in byte order: credit_carried_forward (net metering, when not zero)
 * currency energy_kwh lines max_demand_kw period_end period_start power_factor
 * tariff_id tariff_version total
 */
char *pcrm__bill_json_text(const pcrm_bill *b)
{
	struct out o = { NULL, 0, 0, 0 };
	int first = 1;

	grow(&o, 256 + 160 * b->count);
	LIT(&o, "{");
	if (b->credit_carried.units != 0) {
		KEY(&o, "credit_carried_forward", &first);
		dec(&o, b->credit_carried);
	}
	KEY(&o, "currency", &first);
	str(&o, b->tariff->currency);
	KEY(&o, "energy_kwh", &first);
	dec(&o, b->energy);
	KEY(&o, "lines", &first);
	LIT(&o, "[");
	for (size_t i = 0; i < b->count; i++) {
		if (i)
			LIT(&o, ",");
		line_json(&o, &b->lines[i]);
	}
	LIT(&o, "]");
	if (b->has_max_demand) { /* what a later month's ratchet reads back */
		KEY(&o, "max_demand_kw", &first);
		dec(&o, b->max_demand);
	}
	KEY(&o, "period_end", &first);
	date(&o, b->end);
	KEY(&o, "period_start", &first);
	date(&o, b->start);
	if (b->has_pf) {
		KEY(&o, "power_factor", &first);
		dec(&o, b->pf);
	}
	KEY(&o, "tariff_id", &first);
	str(&o, b->tariff->id);
	KEY(&o, "tariff_version", &first);
	integer(&o, (long long)b->tariff->version);
	KEY(&o, "total", &first);
	dec(&o, b->total);
	LIT(&o, "}");
	if (o.bad) {
		free(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0'; /* grow() keeps room for it */
	return o.buf;
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
