/*
 * The two ticket lists of the periodic report: overdue open tickets and
 * repeat tickets, each bounded by the request's limit and carrying the
 * total, so a printed page says "20 of 312".  Both read the tickets of the
 * period in the scope the statistics read (the same conditions as the
 * overdue_open and repeat statistics, so a list's total equals its count),
 * ordered by acceptance time, then serial: the same report twice lists the
 * same tickets in the same order.  No sealed field is read.
 *
 * An overdue ticket's "deadline" is its work order's due_at: the earliest
 * time limit still running (after the state limit passed, the process
 * limit), null once every limit has passed (the engine drops an expired
 * timer).  "missed_due_at" is the due time it missed, which the list must
 * show then too: the earliest of the ticket's reply deadline (reply_due_at,
 * fixed at filing) and its work order's named clocks' due times (kept in
 * the clocks record after they pass) that lies before now and was not met.
 */
#include <stdlib.h>
#include <string.h>

#include "complaint_report_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store/store.h"

/* The tickets of the period in the subtree, merged duplicates left out (as the statistics). */
#define FROM_PERIOD                                                                    \
	" FROM complaint c JOIN org_unit o ON o.code = c.responsible_unit"              \
	" JOIN work_order w ON w.id = c.work_order_id"                                  \
	" WHERE substr(o.path, 1, length($1)) = $1 AND c.accepted_at >= $2"              \
	" AND c.accepted_at < $3 AND c.status <> 'merged'"

#define OVERDUE_WHERE " AND c.replied_at IS NULL AND w.overdue = 1"
#define REPEAT_WHERE " AND c.repeat_of IS NOT NULL"

static const char overdue_count[] = "SELECT COUNT(*)" FROM_PERIOD OVERDUE_WHERE;
static const char overdue_rows[] =
	"SELECT c.serial, c.responsible_unit, o.name, c.category, c.accepted_at, w.due_at,"
	" c.description, c.reply_due_at, w.clocks" FROM_PERIOD OVERDUE_WHERE
	" ORDER BY c.accepted_at, c.serial LIMIT $4";
static const char repeat_count[] = "SELECT COUNT(*)" FROM_PERIOD REPEAT_WHERE;
static const char repeat_rows[] =
	"SELECT c.serial, c.responsible_unit, o.name, c.category, c.accepted_at, c.repeat_of,"
	" c.description" FROM_PERIOD REPEAT_WHERE " ORDER BY c.accepted_at, c.serial LIMIT $4";

static int instant(pcrm_time t, int utc_offset, json_t **out)
{
	char buf[32];
	int rc = pcrm_time_format(t, utc_offset, buf, sizeof(buf));
	*out = rc == PCRM_OK ? json_string(buf) : NULL;
	return rc != PCRM_OK ? rc : *out ? PCRM_OK : pcrm__error_oom();
}

/*
 * One ticket of a list.  Column 5 is the deadline (overdue list) or the
 * earlier ticket's serial (repeat list), named `fifth`.
 */
static int ticket(pcrm_rows *rows, int utc_offset, const char *fifth, json_t **out)
{
	json_t *t = json_object(), *v = NULL;
	int rc = t ? PCRM_OK : pcrm__error_oom();
	static const char *const text_cols[] = { "serial", "responsible_unit", "unit_name",
		                                 "category" };

	for (int i = 0; rc == PCRM_OK && i < 4; i++)
		if (json_object_set_new(t, text_cols[i], json_string(pcrm__rows_text(rows, i))) != 0)
			rc = pcrm__error_oom();
	if (rc == PCRM_OK && (rc = instant(pcrm__rows_int(rows, 4), utc_offset, &v)) == PCRM_OK &&
	    json_object_set_new(t, "accepted_at", v) != 0)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK && pcrm__rows_is_null(rows, 5))
		v = json_null();
	else if (rc == PCRM_OK && strcmp(fifth, "deadline") == 0)
		rc = instant(pcrm__rows_int(rows, 5), utc_offset, &v);
	else if (rc == PCRM_OK)
		v = json_string(pcrm__rows_text(rows, 5));
	if (rc == PCRM_OK && json_object_set_new(t, fifth, v) != 0)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK &&
	    json_object_set_new(t, "description", json_string(pcrm__rows_text(rows, 6))) != 0)
		rc = pcrm__error_oom();
	if (rc != PCRM_OK) {
		json_decref(t);
		return rc;
	}
	*out = t;
	return PCRM_OK;
}

