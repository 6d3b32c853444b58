/* Status descriptions and the per-thread last-error message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static _Thread_local char last_message[PCRM__ERROR_MESSAGE_MAX];
static _Thread_local int last_status;

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
}

int pcrm__error(int status, const char *fmt, ...)
{
	va_list ap;
	char buf[PCRM__ERROR_MESSAGE_MAX];

	/* Format into a scratch buffer first: fmt arguments may point into last_message. */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(last_message, buf, sizeof(buf));
	last_status = status;
	return status;
}

void pcrm__error_save(pcrm__error_state *state)
{
	state->status = last_status;
	memcpy(state->message, last_message, sizeof(state->message));
}

int pcrm__error_restore(const pcrm__error_state *state, int status)
{
	if (status == PCRM_OK) {
		pcrm_error_clear();
		return PCRM_OK;
	}
	memcpy(last_message, state->message, sizeof(last_message));
	last_status = status;
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
