/*
 * New SQLite databases are private however they are named: a plain path or a
 * "file:" URI (docs/security.md, "Files").  The file the library creates 0600
 * must be the very file SQLite then opens, so "file:" URIs are read with
 * SQLite's own rules; the table below holds them to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "fixtures.h"
#include "store/sqlite_file.h"

static void expect_path(const char *name, const char *expected)
{
	char *path = (char *)1;
	pcrm_assert_ok(pcrm__sqlite_disk_path(name, &path));
	if (!expected)
		cr_expect_null(path, "%s: names %s on disk, expected nothing", name, path);
	else
		cr_expect(path && strcmp(path, expected) == 0, "%s: names %s, expected %s", name,
		          path ? path : "nothing", expected);
	free(path);
}

Test(sqlite_file, uris_name_the_file_sqlite_opens)
{
	/* plain paths are taken as they are, "%" and "?" included (the parameters are cut off before) */
	expect_path("/srv/crm.db", "/srv/crm.db");
	expect_path("crm%20.db", "crm%20.db");
	expect_path("FILE:crm.db", "FILE:crm.db"); /* SQLite's "file:" is lower case only */
	/* file: URIs: the path part, with or without an empty or local authority */
	expect_path("file:/srv/crm.db", "/srv/crm.db");
	expect_path("file:crm.db", "crm.db");
	expect_path("file:///srv/crm.db", "/srv/crm.db");
	expect_path("file://localhost/srv/crm.db", "/srv/crm.db");
	/* %HH decoded; a lone "%" stays; %00 drops the rest of the path, as in SQLite */
	expect_path("file:/srv/my%20crm%2edb", "/srv/my crm.db");
	expect_path("file:/srv/100%.db", "/srv/100%.db");
	expect_path("file:/srv/crm.db%00.old", "/srv/crm.db");
	expect_path("file:/srv/a%3Fb.db", "/srv/a?b.db");
	/* the path ends at "?" and "#" */
	expect_path("file:/srv/crm.db#part", "/srv/crm.db");
	expect_path("file:/srv/crm.db?cache=shared", "/srv/crm.db");
	expect_path("file:/srv/crm.db?mode=rwc&cache=private", "/srv/crm.db");
	/* nothing on disk under a name of its own */
	expect_path(":memory:", NULL);
	expect_path("", NULL);
	expect_path("file::memory:", NULL);
	expect_path("file:%3Amemory%3A", NULL);
	expect_path("file:", NULL);                       /* a temporary database */
	expect_path("file://localhost", NULL);
	expect_path("file:/srv/crm.db?mode=memory", NULL);
	expect_path("file:/srv/crm.db?cache=shared&mode=memory", NULL);
	expect_path("file:/srv/crm.db?mode=mem%6Fry", NULL);
	expect_path("file:/srv/crm.db?vfs=memdb", NULL);
	expect_path("file://db.example.com/srv/crm.db", NULL); /* SQLite refuses the authority */
	/* a parameter after "#" is no parameter */
	expect_path("file:/srv/crm.db#?mode=memory", "/srv/crm.db");
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s is missing", path);
	return (unsigned)(st.st_mode & 0777);
}

static off_t file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s is missing", path);
	return st.st_size;
}

/* Opens `uri`, writes, and checks that `path` (and its -wal and -shm) are owner only and hold
 * the database SQLite wrote. */
static void assert_private_store(const char *uri, const char *path)
{
	char wal[512], shm[512];
	pcrm_ctx *ctx;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	make_tree(ctx); /* writes, so the WAL and shared-memory files exist */
	cr_expect_eq(file_mode(path), 0600, "%s: %s is %o", uri, path, file_mode(path));
	cr_expect_eq(file_mode(wal), 0600, "%s: %s is %o", uri, wal, file_mode(wal));
	cr_expect_eq(file_mode(shm), 0600, "%s: %s is %o", uri, shm, file_mode(shm));
	pcrm_ctx_close(ctx);
	/* the file created first is the one SQLite filled (closing checkpoints the WAL into it) */
	cr_expect_gt(file_size(path), 0, "%s: %s is empty: SQLite opened another file", uri, path);
}

/* "file:" URIs create their file owner only too, even under umask 0. */
Test(sqlite_file, file_uris_create_private_files)
{
	char dir[] = "/tmp/pcrm-store-XXXXXX", uri[512], path[256], cmd[600], cwd[512];
	mode_t old = umask(0);
	pcrm_ctx *ctx = NULL;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	snprintf(uri, sizeof(uri), "sqlite:file:%s/a.db", dir);
	snprintf(path, sizeof(path), "%s/a.db", dir);
	assert_private_store(uri, path);

	snprintf(uri, sizeof(uri), "sqlite:file://localhost%s/b%%20c.db", dir);
	snprintf(path, sizeof(path), "%s/b c.db", dir);
	assert_private_store(uri, path);
	snprintf(path, sizeof(path), "%s/b%%20c.db", dir);
	cr_expect_neq(access(path, F_OK), 0, "%s was created: the URI was not decoded", path);

	snprintf(uri, sizeof(uri), "sqlite:file://%s/d.db#fragment", dir);
	snprintf(path, sizeof(path), "%s/d.db", dir);
	assert_private_store(uri, path);

	/* relative to the working directory, as SQLite opens it */
	cr_assert_eq(chdir(dir), 0);
	assert_private_store("sqlite:file:rel.db", "rel.db");
	/* in memory: nothing on disk */
	pcrm_assert_ok(pcrm_ctx_open(&ctx, "sqlite:file::memory:", NULL));
	make_tree(ctx);
	pcrm_ctx_close(ctx);
	cr_expect_neq(access(":memory:", F_OK), 0, "a file named :memory: was created");
	cr_assert_eq(chdir(cwd), 0);

	/* SQLite's own parameters are not passed on (ctx.h): refused before anything is created */
	snprintf(uri, sizeof(uri), "sqlite:file:%s/m.db?mode=memory", dir);
	ctx = (pcrm_ctx *)1;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, uri, NULL), PCRM_EINVAL, "mode");
	snprintf(path, sizeof(path), "%s/m.db", dir);
	cr_expect_neq(access(path, F_OK), 0, "%s was created by a refused open", path);

	/* an existing file keeps the mode its owner chose, whatever names it */
	snprintf(path, sizeof(path), "%s/shared.db", dir);
	snprintf(cmd, sizeof(cmd), "touch %s && chmod 640 %s", path, path);
	cr_assert_eq(system(cmd), 0);
	snprintf(uri, sizeof(uri), "sqlite:file://%s", path);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, uri, NULL));
	cr_expect_eq(file_mode(path), 0640, "shared.db is %o", file_mode(path));
	pcrm_ctx_close(ctx);

	umask(old);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
