/*
 * The contact document and the contact object, without any store: the
 * validation that every recorded contact passes (and the fuzz target
 * drives), the immutable object callers read, and its call-log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/customer.h>

#include "contact_internal.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"

enum field_type { F_INSTANT, F_ENUM, F_AGENT, F_PHONE, F_DURATION, F_CODE, F_SUMMARY };

struct field_rule {
	const char *name;
	enum field_type type;
	int required;
	int max; /* bytes of text, or the largest integer */
	const char *const *values;
};

static const char *const channels[] = { "phone", "sms", "wechat", "web", "email", "counter",
	                                "visit", "ivr", "letter", NULL };
static const char *const directions[] = { "inbound", "outbound", NULL };

static const struct field_rule rules[] = {
	{ "at", F_INSTANT, 0, 0, NULL },
	{ "channel", F_ENUM, 1, 0, channels },
	{ "direction", F_ENUM, 1, 0, directions },
	{ "agent", F_AGENT, 0, PCRM__CONTACT_AGENT_MAX, NULL },
	{ "caller_number", F_PHONE, 0, 0, NULL },
	{ "duration_seconds", F_DURATION, 0, PCRM__CONTACT_DURATION_MAX, NULL },
	{ "business_code", F_CODE, 0, PCRM__CONTACT_CODE_MAX, NULL },
	{ "summary", F_SUMMARY, 1, PCRM_CONTACT_SUMMARY_MAX, NULL },
	{ "work_order_id", F_CODE, 0, PCRM__CONTACT_WORK_ORDER_MAX, NULL },
};

#define RULE_COUNT (sizeof(rules) / sizeof(rules[0]))

/* 9999-12-30T00:00:00Z: the latest instant that still formats at every offset (+-18:00). */
#define LATEST_AT ((pcrm_time)2932895 * 86400)

