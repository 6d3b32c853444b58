/*
 * libpowercrm - the context: one store connection, a clock, the data key.
 *
 * Everything that touches stored data goes through a pcrm_ctx.  It is opened
 * from a URI naming the store:
 *
 *   sqlite:PATH               an SQLite database file (created if missing)
 *   sqlite:PATH?synchronous=normal
 *                             the same, trading durability for cheaper commits
 *   sqlite:PATH?busy_timeout=MS
 *                             wait at most MS milliseconds (0..3600000,
 *                             default 5000) for another process's write
 *                             transaction before PCRM_ERETRY
 *   sqlite::memory:           a private in-memory SQLite database
 *   sqlite:file:PATH          an SQLite "file:" URI (sqlite.org/uri.html):
 *                             "file:///srv/crm.db", "file:my%20crm.db"; its
 *                             parameters are the library's (below), not
 *                             SQLite's own ("mode=", "cache=", "vfs=")
 *   postgresql://...          any libpq connection URI or "postgres://..."
 *   postgresql:KEY=VALUE ...  a libpq key/value conninfo string
 *
 * An SQLite file runs in WAL mode with synchronous=FULL: a commit returns
 * only after the WAL reached the disk, so committed work (a payment, a work
 * order's transition) survives a power loss.  "?synchronous=normal" skips
 * that sync: commits get cheaper, and a power loss (not a crash of the
 * process) may undo the last transactions that were reported committed.
 * PostgreSQL's durability is the server's configuration (fsync,
 * synchronous_commit).
 *
 * A new SQLite database file (by a plain path or a "file:" URI) is created
 * readable by its owner only (0600, whatever the umask), its -wal and -shm
 * files too; an existing file keeps its mode (docs/security.md, "Files").
 *
 * SQLite parameters combine with "&" ("sqlite:crm.db?synchronous=normal&
 * busy_timeout=200"); an unknown, repeated or malformed one is PCRM_EINVAL
 * naming it.
 *
 * Opening applies the numbered schema migrations the database lacks, in one
 * transaction; a database whose schema is newer than the library is refused
 * with PCRM_ESCHEMA and left untouched.  The schema is first read without a
 * transaction, so opening a store that is up to date writes nothing and takes
 * no lock: it succeeds while another process holds a write transaction.  (The
 * first open with a data key version the store has not seen records that
 * version, in one short transaction.)
 *
 * PCRM_ERETRY ("retry the transaction") comes from the store, never from bad
 * input, and nothing of the failed call is written:
 *   - SQLite allows one writer per database file.  Every call that writes
 *     (each mutating call, pcrm_ctx_begin(), which starts with BEGIN
 *     IMMEDIATE, and pcrm_ctx_open() when it must apply a migration) waits
 *     up to the busy timeout for another connection's write transaction and
 *     then fails with PCRM_ERETRY.  Reads do not wait for a writer (WAL),
 *     except in the rare moment another connection recovers the WAL after
 *     a crash.
 *   - PostgreSQL: a serialization failure or a deadlock the server broke
 *     (SQLSTATE 40001, 40P01), in any call that writes and in
 *     pcrm_ctx_commit().
 * Inside a transaction of the caller's (pcrm_ctx_begin()), roll it back and
 * run it again; a call made outside one may simply be called again.
 *
 * Threads: a context is used by one thread at a time (it is one connection).
 * Open one per thread; they may share the same store.
 */
#ifndef POWERCRM_CTX_H
#define POWERCRM_CTX_H

#include <powercrm/common.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_ctx pcrm_ctx;

#define PCRM_CTX_OPTIONS_VERSION 2

/** Length of the data key that protects personal identifiers (AES-256). */
#define PCRM_DATA_KEY_LEN 32

/** Highest data key version (versions are 1..PCRM_KEY_VERSION_MAX). */
#define PCRM_KEY_VERSION_MAX 65535

/**
 * Supplies version `version` of the integrator's data key: writes
 * PCRM_DATA_KEY_LEN bytes to `key` and returns PCRM_OK, or returns
 * PCRM_ENOTFOUND when it has no such version (any other status fails the
 * open with that status).  Lets an HSM or KMS hold the keys: the library
 * asks for each version it needs while pcrm_ctx_open() runs (the current
 * one and every older one the store still uses), derives its keys from the
 * bytes, wipes them and never asks again for that context.  Called on the
 * thread that opens the context; `data` is options.key_provider_data.
 */
typedef int (*pcrm_key_provider_fn)(void *data, unsigned int version,
                                    unsigned char key[PCRM_DATA_KEY_LEN]);

/**
 * Options for pcrm_ctx_open().  Initialise with pcrm_ctx_options_init() (or
 * PCRM_CTX_OPTIONS_INIT) so new fields added in later versions get defaults.
 * Version 1 of the structure ends after data_key_len; its callers get the
 * defaults of the later fields.
 */
