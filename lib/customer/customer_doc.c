/*
 * The customer document: every field's rules in one table, so create,
 * update and import validate identically and errors name the field.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/text_check.h"
#include "customer_internal.h"

enum field_type { F_CODE, F_TEXT, F_ENUM, F_BOOL, F_INT, F_GROUPS, F_ADDRESSES, F_PHONES, F_EMAIL,
	          F_ID };

struct field_rule {
	const char *name;
	enum field_type type;
	int required;        /* must be present after create defaults */
	int max;             /* text length in bytes, or max integer */
	int min;             /* min integer */
	const char *const *values; /* enum values */
};

static const char *const kinds[] = { "person", "organisation", NULL };
static const char *const usage_classes[] = { "residential", "general_commercial_industrial",
	                                     "large_industry", "agriculture", "other", NULL };
static const char *const voltage_levels[] = { "220V", "380V", "10kV", "20kV", "35kV", "66kV",
	                                      "110kV", "220kV", "330kV", "500kV", NULL };
static const char *const statuses[] = { "applying", "active", "suspended", "closed", NULL };
static const char *const channels[] = { "sms", "phone", "email", "wechat", "mail", NULL };
static const char *const address_kinds[] = { "supply", "mailing", "billing", NULL };

static const struct field_rule rules[] = {
	{ "customer_no", F_CODE, 1, PCRM__CUSTOMER_NO_MAX, 0, NULL },
	{ "kind", F_ENUM, 1, 0, 0, kinds },
	{ "name", F_TEXT, 1, 200, 0, NULL },
	{ "customer_type", F_TEXT, 0, 64, 0, NULL },
	{ "groups", F_GROUPS, 0, 64, 0, NULL },
	{ "usage_class", F_ENUM, 1, 0, 0, usage_classes },
	{ "voltage_level", F_ENUM, 1, 0, 0, voltage_levels },
	{ "org_unit", F_CODE, 1, 32, 0, NULL },
	{ "status", F_ENUM, 1, 0, 0, statuses },
	{ "registered", F_BOOL, 1, 0, 0, NULL },
	{ "vip_level", F_INT, 1, 5, 0, NULL },
	{ "account_manager", F_TEXT, 0, 64, 0, NULL },
	{ "transformer_area", F_TEXT, 0, 64, 0, NULL },
	{ "feeder", F_TEXT, 0, 64, 0, NULL },
	{ "addresses", F_ADDRESSES, 0, 300, 0, NULL },
	{ "phones", F_PHONES, 0, 0, 0, NULL },
	{ "email", F_EMAIL, 0, 254, 0, NULL },
	{ "preferred_channel", F_ENUM, 0, 0, 0, channels },
	{ "household_size", F_INT, 0, 50, 1, NULL },
	{ "low_income", F_BOOL, 1, 0, 0, NULL },
	{ "id_number", F_ID, 0, 18, 0, NULL },
};

#define RULE_COUNT (sizeof(rules) / sizeof(rules[0]))
#define MAX_GROUPS 32
#define MAX_ADDRESSES 8

