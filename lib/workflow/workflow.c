/*
 * Workflow definitions in the store: every stored document becomes the next
 * version of its name; work orders keep the version they were opened with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "workflow_store.h"

/*
 * The definition cache: parsed definitions per context, keyed by name and
 * version.  A stored version never changes, so an entry stays valid for the
 * life of the context; only a version this connection stored in a
 * transaction that is still open might yet vanish (rolled back), so what is
 * read in such a transaction is not cached.  Another process defining a new
 * version is seen because "the newest" is always asked of the store.
 */
#define CACHE_MAX 64

struct wf_cache {
	pcrm_workflow *wf[CACHE_MAX]; /* oldest first */
	size_t n;
	uint64_t defined_in; /* tx_serial of the transaction that stored a version (0 = none) */
};

static void cache_free(void *p)
{
	struct wf_cache *c = p;
	for (size_t i = 0; c && i < c->n; i++)
		pcrm_workflow_free(c->wf[i]);
	free(c);
}

static struct wf_cache *cache_of(pcrm_ctx *ctx)
{
	if (!ctx->workflow_cache) {
		ctx->workflow_cache = calloc(1, sizeof(struct wf_cache));
		ctx->workflow_cache_free = cache_free;
	}
	return ctx->workflow_cache;
}

static pcrm_workflow *cache_get(pcrm_ctx *ctx, const char *name, int version)
{
	struct wf_cache *c = ctx->workflow_cache;
	for (size_t i = 0; c && i < c->n; i++)
		if (c->wf[i]->version == version && strcmp(c->wf[i]->name, name) == 0) {
			c->wf[i]->refs++;
			return c->wf[i];
		}
	return NULL;
}

/* Keeps a reference to wf unless this connection's open transaction stored a version. */
static void cache_put(pcrm_ctx *ctx, pcrm_workflow *wf)
{
	struct wf_cache *c = cache_of(ctx);
	if (!c || (ctx->store->tx_depth > 0 && c->defined_in == ctx->store->tx_serial))
		return; /* no memory for a cache is no error: the store is asked every time */
	if (c->n == CACHE_MAX) {
		pcrm_workflow_free(c->wf[0]);
		memmove(c->wf, c->wf + 1, (CACHE_MAX - 1) * sizeof(c->wf[0]));
		c->n--;
	}
	wf->refs++;
	c->wf[c->n++] = wf;
}

int pcrm__workflow_count_cached(pcrm_ctx *ctx)
{
	struct wf_cache *c = ctx->workflow_cache;
	return c ? (int)c->n : 0;
}

/* The newest base version (an override applies to its unit's subtree only). */
static int newest_version(pcrm_ctx *ctx, const char *name, int *version)
{
	static const char sql[] = "SELECT version FROM workflow_def WHERE name = $1 "
	                          "AND scope_unit IS NULL ORDER BY version DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(name) };
	int64_t v = 0;
	int rc = pcrm__store_query_int(ctx->store, sql, p, 1, &v);
	if (rc == PCRM_ENOTFOUND)
		rc = pcrm__error(PCRM_ENOTFOUND, "workflow \"%.64s\" does not exist", name);
	*version = (int)v;
	return rc;
}

/*
 * The version a work order of `org_unit` opens with: the newest override of
 * the deepest unit on the org unit's path, else the newest base version.
 */
static int version_for(pcrm_ctx *ctx, const char *name, const char *org_unit, int *version)
{
	static const char sql[] =
		"SELECT d.version FROM org_unit u JOIN workflow_def d ON d.name = $1 "
		"LEFT JOIN org_unit s ON s.code = d.scope_unit WHERE u.code = $2 "
		"AND (d.scope_unit IS NULL OR substr(u.path, 1, length(s.path)) = s.path) "
		"ORDER BY COALESCE(length(s.path), 0) DESC, d.version DESC LIMIT 1";
	pcrm_sql_value p[2] = { PCRM_SQL_S(name), PCRM_SQL_S(org_unit) };
	int64_t v = 0;
	int rc = pcrm__store_query_int(ctx->store, sql, p, 2, &v);
	if (rc == PCRM_ENOTFOUND)
		rc = pcrm__error(PCRM_ENOTFOUND, "workflow \"%.64s\" does not exist", name);
	*version = (int)v;
	return rc;
}

