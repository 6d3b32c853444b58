/* Org units: the tree every actor and every archived record hangs in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "org_internal.h"
#include "store/store.h"

#define CODE_MAX 32
#define NAME_MAX_BYTES 200

struct pcrm_org_unit_list {
	size_t count;
	struct pcrm_org_unit *items;
};

static const char select_unit[] = "SELECT " PCRM__ORG_COLUMNS("org_unit") " FROM org_unit";

static int valid_code(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n == 0 || n > CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int check_name(const char *field, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > NAME_MAX_BYTES)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes of UTF-8", field,
		                   NAME_MAX_BYTES);
	return pcrm__text_check(field, name, n, 0);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void pcrm__org_clear(struct pcrm_org_unit *u)
{
	free(u->code);
	free(u->name);
	free(u->parent);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

int pcrm__org_from_row(pcrm_rows *rows, int first, struct pcrm_org_unit *u)
{
	memset(u, 0, sizeof(*u));
	u->code = dup_or_null(pcrm__rows_text(rows, first));
	u->name = dup_or_null(pcrm__rows_text(rows, first + 1));
	u->parent = dup_or_null(pcrm__rows_text(rows, first + 2));
	u->path = dup_or_null(pcrm__rows_text(rows, first + 3));
	u->level = (int)pcrm__rows_int(rows, first + 4);
	u->version = (int)pcrm__rows_int(rows, first + 5);
	u->created_at = pcrm__rows_int(rows, first + 6);
	u->updated_at = pcrm__rows_int(rows, first + 7);
	if (!u->code || !u->name || !u->path ||
	    (!u->parent && !pcrm__rows_is_null(rows, first + 2))) {
		pcrm__org_clear(u);
		return pcrm__error_oom();
	}
	return PCRM_OK;
}

static int unit_from_row(pcrm_rows *rows, struct pcrm_org_unit *u)
{
	return pcrm__org_from_row(rows, 0, u);
}

int pcrm__org_load(pcrm_ctx *ctx, const char *code, struct pcrm_org_unit *out)
{
	char sql[256];
	pcrm_sql_value p[1] = { PCRM_SQL_S(code) };
	pcrm_rows *rows;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE code = $1", select_unit);
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		rc = unit_from_row(rows, out);
	else if (rc == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "org unit \"%.32s\" does not exist", code);
	pcrm__rows_free(rows);
	return rc;
}

int pcrm__org_path_within(const char *path, const char *ancestor_path)
{
	return strncmp(path, ancestor_path, strlen(ancestor_path)) == 0;
}

static int insert_unit(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                       const char *parent_code, const char *name, int level, const char *path)
{
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_sql_value p[6] = { PCRM_SQL_S(code), PCRM_SQL_S(parent_code), PCRM_SQL_S(name),
		                PCRM_SQL_I(level), PCRM_SQL_S(path), PCRM_SQL_I(now) };
	json_t *summary;
	int rc = pcrm__store_exec(ctx->store,
	                          "INSERT INTO org_unit (code, parent_code, name, level, path, "
	                          "created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
	                          p, 6, NULL);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "code: org unit \"%s\" already exists", code);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:s?, s:s, s:i}", "code", code, "parent", parent_code, "name",
	                    name, "level", level);
	rc = pcrm__audit_append(ctx, actor, "org_unit.create", "org_unit", code, summary);
	json_decref(summary);
	return rc;
}

static int check_create_args(const char *code, const char *name, int level)
{
	if (!valid_code(code))
		return pcrm__error(PCRM_EINVAL,
		                   "code: \"%.40s\" must be 1..%d letters, digits, '-', '_' or '.'",
		                   code ? code : "(null)", CODE_MAX);
	if (level < PCRM_ORG_PROVINCE || level > PCRM_ORG_TOWNSHIP)
		return pcrm__error(PCRM_EINVAL, "level: %d is not 1 (province) .. 4 (township)", level);
	return check_name("name", name);
}

int pcrm_org_unit_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                         const char *parent_code, const char *name, pcrm_org_level level)
{
	struct pcrm_org_unit parent;
	char path[CODE_MAX * 4 + 8];
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = check_create_args(code, name, (int)level);
	if (rc != PCRM_OK)
		return rc;
	memset(&parent, 0, sizeof(parent));
	if (!parent_code) {
		/* A new tree has no scope to check yet: only the most senior administrators plant one. */
		if (!pcrm_actor_can(actor, PCRM_PERM_ORG_WRITE) || actor->level < PCRM_LEVEL_MAX) {
			char reason[256];
			snprintf(reason, sizeof(reason),
			         "operator %s (%s level %d) may not create a top-level org unit",
			         actor->operator_id, pcrm_role_name(actor->role), actor->level);
			return pcrm__audit_deny(ctx, actor, PCRM_PERM_ORG_WRITE, "org_unit", code, reason);
		}
		/*
		 * The actor's own unit must exist, like everywhere else; the one exception is
		 * the administrator who plants the unit they work in (the first unit of a store).
		 */
		if (strcmp(actor->org_unit, code) != 0 &&
		    (rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, NULL)) != PCRM_OK)
			return rc;
		snprintf(path, sizeof(path), "/%s/", code);
	} else {
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, parent_code);
		if (rc == PCRM_OK)
			rc = pcrm__org_load(ctx, parent_code, &parent);
		if (rc != PCRM_OK)
			return rc;
		if ((int)level <= parent.level) {
			rc = pcrm__error(PCRM_EINVAL, "level: %d must be below its parent's level %d",
			                 (int)level, parent.level);
			pcrm__org_clear(&parent);
			return rc;
		}
		/* At most 4 levels of codes of at most CODE_MAX bytes: always fits. */
		snprintf(path, sizeof(path), "%s%s/", parent.path, code);
		pcrm__org_clear(&parent);
	}
	rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	return pcrm__store_finish(ctx->store, insert_unit(ctx, actor, code, parent_code, name,
	                                                  (int)level, path));
}

