/*
 * Campaigns: a target, a template, a schedule and a channel plan; queueing
 * one message per customer of the target; statistics.
 *
 * Why a campaign's messages carry no text: a planned-outage notice reaches
 * every customer of hundreds of transformer areas, and the commitment is a
 * notice at least 7 days ahead.  Queueing is one INSERT ... SELECT over the
 * customer table (its transformer_area index), with the id
 * "<campaign>/<customer>" making a second queueing add only new customers;
 * the template is rendered for each customer at the send (deliver.c).
 * Arrears reminders differ: the amount is the customer's own, so their
 * text is rendered when queued (the dunning list is not a bulk path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/ledger.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

#define NOTICE_SECONDS (7 * 86400)
#define MAX_AREAS 1000

static const char *const kinds[] = { "planned_outage", "tariff_announcement", "arrears_reminder",
	                             "return_visit_survey", "tier_warning", NULL };

static int expect_string(const json_t *doc, const char *key, int required, const char **out)
{
	json_t *v = json_object_get(doc, key);
	*out = NULL;
	if (!v && !required)
		return PCRM_OK;
	if (pcrm__json_expect(key, v, JSON_STRING, "a string") != PCRM_OK)
		return PCRM_EINVAL;
	*out = json_string_value(v);
	return PCRM_OK;
}

static int expect_instant(const json_t *obj, const char *path, const char *key, pcrm_time *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || pcrm_time_parse(json_string_value(v), out) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s%s: must be an ISO 8601 instant with offset", path,
		                   key);
	return PCRM_OK;
}

/* A JSON array of 1..max codes (transformer areas, usage classes). */
static int code_array(const json_t *obj, const char *path, const char *key, size_t max,
                      int required)
{
	json_t *arr = json_object_get(obj, key), *v;
	char field[96];
	size_t i;

	if (!arr && !required)
		return PCRM_OK;
	snprintf(field, sizeof(field), "%s%s", path, key);
	if (pcrm__json_expect(field, arr, JSON_ARRAY, "an array") != PCRM_OK)
		return PCRM_EINVAL;
	if (json_array_size(arr) < 1 || json_array_size(arr) > max)
		return pcrm__error(PCRM_EINVAL, "%s: must hold 1..%zu codes", field, max);
	json_array_foreach(arr, i, v) {
		snprintf(field, sizeof(field), "%s%s[%zu]", path, key, i);
		if (!json_is_string(v) || pcrm__code_check(field, json_string_value(v), 64) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "%s: must be 1..64 letters, digits, - _ .", field);
	}
	return PCRM_OK;
}

static int int_in(const json_t *obj, const char *path, const char *key, int lo, int hi)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pcrm__error(PCRM_EINVAL, "%s%s: must be an integer %d..%d", path, key, lo, hi);
	return PCRM_OK;
}

static int check_target(const char *kind, const json_t *target, pcrm_time schedule_at)
{
	static const char *const outage_keys[] = { "transformer_areas", "outage_start", "outage_end",
		                                   NULL };
	static const char *const tariff_keys[] = { "usage_classes", NULL };
	static const char *const arrears_keys[] = { "min_days", "max_reminders", NULL };
	pcrm_time start, end;
	int rc = pcrm__json_expect("target", target, JSON_OBJECT, "an object");

	if (rc != PCRM_OK)
		return rc;
	if (strcmp(kind, "planned_outage") == 0) {
		if ((rc = pcrm__json_check_keys("target", target, outage_keys)) != PCRM_OK ||
		    (rc = code_array(target, "target.", "transformer_areas", MAX_AREAS, 1)) != PCRM_OK ||
		    (rc = expect_instant(target, "target.", "outage_start", &start)) != PCRM_OK ||
		    (rc = expect_instant(target, "target.", "outage_end", &end)) != PCRM_OK)
			return rc;
		if (end <= start)
			return pcrm__error(PCRM_EINVAL, "target.outage_end: must be after outage_start");
		if (schedule_at > start - NOTICE_SECONDS)
			return pcrm__error(PCRM_EINVAL, "schedule_at: must be at least 7 days before "
			                                "target.outage_start (the notice commitment)");
		return PCRM_OK;
	}
	if (strcmp(kind, "return_visit_survey") == 0)
		return pcrm__survey_target_check(target);
	if (strcmp(kind, "tier_warning") == 0)
		return pcrm__campaign_tier_target_check(target);
	if (strcmp(kind, "tariff_announcement") == 0) {
		if ((rc = pcrm__json_check_keys("target", target, tariff_keys)) != PCRM_OK)
			return rc;
		return code_array(target, "target.", "usage_classes", 16, 0);
	}
	if ((rc = pcrm__json_check_keys("target", target, arrears_keys)) != PCRM_OK ||
	    (rc = int_in(target, "target.", "min_days", 0, 3650)) != PCRM_OK)
		return rc;
	return int_in(target, "target.", "max_reminders", 1, 100);
}

