/* Status descriptions and the per-thread last-error message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static _Thread_local char last_message[PCRM__ERROR_MESSAGE_MAX];
static _Thread_local int last_status;
static _Thread_local struct pcrm__error_detail last_detail;

/* A new error: no reason, field or value yet (cheap: errors are raised on busy paths too). */
static void detail_reset(void)
{
	last_detail.reason[0] = '\0';
	last_detail.field[0] = '\0';
	last_detail.field_set = 0;
	last_detail.derived = 0;
	last_detail.nvalues = 0;
}

const char *pcrm_strerror(int status)
{
	switch ((pcrm_status)status) {
	case PCRM_OK: return "success";
	case PCRM_EINVAL: return "invalid input";
	case PCRM_ENOTFOUND: return "not found";
	case PCRM_ECONFLICT: return "conflict: the object was changed by somebody else";
	case PCRM_EDUPLICATE: return "duplicate: the key is already taken";
	case PCRM_EPERM: return "permission denied";
	case PCRM_ESTATE: return "wrong state for this operation";
	case PCRM_ESTORE: return "store error";
	case PCRM_ECONNECTION: return "store connection lost";
	case PCRM_ERETRY: return "transaction must be retried";
	case PCRM_EIO: return "I/O error";
	case PCRM_ENOMEM: return "out of memory";
	case PCRM_EOVERFLOW: return "arithmetic overflow";
	case PCRM_ESCHEMA: return "database schema is newer than this library";
	case PCRM_EINTEGRITY: return "integrity check failed";
	case PCRM_EUNSUPPORTED: return "operation not supported";
	case PCRM_ENOTDB: return "not a database";
	}
	return "unknown status";
}

const char *pcrm_error_last(void)
{
	return last_message;
}

int pcrm_error_last_status(void)
{
	return last_status;
}

void pcrm_error_clear(void)
{
	last_message[0] = '\0';
	last_status = PCRM_OK;
	detail_reset();
}

/* A new last error: its message, its status, no reason, field or value yet. */
static void set_error(int status, const char *fmt, va_list ap)
{
	char buf[PCRM__ERROR_MESSAGE_MAX];

	/* Format into a scratch buffer first: fmt arguments may point into last_message. */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	memcpy(last_message, buf, sizeof(buf));
	last_status = status;
	detail_reset();
}

int pcrm__error(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(status, fmt, ap);
	va_end(ap);
	return status;
}

int pcrm__error_at(int status, const char *reason, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(status, fmt, ap);
	va_end(ap);
	snprintf(last_detail.reason, sizeof(last_detail.reason), "%s", reason ? reason : "");
	if (field) {
		snprintf(last_detail.field, sizeof(last_detail.field), "%s", field);
		last_detail.field_set = 1;
	}
	return status;
}

void pcrm__error_value(const char *name, const char *fmt, ...)
{
	struct pcrm__error_detail *d = &last_detail;
	va_list ap;
	if (d->nvalues >= PCRM__ERROR_VALUES)
		return;
	snprintf(d->names[d->nvalues], sizeof(d->names[0]), "%s", name);
	va_start(ap, fmt);
	vsnprintf(d->values[d->nvalues], sizeof(d->values[0]), fmt, ap);
	va_end(ap);
	d->nvalues++;
}

void pcrm__error_save(pcrm__error_state *state)
{
	state->status = last_status;
	memcpy(state->message, last_message, sizeof(state->message));
	state->detail = last_detail;
}

int pcrm__error_restore(const pcrm__error_state *state, int status)
{
	if (status == PCRM_OK) {
		pcrm_error_clear();
		return PCRM_OK;
	}
	memcpy(last_message, state->message, sizeof(last_message));
	last_status = status;
	last_detail = state->detail;
	return status;
}

int pcrm__error_oom(void)
{
	return pcrm__error(PCRM_ENOMEM, "out of memory");
}

void pcrm__error_prefix(const char *fmt, ...)
{
	va_list ap;
	char buf[PCRM__ERROR_MESSAGE_MAX];
	size_t used, rest;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	used = strlen(buf);
	if (used + 2 < sizeof(buf)) {
		memcpy(buf + used, ": ", 2);
		used += 2;
		rest = strlen(last_message);
		if (rest > sizeof(buf) - 1 - used)
			rest = sizeof(buf) - 1 - used; /* truncate the tail, keep the prefix */
		memcpy(buf + used, last_message, rest);
		buf[used + rest] = '\0';
	}
	memcpy(last_message, buf, sizeof(buf));
	last_detail.derived = 0; /* the new leading segments may name the line or the field */
}

