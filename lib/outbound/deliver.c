/*
 * The delivery pass and delivery receipts.
 *
 * Why send outside a transaction: a gateway call may take a second and
 * cannot be rolled back; holding a transaction open across it would block
 * other writers (SQLite) and hold row locks (PostgreSQL).  So the pass reads
 * the due messages, sends each, and writes each result in a transaction of
 * its own.  A crash between a send and its write sends that message once
 * more: at-least-once, as the workflow outbox (lib/workflow/notification.c).
 *
 * Why the destination is read at the send: the queue must not hold personal
 * data; the archive keeps it sealed, and pcrm_customer_get() opens it in
 * memory for the moment of the send.  The library's copy is wiped after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <powercrm/contact.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "customer/pii.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

#define MAX_PASS 1000
#define BACKOFF_CAP (7 * 86400)

struct due {
	char *id, *customer_no, *campaign_id, *work_order_id, *body, *tpl, *plan, *target;
	int channel_index, attempts;
};

static void due_clear(struct due *d)
{
	free(d->id);
	free(d->customer_no);
	free(d->campaign_id);
	free(d->work_order_id);
	free(d->body);
	free(d->tpl);
	free(d->plan);
	free(d->target);
}

static char *dup_col(pcrm_rows *rows, int col, int *oom)
{
	char *s;
	if (pcrm__rows_is_null(rows, col))
		return NULL;
	s = strdup(pcrm__rows_text(rows, col));
	if (!s)
		*oom = 1;
	return s;
}

static int load_due(pcrm_ctx *ctx, const char *scope, const char *campaign_id, int limit,
                    struct due **out, int *count)
{
#define DUE_SELECT                                                                         \
	"SELECT m.id, m.customer_no, m.campaign_id, m.work_order_id, m.body, "             \
	"m.channel_index, m.attempts, c.template, c.channels, c.target "                   \
	"FROM outbound_message m JOIN org_unit o ON o.code = m.org_unit "                  \
	"LEFT JOIN outbound_campaign c ON c.id = m.campaign_id "                           \
	"WHERE m.status = 'queued' AND m.not_before <= $1 "                                \
	"AND substr(o.path, 1, length($2)) = $2 "
#define DUE_ORDER "ORDER BY m.not_before, m.id LIMIT $3"
	static const char any[] = DUE_SELECT DUE_ORDER;
	static const char one_campaign[] = DUE_SELECT "AND m.campaign_id = $4 " DUE_ORDER;
#undef DUE_SELECT
#undef DUE_ORDER
	const char *sql = campaign_id ? one_campaign : any;
	pcrm_sql_value p[4] = { PCRM_SQL_I(pcrm_ctx_now(ctx)), PCRM_SQL_S(scope), PCRM_SQL_I(limit),
		                PCRM_SQL_S(campaign_id) };
	pcrm_rows *rows = NULL;
	struct due *d = calloc((size_t)limit, sizeof(*d));
	int rc, n = 0, oom = 0;

	*out = NULL;
	*count = 0;
	if (!d)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql, p, campaign_id ? 4 : 3, &rows);
	while (rc == PCRM_OK && n < limit && (rc = pcrm__rows_next(rows)) == 1) {
		struct due *x = &d[n++];
		x->id = dup_col(rows, 0, &oom);
		x->customer_no = dup_col(rows, 1, &oom);
		x->campaign_id = dup_col(rows, 2, &oom);
		x->work_order_id = dup_col(rows, 3, &oom);
		x->body = dup_col(rows, 4, &oom);
		x->channel_index = (int)pcrm__rows_int(rows, 5);
		x->attempts = (int)pcrm__rows_int(rows, 6);
		x->tpl = dup_col(rows, 7, &oom);
		x->plan = dup_col(rows, 8, &oom);
		x->target = dup_col(rows, 9, &oom);
		rc = oom ? pcrm__error_oom() : PCRM_OK;
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		for (int i = 0; i < n; i++)
			due_clear(&d[i]);
		free(d);
		return rc;
	}
	*out = d;
	*count = n;
	return PCRM_OK;
}

/* ---- per message ---- */

