/*
 * The metering documents: accounts, metering points, meter installations
 * and removals.  Every rule lives here so create, update and the fuzz
 * target check identically, and every error names the field.
 *
 * Decimals travel as JSON strings and are rewritten in canonical form
 * ("040.50" -> "40.50"); JSON numbers are refused for them because a JSON
 * parser reads those through a double.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "metering_internal.h"

/* ---- registers ---- */

static const char *const register_names[PCRM__REG_SLOTS] = {
	NULL, "total", "peak", "flat", "valley", "critical_peak", "reactive", "max_demand",
};

#define REGISTER_LIST "total, peak, flat, valley, critical_peak, reactive, max_demand"

const char *pcrm_register_name(pcrm_register reg)
{
	int i = (int)reg;
	return i >= PCRM_REGISTER_TOTAL && i <= PCRM_REGISTER_MAX_DEMAND ? register_names[i] : NULL;
}

int pcrm_register_parse(const char *name, pcrm_register *out)
{
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	for (int i = PCRM_REGISTER_TOTAL; name && i <= PCRM_REGISTER_MAX_DEMAND; i++) {
		if (strcmp(name, register_names[i]) == 0) {
			*out = (pcrm_register)i;
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EINVAL, "register: \"%.32s\" is not one of " REGISTER_LIST,
	                   name ? name : "(null)");
}

int pcrm_register_is_cumulative(pcrm_register reg)
{
	return pcrm_register_name(reg) != NULL && reg != PCRM_REGISTER_MAX_DEMAND;
}

/* ---- field checks ---- */

/*
 * F_QUANTITY: a decimal string above 0 with at most PCRM__CONTRACT_MAX_SCALE
 * decimals (kVA, kW); F_PF_STANDARD: "0.90", "0.85" or "0.80".  Both are
 * rewritten in canonical form.
 */
enum field_type { F_CODE, F_TEXT, F_ENUM, F_DIGITS, F_QUANTITY, F_PF_STANDARD, F_DATE };

struct field_rule {
	const char *name;
	enum field_type type;
	int required;              /* must be present once defaults are filled in */
	int min, max;              /* length in bytes */
	const char *const *values; /* enum values */
};

static const char *const payment_methods[] = { "cash", "bank_collection", "prepaid", NULL };
static const char *const account_statuses[] = { "active", "suspended", "closed", NULL };
/* pcrm_basic_mode 1..3 by name (tariff.h); absent = the tariff's default */
static const char *const basic_modes[] = { "capacity", "contract_demand", "actual_demand", NULL };
static const char *const purposes[] = { "settlement", "assessment", "internal", NULL };
/* The customer document's voltage levels (customer_doc.c): a point may hang lower than its customer. */
static const char *const voltage_levels[] = { "220V", "380V", "10kV", "20kV", "35kV", "66kV",
	                                      "110kV", "220kV", "330kV", "500kV", NULL };
static const char *const point_statuses[] = { "active", "inactive", NULL };
static const char *const meter_types[] = { "single_phase", "three_phase_three_wire",
	                                   "three_phase_four_wire", NULL };
static const char *const reasons[] = { "fault", "periodic_rotation", "capacity_change", "upgrade",
	                               "closure", "other", NULL };

static const struct field_rule account_rules[] = {
	{ "account_no", F_CODE, 1, 1, PCRM__CODE_MAX, NULL },
	{ "name", F_TEXT, 1, 1, 200, NULL },
	{ "payment_method", F_ENUM, 1, 0, 0, payment_methods },
	{ "bank", F_TEXT, 0, 1, 100, NULL },
	{ "bank_account", F_DIGITS, 0, 8, 32, NULL },
	{ "status", F_ENUM, 1, 0, 0, account_statuses },
	/* the contract terms of a two-part tariff (pcrm_contract_terms) */
	{ "contract_capacity_kva", F_QUANTITY, 0, 0, 0, NULL },
	{ "contract_demand_kw", F_QUANTITY, 0, 0, 0, NULL },
	{ "pf_standard", F_PF_STANDARD, 0, 0, 0, NULL },
	{ "supply_start", F_DATE, 0, 0, 0, NULL },
	{ "supply_end", F_DATE, 0, 0, 0, NULL },
	{ "basic_mode", F_ENUM, 0, 0, 0, basic_modes },
	{ NULL, F_TEXT, 0, 0, 0, NULL },
};

static const struct field_rule point_rules[] = {
	{ "mp_no", F_CODE, 1, 1, PCRM__CODE_MAX, NULL },
	{ "account_no", F_CODE, 1, 1, PCRM__CODE_MAX, NULL },
	{ "purpose", F_ENUM, 1, 0, 0, purposes },
	{ "voltage_level", F_ENUM, 1, 0, 0, voltage_levels },
	{ "location", F_TEXT, 0, 1, 200, NULL },
	{ "status", F_ENUM, 1, 0, 0, point_statuses },
	{ NULL, F_TEXT, 0, 0, 0, NULL },
};

static int check_text(const char *path, const json_t *v, int min, int max)
{
	const char *s;
	size_t n;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a string", path);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < (size_t)min || n > (size_t)max)
		return pcrm__error(PCRM_EINVAL, "%s: must be %d..%d bytes", path, min, max);
	/* also refuses an embedded NUL, which would cut the stored text short */
	return pcrm__text_check(path, s, n, min == 0 ? PCRM__TEXT_BLANK_OK : 0);
}

static int check_chars(const char *path, const json_t *v, int min, int max, int digits_only)
{
	int rc = check_text(path, v, min, max);
	if (rc != PCRM_OK)
		return rc;
	/* positions, not characters: a bank account is personal data */
	for (const char *t = json_string_value(v), *s = t; *s; s++) {
		int digit = *s >= '0' && *s <= '9';
		int other = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '-' ||
		            *s == '_' || *s == '.';
		if (digits_only && !digit)
			return pcrm__error(PCRM_EINVAL, "%s: the character at byte %zu is not a digit",
			                   path, (size_t)(s - t) + 1);
		if (!digit && !other)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: the character at byte %zu is not allowed (letters, "
			                   "digits, - _ .)",
			                   path, (size_t)(s - t) + 1);
	}
	return PCRM_OK;
}

static int check_enum(const char *path, const json_t *v, const char *const *values)
{
	char list[256] = "";
	if (json_is_string(v))
		for (const char *const *e = values; *e; e++)
			if (strcmp(*e, json_string_value(v)) == 0)
				return PCRM_OK;
	for (const char *const *e = values; *e; e++) {
		strncat(list, *e, sizeof(list) - strlen(list) - 3);
		if (e[1])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	return pcrm__error(PCRM_EINVAL, "%s: must be one of %s", path, list);
}

static int check_decimal(const char *path, json_t *v, int max_scale, pcrm_decimal *out);

/* A contracted kVA or kW: above 0, far below 10^9 (no customer contracts a gigawatt). */
static int check_quantity(const char *path, json_t *v)
{
	pcrm_decimal d;
	int rc = check_decimal(path, v, PCRM__CONTRACT_MAX_SCALE, &d);
	if (rc != PCRM_OK)
		return rc;
	if (pcrm_decimal_sign(d) <= 0)
		return pcrm__error(PCRM_EINVAL, "%s: must be greater than 0 (null removes it)", path);
	if (pcrm_decimal_cmp(d, pcrm_decimal_from_int(1000000000)) >= 0)
		return pcrm__error(PCRM_EINVAL, "%s: must be below 1000000000", path);
	return PCRM_OK;
}

/* The 1983 power-factor standards, written back with two decimals ("0.9" -> "0.90"). */
static int check_pf_standard(const char *path, json_t *v)
{
	static const char *const standards[] = { "0.90", "0.85", "0.80" };
	pcrm_decimal d, s;
	if (!json_is_string(v) ||
	    pcrm_decimal_parse_n(json_string_value(v), json_string_length(v), &d) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: must be one of \"0.90\", \"0.85\", \"0.80\"",
		                   path);
	for (size_t i = 0; i < sizeof(standards) / sizeof(standards[0]); i++) {
		pcrm_decimal_parse(standards[i], &s);
		if (pcrm_decimal_cmp(d, s) == 0) {
			json_string_set(v, standards[i]);
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EINVAL, "%s: must be one of \"0.90\", \"0.85\", \"0.80\"", path);
}

const char *const pcrm__contract_term_names[PCRM__CONTRACT_TERM_COUNT + 1] = {
	"contract_capacity_kva", "contract_demand_kw", "pf_standard", "supply_start", "supply_end",
	"basic_mode", NULL
};

/* A stored capacity or demand: a decimal above 0 (zero is stored as absent). */
static int parse_term(const char *field, const char *text, pcrm_decimal *out)
{
	if (text && (pcrm_decimal_parse(text, out) != PCRM_OK || pcrm_decimal_sign(*out) <= 0))
		return pcrm__error(PCRM_ESTORE, "stored %s \"%.48s\" is malformed", field, text);
	return PCRM_OK;
}

/* "0.90" -> 90: the archive stores only the three 1983 standards. */
static int parse_pf(const char *text, int *out)
{
	static const int standards[] = { 90, 85, 80 };
	pcrm_decimal d;
	if (!text)
		return PCRM_OK;
	if (pcrm_decimal_parse(text, &d) == PCRM_OK)
		for (size_t i = 0; i < sizeof(standards) / sizeof(standards[0]); i++)
			if (pcrm_decimal_cmp(d, pcrm_decimal_make(standards[i], 2)) == 0) {
				*out = standards[i];
				return PCRM_OK;
			}
	return pcrm__error(PCRM_ESTORE, "stored pf_standard \"%.48s\" is not 0.90, 0.85 or 0.80",
	                   text);
}

static int parse_date(const char *field, const char *text, pcrm_date *out)
{
	if (text && pcrm_date_parse(text, out) != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "stored %s \"%.16s\" is malformed", field, text);
	return PCRM_OK;
}

static int parse_mode(const char *text, int *out)
{
	for (int i = 0; text && basic_modes[i]; i++)
		if (strcmp(text, basic_modes[i]) == 0) {
			*out = i + 1; /* PCRM_BASIC_MODE_CAPACITY .. */
			return PCRM_OK;
		}
	if (!text)
		return PCRM_OK;
	return pcrm__error(PCRM_ESTORE, "stored basic_mode \"%.32s\" is not a mode", text);
}

int pcrm__contract_terms_parse(const char *const text[PCRM__CONTRACT_TERM_COUNT],
                               pcrm_contract_terms *out)
{
	int rc;
	memset(out, 0, sizeof(*out));
	out->version = PCRM_CONTRACT_TERMS_VERSION;
	rc = parse_term(pcrm__contract_term_names[0], text[0], &out->contract_capacity_kva);
	if (rc == PCRM_OK)
		rc = parse_term(pcrm__contract_term_names[1], text[1], &out->contract_demand_kw);
	if (rc == PCRM_OK)
		rc = parse_pf(text[2], &out->pf_standard);
	if (rc == PCRM_OK)
		rc = parse_date(pcrm__contract_term_names[3], text[3], &out->supply_start);
	if (rc == PCRM_OK)
		rc = parse_date(pcrm__contract_term_names[4], text[4], &out->supply_end);
	if (rc == PCRM_OK)
		rc = parse_mode(text[5], &out->basic_mode);
	return rc;
}

static int check_date(const char *path, const json_t *v)
{
	pcrm_date d;
	if (!json_is_string(v) || json_string_length(v) != 10 ||
	    pcrm_date_parse(json_string_value(v), &d) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: must be a date \"YYYY-MM-DD\"", path);
	return PCRM_OK;
}

static int check_field(const struct field_rule *r, json_t *v)
{
	switch (r->type) {
	case F_CODE: return check_chars(r->name, v, r->min, r->max, 0);
	case F_TEXT: return check_text(r->name, v, r->min, r->max);
	case F_ENUM: return check_enum(r->name, v, r->values);
	case F_DIGITS: return check_chars(r->name, v, r->min, r->max, 1);
	case F_QUANTITY: return check_quantity(r->name, v);
	case F_PF_STANDARD: return check_pf_standard(r->name, v);
	case F_DATE: return check_date(r->name, v);
	}
	return PCRM_OK;
}

static const struct field_rule *find_rule(const struct field_rule *rules, const char *name)
{
	for (; rules->name; rules++)
		if (strcmp(rules->name, name) == 0)
			return rules;
	return NULL;
}

/* The table-driven part shared by accounts and metering points. */
/*
 * `kept` (or NULL) names a field left as stored, not checked again: what the
 * archive wrote in its place (a sealed value's mask) is not input.
 */
static int check_fields(const char *what, const struct field_rule *rules, json_t *doc, int patch,
                        const char *kept)
{
	const char *key;
	json_t *v;
	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "%s: must be a JSON object", what);
	json_object_foreach(doc, key, v) {
		const struct field_rule *r = find_rule(rules, key);
		int rc;
		if (kept && strcmp(key, kept) == 0)
			continue;
		if (!r)
			return pcrm__error(PCRM_EINVAL, "%s: unknown field", key);
		if (json_is_null(v)) {
			if (patch && !r->required)
				continue;
			return pcrm__error(PCRM_EINVAL, "%s: must not be null", key);
		}
		rc = check_field(r, v);
		if (rc != PCRM_OK)
			return rc;
	}
	if (patch)
		return PCRM_OK;
	/* the one default, documented: a new account or point is active */
	if (!json_object_get(doc, "status"))
		json_object_set_new(doc, "status", json_string("active"));
	for (; rules->name; rules++)
		if (rules->required && !json_object_get(doc, rules->name))
			return pcrm__error(PCRM_EINVAL, "%s: is required", rules->name);
	return PCRM_OK;
}

static int check_account(json_t *doc, int patch, const char *kept)
{
	const char *method, *start, *end;
	int bank, rc = check_fields("account", account_rules, doc, patch, kept);
	if (rc != PCRM_OK || patch)
		return rc;
	/* ISO dates compare as text */
	start = json_string_value(json_object_get(doc, "supply_start"));
	end = json_string_value(json_object_get(doc, "supply_end"));
	if (start && end && strcmp(end, start) < 0)
		return pcrm__error(PCRM_EINVAL, "supply_end: %s lies before supply_start %s", end, start);
	/* Bank collection needs the bank and the account it debits; other methods have none. */
	method = json_string_value(json_object_get(doc, "payment_method"));
	bank = strcmp(method, "bank_collection") == 0;
	if (bank && !json_object_get(doc, "bank"))
		return pcrm__error(PCRM_EINVAL, "bank: is required for payment_method bank_collection");
	if (bank && !json_object_get(doc, "bank_account"))
		return pcrm__error(PCRM_EINVAL,
		                   "bank_account: is required for payment_method bank_collection");
	if (!bank && json_object_get(doc, "bank"))
		return pcrm__error(PCRM_EINVAL, "bank: only for payment_method bank_collection, not %s",
		                   method);
	if (!bank && json_object_get(doc, "bank_account"))
		return pcrm__error(PCRM_EINVAL,
		                   "bank_account: only for payment_method bank_collection, not %s", method);
	return PCRM_OK;
}

int pcrm__account_doc_check(json_t *doc, int patch)
{
	return check_account(doc, patch, NULL);
}

/*
 * A stored bank account number is a mask (its digits sealed, migration 28):
 * an update that leaves it alone keeps it, so it is not checked as digits.
 * A number the patch sets, or one stored in clear before migration 28, is.
 */
int pcrm__account_merged_check(json_t *doc, const json_t *patch)
{
	const char *acct = json_string_value(json_object_get(doc, "bank_account"));
	int kept = acct && !json_object_get(patch, "bank_account") && pcrm__bank_account_is_mask(acct);
	return check_account(doc, 0, kept ? "bank_account" : NULL);
}

int pcrm__metering_point_doc_check(json_t *doc, int patch)
{
	return check_fields("metering point", point_rules, doc, patch, NULL);
}

int pcrm__doc_merge(json_t *doc, const json_t *patch, int (*check)(json_t *, int),
                    int (*merged_check)(json_t *, const json_t *))
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)patch, key, v) {
		if (json_is_null(v))
			json_object_del(doc, key);
		else
			json_object_set(doc, key, v);
	}
	return merged_check ? merged_check(doc, patch) : check(doc, 0);
}