static int check_channels(const json_t *arr, json_t **plan)
{
	json_t *v;
	size_t i;

	*plan = json_array();
	if (!*plan)
		return pcrm__error_oom();
	if (!arr)
		return PCRM_OK;
	if (pcrm__json_expect("channels", arr, JSON_ARRAY, "an array") != PCRM_OK)
		return PCRM_EINVAL;
	if (json_array_size(arr) > PCRM_OUTBOUND_CHANNEL_COUNT)
		return pcrm__error(PCRM_EINVAL, "channels: at most %d", PCRM_OUTBOUND_CHANNEL_COUNT);
	json_array_foreach(arr, i, v) {
		pcrm_outbound_channel ch;
		if (pcrm_outbound_channel_parse(json_string_value(v), &ch) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL,
			                   "channels[%zu]: must be one of sms, email, wechat, voice, letter",
			                   i);
		json_array_append_new(*plan, json_string(pcrm_outbound_channel_name(ch)));
	}
	return PCRM_OK;
}

struct campaign_input {
	const char *id, *org_unit, *name, *kind, *tpl;
	pcrm_time schedule_at;
	json_t *target, *plan;
};

static int parse_campaign(const json_t *doc, struct campaign_input *in)
{
	static const char *const known[] = { "id", "org_unit", "name", "kind", "template",
		                             "schedule_at", "channels", "target", NULL };
	int rc, k;

	memset(in, 0, sizeof(*in));
	if ((rc = pcrm__json_expect("document", doc, JSON_OBJECT, "an object")) != PCRM_OK ||
	    (rc = pcrm__json_check_keys("", doc, known)) != PCRM_OK)
		return rc;
	if (expect_string(doc, "id", 1, &in->id) != PCRM_OK ||
	    pcrm__code_check("id", in->id, PCRM__CAMPAIGN_ID_MAX) != PCRM_OK)
		return PCRM_EINVAL;
	if (expect_string(doc, "org_unit", 1, &in->org_unit) != PCRM_OK ||
	    pcrm__code_check("org_unit", in->org_unit, 32) != PCRM_OK)
		return PCRM_EINVAL;
	if (expect_string(doc, "name", 1, &in->name) != PCRM_OK)
		return PCRM_EINVAL;
	if (strlen(in->name) < 1 || strlen(in->name) > 200)
		return pcrm__error(PCRM_EINVAL, "name: must be 1..200 bytes");
	if ((rc = pcrm__text_check("name", in->name, strlen(in->name), 0)) != PCRM_OK)
		return rc;
	if (expect_string(doc, "kind", 1, &in->kind) != PCRM_OK)
		return PCRM_EINVAL;
	for (k = 0; kinds[k] && strcmp(kinds[k], in->kind) != 0; k++)
		;
	if (!kinds[k])
		return pcrm__error(PCRM_EINVAL, "kind: must be one of planned_outage, "
		                                "tariff_announcement, arrears_reminder, "
		                                "return_visit_survey, tier_warning");
	if (expect_string(doc, "template", 1, &in->tpl) != PCRM_OK)
		return PCRM_EINVAL;
	if ((rc = pcrm__template_check("template", in->tpl)) != PCRM_OK ||
	    (rc = pcrm__text_check("template", in->tpl, strlen(in->tpl), PCRM__TEXT_LINES)) !=
	            PCRM_OK)
		return rc;
	if ((rc = expect_instant(doc, "", "schedule_at", &in->schedule_at)) != PCRM_OK)
		return rc;
	if ((rc = check_channels(json_object_get(doc, "channels"), &in->plan)) != PCRM_OK)
		return rc;
	in->target = json_object_get(doc, "target");
	return check_target(in->kind, in->target, in->schedule_at);
}

