/*
 * Verifying the audit log: every chain in the reader's scope, from its first
 * entry to its head, then the after-image of every covered object against
 * its newest entry, optionally against a signed checkpoint (checkpoint.c).
 *
 * Per chain, in chain_seq order: consecutive numbers (a gap is a deleted
 * entry), prev_hash equal to the previous entry's hash (a broken link is an
 * insertion or reordering), the recomputed hash (an edit), the head equal to
 * the last entry (deleted newest entries); the ledger rows each bulk posting
 * lists still as it listed them (cover_bulk.c), the work-order rows each
 * timer tick lists (cover_workorder.c), the rows each customer import and
 * call-record batch lists still with their digests (cover_listed.c).  With
 * a checkpoint: the entry at each signed position must carry the signed
 * hash (rewriting before it, even with every later hash recomputed) and
 * must still exist (truncation back past it, head moved back with it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_internal.h"
#include "audit_verify.h"
#include "bulk_posting.h"
#include "core/error.h"
#include "core/progress.h"

#define VERIFY_PAGE 5000

struct chain_state {
	pcrm_sha256 *h;
	const char *chain;
	int64_t expected_seq;
	char prev_hash[PCRM_SHA256_HEX_LEN + 1];
	const struct pcrm__audit_signed_head *signed_head; /* NULL: none for this chain */
	int64_t first_bad;
	const struct pcrm__audit_progress *progress;
	int64_t done_before; /* entries of the chains verified before this one */
};

static int fail(struct chain_state *v, int64_t at)
{
	v->first_bad = at;
	return PCRM_EINTEGRITY;
}

static int verify_entry(struct chain_state *v, const pcrm_audit_entry *e)
{
	char hash[PCRM_SHA256_HEX_LEN + 1];
	int rc;

	if (e->chain_seq != v->expected_seq) {
		pcrm__error(PCRM_EINTEGRITY,
		            "audit chain %s: entry %" PRId64 " is missing (the next entry is %" PRId64 ")",
		            v->chain, v->expected_seq, e->chain_seq);
		return fail(v, v->expected_seq);
	}
	if (strcmp(e->prev_hash, v->prev_hash) != 0) {
		pcrm__error(PCRM_EINTEGRITY,
		            "audit chain %s: entry %" PRId64 " does not follow entry %" PRId64
		            " (previous-hash link broken: entries deleted, inserted or reordered)",
		            v->chain, e->chain_seq, e->chain_seq - 1);
		return fail(v, e->chain_seq);
	}
	rc = pcrm__audit_entry_hash(v->h, e, hash);
	if (rc != PCRM_OK)
		return rc;
	if (strcmp(hash, e->hash) != 0) {
		pcrm__error(PCRM_EINTEGRITY,
		            "audit chain %s: entry %" PRId64 ": hash does not match its contents (edited)",
		            v->chain, e->chain_seq);
		return fail(v, e->chain_seq);
	}
	if (v->signed_head && e->chain_seq == v->signed_head->seq &&
	    strcmp(e->hash, v->signed_head->hash) != 0) {
		pcrm__error(PCRM_EINTEGRITY,
		            "audit chain %s: entry %" PRId64 " is not the one the checkpoint signed "
		            "(the chain was rewritten up to it)",
		            v->chain, e->chain_seq);
		return fail(v, e->chain_seq);
	}
	memcpy(v->prev_hash, e->hash, sizeof(v->prev_hash));
	v->expected_seq++;
	return PCRM_OK;
}

static const char select_chain_page[] = "SELECT " PCRM__AUDIT_COLUMNS("") " FROM audit_log "
                                        "WHERE chain = $1 AND chain_seq > $2 "
                                        "ORDER BY chain_seq LIMIT $3";

/*
 * The bulk entries of one page (a billing run's posting, a customer import,
 * a batch of call records, a timer tick), whose rows are checked once the page is read
 * (cover_bulk.c, cover_listed.c, cover_workorder.c).
 */