int pcrm__metering_parse_json(const char *what, const char *text, json_t **out)
{
	json_error_t err;
	*out = NULL;
	if (!text)
		return pcrm__error(PCRM_EINVAL, "%s: missing", what);
	*out = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!*out)
		return pcrm__error(PCRM_EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
		                   err.line, err.column, pcrm__json_error_text(&err));
	return PCRM_OK;
}

/* ---- decimals and readings ---- */

int pcrm__reading_value_check(const char *path, pcrm_decimal value, int digits)
{
	char text[PCRM_DECIMAL_STRING_MAX];
	if (value.scale < 0 || value.scale > PCRM_DECIMAL_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: scale %d is outside 0..%d", path, value.scale,
		                   PCRM_DECIMAL_MAX_SCALE);
	pcrm_decimal_format(value, text, sizeof(text));
	if (value.scale > PCRM__READING_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: %s has more than %d decimals", path, text,
		                   PCRM__READING_MAX_SCALE);
	if (pcrm_decimal_sign(value) < 0)
		return pcrm__error(PCRM_EINVAL, "%s: %s is negative", path, text);
	if (pcrm_decimal_cmp(value, pcrm_decimal_from_int(pcrm__pow10(digits))) >= 0)
		return pcrm__error(PCRM_EINVAL, "%s: %s does not fit a display of %d digits", path, text,
		                   digits);
	return PCRM_OK;
}

