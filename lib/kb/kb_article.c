/*
 * Knowledge-base articles: versions, their statuses, the text index of the
 * approved ones.
 *
 * A status moves draft -> approved -> retired and never back; at most one
 * version of an article is approved at a time.  Each move is a transition
 * of the version's approval work order (kb_approval.c) and the status is
 * the state it reached; each step is one transaction with its audit entry.
 * The text index (kb_gram, kb_gram.c) follows the approved version, so it
 * changes in the same transaction as the status.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/uuid.h"
#include "kb_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

struct pcrm_kb_article {
	char *id, *title, *category, *summary, *keywords, *body, *format, *org_unit, *valid_from,
		*valid_to, *work_order_id;
	int version;
	pcrm_kb_status status;
};

#define ARTICLE_COLUMNS                                                                       \
	"a.article_id, a.version, a.status, a.title, a.category, a.summary, a.keywords, a.body, " \
	"a.format, a.org_unit, a.valid_from, a.valid_to, a.org_path, a.row_id, a.written_at, " \
	"a.work_order_id"

/* What a lookup needs beyond the article itself. */
struct row_meta {
	char *org_path;
	int64_t row_id, written_at;
};

/* What the approval work order needs of a loaded version. */
static struct pcrm__kb_version_ref ref_of(const pcrm_kb_article *a)
{
	struct pcrm__kb_version_ref r = { a->id, a->org_unit, a->work_order_id, a->version,
		                          a->status };
	return r;
}

static char *dup_col(pcrm_rows *rows, int c, int *oom)
{
	const char *s = pcrm__rows_text(rows, c);
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*oom = 1;
	return d;
}

static int article_from_row(pcrm_rows *rows, pcrm_kb_article **out, struct row_meta *meta)
{
	pcrm_kb_article *a = calloc(1, sizeof(*a));
	int oom = !a;

	if (a) {
		a->id = dup_col(rows, 0, &oom);
		a->version = (int)pcrm__rows_int(rows, 1);
		a->status = (pcrm_kb_status)pcrm__rows_int(rows, 2);
		a->title = dup_col(rows, 3, &oom);
		a->category = dup_col(rows, 4, &oom);
		a->summary = dup_col(rows, 5, &oom);
		a->keywords = dup_col(rows, 6, &oom);
		a->body = dup_col(rows, 7, &oom);
		a->format = dup_col(rows, 8, &oom);
		a->org_unit = dup_col(rows, 9, &oom);
		a->valid_from = dup_col(rows, 10, &oom);
		a->valid_to = dup_col(rows, 11, &oom);
		meta->org_path = dup_col(rows, 12, &oom);
		meta->row_id = pcrm__rows_int(rows, 13);
		meta->written_at = pcrm__rows_int(rows, 14);
		a->work_order_id = dup_col(rows, 15, &oom);
	}
	if (oom) {
		pcrm_kb_article_free(a);
		free(meta->org_path);
		meta->org_path = NULL;
		return pcrm__error_oom();
	}
	*out = a;
	return PCRM_OK;
}

/* `version` of an article, 0 for the latest, -1 for the approved one; PCRM_ENOTFOUND when none. */
static int load(pcrm_ctx *ctx, const char *article_id, int version, pcrm_kb_article **out,
                struct row_meta *meta)
{
	static const char by_version[] = "SELECT " ARTICLE_COLUMNS " FROM kb_article a "
	                                 "WHERE a.article_id = $1 AND a.version = $2";
	static const char latest[] = "SELECT " ARTICLE_COLUMNS " FROM kb_article a "
	                             "WHERE a.article_id = $1 ORDER BY a.version DESC LIMIT 1";
	static const char approved[] = "SELECT " ARTICLE_COLUMNS " FROM kb_article a "
	                               "WHERE a.article_id = $1 AND a.status = 2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(article_id), PCRM_SQL_I(version) };
	pcrm_rows *rows;
	int rc;