int pcrm__campaign_doc_check(const char *json, char **tpl)
{
	struct campaign_input in;
	json_t *doc;
	int rc;

	if (tpl)
		*tpl = NULL;
	if ((rc = pcrm__json_parse("json", json, &doc)) != PCRM_OK)
		return rc;
	rc = parse_campaign(doc, &in);
	if (rc == PCRM_OK && tpl && !(*tpl = strdup(in.tpl)))
		rc = pcrm__error_oom();
	json_decref(in.plan);
	json_decref(doc);
	return rc;
}

int pcrm_campaign_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json)
{
	static const char sql[] =
		"INSERT INTO outbound_campaign (org_unit, id, name, kind, template, target, channels, "
		"schedule_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	struct campaign_input in;
	char *target = NULL, *plan = NULL;
	json_t *doc, *summary = NULL;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if ((rc = pcrm__json_parse("json", json, &doc)) != PCRM_OK)
		return rc;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = parse_campaign(doc, &in);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_CAMPAIGN_WRITE, in.org_unit);
	if (rc == PCRM_OK) {
		target = json_dumps(in.target, JSON_COMPACT | JSON_SORT_KEYS);
		plan = json_dumps(in.plan, JSON_COMPACT);
		summary = json_pack("{s:s, s:s, s:O, s:O}", "kind", in.kind, "org_unit", in.org_unit,
		                    "target", in.target, "channels", in.plan);
		rc = target && plan && summary ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK) {
		pcrm_sql_value p[10] = { PCRM_SQL_S(in.org_unit), PCRM_SQL_S(in.id), PCRM_SQL_S(in.name),
			                 PCRM_SQL_S(in.kind), PCRM_SQL_S(in.tpl), PCRM_SQL_S(target),
			                 PCRM_SQL_S(plan), PCRM_SQL_I(in.schedule_at),
			                 PCRM_SQL_S(actor->operator_id), PCRM_SQL_I(pcrm_ctx_now(ctx)) };
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK) {
			rc = pcrm__store_exec(ctx->store, sql, p, 10, NULL);
			if (rc == PCRM_EDUPLICATE)
				rc = pcrm__error(PCRM_EDUPLICATE, "id: campaign \"%s\" exists", in.id);
			if (rc == PCRM_OK)
				rc = pcrm__audit_append_in_tx(ctx, actor, "campaign.create",
				                              "outbound_campaign", in.id, summary);
			rc = pcrm__store_finish(ctx->store, rc);
		}
	}
	json_decref(in.plan);
	json_decref(summary);
	json_decref(doc);
	free(target);
	free(plan);
	return rc;
}

/* ---- queueing ---- */

struct campaign_row {
	char *org_unit, *kind, *target, *tpl;
	pcrm_time schedule_at;
};

static void campaign_row_clear(struct campaign_row *r)
{
	free(r->org_unit);
	free(r->kind);
	free(r->target);
	free(r->tpl);
}

