/*
 * What a batched timer tick wrote, checked against its own entry.
 *
 * A tick applies the timers that only warn, flag or notify to many work
 * orders at once (lib/workflow/tick.c) with one audit entry,
 * "workorder.tick", naming no single work order: it appends history entries
 * and rewrites five columns of each row (updated_at, due_at, overdue,
 * version, steps) that the work order's own entries therefore cannot hold
 * in the digest they are checked with for ever (cover.c, "work_order"
 * revision 3 holds them apart, compared only while no tick came since).
 * Instead the tick's entry lists, for every history entry it wrote, a digest
 * ("covers") of that entry and, with the work order's last entry in the
 * batch, one of the five columns as the tick left them ("row_covers").  The summary is in the
 * chain, so verification recomputes each digest from the store, one query
 * per tick entry:
 *
 *   - the history entry must be there as written (history is append-only,
 *     so this holds for ever);
 *   - while it is its work order's newest (the row's step count is its
 *     seq), the five columns must be as the tick left them; a later change
 *     of the work order is a later tick's item or the work order's own entry
 *     (revision 3), which then vouch for them;
 *   - the row's step count may never be below it (steps only grow).
 *
 * Nothing is read while ticking: the digest is taken of the values the tick
 * binds, rendered as the store gives them back (integers in decimal, NULL
 * as its own mark), as cover.c's written digests are.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit_internal.h"
#include "audit_verify.h"
#include "core/error.h"

int pcrm__audit_tick_digest(const pcrm_sql_value *values, int n,
                            char out[PCRM_SHA256_HEX_LEN + 1])
{
	pcrm_sha256 *h;
	int rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__audit_hash_values(h, values, NULL, n);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, out);
	pcrm__sha256_free(h);
	return rc;
}

/* The digest of columns first..first+n-1 of the current row: *same when it is `hex`. */
static int same_digest(pcrm_rows *rows, int first, int n, const char *hex, int *same)
{
	char now[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sha256 *h;
	int rc = pcrm__sha256_new(&h);
	*same = 0;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__audit_hash_row(h, rows, first, n);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, now);
	pcrm__sha256_free(h);
	*same = rc == PCRM_OK && hex && strcmp(now, hex) == 0;
	return rc;
}

/*
 * The listed history entries and the rows of their work orders, in the
 * order pcrm__audit_tick_digest() takes them: the history entry's columns
 * as lib/workflow binds them, then the five row columns, then the step
 * count alone (which decides whether the row part applies).
 */
#define TICK_COLUMNS                                                                          \
	"h.work_order_id, h.seq, h.at, h.kind, h.operator_id, h.role, h.actor_org, h.event, "    \
	"h.from_state, h.to_state, h.note, h.delta, w.updated_at, w.due_at, w.overdue, "         \
	"w.version, w.steps, w.steps"

static const char tick_rows_sqlite[] =
	"SELECT " TICK_COLUMNS " FROM json_each($1) j JOIN work_order_history h "
	"ON h.work_order_id = json_extract(j.value, '$.id') "
	"AND h.seq = json_extract(j.value, '$.seq') "
	"LEFT JOIN work_order w ON w.id = h.work_order_id";

static const char tick_rows_pg[] =
	"SELECT " TICK_COLUMNS " FROM json_to_recordset($1::json) AS j(id text, seq bigint) "
	"JOIN work_order_history h ON h.work_order_id = j.id AND h.seq = j.seq "
	"LEFT JOIN work_order w ON w.id = h.work_order_id";

/* "<id>/<seq>": the key an item is found by */
static void item_key(const char *id, int64_t seq, char *out, size_t size)
{
	snprintf(out, size, "%.40s/%" PRId64, id, seq);
}

/* Room for a work order id and a seq. */
#define KEY_MAX 64

/*
 * Compares one row of tick_rows_* with its item: *what is NULL when it
 * matches, else what differs.
 */