/* Parses a decimal string and writes it back canonical. */
static int check_decimal(const char *path, json_t *v, int max_scale, pcrm_decimal *out)
{
	char text[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal d;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a decimal string like \"12.5\" (not a JSON "
		                                "number)", path);
	/* the length form: an embedded NUL is a bad character, not the end */
	if (pcrm_decimal_parse_n(json_string_value(v), json_string_length(v), &d) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: %s", path, pcrm_error_last());
	if (d.scale > max_scale)
		return pcrm__error(PCRM_EINVAL, "%s: at most %d decimals", path, max_scale);
	pcrm_decimal_format(d, text, sizeof(text));
	json_string_set(v, text);
	*out = d;
	return PCRM_OK;
}

/* A set of register names: its members, with the path of each in errors. */
static int check_registers(const json_t *v, unsigned int *set)
{
	char path[48];
	size_t i;
	json_t *name;
	*set = 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return pcrm__error(PCRM_EINVAL, "registers: must be a non-empty array of register names");
	json_array_foreach(v, i, name) {
		pcrm_register reg;
		snprintf(path, sizeof(path), "registers[%zu]", i);
		if (!json_is_string(name) || pcrm_register_parse(json_string_value(name), &reg) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "%s: must be one of " REGISTER_LIST, path);
		if (*set & PCRM_REGISTER_BIT(reg))
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" appears twice", path,
			                   pcrm_register_name(reg));
		*set |= PCRM_REGISTER_BIT(reg);
	}
	return PCRM_OK;
}

