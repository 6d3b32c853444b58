/*
 * Parsing of outside input (request.h).  Everything here is a pure function
 * of its arguments: the fuzz target runs it on arbitrary bytes.
 */
#include <stdio.h>
#include <string.h>

#include "request.h"

#define IDENT "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

static void refuse(struct desk_refusal *why, int http, const char *id, const char *field,
                   const char *what)
{
	why->http = http;
	snprintf(why->id, sizeof(why->id), "%s", id);
	snprintf(why->field, sizeof(why->field), "%.64s", field);
	snprintf(why->message, sizeof(why->message), "%.64s%s%s", field, *field ? ": " : "", what);
}

/*
 * jansson's text can quote the bytes near the error ("... near 'abc'"),
 * which may be personal data: keep the position and the kind of error only.
 */
static void malformed(struct desk_refusal *why, const json_error_t *jerr)
{
	char text[JSON_ERROR_TEXT_LENGTH];
	snprintf(text, sizeof(text), "%s", jerr->text);
	char *near = strstr(text, " near");
	if (near)
		*near = '\0';
	for (char *p = text; *p; p++)
		if (*p == '\'' || *p == '"' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	why->http = 400;
	snprintf(why->id, sizeof(why->id), "json.malformed");
	why->field[0] = '\0';
	snprintf(why->message, sizeof(why->message), "request body: line %d column %d: %.120s",
	         jerr->line, jerr->column, text);
}

json_t *desk_parse_body(const char *body, size_t len, const struct desk_field *fields,
                        const char **values, struct desk_refusal *why)
{
	json_error_t jerr;
	json_t *o = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		malformed(why, &jerr);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		refuse(why, 400, "json.wrong_type", "request body", "must be a JSON object");
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		int known = 0;
		for (const struct desk_field *f = fields; f->name && !known; f++)
			known = strcmp(f->name, key) == 0;
		if (!known) {
			/*
			 * The key is named when it looks like a field name (a letter or '_',
			 * then letters, digits, '_'; at most 64): a key of any other shape
			 * (a phone number, say) may be personal data and is not echoed.
			 */
			size_t n = strlen(key);
			int named = n > 0 && n <= 64 && strspn(key, IDENT) == n && !(key[0] >= '0' && key[0] <= '9');
			const char *name = named ? key : "request body";
			refuse(why, 400, "json.unknown_key", name,
			       named ? "unknown field" : "a field with an unexpected name");
			json_decref(o); /* after: `name` may be the key, which the object owns */
			return NULL;
		}
	}
	for (size_t i = 0; fields[i].name; i++) {
		v = json_object_get(o, fields[i].name);
		values[i] = "";
		if (!v) {
			if (fields[i].required) {
				json_decref(o);
				refuse(why, 400, "json.missing", fields[i].name, "missing");
				return NULL;
			}
			continue;
		}
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > fields[i].max ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			json_decref(o);
			refuse(why, 400, "json.wrong_type", fields[i].name,
			       "must be a non-empty string within the length limit");
			return NULL;
		}
		values[i] = json_string_value(v);
	}
	return o;
}

int desk_parse_customer_no(const char *text, struct desk_refusal *why)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0) {
		refuse(why, 400, "json.missing", "customer_no", "missing");
		return -1;
	}
	if (n > 32 ||
	    strspn(text, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.") != n) {
		refuse(why, 400, "desktop.customer_no", "customer_no",
		       "1 to 32 letters, digits, - _ or .");
		return -1;
	}
	return 0;
}

int desk_token_well_formed(const char *text)
{
	return text && strlen(text) == 64 && strspn(text, "0123456789abcdef") == 64;
}

uint64_t desk_parse_event_id(const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0 || n > 19 || strspn(text, "0123456789") != n)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(text[i] - '0');
	return v;
}

int desk_parse_choice(const char *text, const char *const *names, const char *field,
                      struct desk_refusal *why)
{
	for (int i = 0; text && names[i]; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	char list[120] = "must be one of ";
	for (int i = 0; names[i]; i++) {
		size_t at = strlen(list);
		snprintf(list + at, sizeof(list) - at, "%s%s", i ? ", " : "", names[i]);
	}
	char id[48];
	snprintf(id, sizeof(id), "desktop.%.30s", field);
	refuse(why, 400, id, field, list);
	return -1;
}
