/*
 * The hash-chained audit log.
 *
 * Appending: the single audit_head row is read with its row lock first
 * (SELECT ... FOR UPDATE), so concurrent writers on PostgreSQL queue up and
 * every entry sees the true previous hash; SQLite serialises writers anyway.
 * The entry hash is SHA-256 over a length-prefixed encoding of prev_hash and
 * every column, so no two different entries encode alike.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "core/text.h"
#include "store/store.h"

#define NAME_MAX_LEN 64
#define VERIFY_PAGE 5000

/* Writes "<length>:<bytes>\n" at out (room for it is the caller's); returns the end. */
static char *put_field(char *out, const char *value)
{
	size_t len = strlen(value);
	out += pcrm__int_text((int64_t)len, out);
	*out++ = ':';
	memcpy(out, value, len);
	out += len;
	*out++ = '\n';
	return out;
}

/*
 * SHA-256 over "<length>:<bytes>\n" of each field in turn, so field
 * boundaries are unambiguous.  The encoding is built whole and hashed in one
 * update: an snprintf and three digest updates per field cost about a
 * quarter of an audit append.
 */
static int entry_hash(pcrm_sha256 *h, const pcrm_audit_entry *e, char out[PCRM_SHA256_HEX_LEN + 1])
{
	char seq[24], at[24], stack[2048], *buf = stack, *end;
	const char *fields[11];
	size_t size = 0;
	int rc;

	snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
	snprintf(at, sizeof(at), "%" PRId64, e->at);
	fields[0] = "powercrm-audit-v1";
	fields[1] = seq;
	fields[2] = at;
	fields[3] = e->operator_id;
	fields[4] = e->role;
	fields[5] = e->actor_org;
	fields[6] = e->action;
	fields[7] = e->object_type;
	fields[8] = e->object_id;
	fields[9] = e->summary;
	fields[10] = e->prev_hash;
	for (int i = 0; i < 11; i++)
		size += strlen(fields[i]) + PCRM__INT_TEXT_MAX + 1; /* length, ':', '\n' */
	if (size > sizeof(stack) && !(buf = malloc(size)))
		return pcrm__error_oom();
	end = buf;
	for (int i = 0; i < 11; i++)
		end = put_field(end, fields[i]);
	rc = pcrm__sha256_reset(h);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_update(h, buf, (size_t)(end - buf));
	if (buf != stack)
		free(buf);
	return rc == PCRM_OK ? pcrm__sha256_final_hex(h, out) : rc;
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

/*
 * The statement that reads the head for the next entry (its seq and the
 * previous hash) and holds it until the transaction ends.  PostgreSQL:
 * FOR UPDATE takes the row's lock, so concurrent appenders queue here and
 * each sees the hash the one before it wrote (after the wait, READ COMMITTED
 * reads the row's newest version; REPEATABLE READ and SERIALIZABLE fail with
 * a serialization error, PCRM_ERETRY, as an UPDATE would).  It used to be
 * "UPDATE ... SET seq = seq + 1 RETURNING", which took the same lock but
 * wrote a row version that insert_entry()'s UPDATE replaced at once: two
 * heap updates, two constraint checks and two WAL records of the head per
 * entry, where a row lock is one small WAL record.  SQLite: every
 * transaction is BEGIN IMMEDIATE, so the database's one write lock is
 * already held and a plain read is enough; its UPDATE ... RETURNING cost a
 * transition about a tenth of its CPU.  insert_entry() writes seq and hash
 * back in one UPDATE.
 */
static const char *head_claim(const pcrm_store *st)
{
	return st->driver->kind == PCRM_STORE_POSTGRES ?
	               "SELECT seq + 1, hash FROM audit_head WHERE id = 1 FOR UPDATE" :
	               "SELECT seq + 1, hash FROM audit_head WHERE id = 1";
}

static int insert_entry(pcrm_ctx *ctx, pcrm_audit_entry *e)
{
	pcrm_sha256 *h;
	char hash[PCRM_SHA256_HEX_LEN + 1], prev[PCRM_SHA256_HEX_LEN + 1];
	pcrm_rows *rows;
	pcrm_sql_value p[11];
	int rc = pcrm__store_query(ctx->store, head_claim(ctx->store), NULL, 0, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		e->seq = pcrm__rows_int(rows, 0);
		snprintf(prev, sizeof(prev), "%s", pcrm__rows_text(rows, 1));
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_EINTEGRITY, "audit log head row is missing");
	}
	pcrm__rows_free(rows);
	if (rc != PCRM_OK)
		return rc;
	e->prev_hash = prev;
	rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	rc = entry_hash(h, e, hash);
	pcrm__sha256_free(h);
	if (rc != PCRM_OK)
		return rc;
	p[0] = PCRM_SQL_I(e->seq);
	p[1] = PCRM_SQL_I(e->at);
	p[2] = PCRM_SQL_S(e->operator_id);
	p[3] = PCRM_SQL_S(e->role);
	p[4] = PCRM_SQL_S(e->actor_org);
	p[5] = PCRM_SQL_S(e->action);
	p[6] = PCRM_SQL_S(e->object_type);
	p[7] = PCRM_SQL_S(e->object_id);
	p[8] = PCRM_SQL_S(e->summary);
	p[9] = PCRM_SQL_S(prev);
	p[10] = PCRM_SQL_S(hash);
	/*
	 * The head's row lock is held: the entry and the head's new seq and hash
	 * travel with the transaction's next statement.  On PostgreSQL they are
	 * one statement (the head's UPDATE as a data-modifying WITH, which runs
	 * whether or not it is referenced): one bind and one executor fewer.
	 */
	if (ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		return pcrm__store_exec_later(
		        ctx->store,
		        "WITH head AS (UPDATE audit_head SET seq = $1, hash = $11 WHERE id = 1) "
		        "INSERT INTO audit_log (seq, at, operator_id, role, actor_org, action, "
		        "object_type, object_id, summary, prev_hash, hash) "
		        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		        p, 11, -1, 0, NULL);
	rc = pcrm__store_exec_later(ctx->store,
	                            "INSERT INTO audit_log (seq, at, operator_id, role, actor_org, "
	                            "action, object_type, object_id, summary, prev_hash, hash) "
	                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	                            p, 11, -1, 0, NULL);
	if (rc == PCRM_OK) {
		/*
		 * No row-count check: the head was read (and on PostgreSQL locked) in
		 * this transaction, and a check would keep COMMIT from travelling with
		 * these two statements (one more round trip).
		 */
		p[1] = PCRM_SQL_S(hash);
		rc = pcrm__store_exec_later(ctx->store,
		                            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", p,
		                            2, -1, 0, NULL);
	}
	return rc;
}

static int append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                  const char *object_type, const char *object_id, const json_t *summary,
                  int savepoint)
{
	pcrm_audit_entry e;
	char *summary_text;
	json_t *empty = NULL;
	int rc;

	if (!summary)
		summary = empty = json_object();
	/* Sorted keys and compact form: the stored text is what the hash covers. */
	summary_text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(empty);
	if (!summary_text)
		return pcrm__error_oom();
	memset(&e, 0, sizeof(e));
	e.at = pcrm_ctx_now(ctx);
	e.operator_id = actor->operator_id;
	e.role = pcrm_role_name(actor->role);
	e.actor_org = actor->org_unit;
	e.action = action;
	e.object_type = object_type;
	e.object_id = object_id ? object_id : "";
	e.summary = summary_text;
	if (!savepoint && ctx->store->tx_depth > 0) {
		rc = insert_entry(ctx, &e);
	} else {
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK)
			rc = pcrm__store_finish(ctx->store, insert_entry(ctx, &e));
	}
	free(summary_text);
	return rc;
}