static pcrm_outbound_send_fn channel_fn(const pcrm_outbound_channels *c, pcrm_outbound_channel ch)
{
	switch (ch) {
	case PCRM_OUTBOUND_SMS: return c->sms;
	case PCRM_OUTBOUND_EMAIL: return c->email;
	case PCRM_OUTBOUND_WECHAT: return c->wechat;
	case PCRM_OUTBOUND_VOICE: return c->voice;
	case PCRM_OUTBOUND_LETTER: return c->letter;
	}
	return NULL;
}

static const char *doc_str(const json_t *doc, const char *a, const char *b)
{
	const json_t *v = json_object_get(doc, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

/*
 * Where a channel reaches the customer, pointing into the opened document;
 * NULL when the archive has no such address.  WeChat messages go to the
 * account that bound the customer number (户号绑定), so its address is the
 * customer number; the gateway keeps the binding.
 */
static const char *destination(const json_t *doc, const char *customer_no,
                               pcrm_outbound_channel ch)
{
	const json_t *addresses;
	const char *s = NULL;
	size_t i;
	json_t *a;

	switch (ch) {
	case PCRM_OUTBOUND_SMS: return doc_str(doc, "phones", "mobile");
	case PCRM_OUTBOUND_EMAIL: return doc_str(doc, "email", NULL);
	case PCRM_OUTBOUND_WECHAT: return customer_no;
	case PCRM_OUTBOUND_VOICE:
		s = doc_str(doc, "phones", "mobile");
		return s ? s : doc_str(doc, "phones", "landline");
	case PCRM_OUTBOUND_LETTER:
		addresses = json_object_get(doc, "addresses");
		json_array_foreach(addresses, i, a)
			if (!s || strcmp(doc_str(a, "kind", NULL) ? doc_str(a, "kind", NULL) : "",
			                 "mailing") == 0)
				s = doc_str(a, "text", NULL) ? doc_str(a, "text", NULL) : s;
		return s;
	}
	return NULL;
}

static pcrm_outbound_channel preferred(const json_t *doc)
{
	static const struct { const char *name; pcrm_outbound_channel ch; } map[] = {
		{ "sms", PCRM_OUTBOUND_SMS },       { "phone", PCRM_OUTBOUND_VOICE },
		{ "email", PCRM_OUTBOUND_EMAIL },   { "wechat", PCRM_OUTBOUND_WECHAT },
		{ "mail", PCRM_OUTBOUND_LETTER },
	};
	const char *p = doc_str(doc, "preferred_channel", NULL);
	for (size_t i = 0; p && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(p, map[i].name) == 0)
			return map[i].ch;
	return 0;
}

/* The preferred channel, then the campaign's plan or the policy's fallback, each once. */
static int channel_order(const json_t *doc, const char *plan, const pcrm_outbound_policy *policy,
                         pcrm_outbound_channel order[PCRM_OUTBOUND_CHANNEL_COUNT])
{
	pcrm_outbound_channel cand[1 + PCRM_OUTBOUND_CHANNEL_COUNT];
	int n = 0, m = 0;
	json_t *arr = plan ? json_loads(plan, 0, NULL) : NULL;

	cand[n++] = preferred(doc);
	for (int i = 0; i < PCRM_OUTBOUND_CHANNEL_COUNT; i++) {
		pcrm_outbound_channel ch = 0;
		if (arr && json_array_size(arr) > 0) {
			if ((size_t)i < json_array_size(arr))
				pcrm_outbound_channel_parse(json_string_value(json_array_get(arr, (size_t)i)),
				                            &ch);
		} else {
			ch = policy->fallback[i];
		}
		cand[n++] = ch;
	}
	json_decref(arr);
	for (int i = 0; i < n; i++) {
		int seen = cand[i] == 0;
		for (int j = 0; j < m && !seen; j++)
			seen = order[j] == cand[i];
		if (!seen)
			order[m++] = cand[i];
	}
	return m;
}

static int do_not_contact_mask(pcrm_ctx *ctx, const char *customer_no, unsigned *mask)
{
	static const char sql[] = "SELECT channel FROM outbound_preference "
	                          "WHERE customer_no = $1 AND do_not_contact = 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	*mask = 0;
	while (rc >= 0 && rows && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm_outbound_channel ch;
		if (pcrm_outbound_channel_parse(pcrm__rows_text(rows, 0), &ch) == PCRM_OK)
			*mask |= 1u << ch;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* When a quiet period that holds `now` ends; 0 when `now` is not quiet. */
static pcrm_time quiet_until(pcrm_time now, int utc_offset, int start, int end)
{
	int64_t local = now + utc_offset, day = local - ((local % 86400) + 86400) % 86400;
	int minute = (int)((local - day) / 60);
	int quiet;

	if (start == end)
		return 0;
	quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
	if (!quiet)
		return 0;
	/* the end is today when we are before it, else tomorrow */
	return day - utc_offset + (int64_t)end * 60 + (minute < end ? 0 : 86400);
}

/* Earliest instant the rate limit lets the customer be tried again; 0 when now. */
static int rate_limited(pcrm_ctx *ctx, const char *customer_no, const pcrm_outbound_policy *pol,
                        pcrm_time now, pcrm_time *until)
{
	static const char sql[] = "SELECT at FROM outbound_attempt WHERE customer_no = $1 "
	                          "AND at > $2 AND result IN ('accepted', 'failed', 'rejected') "
	                          "ORDER BY at DESC LIMIT $3";
	pcrm_sql_value p[3] = { PCRM_SQL_S(customer_no), PCRM_SQL_I(now - pol->rate_window),
		                PCRM_SQL_I(pol->rate_limit) };
	pcrm_rows *rows = NULL;
	int rc, n = 0;
	pcrm_time oldest = 0;

	*until = 0;
	if (pol->rate_limit <= 0)
		return PCRM_OK;
	rc = pcrm__store_query(ctx->store, sql, p, 3, &rows);
	while (rc >= 0 && rows && (rc = pcrm__rows_next(rows)) == 1) {
		oldest = pcrm__rows_int(rows, 0);
		n++;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (n >= pol->rate_limit)
		*until = oldest + pol->rate_window;
	return PCRM_OK;
}

static int next_seq(pcrm_ctx *ctx, const char *customer_no, const char *message_id, int64_t *seq)
{
	static const char sql[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM outbound_attempt "
	                          "WHERE customer_no = $1 AND message_id = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(message_id) };
	return pcrm__store_query_int(ctx->store, sql, p, 2, seq);
}

int pcrm__outbound_write_outcome(pcrm_ctx *ctx, const pcrm_actor *actor,
                                 const struct pcrm__outbound_outcome *o)
{
	static const char ins[] =
		"INSERT INTO outbound_attempt (customer_no, message_id, seq, channel, at, result, "
		"provider_ref, contact_id, agent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	static const char upd[] =
		"UPDATE outbound_message SET status = $2, channel = COALESCE($3, channel), "
		"channel_index = $4, attempts = $5, not_before = $6, updated_at = $7, "
		"provider_ref = COALESCE($8, provider_ref) WHERE id = $1";
	const char *ch = o->channel ? pcrm_outbound_channel_name(o->channel) : NULL;
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_contact *contact = NULL;
	json_t *summary = NULL;
	int64_t seq = 0;
	int rc;

	rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	if (o->contact && o->channel) {
		char summary_text[256];
		json_t *doc;
		char *text;
		snprintf(summary_text, sizeof(summary_text), "outbound %s message %.64s: %s%s%.63s%s%.48s",
		         ch, o->message_id, o->result, o->agent_id ? ", agent " : "",
		         o->agent_id ? o->agent_id : "", o->campaign_id ? ", campaign " : "",
		         o->campaign_id ? o->campaign_id : "");
		doc = json_pack("{s:s, s:s, s:s, s:s*}", "channel",
		                pcrm__outbound_contact_channel(o->channel), "direction", "outbound",
		                "summary", summary_text, "work_order_id", o->work_order_id);
		text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		json_decref(doc);
		rc = text ? pcrm_contact_record(ctx, actor, o->customer_no, text, &contact) :
		            pcrm__error_oom();
		free(text);
	}
	if (rc == PCRM_OK)
		rc = next_seq(ctx, o->customer_no, o->message_id, &seq);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[9] = { PCRM_SQL_S(o->customer_no), PCRM_SQL_S(o->message_id),
			                PCRM_SQL_I(seq), PCRM_SQL_S(ch), PCRM_SQL_I(now),
			                PCRM_SQL_S(o->result), PCRM_SQL_S(o->provider_ref),
			                PCRM_SQL_S(contact ? pcrm_contact_id(contact) : NULL),
			                PCRM_SQL_S(o->agent_id) };
		rc = pcrm__store_exec(ctx->store, ins, p, 9, NULL);
	}
	if (rc == PCRM_OK) {
		pcrm_sql_value p[8] = { PCRM_SQL_S(o->message_id), PCRM_SQL_S(o->status),
			                PCRM_SQL_S(ch), PCRM_SQL_I(o->channel_index),
			                PCRM_SQL_I(o->attempts), PCRM_SQL_I(o->not_before),
			                PCRM_SQL_I(now), PCRM_SQL_S(o->provider_ref) };
		rc = pcrm__store_exec(ctx->store, upd, p, 8, NULL);
	}
	if (rc == PCRM_OK) {
		/* the gateway's reference is not personal; the destination is never here */
		summary = json_pack("{s:s, s:s*, s:s, s:s, s:I, s:s*}", "customer_no", o->customer_no,
		                    "channel", ch, "result", o->result, "status", o->status, "seq",
		                    (json_int_t)seq, "agent_id", o->agent_id);
		rc = summary ? pcrm__audit_append_in_tx(ctx, actor, o->action, "outbound_message",
		                                        o->message_id, summary) :
		               pcrm__error_oom();
	}
	json_decref(summary);
	pcrm_contact_free(contact);
	return pcrm__store_finish(ctx->store, rc);
}

static int time_text(const json_t *target, const char *key, int utc_offset, char buf[40])
{
	pcrm_time t;
	const char *s = json_string_value(json_object_get(target, key));
	buf[0] = '\0';
	if (s && pcrm_time_parse(s, &t) == PCRM_OK)
		return pcrm_time_format(t, utc_offset, buf, 40);
	return PCRM_OK;
}

static int render(pcrm_ctx *ctx, const struct due *d, const json_t *doc, char **body)
{
	struct pcrm__template_fields f;
	char masked[PCRM__NAME_MASK_MAX + 1] = "", start[40], end[40];
	json_t *target;
	int rc;

	if (d->body) {
		*body = strdup(d->body);
		return *body ? PCRM_OK : pcrm__error_oom();
	}
	if (!d->tpl)
		return pcrm__error(PCRM_ESTORE, "outbound message %.64s has neither body nor template",
		                   d->id);
	target = d->target ? json_loads(d->target, 0, NULL) : NULL;
	time_text(target, "outage_start", pcrm_ctx_utc_offset(ctx), start);
	time_text(target, "outage_end", pcrm_ctx_utc_offset(ctx), end);
	if (doc_str(doc, "name", NULL))
		pcrm__mask_name(doc_str(doc, "name", NULL), masked);
	memset(&f, 0, sizeof(f));
	f.customer_no = d->customer_no;
	f.name_masked = masked;
	f.transformer_area = doc_str(doc, "transformer_area", NULL);
	f.outage_start = start;
	f.outage_end = end;
	rc = pcrm__template_render(d->tpl, &f, body);
	json_decref(target);
	return rc;
}

static void count(pcrm_outbound_pass *pass, const char *status, const char *result)
{
	if (strcmp(status, "sent") == 0)
		pass->sent++;
	else if (strcmp(status, "failed") == 0)
		pass->failed++;
	else if (strcmp(status, "suppressed") == 0)
		pass->suppressed++;
	else if (strcmp(result, "failed") == 0 || strcmp(result, "rejected") == 0)
		pass->retried++;
}

static int deliver_one(pcrm_ctx *ctx, const pcrm_actor *actor, const struct due *d,
                       const pcrm_outbound_channels *channels, const pcrm_outbound_policy *pol,
                       pcrm_outbound_pass *pass)
{
	static const char defer_sql[] =
		"UPDATE outbound_message SET not_before = $2, updated_at = $3 WHERE id = $1";
	pcrm_outbound_channel order[PCRM_OUTBOUND_CHANNEL_COUNT], ch = 0;
	pcrm_customer *customer = NULL;
	pcrm_time now = pcrm_ctx_now(ctx), until = 0;
	json_t *doc = NULL;
	unsigned dnc = 0;
	int n, idx, barred = 0, rc;
	struct pcrm__outbound_outcome o;
	char *body = NULL, *dest = NULL, ref[PCRM_OUTBOUND_REF_MAX] = "";

	rc = pcrm_customer_get(ctx, actor, d->customer_no, 0, &customer);
	if (rc == PCRM_OK) {
		doc = json_loads(pcrm_customer_json(customer), 0, NULL);
		rc = doc ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		rc = do_not_contact_mask(ctx, d->customer_no, &dnc);
	if (rc != PCRM_OK)
		goto done;
	n = channel_order(doc, d->plan, pol, order);
	for (idx = d->channel_index; idx < n; idx++) {
		if (!channel_fn(channels, order[idx]) || !destination(doc, d->customer_no, order[idx]))
			continue;
		if (dnc & (1u << order[idx])) {
			barred = 1;
			continue;
		}
		ch = order[idx];
		break;
	}
	memset(&o, 0, sizeof(o));
	o.message_id = d->id;
	o.customer_no = d->customer_no;
	o.work_order_id = d->work_order_id;
	o.campaign_id = d->campaign_id;
	o.action = "outbound.attempt";
	o.attempts = d->attempts;
	o.not_before = now;
	if (!ch) {
		/* nothing left to try: the customer said no, or the archive has no way to reach them */
		o.result = barred ? "do_not_contact" : "no_channel";
		o.status = barred ? "suppressed" : "failed";
		o.channel_index = idx;
		rc = pcrm__outbound_write_outcome(ctx, actor, &o);
		if (rc == PCRM_OK)
			count(pass, o.status, o.result);
		goto done;
	}
	if (pol->quiet_channels & (1u << ch))
		until = quiet_until(now, pcrm_ctx_utc_offset(ctx), pol->quiet_start, pol->quiet_end);
	if (!until)
		rc = rate_limited(ctx, d->customer_no, pol, now, &until);
	if (rc == PCRM_OK && until) {
		pcrm_sql_value p[3] = { PCRM_SQL_S(d->id), PCRM_SQL_I(until), PCRM_SQL_I(now) };
		rc = pcrm__store_exec(ctx->store, defer_sql, p, 3, NULL);
		if (rc == PCRM_OK)
			pass->deferred++;
		goto done;
	}
	if (rc == PCRM_OK)
		rc = render(ctx, d, doc, &body);
	if (rc == PCRM_OK) {
		dest = strdup(destination(doc, d->customer_no, ch));
		rc = dest ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK) {
		pcrm_outbound_message m = { d->id, d->customer_no, ch, dest, body, d->attempts + 1 };
		int sent = channel_fn(channels, ch)(channels->userdata, &m, ref, sizeof(ref));
		ref[sizeof(ref) - 1] = '\0';
		o.channel = ch;
		o.attempts = d->attempts + 1;
		o.contact = 1;
		o.channel_index = idx;
		if (sent == PCRM_OK) {
			o.result = "accepted";
			o.status = "sent";
			o.provider_ref = ref[0] ? ref : NULL;
		} else if (sent == PCRM_EINVAL) {
			/* refused for good on this channel: the next one, at once */
			o.result = "rejected";
			o.channel_index = idx + 1;
			o.status = o.attempts >= pol->max_attempts ? "failed" : "queued";
		} else {
			o.result = "failed";
			o.status = o.attempts >= pol->max_attempts ? "failed" : "queued";
			o.not_before = pcrm__outbound_retry_at(pol, o.attempts, now);
		}
		rc = pcrm__outbound_write_outcome(ctx, actor, &o);
		if (rc == PCRM_OK)
			count(pass, o.status, o.result);
	}
done:
	if (dest) {
		OPENSSL_cleanse(dest, strlen(dest));
		free(dest);
	}
	free(body);
	json_decref(doc);
	pcrm_customer_free(customer);
	return rc;
}

pcrm_time pcrm__outbound_retry_at(const pcrm_outbound_policy *pol, int attempts, pcrm_time now)
{
	int64_t wait = pol->backoff;
	for (int i = 1; i < attempts && wait < BACKOFF_CAP; i++)
		wait *= 2;
	return now + (wait < BACKOFF_CAP ? wait : BACKOFF_CAP);
}

int pcrm__outbound_check_policy(const pcrm_outbound_channels *c, const pcrm_outbound_policy *p)
{
	if (!c || c->version != PCRM_OUTBOUND_CHANNELS_VERSION ||
	    c->size != sizeof(pcrm_outbound_channels))
		return pcrm__error(PCRM_EINVAL, "channels: size or version is not "
		                                "PCRM_OUTBOUND_CHANNELS_INIT's");
	if (!p || p->version != PCRM_OUTBOUND_POLICY_VERSION)
		return pcrm__error(PCRM_EINVAL, "policy.version: must be PCRM_OUTBOUND_POLICY_VERSION");
	for (int i = 0; i < PCRM_OUTBOUND_CHANNEL_COUNT; i++)
		if (p->fallback[i] && !pcrm_outbound_channel_name(p->fallback[i]))
			return pcrm__error(PCRM_EINVAL, "policy.fallback[%d]: %d is not a channel", i,
			                   (int)p->fallback[i]);
	if (p->quiet_start < 0 || p->quiet_start >= 1440 || p->quiet_end < 0 || p->quiet_end >= 1440)
		return pcrm__error(PCRM_EINVAL, "policy.quiet_%s: must be minutes 0..1439",
		                   p->quiet_start < 0 || p->quiet_start >= 1440 ? "start" : "end");
	if (p->rate_limit < 0 || (p->rate_limit > 0 && (p->rate_window < 1 || p->rate_window > 31 * 86400)))
		return pcrm__error(PCRM_EINVAL, "policy.rate_window: must be 1..%d seconds", 31 * 86400);
	if (p->max_attempts < 1 || p->max_attempts > 100)
		return pcrm__error(PCRM_EINVAL, "policy.max_attempts: must be 1..100");
	if (p->backoff < 1 || p->backoff > BACKOFF_CAP)
		return pcrm__error(PCRM_EINVAL, "policy.backoff: must be 1..%d seconds", BACKOFF_CAP);
	return PCRM_OK;
}

/*
 * What every delivery pass checks before it touches a row: its arguments,
 * the actor, and the org-unit scope it may deliver in (*scope, malloc'd).
 */
static int pass_check(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                      const pcrm_outbound_channels *channels,
                      const pcrm_outbound_policy *policy, int limit,
                      const pcrm_outbound_pass *pass, char **scope)
{
	int rc;

	*scope = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (pass && (rc = PCRM__OUT_VERSION_CHECK("pass", pass, PCRM_OUTBOUND_PASS)) != PCRM_OK)
		return rc;
	if (limit < 1 || limit > MAX_PASS)
		return pcrm__error(PCRM_EINVAL, "limit: %d is not within 1..%d", limit, MAX_PASS);
	rc = pcrm__outbound_check_policy(channels, policy);
	if (rc == PCRM_OK)
		rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_CONTACT_WRITE, org_unit, scope);
	return rc;
}

/* The due messages in scope (of one campaign, or of any when campaign_id is NULL), each tried. */
static int deliver_due(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope,
                       const char *campaign_id, const pcrm_outbound_channels *channels,
                       const pcrm_outbound_policy *policy, int limit,
                       pcrm_outbound_pass *counts)
{
	struct due *due = NULL;
	int n = 0, rc = load_due(ctx, scope, campaign_id, limit, &due, &n);

	for (int i = 0; i < n; i++) {
		if (rc == PCRM_OK)
			rc = deliver_one(ctx, actor, &due[i], channels, policy, counts);
		due_clear(&due[i]);
	}
	free(due);
	return rc;
}

/*
 * The general pass: first the hand-over of the workflow outbox's customer
 * notices (handover.c), so a notice committed before the pass goes out in
 * it, then every due message.  A campaign's own pass (the voice dialler,
 * pcrm__outbound_deliver_campaign) does not hand over: it sends only its
 * campaign's messages and would leave the notices for this pass anyway.
 */
int pcrm_outbound_deliver(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                          const pcrm_outbound_channels *channels,
                          const pcrm_outbound_policy *policy, int limit,
                          pcrm_outbound_pass *pass)
{
	pcrm_outbound_pass counts = PCRM_OUTBOUND_PASS_INIT;
	int64_t handed = 0;
	char *scope = NULL;
	int rc = pass_check(ctx, actor, org_unit, channels, policy, limit, pass, &scope);

	if (rc == PCRM_OK)
		rc = pcrm__outbound_handover_in(ctx, actor, org_unit, limit, &handed);
	if (rc == PCRM_OK)
		rc = deliver_due(ctx, actor, scope, NULL, channels, policy, limit, &counts);
	free(scope);
	if (pass)
		*pass = counts;
	return rc;
}

int pcrm__outbound_deliver_campaign(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                                    const char *campaign_id,
                                    const pcrm_outbound_channels *channels,
                                    const pcrm_outbound_policy *policy, int limit,
                                    pcrm_outbound_pass *pass)
{
	pcrm_outbound_pass counts = PCRM_OUTBOUND_PASS_INIT;
	char *scope = NULL;
	int rc = pass_check(ctx, actor, org_unit, channels, policy, limit, pass, &scope);

	if (rc == PCRM_OK && !campaign_id)
		rc = pcrm__error(PCRM_EINVAL, "campaign_id: is NULL");
	if (rc == PCRM_OK)
		rc = deliver_due(ctx, actor, scope, campaign_id, channels, policy, limit, &counts);
	free(scope);
	if (pass)
		*pass = counts;
	return rc;
}

/* ---- receipts ---- */

static int rank(const char *status)
{
	static const char *const order[] = { "sent", "delivered", "answered", "confirmed" };
	for (int i = 0; i < 4; i++)
		if (strcmp(status, order[i]) == 0)
			return i + 1;
	return 0;
}

int pcrm_outbound_receipt(pcrm_ctx *ctx, const pcrm_actor *actor, const char *message_id,
                          pcrm_outbound_result result)
{
	static const char *const names[] = { NULL, "delivered", "undelivered", "answered",
		                             "confirmed", "opted_out" };
	static const char sql[] =
		"SELECT org_unit, customer_no, status, channel, channel_index, attempts, "
		"work_order_id, campaign_id FROM outbound_message WHERE id = $1";
	static const char dnc_del[] =
		"DELETE FROM outbound_preference WHERE customer_no = $1 AND channel = $2";
	static const char dnc_ins[] =
		"INSERT INTO outbound_preference (customer_no, channel, do_not_contact, updated_at, "
		"updated_by) VALUES ($1, $2, 1, $3, $4)";
	pcrm_sql_value p[1] = { PCRM_SQL_S(message_id) };
	char *org = NULL, *customer = NULL, *status = NULL, *chan = NULL, *wo = NULL, *camp = NULL;
	pcrm_rows *rows = NULL;
	int rc, found = 0, oom = 0, channel_index = 0, attempts = 0;
	struct pcrm__outbound_outcome o;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if ((int)result < PCRM_OUTBOUND_DELIVERED || (int)result > PCRM_OUTBOUND_OPTED_OUT)
		return pcrm__error(PCRM_EINVAL, "result: %d is not a pcrm_outbound_result", (int)result);
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && !message_id)
		rc = pcrm__error(PCRM_EINVAL, "message_id: is NULL");
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		org = dup_col(rows, 0, &oom);
		customer = dup_col(rows, 1, &oom);
		status = dup_col(rows, 2, &oom);
		chan = dup_col(rows, 3, &oom);
		channel_index = (int)pcrm__rows_int(rows, 4);
		attempts = (int)pcrm__rows_int(rows, 5);
		wo = dup_col(rows, 6, &oom);
		camp = dup_col(rows, 7, &oom);
		rc = oom ? pcrm__error_oom() : PCRM_OK;
	}
	pcrm__rows_free(rows);
	if (rc >= 0)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_CONTACT_WRITE, "outbound_message",
		                           message_id, found ? PCRM_OK : PCRM_ENOTFOUND, org);
	if (rc == PCRM_OK && (!chan || attempts == 0))
		rc = pcrm__error(PCRM_ESTATE, "message_id: message %.64s was never sent", message_id);
	if (rc != PCRM_OK)
		goto done;
	memset(&o, 0, sizeof(o));
	o.message_id = message_id;
	o.customer_no = customer;
	o.work_order_id = wo;
	o.campaign_id = camp;
	pcrm_outbound_channel_parse(chan, &o.channel);
	o.result = names[result];
	o.status = status;
	o.channel_index = channel_index;
	o.attempts = attempts;
	o.not_before = pcrm_ctx_now(ctx);
	o.contact = 1;
	o.action = "outbound.receipt";
	switch (result) {
	case PCRM_OUTBOUND_DELIVERED:
	case PCRM_OUTBOUND_ANSWERED:
	case PCRM_OUTBOUND_CONFIRMED:
		/* states only move forward: a late "delivered" after "answered" changes nothing */
		if (rank(status) > 0 && rank(names[result]) > rank(status))
			o.status = names[result];
		break;
	case PCRM_OUTBOUND_UNDELIVERED:
		if (strcmp(status, "sent") == 0) {
			o.status = "queued";
			o.channel_index = channel_index + 1;
		}
		break;
	case PCRM_OUTBOUND_OPTED_OUT:
		o.status = "opted_out";
		break;
	}
	rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		if (result == PCRM_OUTBOUND_OPTED_OUT) {
			pcrm_sql_value q[4] = { PCRM_SQL_S(customer), PCRM_SQL_S(chan),
				                PCRM_SQL_I(pcrm_ctx_now(ctx)),
				                PCRM_SQL_S(actor->operator_id) };
			rc = pcrm__store_exec(ctx->store, dnc_del, q, 2, NULL);
			if (rc == PCRM_OK)
				rc = pcrm__store_exec(ctx->store, dnc_ins, q, 4, NULL);
		}
		if (rc == PCRM_OK)
			rc = pcrm__outbound_write_outcome(ctx, actor, &o);
		rc = pcrm__store_finish(ctx->store, rc);
	}
done:
	free(org);
	free(customer);
	free(status);
	free(chan);
	free(wo);
	free(camp);
	return rc;
}