static int rename_locked(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                         const char *new_name, int expected_version)
{
	struct pcrm_org_unit unit;
	pcrm_sql_value p[4];
	int64_t changes = 0;
	json_t *summary;
	int rc = pcrm__org_load(ctx, code, &unit);

	if (rc != PCRM_OK)
		return rc;
	if (unit.version != expected_version) {
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "org unit \"%s\" is at version %d, not %d: somebody changed it; "
		                 "read it again",
		                 code, unit.version, expected_version);
		pcrm__org_clear(&unit);
		return rc;
	}
	p[0] = PCRM_SQL_S(new_name);
	p[1] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[2] = PCRM_SQL_S(code);
	p[3] = PCRM_SQL_I(expected_version);
	/* The version in the WHERE clause closes the race between the read above and this write. */
	rc = pcrm__store_exec(ctx->store,
	                      "UPDATE org_unit SET name = $1, updated_at = $2, version = version + 1 "
	                      "WHERE code = $3 AND version = $4",
	                      p, 4, &changes);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "org unit \"%s\" was changed concurrently", code);
	if (rc == PCRM_OK) {
		summary = json_pack("{s:s, s:s, s:i}", "old_name", unit.name, "new_name", new_name,
		                    "version", expected_version + 1);
		rc = pcrm__audit_append(ctx, actor, "org_unit.rename", "org_unit", code, summary);
		json_decref(summary);
	}
	pcrm__org_clear(&unit);
	return rc;
}

int pcrm_org_unit_rename(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                         const char *new_name, int expected_version)
{
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_name("new_name", new_name);
	if (rc == PCRM_OK && !valid_code(code))
		rc = pcrm__error(PCRM_EINVAL, "code: not a valid org unit code");
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, code);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	return pcrm__store_finish(ctx->store,
	                          rename_locked(ctx, actor, code, new_name, expected_version));
}

