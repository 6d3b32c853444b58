/*
 * Complaint statistics for a period, grouped by one or two keys.  What a
 * ticket's own row decides (received, handled, ..., lateness of replies)
 * comes from the per-day summary for the whole summary days inside the
 * period and from the ticket rows for the partial days at its edges, in one
 * GROUP BY over both; what depends on the clock (the overdue flag of the
 * work order, the overdue time of tickets not yet replied to) is read from
 * the unreplied tickets of the period (the complaint_unreplied index) and
 * added here.  The direct computation reads the ticket rows for the whole
 * period instead of the summary and is otherwise the same code, which is
 * what the tests compare.  Rates are computed here as exact decimals.  The
 * definitions are in docs/complaints.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "org/org_internal.h"
#include "store/store.h"

#define RATE_SCALE 4

struct pcrm_complaint_stats {
	pcrm_complaint_stat *rows;
	size_t count;
	pcrm_time now; /* the context's clock when computed: the open tickets' overdue time */
	char *json;
};

/* The grouping keys and the column each reads: the library's own identifiers only. */
static const struct {
	const char *name, *column;
} keys[] = {
	{ "responsible_unit", "responsible_unit" }, { "category", "category" },
	{ "nature", "nature" },                     { "channel", "channel" },
	{ "org_unit", "org_unit" },
};

static const char *key_column(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
			return keys[i].column;
	return NULL;
}

static int parse_group_by(const char *group_by, const char **k1, const char **k2)
{
	const char *comma = group_by ? strchr(group_by, ',') : NULL;
	*k1 = *k2 = NULL;
	if (!group_by || !*group_by)
		return pcrm__error(PCRM_EINVAL, "group_by: missing (one key or two separated by a comma)");
	*k1 = key_column(group_by, comma ? (size_t)(comma - group_by) : strlen(group_by));
	if (comma)
		*k2 = key_column(comma + 1, strlen(comma + 1));
	if (!*k1 || (comma && !*k2))
		return pcrm__error(PCRM_EINVAL, "group_by: keys are responsible_unit, category, nature, "
		                                "channel, org_unit (one or two, comma-separated)");
	if (*k2 && strcmp(*k1, *k2) == 0)
		return pcrm__error(PCRM_EINVAL, "group_by: the same key twice");
	return PCRM_OK;
}

void pcrm_complaint_stats_free(pcrm_complaint_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		free((char *)s->rows[i].key1);
		free((char *)s->rows[i].key2);
	}
	free(s->rows);
	free(s->json);
	free(s);
}

size_t pcrm_complaint_stats_count(const pcrm_complaint_stats *s) { return s ? s->count : 0; }

const pcrm_complaint_stat *pcrm_complaint_stats_at(const pcrm_complaint_stats *s, size_t i)
{
	return s && i < s->count ? &s->rows[i] : NULL;
}

const char *pcrm_complaint_stats_json(const pcrm_complaint_stats *s) { return s ? s->json : NULL; }

static int rate(int64_t num, int64_t den, pcrm_decimal *out)
{
	*out = pcrm_decimal_make(0, RATE_SCALE);
	if (den == 0)
		return PCRM_OK;
	return pcrm_decimal_div(pcrm_decimal_from_int(num), pcrm_decimal_from_int(den), RATE_SCALE,
	                        PCRM_ROUND_HALF_UP, out);
}

/* Columns 2..11 of the main query: everything the ticket rows decide. */
static int read_row(pcrm_rows *rows, int two, pcrm_complaint_stat *r)
{
	memset(r, 0, sizeof(*r));
	r->key1 = strdup(pcrm__rows_text(rows, 0));
	r->key2 = two ? strdup(pcrm__rows_text(rows, 1)) : NULL;
	if (!r->key1 || (two && !r->key2))
		return pcrm__error_oom();
	r->received = pcrm__rows_int(rows, 2);
	r->handled = pcrm__rows_int(rows, 3);
	r->substantiated = pcrm__rows_int(rows, 4);
	r->repeat = pcrm__rows_int(rows, 5);
	r->visited = pcrm__rows_int(rows, 6);
	r->satisfied = pcrm__rows_int(rows, 7);
	r->avg_handling_seconds = pcrm__rows_int(rows, 8); /* the total until finish_row() */
	r->overdue = pcrm__rows_int(rows, 9);
	r->overdue_seconds = pcrm__rows_int(rows, 10);
	return PCRM_OK;
}

