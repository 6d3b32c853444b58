/*
 * Fuzz target for the agent desktop's request parsing
 * (examples/desktop/request.c): JSON bodies against the field lists the
 * endpoints use, the query's customer number, the session cookie's token,
 * Last-Event-ID and the fixed choices (states, queues).  The input is fed
 * whole to each parser.
 *
 * Invariants: an accepted body is an object holding only listed fields,
 * every required one, each a non-empty string within its limit, and the
 * values handed back are those strings; a refused one is a 400 with a
 * reason id and a message in printable ASCII that quotes nothing from the
 * body (no quote characters: jansson's "near '...'" is cut) except an
 * unknown key shaped like a field name.  The small
 * parsers accept exactly their documented alphabets and lengths, and
 * answer the same twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_desktop_request.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_refusal(const struct desk_refusal *why)
{
	require(why->http == 400);
	require(why->id[0] != '\0');
	require(why->message[0] != '\0');
	for (const char *p = why->message; *p; p++)
		require((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	require(!strchr(why->message, '\'') && !strchr(why->message, '"'));
	/* the only text from a request in a refusal: an unknown key shaped like a field name */
	if (strcmp(why->id, "json.unknown_key") == 0 && strcmp(why->field, "request body") != 0) {
		size_t n = strlen(why->field);
		require(n > 0 && n <= 64 && !(why->field[0] >= '0' && why->field[0] <= '9'));
		require(strspn(why->field, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n);
	}
}

/* The endpoints' field lists (api.c, http.c's log-in). */
static const struct desk_field state_fields[] = { { "state", 1, 32 }, { "reason", 0, 32 },
	                                          { NULL, 0, 0 } };
static const struct desk_field contact_fields[] = { { "customer_no", 1, 32 }, { "summary", 1, 1000 },
	                                            { "business_code", 0, 32 }, { NULL, 0, 0 } };
static const struct desk_field force_fields[] = { { "agent_id", 1, 64 }, { "state", 1, 32 },
	                                          { "reason", 0, 32 }, { NULL, 0, 0 } };
static const struct desk_field login_fields[] = { { "agent_id", 1, 64 }, { "password", 1, 1024 },
	                                          { NULL, 0, 0 } };

static void check_body(const uint8_t *data, size_t size, const struct desk_field *fields)
{
	const char *values[8], *again[8];
	struct desk_refusal why, why2;
	json_t *o = desk_parse_body((const char *)data, size, fields, values, &why);
	json_t *o2 = desk_parse_body((const char *)data, size, fields, again, &why2);
	require((o == NULL) == (o2 == NULL));
	if (!o) {
		check_refusal(&why);
		require(strcmp(why.id, why2.id) == 0 && strcmp(why.message, why2.message) == 0);
		return;
	}
	require(json_is_object(o));
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		int listed = 0;
		for (const struct desk_field *f = fields; f->name; f++)
			listed |= strcmp(f->name, key) == 0;
		require(listed);
	}
	for (size_t i = 0; fields[i].name; i++) {
		v = json_object_get(o, fields[i].name);
		require(v || !fields[i].required);
		if (!v) {
			require(strcmp(values[i], "") == 0);
			continue;
		}
		require(json_is_string(v) && values[i] == json_string_value(v));
		require(strlen(values[i]) > 0 && strlen(values[i]) <= fields[i].max);
		require(strcmp(values[i], again[i]) == 0);
	}
	json_decref(o);
	json_decref(o2);
}

static void check_customer_no(const char *text)
{
	static const char alphabet[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.";
	struct desk_refusal why;
	size_t n = strlen(text);
	int ok = n >= 1 && n <= 32;
	for (size_t i = 0; ok && i < n; i++)
		ok = strchr(alphabet, text[i]) != NULL;
	int rc = desk_parse_customer_no(text, &why);
	require((rc == 0) == ok);
	if (rc != 0)
		check_refusal(&why);
}

static void check_token(const char *text)
{
	size_t n = strlen(text);
	int ok = n == 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
	require(desk_token_well_formed(text) == ok);
}

static void check_event_id(const char *text)
{
	uint64_t v = desk_parse_event_id(text);
	size_t n = strlen(text);
	if (v == 0)
		return;
	/* only plain digit strings of at most 19 digits give a value, and it prints back the same */
	require(n <= 19 && strspn(text, "0123456789") == n);
	const char *digits = text;
	while (*digits == '0')
		digits++;
	char back[32];
	snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
	require(strcmp(back, digits) == 0);
}

static void check_choice(const char *text)
{
	static const char *const queues[] = { "billing", "repair", "general", NULL };
	struct desk_refusal why;
	int i = desk_parse_choice(text, queues, "queue", &why);
	if (i >= 0) {
		require(i < 3 && strcmp(queues[i], text) == 0);
		return;
	}
	require(i == -1);
	check_refusal(&why);
	require(strcmp(why.id, "desktop.queue") == 0 && strcmp(why.field, "queue") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_body(data, size, state_fields);
	check_body(data, size, contact_fields);
	check_body(data, size, force_fields);
	check_body(data, size, login_fields);

	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_customer_no(text);
	check_token(text);
	check_event_id(text);
	check_choice(text);
	free(text);
	return 0;
}
