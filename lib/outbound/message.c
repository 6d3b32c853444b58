/*
 * Single messages: queueing one, do-not-contact preferences, reading a
 * message's state.  Delivery is in deliver.c, campaigns in campaign.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "core/uuid.h"
#include "customer/customer_internal.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

static const char *const channel_names[PCRM_OUTBOUND_CHANNEL_COUNT] = { "sms", "email", "wechat",
	                                                                "voice", "letter" };

const char *pcrm_outbound_channel_name(pcrm_outbound_channel channel)
{
	int i = (int)channel - 1;
	return i >= 0 && i < PCRM_OUTBOUND_CHANNEL_COUNT ? channel_names[i] : NULL;
}

int pcrm_outbound_channel_parse(const char *name, pcrm_outbound_channel *out)
{
	for (int i = 0; name && out && i < PCRM_OUTBOUND_CHANNEL_COUNT; i++) {
		if (strcmp(name, channel_names[i]) == 0) {
			*out = (pcrm_outbound_channel)(i + 1);
			return PCRM_OK;
		}
	}
	return pcrm__error(PCRM_EINVAL, "channel: must be one of sms, email, wechat, voice, letter");
}

const char *pcrm__outbound_contact_channel(pcrm_outbound_channel channel)
{
	return channel == PCRM_OUTBOUND_VOICE ? "phone" : pcrm_outbound_channel_name(channel);
}

/* The customer's unit, and the permission on it; a miss and a refusal read alike. */
static int customer_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission perm,
                          const char *customer_no, char **org)
{
	int rc = pcrm_actor_validate(actor);
	*org = NULL;
	if (rc != PCRM_OK)
		return rc;
	if (!customer_no || pcrm__code_check("customer_no", customer_no, 32) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "customer_no: must be 1..32 letters, digits, - _ .");
	rc = pcrm__customer_org_read(ctx, customer_no, org);
	return pcrm__authorize_found(ctx, actor, perm, "customer", customer_no, rc, *org);
}

struct queue_input {
	const char *body, *work_order_id, *id;
	pcrm_time not_before;
};

static int parse_queue(const char *json, json_t **doc, struct queue_input *in)
{
	static const char *const known[] = { "body", "not_before", "work_order_id", "id", NULL };
	json_t *v;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = pcrm__json_parse("json", json, doc)) != PCRM_OK)
		return rc;
	rc = pcrm__json_expect("document", *doc, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("", *doc, known);
	if (rc != PCRM_OK)
		return rc;
	v = json_object_get(*doc, "body");
	if ((rc = pcrm__json_expect("body", v, JSON_STRING, "a string")) != PCRM_OK)
		return rc;
	in->body = json_string_value(v);
	if (json_string_length(v) == 0 || json_string_length(v) > PCRM_OUTBOUND_BODY_MAX)
		return pcrm__error(PCRM_EINVAL, "body: must be 1..%d bytes", PCRM_OUTBOUND_BODY_MAX);
	if ((rc = pcrm__text_check("body", in->body, json_string_length(v), PCRM__TEXT_LINES)) != PCRM_OK)
		return rc;
	if ((v = json_object_get(*doc, "not_before"))) {
		if ((rc = pcrm__json_expect("not_before", v, JSON_STRING, "a string")) != PCRM_OK)
			return rc;
		if (pcrm_time_parse(json_string_value(v), &in->not_before) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "not_before: not an ISO 8601 instant with offset");
	}
	if ((v = json_object_get(*doc, "work_order_id"))) {
		if ((rc = pcrm__json_expect("work_order_id", v, JSON_STRING, "a string")) != PCRM_OK)
			return rc;
		in->work_order_id = json_string_value(v);
		if ((rc = pcrm__code_check("work_order_id", in->work_order_id, 64)) != PCRM_OK)
			return rc;
	}
	if ((v = json_object_get(*doc, "id"))) {
		if ((rc = pcrm__json_expect("id", v, JSON_STRING, "a string")) != PCRM_OK)
			return rc;
		in->id = json_string_value(v);
		if (strlen(in->id) == 0 || strlen(in->id) > PCRM__OUTBOUND_ID_MAX ||
		    strspn(in->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") !=
		            strlen(in->id))
			return pcrm__error(PCRM_EINVAL, "id: must be 1..%d letters, digits, - _ . /",
			                   PCRM__OUTBOUND_ID_MAX);
	}
	return PCRM_OK;
}

int pcrm__outbound_queue_doc_check(const char *json)
{
	struct queue_input in;
	json_t *doc = NULL;
	int rc = parse_queue(json, &doc, &in);
	json_decref(doc);
	return rc;
}

int pcrm_outbound_queue(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *json, char *id_out, size_t id_size)
{
	static const char sql[] =
		"INSERT INTO outbound_message (org_unit, id, customer_no, campaign_id, work_order_id, "
		"body, status, channel, channel_index, attempts, not_before, created_at, updated_at) "
		"VALUES ($1, $2, $3, NULL, $4, $5, 'queued', NULL, 0, 0, $6, $7, $7)";
	char uuid[PCRM_UUID_STRING_LEN + 1], *org = NULL;
	struct queue_input in;
	json_t *doc = NULL, *summary;
	pcrm_time now;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (id_out && id_size < PCRM__OUTBOUND_ID_MAX + 1)
		return pcrm__error(PCRM_EINVAL, "id_size: %zu is less than %d", id_size,
		                   PCRM__OUTBOUND_ID_MAX + 1);
	rc = parse_queue(json, &doc, &in);
	if (rc == PCRM_OK)
		rc = customer_scope(ctx, actor, PCRM_PERM_CONTACT_WRITE, customer_no, &org);
	if (rc != PCRM_OK)
		goto done;
	now = pcrm_ctx_now(ctx);
	if (!in.id) {
		pcrm__uuid_new(uuid);
		in.id = uuid;
	}
	{
		pcrm_sql_value p[7] = { PCRM_SQL_S(org), PCRM_SQL_S(in.id), PCRM_SQL_S(customer_no),
			                PCRM_SQL_S(in.work_order_id), PCRM_SQL_S(in.body),
			                PCRM_SQL_I(in.not_before ? in.not_before : now), PCRM_SQL_I(now) };
		summary = json_pack("{s:s, s:s*}", "customer_no", customer_no, "work_order_id",
		                    in.work_order_id);
		if (!summary) {
			rc = pcrm__error_oom();
			goto done;
		}
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK) {
			rc = pcrm__store_exec(ctx->store, sql, p, 7, NULL);
			if (rc == PCRM_EDUPLICATE)
				rc = pcrm__error(PCRM_EDUPLICATE, "id: a message with this id is queued");
			if (rc == PCRM_OK)
				rc = pcrm__audit_append_in_tx(ctx, actor, "outbound.queue",
				                              "outbound_message", in.id, summary);
			rc = pcrm__store_finish(ctx->store, rc);
		}
		json_decref(summary);
	}
	if (rc == PCRM_OK && id_out)
		snprintf(id_out, id_size, "%s", in.id);
done:
	free(org);
	json_decref(doc);
	return rc;
}

