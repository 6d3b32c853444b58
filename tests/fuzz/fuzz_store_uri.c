/*
 * Fuzz target for the store URI and connection string (pcrm_ctx_open()),
 * parse only: it never reaches a network and never touches a file outside
 * its own scratch directory.
 *
 *   - SQLite: opened with the scratch directory (on tmpfs when there is
 *     one) as the working directory, so whatever relative name the library
 *     makes of the input lands there; inputs holding a '/' (a path
 *     elsewhere) or an SQLite "file:" URI are skipped.  Everything the open
 *     created is removed after each input.
 *   - PostgreSQL: libpq's own parser is asked first, and only a conninfo it
 *     refuses is handed to pcrm_ctx_open(), which must refuse it as bad
 *     input before any connection (an accepted one would connect, so it is
 *     not opened).
 *   - Anything else must be refused (an unknown scheme).
 *
 * A refused URI is a negative status with a message and leaves *out NULL;
 * an opened SQLite store is migrated to the newest schema.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

static void remove_scratch_files(void)
{
	DIR *dir = opendir(scratch);
	struct dirent *e;
	fuzz_require(dir != NULL);
	while ((e = readdir(dir)) != NULL) {
		char path[4096];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	closedir(dir);
}

static void remove_scratch(void)
{
	remove_scratch_files();
	rmdir(scratch);
}

/* tmpfs when there is one: a file store syncs on every commit, and disks are slow at that. */
static const char *scratch_dir(void)
{
	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "%s/pcrm-fuzz-uri-XXXXXX",
		         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		fuzz_require(mkdtemp(scratch) != NULL);
		atexit(remove_scratch);
	}
	return scratch;
}

static void check_open(const char *uri, int may_succeed)
{
	pcrm_ctx *ctx = (pcrm_ctx *)&ctx; /* not NULL: open must set it */
	int rc = pcrm_ctx_open(&ctx, uri, NULL);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_ctx_open");
		fuzz_require(ctx == NULL);
		return;
	}
	fuzz_require(may_succeed);
	{
		int version = -1;
		fuzz_require(strcmp(pcrm_ctx_backend(ctx), "sqlite") == 0);
		fuzz_require(pcrm_ctx_schema_version(ctx, &version) == PCRM_OK);
		fuzz_require(version == pcrm_schema_version_latest());
	}
	pcrm_ctx_close(ctx);
}

/* sqlite:..., opened inside the scratch directory. */
static void check_sqlite(const char *uri)
{
	char cwd[4096];

	if (strchr(uri, '/') || strncasecmp(uri + strlen("sqlite:"), "file:", 5) == 0)
		return;
	fuzz_require(getcwd(cwd, sizeof(cwd)) != NULL);
	fuzz_require(chdir(scratch_dir()) == 0);
	check_open(uri, 1);
	fuzz_require(chdir(cwd) == 0);
	remove_scratch_files();
}

static void check_postgres(const char *uri, const char *conninfo)
{
	char *err = NULL;
	PQconninfoOption *parsed = PQconninfoParse(conninfo, &err);
	if (parsed) {
		PQconninfoFree(parsed); /* valid: opening it would connect */
		return;
	}
	PQfreemem(err);
	check_open(uri, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *uri = fuzz_text(data, size);

	if (strncmp(uri, "sqlite:", 7) == 0)
		check_sqlite(uri);
	else if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
		check_postgres(uri, uri);
	else if (strncmp(uri, "postgresql:", 11) == 0)
		check_postgres(uri, uri + 11);
	else
		check_open(uri, 0);
	free(uri);
	return 0;
}
