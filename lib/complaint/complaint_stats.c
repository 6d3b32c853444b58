/*
 * Complaint statistics for a period, grouped by one or two keys: one
 * GROUP BY over the ticket table (the (responsible_unit, accepted_at) index
 * narrows it to the period), joined to the work order only for its overdue
 * flag.  Counts come from SQL; rates are computed here as exact decimals.
 * The definitions are in docs/complaints.md.
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
	char *json;
};

/* The grouping keys and the column each reads: the library's own identifiers only. */
static const struct {
	const char *name, *column;
} keys[] = {
	{ "responsible_unit", "c.responsible_unit" }, { "category", "c.category" },
	{ "nature", "c.nature" },                     { "channel", "c.channel" },
	{ "org_unit", "c.org_unit" },
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

static int read_row(pcrm_rows *rows, int two, pcrm_complaint_stat *r)
{
	int64_t handling_total;
	int rc = PCRM_OK;
	memset(r, 0, sizeof(*r));
	r->key1 = strdup(pcrm__rows_text(rows, 0));
	r->key2 = two ? strdup(pcrm__rows_text(rows, 1)) : NULL;
	if (!r->key1 || (two && !r->key2))
		return pcrm__error_oom();
	r->received = pcrm__rows_int(rows, 2);
	r->handled = pcrm__rows_int(rows, 3);
	r->overdue_open = pcrm__rows_int(rows, 4);
	r->substantiated = pcrm__rows_int(rows, 5);
	r->repeat = pcrm__rows_int(rows, 6);
	r->visited = pcrm__rows_int(rows, 7);
	r->satisfied = pcrm__rows_int(rows, 8);
	handling_total = pcrm__rows_int(rows, 9);
	r->avg_handling_seconds = r->handled ? handling_total / r->handled : -1;
	rc = rate(r->handled, r->received, &r->reply_rate);
	if (rc == PCRM_OK)
		rc = rate(r->visited, r->handled, &r->return_visit_rate);
	if (rc == PCRM_OK)
		rc = rate(r->satisfied, r->visited, &r->satisfaction_rate);
	return rc;
}

static int query(pcrm_ctx *ctx, const char *scope, pcrm_time from, pcrm_time to, const char *k1,
                 const char *k2, pcrm_complaint_stats *s)
{
	struct pcrm__strbuf sql = { 0 };
	pcrm_sql_value p[3] = { PCRM_SQL_S(scope), PCRM_SQL_I(from), PCRM_SQL_I(to) };
	pcrm_rows *rows = NULL;
	size_t cap = 0;
	int rc;

	pcrm__strbuf_add(&sql, "SELECT %s, %s, COUNT(*), "
	                 "SUM(CASE WHEN c.replied_at IS NOT NULL THEN 1 ELSE 0 END), "
	                 "SUM(CASE WHEN c.replied_at IS NULL AND w.overdue = 1 THEN 1 ELSE 0 END), "
	                 "SUM(CASE WHEN c.substantiated = 1 THEN 1 ELSE 0 END), "
	                 "SUM(CASE WHEN c.repeat_of IS NOT NULL THEN 1 ELSE 0 END), "
	                 "SUM(CASE WHEN c.visited_at IS NOT NULL THEN 1 ELSE 0 END), "
	                 "SUM(CASE WHEN c.satisfaction IN ('satisfied', 'basically_satisfied') "
	                 "THEN 1 ELSE 0 END), "
	                 "COALESCE(SUM(c.replied_at - c.accepted_at), 0) "
	                 "FROM complaint c JOIN org_unit o ON o.code = c.responsible_unit "
	                 "JOIN work_order w ON w.id = c.work_order_id "
	                 "WHERE substr(o.path, 1, length($1)) = $1 AND c.accepted_at >= $2 "
	                 "AND c.accepted_at < $3 AND c.status <> 'merged' "
	                 "GROUP BY %s%s%s ORDER BY %s%s%s",
	                 k1, k2 ? k2 : "''", k1, k2 ? ", " : "", k2 ? k2 : "", k1, k2 ? ", " : "",
	                 k2 ? k2 : "");
	if (sql.failed)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql.p, p, 3, &rows);
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
	return rc < 0 ? rc : PCRM_OK;
}

static json_t *decimal_json(pcrm_decimal d)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	return pcrm_decimal_format(d, buf, sizeof(buf)) == PCRM_OK ? json_string(buf) : NULL;
}

static int build_json(pcrm_complaint_stats *s, pcrm_time from, pcrm_time to, const char *group_by)
{
	json_t *doc = json_pack("{s:I, s:I, s:s, s:[]}", "from", (json_int_t)from, "to",
	                        (json_int_t)to, "group_by", group_by, "rows");
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
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(doc);
			return pcrm__error_oom();
		}
	}
	s->json = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return s->json ? PCRM_OK : pcrm__error_oom();
}

int pcrm_complaint_stats_compute(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                                 pcrm_time from, pcrm_time to, const char *group_by,
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
	if (rc == PCRM_OK)
		rc = query(ctx, scope, from, to, k1, k2, s);
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
	                     "avg_handling_seconds\r\n");
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
		pcrm__strbuf_add(&b, "\r\n");
	}
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	*out = b.p;
	return PCRM_OK;
}