int pcrm__audit_append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                       const char *object_type, const char *object_id, const json_t *summary)
{
	return append(ctx, actor, action, object_type, object_id, summary, 1);
}

int pcrm__audit_append_in_tx(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                             const char *object_type, const char *object_id,
                             const json_t *summary)
{
	return append(ctx, actor, action, object_type, object_id, summary, 0);
}

int pcrm__audit_deny(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                     const char *object_type, const char *object_id, const char *reason)
{
	char saved[512];
	json_t *summary = json_pack("{s:s, s:s}", "permission", pcrm_permission_name(permission),
	                            "reason", reason);
	snprintf(saved, sizeof(saved), "%s", reason);
	/* A failure to record the denial must not turn it into anything but a denial. */
	pcrm__audit_append(ctx, actor, "permission.denied", object_type, object_id, summary);
	json_decref(summary);
	return pcrm__error(PCRM_EPERM, "%s", saved);
}

static int check_reader(pcrm_ctx *ctx, const pcrm_actor *actor)
{
	char reason[256];
	int rc = pcrm_actor_validate(actor);
	if (rc != PCRM_OK)
		return rc;
	if (pcrm_actor_can(actor, PCRM_PERM_AUDIT_READ))
		return PCRM_OK;
	snprintf(reason, sizeof(reason), "operator %s (%s level %d) may not read the audit log",
	         actor->operator_id, pcrm_role_name(actor->role), actor->level);
	return pcrm__audit_deny(ctx, actor, PCRM_PERM_AUDIT_READ, "audit_log", "", reason);
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
	char reason[256];
	int rc = pcrm_actor_validate(actor);

	if (rc != PCRM_OK)
		return rc;
	if ((rc = check_name("action", action)) != PCRM_OK ||
	    (rc = check_name("object_type", object_type)) != PCRM_OK ||
	    (rc = check_object_id(object_id)) != PCRM_OK ||
	    (rc = parse_summary(summary_json, &summary)) != PCRM_OK)
		return rc;
	if (!pcrm_actor_can(actor, PCRM_PERM_AUDIT_WRITE)) {
		json_decref(summary);
		snprintf(reason, sizeof(reason), "operator %s (%s level %d) may not write audit entries",
		         actor->operator_id, pcrm_role_name(actor->role), actor->level);
		return pcrm__audit_deny(ctx, actor, PCRM_PERM_AUDIT_WRITE, object_type, object_id,
		                        reason);
	}
	rc = pcrm__audit_append(ctx, actor, action, object_type, object_id, summary);
	json_decref(summary);
	return rc;
}

