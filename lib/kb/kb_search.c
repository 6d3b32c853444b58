/*
 * Searching the knowledge base: by category, by keywords over title,
 * summary and keywords (any or all terms), by full text over the body.
 *
 * Chinese has no spaces between words, so the text index is built of
 * trigrams (three consecutive characters): SQLite's FTS5 trigram tokenizer,
 * PostgreSQL's pg_trgm (kb_schema.c).  A trigram index cannot answer a term
 * of fewer than 3 characters, and two-character words are common ("电费",
 * "停电"): such a term is matched as a plain substring (LIKE) over the rows
 * the other criteria left, which is a scan of the visible approved articles
 * when it is the only criterion (docs/kb.md).
 *
 * The index only finds candidates; every store ranks them with the same
 * expression, so both stores return the same order: for each term, 4 when
 * it occurs in the title, 2 in the summary, 2 in the keywords, 1 in the
 * body; ties go to the article written last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/time.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "core/text_check.h"
#include "kb_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define QUERY_TEXT_MAX 200
#define LIMIT_DEFAULT 10
#define LIMIT_MAX 100
/* home, today, category, category prefix, limit, MATCH text, then two per term */
#define PARAMS_MAX (6 + 4 * PCRM_KB_TERMS_MAX)

struct hit {
	char *id, *title, *category, *summary;
	int version;
};

struct pcrm_kb_hit_list {
	struct hit *items;
	size_t count;
};

struct term {
	char *like;    /* '%term%' with % _ \ escaped */
	size_t chars;  /* characters (code points), not bytes */
	const char *s; /* start in the caller's text */
	size_t len;
};

struct terms {
	struct term t[PCRM_KB_TERMS_MAX];
	int n;
};

static void terms_clear(struct terms *ts)
{
	for (int i = 0; i < ts->n; i++)
		free(ts->t[i].like);
	ts->n = 0;
}