static int finish_row(pcrm_complaint_stat *r)
{
	int rc;
	r->avg_handling_seconds = r->handled ? r->avg_handling_seconds / r->handled : -1;
	r->avg_overdue_seconds = r->overdue ? r->overdue_seconds / r->overdue : -1;
	rc = rate(r->handled, r->received, &r->reply_rate);
	if (rc == PCRM_OK)
		rc = rate(r->visited, r->handled, &r->return_visit_rate);
	if (rc == PCRM_OK)
		rc = rate(r->satisfied, r->visited, &r->satisfaction_rate);
	return rc;
}

/* Groups in byte order of their keys, the same on both engines whatever their collation. */
static int compare_keys(const char *a1, const char *a2, const char *b1, const char *b2)
{
	int c = strcmp(a1, b1);
	return c ? c : strcmp(a2 ? a2 : "", b2 ? b2 : "");
}

static int compare_rows(const void *a, const void *b)
{
	const pcrm_complaint_stat *x = a, *y = b;
	return compare_keys(x->key1, x->key2, y->key1, y->key2);
}

static pcrm_complaint_stat *find_row(pcrm_complaint_stats *s, const char *k1, const char *k2)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_keys(k1, k2, s->rows[mid].key1, s->rows[mid].key2);
		if (c == 0)
			return &s->rows[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The part of [from, to) covered by whole summary days: days [*d0, *d1), instants [*a0, *a1). */
static void summary_days(pcrm_time from, pcrm_time to, int64_t *d0, int64_t *d1, pcrm_time *a0,
                         pcrm_time *a1)
{
	const int64_t off = PCRM__COMPLAINT_DAY_OFFSET, day = 86400;
	int64_t f = from + off, t = to + off;
	*d0 = f / day + (f % day > 0); /* ceil: C division truncates toward zero */
	*d1 = t / day - (t % day < 0); /* floor */
	if (*d0 >= *d1) { /* no whole day: everything from the tickets */
		*d0 = *d1 = 0;
		*a0 = *a1 = to;
		return;
	}
	*a0 = *d0 * day - off;
	*a1 = *d1 * day - off;
}

/*
 * The tickets' own contribution over [lo, hi), one range each so both
 * engines read it through complaint_by_unit_time (an OR of two ranges made
 * PostgreSQL scan the table).
 */
#define TICKET_PART(lo, hi)                                                                    \
	"SELECT c.%s, %s%s, 1, CASE WHEN c.replied_at IS NOT NULL THEN 1 ELSE 0 END, "            \
	"CASE WHEN c.substantiated = 1 THEN 1 ELSE 0 END, "                                       \
	"CASE WHEN c.repeat_of IS NOT NULL THEN 1 ELSE 0 END, "                                   \
	"CASE WHEN c.visited_at IS NOT NULL THEN 1 ELSE 0 END, "                                  \
	"CASE WHEN c.satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END, "    \
	"COALESCE(c.replied_at - c.accepted_at, 0), "                                             \
	"CASE WHEN c.late_seconds > 0 THEN 1 ELSE 0 END, COALESCE(c.late_seconds, 0) "            \
	"FROM complaint c JOIN org_unit o ON o.code = c.responsible_unit "                        \
	"WHERE substr(o.path, 1, length($1)) = $1 AND c.status <> 'merged' "                      \
	"AND c.accepted_at >= " lo " AND c.accepted_at < " hi

/*
 * The main query: sums per group over the summary's whole days and the
 * tickets of [from, a0) and [a1, to).  The direct computation passes no
 * summary days and a0 = a1 = to, so all of [from, to) comes from tickets.
 */
static int main_query(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to,
                      const char *k1, const char *k2, int use_summary, pcrm_complaint_stats *s)
{
	struct pcrm__strbuf sql = { 0 };
	int64_t d0 = 0, d1 = 0;
	pcrm_time a0 = to, a1 = to;
	pcrm_sql_value p[7];
	pcrm_rows *rows = NULL;
	size_t cap = 0;
	int rc;

	if (use_summary)
		summary_days(from, to, &d0, &d1, &a0, &a1);
	p[0] = PCRM_SQL_S(scope);
	p[1] = PCRM_SQL_I(from);
	p[2] = PCRM_SQL_I(to);
	p[3] = PCRM_SQL_I(d0);
	p[4] = PCRM_SQL_I(d1);
	p[5] = PCRM_SQL_I(a0);
	p[6] = PCRM_SQL_I(a1);
	pcrm__strbuf_add(&sql,
	                 "SELECT k1, k2, SUM(received), SUM(handled), SUM(substantiated), "
	                 "SUM(repeats), SUM(visited), SUM(satisfied), SUM(handling_seconds), "
	                 "SUM(late), SUM(late_seconds) FROM ("
	                 "SELECT d.%s AS k1, %s%s AS k2, d.received, d.handled, d.substantiated, "
	                 "d.repeats, d.visited, d.satisfied, d.handling_seconds, d.late, "
	                 "d.late_seconds FROM complaint_day d "
	                 "JOIN org_unit o ON o.code = d.responsible_unit "
	                 "WHERE substr(o.path, 1, length($1)) = $1 AND d.day >= $4 AND d.day < $5 "
	                 "UNION ALL " TICKET_PART("$2", "$6") " UNION ALL " TICKET_PART("$7", "$3")
	                 ") t GROUP BY k1, k2 HAVING SUM(received) > 0",
	                 k1, k2 ? "d." : "", k2 ? k2 : "''", k1, k2 ? "c." : "", k2 ? k2 : "''", k1,
	                 k2 ? "c." : "", k2 ? k2 : "''");
	if (sql.failed)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql.p, p, 7, &rows);
	free(sql.p);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		if (s->count == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			pcrm_complaint_stat *n = realloc(s->rows, ncap * sizeof(*n));
			if (!n) {
				rc = pcrm__error_oom();
				break;
			}
			s->rows = n;
			cap = ncap;
		}
		rc = read_row(rows, k2 != NULL, &s->rows[s->count]);
		s->count++; /* a half-read row is freed with the rest */
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (s->count > 1)
		qsort(s->rows, s->count, sizeof(*s->rows), compare_rows);
	return PCRM_OK;
}

