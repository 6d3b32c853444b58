/*
 * The outbound queue's table after migration 39 (lib/outbound/outbound_schema.c),
 * on both stores: keyed by the message id alone, no foreign keys, and only
 * the indexes that serve a query; an upgraded store keeps every message and
 * the rules that the dropped key and constraints used to give still hold
 * through the API (one message per id, a campaign queued twice adds only new
 * customers, no message for a customer outside the caller's scope).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor job = { "outbound-job", PCRM_ROLE_SYSTEM, 1, "37" };

static int64_t count_rows(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static void add_customer(pcrm_test_store *t, const char *no, const char *org, const char *area)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"张三\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"transformer_area\": \"%s\", \"phones\": {\"mobile\": \"13800138000\"}}",
	         no, org, area);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
}

static void create_campaign(pcrm_test_store *t, const char *id)
{
	char json[1024];
	snprintf(json, sizeof(json),
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"检修停电\","
	         " \"kind\": \"planned_outage\", \"template\": \"台区{transformer_area}停电。\","
	         " \"schedule_at\": \"2026-11-24T09:00:00+08:00\","
	         " \"target\": {\"transformer_areas\": [\"TA-1\", \"TA-2\"],"
	         " \"outage_start\": \"2026-12-05T08:00:00+08:00\","
	         " \"outage_end\": \"2026-12-05T17:00:00+08:00\"}}",
	         id);
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &city_admin, json));
}

static void set_clock(pcrm_test_store *t, const char *iso)
{
	pcrm_assert_ok(pcrm_time_parse(iso, &t->now));
}

/* Every column of every message, in id order, as one string. */
static char *all_messages(pcrm_test_store *t)
{
	static const char sql[] =
		"SELECT org_unit || '|' || id || '|' || customer_no || '|' || COALESCE(campaign_id, '-')"
		" || '|' || COALESCE(work_order_id, '-') || '|' || COALESCE(body, '-') || '|' || status"
		" || '|' || COALESCE(channel, '-') || '|' || CAST(channel_index AS TEXT) || '|' ||"
		" CAST(attempts AS TEXT) || '|' || CAST(not_before AS TEXT) || '|' ||"
		" CAST(created_at AS TEXT) || '|' || CAST(updated_at AS TEXT) || '|' ||"
		" COALESCE(provider_ref, '-') FROM outbound_message ORDER BY id";
	pcrm_rows *rows = NULL;
	size_t len = 0;
	char *out = calloc(1, 1);
	int rc;

	cr_assert_not_null(out);
	pcrm_assert_ok(pcrm__store_query(t->ctx->store, sql, NULL, 0, &rows));
	while ((rc = pcrm__rows_next(rows)) == 1) {
		const char *row = pcrm__rows_text(rows, 0);
		char *grown = realloc(out, len + strlen(row) + 2);
		cr_assert_not_null(grown);
		out = grown;
		memcpy(out + len, row, strlen(row));
		len += strlen(row);
		out[len++] = '\n';
		out[len] = '\0';
	}
	pcrm__rows_free(rows);
	cr_assert_geq(rc, 0);
	return out;
}

/*
 * The names of outbound_message's indexes other than its key, sorted and
 * comma-separated.  A migration that adds an index to the table adds its
 * name to the expected list below; on SQLite migration 39 rebuilds the
 * table, so an index added by a migration numbered below 39 must be created
 * again there or SQLite stores lose it, which this check shows.
 */
static void secondary_indexes_are(pcrm_test_store *t, const char *expected)
{
	static const char lite[] =
		"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbound_message'"
		" AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name";
	static const char pg[] = "SELECT indexname FROM pg_indexes WHERE tablename = "
	                         "'outbound_message' AND indexname <> 'outbound_message_pkey' "
	                         "ORDER BY indexname";
	pcrm_rows *rows = NULL;
	char names[512] = "";
	int rc;

	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 t->ctx->store->driver->kind == PCRM_STORE_POSTGRES ? pg :
	                                                                                      lite,
	                                 NULL, 0, &rows));
	while ((rc = pcrm__rows_next(rows)) == 1) {
		if (names[0])
			strncat(names, ",", sizeof(names) - strlen(names) - 1);
		strncat(names, pcrm__rows_text(rows, 0), sizeof(names) - strlen(names) - 1);
	}
	pcrm__rows_free(rows);
	cr_assert_geq(rc, 0);
	cr_assert_str_eq(names, expected);
}

/* The key is (id) and no foreign key is left, as migration 39 leaves them. */
static void keyed_by_id_without_foreign_keys(pcrm_test_store *t)
{
	if (t->ctx->store->driver->kind == PCRM_STORE_POSTGRES) {
		cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = "
		                           "'outbound_message'::regclass AND contype = 'f'"),
		             0);
		cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM pg_index i JOIN pg_attribute a ON "
		                           "a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE "
		                           "i.indrelid = 'outbound_message'::regclass AND i.indisprimary "
		                           "AND i.indnatts = 1 AND a.attname = 'id'"),
		             1);
	} else {
		cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM pragma_foreign_key_list("
		                           "'outbound_message')"),
		             0);
		cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM pragma_table_info('outbound_message') "
		                           "WHERE pk > 0"),
		             1);
		cr_assert_eq(count_rows(t, "SELECT pk FROM pragma_table_info('outbound_message') "
		                           "WHERE name = 'id'"),
		             1);
	}
	secondary_indexes_are(t, "outbound_message_by_campaign,outbound_message_by_work_order,"
	                         "outbound_message_due");
}

