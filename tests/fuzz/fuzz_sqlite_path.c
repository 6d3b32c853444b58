/*
 * Fuzz target for reading an SQLite store name as SQLite does
 * (pcrm__sqlite_disk_path(): a plain path or a "file:" URI, from the store
 * URI of pcrm_ctx_open()).  Pure: nothing is opened or created.  Whatever the
 * input, the answer is a status and either no file or a non-empty path no
 * longer than the input (decoding only shortens), the input itself when it is
 * no URI, never ":memory:", and the same answer twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_sqlite_path.c:%d: invariant failed: %s\n", line, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *path = NULL, *again = NULL;
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0'; /* a C string ends at its first NUL, as the URI given to the library */
	require(pcrm__sqlite_disk_path(name, &path) == 0);
	require(pcrm__sqlite_disk_path(name, &again) == 0);
	require((path == NULL) == (again == NULL));
	if (path) {
		require(strcmp(path, again) == 0);
		require(path[0] != '\0');
		require(strcmp(path, ":memory:") != 0);
		require(strlen(path) <= strlen(name));
		if (strncmp(name, "file:", 5) != 0)
			require(strcmp(path, name) == 0);
	} else {
		require(strncmp(name, "file:", 5) == 0 || !name[0] || strcmp(name, ":memory:") == 0);
	}
	free(path);
	free(again);
	free(name);
	return 0;
}