/*
 * What the clock decides, from the tickets of the period not replied to:
 * overdue_open (the work order flagged overdue) and the overdue time of
 * those whose reply deadline lies before now, counted up to now on their
 * definition's calendar.
 */
static int open_query(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to,
                      pcrm_time now, const char *k1, const char *k2, pcrm_complaint_stats *s)
{
	struct pcrm__strbuf sql = { 0 };
	pcrm_sql_value p[4] = { PCRM_SQL_S(scope), PCRM_SQL_I(from), PCRM_SQL_I(to),
		                PCRM_SQL_I(now) };
	pcrm_rows *rows = NULL;
	int rc;

	pcrm__strbuf_add(&sql,
	                 "SELECT c.%s, %s%s, w.overdue, c.reply_due_at, w.workflow, "
	                 "w.workflow_version FROM complaint c "
	                 "JOIN org_unit o ON o.code = c.responsible_unit "
	                 "JOIN work_order w ON w.id = c.work_order_id "
	                 "WHERE substr(o.path, 1, length($1)) = $1 AND c.replied_at IS NULL "
	                 "AND c.accepted_at >= $2 AND c.accepted_at < $3 AND c.status <> 'merged' "
	                 "AND (w.overdue = 1 OR c.reply_due_at < $4)",
	                 k1, k2 ? "c." : "", k2 ? k2 : "''");
	if (sql.failed)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql.p, p, 4, &rows);
	free(sql.p);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm_complaint_stat *r =
			find_row(s, pcrm__rows_text(rows, 0), k2 ? pcrm__rows_text(rows, 1) : NULL);
		pcrm_time due = pcrm__rows_is_null(rows, 3) ? 0 : pcrm__rows_int(rows, 3);
		int64_t late = 0;
		if (!r) { /* every such ticket was received in the period: a change meanwhile */
			rc = pcrm__error(PCRM_ECONFLICT, "tickets changed while the statistics were "
			                                 "read; compute them again");
			break;
		}
		r->overdue_open += pcrm__rows_int(rows, 2) == 1;
		rc = pcrm__complaint_late_seconds(ctx, pcrm__rows_text(rows, 4),
		                                  (int)pcrm__rows_int(rows, 5), due, now, &late);
		if (rc == PCRM_OK && late > 0) {
			r->overdue++;
			r->overdue_seconds += late;
		}
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int query(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to, const char *k1,
                 const char *k2, int use_summary, pcrm_complaint_stats *s)
{
	int rc = main_query(ctx, scope, from, to, k1, k2, use_summary, s);
	if (rc == PCRM_OK)
		rc = open_query(ctx, scope, from, to, s->now, k1, k2, s);
	for (size_t i = 0; rc == PCRM_OK && i < s->count; i++)
		rc = finish_row(&s->rows[i]);
	return rc;
}