enum bulk_kind { BULK_POSTING, BULK_IMPORT, BULK_CALL_RECORDS, BULK_TICK };

struct bulk_entry {
	int64_t seq, chain_seq;
	enum bulk_kind kind;
	char *summary;
};

/* Whether an entry is a bulk entry, and of which kind. */
static int bulk_kind_of(const pcrm_audit_entry *e, enum bulk_kind *kind)
{
	if (strcmp(e->action, PCRM__BULK_POSTING_ACTION) == 0)
		*kind = BULK_POSTING;
	else if (strcmp(e->action, PCRM__AUDIT_CUSTOMER_IMPORT) == 0)
		*kind = BULK_IMPORT;
	else if (strcmp(e->action, PCRM__AUDIT_CALL_RECORDS) == 0)
		*kind = BULK_CALL_RECORDS;
	else if (strcmp(e->action, PCRM__AUDIT_TICK) == 0)
		*kind = BULK_TICK;
	else
		return 0;
	return 1;
}

struct bulk_postings {
	struct bulk_entry *e;
	size_t n, cap;
};

static int bulk_add(struct bulk_postings *b, const pcrm_audit_entry *e, enum bulk_kind kind)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bulk_entry *grown = realloc(b->e, cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		b->e = grown;
		b->cap = cap;
	}
	if (!(b->e[b->n].summary = strdup(e->summary)))
		return pcrm__error_oom();
	b->e[b->n].seq = e->seq;
	b->e[b->n].chain_seq = e->chain_seq;
	b->e[b->n++].kind = kind;
	return PCRM_OK;
}

/* Checks and forgets the page's bulk entries (all of them forgotten, whatever the result). */
static int bulk_check(pcrm_ctx *ctx, struct chain_state *v, struct bulk_postings *b)
{
	int rc = PCRM_OK;
	for (size_t i = 0; i < b->n; i++) {
		const struct bulk_entry *e = &b->e[i];
		if (rc == PCRM_OK) {
			switch (e->kind) {
			case BULK_POSTING:
				rc = pcrm__audit_check_bulk_posting(ctx, v->chain, e->chain_seq,
				                                    e->summary);
				break;
			case BULK_IMPORT:
				rc = pcrm__audit_check_import(ctx, v->chain, e->chain_seq, e->seq,
				                              e->summary);
				break;
			case BULK_CALL_RECORDS:
				rc = pcrm__audit_check_call_records(ctx, v->chain, e->chain_seq, e->seq,
				                                    e->summary);
				break;
			case BULK_TICK:
				rc = pcrm__audit_check_tick(ctx, v->chain, e->chain_seq, e->summary);
				break;
			}
			if (rc == PCRM_EINTEGRITY)
				fail(v, e->chain_seq);
		}
		free(e->summary);
	}
	b->n = 0;
	return rc;
}

static int verify_pages(pcrm_ctx *ctx, struct chain_state *v)
{
	struct bulk_postings bulk = { 0 };
	int rc;
	for (;;) {
		pcrm_sql_value p[3] = { PCRM_SQL_S(v->chain), PCRM_SQL_I(v->expected_seq - 1),
			                PCRM_SQL_I(VERIFY_PAGE) };
		pcrm_rows *rows;
		int n = 0;
		rc = pcrm__store_query(ctx->store, select_chain_page, p, 3, &rows);
		if (rc != PCRM_OK)
			break;
		while ((rc = pcrm__rows_next(rows)) == 1) {
			pcrm_audit_entry e;
			enum bulk_kind kind;
			pcrm__audit_entry_from_row(rows, &e);
			n++;
			rc = verify_entry(v, &e);
			if (rc == PCRM_OK && bulk_kind_of(&e, &kind))
				rc = bulk_add(&bulk, &e, kind);
			if (rc != PCRM_OK)
				break;
		}
		pcrm__rows_free(rows);
		/* the rows a page's bulk entries wrote, read once the page's query is closed */
		if (rc >= 0)
			rc = bulk_check(ctx, v, &bulk);
		if (rc < 0)
			break;
		if (v->progress && n > 0)
			rc = pcrm__progress_report(v->progress->fn, v->progress->userdata,
			                           v->done_before + v->expected_seq - 1,
			                           "audit verification", "entries checked");
		if (rc != PCRM_OK || n < VERIFY_PAGE)
			break;
	}
	for (size_t i = 0; i < bulk.n; i++)
		free(bulk.e[i].summary);
	free(bulk.e);
	return rc;
}

