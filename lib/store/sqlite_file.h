/*
 * Internal: which file on disk an SQLite store URI names, and creating it
 * private (docs/security.md, "Files").
 */
#ifndef PCRM_STORE_SQLITE_FILE_H
#define PCRM_STORE_SQLITE_FILE_H

/**
 * The file SQLite creates on disk when it opens `name` with SQLITE_OPEN_URI,
 * read as SQLite reads it (https://sqlite.org/uri.html): a plain path as it
 * is; a "file:" URI by its path part: an authority of "" or "localhost" only,
 * %HH escapes decoded, cut at "?" or "#" (and a %00 drops the rest of the
 * path, as in SQLite).  *path (malloc'd) is NULL when nothing is created on
 * disk under a name of its own: ":memory:" (also spelled "file::memory:"),
 * an empty name or path (a temporary database SQLite removes itself), "mode=memory"
 * or "vfs=memdb" among the URI's parameters, or an authority SQLite refuses
 * (the open fails there).
 */
int pcrm__sqlite_disk_path(const char *name, char **path);

/**
 * Creates the file `name` names on disk (pcrm__sqlite_disk_path()), empty and
 * with mode 0600, unless it exists already.  Nothing for an in-memory name.
 */
int pcrm__sqlite_create_private(const char *name);

#endif
