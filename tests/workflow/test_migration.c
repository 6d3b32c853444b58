/*
 * Migration 12 on an SQLite file made before it: the audit log and the
 * work-order history are rebuilt in their new layout (audit_log keyed by its
 * rowid, work_order_history WITHOUT ROWID) with every row, so the audit
 * chain still verifies, the history still replays, and work goes on.
 */
#include "wf_fixtures.h"
#include "audit_rewind.h"

#include "core/ctx.h"
#include "store/store.h"

/* Both tables as migrations 1 and 5 made them, rows kept: a database from before 12. */
static const char as_before_12[] =
	"CREATE TABLE audit_log_old (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL,"
	"  operator_id TEXT NOT NULL, role TEXT NOT NULL, actor_org TEXT NOT NULL,"
	"  action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,"
	"  summary TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"INSERT INTO audit_log_old SELECT * FROM audit_log;"
	"DROP TABLE audit_log;"
	"ALTER TABLE audit_log_old RENAME TO audit_log;"
	"CREATE TABLE history_old (work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  seq INTEGER NOT NULL CHECK (seq >= 1), at BIGINT NOT NULL, kind TEXT NOT NULL,"
	"  operator_id TEXT NOT NULL, role TEXT NOT NULL, actor_org TEXT NOT NULL, event TEXT,"
	"  from_state TEXT, to_state TEXT, note TEXT, delta TEXT NOT NULL,"
	"  PRIMARY KEY (work_order_id, seq));"
	"INSERT INTO history_old SELECT * FROM work_order_history;"
	"DROP TABLE work_order_history;"
	"ALTER TABLE history_old RENAME TO work_order_history;"
	"DELETE FROM pcrm_schema WHERE version = 12;";

static int64_t number(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

static void assert_replays(pcrm_ctx *ctx, const char *id)
{
	pcrm_workorder *a, *b;
	pcrm_assert_ok(pcrm_workorder_get(ctx, &root_admin, id, &a));
	pcrm_assert_ok(pcrm_workorder_replay(ctx, &root_admin, id, &b));
	cr_assert_str_eq(pcrm_workorder_json(a), pcrm_workorder_json(b));
	pcrm_workorder_free(a);
	pcrm_workorder_free(b);
}

static pcrm_ctx *open_file(pcrm_test_store *t)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.clock = pcrm_test_clock;
	opts.clock_data = t;
	pcrm_assert_ok(pcrm_ctx_open(&ctx, t->uri, &opts));
	return ctx;
}

