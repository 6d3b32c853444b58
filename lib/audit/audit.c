/*
 * Appending to the audit log: one hash chain per city (schema 21).
 *
 * An entry goes to the chain of its actor's unit: the city-level ancestor's
 * code, the province's own for province staff, "(none)" for an actor whose
 * unit does not exist (its refusals are recorded too).  Each chain has its
 * own head row in audit_chain, read with its row lock first (SELECT ... FOR
 * UPDATE), so concurrent writers of one city queue up and every entry sees
 * the true previous hash, while writers of different cities never wait for
 * each other; SQLite serialises writers anyway.  The entry's global seq
 * (the listing order) comes from the rowid on SQLite and a sequence on
 * PostgreSQL, neither of which is a shared row.  The hash is in
 * entry_hash.c, the after-image digest an entry commits to in cover.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

void pcrm__audit_chain_of_path(const char *path, char out[PCRM__AUDIT_CHAIN_MAX])
{
	/* "/37/3701/370102/": the second component, or the first when there is none */
	const char *first = path[0] == '/' ? path + 1 : path, *second = strchr(first, '/');
	const char *pick = second && second[1] ? second + 1 : first;
	size_t n = strcspn(pick, "/");
	if (n >= PCRM__AUDIT_CHAIN_MAX)
		n = PCRM__AUDIT_CHAIN_MAX - 1;
	memcpy(out, pick, n);
	out[n] = '\0';
}

static int chain_of_actor(pcrm_ctx *ctx, const pcrm_actor *actor, char out[PCRM__AUDIT_CHAIN_MAX])
{
	struct pcrm_org_unit unit;
	int rc = pcrm__org_load(ctx, actor->org_unit, &unit);
	if (rc == PCRM_ENOTFOUND) {
		snprintf(out, PCRM__AUDIT_CHAIN_MAX, "%s", PCRM__AUDIT_NO_UNIT_CHAIN);
		return PCRM_OK;
	}
	if (rc != PCRM_OK)
		return rc;
	pcrm__audit_chain_of_path(unit.path, out);
	pcrm__org_clear(&unit);
	return PCRM_OK;
}

/*
 * Reads the chain's head for the next entry (its seq and the previous hash)
 * and holds it until the transaction ends.  PostgreSQL: FOR UPDATE takes the
 * row's lock, so concurrent appenders of one chain queue here (READ
 * COMMITTED then reads the row's newest version; REPEATABLE READ and
 * SERIALIZABLE fail with PCRM_ERETRY).  SQLite: every transaction is BEGIN
 * IMMEDIATE, so the database's one write lock is already held.  A chain's
 * first entry creates its head, unless entries of that chain exist (a
 * deleted head is tampering, not a new chain); ON CONFLICT lets two first
 * appenders of a new chain meet on PostgreSQL, the second then queues on
 * the first's row.
 */
static int claim_head(pcrm_ctx *ctx, const char *chain, int64_t *seq, char prev[PCRM_SHA256_HEX_LEN + 1])
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(chain), PCRM_SQL_S(zero_hash) };
	int created = 0;
	for (;;) {
		pcrm_rows *rows;
		int rc = pcrm__store_query(ctx->store,
		                           ctx->store->driver->kind == PCRM_STORE_POSTGRES ?
		                                   "SELECT seq + 1, hash FROM audit_chain WHERE chain = $1 "
		                                   "FOR UPDATE" :
		                                   "SELECT seq + 1, hash FROM audit_chain WHERE chain = $1",
		                           p, 1, &rows);
		if (rc != PCRM_OK)
			return rc;
		rc = pcrm__rows_next(rows);
		if (rc == 1) {
			*seq = pcrm__rows_int(rows, 0);
			snprintf(prev, PCRM_SHA256_HEX_LEN + 1, "%s", pcrm__rows_text(rows, 1));
		}
		pcrm__rows_free(rows);
		if (rc != 0) /* found (1) or failed (< 0) */
			return rc == 1 ? PCRM_OK : rc;
		if (created)
			return pcrm__error(PCRM_EINTEGRITY, "audit log head row of chain %s is missing",
			                   chain);
		rc = pcrm__store_exec(ctx->store,
		                      "INSERT INTO audit_chain (chain, seq, hash) SELECT $1, 0, $2 "
		                      "WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE chain = $1) "
		                      "ON CONFLICT (chain) DO NOTHING",
		                      p, 2, NULL);
		if (rc != PCRM_OK)
			return rc;
		created = 1;
	}
}

