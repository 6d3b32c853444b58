/*
 * Posting documents: one table of fields per kind, every rule in one place
 * so posting and the tests check identically, and every error names the
 * field.  Amounts and dates are rewritten in canonical form ("100" ->
 * "100.00"), so a repeated request compares equal however it was spelled.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "ledger_internal.h"

/* ---- money and days ---- */

int pcrm__money_parse(const char *path, const char *text, pcrm_decimal *out)
{
	pcrm_decimal v;
	if (pcrm_decimal_parse(text, &v) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: \"%.40s\" is not a decimal amount", path, text);
	if (v.scale > 2)
		return pcrm__error(PCRM_EINVAL, "%s: \"%.40s\" has more than 2 decimals (fen)", path,
		                   text);
	if (pcrm_decimal_sign(v) <= 0)
		return pcrm__error(PCRM_EINVAL, "%s: must be greater than 0", path);
	/* too large for fen is bad input, as in bank statements (docs/conventions.md) */
	if (pcrm_decimal_round(v, 2, PCRM_ROUND_HALF_UP, out) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: \"%.40s\" is too large", path, text);
	return PCRM_OK;
}

void pcrm__money_text(pcrm_decimal v, char out[PCRM_DECIMAL_STRING_MAX])
{
	if (pcrm_decimal_format(v, out, PCRM_DECIMAL_STRING_MAX) != PCRM_OK)
		snprintf(out, PCRM_DECIMAL_STRING_MAX, "?");
}

int pcrm__money_load(const char *text, pcrm_decimal *out)
{
	if (!text || pcrm_decimal_parse(text, out) != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "stored amount \"%.48s\" is malformed",
		                   text ? text : "(null)");
	return PCRM_OK;
}

int64_t pcrm__ledger_day(const pcrm_ctx *ctx, pcrm_time t)
{
	pcrm_civil c;
	pcrm_date d;
	if (pcrm_time_to_civil(t, pcrm_ctx_utc_offset(ctx), &c) != PCRM_OK)
		return 0;
	d.year = c.year;
	d.month = c.month;
	d.day = c.day;
	return pcrm_date_to_days(d);
}

/* ---- field rules ---- */

enum ftype { T_KEY, T_TEXT, T_MONEY, T_DATE, T_PERIOD, T_INSTANT, T_ENUM, T_BANK };

struct frule {
	const char *name;
	enum ftype type;
	int required;
	const char *const *values;
};

static const char *const channels[] = { "counter", "bank", "online", NULL };
static const char *const directions[] = { "debit", "credit", NULL };
static const char *const kinds[] = { "bill", "payment", "refund", "adjustment", "void", NULL };

static const struct frule bill_rules[] = {
	{ "kind", T_ENUM, 1, kinds },         { "bill_no", T_KEY, 1, NULL },
	{ "period", T_PERIOD, 1, NULL },      { "issue_date", T_DATE, 1, NULL },
	{ "due_date", T_DATE, 1, NULL },      { "amount", T_MONEY, 1, NULL },
	{ NULL, T_KEY, 0, NULL },
};
static const struct frule payment_rules[] = {
	{ "kind", T_ENUM, 1, kinds },          { "idempotency_key", T_KEY, 0, NULL },
	{ "amount", T_MONEY, 1, NULL },        { "channel", T_ENUM, 1, channels },
	{ "paid_at", T_INSTANT, 0, NULL },     { "bank_code", T_BANK, 0, NULL },
	{ "transaction_id", T_KEY, 0, NULL },  { NULL, T_KEY, 0, NULL },
};
static const struct frule refund_rules[] = {
	{ "kind", T_ENUM, 1, kinds },     { "idempotency_key", T_KEY, 1, NULL },
	{ "amount", T_MONEY, 1, NULL },   { "reason", T_TEXT, 1, NULL },
	{ "at", T_INSTANT, 0, NULL },     { NULL, T_KEY, 0, NULL },
};
static const struct frule adjustment_rules[] = {
	{ "kind", T_ENUM, 1, kinds },            { "idempotency_key", T_KEY, 1, NULL },
	{ "direction", T_ENUM, 1, directions },  { "amount", T_MONEY, 1, NULL },
	{ "reason", T_TEXT, 1, NULL },           { "at", T_INSTANT, 0, NULL },
	{ "due_date", T_DATE, 0, NULL },         { NULL, T_KEY, 0, NULL },
};
static const struct frule void_rules[] = {
	{ "kind", T_ENUM, 1, kinds },         { "bill_no", T_KEY, 1, NULL },
	{ "credit_note_no", T_KEY, 1, NULL }, { "reason", T_TEXT, 1, NULL },
	{ "at", T_INSTANT, 0, NULL },         { NULL, T_KEY, 0, NULL },
};