static const struct field_rule *find_rule(const char *name)
{
	for (size_t i = 0; i < RULE_COUNT; i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

static int check_text(const char *path, const json_t *v, int max)
{
	const char *s;
	size_t n;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a string", path);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > (size_t)max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes", path, max);
	return pcrm__text_check(path, s, n, 0);
}

static int check_code(const char *path, const json_t *v, int max)
{
	const char *s;
	int rc = check_text(path, v, max);
	if (rc != PCRM_OK)
		return rc;
	for (s = json_string_value(v); *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return pcrm__error(PCRM_EINVAL, "%s: '%c' is not allowed (letters, digits, - _ .)",
			                   path, *s);
	return PCRM_OK;
}

static int check_enum(const char *path, const json_t *v, const char *const *values)
{
	if (json_is_string(v))
		for (const char *const *e = values; *e; e++)
			if (strcmp(*e, json_string_value(v)) == 0)
				return PCRM_OK;
	{
		char list[256] = "";
		for (const char *const *e = values; *e; e++) {
			strncat(list, *e, sizeof(list) - strlen(list) - 3);
			if (e[1])
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		}
		return pcrm__error(PCRM_EINVAL, "%s: must be one of %s", path, list);
	}
}

static int check_int(const char *path, const json_t *v, int min, int max)
{
	json_int_t i;
	if (!json_is_integer(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an integer", path);
	i = json_integer_value(v);
	if (i < min || i > max)
		return pcrm__error(PCRM_EINVAL, "%s: %lld is outside %d..%d", path, (long long)i, min, max);
	return PCRM_OK;
}

static int check_groups(const json_t *v)
{
	char path[64];
	size_t i;
	json_t *g;
	if (!json_is_array(v) || json_array_size(v) > MAX_GROUPS)
		return pcrm__error(PCRM_EINVAL, "groups: must be an array of at most %d names", MAX_GROUPS);
	json_array_foreach(v, i, g) {
		int rc;
		snprintf(path, sizeof(path), "groups[%zu]", i);
		rc = check_text(path, g, 64);
		if (rc != PCRM_OK)
			return rc;
	}
	return PCRM_OK;
}

static int check_address(size_t i, json_t *a)
{
	char path[64];
	const char *key;
	json_t *v;
	int rc;
	snprintf(path, sizeof(path), "addresses[%zu]", i);
	if (!json_is_object(a))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	json_object_foreach(a, key, v) {
		if (strcmp(key, "kind") && strcmp(key, "text") && strcmp(key, "postcode"))
			return pcrm__error(PCRM_EINVAL, "%s.%s: unknown field", path, key);
	}
	snprintf(path, sizeof(path), "addresses[%zu].kind", i);
	rc = check_enum(path, json_object_get(a, "kind"), address_kinds);
	if (rc == PCRM_OK) {
		snprintf(path, sizeof(path), "addresses[%zu].text", i);
		rc = check_text(path, json_object_get(a, "text"), 300);
	}
	if (rc == PCRM_OK && (v = json_object_get(a, "postcode")) != NULL) {
		const char *s = json_string_value(v);
		snprintf(path, sizeof(path), "addresses[%zu].postcode", i);
		if (!s || strlen(s) != 6 || strspn(s, "0123456789") != 6)
			rc = pcrm__error(PCRM_EINVAL, "%s: must be 6 digits", path);
	}
	return rc;
}

static int check_addresses(json_t *v)
{
	size_t i;
	json_t *a;
	if (!json_is_array(v) || json_array_size(v) > MAX_ADDRESSES)
		return pcrm__error(PCRM_EINVAL, "addresses: must be an array of at most %d addresses",
		                   MAX_ADDRESSES);
	json_array_foreach(v, i, a) {
		int rc = check_address(i, a);
		if (rc != PCRM_OK)
			return rc;
	}
	return PCRM_OK;
}

/* Phones are stored normalised: the screen pop compares normalised numbers. */
static int check_phones(json_t *v)
{
	const char *key;
	json_t *num;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "phones: must be an object");
	json_object_foreach(v, key, num) {
		char norm[PCRM_PHONE_MAX];
		int rc;
		if (strcmp(key, "landline") && strcmp(key, "mobile") && strcmp(key, "fax"))
			return pcrm__error(PCRM_EINVAL, "phones.%s: unknown kind (landline, mobile, fax)",
			                   key);
		if (!json_is_string(num))
			return pcrm__error(PCRM_EINVAL, "phones.%s: must be a string", key);
		rc = pcrm_phone_normalize(json_string_value(num), norm, sizeof(norm));
		if (rc != PCRM_OK) {
			pcrm__error_prefix("phones.%s", key);
			return rc;
		}
		if (strcmp(key, "mobile") == 0 && norm[0] != '1')
			return pcrm__error(PCRM_EINVAL, "phones.mobile: is a landline number");
		json_string_set(num, norm);
	}
	return PCRM_OK;
}

static int check_email(const json_t *v)
{
	const char *s, *at;
	int rc = check_text("email", v, 254);
	if (rc != PCRM_OK)
		return rc;
	s = json_string_value(v);
	at = strchr(s, '@');
	if (!at || at == s || !strchr(at, '.') || strchr(at + 1, '@') || strchr(s, ' '))
		return pcrm__error(PCRM_EINVAL, "email: is not an e-mail address (name@domain)");
	return PCRM_OK;
}

static int check_field(const struct field_rule *r, json_t *v)
{
	switch (r->type) {
	case F_CODE: return check_code(r->name, v, r->max);
	case F_TEXT: return check_text(r->name, v, r->max);
	case F_ENUM: return check_enum(r->name, v, r->values);
	case F_BOOL:
		return json_is_boolean(v) ? PCRM_OK :
		                            pcrm__error(PCRM_EINVAL, "%s: must be true or false", r->name);
	case F_INT: return check_int(r->name, v, r->min, r->max);
	case F_GROUPS: return check_groups(v);
	case F_ADDRESSES: return check_addresses(v);
	case F_PHONES: return check_phones(v);
	case F_EMAIL: return check_email(v);
	case F_ID: return check_text(r->name, v, r->max);
	}
	return PCRM_OK;
}

static void fill_defaults(json_t *doc)
{
	if (!json_object_get(doc, "status"))
		json_object_set_new(doc, "status", json_string("active"));
	if (!json_object_get(doc, "registered"))
		json_object_set_new(doc, "registered", json_false());
	if (!json_object_get(doc, "vip_level"))
		json_object_set_new(doc, "vip_level", json_integer(0));
	if (!json_object_get(doc, "low_income"))
		json_object_set_new(doc, "low_income", json_false());
}

int pcrm__customer_validate(json_t *doc, int patch)
{
	const char *key;
	json_t *v;
	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "customer: must be a JSON object");
	json_object_foreach(doc, key, v) {
		const struct field_rule *r = find_rule(key);
		int rc;
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
	fill_defaults(doc);
	for (size_t i = 0; i < RULE_COUNT; i++)
		if (rules[i].required && !json_object_get(doc, rules[i].name))
			return pcrm__error(PCRM_EINVAL, "%s: is required", rules[i].name);
	v = json_object_get(doc, "id_number");
	if (v)
		return pcrm__id_number_check(json_string_value(json_object_get(doc, "kind")),
		                             json_string_value(v));
	return PCRM_OK;
}

int pcrm__customer_merge(json_t *doc, const json_t *patch)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)patch, key, v) {
		if (json_is_null(v))
			json_object_del(doc, key);
		else
			json_object_set(doc, key, v);
	}
	return pcrm__customer_validate(doc, 0);
}

