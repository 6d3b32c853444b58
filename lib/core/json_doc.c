/* Helpers shared by the loaders of validated JSON documents (see json_doc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_doc.h"

const char *pcrm__json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "a value";
}

int pcrm__json_expect(const char *path, const json_t *v, json_type type, const char *what)
{
	if (v && json_typeof(v) == type)
		return PCRM_OK;
	if (!v) {
		pcrm__error_at(PCRM_EINVAL, "json.missing", path, "%s: missing (expected %s)", path,
		               what);
		pcrm__error_value("expected", "%s", what);
		return PCRM_EINVAL;
	}
	pcrm__error_at(PCRM_EINVAL, "json.wrong_type", path, "%s: expected %s, got %s", path, what,
	               pcrm__json_type_name(v));
	pcrm__error_value("expected", "%s", what);
	pcrm__error_value("got", "%s", pcrm__json_type_name(v));
	return PCRM_EINVAL;
}

int pcrm__json_check_keys(const char *path, const json_t *obj, const char *const *known)
{
	char q[PCRM_QUOTE_SIZE], list[512];
	const char *key;
	json_t *value;
	size_t used = 0;

	json_object_foreach((json_t *)obj, key, value) {
		size_t i = 0;
		while (known[i] && strcmp(key, known[i]) != 0)
			i++;
		if (known[i])
			continue;
		list[0] = '\0';
		for (i = 0; known[i] && used + strlen(known[i]) + 3 < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
			                         i ? ", " : "", known[i]);
		pcrm__quote(key, strlen(key), q, sizeof(q));
		pcrm__error_at(PCRM_EINVAL, "json.unknown_key", path[0] ? path : "document",
		               "%s: unknown key \"%s\" (expected %s)", path[0] ? path : "document", q,
		               list);
		pcrm__error_value("key", "%s", q);
		pcrm__error_value("expected", "%s", list);
		return PCRM_EINVAL;
	}
	return PCRM_OK;
}

int pcrm__read_text_file(const char *path, size_t max, const char *what, char **out)
{
	char *buf = NULL, *grown, reason[128];
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc = PCRM_OK;

	if (!(f = fopen(path, "rb"))) {
		/* strerror() may share a static buffer between threads; strerror_r() does not */
		if (strerror_r(errno, reason, sizeof(reason)) != 0)
			snprintf(reason, sizeof(reason), "errno %d", errno);
		pcrm__error_at(PCRM_EIO, "file.unreadable", path, "%s: cannot open: %s", path, reason);
		return PCRM_EIO;
	}
	for (;;) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 8192;
			if (!(grown = realloc(buf, cap))) {
				rc = pcrm__error_oom();
				goto done;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > max) {
			rc = pcrm__error_at(PCRM_EINVAL, "file.too_large", path,
			                    "%s: larger than %zu bytes, not a %s", path, max, what);
			pcrm__error_value("max", "%zu", max);
			goto done;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = pcrm__error(PCRM_EIO, "%s: read failed", path);
		goto done;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		rc = pcrm__error_at(PCRM_EINVAL, "file.nul_byte", path, "%s: contains a NUL byte", path);
done:
	fclose(f);
	if (rc < 0)
		free(buf);
	else
		*out = buf;
	return rc;
}

const char *pcrm__json_error_text(const json_error_t *err)
{
	static _Thread_local char text[JSON_ERROR_TEXT_LENGTH];
	char *near;

	snprintf(text, sizeof(text), "%s", err->text);
	near = strstr(text, " near ");
	if (near)
		*near = '\0';
	return text;
}

int pcrm__json_parse(const char *name, const char *text, json_t **out)
{
	json_error_t err;
	*out = text ? json_loads(text, JSON_REJECT_DUPLICATES, &err) : NULL;
	if (*out)
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL, "%s: %s", name,
	                   text ? pcrm__json_error_text(&err) : "missing");
}