	*out = NULL;
	meta->org_path = NULL;
	rc = pcrm__store_query(ctx->store, version > 0 ? by_version : version == 0 ? latest : approved,
	                       p, version > 0 ? 2 : 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		rc = article_from_row(rows, out, meta);
	else if (rc == 0)
		rc = PCRM_ENOTFOUND;
	pcrm__rows_free(rows);
	return rc;
}

static int check_id(const char *article_id)
{
	if (!article_id || !pcrm__uuid_is_valid(article_id))
		return pcrm__error(PCRM_EINVAL, "article_id: expected a UUID");
	return PCRM_OK;
}

static int audit(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                 const char *article_id, int version, const char *org_unit)
{
	json_t *s = json_pack("{s:i, s:s}", "version", version, "org_unit", org_unit);
	int rc = s ? pcrm__audit_append(ctx, actor, action, "kb_article", article_id, s) :
	             pcrm__error_oom();
	json_decref(s);
	return rc;
}

static int set_status(pcrm_ctx *ctx, int64_t row_id, pcrm_kb_status from, pcrm_kb_status to)
{
	pcrm_sql_value p[3] = { PCRM_SQL_I(to), PCRM_SQL_I(row_id), PCRM_SQL_I(from) };
	int64_t changed = 0;
	int rc = pcrm__store_exec(ctx->store,
	                          "UPDATE kb_article SET status = $1 WHERE row_id = $2 AND status = $3",
	                          p, 3, &changed);
	if (rc == PCRM_OK && changed != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "article: its status changed meanwhile; read it again");
	return rc;
}

/* ---- writing versions ---- */

static int insert_version(pcrm_ctx *ctx, const pcrm_actor *actor, const char *article_id,
                          int version, const char *org_path, const struct pcrm__kb_fields *f)
{
	static const char sql[] =
		"INSERT INTO kb_article (article_id, version, status, org_unit, org_path, title, "
		"category, summary, keywords, body, format, valid_from, valid_to, written_by, "
		"written_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
	pcrm_sql_value p[14] = {
		PCRM_SQL_S(article_id), PCRM_SQL_I(version),       PCRM_SQL_S(f->org_unit),
		PCRM_SQL_S(org_path),   PCRM_SQL_S(f->title),      PCRM_SQL_S(f->category),
		PCRM_SQL_S(f->summary), PCRM_SQL_S(f->keywords),   PCRM_SQL_S(f->body),
		PCRM_SQL_S(f->format),  PCRM_SQL_S(f->valid_from),
		PCRM_SQL_S(f->valid_to[0] ? f->valid_to : NULL), PCRM_SQL_S(actor->operator_id),
		PCRM_SQL_I(pcrm_ctx_now(ctx))
	};
	int rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__store_exec(ctx->store, sql, p, 14, NULL);
	if (rc == PCRM_EDUPLICATE)
		rc = pcrm__error(PCRM_ECONFLICT, "expected_version: another version was written "
		                                 "meanwhile; read the article again");
	if (rc == PCRM_OK) {
		struct pcrm__kb_version_ref v = { article_id, f->org_unit, NULL, version,
			                          PCRM_KB_DRAFT };
		char work_order_id[40];
		rc = pcrm__kb_approval_open(ctx, actor, &v, work_order_id);
	}
	if (rc == PCRM_OK)
		rc = audit(ctx, actor, version == 1 ? "kb.create" : "kb.revise", article_id, version,
		           f->org_unit);
	return pcrm__store_finish(ctx->store, rc);
}

int pcrm_kb_article_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                           pcrm_kb_article **out)
{
	char id[PCRM_UUID_STRING_LEN + 1], *path = NULL;
	struct pcrm__kb_fields f;
	json_t *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__kb_doc_parse(json, &doc, &f);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_KB_WRITE, f.org_unit, &path);
	if (rc == PCRM_OK) {
		pcrm__uuid_new(id);
		rc = insert_version(ctx, actor, id, 1, path, &f);
	}
	free(path);
	json_decref(doc);
	if (rc == PCRM_OK && out)
		rc = pcrm_kb_article_get(ctx, actor, id, 1, out);
	return rc;
}

int pcrm_kb_article_revise(pcrm_ctx *ctx, const pcrm_actor *actor, const char *article_id,
                           int expected_version, const char *json, pcrm_kb_article **out)
{
	struct pcrm__kb_fields f;
	struct row_meta meta = { NULL, 0, 0 };
	pcrm_kb_article *latest = NULL;
	json_t *doc = NULL;
	int rc, version = 0;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_id(article_id);
	if (rc == PCRM_OK)
		rc = pcrm__kb_doc_parse(json, &doc, &f);
	if (rc == PCRM_OK) {
		rc = load(ctx, article_id, 0, &latest, &meta);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_KB_WRITE, "kb_article", article_id,
		                           rc, latest ? latest->org_unit : NULL);
	}
	if (rc == PCRM_OK && strcmp(f.org_unit, latest->org_unit) != 0)
		rc = pcrm__error(PCRM_EINVAL, "org_unit: %s is not the article's org unit %s",
		                 f.org_unit, latest->org_unit);
	if (rc == PCRM_OK && expected_version != latest->version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "expected_version: %d is not the latest version %d; read it again",
		                 expected_version, latest->version);
	if (rc == PCRM_OK) {
		version = latest->version + 1;
		rc = insert_version(ctx, actor, article_id, version, meta.org_path, &f);
	}
	free(meta.org_path);
	pcrm_kb_article_free(latest);
	json_decref(doc);
	if (rc == PCRM_OK && out)
		rc = pcrm_kb_article_get(ctx, actor, article_id, version, out);
	return rc;
}

