/*
 * The complaint configuration: one JSON document with the routing rules,
 * the subcategories of the five 95598 categories and the repeat window,
 * validated completely before it is stored, and the routing it drives.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "complaint_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "org/org_internal.h"
#include "store/store.h"

#define CONFIG_MAX 262144
#define NAME_MAX_LEN 64

const char *const pcrm__complaint_categories[] = { "service", "business", "outage",
	                                           "supply_quality", "grid_construction", NULL };

int pcrm__complaint_one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int check_name(const char *path, const json_t *v)
{
	const char *s;
	int rc = pcrm__json_expect(path, v, JSON_STRING, "a string");
	if (rc != PCRM_OK)
		return rc;
	s = json_string_value(v);
	if (!*s || strlen(s) > NAME_MAX_LEN || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d of a-z 0-9 _", path, NAME_MAX_LEN);
	return PCRM_OK;
}

static int check_unit(pcrm_ctx *ctx, const char *path, const json_t *v)
{
	struct pcrm_org_unit unit;
	int rc = pcrm__json_expect(path, v, JSON_STRING, "an org unit code");
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__org_load(ctx, json_string_value(v), &unit);
	if (rc == PCRM_ENOTFOUND)
		return pcrm__error(PCRM_EINVAL, "%s: unknown org unit \"%.32s\"", path,
		                   json_string_value(v));
	if (rc == PCRM_OK)
		pcrm__org_clear(&unit);
	return rc;
}

static int check_subcategories(const json_t *subs)
{
	static const char *const keys[] = { "service", "business", "outage", "supply_quality",
		                            "grid_construction", NULL };
	const char *key;
	json_t *list;
	char path[160];
	int rc = pcrm__json_expect("subcategories", subs, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("subcategories", subs, keys);
	json_object_foreach((json_t *)subs, key, list) {
		size_t i;
		json_t *v;
		if (rc != PCRM_OK)
			break;
		snprintf(path, sizeof(path), "subcategories.%s", key);
		rc = pcrm__json_expect(path, list, JSON_ARRAY, "an array of names");
		json_array_foreach(list, i, v) {
			if (rc != PCRM_OK)
				break;
			snprintf(path, sizeof(path), "subcategories.%s[%zu]", key, i);
			rc = check_name(path, v);
		}
	}
	return rc;
}

static int check_rule(pcrm_ctx *ctx, const json_t *subs, size_t i, const json_t *rule)
{
	static const char *const keys[] = { "category", "subcategory", "org_unit",
		                            "responsible_unit", NULL };
	char path[64], field[96];
	const json_t *cat = json_object_get(rule, "category"),
		     *sub = json_object_get(rule, "subcategory");
	int rc;

	snprintf(path, sizeof(path), "rules[%zu]", i);
	rc = pcrm__json_expect(path, rule, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys(path, rule, keys);
	snprintf(field, sizeof(field), "%s.category", path);
	if (rc == PCRM_OK)
		rc = pcrm__json_expect(field, cat, JSON_STRING, "a category");
	if (rc == PCRM_OK && !pcrm__complaint_one_of(json_string_value(cat), pcrm__complaint_categories))
		return pcrm__error(PCRM_EINVAL, "%s: unknown category \"%.32s\"", field,
		                   json_string_value(cat));
	snprintf(field, sizeof(field), "%s.subcategory", path);
	if (rc == PCRM_OK && sub) {
		rc = pcrm__json_expect(field, sub, JSON_STRING, "a subcategory");
		if (rc == PCRM_OK && !pcrm__complaint_subcategory_known(subs, json_string_value(cat),
		                                                       json_string_value(sub)))
			return pcrm__error(PCRM_EINVAL, "%s: \"%.64s\" is not a subcategory of %s",
			                   field, json_string_value(sub), json_string_value(cat));
	}
	snprintf(field, sizeof(field), "%s.org_unit", path);
	if (rc == PCRM_OK && json_object_get(rule, "org_unit"))
		rc = check_unit(ctx, field, json_object_get(rule, "org_unit"));
	snprintf(field, sizeof(field), "%s.responsible_unit", path);
	if (rc == PCRM_OK)
		rc = check_unit(ctx, field, json_object_get(rule, "responsible_unit"));
	return rc;
}

static int check_visit_attempts(const json_t *v)
{
	int rc;
	if (!v)
		return PCRM_OK;
	rc = pcrm__json_expect("return_visit_attempts", v, JSON_INTEGER, "an integer");
	if (rc == PCRM_OK && (json_integer_value(v) < 1 || json_integer_value(v) > 10))
		rc = pcrm__error(PCRM_EINVAL, "return_visit_attempts: %lld is outside 1..10",
		                 (long long)json_integer_value(v));
	return rc;
}

int pcrm__complaint_visit_attempts(const json_t *config)
{
	const json_t *v = json_object_get(config, "return_visit_attempts");
	return v ? (int)json_integer_value(v) : PCRM_COMPLAINT_VISIT_ATTEMPTS;
}

static int check_config(pcrm_ctx *ctx, const json_t *doc)
{
	static const char *const keys[] = { "default_unit", "repeat_window_days", "subcategories",
		                            "rules", "return_visit_attempts", NULL };
	const json_t *win = json_object_get(doc, "repeat_window_days"),
		     *rules = json_object_get(doc, "rules"),
		     *subs = json_object_get(doc, "subcategories");
	size_t i;
	json_t *rule;
	int rc = pcrm__json_expect("document", doc, JSON_OBJECT, "an object");

	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("", doc, keys);
	if (rc == PCRM_OK)
		rc = check_unit(ctx, "default_unit", json_object_get(doc, "default_unit"));
	if (rc == PCRM_OK && win) {
		rc = pcrm__json_expect("repeat_window_days", win, JSON_INTEGER, "an integer");
		if (rc == PCRM_OK && (json_integer_value(win) < 1 || json_integer_value(win) > 366))
			return pcrm__error(PCRM_EINVAL, "repeat_window_days: %lld is outside 1..366",
			                   (long long)json_integer_value(win));
	}
	if (rc == PCRM_OK)
		rc = check_visit_attempts(json_object_get(doc, "return_visit_attempts"));
	if (rc == PCRM_OK)
		rc = check_subcategories(subs);
	if (rc == PCRM_OK)
		rc = pcrm__json_expect("rules", rules, JSON_ARRAY, "an array of rules");
	json_array_foreach(rules, i, rule) {
		if (rc != PCRM_OK)
			break;
		rc = check_rule(ctx, subs, i, rule);
	}
	return rc;
}

int pcrm__complaint_subcategory_known(const json_t *config, const char *category,
                                      const char *subcategory)
{
	const json_t *subs = json_object_get(config, "subcategories");
	const json_t *list = json_object_get(subs ? subs : config, category), *v;
	size_t i;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), subcategory) == 0)
			return 1;
	return 0;
}

struct config_write {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *text;
};

static int write_config(void *arg)
{
	static const char sql[] =
		"INSERT INTO complaint_config (id, doc, version, updated_by, updated_at) "
		"VALUES (1, $1, 1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, "
		"version = complaint_config.version + 1, updated_by = excluded.updated_by, "
		"updated_at = excluded.updated_at";
	struct config_write *w = arg;
	pcrm_sql_value p[3] = { PCRM_SQL_S(w->text), PCRM_SQL_S(w->actor->operator_id),
		                PCRM_SQL_I(pcrm_ctx_now(w->ctx)) };
	json_t *summary = json_pack("{s:I}", "bytes", (json_int_t)strlen(w->text));
	int rc = summary ? pcrm__store_exec(w->ctx->store, sql, p, 3, NULL) : pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__audit_append_in_tx(w->ctx, w->actor, "complaint.config", "complaint_config",
		                              "1", summary);
	json_decref(summary);
	return rc;
}

int pcrm_complaint_config_set(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json)
{
	struct config_write w = { ctx, actor, NULL };
	json_error_t err;
	json_t *doc = NULL;
	char *text = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK && (!json || strlen(json) > CONFIG_MAX))
		rc = pcrm__error(PCRM_EINVAL, "json: missing or larger than %d bytes", CONFIG_MAX);
	if (rc == PCRM_OK) {
		doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
		if (!doc)
			rc = pcrm__error(PCRM_EINVAL, "json: line %d: %s", err.line, err.text);
	}
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, actor->org_unit);
	if (rc == PCRM_OK)
		rc = check_config(ctx, doc);
	if (rc == PCRM_OK) {
		text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		rc = text ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK) {
		w.text = text;
		rc = pcrm__store_transaction(ctx->store, write_config, &w);
	}
	free(text);
	json_decref(doc);
	return rc;
}

int pcrm__complaint_config_load(pcrm_ctx *ctx, json_t **out)
{
	static const char sql[] = "SELECT doc FROM complaint_config WHERE id = 1";
	json_error_t err;
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, NULL, 0, &rows);

	*out = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		*out = json_loads(pcrm__rows_text(rows, 0), 0, &err);
		rc = *out ? PCRM_OK : pcrm__error(PCRM_EINTEGRITY, "complaint configuration: unreadable");
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ESTATE, "complaint configuration: none is set "
		                              "(pcrm_complaint_config_set)");
	}
	pcrm__rows_free(rows);
	return rc;
}

/* A rule's org unit matches when the ticket's unit lies in its subtree. */
static int unit_within(pcrm_ctx *ctx, const char *unit_path, const char *ancestor, int *yes)
{
	struct pcrm_org_unit a;
	int rc = pcrm__org_load(ctx, ancestor, &a);
	*yes = 0;
	if (rc != PCRM_OK)
		return rc;
	*yes = pcrm__org_path_within(unit_path, a.path);
	pcrm__org_clear(&a);
	return PCRM_OK;
}