/*
 * An object of register -> reading.  `allowed` limits the keys; the demand
 * register is refused when `demand_ok` is 0.  Values are checked against a
 * display of `digits` digits (0: the largest display).
 */
static int check_readings(const char *what, json_t *v, unsigned int allowed, int demand_ok,
                          int digits, pcrm_decimal *values, unsigned int *given)
{
	char path[80];
	const char *key;
	json_t *value;
	*given = 0;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object of register: \"reading\"", what);
	json_object_foreach(v, key, value) {
		pcrm_register reg;
		int rc;
		snprintf(path, sizeof(path), "%s.%.32s", what, key);
		if (pcrm_register_parse(key, &reg) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "%s: not a register (" REGISTER_LIST ")", path);
		if (!(allowed & PCRM_REGISTER_BIT(reg)))
			return pcrm__error(PCRM_EINVAL, "%s: not one of the meter's registers", path);
		if (reg == PCRM_REGISTER_MAX_DEMAND && !demand_ok)
			return pcrm__error(PCRM_EINVAL, "%s: the demand register has no initial reading",
			                   path);
		rc = check_decimal(path, value, PCRM__READING_MAX_SCALE, &values[reg]);
		/* without the meter's display size, the largest any display has */
		if (rc == PCRM_OK)
			rc = pcrm__reading_value_check(path, values[reg],
			                               digits > 0 ? digits : PCRM__DIGITS_MAX);
		if (rc != PCRM_OK)
			return rc;
		*given |= PCRM_REGISTER_BIT(reg);
	}
	return PCRM_OK;
}

