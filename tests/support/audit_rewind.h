/*
 * Turns the audit log of a test store back into what the library wrote
 * before schema 21: one chain of v1 entries numbered 1..n, its head in
 * audit_head, no chain columns, no audit_chain, migration 21 not recorded.
 * The entries keep their contents and are hashed as the old library hashed
 * them, so a migration test starts from a genuine old log.
 */
#ifndef PCRM_TEST_AUDIT_REWIND_H
#define PCRM_TEST_AUDIT_REWIND_H

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "audit/audit_internal.h"
#include "core/ctx.h"
#include "store/store.h"

#define PCRM_TEST_REWIND_MAX 256

struct pcrm_test_old_entry {
	int64_t at;
	char *text[7]; /* operator_id, role, actor_org, action, object_type, object_id, summary */
};

static inline void pcrm_test_write_v1(pcrm_ctx *ctx, struct pcrm_test_old_entry *rows, int n)
{
	char prev[PCRM_SHA256_HEX_LEN + 1], hash[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sha256 *h;

	pcrm_assert_ok(pcrm__sha256_new(&h));
	memset(prev, '0', PCRM_SHA256_HEX_LEN);
	prev[PCRM_SHA256_HEX_LEN] = '\0';
	for (int i = 0; i < n; i++) {
		pcrm_audit_entry e;
		memset(&e, 0, sizeof(e));
		e.chain = PCRM__AUDIT_LEGACY_CHAIN; /* hashed as v1 */
		e.chain_seq = i + 1;
		e.at = rows[i].at;
		e.operator_id = rows[i].text[0];
		e.role = rows[i].text[1];
		e.actor_org = rows[i].text[2];
		e.action = rows[i].text[3];
		e.object_type = rows[i].text[4];
		e.object_id = rows[i].text[5];
		e.summary = rows[i].text[6];
		e.covers = "";
		e.prev_hash = prev;
		pcrm_assert_ok(pcrm__audit_entry_hash(h, &e, hash));
		{
			pcrm_sql_value p[11] = { PCRM_SQL_I(i + 1), PCRM_SQL_I(e.at),
				                 PCRM_SQL_S(e.operator_id), PCRM_SQL_S(e.role),
				                 PCRM_SQL_S(e.actor_org), PCRM_SQL_S(e.action),
				                 PCRM_SQL_S(e.object_type), PCRM_SQL_S(e.object_id),
				                 PCRM_SQL_S(e.summary), PCRM_SQL_S(prev), PCRM_SQL_S(hash) };
			pcrm_assert_ok(pcrm__store_exec(
			        ctx->store,
			        "INSERT INTO audit_log (seq, at, operator_id, role, actor_org, action, "
			        "object_type, object_id, summary, prev_hash, hash) VALUES ($1, $2, $3, $4, "
			        "$5, $6, $7, $8, $9, $10, $11)",
			        p, 11, NULL));
		}
		memcpy(prev, hash, sizeof(prev));
	}
	{
		pcrm_sql_value p[2] = { PCRM_SQL_I(n), PCRM_SQL_S(prev) };
		pcrm_assert_ok(pcrm__store_exec(ctx->store,
		                                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
		                                p, 2, NULL));
	}
	pcrm__sha256_free(h);
}

static inline void pcrm_test_audit_before_22(pcrm_ctx *ctx)
{
	static struct pcrm_test_old_entry rows[PCRM_TEST_REWIND_MAX];
	int n = 0, rc;
	pcrm_rows *r;

	pcrm_assert_ok(pcrm__store_query(ctx->store,
	                                 "SELECT at, operator_id, role, actor_org, action, "
	                                 "object_type, object_id, summary FROM audit_log ORDER BY seq",
	                                 NULL, 0, &r));
	while ((rc = pcrm__rows_next(r)) == 1) {
		cr_assert_lt(n, PCRM_TEST_REWIND_MAX);
		rows[n].at = pcrm__rows_int(r, 0);
		for (int i = 0; i < 7; i++)
			rows[n].text[i] = strdup(pcrm__rows_text(r, i + 1));
		n++;
	}
	pcrm__rows_free(r);
	cr_assert_eq(rc, 0);
	pcrm_assert_ok(ctx->store->driver->exec_script(
	        ctx->store, "DELETE FROM audit_log; DROP TABLE audit_chain; DROP INDEX audit_log_chain;"
	                    "ALTER TABLE audit_log DROP COLUMN chain;"
	                    "ALTER TABLE audit_log DROP COLUMN chain_seq;"
	                    "ALTER TABLE audit_log DROP COLUMN covers;"
	                    "DELETE FROM pcrm_schema WHERE version = 21;"));
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		pcrm_assert_ok(ctx->store->driver->exec_script(
		        ctx->store, "ALTER TABLE audit_log ALTER COLUMN seq DROP DEFAULT;"
		                    "DROP SEQUENCE audit_log_seq;"));
	pcrm_test_write_v1(ctx, rows, n);
	for (int i = 0; i < n; i++)
		for (int f = 0; f < 7; f++)
			free(rows[i].text[f]);
}

#endif