/* The common start of every read: clear the result, check the code, authorise. */
static int start_read(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code, void **out)
{
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!valid_code(code))
		return pcrm__error(PCRM_EINVAL, "code: not a valid org unit code");
	return pcrm_authorize(ctx, actor, PCRM_PERM_ORG_READ, code);
}

int pcrm_org_unit_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                      pcrm_org_unit **out)
{
	pcrm_org_unit *unit;
	int rc = start_read(ctx, actor, code, (void **)out);

	if (rc != PCRM_OK)
		return rc;
	unit = calloc(1, sizeof(*unit));
	if (!unit)
		return pcrm__error_oom();
	rc = pcrm__org_load(ctx, code, unit);
	if (rc != PCRM_OK) {
		free(unit);
		return rc;
	}
	*out = unit;
	return PCRM_OK;
}

static int collect_children(pcrm_ctx *ctx, const char *code, pcrm_org_unit_list *list)
{
	char sql[256];
	pcrm_sql_value p[1] = { PCRM_SQL_S(code) };
	pcrm_rows *rows;
	size_t cap = 0;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE parent_code = $1 ORDER BY code", select_unit);
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct pcrm_org_unit *n = realloc(list->items, ncap * sizeof(*n));
			if (!n) {
				rc = pcrm__error_oom();
				break;
			}
			list->items = n;
			cap = ncap;
		}
		rc = unit_from_row(rows, &list->items[list->count]);
		if (rc != PCRM_OK)
			break;
		list->count++;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm_org_unit_children(pcrm_ctx *ctx, const pcrm_actor *actor, const char *code,
                           pcrm_org_unit_list **out)
{
	pcrm_org_unit_list *list;
	int rc = start_read(ctx, actor, code, (void **)out);

	if (rc != PCRM_OK)
		return rc;
	list = calloc(1, sizeof(*list));
	if (!list)
		return pcrm__error_oom();
	rc = collect_children(ctx, code, list);
	if (rc != PCRM_OK) {
		pcrm_org_unit_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm_org_unit_is_within(pcrm_ctx *ctx, const char *code, const char *ancestor, int *out)
{
	struct pcrm_org_unit a, b;
	int rc;
	if (!valid_code(code) || !valid_code(ancestor))
		return pcrm__error(PCRM_EINVAL, "code: not a valid org unit code");
	rc = pcrm__org_load(ctx, code, &a);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__org_load(ctx, ancestor, &b);
	if (rc == PCRM_OK) {
		*out = pcrm__org_path_within(a.path, b.path);
		pcrm__org_clear(&b);
	}
	pcrm__org_clear(&a);
	return rc;
}

void pcrm_org_unit_free(pcrm_org_unit *unit)
{
	if (!unit)
		return;
	pcrm__org_clear(unit);
	free(unit);
}

const char *pcrm_org_unit_code(const pcrm_org_unit *u) { return u->code; }
const char *pcrm_org_unit_name(const pcrm_org_unit *u) { return u->name; }
const char *pcrm_org_unit_parent(const pcrm_org_unit *u) { return u->parent; }
pcrm_org_level pcrm_org_unit_level(const pcrm_org_unit *u) { return (pcrm_org_level)u->level; }
const char *pcrm_org_unit_path(const pcrm_org_unit *u) { return u->path; }
int pcrm_org_unit_version(const pcrm_org_unit *u) { return u->version; }
pcrm_time pcrm_org_unit_created_at(const pcrm_org_unit *u) { return u->created_at; }
pcrm_time pcrm_org_unit_updated_at(const pcrm_org_unit *u) { return u->updated_at; }

size_t pcrm_org_unit_list_count(const pcrm_org_unit_list *list)
{
	return list ? list->count : 0;
}

const pcrm_org_unit *pcrm_org_unit_list_at(const pcrm_org_unit_list *list, size_t i)
{
	return list && i < list->count ? &list->items[i] : NULL;
}

void pcrm_org_unit_list_free(pcrm_org_unit_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		pcrm__org_clear(&list->items[i]);
	free(list->items);
	free(list);
}
