/* Internal: what the knowledge-base files share. */
#ifndef PCRM_KB_INTERNAL_H
#define PCRM_KB_INTERNAL_H

#include <powercrm/kb.h>

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

#endif