/* The campaign and the actor's right to it; a missing one and a refused one read alike. */
static int load_campaign(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission perm,
                         const char *id, struct campaign_row *r, char **scope)
{
	static const char sql[] = "SELECT org_unit, kind, target, template, schedule_at "
	                          "FROM outbound_campaign WHERE id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	int rc, found = 0;

	memset(r, 0, sizeof(*r));
	if (scope)
		*scope = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!id || pcrm__code_check("campaign_id", id, PCRM__CAMPAIGN_ID_MAX)))
		rc = PCRM_EINVAL;
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		r->org_unit = strdup(pcrm__rows_text(rows, 0));
		r->kind = strdup(pcrm__rows_text(rows, 1));
		r->target = strdup(pcrm__rows_text(rows, 2));
		r->tpl = strdup(pcrm__rows_text(rows, 3));
		r->schedule_at = pcrm__rows_int(rows, 4);
		rc = r->org_unit && r->kind && r->target && r->tpl ? PCRM_OK : pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = pcrm__authorize_found(ctx, actor, perm, "outbound_campaign", id,
	                           found ? PCRM_OK : PCRM_ENOTFOUND, r->org_unit);
	if (rc == PCRM_OK && scope)
		rc = pcrm__authorize_scope(ctx, actor, perm, r->org_unit, scope);
	return rc;
}

#define QUEUE_INSERT                                                                         \
	"INSERT INTO outbound_message (org_unit, id, customer_no, campaign_id, work_order_id, "    \
	"body, status, channel, channel_index, attempts, not_before, created_at, updated_at) "     \
	"SELECT c.org_unit, CAST($1 AS TEXT) || '/' || c.customer_no, c.customer_no, $1, NULL, "   \
	"NULL, 'queued', NULL, 0, 0, $2, $3, $3 FROM customer c JOIN org_unit o "                 \
	"ON o.code = c.org_unit WHERE c.status = 'active' AND substr(o.path, 1, length($4)) = $4 " \
	"AND NOT EXISTS (SELECT 1 FROM outbound_message m "                                        \
	"WHERE m.id = CAST($1 AS TEXT) || '/' || c.customer_no)"

static int queue_bulk(pcrm_ctx *ctx, const char *id, const struct campaign_row *r,
                      const json_t *target, const char *scope, int64_t *queued)
{
	/*
	 * In customer-number order: the rows then reach the queue's id indexes
	 * in key order, appended rather than scattered (4x fewer page writes
	 * on SQLite for 200,000 rows).
	 */
#define IN_ORDER " ORDER BY c.customer_no"
	static const char all[] = QUEUE_INSERT IN_ORDER;
	static const char area_pg[] =
		QUEUE_INSERT " AND c.transformer_area" PCRM__SQL_IN_KEYS_PG("$5") IN_ORDER;
	static const char area_lite[] =
		QUEUE_INSERT " AND c.transformer_area" PCRM__SQL_IN_KEYS_SQLITE("$5") IN_ORDER;
	static const char class_pg[] =
		QUEUE_INSERT " AND c.usage_class" PCRM__SQL_IN_KEYS_PG("$5") IN_ORDER;
	static const char class_lite[] =
		QUEUE_INSERT " AND c.usage_class" PCRM__SQL_IN_KEYS_SQLITE("$5") IN_ORDER;
#undef IN_ORDER
	int pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	pcrm_time now = pcrm_ctx_now(ctx);
	const json_t *keys = NULL;
	const char *sql = all;
	char *list = NULL;
	int rc;

	if (strcmp(r->kind, "planned_outage") == 0) {
		keys = json_object_get(target, "transformer_areas");
		sql = pg ? area_pg : area_lite;
	} else if (json_object_get(target, "usage_classes")) {
		keys = json_object_get(target, "usage_classes");
		sql = pg ? class_pg : class_lite;
	}
	if (keys && !(list = json_dumps(keys, JSON_COMPACT)))
		return pcrm__error_oom();
	{
		pcrm_sql_value p[5] = { PCRM_SQL_S(id), PCRM_SQL_I(r->schedule_at > now ?
		                                                   r->schedule_at : now),
			                PCRM_SQL_I(now), PCRM_SQL_S(scope), PCRM_SQL_S(list) };
		rc = pcrm__store_exec(ctx->store, sql, p, keys ? 5 : 4, queued);
	}
	free(list);
	return rc;
}

