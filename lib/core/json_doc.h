/*
 * Internal: helpers for loading validated JSON documents (calendars,
 * tariffs): type names and key checks for messages that start with the JSON
 * path of the bad value, and reading a document file.
 */
#ifndef PCRM_CORE_JSON_DOC_H
#define PCRM_CORE_JSON_DOC_H

#include <stddef.h>

#include <jansson.h>

/** "an object", "a string", "a number", ... for messages. */
const char *pcrm__json_type_name(const json_t *v);

/**
 * PCRM_OK when v has the JSON type `type`; otherwise PCRM_EINVAL with
 * "PATH: expected WHAT, got TYPE" (or "PATH: missing (expected WHAT)" for NULL).
 */
int pcrm__json_expect(const char *path, const json_t *v, json_type type, const char *what);

/**
 * Refuses any key of the object that is not in `known` (NULL-terminated):
 * "PATH: unknown key \"k\" (expected a, b, c)"; an empty path reads "document".
 */
int pcrm__json_check_keys(const char *path, const json_t *obj, const char *const *known);

/**
 * Reads the whole file at `path` into a NUL-terminated buffer (free with
 * free()).  PCRM_EIO when it cannot be opened or read; PCRM_EINVAL when it
 * holds more than `max` bytes ("larger than MAX bytes, not a WHAT") or a NUL
 * byte (jansson would stop there and might accept what came before).
 */
int pcrm__read_text_file(const char *path, size_t max, const char *what, char **out);

/**
 * jansson's message for a syntax error without its " near '...'" excerpt:
 * the excerpt is a piece of the caller's document, which may be a name, a
 * phone number or an ID number, and error messages never quote personal
 * data.  Returns a pointer into a thread-local buffer.
 */
const char *pcrm__json_error_text(const json_error_t *err);

/**
 * Parses a caller's document `text` (duplicate keys refused) into *out:
 * PCRM_EINVAL "<name>: missing" for NULL, "<name>: <jansson's reason>"
 * (without the text near the error, which may be personal data) for bad
 * JSON, *out NULL then.
 */
int pcrm__json_parse(const char *name, const char *text, json_t **out);

#endif
