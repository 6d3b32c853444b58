/* Export of a subtree's customers as JSON Lines, in the import format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"

#define EXPORT_PAGE 1000

struct export_state {
	pcrm_ctx *ctx;
	int reveal;
	pcrm_write_fn write;
	void *userdata;
	int64_t count;
	char last[64];
};

static int emit(struct export_state *s, const char *no, const char *doc_text, const char *cipher,
                const char *pii_cipher, const char *pii_key)
{
	json_error_t err;
	json_t *doc = json_loads(doc_text, 0, &err);
	char *line;
	int rc = PCRM_OK;

	if (!doc)
		return pcrm__error(PCRM_ESTORE, "customer %s holds invalid JSON: %s", no, err.text);
	rc = pcrm__customer_unseal(s->ctx, no, doc, pii_cipher, pii_key, 0);
	if (rc == PCRM_OK && s->reveal && cipher) {
		char id[PCRM__ID_MAX + 1];
		rc = pcrm__customer_open_id(s->ctx, no, cipher, id);
		if (rc == PCRM_OK)
			json_object_set_new(doc, "id_number", json_string(id));
	}
	line = rc == PCRM_OK ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	if (rc != PCRM_OK)
		return rc;
	if (!line)
		return pcrm__error_oom();
	if (s->write(line, strlen(line), s->userdata) || s->write("\n", 1, s->userdata))
		rc = pcrm__error(PCRM_EIO, "export stopped by the writer after %lld customers",
		                 (long long)s->count);
	free(line);
	if (rc == PCRM_OK) {
		s->count++;
		snprintf(s->last, sizeof(s->last), "%s", no);
	}
	return rc;
}

/* One page after the last customer number written: keyset paging keeps memory flat. */
static int export_page(struct export_state *s, const char *scope, int *rows_seen)
{
	static const char sql[] =
		"SELECT c.customer_no, c.doc, c.id_cipher, c.pii_cipher, c.pii_key FROM customer c "
		"JOIN org_unit o ON o.code = c.org_unit "
		"WHERE substr(o.path, 1, length($1)) = $1 AND c.customer_no > $2 "
		"AND c.erased_at IS NULL ORDER BY c.customer_no LIMIT $3";
	pcrm_sql_value p[3] = { PCRM_SQL_S(scope), PCRM_SQL_S(s->last), PCRM_SQL_I(EXPORT_PAGE) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(s->ctx->store, sql, p, 3, &rows);
	*rows_seen = 0;
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		char no[64];
		(*rows_seen)++;
		snprintf(no, sizeof(no), "%s", pcrm__rows_text(rows, 0));
		rc = emit(s, no, pcrm__rows_text(rows, 1), pcrm__rows_text(rows, 2),
		          pcrm__rows_text(rows, 3), pcrm__rows_text(rows, 4));
		if (rc != PCRM_OK)
			break;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm_customer_export(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                         unsigned int flags, pcrm_write_fn write, void *userdata,
                         int64_t *exported)
{
	struct export_state s;
	char *scope = NULL;
	int seen, rc;

	if (exported)
		*exported = 0;
	if (!write)
		return pcrm__error(PCRM_EINVAL, "write: callback is NULL");
	if (flags & ~PCRM_CUSTOMER_REVEAL_ID)
		return pcrm__error(PCRM_EINVAL, "flags: unknown bits 0x%x", flags);
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, org_unit, &scope);
	if (rc == PCRM_OK && (flags & PCRM_CUSTOMER_REVEAL_ID))
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_PII_READ, org_unit);
	if (rc != PCRM_OK) {
		free(scope);
		return rc;
	}
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.reveal = (flags & PCRM_CUSTOMER_REVEAL_ID) != 0;
	s.write = write;
	s.userdata = userdata;
	do
		rc = export_page(&s, scope, &seen);
	while (rc == PCRM_OK && seen == EXPORT_PAGE);
	if (rc == PCRM_OK && s.reveal) {
		/* Full ID numbers left the library: that is recorded like a change. */
		json_t *summary = json_pack("{s:s, s:I}", "scope", scope, "count", (json_int_t)s.count);
		rc = pcrm__audit_append(ctx, actor, "customer.export_ids", "customer", "", summary);
		json_decref(summary);
	}
	free(scope);
	if (exported)
		*exported = s.count;
	return rc;
}
