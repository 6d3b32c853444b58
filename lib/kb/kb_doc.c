/*
 * The article document: a JSON object from outside, checked field by field
 * before anything is written.  Messages name the field, never its text.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/time.h>

#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "kb_internal.h"

static const char *const known_keys[] = { "title",  "category",   "summary",  "keywords",
	                                  "body",   "format",     "valid_from", "valid_to",
	                                  "org_unit", NULL };

/* A required (or optional) string member of 1..max bytes passing the text check. */
static int text_member(json_t *doc, const char *name, size_t max, unsigned flags, int required,
                       const char **out)
{
	json_t *v = json_object_get(doc, name);
	size_t n;
	int rc;

	*out = NULL;
	if (!v && !required)
		return PCRM_OK;
	rc = pcrm__json_expect(name, v, JSON_STRING, "a string");
	if (rc != PCRM_OK)
		return rc;
	n = json_string_length(v);
	if (n == 0 || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: %zu bytes is outside 1..%zu", name, n, max);
	if (strlen(json_string_value(v)) != n)
		return pcrm__error(PCRM_EINVAL, "%s: holds a NUL character", name);
	rc = pcrm__text_check(name, json_string_value(v), n, flags);
	if (rc == PCRM_OK)
		*out = json_string_value(v);
	return rc;
}

/* "电价/居民阶梯": segments of text, none empty, no leading or trailing '/'. */
static int check_category(const char *category)
{
	const char *p = category;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			return pcrm__error(PCRM_EINVAL, "category: empty segment at byte %zu",
			                   (size_t)(p - category) + 1);
		if (!slash)
			return PCRM_OK;
		p = slash + 1;
	}
}

static int date_member(json_t *doc, const char *name, int required, char out[11])
{
	const char *text;
	pcrm_date d;
	int rc = text_member(doc, name, 10, 0, required, &text);

	out[0] = '\0';
	if (rc != PCRM_OK || !text)
		return rc;
	if (strlen(text) != 10 || pcrm_date_parse(text, &d) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: expected a date YYYY-MM-DD", name);
	snprintf(out, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
	return PCRM_OK;
}

static int keywords_member(json_t *doc, char *out, size_t size)
{
	json_t *list = json_object_get(doc, "keywords"), *v;
	size_t i, used = 0;
	char path[32];
	int rc;

	out[0] = '\0';
	if (!list)
		return PCRM_OK;
	rc = pcrm__json_expect("keywords", list, JSON_ARRAY, "an array of strings");
	if (rc != PCRM_OK)
		return rc;
	if (json_array_size(list) > PCRM_KB_KEYWORDS_MAX)
		return pcrm__error(PCRM_EINVAL, "keywords: %zu keywords, at most %d",
		                   json_array_size(list), PCRM_KB_KEYWORDS_MAX);
	json_array_foreach (list, i, v) {
		size_t n;
		snprintf(path, sizeof(path), "keywords[%zu]", i);
		rc = pcrm__json_expect(path, v, JSON_STRING, "a string");
		if (rc != PCRM_OK)
			return rc;
		n = json_string_length(v);
		if (n == 0 || n > PCRM_KB_KEYWORD_MAX || strlen(json_string_value(v)) != n)
			return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes", path,
			                   PCRM_KB_KEYWORD_MAX);
		if (strchr(json_string_value(v), ','))
			return pcrm__error(PCRM_EINVAL, "%s: may not hold ','", path);
		rc = pcrm__text_check(path, json_string_value(v), n, 0);
		if (rc != PCRM_OK)
			return rc;
		/* fits: the buffer holds KEYWORDS_MAX keywords of KEYWORD_MAX bytes and ", " */
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "",
		                         json_string_value(v));
	}
	return PCRM_OK;
}

int pcrm__kb_doc_parse(const char *json, json_t **doc, struct pcrm__kb_fields *f)
{
	json_error_t err;
	int rc;

	memset(f, 0, sizeof(*f));
	*doc = NULL;
	if (!json)
		return pcrm__error(PCRM_EINVAL, "json: missing");
	*doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (!*doc)
		return pcrm__error(PCRM_EINVAL, "json: %s at line %d, column %d",
		                   pcrm__json_error_text(&err), err.line, err.column);
	rc = pcrm__json_expect("document", *doc, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("", *doc, known_keys);
	if (rc == PCRM_OK)
		rc = text_member(*doc, "title", PCRM_KB_TITLE_MAX, 0, 1, &f->title);
	if (rc == PCRM_OK)
		rc = text_member(*doc, "category", PCRM_KB_TITLE_MAX, 0, 1, &f->category);
	if (rc == PCRM_OK)
		rc = check_category(f->category);
	if (rc == PCRM_OK)
		rc = text_member(*doc, "summary", PCRM_KB_SUMMARY_MAX, PCRM__TEXT_LINES, 0,
		                 &f->summary);
	if (rc == PCRM_OK)
		rc = keywords_member(*doc, f->keywords, sizeof(f->keywords));
	if (rc == PCRM_OK)
		rc = text_member(*doc, "body", PCRM_KB_BODY_MAX, PCRM__TEXT_LINES, 1, &f->body);
	if (rc == PCRM_OK)
		rc = text_member(*doc, "format", 8, 0, 0, &f->format);
	if (rc == PCRM_OK && !f->format)
		f->format = "text";
	if (rc == PCRM_OK && strcmp(f->format, "text") != 0 && strcmp(f->format, "markdown") != 0)
		rc = pcrm__error(PCRM_EINVAL, "format: must be \"text\" or \"markdown\"");
	if (rc == PCRM_OK)
		rc = date_member(*doc, "valid_from", 1, f->valid_from);
	if (rc == PCRM_OK)
		rc = date_member(*doc, "valid_to", 0, f->valid_to);
	if (rc == PCRM_OK && f->valid_to[0] && strcmp(f->valid_to, f->valid_from) < 0)
		rc = pcrm__error(PCRM_EINVAL, "valid_to: %s is before valid_from %s", f->valid_to,
		                 f->valid_from);
	if (rc == PCRM_OK)
		rc = text_member(*doc, "org_unit", 32, 0, 1, &f->org_unit);
	if (rc == PCRM_OK)
		rc = pcrm__code_check("org_unit", f->org_unit, 32);
	if (rc == PCRM_OK && !f->summary)
		f->summary = "";
	if (rc != PCRM_OK) {
		json_decref(*doc);
		*doc = NULL;
	}
	return rc;
}

int pcrm__kb_visible(const char *home_path, const char *article_path)
{
	size_t h = strlen(home_path), a = strlen(article_path);
	return strncmp(home_path, article_path, h < a ? h : a) == 0;
}
