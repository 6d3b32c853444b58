/*
 * A batch's own keys as one statement parameter: the text of a JSON array
 * of strings, which PostgreSQL expands with json_array_elements_text and
 * SQLite with json_each (PCRM__SQL_IN_KEYS_*).  One parameter whatever the
 * batch's size, so each store prepares the statement once; jansson escapes
 * whatever a key holds.
 */
#include <stdlib.h>

#include <jansson.h>

#include "core/error.h"
#include "store.h"

int pcrm__store_key_list(const void *items, size_t n,
                         const char *(*key)(const void *items, size_t i), char **out)
{
	json_t *keys = json_array();
	int bad = !keys;

	*out = NULL;
	for (size_t i = 0; i < n && !bad; i++) {
		const char *k = key(items, i);
		if (k)
			bad = json_array_append_new(keys, json_string(k)) != 0;
	}
	if (!bad)
		*out = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	return *out ? PCRM_OK : pcrm__error_oom();
}