/* Whether `stmt` names `table` as a whole word (not outbound_message_v39, say). */
static int names_table(const char *stmt, const char *table)
{
	size_t n = strlen(table);
	for (const char *p = strstr(stmt, table); p; p = strstr(p + 1, table))
		if ((p == stmt || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return 1;
	return 0;
}

/* Appends to *script the statements of one migration part that name outbound_message. */
static void append_table_statements(pcrm_test_store *t, const char *part, char **script)
{
	char *sql = pcrm__schema_render(part, t->ctx->store->driver->kind), *save = NULL;

	cr_assert_not_null(sql);
	for (char *stmt = strtok_r(sql, ";", &save); stmt; stmt = strtok_r(NULL, ";", &save)) {
		size_t have = strlen(*script);
		char *grown;
		if (!names_table(stmt, "outbound_message"))
			continue;
		grown = realloc(*script, have + strlen(stmt) + 2);
		cr_assert_not_null(grown);
		*script = grown;
		memcpy(grown + have, stmt, strlen(stmt));
		memcpy(grown + have + strlen(stmt), ";", 2);
	}
	free(sql);
}

/*
 * Puts the table back into the form migration 39 finds, rows and all: every
 * statement of migrations 1..38 (lib/store/migrations.c, as released) that
 * names outbound_message, in order (today migration 30's table and indexes
 * and migration 37's index by work order).  Built from the migrations
 * themselves, so a migration below 39 that changes the table is replayed
 * here too, and this test then shows whether 39 keeps what it added.
 */
static void before_migration_39(pcrm_test_store *t)
{
	char *script = strdup("CREATE TABLE outbound_message_saved AS SELECT * FROM outbound_message;"
	                      "DROP TABLE outbound_message;");
	pcrm_store *st = t->ctx->store;
	int replayed = 0;

	cr_assert_not_null(script);
	for (int v = 1; v < 39; v++) {
		const char *sql, *more;
		size_t before = strlen(script);
		if (!pcrm__schema_migration(v, &sql, &more))
			continue;
		append_table_statements(t, sql, &script);
		if (more)
			append_table_statements(t, more, &script);
		replayed += strlen(script) > before;
	}
	cr_assert_geq(replayed, 2, "migrations 30 and 37 at least: %s", script);
	cr_assert(strstr(script, "CREATE TABLE outbound_message ("), "%s", script);
	{
		static const char restore[] = "INSERT INTO outbound_message SELECT * FROM "
		                              "outbound_message_saved;DROP TABLE outbound_message_saved;";
		char *grown = realloc(script, strlen(script) + sizeof(restore));
		cr_assert_not_null(grown);
		script = strcat(grown, restore);
	}
	pcrm_assert_ok(st->driver->exec_script(st, script));
	free(script);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message WHERE id = 'm1'"), 1);
	/* the old key is back: what 39 replaces */
	secondary_indexes_are(t, "outbound_message_by_campaign,outbound_message_by_id,"
	                         "outbound_message_by_work_order,outbound_message_due");
}

/* Migration 39 as released, in a transaction as the library runs it. */
static void run_migration_39(pcrm_test_store *t)
{
	pcrm_store *st = t->ctx->store;
	const char *part, *more;
	char *sql;

	cr_assert(pcrm__schema_migration(39, &part, &more));
	cr_assert_null(more);
	sql = pcrm__schema_render(part, st->driver->kind);
	cr_assert_not_null(sql);
	pcrm_assert_ok(pcrm__store_begin(st));
	pcrm_assert_ok(pcrm__store_finish(st, st->driver->exec_script(st, sql)));
	free(sql);
}

PCRM_BACKEND_TEST(outbound_schema, a_fresh_store_is_keyed_by_id_without_foreign_keys)
{
	keyed_by_id_without_foreign_keys(t);
}

PCRM_BACKEND_TEST(outbound_schema, migration_39_keeps_every_message_and_the_rules_hold)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_outbound_channels ch = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	char *before, *after;
	int64_t n = -1;

	make_tree(t->ctx);
	set_clock(t, "2026-11-23T09:00:00+08:00");
	add_customer(t, "C1", "3701", "TA-1");
	add_customer(t, "C2", "37010201", "TA-2");
	add_customer(t, "C9", "3702", "TA-1"); /* another city: out of the campaign's scope */
	pcrm_assert_ok(pcrm_outbound_queue(t->ctx, &city_clerk, "C1",
	                                   "{\"id\": \"m1\", \"body\": \"您的工单已受理。\"}", NULL,
	                                   0));
	create_campaign(t, "OUT-1");
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n));
	cr_assert_eq(n, 2);
	/* a pass with no gateway at all fails m1 for good: rows in more than one state */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &ch, &policy, 10, &pass));
	before = all_messages(t);
	cr_assert(strstr(before, "|failed|") && strstr(before, "|queued|"), "%s", before);

	before_migration_39(t);
	run_migration_39(t);
	keyed_by_id_without_foreign_keys(t);
	after = all_messages(t);
	cr_assert_str_eq(after, before);

	/* what the key and the constraints gave, the API still gives */
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &city_clerk, "C1",
	                                      "{\"id\": \"m1\", \"body\": \"again\"}", NULL, 0),
	                  PCRM_EDUPLICATE, "id");
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &city_clerk, "NO-SUCH",
	                                      "{\"body\": \"x\"}", NULL, 0),
	                  PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n));
	cr_assert_eq(n, 0);
	add_customer(t, "C3", "370102", "TA-2");
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message m WHERE NOT EXISTS "
	                           "(SELECT 1 FROM customer c WHERE c.customer_no = m.customer_no "
	                           "AND c.org_unit = m.org_unit)"),
	             0);
	free(before);
	free(after);
}