/* Reads and parses one stored version (never the cache). */
static int load_stored(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out)
{
	static const char sql[] =
		"SELECT doc, calendar, version FROM workflow_def WHERE name = $1 AND version = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(name), PCRM_SQL_I(version) };
	pcrm_rows *rows;
	int rc;

	*out = NULL;
	rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		rc = pcrm__workflow_parse(pcrm__rows_text(rows, 0), pcrm__rows_text(rows, 1), out);
		if (rc == PCRM_OK)
			(*out)->version = (int)pcrm__rows_int(rows, 2);
		else
			pcrm__error_prefix("stored workflow \"%.64s\"", name);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "workflow \"%.64s\" has no version %d", name,
		                 version);
	}
	pcrm__rows_free(rows);
	return rc;
}

static int load(pcrm_ctx *ctx, const char *name, int version, int cached, pcrm_workflow **out)
{
	int rc = PCRM_OK;
	*out = NULL;
	if (version == 0)
		rc = newest_version(ctx, name, &version);
	if (rc == PCRM_OK && cached && (*out = cache_get(ctx, name, version)) != NULL)
		return PCRM_OK;
	if (rc == PCRM_OK)
		rc = load_stored(ctx, name, version, out);
	if (rc == PCRM_OK && cached)
		cache_put(ctx, *out);
	return rc;
}

int pcrm__workflow_load(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out)
{
	return load(ctx, name, version, 1, out);
}

int pcrm__workflow_load_for(pcrm_ctx *ctx, const char *name, const char *org_unit,
                            pcrm_workflow **out)
{
	int version = 0, rc = version_for(ctx, name, org_unit, &version);
	*out = NULL;
	return rc == PCRM_OK ? load(ctx, name, version, 1, out) : rc;
}

/* What is stored of a name: its owner and whether its newest base version allows overrides. */
struct def_owner {
	int exists, has_owner, overridable;
	char owner[64];
};

static int read_owner(pcrm_ctx *ctx, const char *name, struct def_owner *o)
{
	static const char sql[] = "SELECT owner_unit, version FROM workflow_def WHERE name = $1 "
	                          "AND scope_unit IS NULL ORDER BY version DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(name) };
	pcrm_workflow *wf = NULL;
	pcrm_rows *rows = NULL;
	int version = 0, rc;

	memset(o, 0, sizeof(*o));
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		o->exists = 1;
		o->has_owner = pcrm__rows_text(rows, 0) != NULL;
		if (o->has_owner)
			snprintf(o->owner, sizeof(o->owner), "%s", pcrm__rows_text(rows, 0));
		version = (int)pcrm__rows_int(rows, 1);
	}
	pcrm__rows_free(rows);
	if (rc < 0 || !o->exists)
		return rc < 0 ? rc : PCRM_OK;
	rc = pcrm__workflow_load(ctx, name, version, &wf);
	if (rc == PCRM_OK)
		o->overridable = wf->overridable;
	pcrm_workflow_free(wf);
	return rc;
}

static int same_owner(const struct def_owner *a, const struct def_owner *b)
{
	return a->exists == b->exists && a->has_owner == b->has_owner &&
	       a->overridable == b->overridable && strcmp(a->owner, b->owner) == 0;
}

/*
 * The newest version of the same scope (the base versions, or the actor's
 * unit's overrides) as *same (0: none), negative when its texts are wf's:
 * storing an identical document again stores nothing.  *next is the number
 * a new version gets: one above every version of the name, whatever its
 * scope, since work orders name (name, version).
 */