static void entry_from_row(pcrm_rows *rows, pcrm_audit_entry *e)
{
	e->seq = pcrm__rows_int(rows, 0);
	e->at = pcrm__rows_int(rows, 1);
	e->operator_id = pcrm__rows_text(rows, 2);
	e->role = pcrm__rows_text(rows, 3);
	e->actor_org = pcrm__rows_text(rows, 4);
	e->action = pcrm__rows_text(rows, 5);
	e->object_type = pcrm__rows_text(rows, 6);
	e->object_id = pcrm__rows_text(rows, 7);
	e->summary = pcrm__rows_text(rows, 8);
	e->prev_hash = pcrm__rows_text(rows, 9);
	e->hash = pcrm__rows_text(rows, 10);
}

static const char select_page[] =
	"SELECT seq, at, operator_id, role, actor_org, action, object_type, object_id, summary, "
	"prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";

int pcrm_audit_list(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t after_seq, int64_t limit,
                    pcrm_audit_visit_fn visit, void *userdata)
{
	pcrm_sql_value p[2];
	pcrm_rows *rows;
	int rc = check_reader(ctx, actor);
	if (rc != PCRM_OK)
		return rc;
	if (!visit)
		return pcrm__error(PCRM_EINVAL, "visit: callback is NULL");
	if (limit < 0)
		return pcrm__error(PCRM_EINVAL, "limit: %" PRId64 " is negative", limit);
	p[0] = PCRM_SQL_I(after_seq);
	p[1] = PCRM_SQL_I(limit == 0 ? INT64_MAX : limit);
	rc = pcrm__store_query(ctx->store, select_page, p, 2, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		pcrm_audit_entry e;
		int stop;
		entry_from_row(rows, &e);
		stop = visit(&e, userdata);
		if (stop) {
			rc = stop;
			break;
		}
	}
	pcrm__rows_free(rows);
	return rc;
}

struct verify_state {
	pcrm_sha256 *h;
	int64_t expected_seq;
	char prev_hash[PCRM_SHA256_HEX_LEN + 1];
	int64_t first_bad;
};