void pcrm__quote(const char *text, size_t len, char *q, size_t size)
{
	size_t used = 0;

	for (size_t i = 0; i < len && i < PCRM_QUOTE_MAX && used + 5 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\')
			used += (size_t)snprintf(q + used, size - used, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			q[used++] = (char)c;
		else
			used += (size_t)snprintf(q + used, size - used, "\\x%02x", c);
	}
	q[used] = '\0';
	if (len > PCRM_QUOTE_MAX && used + 4 <= size)
		memcpy(q + used, "...", 4);
}

/* ---- the structured part (pcrm_error_reason() and friends) ---- */

static const char *generic_reason(int status)
{
	switch ((pcrm_status)status) {
	case PCRM_OK: return "";
	case PCRM_EINVAL: return "invalid_input";
	case PCRM_ENOTFOUND: return "not_found";
	case PCRM_ECONFLICT: return "conflict";
	case PCRM_EDUPLICATE: return "duplicate";
	case PCRM_EPERM: return "permission_denied";
	case PCRM_ESTATE: return "wrong_state";
	case PCRM_ESTORE: return "store_error";
	case PCRM_ECONNECTION: return "connection_lost";
	case PCRM_ERETRY: return "retry";
	case PCRM_EIO: return "io_error";
	case PCRM_ENOMEM: return "out_of_memory";
	case PCRM_EOVERFLOW: return "overflow";
	case PCRM_ESCHEMA: return "schema_newer";
	case PCRM_EINTEGRITY: return "integrity";
	case PCRM_EUNSUPPORTED: return "unsupported";
	case PCRM_ENOTDB: return "not_a_database";
	}
	return "unknown";
}

/* A field name or JSON path: no spaces, path characters only. */
static int is_path(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof(last_detail.field))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '[' || c == ']' || c == '-' || c == '$'))
			return 0;
	}
	return 1;
}

/*
 * Most messages begin with what they are about, the convention of
 * docs/conventions.md: "phones.mobile: ...", "line 7: phones.mobile: ...",
 * "line 3, amount: ...".  The leading segments name the line and the field;
 * the first segment that is neither ends them.
 */
static void derive(void)
{
	struct pcrm__error_detail *d = &last_detail;
	const char *p = last_message;
	int have_line = 0;

	if (d->derived)
		return;
	d->derived = 1;
	for (int i = 0; i < d->nvalues; i++)
		if (strcmp(d->names[i], "line") == 0)
			have_line = 1;
	for (;;) {
		const char *end = strstr(p, ": ");
		long line;
		int used = 0;
		if (!end)
			return;
		if (sscanf(p, "line %ld%n", &line, &used) == 1 && used > 0) {
			if (!have_line && d->nvalues < PCRM__ERROR_VALUES) {
				snprintf(d->names[d->nvalues], sizeof(d->names[0]), "line");
				snprintf(d->values[d->nvalues], sizeof(d->values[0]), "%ld", line);
				d->nvalues++;
				have_line = 1;
			}
			if (strncmp(p + used, ", ", 2) == 0 && !d->field_set &&
			    is_path(p + used + 2, (size_t)(end - p - used - 2)))
				snprintf(d->field, sizeof(d->field), "%.*s", (int)(end - p - used - 2),
				         p + used + 2);
			else if (p + used != end)
				return;
		} else if (is_path(p, (size_t)(end - p))) {
			if (!d->field_set)
				snprintf(d->field, sizeof(d->field), "%.*s", (int)(end - p), p);
		} else {
			return;
		}
		p = end + 2;
	}
}

const char *pcrm_error_reason(void)
{
	return last_detail.reason[0] ? last_detail.reason : generic_reason(last_status);
}

const char *pcrm_error_field(void)
{
	derive();
	return last_detail.field;
}

size_t pcrm_error_value_count(void)
{
	derive();
	return (size_t)last_detail.nvalues;
}

const char *pcrm_error_value_name(size_t i)
{
	derive();
	return i < (size_t)last_detail.nvalues ? last_detail.names[i] : NULL;
}

const char *pcrm_error_value(size_t i)
{
	derive();
	return i < (size_t)last_detail.nvalues ? last_detail.values[i] : NULL;
}

/* For the renderer (error_zh.c): the value named `name`, or NULL. */
const char *pcrm__error_value_named(const char *name)
{
	derive();
	for (int i = 0; i < last_detail.nvalues; i++)
		if (strcmp(last_detail.names[i], name) == 0)
			return last_detail.values[i];
	return NULL;
}