static int newest_same(pcrm_ctx *ctx, const pcrm_workflow *wf, const char *scope, int *same,
                       int *next)
{
	static const char base_sql[] = "SELECT version FROM workflow_def WHERE name = $1 "
	                               "AND scope_unit IS NULL ORDER BY version DESC LIMIT 1";
	static const char scope_sql[] = "SELECT version FROM workflow_def WHERE name = $1 "
	                                "AND scope_unit = $2 ORDER BY version DESC LIMIT 1";
	static const char max_sql[] =
		"SELECT COALESCE(MAX(version), 0) FROM workflow_def WHERE name = $1";
	pcrm_sql_value p[2] = { PCRM_SQL_S(wf->name), PCRM_SQL_S(scope) };
	pcrm_workflow *old = NULL;
	int64_t v = 0, max = 0;
	int rc = pcrm__store_query_int(ctx->store, scope ? scope_sql : base_sql, p, scope ? 2 : 1, &v);

	*same = 0;
	if (rc == PCRM_ENOTFOUND) {
		pcrm_error_clear();
		v = 0;
		rc = PCRM_OK;
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_query_int(ctx->store, max_sql, p, 1, &max);
	*next = (int)max + 1;
	if (rc != PCRM_OK || v == 0)
		return rc;
	rc = pcrm__workflow_load(ctx, wf->name, (int)v, &old);
	if (rc != PCRM_OK)
		return rc;
	if (strcmp(old->text, wf->text) == 0 &&
	    ((!old->calendar_text && !wf->calendar_text) ||
	     (old->calendar_text && wf->calendar_text &&
	      strcmp(old->calendar_text, wf->calendar_text) == 0)))
		*same = -old->version; /* same document: negative marks "exists" */
	else
		*same = old->version;
	pcrm_workflow_free(old);
	return PCRM_OK;
}

static int insert_def(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_workflow *wf, int version,
                      const struct def_owner *owner, const char *scope)
{
	static const char sql[] = "INSERT INTO workflow_def (name, version, doc, calendar, "
	                          "created_by, created_at, owner_unit, scope_unit) "
	                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	/* the owner stays the first definer's unit; before ownership (NULL) it stays the top */
	pcrm_sql_value p[8] = { PCRM_SQL_S(wf->name), PCRM_SQL_I(version), PCRM_SQL_S(wf->text),
		                PCRM_SQL_S(wf->calendar_text), PCRM_SQL_S(actor->operator_id),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)),
		                !owner->exists ? PCRM_SQL_S(actor->org_unit) :
		                owner->has_owner ? PCRM_SQL_S(owner->owner) : PCRM_SQL_NUL,
		                PCRM_SQL_S(scope) };
	json_t *summary;
	char id[PCRM__WF_NAME_MAX + 16];
	int rc = pcrm__store_exec(ctx->store, sql, p, 8, NULL);
	if (rc == PCRM_EDUPLICATE) /* another process stored this version first */
		return pcrm__error(PCRM_ERETRY, "workflow \"%s\" version %d was defined meanwhile: "
		                                "retry", wf->name, version);
	if (rc != PCRM_OK)
		return rc;
	/* until this transaction commits, what it reads of this name must not be cached */
	if (cache_of(ctx))
		((struct wf_cache *)ctx->workflow_cache)->defined_in = ctx->store->tx_serial;
	summary = json_pack("{s:s, s:i, s:I, s:b, s:s?}", "name", wf->name, "version", version,
	                    "states", (json_int_t)wf->nstates, "calendar", wf->calendar != NULL,
	                    "override_for", scope);
	if (!summary)
		return pcrm__error_oom();
	snprintf(id, sizeof(id), "%s/%d", wf->name, version);
	rc = pcrm__audit_append(ctx, actor, "workflow.define", "workflow", id, summary);
	json_decref(summary);
	return rc;
}

/* Inside the transaction: ownership still as checked, then the next version unless unchanged. */
static int define_locked(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_workflow *wf,
                         const struct def_owner *checked, const char *scope, int *stored)
{
	struct def_owner now;
	int same = 0, next = 0;
	int rc = read_owner(ctx, wf->name, &now);

	if (rc == PCRM_OK && !same_owner(&now, checked))
		rc = pcrm__error(PCRM_ERETRY, "workflow \"%s\" was defined meanwhile: retry", wf->name);
	/* read inside the transaction: two definers get versions n and n+1, or a retry */
	if (rc == PCRM_OK)
		rc = newest_same(ctx, wf, scope, &same, &next);
	if (rc == PCRM_OK && same < 0) {
		*stored = -same;
		return PCRM_OK;
	}
	if (rc == PCRM_OK)
		rc = insert_def(ctx, actor, wf, next, checked, scope);
	if (rc == PCRM_OK)
		*stored = next;
	return rc;
}

int pcrm_workflow_define(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                         const char *calendar_json, int *version)
{
	struct pcrm__published pub;
	struct def_owner owner;
	pcrm_workflow *wf = NULL;
	int stored = 0, override = 0, rc;

	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse(json, calendar_json, &wf);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = read_owner(ctx, wf->name, &owner);
	if (rc == PCRM_OK) {
		pub = (struct pcrm__published){ "workflow", wf->name, PCRM_PERM_ORG_WRITE, owner.exists,
			                        owner.has_owner ? owner.owner : NULL,
			                        owner.overridable };
		rc = pcrm__publish_scope(ctx, actor, &pub, &override);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store,
		                        define_locked(ctx, actor, wf, &owner,
		                                      override ? actor->org_unit : NULL, &stored));
	if (rc == PCRM_OK && version)
		*version = stored;
	pcrm_workflow_free(wf);
	return rc;
}

int pcrm_workflow_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *name, int version,
                      pcrm_workflow **out)
{
	int rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!name || !*name)
		return pcrm__error(PCRM_EINVAL, "name: missing");
	if (version < 0)
		return pcrm__error(PCRM_EINVAL, "version: %d is negative (0 = the newest)", version);
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL);
	/* a private copy: the caller may read it from other threads than the context's */
	return rc == PCRM_OK ? load(ctx, name, version, 0, out) : rc;
}