static int compare_row(pcrm_rows *rows, json_t *item, const char **what)
{
	int64_t seq = pcrm__rows_int(rows, 1);
	const char *row_covers = json_string_value(json_object_get(item, "row_covers"));
	int same, rc;

	*what = NULL;
	if (pcrm__rows_is_null(rows, 17) || pcrm__rows_int(rows, 17) < seq) {
		*what = "its step count"; /* below an entry the tick wrote, or the row is gone */
		return PCRM_OK;
	}
	rc = same_digest(rows, 0, PCRM__AUDIT_TICK_HISTORY_COLUMNS,
	                 json_string_value(json_object_get(item, "covers")), &same);
	if (rc == PCRM_OK && !same)
		*what = "its history entry";
	/* the row as the batch left it, while nothing changed the work order since */
	if (rc == PCRM_OK && same && row_covers && pcrm__rows_int(rows, 17) == seq) {
		rc = same_digest(rows, PCRM__AUDIT_TICK_HISTORY_COLUMNS, PCRM__AUDIT_TICK_ROW_COLUMNS,
		                 row_covers, &same);
		if (rc == PCRM_OK && !same)
			*what = "its row";
	}
	return rc;
}

/* The items that carry a digest (a tick before this check lists none), by "<id>/<seq>". */
static int index_items(const json_t *items, json_t *by_key)
{
	size_t i;
	json_t *item;
	json_array_foreach (items, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		char key[KEY_MAX];
		if (!id || !json_is_string(json_object_get(item, "covers")))
			continue;
		item_key(id, json_integer_value(json_object_get(item, "seq")), key, sizeof(key));
		if (json_object_set(by_key, key, item) != 0)
			return pcrm__error_oom();
	}
	return PCRM_OK;
}

int pcrm__audit_check_tick(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                           const char *summary_text)
{
	json_t *summary = json_loads(summary_text, 0, NULL), *by_key = json_object();
	const json_t *items = json_object_get(summary, "work_orders");
	const char *what = NULL, *bad = NULL;
	char *list = NULL;
	pcrm_rows *rows = NULL;
	int rc = by_key ? PCRM_OK : pcrm__error_oom();

	/* the entry's hash matched: a summary of another shape is the library's, not an attack */
	if (rc == PCRM_OK && json_is_array(items))
		rc = index_items(items, by_key);
	if (rc == PCRM_OK && json_object_size(by_key) > 0) {
		if (!(list = json_dumps(items, JSON_COMPACT)))
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK && list) {
		pcrm_sql_value p[1] = { PCRM_SQL_S(list) };
		rc = pcrm__store_query(ctx->store,
		                       ctx->store->driver->kind == PCRM_STORE_POSTGRES ? tick_rows_pg :
		                                                                       tick_rows_sqlite,
		                       p, 1, &rows);
	}
	while (rc == PCRM_OK && rows && (rc = pcrm__rows_next(rows)) == 1) {
		char key[KEY_MAX];
		json_t *item;
		const char *id = pcrm__rows_text(rows, 0), *differs = NULL;
		rc = PCRM_OK;
		item_key(id ? id : "", pcrm__rows_int(rows, 1), key, sizeof(key));
		if (!(item = json_object_get(by_key, key)) || json_object_get(item, "checked"))
			continue;
		rc = compare_row(rows, item, &differs);
		if (rc == PCRM_OK && differs && !bad) {
			bad = json_string_value(json_object_get(item, "id"));
			what = differs;
		}
		if (rc == PCRM_OK && json_object_set_new(item, "checked", json_true()) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc > 0)
		rc = PCRM_OK;
	if (rc == PCRM_OK && !bad) { /* an item whose history entry is gone */
		const char *key;
		json_t *item;
		json_object_foreach (by_key, key, item)
			if (!json_object_get(item, "checked") && !bad) {
				bad = json_string_value(json_object_get(item, "id"));
				what = "its history entry";
			}
	}
	if (rc == PCRM_OK && bad)
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "audit chain %s: entry %" PRId64 ": work order %.40s: %s no longer "
		                 "matches what the timer tick recorded (changed outside the library)",
		                 chain, chain_seq, bad, what);
	free(list);
	json_decref(by_key);
	json_decref(summary);
	return rc;
}