typedef struct pcrm_ctx_options {
	unsigned int version;        /**< PCRM_CTX_OPTIONS_VERSION */
	pcrm_clock_fn clock;         /**< NULL: the system clock */
	void *clock_data;            /**< passed to clock */
	int utc_offset;              /**< offset of civil time in seconds; default PCRM_UTC_OFFSET_CHINA */
	/**
	 * The integrator's secret for personal identifiers: exactly
	 * PCRM_DATA_KEY_LEN bytes, or NULL when this context never touches
	 * them (operations that need it then fail with PCRM_EPERM).  It is
	 * version `key_version` of the key.  The library derives its keys from
	 * it and does not keep this pointer.
	 */
	const unsigned char *data_key;
	size_t data_key_len;
	/* ---- version 2 ---- */
	/**
	 * The data key version new records are sealed with (1..
	 * PCRM_KEY_VERSION_MAX, default 1): the newest key.  A store refuses a
	 * version older than the newest it has seen, and a retired one
	 * (docs/security.md, "Key versions and rotation").
	 */
	unsigned int key_version;
	/**
	 * Supplies key versions (NULL: none).  Without data_key it supplies
	 * key_version too; with it, only the older versions a store still uses
	 * while it is being rotated.
	 */
	pcrm_key_provider_fn key_provider;
	void *key_provider_data; /**< passed to key_provider */
} pcrm_ctx_options;

#define PCRM_CTX_OPTIONS_INIT                                                                  \
	{ PCRM_CTX_OPTIONS_VERSION, NULL, NULL, PCRM_UTC_OFFSET_CHINA, NULL, 0, 1, NULL, NULL }

/** Fills `opts` with defaults for structure version `version`. */
PCRM_EXTERN(int) pcrm_ctx_options_init(pcrm_ctx_options *opts, unsigned int version);

/**
 * Opens a store and migrates it.  `opts` may be NULL for defaults.  On
 * failure *out is NULL and the status says why: PCRM_EINVAL for a malformed
 * URI or option (including a libpq option libpq itself would only check
 * when connecting: an sslmode, gssencmode, channel_binding or
 * target_session_attrs that is not one of its values, a port or timeout
 * that is not an integer), PCRM_ECONNECTION or PCRM_EIO when the store
 * cannot be reached, PCRM_ENOTDB when an SQLite URI names a file that is
 * not a database ("sqlite:/etc/passwd: not a database"; the file is left
 * as it was), PCRM_ESCHEMA when the database is newer than the library,
 * PCRM_ERETRY when a migration is needed and another process's write
 * transaction held the SQLite file past the busy timeout (an up-to-date store
 * opens without waiting), PCRM_EPERM when a data key version is wrong,
 * missing while the store still uses it, older than the newest the store
 * has seen or retired (docs/security.md, "Keys").  Messages never contain
 * the URI's password:
 * libpq's are scrubbed of it.
 * Close the context with pcrm_ctx_close().
 */
PCRM_EXTERN(int) pcrm_ctx_open(pcrm_ctx **out, const char *uri, const pcrm_ctx_options *opts);

/** Closes the store (rolling back an open transaction) and frees the context; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_ctx_close(pcrm_ctx *ctx);

/** "sqlite" or "postgresql". */
PCRM_EXTERN(const char *) pcrm_ctx_backend(const pcrm_ctx *ctx);

/** The schema version of the open store (the newest migration applied). */
PCRM_EXTERN(int) pcrm_ctx_schema_version(pcrm_ctx *ctx, int *out);

/**
 * The data key version this context seals new records with
 * (options.key_version), or 0 when it has no data key.
 */
PCRM_EXTERN(unsigned int) pcrm_ctx_key_version(const pcrm_ctx *ctx);

/** The newest schema version this library knows. */
PCRM_EXTERN(int) pcrm_schema_version_latest(void);

/** The current instant according to the context's clock. */
PCRM_EXTERN(pcrm_time) pcrm_ctx_now(const pcrm_ctx *ctx);

/** Replaces the clock (NULL restores the system clock). */
PCRM_EXTERN(void) pcrm_ctx_set_clock(pcrm_ctx *ctx, pcrm_clock_fn clock, void *clock_data);

/** The UTC offset of civil time for this context, in seconds. */
PCRM_EXTERN(int) pcrm_ctx_utc_offset(const pcrm_ctx *ctx);

/**
 * Starts a transaction.  Transactions nest: an inner begin opens a
 * savepoint, and its rollback undoes only the inner work.  Every mutating
 * library call runs inside its own (nested) transaction, so wrapping several
 * calls in begin/commit makes them one atomic unit.  On SQLite the outermost
 * begin takes the write lock: PCRM_ERETRY after the busy timeout.
 */
PCRM_EXTERN(int) pcrm_ctx_begin(pcrm_ctx *ctx);

/**
 * Commits the innermost transaction (or releases its savepoint).
 * PostgreSQL may refuse the commit with PCRM_ERETRY (serialization).
 */
PCRM_EXTERN(int) pcrm_ctx_commit(pcrm_ctx *ctx);

/** Rolls back the innermost transaction (or to its savepoint). */
PCRM_EXTERN(int) pcrm_ctx_rollback(pcrm_ctx *ctx);

/** How many transactions are open (0 = none). */
PCRM_EXTERN(int) pcrm_ctx_tx_depth(const pcrm_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_CTX_H */