static int verify_head(pcrm_ctx *ctx, struct chain_state *v)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(v->chain) };
	pcrm_rows *rows;
	int64_t last = v->expected_seq - 1;
	int rc;

	if (v->signed_head && last < v->signed_head->seq) {
		pcrm__error(PCRM_EINTEGRITY,
		            "audit chain %s ends at entry %" PRId64 " but the checkpoint signed entry %"
		            PRId64 ": newest entries were deleted",
		            v->chain, last, v->signed_head->seq);
		return fail(v, last + 1);
	}
	rc = pcrm__store_query(ctx->store, "SELECT seq, hash FROM audit_chain WHERE chain = $1", p,
	                       1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 0 && last == 0) {
		rc = PCRM_OK; /* a city that has written nothing yet has no chain yet */
	} else if (rc == 0) {
		pcrm__error(PCRM_EINTEGRITY, "audit log head row of chain %s is missing", v->chain);
		rc = fail(v, last + 1);
	} else if (rc == 1) {
		int64_t head_seq = pcrm__rows_int(rows, 0);
		const char *head_hash = pcrm__rows_text(rows, 1);
		rc = PCRM_OK;
		if (head_seq != last || !head_hash || strcmp(head_hash, v->prev_hash) != 0) {
			pcrm__error(PCRM_EINTEGRITY,
			            "audit chain %s ends at entry %" PRId64 " but its head records entry %"
			            PRId64 ": newest entries were deleted or altered",
			            v->chain, last, head_seq);
			rc = fail(v, last + 1);
		}
	}
	pcrm__rows_free(rows);
	return rc;
}

/* Appends a copy of `name` to the list unless it is there already. */
static int add_chain(struct pcrm__audit_chain_list *list, const char *name)
{
	char **grown;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->names[i], name) == 0)
			return PCRM_OK;
	grown = realloc(list->names, (list->n + 1) * sizeof(*grown));
	if (!grown)
		return pcrm__error_oom();
	list->names = grown;
	if (!(list->names[list->n] = strdup(name)))
		return pcrm__error_oom();
	list->n++;
	return PCRM_OK;
}

void pcrm__audit_chain_list_free(struct pcrm__audit_chain_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->names[i]);
	free(list->names);
	memset(list, 0, sizeof(*list));
}

/*
 * The chains to verify: for a province reader every chain that has a head
 * or an entry (a chain whose head was deleted still has entries); for a
 * city reader its own.
 */
int pcrm__audit_chains_in_scope(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope,
                                struct pcrm__audit_chain_list *out)
{
	pcrm_rows *rows;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!scope->everything)
		return add_chain(out, scope->chain);
	rc = pcrm__store_query(ctx->store,
	                       "SELECT chain FROM audit_chain UNION SELECT chain FROM audit_log "
	                       "ORDER BY 1",
	                       NULL, 0, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1)
		if ((rc = add_chain(out, pcrm__rows_text(rows, 0))) != PCRM_OK)
			break;
	pcrm__rows_free(rows);
	if (rc < 0)
		pcrm__audit_chain_list_free(out);
	return rc < 0 ? rc : PCRM_OK;
}

struct covered_object {
	char *type, *id, *covers, *chain;
	int64_t chain_seq;
};

