/*
 * Fuzz target for knowledge-base article documents (pcrm_kb_article_create()
 * and _revise()'s JSON): the validation runs without a store.  Whatever it
 * accepts must hold the documented limits (kb.h), and failures are only
 * PCRM_EINVAL (or PCRM_ENOMEM) with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/time.h>

#include "kb/kb_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_kb_article.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_date(const char *text)
{
	pcrm_date d;
	char again[16];
	require(strlen(text) == 10);
	require(pcrm_date_parse(text, &d) == PCRM_OK);
	snprintf(again, sizeof(again), "%04d-%02d-%02d", d.year, d.month, d.day);
	require(strcmp(again, text) == 0);
}

static void check_accepted(const struct pcrm__kb_fields *f)
{
	size_t n, keywords = 0;
	const char *p;

	n = strlen(f->title);
	require(n >= 1 && n <= PCRM_KB_TITLE_MAX);
	n = strlen(f->body);
	require(n >= 1 && n <= PCRM_KB_BODY_MAX);
	require(strlen(f->summary) <= PCRM_KB_SUMMARY_MAX);
	/* a category path: no empty segment, so no leading, trailing or doubled '/' */
	require(f->category[0] != '/' && f->category[strlen(f->category) - 1] != '/');
	require(strstr(f->category, "//") == NULL);
	require(strcmp(f->format, "text") == 0 || strcmp(f->format, "markdown") == 0);
	check_date(f->valid_from);
	if (f->valid_to[0]) {
		check_date(f->valid_to);
		require(strcmp(f->valid_to, f->valid_from) >= 0);
	}
	for (p = f->keywords; *p; p++)
		keywords += *p == ',';
	require(f->keywords[0] == '\0' || keywords + 1 <= PCRM_KB_KEYWORDS_MAX);
	require(strlen(f->org_unit) >= 1 && strlen(f->org_unit) <= 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__kb_fields f;
	json_t *doc;
	char *text = malloc(size + 1);
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the API takes NUL-terminated text: an inner NUL ends it */
	rc = pcrm__kb_doc_parse(text, &doc, &f);
	if (rc != PCRM_OK) {
		require(doc == NULL);
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(pcrm_error_last()[0] != '\0');
	} else {
		require(doc != NULL);
		check_accepted(&f);
		json_decref(doc);
	}
	free(text);
	return 0;
}
