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
#define PCRM__KB_VISIBLE_SQL(home)                                                            \
	"(substr(" home ", 1, length(a.org_path)) = a.org_path"                               \
	" OR substr(a.org_path, 1, length(" home ")) = " home ")"

/* Which fields of an article hold a gram (kb_gram.fields, a bit set). */
#define KB_IN_TITLE 1
#define KB_IN_SUMMARY 2
#define KB_IN_KEYWORDS 4
#define KB_IN_BODY 8

/*
 * The distinct bigrams of one query term s[0..len) (kb_gram.c), at most
 * `max` of them into out[]; 0 for a term of one character.
 */
size_t pcrm__kb_term_grams(const char *s, size_t len, int64_t *out, size_t max);

/* Indexes one approved version: text[] is its title, summary, keywords, body. */
int pcrm__kb_index_add(struct pcrm_store *st, int64_t row_id, const char *const text[4]);

/* Drops one version from the index (on retirement or when a newer one is approved). */
int pcrm__kb_index_remove(struct pcrm_store *st, int64_t row_id);

/*
 * Rebuilds the whole index from the approved versions, inside the caller's
 * transaction: for bulk-loaded articles (bench_kb) and for articles approved
 * before migration 31.
 */
int pcrm__kb_index_rebuild(struct pcrm_store *st);

#endif