static json_t *decimal_json(pcrm_decimal d)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	return pcrm_decimal_format(d, buf, sizeof(buf)) == PCRM_OK ? json_string(buf) : NULL;
}

static int build_json(pcrm_complaint_stats *s, pcrm_time from, pcrm_time to, const char *group_by)
{
	json_t *doc = json_pack("{s:I, s:I, s:I, s:s, s:[]}", "from", (json_int_t)from, "to",
	                        (json_int_t)to, "now", (json_int_t)s->now, "group_by", group_by,
	                        "rows");
	json_t *arr = json_object_get(doc, "rows");
	for (size_t i = 0; doc && i < s->count; i++) {
		const pcrm_complaint_stat *r = &s->rows[i];
		json_t *o = json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o?, s:o?, s:o?}",
		                      "key1", r->key1, "key2", r->key2, "received",
		                      (json_int_t)r->received, "handled", (json_int_t)r->handled,
		                      "overdue_open", (json_int_t)r->overdue_open, "substantiated",
		                      (json_int_t)r->substantiated, "repeat", (json_int_t)r->repeat,
		                      "visited", (json_int_t)r->visited, "satisfied",
		                      (json_int_t)r->satisfied, "reply_rate", decimal_json(r->reply_rate),
		                      "return_visit_rate", decimal_json(r->return_visit_rate),
		                      "satisfaction_rate", decimal_json(r->satisfaction_rate));
		if (o && r->avg_handling_seconds >= 0)
			json_object_set_new(o, "avg_handling_seconds",
			                    json_integer(r->avg_handling_seconds));
		if (o) {
			json_object_set_new(o, "overdue", json_integer(r->overdue));
			json_object_set_new(o, "overdue_seconds", json_integer(r->overdue_seconds));
		}
		if (o && r->avg_overdue_seconds >= 0)
			json_object_set_new(o, "avg_overdue_seconds",
			                    json_integer(r->avg_overdue_seconds));
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(doc);
			return pcrm__error_oom();
		}
	}
	s->json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return s->json ? PCRM_OK : pcrm__error_oom();
}