static int insert_entry(pcrm_ctx *ctx, pcrm_audit_entry *e)
{
	pcrm__trace_count(ctx->store, PCRM__COUNTER_AUDIT_ENTRIES, 1); /* dropped with a rollback */
	pcrm_sha256 *h;
	char hash[PCRM_SHA256_HEX_LEN + 1], prev[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sql_value p[13];
	int rc = claim_head(ctx, e->chain, &e->chain_seq, prev);
	if (rc != PCRM_OK)
		return rc;
	e->prev_hash = prev;
	rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__audit_entry_hash(h, e, hash);
	pcrm__sha256_free(h);
	if (rc != PCRM_OK)
		return rc;
	p[0] = PCRM_SQL_I(e->chain_seq);
	p[1] = PCRM_SQL_I(e->at);
	p[2] = PCRM_SQL_S(e->operator_id);
	p[3] = PCRM_SQL_S(e->role);
	p[4] = PCRM_SQL_S(e->actor_org);
	p[5] = PCRM_SQL_S(e->action);
	p[6] = PCRM_SQL_S(e->object_type);
	p[7] = PCRM_SQL_S(e->object_id);
	p[8] = PCRM_SQL_S(e->summary);
	p[9] = PCRM_SQL_S(prev);
	p[10] = PCRM_SQL_S(hash);
	p[11] = PCRM_SQL_S(e->chain);
	p[12] = PCRM_SQL_S(e->covers);
	/*
	 * The head's row lock is held: the entry and the head's new seq and hash
	 * travel with the transaction's next statement.  On PostgreSQL they are
	 * one statement (the head's UPDATE as a data-modifying WITH, which runs
	 * whether or not it is referenced): one bind and one executor fewer.
	 * seq is left to the store (rowid, sequence).
	 */
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		return pcrm__store_exec_later(
		        ctx->store,
		        "WITH head AS (UPDATE audit_chain SET seq = $1, hash = $11 WHERE chain = $12) "
		        "INSERT INTO audit_log (chain_seq, at, operator_id, role, actor_org, action, "
		        "object_type, object_id, summary, prev_hash, hash, chain, covers) "
		        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		        p, 13, -1, 0, NULL);
	rc = pcrm__store_exec_later(ctx->store,
	                            "INSERT INTO audit_log (chain_seq, at, operator_id, role, "
	                            "actor_org, action, object_type, object_id, summary, prev_hash, "
	                            "hash, chain, covers) "
	                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
	                            p, 13, -1, 0, NULL);
	if (rc == PCRM_OK) {
		/*
		 * No row-count check: the head was read in this transaction, and a
		 * check would keep COMMIT from travelling with these statements.
		 */
		p[1] = PCRM_SQL_S(hash);
		p[2] = PCRM_SQL_S(e->chain);
		rc = pcrm__store_exec_later(ctx->store,
		                            "UPDATE audit_chain SET seq = $1, hash = $2 WHERE chain = $3",
		                            p, 3, -1, 0, NULL);
	}
	return rc;
}

/* Everything an entry holds that is read from the store, in the entry's transaction. */
static int fill_and_insert(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_audit_entry *e,
                           const char *given_covers)
{
	char chain[PCRM__AUDIT_CHAIN_MAX], covers[PCRM__AUDIT_COVERS_MAX];
	int rc = chain_of_actor(ctx, actor, chain);
	if (rc == PCRM_OK && given_covers)
		snprintf(covers, sizeof(covers), "%s", given_covers);
	else if (rc == PCRM_OK)
		rc = pcrm__audit_cover(ctx, e->object_type, e->object_id, covers);
	if (rc != PCRM_OK)
		return rc;
	e->chain = chain;
	e->covers = covers;
	return insert_entry(ctx, e);
}

static int append_text(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                       const char *object_type, const char *object_id, const char *summary_text,
                       int savepoint, const char *covers)
{
	pcrm_audit_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.at = pcrm_ctx_now(ctx);
	e.operator_id = actor->operator_id;
	e.role = pcrm_role_name(actor->role);
	e.actor_org = actor->org_unit;
	e.action = action;
	e.object_type = object_type;
	e.object_id = object_id ? object_id : "";
	e.summary = summary_text;
	if (!savepoint && ctx->store->tx_depth > 0) {
		rc = fill_and_insert(ctx, actor, &e, covers);
	} else {
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK)
			rc = pcrm__store_finish(ctx->store, fill_and_insert(ctx, actor, &e, covers));
	}
	return rc;
}