int pcrm__complaint_route(pcrm_ctx *ctx, const json_t *config, const char *category,
                          const char *subcategory, const char *org_unit, char **out,
                          int *by_default)
{
	struct pcrm_org_unit unit;
	const json_t *rule;
	const char *chosen = NULL;
	size_t i;
	int rc = pcrm__org_load(ctx, org_unit, &unit);

	*out = NULL;
	*by_default = 0;
	if (rc != PCRM_OK)
		return rc;
	json_array_foreach(json_object_get(config, "rules"), i, rule) {
		const char *sub = json_string_value(json_object_get(rule, "subcategory"));
		const char *within = json_string_value(json_object_get(rule, "org_unit"));
		int yes = 1;
		if (strcmp(json_string_value(json_object_get(rule, "category")), category) != 0)
			continue;
		if (sub && strcmp(sub, subcategory) != 0)
			continue;
		if (within && (rc = unit_within(ctx, unit.path, within, &yes)) != PCRM_OK)
			break;
		if (yes) {
			chosen = json_string_value(json_object_get(rule, "responsible_unit"));
			break;
		}
	}
	pcrm__org_clear(&unit);
	if (rc != PCRM_OK)
		return rc;
	if (!chosen) {
		chosen = json_string_value(json_object_get(config, "default_unit"));
		*by_default = 1;
	}
	*out = strdup(chosen);
	return *out ? PCRM_OK : pcrm__error_oom();
}