struct approve_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const pcrm_kb_article *draft;
	const struct row_meta *draft_meta;
};

/* Moves a version's status from `from` to the one its work order reached. */
static int follow(pcrm_ctx *ctx, int64_t row_id, pcrm_kb_status from, pcrm_kb_status reached,
                  pcrm_kb_status expected)
{
	if (reached != expected)
		return pcrm__error(PCRM_ESTATE, "article: its approval work order reached status %d, "
		                                "not %d; check the kb_article workflow",
		                   (int)reached, (int)expected);
	return set_status(ctx, row_id, from, reached);
}

static int approve_body(void *p)
{
	struct approve_arg *a = p;
	pcrm_kb_article *before = NULL;
	struct row_meta meta = { NULL, 0, 0 };
	pcrm_kb_status reached = (pcrm_kb_status)0;
	int rc = load(a->ctx, a->draft->id, -1, &before, &meta);

	if (rc == PCRM_OK) {
		/* the version approved before is superseded: its work order says by which */
		char data[48];
		struct pcrm__kb_version_ref v = ref_of(before);
		snprintf(data, sizeof(data), "{\"by_version\": %d}", a->draft->version);
		rc = pcrm__kb_approval_fire(a->ctx, a->actor, &v, "supersede", data, &reached);
		if (rc == PCRM_OK)
			rc = follow(a->ctx, meta.row_id, PCRM_KB_APPROVED, reached, PCRM_KB_RETIRED);
		if (rc == PCRM_OK)
			rc = pcrm__kb_index_remove(a->ctx->store, meta.row_id);
	} else if (rc == PCRM_ENOTFOUND) {
		rc = PCRM_OK;
	}
	if (rc == PCRM_OK) {
		struct pcrm__kb_version_ref v = ref_of(a->draft);
		rc = pcrm__kb_approval_fire(a->ctx, a->actor, &v, "approve", NULL, &reached);
	}
	if (rc == PCRM_OK)
		rc = follow(a->ctx, a->draft_meta->row_id, PCRM_KB_DRAFT, reached, PCRM_KB_APPROVED);
	if (rc == PCRM_OK) {
		const char *text[4] = { a->draft->title, a->draft->summary, a->draft->keywords,
			                a->draft->body };
		struct pcrm__kb_version_row v = { a->draft_meta->row_id, a->draft_meta->written_at,
			                          a->draft_meta->org_path, a->draft->valid_from,
			                          a->draft->valid_to };
		rc = pcrm__kb_index_add(a->ctx->store, &v, text);
	}
	if (rc == PCRM_OK)
		rc = audit(a->ctx, a->actor, "kb.approve", a->draft->id, a->draft->version,
		           a->draft->org_unit);
	free(meta.org_path);
	pcrm_kb_article_free(before);
	return rc;
}

int pcrm_kb_article_approve(pcrm_ctx *ctx, const pcrm_actor *actor, const char *article_id,
                            int version)
{
	struct row_meta meta = { NULL, 0, 0 };
	pcrm_kb_article *draft = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = check_id(article_id);
	if (rc == PCRM_OK && version < 1)
		rc = pcrm__error(PCRM_EINVAL, "version: %d is not a version number", version);
	if (rc == PCRM_OK) {
		rc = load(ctx, article_id, version, &draft, &meta);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_KB_APPROVE, "kb_article", article_id,
		                           rc, draft ? draft->org_unit : NULL);
	}
	if (rc == PCRM_OK && draft->status != PCRM_KB_DRAFT)
		rc = pcrm__error(PCRM_ESTATE, "version: %d is %s, not a draft", version,
		                 draft->status == PCRM_KB_APPROVED ? "approved" : "retired");
	if (rc == PCRM_OK) {
		struct approve_arg arg = { ctx, actor, draft, &meta };
		rc = pcrm__store_transaction(ctx->store, approve_body, &arg);
	}
	free(meta.org_path);
	pcrm_kb_article_free(draft);
	return rc;
}