/* ASCII white space or U+3000 (ideographic space, typed by Chinese input methods). */
static size_t space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		return 1;
	if ((unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

static int split_terms(const char *field, const char *text, struct terms *ts)
{
	const char *p = text;
	size_t n = strlen(text), skip;
	int rc;

	ts->n = 0;
	if (n == 0 || n > QUERY_TEXT_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %zu bytes is outside 1..%d", field, n,
		                   QUERY_TEXT_MAX);
	rc = pcrm__text_check(field, text, n, 0);
	if (rc != PCRM_OK)
		return rc;
	while (*p) {
		struct term *t;
		const char *start;
		char *o;

		while ((skip = space_at(p)) != 0)
			p += skip;
		if (!*p)
			break;
		if (ts->n == PCRM_KB_TERMS_MAX) {
			terms_clear(ts);
			return pcrm__error(PCRM_EINVAL, "%s: more than %d terms", field,
			                   PCRM_KB_TERMS_MAX);
		}
		t = &ts->t[ts->n];
		start = p;
		t->chars = 0;
		while (*p && !space_at(p)) {
			if (((unsigned char)*p & 0xc0) != 0x80)
				t->chars++;
			p++;
		}
		t->s = start;
		t->len = (size_t)(p - start);
		if (!(t->like = malloc(2 * t->len + 3))) {
			terms_clear(ts);
			return pcrm__error_oom();
		}
		ts->n++;
		o = t->like;
		*o++ = '%';
		for (const char *q = start; q < p; q++) {
			if (*q == '%' || *q == '_' || *q == '\\')
				*o++ = '\\';
			*o++ = *q;
		}
		*o++ = '%';
		*o = '\0';
	}
	return PCRM_OK;
}

/* The FTS5 query: each term of 3+ characters as a quoted string (implicitly ANDed). */
static int fts_match(const struct terms *ts, char **out)
{
	struct pcrm__strbuf b = { NULL, 0, 0, 0 };
	*out = NULL;
	for (int i = 0; i < ts->n; i++) {
		const struct term *t = &ts->t[i];
		if (t->chars < 3)
			continue;
		pcrm__strbuf_add(&b, "%s\"", b.len ? " " : "");
		for (size_t k = 0; k < t->len; k++)
			pcrm__strbuf_add(&b, t->s[k] == '"' ? "\"\"" : "%c", t->s[k]);
		pcrm__strbuf_add(&b, "\"");
	}
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	*out = b.p; /* NULL: no term long enough for the index */
	return PCRM_OK;
}

static int check_query(const pcrm_kb_query *q, int *limit)
{
	if (!q)
		return pcrm__error(PCRM_EINVAL, "query: missing");
	if (q->version != PCRM_KB_QUERY_VERSION)
		return pcrm__error(PCRM_EINVAL, "query.version: %d is not %d", q->version,
		                   PCRM_KB_QUERY_VERSION);
	if (q->match != PCRM_KB_MATCH_ANY && q->match != PCRM_KB_MATCH_ALL)
		return pcrm__error(PCRM_EINVAL, "query.match: %d is not ANY (0) or ALL (1)",
		                   (int)q->match);
	if (q->limit < 0 || q->limit > LIMIT_MAX)
		return pcrm__error(PCRM_EINVAL, "query.limit: %d is outside 0..%d", q->limit,
		                   LIMIT_MAX);
	*limit = q->limit ? q->limit : LIMIT_DEFAULT;
	if (!q->category && !q->keywords && !q->text)
		return pcrm__error(PCRM_EINVAL, "query: give a category, keywords or text");
	if (q->category) {
		size_t n = strlen(q->category);
		if (n == 0 || n > PCRM_KB_TITLE_MAX)
			return pcrm__error(PCRM_EINVAL, "query.category: %zu bytes is outside 1..%d", n,
			                   PCRM_KB_TITLE_MAX);
		return pcrm__text_check("query.category", q->category, n, 0);
	}
	return PCRM_OK;
}

static void today(pcrm_ctx *ctx, char out[16])
{
	pcrm_civil c;
	if (pcrm_time_to_civil(pcrm_ctx_now(ctx), pcrm_ctx_utc_offset(ctx), &c) != PCRM_OK)
		memset(&c, 0, sizeof(c));
	snprintf(out, 16, "%04d-%02d-%02d", c.year, c.month, c.day);
}

/* "lower(a.COL) LIKE lower(CAST($n AS TEXT)) ESCAPE '\'" */
#define LIKE(b, col, n)                                                                       \
	pcrm__strbuf_add(b, "lower(a." col ") LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\'", n)

static void add_score(struct pcrm__strbuf *b, int param, int with_body)
{
	pcrm__strbuf_add(b, " + (CASE WHEN ");
	LIKE(b, "title", param);
	pcrm__strbuf_add(b, " THEN 4 ELSE 0 END) + (CASE WHEN ");
	LIKE(b, "summary", param);
	pcrm__strbuf_add(b, " THEN 2 ELSE 0 END) + (CASE WHEN ");
	LIKE(b, "keywords", param);
	pcrm__strbuf_add(b, " THEN 2 ELSE 0 END)");
	if (with_body) {
		pcrm__strbuf_add(b, " + (CASE WHEN ");
		LIKE(b, "body", param);
		pcrm__strbuf_add(b, " THEN 1 ELSE 0 END)");
	}
}

struct built {
	struct pcrm__strbuf sql;
	pcrm_sql_value p[PARAMS_MAX];
	int np;
	char *match;
	char *category_prefix;
	char today[16];
};

static int build(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
                 const struct terms *kw, const struct terms *tx, struct built *b)
{
	int sqlite = ctx->store->driver->kind == PCRM_STORE_SQLITE, kw_first, tx_first, rc;
	struct pcrm__strbuf *s = &b->sql;

	today(ctx, b->today);
	b->p[b->np++] = PCRM_SQL_S(home);     /* $1 */
	b->p[b->np++] = PCRM_SQL_S(b->today); /* $2 */
	b->p[b->np++] = PCRM_SQL_I(limit);    /* $3 */
	kw_first = b->np + 1;
	for (int i = 0; i < kw->n; i++)
		b->p[b->np++] = PCRM_SQL_S(kw->t[i].like);
	tx_first = b->np + 1;
	for (int i = 0; i < tx->n; i++)
		b->p[b->np++] = PCRM_SQL_S(tx->t[i].like);

	pcrm__strbuf_add(s, "SELECT a.article_id, a.version, a.title, a.category, a.summary, 0");
	for (int i = 0; i < kw->n; i++)
		add_score(s, kw_first + i, 0);
	for (int i = 0; i < tx->n; i++)
		add_score(s, tx_first + i, 1);
	pcrm__strbuf_add(s, " AS score FROM kb_article a");
	if (tx->n && sqlite) {
		rc = fts_match(tx, &b->match);
		if (rc != PCRM_OK)
			return rc;
		if (b->match) {
			pcrm__strbuf_add(s, " JOIN kb_fts ON kb_fts.rowid = a.row_id");
			b->p[b->np++] = PCRM_SQL_S(b->match);
		}
	} else if (tx->n) {
		pcrm__strbuf_add(s, " JOIN kb_text t ON t.row_id = a.row_id");
	}
	pcrm__strbuf_add(s, " WHERE a.status = 2 AND a.valid_from <= $2 AND (a.valid_to IS NULL OR "
	                    "a.valid_to >= $2) AND " PCRM__KB_VISIBLE_SQL("CAST($1 AS TEXT)"));
	if (b->match)
		pcrm__strbuf_add(s, " AND kb_fts MATCH $%d", b->np);
	if (q->category) {
		size_t n = strlen(q->category);
		if (!(b->category_prefix = malloc(n + 2)))
			return pcrm__error_oom();
		memcpy(b->category_prefix, q->category, n);
		memcpy(b->category_prefix + n, "/", 2);
		b->p[b->np++] = PCRM_SQL_S(q->category);
		b->p[b->np++] = PCRM_SQL_S(b->category_prefix);
		pcrm__strbuf_add(s, " AND (a.category = $%d OR substr(a.category, 1, length(CAST($%d AS TEXT))) = $%d)",
		                 b->np - 1, b->np, b->np);
	}
	if (kw->n) {
		pcrm__strbuf_add(s, " AND (");
		for (int i = 0; i < kw->n; i++) {
			pcrm__strbuf_add(s, "%s(", i ? (q->match == PCRM_KB_MATCH_ALL ? " AND " : " OR ") :
			                                "");
			LIKE(s, "title", kw_first + i);
			pcrm__strbuf_add(s, " OR ");
			LIKE(s, "summary", kw_first + i);
			pcrm__strbuf_add(s, " OR ");
			LIKE(s, "keywords", kw_first + i);
			pcrm__strbuf_add(s, ")");
		}
		pcrm__strbuf_add(s, ")");
	}
	for (int i = 0; i < tx->n; i++) {
		if (!sqlite) {
			/* the pg_trgm index answers this for terms of 3+ characters */
			pcrm__strbuf_add(s, " AND t.text LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\'", tx_first + i);
		} else if (tx->t[i].chars < 3) {
			/* the trigram index cannot: a substring test over the candidates */
			pcrm__strbuf_add(s, " AND (");
			LIKE(s, "title", tx_first + i);
			pcrm__strbuf_add(s, " OR ");
			LIKE(s, "summary", tx_first + i);
			pcrm__strbuf_add(s, " OR ");
			LIKE(s, "keywords", tx_first + i);
			pcrm__strbuf_add(s, " OR ");
			LIKE(s, "body", tx_first + i);
			pcrm__strbuf_add(s, ")");
		}
	}
	pcrm__strbuf_add(s, " ORDER BY score DESC, a.written_at DESC, a.article_id LIMIT $3");
	return s->failed ? pcrm__error_oom() : PCRM_OK;
}

static int read_hits(pcrm_rows *rows, int limit, pcrm_kb_hit_list *list)
{
	int rc;
	list->items = calloc((size_t)limit, sizeof(*list->items));
	if (!list->items)
		return pcrm__error_oom();
	while ((rc = pcrm__rows_next(rows)) == 1 && list->count < (size_t)limit) {
		struct hit *h = &list->items[list->count++];
		const char *sum = pcrm__rows_text(rows, 4);
		h->id = strdup(pcrm__rows_text(rows, 0));
		h->version = (int)pcrm__rows_int(rows, 1);
		h->title = strdup(pcrm__rows_text(rows, 2));
		h->category = strdup(pcrm__rows_text(rows, 3));
		h->summary = strdup(sum ? sum : "");
		if (!h->id || !h->title || !h->category || !h->summary)
			return pcrm__error_oom();
	}
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm_kb_search(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                   pcrm_kb_hit_list **out)
{
	struct terms kw = { .n = 0 }, tx = { .n = 0 };
	struct built b;
	pcrm_kb_hit_list *list = NULL;
	pcrm_rows *rows = NULL;
	char *home = NULL;
	int rc, limit = LIMIT_DEFAULT;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	memset(&b, 0, sizeof(b));
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_KB_READ, NULL, &home);
	if (rc == PCRM_OK)
		rc = check_query(query, &limit);
	if (rc == PCRM_OK && query->keywords)
		rc = split_terms("query.keywords", query->keywords, &kw);
	if (rc == PCRM_OK && query->text)
		rc = split_terms("query.text", query->text, &tx);
	if (rc == PCRM_OK && ((query->keywords && !kw.n) || (query->text && !tx.n)))
		rc = pcrm__error(PCRM_EINVAL, "%s: holds no term", query->keywords && !kw.n ?
		                                                      "query.keywords" : "query.text");
	if (rc == PCRM_OK)
		rc = build(ctx, query, home, limit, &kw, &tx, &b);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, b.sql.p, b.p, b.np, &rows);
	if (rc == PCRM_OK && !(list = calloc(1, sizeof(*list))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = read_hits(rows, limit, list);
	pcrm__rows_free(rows);
	free(b.sql.p);
	free(b.match);
	free(b.category_prefix);
	terms_clear(&kw);
	terms_clear(&tx);
	free(home);
	if (rc == PCRM_OK)
		*out = list;
	else
		pcrm_kb_hit_list_free(list);
	return rc;
}

size_t pcrm_kb_hit_list_count(const pcrm_kb_hit_list *l) { return l ? l->count : 0; }

#define HIT_FIELD(type, name, field, none)                                                      \
	type pcrm_kb_hit_##name(const pcrm_kb_hit_list *l, size_t i)                            \
	{                                                                                       \
		return l && i < l->count ? l->items[i].field : none;                            \
	}
HIT_FIELD(const char *, id, id, NULL)
HIT_FIELD(int, version, version, 0)
HIT_FIELD(const char *, title, title, NULL)
HIT_FIELD(const char *, category, category, NULL)
HIT_FIELD(const char *, summary, summary, NULL)

void pcrm_kb_hit_list_free(pcrm_kb_hit_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].id);
		free(l->items[i].title);
		free(l->items[i].category);
		free(l->items[i].summary);
	}
	free(l->items);
	free(l);
}