static int verify_entry(struct verify_state *v, const pcrm_audit_entry *e)
{
	char hash[PCRM_SHA256_HEX_LEN + 1];
	int rc;

	if (e->seq != v->expected_seq) {
		v->first_bad = v->expected_seq;
		return pcrm__error(PCRM_EINTEGRITY,
		                   "audit entry %" PRId64 " is missing (the next entry is %" PRId64 ")",
		                   v->expected_seq, e->seq);
	}
	if (strcmp(e->prev_hash, v->prev_hash) != 0) {
		v->first_bad = e->seq;
		return pcrm__error(PCRM_EINTEGRITY,
		                   "audit entry %" PRId64 ": does not follow entry %" PRId64
		                   " (previous-hash link broken: entries deleted, inserted or reordered)",
		                   e->seq, e->seq - 1);
	}
	rc = entry_hash(v->h, e, hash);
	if (rc != PCRM_OK)
		return rc;
	if (strcmp(hash, e->hash) != 0) {
		v->first_bad = e->seq;
		return pcrm__error(PCRM_EINTEGRITY,
		                   "audit entry %" PRId64 ": hash does not match its contents (edited)",
		                   e->seq);
	}
	memcpy(v->prev_hash, e->hash, sizeof(v->prev_hash));
	v->expected_seq++;
	return PCRM_OK;
}

static int verify_pages(pcrm_ctx *ctx, struct verify_state *v)
{
	for (;;) {
		pcrm_sql_value p[2] = { PCRM_SQL_I(v->expected_seq - 1), PCRM_SQL_I(VERIFY_PAGE) };
		pcrm_rows *rows;
		int n = 0, rc = pcrm__store_query(ctx->store, select_page, p, 2, &rows);
		if (rc != PCRM_OK)
			return rc;
		while ((rc = pcrm__rows_next(rows)) == 1) {
			pcrm_audit_entry e;
			entry_from_row(rows, &e);
			n++;
			rc = verify_entry(v, &e);
			if (rc != PCRM_OK)
				break;
		}
		pcrm__rows_free(rows);
		if (rc < 0)
			return rc;
		if (n < VERIFY_PAGE)
			return PCRM_OK;
	}
}

static int verify_head(pcrm_ctx *ctx, struct verify_state *v)
{
	pcrm_rows *rows;
	int64_t last = v->expected_seq - 1;
	int rc = pcrm__store_query(ctx->store, "SELECT seq, hash FROM audit_head WHERE id = 1", NULL,
	                           0, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 0) {
		rc = pcrm__error(PCRM_EINTEGRITY, "audit log head row is missing");
		v->first_bad = last + 1;
	} else if (rc == 1) {
		int64_t head_seq = pcrm__rows_int(rows, 0);
		const char *head_hash = pcrm__rows_text(rows, 1);
		rc = PCRM_OK;
		if (head_seq != last || !head_hash || strcmp(head_hash, v->prev_hash) != 0) {
			v->first_bad = last + 1;
			rc = pcrm__error(PCRM_EINTEGRITY,
			                 "audit log ends at entry %" PRId64 " but its head records entry %"
			                 PRId64 ": newest entries were deleted or altered",
			                 last, head_seq);
		}
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm_audit_verify(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t *checked,
                      int64_t *first_bad)
{
	struct verify_state v;
	int rc = check_reader(ctx, actor);
	if (rc != PCRM_OK)
		return rc;
	memset(&v, 0, sizeof(v));
	v.expected_seq = 1;
	memset(v.prev_hash, '0', PCRM_SHA256_HEX_LEN);
	rc = pcrm__sha256_new(&v.h);
	if (rc != PCRM_OK)
		return rc;
	/* One read transaction: a consistent snapshot even while others append. */
	rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		rc = verify_pages(ctx, &v);
		if (rc == PCRM_OK)
			rc = verify_head(ctx, &v);
		/* Read-only: always roll back, but report the verification result. */
		{
			pcrm__error_state e;
			pcrm__error_save(&e);
			pcrm__store_rollback(ctx->store);
			if (rc != PCRM_OK)
				pcrm__error_restore(&e, rc);
		}
	}
	pcrm__sha256_free(v.h);
	if (checked)
		*checked = v.expected_seq - 1;
	if (first_bad)
		*first_bad = rc == PCRM_EINTEGRITY ? v.first_bad : 0;
	return rc;
}