Test(workflow_migration, sqlite_file_from_before_12_keeps_audit_and_history)
{
	char dir[] = "/tmp/pcrm-mig12-XXXXXX", uri[128], cmd[160], id[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_test_store t = { uri, NULL, 0 };
	pcrm_workorder *wo;
	int64_t entries, steps, checked = 0, first_bad = 0;
	int v = 0;

	t.now = cst(2026, 11, 23, 9, 0);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	t.ctx = open_file(&t);
	make_tree(t.ctx);
	define_test(t.ctx);
	pcrm_assert_ok(pcrm_workorder_open(t.ctx, &root_admin, "test", "M1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t.ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t.ctx, &city_agent, id, 2, "wait", NULL, NULL, NULL));
	/* before 12 is before 21 too: one chain of v1 entries */
	pcrm_test_audit_before_22(t.ctx);
	pcrm_assert_ok(t.ctx->store->driver->exec_script(t.ctx->store, as_before_12));
	entries = number(t.ctx, "SELECT COUNT(*) FROM audit_log");
	steps = number(t.ctx, "SELECT COUNT(*) FROM work_order_history");
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	                           "('sqlite_autoindex_audit_log_1', "
	                           "'sqlite_autoindex_work_order_history_1')"),
	             2);
	cr_assert_eq(steps, 3);
	pcrm_ctx_close(t.ctx);

	t.ctx = open_file(&t); /* migrates */
	pcrm_assert_ok(pcrm_ctx_schema_version(t.ctx, &v));
	cr_assert_eq(v, pcrm_schema_version_latest());
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 12"), 1);
	/* the new layout: no separate key index on either table, the history keyed by its PK
	   (schema 21's (chain, chain_seq) index is no key index) */
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
	                           "tbl_name IN ('audit_log', 'work_order_history') AND "
	                           "name <> 'audit_log_chain'"),
	             0);
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = "
	                           "'work_order_history' AND sql LIKE '%WITHOUT ROWID'"),
	             1);
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM audit_log"), entries);
	cr_assert_eq(number(t.ctx, "SELECT COUNT(*) FROM work_order_history"), steps);
	pcrm_assert_ok(pcrm_audit_verify(t.ctx, &root_admin, &checked, &first_bad));
	cr_assert_eq(checked, entries);
	cr_assert_eq(first_bad, 0);
	assert_replays(t.ctx, id);

	/* and work goes on in the new tables */
	pcrm_assert_ok(pcrm_workorder_fire(t.ctx, &city_agent, id, 3, "back", NULL, NULL, NULL));
	assert_replays(t.ctx, id);
	pcrm_assert_ok(pcrm_audit_verify(t.ctx, &root_admin, &checked, &first_bad));
	cr_assert_eq(checked, entries + 1);
	cr_assert_eq(number(t.ctx, "SELECT MAX(seq) FROM audit_log"), entries + 1);
	pcrm_ctx_close(t.ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Every value the work-order tables and the audit head refuse, on either store. */
static void assert_values_refused(pcrm_ctx *ctx)
{
	static const char *const bad[] = {
		"UPDATE work_order SET status = 'bogus'",
		"UPDATE work_order SET overdue = 2",
		"UPDATE work_order SET suspended = -1",
		"UPDATE work_order SET id = 'short'",
		"UPDATE work_order_timer SET scope = 'bogus'",
		"UPDATE work_order_timer SET kind = 'bogus'",
		"UPDATE work_order_timer SET working = 2",
		"UPDATE work_order_timer SET done = 2",
		"UPDATE audit_head SET id = 2",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_neq(pcrm__store_exec(ctx->store, bad[i], NULL, 0, NULL), PCRM_OK,
		              "accepted: %s", bad[i]);
	cr_assert_eq(number(ctx, "SELECT COUNT(*) FROM work_order WHERE status = 'open' AND "
	                         "overdue = 0 AND suspended = 0"),
	             1);
}

/* The schema as migration 13 left it on PostgreSQL: table CHECKs, no domains. */
static const char pg_as_before_14[] =
	"ALTER TABLE work_order ALTER COLUMN status TYPE TEXT,"
	"  ALTER COLUMN overdue TYPE INTEGER, ALTER COLUMN suspended TYPE INTEGER,"
	"  ADD CONSTRAINT work_order_status_check CHECK (status IN ('open', 'closed', 'cancelled')),"
	"  ADD CONSTRAINT work_order_overdue_check CHECK (overdue IN (0, 1)),"
	"  ADD CONSTRAINT work_order_suspended_check CHECK (suspended IN (0, 1));"
	"ALTER TABLE work_order_timer ALTER COLUMN scope TYPE TEXT, ALTER COLUMN kind TYPE TEXT,"
	"  ALTER COLUMN working TYPE INTEGER, ALTER COLUMN done TYPE INTEGER,"
	"  ADD CONSTRAINT work_order_timer_scope_check CHECK (scope IN ('state', 'process')),"
	"  ADD CONSTRAINT work_order_timer_kind_check CHECK (kind IN ('warn', 'due')),"
	"  ADD CONSTRAINT work_order_timer_working_check CHECK (working IN (0, 1)),"
	"  ADD CONSTRAINT work_order_timer_done_check CHECK (done IN (0, 1));"
	"ALTER TABLE audit_head ALTER COLUMN id TYPE INTEGER,"
	"  ADD CONSTRAINT audit_head_id_check CHECK (id = 1);"
	"DROP DOMAIN work_order_status; DROP DOMAIN work_order_flag;"
	"DROP DOMAIN work_order_timer_scope; DROP DOMAIN work_order_timer_kind;"
	"DROP DOMAIN audit_head_id;"
	"DELETE FROM pcrm_schema WHERE version = 14;";

/*
 * Schema 14 moves the value checks of work_order, work_order_timer and
 * audit_head into domains on PostgreSQL: every value refused before is
 * refused after, and a database from before 14 is migrated with its rows,
 * without rewriting work_order, and work goes on.
 */
PCRM_BACKEND_TEST(workflow_migration, value_checks_survive_schema_14)
{
	pcrm_workorder *wo;
	pcrm_ctx *again;
	char id[PCRM_WORKORDER_ID_LEN + 1];
	int64_t checked = 0, first_bad = 0, file;
	int v = 0;

	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "M14", NULL, "3701", NULL,
	                                   &wo));
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	assert_values_refused(t->ctx);
	if (t->ctx->store->driver->kind != PCRM_STORE_POSTGRES)
		return;

	cr_assert_eq(number(t->ctx, "SELECT COUNT(*) FROM pg_type WHERE typname IN "
	                            "('work_order_status', 'work_order_flag', "
	                            "'work_order_timer_scope', 'work_order_timer_kind', "
	                            "'audit_head_id') AND typtype = 'd'"),
	             5);
	pcrm_assert_ok(t->ctx->store->driver->exec_script(t->ctx->store, pg_as_before_14));
	assert_values_refused(t->ctx);
	file = number(t->ctx, "SELECT relfilenode FROM pg_class WHERE relname = 'work_order'");

	again = pcrm_test_open_again(t); /* migrates */
	pcrm_assert_ok(pcrm_ctx_schema_version(again, &v));
	cr_assert_eq(v, pcrm_schema_version_latest());
	cr_assert_eq(number(again, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 14"), 1);
	cr_assert_eq(number(again, "SELECT relfilenode FROM pg_class WHERE relname = 'work_order'"),
	             file, "migration 14 rewrote work_order");
	cr_assert_eq(number(again, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'c' AND "
	                           "conrelid IN ('work_order'::regclass, "
	                           "'work_order_timer'::regclass, 'audit_head'::regclass)"),
	             1, "only work_order's id check stays on the tables");
	assert_values_refused(again);
	assert_replays(again, id);
	pcrm_assert_ok(pcrm_workorder_fire(again, &city_agent, id, 2, "wait", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(again, &city_agent, id, 3, "back", NULL, NULL, NULL));
	assert_replays(again, id);
	pcrm_assert_ok(pcrm_audit_verify(again, &root_admin, &checked, &first_bad));
	cr_assert_eq(first_bad, 0);
	cr_assert_gt(checked, 0);
	pcrm_ctx_close(again);
}
