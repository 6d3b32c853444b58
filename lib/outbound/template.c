/*
 * Message templates: "{name}" style placeholders for the customer's fields.
 *
 * Why a closed list of placeholders: a template is written by staff and
 * sent to thousands of customers; a placeholder that named an arbitrary
 * document field could put an ID number or a phone in clear into a text
 * that passes through outside gateways.  Only masked or non-personal values
 * can be named.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "outbound_internal.h"

static const char *const names[] = { "customer_no", "name", "transformer_area",
	                             "outage_start", "outage_end", "arrears",
	                             "tier", "next_tier", "year_energy", "tier_threshold",
	                             "tier_remaining" };
#define NAME_COUNT (sizeof(names) / sizeof(names[0]))

/* Index of the placeholder starting after '{' at p, its length in *len; -1 when none. */
static int placeholder(const char *p, size_t *len)
{
	for (size_t i = 0; i < NAME_COUNT; i++) {
		size_t n = strlen(names[i]);
		if (strncmp(p, names[i], n) == 0 && p[n] == '}') {
			*len = n + 1;
			return (int)i;
		}
	}
	return -1;
}

int pcrm__template_check(const char *field, const char *tpl)
{
	size_t n = tpl ? strlen(tpl) : 0, len;

	if (n == 0 || n > PCRM__TEMPLATE_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes", field, PCRM__TEMPLATE_MAX);
	for (size_t i = 0; i < n; i++) {
		if (tpl[i] != '{')
			continue;
		if (tpl[i + 1] == '{') {
			i++;
			continue;
		}
		if (placeholder(tpl + i + 1, &len) < 0)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: unknown placeholder at byte %zu (expected {customer_no}, "
			                   "{name}, {transformer_area}, {outage_start}, {outage_end}, "
			                   "{arrears}, {tier}, {next_tier}, {year_energy}, "
			                   "{tier_threshold}, {tier_remaining} or {{ for a brace)",
			                   field, i + 1);
		i += len;
	}
	return PCRM_OK;
}

int pcrm__template_render(const char *tpl, const struct pcrm__template_fields *f, char **out)
{
	const char *values[NAME_COUNT] = { f->customer_no,  f->name_masked, f->transformer_area,
		                           f->outage_start, f->outage_end,  f->arrears,
		                           f->tier,         f->next_tier,   f->year_energy,
		                           f->tier_threshold, f->tier_remaining };
	struct pcrm__strbuf b = { NULL, 0, 0, 0 };
	size_t len;

	*out = NULL;
	pcrm__strbuf_add(&b, "%s", "");
	for (const char *p = tpl; *p; p++) {
		int k;
		if (*p == '{' && p[1] == '{') {
			pcrm__strbuf_add(&b, "{");
			p++;
		} else if (*p == '{' && (k = placeholder(p + 1, &len)) >= 0) {
			if (values[k])
				pcrm__strbuf_add(&b, "%s", values[k]);
			p += len;
		} else {
			pcrm__strbuf_add(&b, "%.1s", p);
		}
	}
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	if (b.len > PCRM_OUTBOUND_BODY_MAX) {
		free(b.p);
		return pcrm__error(PCRM_EINVAL, "template: renders to more than %d bytes",
		                   PCRM_OUTBOUND_BODY_MAX);
	}
	*out = b.p;
	return PCRM_OK;
}
