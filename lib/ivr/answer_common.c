/*
 * What every IVR answer shares: today's date on the context's clock, the
 * caller's customer as the archive shows it to the actor, the answer's
 * beginning and end (pcrm__ivr_answer_begin() / _end()), composing the
 * text without cutting it, and recording the answer as an inbound "ivr"
 * contact (docs/ivr.md, "Answers").  Built on the public API, so each
 * answer is scoped exactly as the archive and the contact history are.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/contact.h>
#include <powercrm/customer.h>

#include "core/error.h"
#include "core/text_check.h"
#include "ivr_internal.h"

pcrm_date pcrm__ivr_today(pcrm_ctx *ctx)
{
	pcrm_civil c;
	pcrm_date d = { 0, 0, 0 };

	if (pcrm_time_to_civil(pcrm_ctx_now(ctx), pcrm_ctx_utc_offset(ctx), &c) == PCRM_OK) {
		d.year = c.year;
		d.month = c.month;
		d.day = c.day;
	}
	return d;
}

static void copy_field(char *dst, size_t size, json_t *doc, const char *name)
{
	const char *v = json_string_value(json_object_get(doc, name));

	snprintf(dst, size, "%s", v ? v : "");
}

/* The actor and the keyed customer number, before anything is read. */
static int caller_check(const pcrm_actor *actor, const char *customer_no)
{
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__code_check("customer_no", customer_no, PCRM_IVR_CUSTOMER_NO_MAX - 1);
	return rc;
}

/* pcrm__ivr_customer_load() once caller_check() passed. */
static int customer_read(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                         struct pcrm__ivr_customer *out)
{
	pcrm_customer *c = NULL;
	json_t *doc;
	/* one refusal for unknown and out-of-subtree numbers (pcrm_customer_get) */
	int rc = pcrm_customer_get(ctx, actor, customer_no, 0, &c);

	if (rc != PCRM_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(out->customer_no, sizeof(out->customer_no), "%s", customer_no);
	snprintf(out->org_unit, sizeof(out->org_unit), "%s", pcrm_customer_org_unit(c));
	doc = json_loads(pcrm_customer_json(c), 0, NULL);
	if (doc == NULL) {
		pcrm_customer_free(c);
		return pcrm__error_oom();
	}
	copy_field(out->usage_class, sizeof(out->usage_class), doc, "usage_class");
	copy_field(out->transformer_area, sizeof(out->transformer_area), doc, "transformer_area");
	json_decref(doc);
	pcrm_customer_free(c);
	return PCRM_OK;
}

int pcrm__ivr_customer_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                            struct pcrm__ivr_customer *out)
{
	int rc = caller_check(actor, customer_no);

	return rc == PCRM_OK ? customer_read(ctx, actor, customer_no, out) : rc;
}

int pcrm__ivr_answer_begin(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           void *out, size_t size, int load_customer,
                           struct pcrm__ivr_answer *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	rc = caller_check(actor, customer_no);
	if (rc == PCRM_OK && load_customer)
		rc = customer_read(ctx, actor, customer_no, &a->cust);
	if (rc != PCRM_OK)
		return rc;
	/* on the heap: some answers are several kilobytes */
	a->data = calloc(1, size);
	if (a->data == NULL)
		return pcrm__error_oom();
	a->ctx = ctx;
	a->actor = actor;
	a->customer_no = customer_no;
	a->out = out;
	a->size = size;
	return PCRM_OK;
}

int pcrm__ivr_answer_end(struct pcrm__ivr_answer *a, int rc, const char *text)
{
	if (rc == PCRM_OK && text != NULL)
		rc = pcrm__ivr_record(a->ctx, a->actor, a->customer_no, text);
	if (rc == PCRM_OK)
		memcpy(a->out, a->data, a->size);
	free(a->data);
	a->data = NULL;
	return rc;
}

int pcrm__ivr_say(char *text, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return pcrm__error(PCRM_EOVERFLOW, "text: the answer does not fit in %zu bytes", size);
	va_start(ap, fmt);
	n = vsnprintf(text + *len, size - *len, fmt, ap);
	va_end(ap);
	/* refused rather than cut: a cut answer would say something else */
	if (n < 0 || (size_t)n >= size - *len) {
		text[*len] = '\0';
		return pcrm__error(PCRM_EOVERFLOW, "text: the answer does not fit in %zu bytes", size);
	}
	*len += (size_t)n;
	return PCRM_OK;
}

int pcrm__ivr_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                     const char *text)
{
	json_t *doc = json_pack("{s:s, s:s, s:s}", "channel", "ivr", "direction", "inbound",
	                        "summary", text);
	char *json = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = json ? pcrm_contact_record(ctx, actor, customer_no, json, NULL) : pcrm__error_oom();

	free(json);
	json_decref(doc);
	return rc;
}