static int only_known(const json_t *doc, const char *const *names)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)doc, key, v) {
		const char *const *n = names;
		while (*n && strcmp(*n, key) != 0)
			n++;
		if (!*n)
			return pcrm__error(PCRM_EINVAL, "%s: unknown field", key);
	}
	return PCRM_OK;
}

static int check_multiplier(json_t *v, pcrm_decimal *out)
{
	int rc;
	if (!v)
		return pcrm__error(PCRM_EINVAL, "multiplier: is required");
	rc = check_decimal("multiplier", v, PCRM__MULTIPLIER_MAX_SCALE, out);
	if (rc != PCRM_OK)
		return rc;
	if (pcrm_decimal_sign(*out) <= 0)
		return pcrm__error(PCRM_EINVAL, "multiplier: must be greater than 0");
	/* far above any CT x PT ratio, and keeps reading x multiplier inside 64 bits */
	if (pcrm_decimal_cmp(*out, pcrm_decimal_from_int(1000000000)) >= 0)
		return pcrm__error(PCRM_EINVAL, "multiplier: must be below 1000000000");
	return PCRM_OK;
}

static int check_digits(const json_t *v, int *out)
{
	json_int_t n;
	if (!v)
		return pcrm__error(PCRM_EINVAL, "digits: is required");
	if (!json_is_integer(v))
		return pcrm__error(PCRM_EINVAL, "digits: must be an integer");
	n = json_integer_value(v);
	if (n < 1 || n > PCRM__DIGITS_MAX)
		return pcrm__error(PCRM_EINVAL, "digits: %lld is outside 1..%d", (long long)n,
		                   PCRM__DIGITS_MAX);
	*out = (int)n;
	return PCRM_OK;
}