static int append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                  const char *object_type, const char *object_id, const json_t *summary,
                  int savepoint, const char *covers)
{
	char *summary_text;
	json_t *empty = NULL;
	int rc;

	if (!summary)
		summary = empty = json_object();
	/* Sorted keys and compact form: the stored text is what the hash covers. */
	summary_text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(empty);
	if (!summary_text)
		return pcrm__error_oom();
	rc = append_text(ctx, actor, action, object_type, object_id, summary_text, savepoint,
	                 covers);
	free(summary_text);
	return rc;
}

int pcrm__audit_append_text(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                            const char *object_type, const char *object_id,
                            const char *summary_text, const char *covers)
{
	return append_text(ctx, actor, action, object_type, object_id, summary_text, 1, covers);
}

int pcrm__audit_append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                       const char *object_type, const char *object_id, const json_t *summary)
{
	return append(ctx, actor, action, object_type, object_id, summary, 1, NULL);
}

int pcrm__audit_append_covered(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                               const char *object_type, const char *object_id,
                               const json_t *summary, const char *covers)
{
	return append(ctx, actor, action, object_type, object_id, summary, 1, covers);
}

int pcrm__audit_append_in_tx(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                             const char *object_type, const char *object_id,
                             const json_t *summary)
{
	return append(ctx, actor, action, object_type, object_id, summary, 0, NULL);
}

int pcrm__audit_deny(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                     const char *object_type, const char *object_id, const char *reason)
{
	char saved[512];
	json_t *summary = json_pack("{s:s, s:s}", "permission", pcrm_permission_name(permission),
	                            "reason", reason);
	snprintf(saved, sizeof(saved), "%s", reason);
	/* A failure to record the denial must not turn it into anything but a denial. */
	pcrm__audit_append(ctx, actor, "permission.denied", object_type, object_id, summary);
	json_decref(summary);
	return pcrm__error(PCRM_EPERM, "%s", saved);
}

void pcrm__audit_entry_from_row(pcrm_rows *rows, pcrm_audit_entry *e)
{
	e->seq = pcrm__rows_int(rows, 0);
	e->at = pcrm__rows_int(rows, 1);
	e->operator_id = pcrm__rows_text(rows, 2);
	e->role = pcrm__rows_text(rows, 3);
	e->actor_org = pcrm__rows_text(rows, 4);
	e->action = pcrm__rows_text(rows, 5);
	e->object_type = pcrm__rows_text(rows, 6);
	e->object_id = pcrm__rows_text(rows, 7);
	e->summary = pcrm__rows_text(rows, 8);
	e->prev_hash = pcrm__rows_text(rows, 9);
	e->hash = pcrm__rows_text(rows, 10);
	e->chain = pcrm__rows_text(rows, 11);
	e->chain_seq = pcrm__rows_int(rows, 12);
	e->covers = pcrm__rows_text(rows, 13);
}