/*
 * "Unless queued already" is the key's conflict, not a NOT EXISTS probe:
 * PostgreSQL planned the probe once for the prepared statement, from the
 * statistics of a queue that was empty when last analysed, as a sequential
 * scan, so a campaign's queueing grew with the square of its messages
 * (16,390 tier warnings: 22 s of CPU). The conflict check always uses the
 * key's index.
 */
int pcrm__campaign_queue_text(pcrm_ctx *ctx, const struct pcrm__campaign_spec *c,
                              const char *customer_no, const char *body, int64_t *queued)
{
	static const char sql[] =
		"INSERT INTO outbound_message (org_unit, id, customer_no, campaign_id, work_order_id, "
		"body, status, channel, channel_index, attempts, not_before, created_at, updated_at) "
		"SELECT c.org_unit, $1, c.customer_no, $2, NULL, $3, 'queued', NULL, 0, 0, $4, $5, $5 "
		"FROM customer c WHERE c.customer_no = $6 AND c.status = 'active' "
		"ON CONFLICT (id) DO NOTHING";
	char msg_id[PCRM__CAMPAIGN_ID_MAX + 80];
	pcrm_time now = pcrm_ctx_now(ctx);
	int64_t n = 0;
	int rc;

	snprintf(msg_id, sizeof(msg_id), "%s/%s", c->id, customer_no);
	{
		pcrm_sql_value p[6] = { PCRM_SQL_S(msg_id), PCRM_SQL_S(c->id), PCRM_SQL_S(body),
			                PCRM_SQL_I(c->schedule_at > now ? c->schedule_at : now),
			                PCRM_SQL_I(now), PCRM_SQL_S(customer_no) };
		rc = pcrm__store_exec(ctx->store, sql, p, 6, &n);
	}
	if (rc == PCRM_OK)
		*queued += n;
	return rc;
}

static int queue_arrears(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                         const struct campaign_row *r, const json_t *target, int64_t *queued)
{
	const struct pcrm__campaign_spec spec = { id, r->tpl, r->schedule_at, target,
		                                          r->org_unit };
	int min_days = (int)json_integer_value(json_object_get(target, "min_days"));
	int max_reminders = (int)json_integer_value(json_object_get(target, "max_reminders"));
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_dunning_list *list = NULL;
	pcrm_civil civil;
	pcrm_date today;
	int rc;

	*queued = 0;
	rc = pcrm_time_to_civil(now, pcrm_ctx_utc_offset(ctx), &civil);
	today.year = civil.year;
	today.month = civil.month;
	today.day = civil.day;
	if (rc == PCRM_OK)
		rc = pcrm_dunning_list_load(ctx, actor, r->org_unit, today, min_days, &list);
	for (size_t i = 0; rc == PCRM_OK && i < pcrm_dunning_list_count(list); i++) {
		const pcrm_dunning_item *it = pcrm_dunning_list_at(list, i);
		struct pcrm__template_fields f;
		char amount[PCRM_DECIMAL_STRING_MAX];
		char *body = NULL;

		if (it->reminders >= max_reminders)
			continue;
		pcrm_decimal_format(it->arrears, amount, sizeof(amount));
		memset(&f, 0, sizeof(f));
		f.customer_no = it->customer_no;
		f.arrears = amount;
		/* the name is never part of an arrears text rendered ahead of the send */
		f.name_masked = "";
		rc = pcrm__template_render(r->tpl, &f, &body);
		if (rc == PCRM_OK)
			rc = pcrm__campaign_queue_text(ctx, &spec, it->customer_no, body, queued);
		free(body);
	}
	pcrm_dunning_list_free(list);
	return rc;
}