static void objects_free(struct covered_object *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].type);
		free(o[i].id);
		free(o[i].covers);
		free(o[i].chain);
	}
	free(o);
}

static int in_list(const struct pcrm__audit_chain_list *chains, const char *name)
{
	for (size_t i = 0; i < chains->n; i++)
		if (strcmp(chains->names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The newest covering entry of every object, by global seq: two writers of
 * one object queue on its row, so the later change has the later seq, on
 * either store, whichever chain each wrote to.  The rows are collected
 * first and checked after, so no query runs while another is open.
 */
static int collect_objects(pcrm_ctx *ctx, const struct pcrm__audit_chain_list *chains,
                           struct covered_object **out, size_t *count)
{
	struct covered_object *objects = NULL;
	size_t n = 0, cap = 0;
	pcrm_rows *rows;
	int rc = pcrm__store_query(
	        ctx->store,
	        "SELECT a.object_type, a.object_id, a.covers, a.chain, a.chain_seq FROM audit_log a "
	        "JOIN (SELECT object_type, object_id, MAX(seq) AS newest FROM audit_log "
	        "WHERE covers <> '' GROUP BY object_type, object_id) l ON a.seq = l.newest "
	        "ORDER BY a.seq",
	        NULL, 0, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		struct covered_object *o;
		if (!in_list(chains, pcrm__rows_text(rows, 3)))
			continue;
		if (n == cap) {
			struct covered_object *grown;
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(objects, cap * sizeof(*grown)))) {
				rc = pcrm__error_oom();
				break;
			}
			objects = grown;
		}
		o = &objects[n++];
		o->type = strdup(pcrm__rows_text(rows, 0));
		o->id = strdup(pcrm__rows_text(rows, 1));
		o->covers = strdup(pcrm__rows_text(rows, 2));
		o->chain = strdup(pcrm__rows_text(rows, 3));
		o->chain_seq = pcrm__rows_int(rows, 4);
		if (!o->type || !o->id || !o->covers || !o->chain) {
			rc = pcrm__error_oom();
			break;
		}
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		objects_free(objects, n);
		return rc;
	}
	*out = objects;
	*count = n;
	return PCRM_OK;
}

static int verify_objects(pcrm_ctx *ctx, const struct pcrm__audit_chain_list *chains,
                          int64_t *first_bad)
{
	struct covered_object *objects;
	size_t n;
	int rc = collect_objects(ctx, chains, &objects, &n);
	if (rc != PCRM_OK)
		return rc;
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		int same;
		rc = pcrm__audit_cover_check(ctx, objects[i].type, objects[i].id, objects[i].covers,
		                             &same);
		if (rc == PCRM_OK && !same) {
			*first_bad = objects[i].chain_seq;
			rc = pcrm__error(PCRM_EINTEGRITY,
			                 "audit chain %s: entry %" PRId64 ": %s %.64s no longer matches "
			                 "the after-image it recorded (changed outside the library)",
			                 objects[i].chain, objects[i].chain_seq, objects[i].type,
			                 objects[i].id);
		}
	}
	objects_free(objects, n);
	return rc;
}

static const struct pcrm__audit_signed_head *signed_head_of(const struct pcrm__audit_checkpoint *cp,
                                                            const char *chain)
{
	for (size_t i = 0; cp && i < cp->n; i++)
		if (strcmp(cp->heads[i].chain, chain) == 0)
			return &cp->heads[i];
	return NULL;
}