static int compute(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit, pcrm_time from,
                   pcrm_time to, const char *group_by, int use_summary,
                   pcrm_complaint_stats **out)
{
	const char *k1, *k2;
	char *scope = NULL;
	pcrm_complaint_stats *s = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && to <= from)
		rc = pcrm__error(PCRM_EINVAL, "to: not after from (the period is [from, to))");
	if (rc == PCRM_OK)
		rc = parse_group_by(group_by, &k1, &k2);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, org_unit, &scope);
	if (rc == PCRM_OK)
		rc = (s = calloc(1, sizeof(*s))) ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK) {
		s->now = pcrm_ctx_now(ctx);
		rc = query(ctx, scope, from, to, k1, k2, use_summary, s);
	}
	if (rc == PCRM_OK)
		rc = build_json(s, from, to, group_by);
	free(scope);
	if (rc != PCRM_OK) {
		pcrm_complaint_stats_free(s);
		return rc;
	}
	*out = s;
	return PCRM_OK;
}

int pcrm_complaint_stats_compute(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                                 pcrm_time from, pcrm_time to, const char *group_by,
                                 pcrm_complaint_stats **out)
{
	return compute(ctx, actor, org_unit, from, to, group_by, 1, out);
}

int pcrm_complaint_stats_compute_direct(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *org_unit, pcrm_time from, pcrm_time to,
                                        const char *group_by, pcrm_complaint_stats **out)
{
	return compute(ctx, actor, org_unit, from, to, group_by, 0, out);
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void csv_field(struct pcrm__strbuf *b, const char *v)
{
	if (!v)
		return;
	if (!strpbrk(v, ",\"\r\n")) {
		pcrm__strbuf_add(b, "%s", v);
		return;
	}
	pcrm__strbuf_add(b, "\"");
	for (; *v; v++)
		pcrm__strbuf_add(b, *v == '"' ? "\"\"" : "%c", *v);
	pcrm__strbuf_add(b, "\"");
}

int pcrm_complaint_stats_csv(const pcrm_complaint_stats *s, char **out)
{
	struct pcrm__strbuf b = { 0 };
	if (!s || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", !s ? "stats" : "out");
	pcrm__strbuf_add(&b, "key1,key2,received,handled,overdue_open,substantiated,repeat,visited,"
	                     "satisfied,reply_rate,return_visit_rate,satisfaction_rate,"
	                     "avg_handling_seconds,overdue,overdue_seconds,avg_overdue_seconds\r\n");
	for (size_t i = 0; i < s->count; i++) {
		const pcrm_complaint_stat *r = &s->rows[i];
		char rates[3][PCRM_DECIMAL_STRING_MAX];
		pcrm_decimal_format(r->reply_rate, rates[0], sizeof(rates[0]));
		pcrm_decimal_format(r->return_visit_rate, rates[1], sizeof(rates[1]));
		pcrm_decimal_format(r->satisfaction_rate, rates[2], sizeof(rates[2]));
		csv_field(&b, r->key1);
		pcrm__strbuf_add(&b, ",");
		csv_field(&b, r->key2);
		pcrm__strbuf_add(&b, ",%lld,%lld,%lld,%lld,%lld,%lld,%lld,%s,%s,%s,", (long long)r->received,
		                 (long long)r->handled, (long long)r->overdue_open,
		                 (long long)r->substantiated, (long long)r->repeat,
		                 (long long)r->visited, (long long)r->satisfied, rates[0], rates[1],
		                 rates[2]);
		if (r->avg_handling_seconds >= 0)
			pcrm__strbuf_add(&b, "%lld", (long long)r->avg_handling_seconds);
		pcrm__strbuf_add(&b, ",%lld,%lld,", (long long)r->overdue,
		                 (long long)r->overdue_seconds);
		if (r->avg_overdue_seconds >= 0)
			pcrm__strbuf_add(&b, "%lld", (long long)r->avg_overdue_seconds);
		pcrm__strbuf_add(&b, "\r\n");
	}
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	*out = b.p;
	return PCRM_OK;
}
