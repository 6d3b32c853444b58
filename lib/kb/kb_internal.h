/* Internal: what the knowledge-base files share. */
#ifndef PCRM_KB_INTERNAL_H
#define PCRM_KB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <powercrm/kb.h>

struct pcrm_store;

/** An article document, parsed and checked (kb_doc.c); strings point into the JSON. */
struct pcrm__kb_fields {
	const char *title, *category, *summary, *body, *format, *org_unit;
	char keywords[PCRM_KB_KEYWORDS_MAX * (PCRM_KB_KEYWORD_MAX + 2) + 1]; /* ", "-joined */
	char valid_from[11], valid_to[11]; /* "YYYY-MM-DD"; valid_to "" when open-ended */
};

struct json_t;

/**
 * Parses and checks an article document; *doc receives the JSON (the
 * fields point into it; json_decref it).  PCRM_EINVAL names the field.
 */
int pcrm__kb_doc_parse(const char *json, struct json_t **doc, struct pcrm__kb_fields *out);

/** Nonzero when an article of org path `article_path` is visible from `home_path`. */
int pcrm__kb_visible(const char *home_path, const char *article_path);

/*
 * The visibility test in SQL: the article's unit is the actor's, above it
 * or below it.  `home` is the parameter holding the actor's org path.
 */
#define PCRM__KB_VISIBLE_SQL(home) PCRM__KB_VISIBLE_SQL_OF("a", home)
/* The same for the org_path column of table alias `t` (a posting's: kb_search.c). */
#define PCRM__KB_VISIBLE_SQL_OF(t, home)                                                      \
	"(substr(" home ", 1, length(" t ".org_path)) = " t ".org_path"                       \
	" OR substr(" t ".org_path, 1, length(" home ")) = " home ")"

/* Which fields of an article hold a gram (kb_gram.fields, a bit set). */
#define KB_IN_TITLE 1
#define KB_IN_SUMMARY 2
#define KB_IN_KEYWORDS 4
#define KB_IN_BODY 8

/*
 * The distinct grams of one query term s[0..len) (kb_gram.c), at most `max`
 * of them into out[]: its bigrams, or for a term of one character its
 * unigram (the code point, schema 44).
 */
size_t pcrm__kb_term_grams(const char *s, size_t len, int64_t *out, size_t max);

/* The most one term holding a gram in `fields` scores: title 4, summary 2, keywords 2, body 1. */
int pcrm__kb_weight(int fields);

/* The same in SQL, of the integer expression `f` (kb_search.c, migration 44). */
#define PCRM__KB_WEIGHT_SQL(f)                                                                \
	"((((" f ") & 1) * 4) + ((" f ") & 2) + (((" f ") & 4) / 2) + (((" f ") & 8) / 8))"


/* What each posting of a version copies from it (kb_gram's columns, migration 35). */
struct pcrm__kb_version_row {
	int64_t row_id, written_at;
	const char *org_path, *valid_from, *valid_to; /* valid_to NULL when open-ended */
};

/* Indexes one approved version: text[] is its title, summary, keywords, body. */
int pcrm__kb_index_add(struct pcrm_store *st, const struct pcrm__kb_version_row *v,
                       const char *const text[4]);

/* Drops one version from the index (on retirement or when a newer one is approved). */
int pcrm__kb_index_remove(struct pcrm_store *st, int64_t row_id);

/*
 * Rebuilds the whole index from the approved versions, inside the caller's
 * transaction: for bulk-loaded articles (bench_kb) and for articles approved
 * before migration 31.
 */
int pcrm__kb_index_rebuild(struct pcrm_store *st);

/* One version as the approval work order needs it (kb_approval.c). */
struct pcrm__kb_version_ref {
	const char *article_id, *org_unit;
	const char *work_order_id; /* NULL or "" for a version written before migration 35 */
	int version;
	pcrm_kb_status status;
};

/* The article status a state of workflow "kb_article" stands for (0: none). */
pcrm_kb_status pcrm__kb_status_of_state(const char *state);

/*
 * Opens the approval work order of a version just written (in "draft") and
 * records its id on the version; inside the caller's transaction.
 */
int pcrm__kb_approval_open(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const struct pcrm__kb_version_ref *v, char work_order_id[40]);

/*
 * Fires `event` ("approve", "retire", "supersede") with `data` (JSON or
 * NULL) on a version's work order, opening it first for a version written
 * before migration 35; *status receives the status of the state reached.
 */
int pcrm__kb_approval_fire(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const struct pcrm__kb_version_ref *v, const char *event,
                           const char *data, pcrm_kb_status *status);

/*
 * pcrm_kb_search() with the path chosen: `exhaustive` ranks every article
 * that meets the criteria without the index (the reference the ranked scan
 * must equal, tests/kb); *scanned (may be NULL) receives the postings the
 * ranked scan read.
 */
int pcrm__kb_search_with(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                         int exhaustive, pcrm_kb_hit_list **out, long *scanned);

#endif
