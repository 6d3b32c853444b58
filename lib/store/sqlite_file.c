/*
 * A new SQLite database holds customer archives: it is created readable by
 * its owner only, whether it is named by a plain path or by a "file:" URI.
 *
 * SQLite would create it 0644 & ~umask; it gives its -wal, -shm and -journal
 * files the mode of the database file, so creating the (empty, hence valid)
 * file first covers those too.  For that the file created here must be the
 * very file SQLite opens, so a "file:" URI is read with SQLite's own rules
 * (sqlite3ParseUri() in SQLite's main.c), not a general URI parser's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/error.h"
#include "sqlite_file.h"

/*
 * Decodes one URI component (%HH escapes; a "%" without two hex digits stays
 * as it is) from `s` up to the first character of `stops`, into `out` (room
 * for strlen(s) + 1).  A %00 ends the component: SQLite ignores the rest of
 * it.  Returns where the component ends in `s`.
 */
static const char *decode_component(const char *s, const char *stops, char *out)
{
	size_t o = 0;
	int cut = 0;
	while (*s && !strchr(stops, *s)) {
		char c = *s++;
		if (c == '%' && pcrm__hex_digit(s[0]) >= 0 && pcrm__hex_digit(s[1]) >= 0) {
			c = (char)(pcrm__hex_digit(s[0]) << 4 | pcrm__hex_digit(s[1]));
			s += 2;
			if (c == '\0')
				cut = 1;
		}
		if (!cut)
			out[o++] = c;
	}
	out[o] = '\0';
	return s;
}

/* Whether the URI's parameters (after "?", up to "#") keep the database in memory. */
static int params_in_memory(const char *q, char *scratch_name, char *scratch_value)
{
	while (*q && *q != '#') {
		q = decode_component(q, "=&#", scratch_name);
		scratch_value[0] = '\0';
		if (*q == '=')
			q = decode_component(q + 1, "&#", scratch_value);
		if ((strcmp(scratch_name, "mode") == 0 && strcmp(scratch_value, "memory") == 0) ||
		    (strcmp(scratch_name, "vfs") == 0 && strcmp(scratch_value, "memdb") == 0))
			return 1;
		if (*q == '&')
			q++;
	}
	return 0;
}

int pcrm__sqlite_disk_path(const char *name, char **path)
{
	const char *at, *end;
	size_t n = strlen(name);
	char *file, *pname = NULL, *pvalue = NULL;
	int memory = 0;

	*path = NULL;
	if (name[0] == '\0' || strcmp(name, ":memory:") == 0)
		return PCRM_OK; /* "": a temporary database, as "file:" */
	/* SQLite reads a URI only where it starts with "file:", in that case */
	if (strncmp(name, "file:", 5) != 0) {
		*path = strdup(name);
		return *path ? PCRM_OK : pcrm__error_oom();
	}
	at = name + 5;
	if (at[0] == '/' && at[1] == '/') {
		/* an authority: empty or "localhost", anything else SQLite refuses */
		const char *slash = strchr(at + 2, '/');
		size_t len = slash ? (size_t)(slash - (at + 2)) : strlen(at + 2);
		if (len != 0 && !(len == 9 && memcmp(at + 2, "localhost", 9) == 0))
			return PCRM_OK;
		at += 2 + len;
	}
	file = malloc(n + 1);
	pname = malloc(n + 1);
	pvalue = malloc(n + 1);
	if (!file || !pname || !pvalue) {
		free(file);
		free(pname);
		free(pvalue);
		return pcrm__error_oom();
	}
	end = decode_component(at, "?#", file);
	if (*end == '?')
		memory = params_in_memory(end + 1, pname, pvalue);
	free(pname);
	free(pvalue);
	if (memory || file[0] == '\0' || strcmp(file, ":memory:") == 0) {
		free(file);
		return PCRM_OK;
	}
	*path = file;
	return PCRM_OK;
}

int pcrm__sqlite_create_private(const char *name)
{
	char *path;
	int fd, rc = pcrm__sqlite_disk_path(name, &path);
	if (rc != PCRM_OK || !path)
		return rc;
	/* 0600, less under a stricter umask; O_EXCL: an existing file keeps its owner's mode */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST)
		rc = pcrm__error(PCRM_EIO, "cannot create SQLite database \"%s\": %s", name,
		                 strerror(errno));
	free(path);
	return rc;
}
