/*
 * Parsing what a request brings from outside: JSON bodies, the query's
 * customer number, the session cookie's token, Last-Event-ID, and the fixed
 * vocabularies (queues, agent states).  Pure functions over bytes (jansson
 * and libc only, no service state), so that the fuzz target
 * (tests/fuzz/fuzz_desktop_request.c) links exactly the code the service
 * runs.
 *
 * A refusal fills a desk_refusal: the HTTP status, a reason id
 * (json.malformed, json.wrong_type, json.missing, json.unknown_key,
 * desktop.*), the field it concerns and a message that names the field or
 * JSON position but never quotes a value from the request (a body may hold
 * personal data).
 */
#ifndef DESKTOP_REQUEST_H
#define DESKTOP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct desk_refusal {
	int http;
	char id[48];                     /* the reason id */
	char field[72];
	char message[200];
};

/* One member of a body: its name, whether it must be there, its longest length in bytes. */
struct desk_field {
	const char *name;
	int required;
	size_t max;
};

/*
 * The body as a JSON object whose members are all in `fields` (a list ended
 * by a NULL name), each a non-empty string of at most `max` bytes; the
 * required ones present.  values[i] is fields[i]'s string ("" when an
 * optional one is absent), living as long as the returned object (the
 * caller decrefs it).  NULL with *why filled otherwise.
 */
json_t *desk_parse_body(const char *body, size_t len, const struct desk_field *fields,
                        const char **values, struct desk_refusal *why);

/* A customer number from the query: 1..32 ASCII letters, digits, - _ . (docs/customers.md).  0 or -1 with *why. */
int desk_parse_customer_no(const char *text, struct desk_refusal *why);

/* A session or CSRF token: exactly 64 lowercase hex digits.  1 when it is one. */
int desk_token_well_formed(const char *text);

/* Last-Event-ID: decimal digits only, at most 19 (no overflow); else 0 (from the start). */
uint64_t desk_parse_event_id(const char *text);

/* The index of `text` in `names` (ended by NULL), or -1 with *why naming `field`
 * (reason id desktop.<field>). */
int desk_parse_choice(const char *text, const char *const *names, const char *field,
                      struct desk_refusal *why);

#endif