int pcrm_kb_article_retire(pcrm_ctx *ctx, const pcrm_actor *actor, const char *article_id)
{
	struct row_meta meta = { NULL, 0, 0 };
	pcrm_kb_article *latest = NULL, *approved = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = check_id(article_id);
	if (rc == PCRM_OK) {
		rc = load(ctx, article_id, 0, &latest, &meta);
		free(meta.org_path);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_KB_APPROVE, "kb_article", article_id,
		                           rc, latest ? latest->org_unit : NULL);
	}
	if (rc == PCRM_OK) {
		rc = load(ctx, article_id, -1, &approved, &meta);
		if (rc == PCRM_ENOTFOUND)
			rc = pcrm__error(PCRM_ESTATE, "article: no version is approved");
	}
	if (rc == PCRM_OK) {
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK) {
			struct pcrm__kb_version_ref v = ref_of(approved);
			pcrm_kb_status reached = (pcrm_kb_status)0;
			rc = pcrm__kb_approval_fire(ctx, actor, &v, "retire", NULL, &reached);
			if (rc == PCRM_OK)
				rc = follow(ctx, meta.row_id, PCRM_KB_APPROVED, reached,
				            PCRM_KB_RETIRED);
			if (rc == PCRM_OK)
				rc = pcrm__kb_index_remove(ctx->store, meta.row_id);
			if (rc == PCRM_OK)
				rc = audit(ctx, actor, "kb.retire", article_id, approved->version,
				           approved->org_unit);
			rc = pcrm__store_finish(ctx->store, rc);
		}
		free(meta.org_path);
	}
	pcrm_kb_article_free(latest);
	pcrm_kb_article_free(approved);
	return rc;
}

int pcrm_kb_article_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *article_id,
                        int version, pcrm_kb_article **out)
{
	struct row_meta meta = { NULL, 0, 0 };
	pcrm_kb_article *a = NULL;
	char *home = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_KB_READ, NULL, &home);
	if (rc == PCRM_OK)
		rc = check_id(article_id);
	if (rc == PCRM_OK && version < 0)
		rc = pcrm__error(PCRM_EINVAL, "version: %d is not a version number", version);
	if (rc == PCRM_OK) {
		rc = load(ctx, article_id, version, &a, &meta);
		/* one the actor may not see is refused like one that does not exist */
		if (rc == PCRM_OK && !pcrm__kb_visible(home, meta.org_path)) {
			pcrm_kb_article_free(a);
			a = NULL;
			rc = PCRM_ENOTFOUND;
		}
		if (rc == PCRM_ENOTFOUND)
			rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_KB_READ, "kb_article",
			                            article_id, NULL);
	}
	free(meta.org_path);
	free(home);
	if (rc == PCRM_OK)
		*out = a;
	else
		pcrm_kb_article_free(a);
	return rc;
}

void pcrm_kb_article_free(pcrm_kb_article *a)
{
	if (!a)
		return;
	free(a->id);
	free(a->title);
	free(a->category);
	free(a->summary);
	free(a->keywords);
	free(a->body);
	free(a->format);
	free(a->org_unit);
	free(a->valid_from);
	free(a->valid_to);
	free(a->work_order_id);
	free(a);
}

const char *pcrm_kb_article_id(const pcrm_kb_article *a) { return a ? a->id : NULL; }
int pcrm_kb_article_version(const pcrm_kb_article *a) { return a ? a->version : 0; }
pcrm_kb_status pcrm_kb_article_status(const pcrm_kb_article *a)
{
	return a ? a->status : (pcrm_kb_status)0;
}
const char *pcrm_kb_article_title(const pcrm_kb_article *a) { return a ? a->title : NULL; }
const char *pcrm_kb_article_category(const pcrm_kb_article *a) { return a ? a->category : NULL; }
const char *pcrm_kb_article_summary(const pcrm_kb_article *a) { return a ? a->summary : NULL; }
const char *pcrm_kb_article_keywords(const pcrm_kb_article *a) { return a ? a->keywords : NULL; }
const char *pcrm_kb_article_body(const pcrm_kb_article *a) { return a ? a->body : NULL; }
const char *pcrm_kb_article_format(const pcrm_kb_article *a) { return a ? a->format : NULL; }
const char *pcrm_kb_article_org_unit(const pcrm_kb_article *a) { return a ? a->org_unit : NULL; }
const char *pcrm_kb_article_valid_from(const pcrm_kb_article *a)
{
	return a ? a->valid_from : NULL;
}
const char *pcrm_kb_article_valid_to(const pcrm_kb_article *a) { return a ? a->valid_to : NULL; }
const char *pcrm_kb_article_work_order_id(const pcrm_kb_article *a)
{
	return a ? a->work_order_id : NULL;
}