/* GB 11643-1999: weights 2^(17-i) mod 11, check digit table "10X98765432". */
static int resident_id_ok(const char *id)
{
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;
	if (strlen(id) != 18 || strspn(id, "0123456789") < 17)
		return 0;
	for (int i = 0; i < 17; i++)
		sum += (id[i] - '0') * weights[i];
	return id[17] == check[sum % 11];
}

int pcrm__id_number_check(const char *kind, const char *id)
{
	size_t n = strlen(id);
	if (kind && strcmp(kind, "person") == 0) {
		if (!resident_id_ok(id))
			return pcrm__error(PCRM_EINVAL,
			                   "id_number: not a valid 18-digit resident ID (check digit or "
			                   "length)");
		return PCRM_OK;
	}
	/* organisations: 18-character unified social credit code or the older 9-character code */
	if ((n != 18 && n != 9) || strspn(id, "0123456789ABCDEFGHJKLMNPQRTUWXY") != n)
		return pcrm__error(PCRM_EINVAL,
		                   "id_number: an organisation code has 9 or 18 digits and capital "
		                   "letters");
	return PCRM_OK;
}

void pcrm__id_number_mask(const char *id, char *out)
{
	size_t n = strlen(id);
	for (size_t i = 0; i < n; i++)
		out[i] = (i < 4 || i + 4 >= n) ? id[i] : '*';
	out[n] = '\0';
}

int64_t pcrm__customer_household_size(const json_t *doc)
{
	const json_t *v = json_object_get(doc, "household_size");
	return json_is_integer(v) ? json_integer_value(v) : 1;
}

int64_t pcrm__customer_low_income(const json_t *doc)
{
	return json_is_true(json_object_get(doc, "low_income"));
}