/* A due time passed by `now` and not met lowers *missed (0: none yet). */
static void consider(pcrm_time due, pcrm_time now, pcrm_time *missed)
{
	if (due > 0 && due <= now && (*missed == 0 || due < *missed))
		*missed = due;
}

/*
 * The overdue list's "missed_due_at" (columns 7 reply_due_at and 8 the work
 * order's clocks record): a clock stopped in time ("result": "met") or
 * without a limit ("due" absent) missed nothing.
 */
static int add_missed(pcrm_rows *rows, pcrm_time now, int utc_offset, json_t *t)
{
	pcrm_time missed = 0;
	json_t *clocks = NULL, *v = NULL, *rec;
	const char *name;
	int rc = PCRM_OK;

	if (!pcrm__rows_is_null(rows, 7))
		consider(pcrm__rows_int(rows, 7), now, &missed);
	if (!pcrm__rows_is_null(rows, 8))
		clocks = json_loads(pcrm__rows_text(rows, 8), 0, NULL);
	json_object_foreach(clocks, name, rec) {
		const char *result = json_string_value(json_object_get(rec, "result"));
		if (!result || strcmp(result, "met") != 0)
			consider(json_integer_value(json_object_get(rec, "due")), now, &missed);
	}
	json_decref(clocks);
	if (missed == 0)
		v = json_null();
	else
		rc = instant(missed, utc_offset, &v);
	if (rc == PCRM_OK && json_object_set_new(t, "missed_due_at", v) != 0)
		rc = pcrm__error_oom();
	return rc;
}

static int one_list(pcrm_ctx *ctx, const char *count_sql, const char *rows_sql, const char *fifth,
                    const pcrm_sql_value *p, int limit, json_t **out)
{
	int64_t total = 0;
	pcrm_rows *rows = NULL;
	json_t *list, *tickets;
	int rc = pcrm__store_query_int(ctx->store, count_sql, p, 3, &total);

	if (rc != PCRM_OK)
		return rc;
	list = json_pack("{s:I, s:i, s:[]}", "total", (json_int_t)total, "limit", limit, "tickets");
	if (!list)
		return pcrm__error_oom();
	tickets = json_object_get(list, "tickets");
	rc = pcrm__store_query(ctx->store, rows_sql, p, 4, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		json_t *t = NULL;
		rc = ticket(rows, ctx->utc_offset, fifth, &t);
		if (rc == PCRM_OK && strcmp(fifth, "deadline") == 0) {
			rc = add_missed(rows, pcrm_ctx_now(ctx), ctx->utc_offset, t);
			if (rc != PCRM_OK)
				json_decref(t);
		}
		if (rc == PCRM_OK && json_array_append_new(tickets, t) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm__report_lists(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to, int limit,
                       json_t *report)
{
	pcrm_sql_value p[4] = { PCRM_SQL_S(scope), PCRM_SQL_I(from), PCRM_SQL_I(to),
		                PCRM_SQL_I(limit) };
	json_t *overdue = NULL, *repeats = NULL;
	int rc = one_list(ctx, overdue_count, overdue_rows, "deadline", p, limit, &overdue);
	if (rc == PCRM_OK)
		rc = one_list(ctx, repeat_count, repeat_rows, "repeat_of", p, limit, &repeats);
	if (rc == PCRM_OK) {
		/* json_object_set_new() takes the reference whether it succeeds or not */
		int failed = json_object_set_new(report, "overdue", overdue) != 0;
		failed |= json_object_set_new(report, "repeats", repeats) != 0;
		return failed ? pcrm__error_oom() : PCRM_OK;
	}
	json_decref(overdue);
	json_decref(repeats);
	return rc;
}
