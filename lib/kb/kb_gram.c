/*
 * The knowledge base's text index: character bigrams (kb_gram, migration 31)
 * and single characters (migration 44).
 *
 * Chinese is written without spaces, so words cannot be indexed; every run
 * of two characters can.  Two-character words are the common case ("电费",
 * "停电", "过户"), so a bigram index answers the shortest useful term, and a
 * longer term is found by intersecting the postings of its bigrams (a
 * superset, checked by a substring test: kb_search.c).  Single characters
 * are postings too (a unigram is the code point alone, below every bigram,
 * whose first code point is never 0): a one-character term ("号", "电") then
 * has a posting list with exact field bits like any other, so a search can
 * bound its score per article, and drive from it, instead of assuming its
 * maximum (kb_search.c).
 *
 * The library builds the index itself, the same way on both stores, from
 * the approved versions only (added on approval, removed on retirement, in
 * the same transaction as the status).  A gram is two code points packed
 * into one integer, after ASCII letters are lower-cased (searches compare
 * ASCII letters without case, nothing else).  Grams that hold a space
 * (ASCII white space or U+3000) are left out: a query term never spans one.
 * Each posting carries which fields hold the gram (KB_IN_*) and the most a
 * term holding the gram can score in the version (weight), so a search can
 * bound a term's score from the index before reading any article, and what
 * decides the version's visibility (written_at, org_path, valid_from,
 * valid_to, migration 35), so it can skip postings the actor may not see
 * without reading the article either.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "kb_internal.h"
#include "store/store.h"

/* Next code point of valid UTF-8 at *p (the texts passed pcrm__text_check), ASCII lower-cased. */
static uint32_t next_cp(const char **p, const char *end)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80) {
		cp = s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32u : s[0];
		n = 1;
	} else if (s[0] < 0xe0) {
		cp = s[0] & 0x1fu;
		n = 2;
	} else if (s[0] < 0xf0) {
		cp = s[0] & 0x0fu;
		n = 3;
	} else {
		cp = s[0] & 0x07u;
		n = 4;
	}
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3fu);
	*p += n;
	return cp;
}

static int is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000;
}

static int64_t pack(uint32_t a, uint32_t b) { return ((int64_t)a << 21) | (int64_t)b; }

/*
 * Calls add(gram) for each bigram of s[0..len) without a space and, with
 * `chars`, for each character that is not a space (its unigram); returns
 * the bigrams seen.
 */
static size_t each_gram(const char *s, size_t len, int chars, void (*add)(void *, int64_t),
                        void *arg)
{
	const char *p = s, *end = s + len;
	uint32_t prev = 0;
	int have = 0;
	size_t n = 0;

	while (p < end) {
		uint32_t cp = next_cp(&p, end);
		if (is_space(cp)) {
			have = 0;
			continue;
		}
		if (chars)
			add(arg, (int64_t)cp);
		if (have) {
			add(arg, pack(prev, cp));
			n++;
		}
		prev = cp;
		have = 1;
	}
	return n;
}

struct term_grams {
	int64_t *out;
	size_t max, n;
};

static void add_term_gram(void *p, int64_t g)
{
	struct term_grams *t = p;
	for (size_t i = 0; i < t->n; i++)
		if (t->out[i] == g)
			return;
	if (t->n < t->max)
		t->out[t->n++] = g;
}

size_t pcrm__kb_term_grams(const char *s, size_t len, int64_t *out, size_t max)
{
	struct term_grams t = { out, max, 0 };
	/* a term holds no space: without a bigram it is one character, its unigram */
	if (each_gram(s, len, 0, add_term_gram, &t) == 0 && len > 0)
		each_gram(s, len, 1, add_term_gram, &t);
	return t.n;
}

struct posting {
	int64_t gram;
	int fields;
};

struct postings {
	struct posting *p;
	size_t n, cap;
	int field, failed;
};

static void add_posting(void *arg, int64_t g)
{
	struct postings *ps = arg;
	if (ps->failed)
		return;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		struct posting *p = realloc(ps->p, cap * sizeof(*p));
		if (!p) {
			ps->failed = 1;
			return;
		}
		ps->p = p;
		ps->cap = cap;
	}
	ps->p[ps->n].gram = g;
	ps->p[ps->n++].fields = ps->field;
}

static int by_gram(const void *a, const void *b)
{
	int64_t x = ((const struct posting *)a)->gram, y = ((const struct posting *)b)->gram;
	return (x > y) - (x < y);
}

static const char *const gram_cols[] = { "gram",     "row_id",   "fields",    "weight",
	                                  "written_at", "org_path", "valid_from", "valid_to" };
