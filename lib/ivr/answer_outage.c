/*
 * The IVR's outage answer: what the outage list (outage.c) says about the
 * caller's transformer area, said in Chinese and recorded in the contact
 * history (docs/ivr.md, "Outages").  A fault outage whose master work order
 * has closed is over even if nobody ended the entry: the repair crew closes
 * the work order, and the IVR must not keep announcing a fault that was
 * repaired.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/ivr.h>

#include "core/ctx.h"
#include "core/error.h"
#include "ivr_internal.h"
#include "store/store.h"

int pcrm__ivr_area_outages(pcrm_ctx *ctx, const char *area, pcrm_time now,
                           pcrm_ivr_outage_info *items, int max, int *count)
{
	static const char sql[] =
		"SELECT o.id, o.kind, o.starts_at, o.ends_at, o.reason, o.master_workorder"
		" FROM outage o LEFT JOIN work_order w ON w.id = o.master_workorder"
		" WHERE o.transformer_area = $1 AND o.ended_at IS NULL AND o.ends_at > $2"
		" AND o.starts_at <= $3 AND (o.master_workorder IS NULL OR w.status = 'open')"
		" ORDER BY CASE WHEN o.starts_at <= $2 THEN 0 ELSE 1 END, o.starts_at, o.id";
	pcrm_sql_value p[3] = { PCRM_SQL_S(area), PCRM_SQL_I(now),
		                PCRM_SQL_I(now + (int64_t)PCRM_IVR_OUTAGE_HORIZON_DAYS * 86400) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, sql, p, 3, &rows);

	*count = 0;
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		if (*count < max) {
			pcrm_ivr_outage_info *o = &items[*count];

			memset(o, 0, sizeof(*o));
			snprintf(o->id, sizeof(o->id), "%s", pcrm__rows_text(rows, 0));
			o->kind = strcmp(pcrm__rows_text(rows, 1), "fault") == 0 ? PCRM_IVR_OUTAGE_FAULT :
			                                                         PCRM_IVR_OUTAGE_PLANNED;
			o->starts_at = pcrm__rows_int(rows, 2);
			o->ends_at = pcrm__rows_int(rows, 3);
			o->in_progress = o->starts_at <= now;
			snprintf(o->reason, sizeof(o->reason), "%s", pcrm__rows_text(rows, 4));
			if (!pcrm__rows_is_null(rows, 5))
				snprintf(o->master_workorder, sizeof(o->master_workorder), "%s",
				         pcrm__rows_text(rows, 5));
		}
		(*count)++;
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* 时 and 分 of a civil time: "十四时", "八时零五分", "零时三十分". */
static int speak_clock(const pcrm_civil *c, char *buf, size_t size)
{
	char h[32], m[32]; /* "二十三" at most */
	int rc = pcrm_ivr_speak_number(pcrm_decimal_from_int(c->hour), h, sizeof(h));

	if (rc == PCRM_OK && c->minute > 0)
		rc = pcrm_ivr_speak_number(pcrm_decimal_from_int(c->minute), m, sizeof(m));
	if (rc != PCRM_OK)
		return rc;
	if (c->minute == 0)
		snprintf(buf, size, "%s时", h);
	else
		snprintf(buf, size, "%s时%s%s分", h, c->minute < 10 ? "零" : "", m);
	return PCRM_OK;
}

static int civil_of(pcrm_ctx *ctx, pcrm_time t, pcrm_civil *c)
{
	return pcrm_time_to_civil(t, pcrm_ctx_utc_offset(ctx), c);
}

int pcrm__ivr_speak_instant(pcrm_ctx *ctx, pcrm_time t, char *buf, size_t size)
{
	char date[PCRM_IVR_SPEECH_MAX], clock[PCRM_IVR_SPEECH_MAX];
	pcrm_civil c;
	int rc = civil_of(ctx, t, &c);

	if (rc == PCRM_OK)
		rc = pcrm_ivr_speak_date((pcrm_date){ c.year, c.month, c.day }, date, sizeof(date));
	if (rc == PCRM_OK)
		rc = speak_clock(&c, clock, sizeof(clock));
	if (rc == PCRM_OK && (size_t)snprintf(buf, size, "%s%s", date, clock) >= size)
		rc = pcrm__error(PCRM_EOVERFLOW, "text: an instant does not fit in %zu bytes", size);
	return rc;
}