int pcrm_campaign_queue(pcrm_ctx *ctx, const pcrm_actor *actor, const char *campaign_id,
                        int64_t *queued)
{
	struct campaign_row r;
	char *scope = NULL;
	json_t *target = NULL, *summary = NULL;
	int64_t n = 0;
	pcrm_time start;
	int rc;

	if (queued)
		*queued = 0;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = load_campaign(ctx, actor, PCRM_PERM_CAMPAIGN_WRITE, campaign_id, &r, &scope);
	if (rc == PCRM_OK) {
		target = json_loads(r.target, 0, NULL);
		rc = target ? PCRM_OK : pcrm__error(PCRM_ESTORE, "campaign target is not JSON");
	}
	if (rc == PCRM_OK && strcmp(r.kind, "planned_outage") == 0 &&
	    pcrm_time_parse(json_string_value(json_object_get(target, "outage_start")), &start) ==
	            PCRM_OK &&
	    pcrm_ctx_now(ctx) > start - NOTICE_SECONDS)
		rc = pcrm__error(PCRM_ESTATE, "campaign_id: the outage starts in less than 7 days; "
		                              "the notice period has passed");
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		if (strcmp(r.kind, "arrears_reminder") == 0) {
			rc = queue_arrears(ctx, actor, campaign_id, &r, target, &n);
		} else if (strcmp(r.kind, "return_visit_survey") == 0) {
			rc = pcrm__survey_queue(ctx, campaign_id, r.schedule_at, target, scope, &n);
		} else if (strcmp(r.kind, "tier_warning") == 0) {
			const struct pcrm__campaign_spec spec = { campaign_id, r.tpl, r.schedule_at,
				                                  target, r.org_unit };
			rc = pcrm__campaign_tier_queue(ctx, actor, &spec, scope, &n);
		} else
			rc = queue_bulk(ctx, campaign_id, &r, target, scope, &n);
		/*
		 * One entry for the whole batch: the rows it wrote are exactly the
		 * "<campaign>/<customer>" rows of this campaign created now, so the
		 * count and the rule name them without listing 200,000 ids.
		 */
		if (rc == PCRM_OK) {
			summary = json_pack("{s:s, s:I}", "kind", r.kind, "queued", (json_int_t)n);
			rc = summary ? pcrm__audit_append_in_tx(ctx, actor, "campaign.queue",
			                                        "outbound_campaign", campaign_id,
			                                        summary) :
			               pcrm__error_oom();
		}
		rc = pcrm__store_finish(ctx->store, rc);
	}
	if (rc == PCRM_OK && queued)
		*queued = n;
	json_decref(summary);
	json_decref(target);
	campaign_row_clear(&r);
	free(scope);
	return rc;
}

int pcrm_campaign_stats_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *campaign_id,
                            pcrm_campaign_stats *out)
{
	static const char sql[] = "SELECT status, COUNT(*) FROM outbound_message "
	                          "WHERE campaign_id = $1 GROUP BY status";
	pcrm_sql_value p[1] = { PCRM_SQL_S(campaign_id) };
	pcrm_campaign_stats s = PCRM_CAMPAIGN_STATS_INIT;
	struct campaign_row r;
	pcrm_rows *rows = NULL;
	int rc;

	if (!ctx || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", ctx ? "out" : "ctx");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_CAMPAIGN_STATS)) != PCRM_OK)
		return rc;
	rc = load_campaign(ctx, actor, PCRM_PERM_ARCHIVE_READ, campaign_id, &r, NULL);
	campaign_row_clear(&r);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	while (rc >= 0 && rows && (rc = pcrm__rows_next(rows)) == 1) {
		const char *st = pcrm__rows_text(rows, 0);
		int64_t n = pcrm__rows_int(rows, 1);
		s.queued += n;
		if (strcmp(st, "queued") == 0)
			s.waiting += n;
		else if (strcmp(st, "failed") == 0 || strcmp(st, "suppressed") == 0)
			s.failed += n;
		else
			s.sent += n;
		if (strcmp(st, "delivered") == 0 || strcmp(st, "answered") == 0 ||
		    strcmp(st, "confirmed") == 0)
			s.delivered += n;
		if (strcmp(st, "answered") == 0 || strcmp(st, "confirmed") == 0)
			s.answered += n;
		if (strcmp(st, "confirmed") == 0)
			s.confirmed += n;
		if (strcmp(st, "opted_out") == 0)
			s.opted_out += n;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	*out = s;
	return PCRM_OK;
}