#define GRAM_COLS 8

int pcrm__kb_weight(int fields)
{
	return (fields & KB_IN_TITLE ? 4 : 0) + (fields & KB_IN_SUMMARY ? 2 : 0) +
	       (fields & KB_IN_KEYWORDS ? 2 : 0) + (fields & KB_IN_BODY ? 1 : 0);
}

/* Writes the postings of one version into the open bulk insert. */
static int add_postings(pcrm_store *st, const struct pcrm__kb_version_row *v,
                        const char *const text[4])
{
	static const int field_bits[4] = { KB_IN_TITLE, KB_IN_SUMMARY, KB_IN_KEYWORDS, KB_IN_BODY };
	struct postings ps = { NULL, 0, 0, 0, 0 };
	size_t out = 0;
	int rc = PCRM_OK;

	for (int f = 0; f < 4; f++) {
		ps.field = field_bits[f];
		if (text[f])
			each_gram(text[f], strlen(text[f]), 1, add_posting, &ps);
	}
	if (ps.failed) {
		free(ps.p);
		return pcrm__error_oom();
	}
	/* one posting per gram, with every field that holds it */
	if (ps.n)
		qsort(ps.p, ps.n, sizeof(ps.p[0]), by_gram);
	for (size_t i = 0; i < ps.n; i++) {
		if (out && ps.p[out - 1].gram == ps.p[i].gram)
			ps.p[out - 1].fields |= ps.p[i].fields;
		else
			ps.p[out++] = ps.p[i];
	}
	for (size_t i = 0; i < out && rc == PCRM_OK; i++) {
		pcrm_sql_value row[GRAM_COLS] = {
			PCRM_SQL_I(ps.p[i].gram), PCRM_SQL_I(v->row_id), PCRM_SQL_I(ps.p[i].fields),
			PCRM_SQL_I(pcrm__kb_weight(ps.p[i].fields)), PCRM_SQL_I(v->written_at),
			PCRM_SQL_S(v->org_path), PCRM_SQL_S(v->valid_from), PCRM_SQL_S(v->valid_to)
		};
		rc = pcrm__store_bulk_row(st, row);
	}
	free(ps.p);
	return rc;
}

/* Ends a bulk insert: committed when rc is PCRM_OK, abandoned otherwise. */
static int bulk_end(pcrm_store *st, int rc)
{
	int end = pcrm__store_bulk_end(st, rc != PCRM_OK);
	return rc == PCRM_OK ? end : rc;
}

int pcrm__kb_index_add(pcrm_store *st, const struct pcrm__kb_version_row *v,
                       const char *const text[4])
{
	int rc = pcrm__store_bulk_begin(st, "kb_gram", gram_cols, GRAM_COLS);
	if (rc != PCRM_OK)
		return rc;
	return bulk_end(st, add_postings(st, v, text));
}

int pcrm__kb_index_remove(pcrm_store *st, int64_t row_id)
{
	pcrm_sql_value p = PCRM_SQL_I(row_id);
	return pcrm__store_exec(st, "DELETE FROM kb_gram WHERE row_id = $1", &p, 1, NULL);
}

int pcrm__kb_index_rebuild(pcrm_store *st)
{
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_exec(st, "DELETE FROM kb_gram", NULL, 0, NULL);

	if (rc == PCRM_OK)
		rc = pcrm__store_query(st, "SELECT row_id, title, summary, keywords, body, "
		                           "written_at, org_path, valid_from, valid_to FROM "
		                           "kb_article WHERE status = 2 ORDER BY row_id",
		                       NULL, 0, &rows);
	/* one bulk insert for all (on PostgreSQL one COPY, not one per article) */
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, "kb_gram", gram_cols, GRAM_COLS);
	if (rc == PCRM_OK) {
		while ((rc = pcrm__rows_next(rows)) == 1) {
			const char *text[4] = { pcrm__rows_text(rows, 1), pcrm__rows_text(rows, 2),
				                pcrm__rows_text(rows, 3), pcrm__rows_text(rows, 4) };
			struct pcrm__kb_version_row v = { pcrm__rows_int(rows, 0),
				                          pcrm__rows_int(rows, 5),
				                          pcrm__rows_text(rows, 6),
				                          pcrm__rows_text(rows, 7),
				                          pcrm__rows_text(rows, 8) };
			rc = add_postings(st, &v, text);
			if (rc != PCRM_OK)
				break;
		}
		rc = bulk_end(st, rc < 0 ? rc : PCRM_OK);
	}
	pcrm__rows_free(rows);
	return rc;
}