int pcrm_outbound_set_do_not_contact(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, pcrm_outbound_channel channel,
                                     int do_not_contact)
{
	static const char del[] =
		"DELETE FROM outbound_preference WHERE customer_no = $1 AND channel = $2";
	static const char ins[] =
		"INSERT INTO outbound_preference (customer_no, channel, do_not_contact, updated_at, "
		"updated_by) VALUES ($1, $2, $3, $4, $5)";
	const char *name = pcrm_outbound_channel_name(channel);
	char *org = NULL;
	json_t *summary;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!name)
		return pcrm__error(PCRM_EINVAL, "channel: %d is not a channel", (int)channel);
	rc = customer_scope(ctx, actor, PCRM_PERM_CONTACT_WRITE, customer_no, &org);
	if (rc != PCRM_OK) {
		free(org);
		return rc;
	}
	summary = json_pack("{s:s, s:b}", "channel", name, "do_not_contact", do_not_contact != 0);
	if (!summary) {
		free(org);
		return pcrm__error_oom();
	}
	{
		pcrm_sql_value p[5] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(name),
			                PCRM_SQL_I(do_not_contact != 0), PCRM_SQL_I(pcrm_ctx_now(ctx)),
			                PCRM_SQL_S(actor->operator_id) };
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK) {
			rc = pcrm__store_exec(ctx->store, del, p, 2, NULL);
			if (rc == PCRM_OK)
				rc = pcrm__store_exec(ctx->store, ins, p, 5, NULL);
			if (rc == PCRM_OK)
				rc = pcrm__audit_append_in_tx(ctx, actor, "outbound.preference", "customer",
				                              customer_no, summary);
			rc = pcrm__store_finish(ctx->store, rc);
		}
	}
	json_decref(summary);
	free(org);
	return rc;
}

int pcrm_outbound_status(pcrm_ctx *ctx, const pcrm_actor *actor, const char *message_id,
                         char *buf, size_t size, int *attempts)
{
	static const char sql[] =
		"SELECT org_unit, status, attempts FROM outbound_message WHERE id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(message_id) };
	pcrm_rows *rows = NULL;
	char *org = NULL, status[16] = "";
	int rc, n = 0, found = 0;

	if (!ctx || !buf || size < sizeof(status))
		return pcrm__error(PCRM_EINVAL, "%s", !ctx ? "ctx: is NULL" :
		                                      "buf: needs at least 16 bytes");
	buf[0] = '\0';
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && !message_id)
		rc = pcrm__error(PCRM_EINVAL, "message_id: is NULL");
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		org = strdup(pcrm__rows_text(rows, 0));
		snprintf(status, sizeof(status), "%s", pcrm__rows_text(rows, 1));
		n = (int)pcrm__rows_int(rows, 2);
		rc = org ? PCRM_OK : pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "outbound_message",
	                           message_id, found ? PCRM_OK : PCRM_ENOTFOUND, org);
	free(org);
	if (rc != PCRM_OK)
		return rc;
	snprintf(buf, size, "%s", status);
	if (attempts)
		*attempts = n;
	return PCRM_OK;
}