static int verify_in_tx(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope,
                        const struct pcrm__audit_checkpoint *cp,
                        const struct pcrm__audit_progress *progress, int64_t *checked,
                        int64_t *first_bad)
{
	struct pcrm__audit_chain_list chains;
	struct chain_state v;
	int rc = pcrm__audit_chains_in_scope(ctx, scope, &chains);
	if (rc != PCRM_OK)
		return rc;
	/* a chain the checkpoint signed must still be there, with or without its head */
	for (size_t i = 0; cp && i < cp->n && rc == PCRM_OK; i++)
		rc = add_chain(&chains, cp->heads[i].chain);
	memset(&v, 0, sizeof(v));
	v.progress = progress;
	if (rc == PCRM_OK)
		rc = pcrm__sha256_new(&v.h);
	for (size_t i = 0; i < chains.n && rc == PCRM_OK; i++) {
		v.chain = chains.names[i];
		v.expected_seq = 1;
		memset(v.prev_hash, '0', PCRM_SHA256_HEX_LEN);
		v.prev_hash[PCRM_SHA256_HEX_LEN] = '\0';
		v.signed_head = signed_head_of(cp, v.chain);
		v.done_before = *checked;
		rc = verify_pages(ctx, &v);
		if (rc == PCRM_OK)
			rc = verify_head(ctx, &v);
		*checked += v.expected_seq - 1;
		if (rc == PCRM_EINTEGRITY)
			*first_bad = v.first_bad;
	}
	pcrm__sha256_free(v.h);
	if (rc == PCRM_OK)
		rc = verify_objects(ctx, &chains, first_bad);
	pcrm__audit_chain_list_free(&chains);
	return rc;
}

int pcrm__audit_verify_scope(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope,
                             const struct pcrm__audit_checkpoint *cp,
                             const struct pcrm__audit_progress *progress, int64_t *checked,
                             int64_t *first_bad)
{
	int64_t count = 0, bad = 0;
	/* One read transaction: a consistent snapshot even while others append. */
	int rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		pcrm__error_state e;
		rc = verify_in_tx(ctx, scope, cp, progress, &count, &bad);
		/* Read-only: always roll back, but report the verification result. */
		pcrm__error_save(&e);
		pcrm__store_rollback(ctx->store);
		if (rc != PCRM_OK)
			pcrm__error_restore(&e, rc);
	}
	if (checked)
		*checked = count;
	if (first_bad)
		*first_bad = rc == PCRM_EINTEGRITY ? bad : 0;
	return rc;
}

/* Verification runs on whole chains: a reader below a city would read other units' entries. */
int pcrm__audit_verifier_scope(pcrm_ctx *ctx, const pcrm_actor *actor, int province_only,
                               struct pcrm__audit_scope *scope)
{
	char reason[256];
	int rc = pcrm__audit_scope(ctx, actor, PCRM_PERM_AUDIT_READ, scope);
	if (rc != PCRM_OK)
		return rc;
	if (scope->everything || (!province_only && scope->level == 2))
		return PCRM_OK;
	snprintf(reason, sizeof(reason),
	         province_only ? "operator %s: checkpoints cover every chain; only a province-level "
	                         "auditor may make or check them" :
	                         "operator %s: verification covers a whole city's chain; only "
	                         "city- and province-level auditors may verify",
	         actor->operator_id);
	free(scope->path);
	scope->path = NULL;
	return pcrm__audit_deny(ctx, actor, PCRM_PERM_AUDIT_READ, "audit_log", "", reason);
}

int pcrm_audit_verify_ext(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_progress_fn progress,
                          void *userdata, int64_t *checked, int64_t *first_bad)
{
	struct pcrm__audit_progress p = { progress, userdata };
	struct pcrm__audit_scope scope;
	int rc;

	if (checked)
		*checked = 0;
	if (first_bad)
		*first_bad = 0;
	rc = pcrm__audit_verifier_scope(ctx, actor, 0, &scope);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__audit_verify_scope(ctx, &scope, NULL, progress ? &p : NULL, checked, first_bad);
	free(scope.path);
	return rc;
}

int pcrm_audit_verify(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t *checked,
                      int64_t *first_bad)
{
	return pcrm_audit_verify_ext(ctx, actor, NULL, NULL, checked, first_bad);
}