static const struct field_rule *find_rule(const char *name)
{
	for (size_t i = 0; i < RULE_COUNT; i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

static int need_string(const struct field_rule *r, const json_t *v)
{
	return json_is_string(v) ? PCRM_OK : pcrm__error(PCRM_EINVAL, "%s: must be a string", r->name);
}

static int check_length(const struct field_rule *r, size_t n)
{
	if (n == 0 || n > (size_t)r->max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes, not %zu", r->name, r->max, n);
	return PCRM_OK;
}

static int check_instant(const struct field_rule *r, const json_t *v, pcrm_time *at)
{
	int rc = need_string(r, v);
	if (rc == PCRM_OK && (rc = pcrm_time_parse(json_string_value(v), at)) != PCRM_OK) {
		pcrm__error_prefix("%s", r->name);
		return rc;
	}
	if (rc == PCRM_OK && (*at < 0 || *at > LATEST_AT))
		rc = pcrm__error(PCRM_EINVAL,
		                 "%s: \"%.40s\" is outside 1970-01-01T00:00:00Z .. "
		                 "9999-12-30T00:00:00Z",
		                 r->name, json_string_value(v));
	return rc;
}

static int check_enum(const struct field_rule *r, const json_t *v)
{
	char list[128] = "";
	if (json_is_string(v))
		for (const char *const *e = r->values; *e; e++)
			if (strcmp(*e, json_string_value(v)) == 0)
				return PCRM_OK;
	for (const char *const *e = r->values; *e; e++) {
		strncat(list, *e, sizeof(list) - strlen(list) - 1);
		if (e[1])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	return pcrm__error(PCRM_EINVAL, "%s: must be one of %s", r->name, list);
}

/* The same rule as an actor's operator_id, so any actor can be named as the agent. */
static int check_agent(const struct field_rule *r, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	int rc = need_string(r, v);
	if (rc == PCRM_OK)
		rc = check_length(r, n);
	return rc == PCRM_OK ? pcrm__text_check(r->name, s, n, 0) : rc;
}

/* Stored normalised, so a contact's number matches the customer's phones and the screen pop. */
static int check_phone(const struct field_rule *r, json_t *v)
{
	char norm[PCRM_PHONE_MAX];
	int rc = need_string(r, v);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm_phone_normalize(json_string_value(v), norm, sizeof(norm));
	if (rc != PCRM_OK) {
		pcrm__error_prefix("%s", r->name);
		return rc;
	}
	return json_string_set(v, norm) == 0 ? PCRM_OK : pcrm__error_oom();
}

static int check_duration(const struct field_rule *r, const json_t *v)
{
	json_int_t i;
	if (!json_is_integer(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an integer number of seconds", r->name);
	i = json_integer_value(v);
	if (i < 0 || i > r->max)
		return pcrm__error(PCRM_EINVAL, "%s: %lld is outside 0..%d", r->name, (long long)i,
		                   r->max);
	return PCRM_OK;
}

static int is_code_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '-' || c == '_' || c == '.';
}

/* Codes travel into other systems and log lines unescaped: ASCII only. */
static int check_code(const struct field_rule *r, const json_t *v)
{
	const char *s = json_string_value(v);
	int rc = need_string(r, v);
	if (rc == PCRM_OK)
		rc = check_length(r, json_string_length(v));
	for (; rc == PCRM_OK && *s; s++)
		if (!is_code_byte(*s))
			rc = pcrm__error(PCRM_EINVAL,
			                 "%s: byte 0x%02X is not allowed (letters, digits, - _ .)",
			                 r->name, (unsigned)(unsigned char)*s);
	return rc;
}

/* Agents write notes over several lines; other control bytes are never text. */
static int check_summary(const struct field_rule *r, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	int rc = need_string(r, v);
	if (rc == PCRM_OK)
		rc = check_length(r, n);
	return rc == PCRM_OK ? pcrm__text_check(r->name, s, n, PCRM__TEXT_LINES) : rc;
}

static int check_field(const struct field_rule *r, json_t *v, struct pcrm__contact_fields *out)
{
	switch (r->type) {
	case F_INSTANT: return check_instant(r, v, &out->at);
	case F_ENUM: return check_enum(r, v);
	case F_AGENT: return check_agent(r, v);
	case F_PHONE: return check_phone(r, v);
	case F_DURATION: return check_duration(r, v);
	case F_CODE: return check_code(r, v);
	case F_SUMMARY: return check_summary(r, v);
	}
	return PCRM_OK;
}

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static int validate(json_t *doc, struct pcrm__contact_fields *out)
{
	const char *key;
	json_t *v;

	if (!json_is_object(doc))
		return pcrm__error(PCRM_EINVAL, "contact: must be a JSON object");
	json_object_foreach(doc, key, v) {
		const struct field_rule *r = find_rule(key);
		int rc;
		if (!r)
			return pcrm__error(PCRM_EINVAL, "%.64s: unknown field", key);
		if (json_is_null(v))
			return pcrm__error(PCRM_EINVAL, "%s: must not be null (leave the field out)",
			                   key);
		rc = check_field(r, v, out);
		if (rc != PCRM_OK)
			return rc;
	}
	for (size_t i = 0; i < RULE_COUNT; i++)
		if (rules[i].required && !json_object_get(doc, rules[i].name))
			return pcrm__error(PCRM_EINVAL, "%s: is required", rules[i].name);
	out->has_at = json_object_get(doc, "at") != NULL;
	out->channel = doc_str(doc, "channel");
	out->direction = doc_str(doc, "direction");
	out->agent = doc_str(doc, "agent");
	out->caller_number = doc_str(doc, "caller_number");
	v = json_object_get(doc, "duration_seconds");
	out->duration_seconds = v ? (int)json_integer_value(v) : -1;
	out->business_code = doc_str(doc, "business_code");
	out->summary = doc_str(doc, "summary");
	out->work_order_id = doc_str(doc, "work_order_id");
	return PCRM_OK;
}

int pcrm__contact_parse(const char *text, size_t len, json_t **doc,
                        struct pcrm__contact_fields *out)
{
	json_error_t err;
	int rc;

	memset(out, 0, sizeof(*out));
	out->duration_seconds = -1;
	*doc = NULL;
	if (!text)
		return pcrm__error(PCRM_EINVAL, "contact: missing (a JSON object)");
	*doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!*doc)
		return pcrm__error(PCRM_EINVAL, "contact: invalid JSON at line %d column %d: %s",
		                   err.line, err.column, pcrm__json_error_text(&err));
	rc = validate(*doc, out);
	if (rc != PCRM_OK) {
		json_decref(*doc);
		*doc = NULL;
		memset(out, 0, sizeof(*out));
		out->duration_seconds = -1;
	}
	return rc;
}

/* ---- the object ---- */

struct pcrm_contact {
	char id[PCRM_CONTACT_ID_LEN + 1];
	const char *customer_no; /* these point into text[] */
	const char *channel;
	const char *direction;
	const char *agent;
	const char *caller_number;
	const char *business_code;
	const char *summary;
	const char *work_order_id;
	const char *recorded_by;
	pcrm_time at;
	pcrm_time recorded_at;
	int duration_seconds;
	int utc_offset;
	char text[];
};

/* Copies an optional string to the end of the object's text area. */
static const char *stash(char **cursor, const char *s)
{
	char *at = *cursor;
	size_t n;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(at, s, n);
	*cursor += n;
	return at;
}

int pcrm__contact_new(const struct pcrm__contact_fields *f, int utc_offset, pcrm_contact **out)
{
	const char *const strings[] = { f->customer_no, f->channel, f->direction, f->agent,
		                        f->caller_number, f->business_code, f->summary,
		                        f->work_order_id, f->recorded_by };
	size_t size = 0;
	pcrm_contact *c;
	char *cursor;

	*out = NULL;
	if (!f->id || strlen(f->id) != PCRM_CONTACT_ID_LEN || !f->customer_no || !f->channel ||
	    !f->direction || !f->agent || !f->summary || !f->recorded_by)
		return pcrm__error(PCRM_ESTORE, "contact %.40s: a required column is missing",
		                   f->id ? f->id : "(no id)");
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		size += strings[i] ? strlen(strings[i]) + 1 : 0;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return pcrm__error_oom();
	memcpy(c->id, f->id, PCRM_CONTACT_ID_LEN + 1);
	cursor = c->text;
	c->customer_no = stash(&cursor, f->customer_no);
	c->channel = stash(&cursor, f->channel);
	c->direction = stash(&cursor, f->direction);
	c->agent = stash(&cursor, f->agent);
	c->caller_number = stash(&cursor, f->caller_number);
	c->business_code = stash(&cursor, f->business_code);
	c->summary = stash(&cursor, f->summary);
	c->work_order_id = stash(&cursor, f->work_order_id);
	c->recorded_by = stash(&cursor, f->recorded_by);
	c->at = f->at;
	c->recorded_at = f->recorded_at;
	c->duration_seconds = f->duration_seconds;
	c->utc_offset = utc_offset;
	*out = c;
	return PCRM_OK;
}

void pcrm_contact_free(pcrm_contact *c)
{
	free(c);
}

const char *pcrm_contact_id(const pcrm_contact *c) { return c->id; }
const char *pcrm_contact_customer_no(const pcrm_contact *c) { return c->customer_no; }
pcrm_time pcrm_contact_at(const pcrm_contact *c) { return c->at; }
const char *pcrm_contact_channel(const pcrm_contact *c) { return c->channel; }
const char *pcrm_contact_direction(const pcrm_contact *c) { return c->direction; }
const char *pcrm_contact_agent(const pcrm_contact *c) { return c->agent; }
const char *pcrm_contact_caller_number(const pcrm_contact *c) { return c->caller_number; }
int pcrm_contact_duration_seconds(const pcrm_contact *c) { return c->duration_seconds; }
const char *pcrm_contact_business_code(const pcrm_contact *c) { return c->business_code; }
const char *pcrm_contact_summary(const pcrm_contact *c) { return c->summary; }
const char *pcrm_contact_work_order_id(const pcrm_contact *c) { return c->work_order_id; }
const char *pcrm_contact_recorded_by(const pcrm_contact *c) { return c->recorded_by; }
pcrm_time pcrm_contact_recorded_at(const pcrm_contact *c) { return c->recorded_at; }

/* ---- the call-log line (marketing system plan 5.8.3) ---- */

/*
 * The worst line: time (25), customer number and business code (codes, never
 * escaped), caller (digits), duration (5 digits), the agent and summary with
 * every byte escaped to four, six separators and the NUL.
 */
_Static_assert(25 + 32 + PCRM__CONTACT_CODE_MAX + PCRM_PHONE_MAX + 5 +
                       4 * (PCRM__CONTACT_AGENT_MAX + PCRM_CONTACT_SUMMARY_MAX) + 6 + 1 <=
                   PCRM_CONTACT_LOG_LINE_MAX,
               "PCRM_CONTACT_LOG_LINE_MAX is too small for the worst line");

/* Writes as much as fits but counts everything, so an overflow can say what it needs. */
struct line {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	/* once something did not fit, nothing later fits either: the text never has holes */
	if (l->len + n < l->size)
		memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put_escaped(struct line *l, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
		switch (c) {
		case '\\': put(l, "\\\\", 2); break;
		case '\n': put(l, "\\n", 2); break;
		case '\r': put(l, "\\r", 2); break;
		case '\t': put(l, "\\t", 2); break;
		default:
			if (c == ';' || c < 0x20 || c == 0x7f)
				put(l, esc, 4);
			else
				put(l, s, 1);
		}
	}
}

int pcrm_contact_format_log_line(const pcrm_contact *c, char *buf, size_t size)
{
	char at[32], duration[16] = "";
	struct line l = { buf, size, 0 };
	int rc;

	if (!c || !buf)
		return pcrm__error(PCRM_EINVAL, "contact log line: %s is NULL", c ? "buf" : "contact");
	if (size > 0)
		buf[0] = '\0';
	rc = pcrm_time_format(c->at, c->utc_offset, at, sizeof(at));
	if (rc != PCRM_OK)
		return rc;
	if (c->duration_seconds >= 0)
		snprintf(duration, sizeof(duration), "%d", c->duration_seconds);
	put(&l, at, strlen(at));
	put(&l, ";", 1);
	put_escaped(&l, c->customer_no);
	put(&l, ";", 1);
	put_escaped(&l, c->caller_number);
	put(&l, ";", 1);
	put_escaped(&l, c->agent);
	put(&l, ";", 1);
	put(&l, duration, strlen(duration));
	put(&l, ";", 1);
	put_escaped(&l, c->business_code);
	put(&l, ";", 1);
	put_escaped(&l, c->summary);
	if (l.len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return pcrm__error(PCRM_EINVAL, "contact log line: needs %zu bytes, buffer has %zu",
		                   l.len + 1, size);
	}
	buf[l.len] = '\0';
	return PCRM_OK;
}
