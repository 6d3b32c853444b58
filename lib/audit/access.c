/*
 * Who may read and write the audit log, and listing it.
 *
 * Reading (list, verify, checkpoints) needs PCRM_PERM_AUDIT_READ and an
 * actor whose org unit exists (pcrm__authorize_scope(), which records every
 * refusal).  A province-level reader sees every entry; anyone else the
 * entries made by actors of units in its own subtree.  Writing integrator
 * entries needs PCRM_PERM_AUDIT_WRITE (admins from level 2 and the system
 * role: docs/security.md) and an existing unit.  The internal append in
 * audit.c sits below lib/org; these public calls sit above it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_internal.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "org/org_internal.h"

#define NAME_MAX_LEN 64

int pcrm__audit_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                      struct pcrm__audit_scope *scope)
{
	int rc;
	memset(scope, 0, sizeof(*scope));
	rc = pcrm__authorize_scope(ctx, actor, permission, NULL, &scope->path);
	if (rc != PCRM_OK)
		return rc;
	for (const char *p = scope->path; *p; p++)
		scope->level += *p == '/' && p[1] != '\0';
	scope->everything = scope->level == 1;
	pcrm__audit_chain_of_path(scope->path, scope->chain);
	return PCRM_OK;
}

/* An action or object type: 1..64 bytes, no spaces, nothing invisible (see text_check.h). */
static int check_name(const char *field, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > NAME_MAX_LEN || strpbrk(s, " \t\n\r"))
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d characters without spaces", field,
		                   NAME_MAX_LEN);
	return pcrm__text_check(field, s, n, 0);
}

static int check_object_id(const char *object_id)
{
	size_t n = object_id ? strlen(object_id) : 0;
	if (n > PCRM_AUDIT_OBJECT_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "object_id: longer than %d bytes",
		                   PCRM_AUDIT_OBJECT_ID_MAX);
	return pcrm__text_check("object_id", object_id, n, PCRM__TEXT_BLANK_OK);
}

/*
 * Every key and string of the summary, so no part of an entry can hide or
 * reorder text.  The recursion is as deep as the nesting: at most 2048 levels
 * in 4 KiB (and jansson stops at 2048 anyway).
 */
static int check_summary_text(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	int rc = PCRM_OK;

	if (json_is_string(v))
		return pcrm__text_check("summary", json_string_value(v), json_string_length(v),
		                        PCRM__TEXT_LINES | PCRM__TEXT_BLANK_OK);
	if (json_is_object(v))
		json_object_foreach((json_t *)v, key, item) {
			rc = pcrm__text_check("summary", key, strlen(key), PCRM__TEXT_BLANK_OK);
			if (rc == PCRM_OK)
				rc = check_summary_text(item);
			if (rc != PCRM_OK)
				return rc;
		}
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			if ((rc = check_summary_text(item)) != PCRM_OK)
				return rc;
	return rc;
}

/* NULL is {}; anything else a JSON object of at most PCRM_AUDIT_SUMMARY_MAX bytes. */
static int parse_summary(const char *summary_json, json_t **out)
{
	json_error_t err;
	json_t *summary;
	int rc;

	*out = NULL;
	if (!summary_json)
		return PCRM_OK;
	if (strlen(summary_json) > PCRM_AUDIT_SUMMARY_MAX)
		return pcrm__error(PCRM_EINVAL, "summary: longer than %d bytes",
		                   PCRM_AUDIT_SUMMARY_MAX);
	summary = json_loads(summary_json, JSON_REJECT_DUPLICATES, &err);
	if (!summary)
		return pcrm__error(PCRM_EINVAL, "summary: invalid JSON at line %d column %d: %s",
		                   err.line, err.column, pcrm__json_error_text(&err));
	rc = json_is_object(summary) ? check_summary_text(summary) :
	                               pcrm__error(PCRM_EINVAL, "summary: must be a JSON object");
	if (rc != PCRM_OK) {
		json_decref(summary);
		return rc;
	}
	*out = summary;
	return PCRM_OK;
}

int pcrm_audit_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                      const char *object_type, const char *object_id, const char *summary_json)
{
	json_t *summary = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc != PCRM_OK)
		return rc;
	if ((rc = check_name("action", action)) != PCRM_OK ||
	    (rc = check_name("object_type", object_type)) != PCRM_OK ||
	    (rc = check_object_id(object_id)) != PCRM_OK ||
	    (rc = parse_summary(summary_json, &summary)) != PCRM_OK)
		return rc;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_AUDIT_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__audit_append(ctx, actor, action, object_type, object_id, summary);
	json_decref(summary);
	return rc;
}

static const char select_all[] = "SELECT " PCRM__AUDIT_COLUMNS("") " FROM audit_log "
                                 "WHERE seq > $1 ORDER BY seq LIMIT $2";
/* entries whose actor's unit lies in the subtree $1 (see billing_internal.h on ^@) */
static const char select_subtree_sqlite[] =
	"SELECT " PCRM__AUDIT_COLUMNS("a.") " FROM audit_log a JOIN org_unit o "
	"ON o.code = a.actor_org WHERE a.seq > $2 AND substr(o.path, 1, length($1)) = $1 "
	"ORDER BY a.seq LIMIT $3";
static const char select_subtree_pg[] =
	"SELECT " PCRM__AUDIT_COLUMNS("a.") " FROM audit_log a JOIN org_unit o "
	"ON o.code = a.actor_org WHERE a.seq > $2 AND o.path ^@ $1 ORDER BY a.seq LIMIT $3";

static int list_scoped(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope, int64_t after_seq,
                       int64_t limit, pcrm_audit_visit_fn visit, void *userdata)
{
	pcrm_sql_value p[3] = { PCRM_SQL_S(scope->path), PCRM_SQL_I(after_seq),
		                PCRM_SQL_I(limit == 0 ? INT64_MAX : limit) };
	const char *sql = scope->everything ? select_all :
	                  ctx->store->driver->kind == PCRM_STORE_POSTGRES ? select_subtree_pg :
	                                                                    select_subtree_sqlite;
	pcrm_rows *rows;
	int rc;

	/* select_all has no subtree: its parameters are the last two */
	rc = pcrm__store_query(ctx->store, sql, scope->everything ? p + 1 : p,
	                       scope->everything ? 2 : 3, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		pcrm_audit_entry e;
		int stop;
		pcrm__audit_entry_from_row(rows, &e);
		stop = visit(&e, userdata);
		if (stop) {
			rc = stop;
			break;
		}
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm_audit_list(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t after_seq, int64_t limit,
                    pcrm_audit_visit_fn visit, void *userdata)
{
	struct pcrm__audit_scope scope;
	int rc;

	if (!visit)
		return pcrm__error(PCRM_EINVAL, "visit: callback is NULL");
	if (limit < 0)
		return pcrm__error(PCRM_EINVAL, "limit: %" PRId64 " is negative", limit);
	rc = pcrm__audit_scope(ctx, actor, PCRM_PERM_AUDIT_READ, &scope);
	if (rc != PCRM_OK)
		return rc;
	rc = list_scoped(ctx, &scope, after_seq, limit, visit, userdata);
	free(scope.path);
	return rc;
}