static int need_string(const char *name, const json_t *v)
{
	return json_is_string(v) ? PCRM_OK : pcrm__error(PCRM_EINVAL, "%s: must be a string", name);
}

/* Keys and codes: letters, digits, - _ . (bank codes: letters and digits only). */
static int check_key(const char *name, const char *s, size_t n, size_t max, int bank)
{
	if (n < 1 || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu characters", name, max);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (!bank && (c == '-' || c == '_' || c == '.'));
		if (!ok)
			return pcrm__error(PCRM_EINVAL, "%s: byte %zu is not allowed (%s)", name, i + 1,
			                   bank ? "letters and digits" : "letters, digits, - _ .");
	}
	return PCRM_OK;
}

static int check_free_text(const char *name, const char *s, size_t n)
{
	if (n < 1 || n > PCRM__LEDGER_TEXT_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes", name, PCRM__LEDGER_TEXT_MAX);
	return pcrm__text_check(name, s, n, 0);
}

static int check_period(const char *name, const char *s, size_t n)
{
	char buf[16];
	pcrm_date d;
	if (n != 7 || s[4] != '-')
		return pcrm__error(PCRM_EINVAL, "%s: must be YYYY-MM", name);
	snprintf(buf, sizeof(buf), "%s-01", s);
	if (pcrm_date_parse(buf, &d) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: must be YYYY-MM", name);
	return PCRM_OK;
}

static int check_value(const struct frule *r, json_t *doc, json_t *v)
{
	const char *s;
	size_t n;
	int rc = need_string(r->name, v);
	if (rc != PCRM_OK)
		return rc;
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n)
		return pcrm__error(PCRM_EINVAL, "%s: contains a NUL character", r->name);
	switch (r->type) {
	case T_KEY:
		return check_key(r->name, s, n, PCRM__LEDGER_KEY_MAX, 0);
	case T_BANK:
		return check_key(r->name, s, n, PCRM__BANK_CODE_MAX, 1);
	case T_TEXT:
		return check_free_text(r->name, s, n);
	case T_PERIOD:
		return check_period(r->name, s, n);
	case T_ENUM:
		for (const char *const *e = r->values; *e; e++)
			if (strcmp(*e, s) == 0)
				return PCRM_OK;
		return pcrm__error(PCRM_EINVAL, "%s: \"%.32s\" is not one of the documented values",
		                   r->name, s);
	case T_MONEY: {
		pcrm_decimal m;
		char text[PCRM_DECIMAL_STRING_MAX];
		rc = pcrm__money_parse(r->name, s, &m);
		if (rc != PCRM_OK)
			return rc;
		pcrm__money_text(m, text);
		return json_object_set_new(doc, r->name, json_string(text)) == 0 ? PCRM_OK :
		                                                                   pcrm__error_oom();
	}
	case T_DATE: {
		pcrm_date d;
		char text[16];
		if (pcrm_date_parse(s, &d) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "%s: \"%.32s\" is not a date YYYY-MM-DD", r->name,
			                   s);
		snprintf(text, sizeof(text), "%04d-%02d-%02d", d.year, d.month, d.day);
		return json_object_set_new(doc, r->name, json_string(text)) == 0 ? PCRM_OK :
		                                                                   pcrm__error_oom();
	}
	case T_INSTANT: {
		pcrm_time t;
		if (pcrm_time_parse(s, &t) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: \"%.40s\" is not an ISO 8601 instant with offset",
			                   r->name, s);
		return PCRM_OK;
	}
	}
	return PCRM_OK;
}

static const struct frule *rules_for(const char *kind)
{
	if (strcmp(kind, "bill") == 0)
		return bill_rules;
	if (strcmp(kind, "payment") == 0)
		return payment_rules;
	if (strcmp(kind, "refund") == 0)
		return refund_rules;
	if (strcmp(kind, "adjustment") == 0)
		return adjustment_rules;
	if (strcmp(kind, "void") == 0)
		return void_rules;
	return NULL;
}

static int check_fields(const struct frule *rules, json_t *doc)
{
	const char *name;
	json_t *v;
	int rc;
	json_object_foreach(doc, name, v) {
		const struct frule *r = rules;
		while (r->name && strcmp(r->name, name) != 0)
			r++;
		if (!r->name)
			return pcrm__error(PCRM_EINVAL, "%.64s: unknown field", name);
		rc = check_value(r, doc, v);
		if (rc != PCRM_OK)
			return rc;
	}
	for (const struct frule *r = rules; r->name; r++)
		if (r->required && !json_object_get(doc, r->name))
			return pcrm__error(PCRM_EINVAL, "%s: is required", r->name);
	return PCRM_OK;
}

static const char *str(const json_t *doc, const char *name)
{
	return json_string_value(json_object_get(doc, name));
}

static int64_t day_of(const json_t *doc, const char *name)
{
	pcrm_date d;
	const char *s = str(doc, name);
	return s && pcrm_date_parse(s, &d) == PCRM_OK ? pcrm_date_to_days(d) : -1;
}

static void make_key(struct pcrm__ledger_request *r, const char *a, const char *b)
{
	if (b)
		snprintf(r->key, sizeof(r->key), "%s/%s/%s", r->kind, a, b);
	else
		snprintf(r->key, sizeof(r->key), "%s/%s", r->kind, a);
}

/* The per-kind rules that tie fields together. */
static int finish(json_t *doc, struct pcrm__ledger_request *r)
{
	const char *at = str(doc, strcmp(r->kind, "payment") == 0 ? "paid_at" : "at");
	if (at) {
		r->has_at = 1;
		pcrm_time_parse(at, &r->at);
	}
	if (str(doc, "amount"))
		pcrm__money_parse("amount", str(doc, "amount"), &r->amount);
	r->due_day = -1;
	if (strcmp(r->kind, "bill") == 0) {
		r->bill_no = r->ref = str(doc, "bill_no");
		r->period = str(doc, "period");
		r->issue_day = day_of(doc, "issue_date");
		r->due_day = day_of(doc, "due_date");
		if (r->due_day < r->issue_day)
			return pcrm__error(PCRM_EINVAL, "due_date: lies before issue_date");
		make_key(r, r->bill_no, NULL);
	} else if (strcmp(r->kind, "payment") == 0) {
		r->channel = str(doc, "channel");
		r->bank_code = str(doc, "bank_code");
		r->transaction_id = str(doc, "transaction_id");
		if (strcmp(r->channel, "bank") == 0) {
			if (!r->bank_code)
				return pcrm__error(PCRM_EINVAL, "bank_code: is required for channel bank");
			if (!r->transaction_id)
				return pcrm__error(PCRM_EINVAL,
				                   "transaction_id: is required for channel bank");
			/* the bank's transaction id is the idempotency key */
			r->ref = r->transaction_id;
			snprintf(r->key, sizeof(r->key), "bank/%s/%s", r->bank_code, r->transaction_id);
		} else {
			if (r->bank_code || r->transaction_id)
				return pcrm__error(PCRM_EINVAL, "%s: only for channel bank",
				                   r->bank_code ? "bank_code" : "transaction_id");
			r->ref = str(doc, "idempotency_key");
			if (!r->ref)
				return pcrm__error(PCRM_EINVAL, "idempotency_key: is required");
			make_key(r, r->ref, NULL);
		}
	} else if (strcmp(r->kind, "void") == 0) {
		r->bill_no = str(doc, "bill_no");
		r->ref = str(doc, "credit_note_no");
		make_key(r, r->ref, NULL);
	} else {
		r->ref = str(doc, "idempotency_key");
		if (strcmp(r->kind, "adjustment") == 0) {
			r->debit = strcmp(str(doc, "direction"), "debit") == 0;
			r->due_day = day_of(doc, "due_date");
			if (!r->debit && r->due_day >= 0)
				return pcrm__error(PCRM_EINVAL, "due_date: only for debit adjustments");
		}
		make_key(r, r->ref, NULL);
	}
	return PCRM_OK;
}

int pcrm__ledger_request_check(json_t *doc, struct pcrm__ledger_request *out)
{
	const struct frule *rules;
	json_t *kind;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "entry: must be a JSON object");
	kind = json_object_get(doc, "kind");
	if (!kind)
		return pcrm__error(PCRM_EINVAL, "kind: is required");
	if (!json_is_string(kind) || !(rules = rules_for(json_string_value(kind))))
		return pcrm__error(PCRM_EINVAL,
		                   "kind: must be one of bill, payment, refund, adjustment, void");
	out->kind = json_string_value(kind);
	rc = check_fields(rules, doc);
	if (rc == PCRM_OK)
		rc = finish(doc, out);
	return rc;
}

int pcrm__ledger_parse_json(const char *what, const char *text, size_t len, json_t **out)
{
	json_error_t err;
	*out = NULL;
	if (!text)
		return pcrm__error(PCRM_EINVAL, "%s: missing (a JSON object)", what);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!*out)
		return pcrm__error(PCRM_EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
		                   err.line, err.column, pcrm__json_error_text(&err));
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return pcrm__error(PCRM_EINVAL, "%s: must be a JSON object", what);
	}
	return PCRM_OK;
}