/* "...二十五日八时至十八时" on one day, "...二十五日八时至二十六日..." across days. */
static int speak_span(pcrm_ctx *ctx, pcrm_time from, pcrm_time to, char *buf, size_t size)
{
	char a[PCRM_IVR_SPEECH_MAX], b[PCRM_IVR_SPEECH_MAX];
	pcrm_civil cf, ct;
	int rc = civil_of(ctx, from, &cf);

	if (rc == PCRM_OK)
		rc = civil_of(ctx, to, &ct);
	if (rc == PCRM_OK)
		rc = pcrm__ivr_speak_instant(ctx, from, a, sizeof(a));
	if (rc == PCRM_OK)
		rc = cf.year == ct.year && cf.month == ct.month && cf.day == ct.day ?
		             speak_clock(&ct, b, sizeof(b)) :
		             pcrm__ivr_speak_instant(ctx, to, b, sizeof(b));
	if (rc == PCRM_OK && (size_t)snprintf(buf, size, "%s至%s", a, b) >= size)
		rc = pcrm__error(PCRM_EOVERFLOW, "text: a span does not fit in %zu bytes", size);
	return rc;
}

static int say_outage(pcrm_ctx *ctx, const pcrm_ivr_outage_info *o, char *text, size_t size,
                      size_t *len)
{
	char when[2 * PCRM_IVR_SPEECH_MAX];
	int rc;

	if (o->in_progress) {
		rc = pcrm__ivr_speak_instant(ctx, o->ends_at, when, sizeof(when));
		if (rc != PCRM_OK)
			return rc;
		if (o->kind == PCRM_IVR_OUTAGE_FAULT)
			return pcrm__ivr_say(text, size, len, "您所在台区因%s停电，正在抢修，预计%s恢复供电。",
			                     o->reason, when);
		return pcrm__ivr_say(text, size, len, "您所在台区正在计划停电，原因：%s，预计%s恢复供电。",
		                     o->reason, when);
	}
	rc = speak_span(ctx, o->starts_at, o->ends_at, when, sizeof(when));
	if (rc != PCRM_OK)
		return rc;
	return pcrm__ivr_say(text, size, len, "您所在台区计划于%s停电，原因：%s。", when, o->reason);
}

int pcrm_ivr_answer_outage(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           pcrm_ivr_outage_answer *out)
{
	struct pcrm__ivr_answer ans;
	const struct pcrm__ivr_customer *cust = &ans.cust;
	pcrm_ivr_outage_answer *a;
	size_t len = 0;
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 1, &ans);

	if (rc != PCRM_OK)
		return rc;
	a = ans.data;
	snprintf(a->transformer_area, sizeof(a->transformer_area), "%s", cust->transformer_area);
	if (cust->transformer_area[0] == '\0') {
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len,
		                   "您的档案中没有台区信息，暂时无法查询停电信息。");
	} else {
		rc = pcrm__ivr_area_outages(ctx, cust->transformer_area, pcrm_ctx_now(ctx), a->items,
		                            PCRM_IVR_OUTAGES_MAX, &a->outages);
		a->listed = a->outages < PCRM_IVR_OUTAGES_MAX ? a->outages : PCRM_IVR_OUTAGES_MAX;
		if (rc == PCRM_OK && a->outages == 0)
			rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "您所在台区目前没有停电信息。");
		for (int i = 0; rc == PCRM_OK && i < a->listed; i++)
			rc = say_outage(ctx, &a->items[i], a->text, sizeof(a->text), &len);
	}
	return pcrm__ivr_answer_end(&ans, rc, a->text);
}