/* Every cumulative register of the meter has its initial reading. */
static int initial_complete(unsigned int registers, unsigned int given)
{
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND; i++) {
		pcrm_register reg = (pcrm_register)i;
		if (pcrm_register_is_cumulative(reg) && (registers & PCRM_REGISTER_BIT(reg)) &&
		    !(given & PCRM_REGISTER_BIT(reg)))
			return pcrm__error(PCRM_EINVAL, "initial_readings.%s: missing",
			                   pcrm_register_name(reg));
	}
	return PCRM_OK;
}

int pcrm__meter_doc_check(json_t *doc, struct pcrm__meter_spec *out)
{
	static const char *const fields[] = { "meter_no", "type", "model", "multiplier", "digits",
		                              "registers", "initial_readings", NULL };
	unsigned int given = 0;
	json_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "meter: must be a JSON object");
	rc = only_known(doc, fields);
	if (rc == PCRM_OK && !(v = json_object_get(doc, "meter_no")))
		rc = pcrm__error(PCRM_EINVAL, "meter_no: is required");
	if (rc == PCRM_OK)
		rc = check_chars("meter_no", v, 1, PCRM__CODE_MAX, 0);
	if (rc == PCRM_OK && !(v = json_object_get(doc, "type")))
		rc = pcrm__error(PCRM_EINVAL, "type: is required");
	if (rc == PCRM_OK)
		rc = check_enum("type", v, meter_types);
	if (rc == PCRM_OK && (v = json_object_get(doc, "model")) != NULL)
		rc = check_text("model", v, 1, 64);
	if (rc == PCRM_OK)
		rc = check_multiplier(json_object_get(doc, "multiplier"), &out->multiplier);
	if (rc == PCRM_OK)
		rc = check_digits(json_object_get(doc, "digits"), &out->digits);
	if (rc == PCRM_OK && !(v = json_object_get(doc, "registers")))
		rc = pcrm__error(PCRM_EINVAL, "registers: is required");
	if (rc == PCRM_OK)
		rc = check_registers(v, &out->registers);
	/* absent is fine for a demand-only meter; otherwise initial_complete() names the gap */
	v = json_object_get(doc, "initial_readings");
	if (rc == PCRM_OK && v)
		rc = check_readings("initial_readings", v, out->registers, 0, out->digits, out->initial,
		                    &given);
	if (rc == PCRM_OK)
		rc = initial_complete(out->registers, given);
	if (rc != PCRM_OK)
		return rc;
	out->meter_no = json_string_value(json_object_get(doc, "meter_no"));
	out->type = json_string_value(json_object_get(doc, "type"));
	return PCRM_OK;
}

int pcrm__removal_doc_check(json_t *doc, struct pcrm__removal_spec *out)
{
	static const char *const fields[] = { "reason", "note", "final_readings", NULL };
	json_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "removal: must be a JSON object");
	rc = only_known(doc, fields);
	if (rc == PCRM_OK && !(v = json_object_get(doc, "reason")))
		rc = pcrm__error(PCRM_EINVAL, "reason: is required");
	if (rc == PCRM_OK)
		rc = check_enum("reason", v, reasons);
	if (rc == PCRM_OK && (v = json_object_get(doc, "note")) != NULL)
		rc = check_text("note", v, 1, 500);
	if (rc == PCRM_OK && !(v = json_object_get(doc, "final_readings")))
		rc = pcrm__error(PCRM_EINVAL, "final_readings: is required");
	/* which registers the meter has is known only to the caller: allow every one here */
	if (rc == PCRM_OK)
		rc = check_readings("final_readings", v, ~0u, 1, 0, out->final, &out->given);
	if (rc == PCRM_OK)
		out->reason = json_string_value(json_object_get(doc, "reason"));
	return rc;
}
