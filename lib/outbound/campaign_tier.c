/*
 * Tier-threshold warnings (阶梯电量提醒): a campaign to the residential
 * customers whose energy this year is within a margin of their next annual
 * tier threshold, so they hear it before their bills rise.
 *
 * Why the positions come from pcrm__tier_positions_each(): each is the
 * billing engine's own (the year's bills read by the run's year-to-date
 * query, the tariff's seasonal and large-household thresholds through the
 * function the bill uses), the one pcrm_tier_position_get() and the IVR
 * give; a campaign rule of its own would be a second tier rule.  It reads
 * the whole target in a fixed number of queries, so a province's
 * residential customers are queued in one transaction (tests/bench,
 * bench_outbound).  The text is rendered when queued, as for arrears
 * reminders: the figures are the customer's own.  Queueing again resumes
 * where the target grew.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/billing.h>
#include <powercrm/org.h>

#include "billing/billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "outbound_internal.h"
#include "store/store.h"

int pcrm__campaign_tier_target_check(const json_t *target)
{
	static const char *const keys[] = { "margin_kwh", "margin_percent", NULL };
	const json_t *kwh = json_object_get(target, "margin_kwh");
	const json_t *pct = json_object_get(target, "margin_percent");
	pcrm_decimal d;
	int rc = pcrm__json_check_keys("target", target, keys);

	if (rc != PCRM_OK)
		return rc;
	if (!kwh == !pct)
		return pcrm__error(PCRM_EINVAL, "target: give exactly one of margin_kwh, margin_percent");
	if (pct) {
		if (!json_is_integer(pct) || json_integer_value(pct) < 1 ||
		    json_integer_value(pct) > 100)
			return pcrm__error(PCRM_EINVAL, "target.margin_percent: must be an integer 1..100");
		return PCRM_OK;
	}
	if (!json_is_string(kwh) || pcrm_decimal_parse(json_string_value(kwh), &d) != PCRM_OK ||
	    d.scale > 6 || pcrm_decimal_sign(d) <= 0 ||
	    pcrm_decimal_cmp(d, pcrm_decimal_from_int(1000000)) > 0)
		return pcrm__error(PCRM_EINVAL, "target.margin_kwh: must be a decimal string above 0 "
		                                "and at most 1000000 with at most 6 decimals");
	return PCRM_OK;
}

/* Whether the position is within the target's margin of the next threshold. */
static int within_margin(const json_t *target, const pcrm_tier_position *p, int *yes)
{
	const json_t *kwh = json_object_get(target, "margin_kwh");
	pcrm_decimal margin, scaled;
	int rc;

	*yes = 0;
	if (p->status != PCRM_TIER_POSITIONED || p->last_tier)
		return PCRM_OK;
	if (kwh) {
		if ((rc = pcrm_decimal_parse(json_string_value(kwh), &margin)) != PCRM_OK)
			return rc;
		*yes = pcrm_decimal_cmp(p->remaining, margin) <= 0;
		return PCRM_OK;
	}
	/* remaining <= upper x percent / 100, as remaining x 100 <= upper x percent: exact */
	if ((rc = pcrm_decimal_mul(p->upper, pcrm_decimal_from_int(json_integer_value(
	                                             json_object_get(target, "margin_percent"))),
	                           &margin)) != PCRM_OK ||
	    (rc = pcrm_decimal_mul(p->remaining, pcrm_decimal_from_int(100), &scaled)) != PCRM_OK)
		return rc;
	*yes = pcrm_decimal_cmp(scaled, margin) <= 0;
	return PCRM_OK;
}

/* The active residential customers of the subtree not yet queued in this campaign. */
#define CANDIDATES_SQL                                                                       \
	"SELECT c.customer_no FROM customer c JOIN org_unit o ON o.code = c.org_unit "            \
	"WHERE c.status = 'active' AND c.usage_class = 'residential' "                            \
	"AND substr(o.path, 1, length($1)) = $1 AND NOT EXISTS (SELECT 1 FROM outbound_message m " \
	"WHERE m.id = CAST($2 AS TEXT) || '/' || c.customer_no) ORDER BY c.customer_no"

static int load_candidates(pcrm_ctx *ctx, const char *scope, const char *campaign_id,
                           char ***out, size_t *count)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(scope), PCRM_SQL_S(campaign_id) };
	pcrm_rows *rows = NULL;
	char **list = NULL;
	size_t n = 0, cap = 0;
	int rc = pcrm__store_query(ctx->store, CANDIDATES_SQL, p, 2, &rows);

	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		if (n == cap) {
			char **grown = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*list));
			if (!grown) {
				rc = pcrm__error_oom();
				break;
			}
			list = grown;
		}
		if (!(list[n] = strdup(pcrm__rows_text(rows, 0)))) {
			rc = pcrm__error_oom();
			break;
		}
		n++;
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	*out = list;
	*count = n;
	return rc < 0 ? rc : PCRM_OK;
}

/* What each position is checked against and queued with. */
struct tier_queue {
	pcrm_ctx *ctx;
	const struct pcrm__campaign_spec *c;
	int64_t *queued;
};

static int queue_one(void *arg, const char *customer_no, const pcrm_tier_position *p)
{
	const struct tier_queue *q = arg;
	struct pcrm__template_fields f;
	char tier[16], next[16], energy[PCRM_DECIMAL_STRING_MAX], upper[PCRM_DECIMAL_STRING_MAX],
	     left[PCRM_DECIMAL_STRING_MAX];
	char *body = NULL;
	int yes = 0, rc = within_margin(q->c->target, p, &yes);

	if (rc != PCRM_OK || !yes)
		return rc;
	snprintf(tier, sizeof(tier), "%d", p->tier);
	snprintf(next, sizeof(next), "%d", p->tier + 1);
	pcrm_decimal_format(p->energy, energy, sizeof(energy));
	pcrm_decimal_format(p->upper, upper, sizeof(upper));
	pcrm_decimal_format(p->remaining, left, sizeof(left));
	memset(&f, 0, sizeof(f));
	f.customer_no = customer_no;
	f.name_masked = ""; /* rendered ahead of the send: no name in the stored text */
	f.tier = tier;
	f.next_tier = next;
	f.year_energy = energy;
	f.tier_threshold = upper;
	f.tier_remaining = left;
	rc = pcrm__template_render(q->c->tpl, &f, &body);
	if (rc == PCRM_OK)
		rc = pcrm__campaign_queue_text(q->ctx, q->c, customer_no, body, q->queued);
	free(body);
	return rc;
}

int pcrm__campaign_tier_queue(pcrm_ctx *ctx, const pcrm_actor *actor,
                              const struct pcrm__campaign_spec *c, const char *scope,
                              int64_t *queued)
{
	struct tier_queue q = { ctx, c, queued };
	pcrm_civil civil;
	pcrm_date today;
	char **customers = NULL;
	size_t n = 0;
	int rc = pcrm_time_to_civil(pcrm_ctx_now(ctx), pcrm_ctx_utc_offset(ctx), &civil);

	*queued = 0;
	today.year = civil.year;
	today.month = civil.month;
	today.day = civil.day;
	/*
	 * A position reads the archive: the right to read it over the whole
	 * target, once, where pcrm_tier_position_get() asks it per customer.
	 */
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_READ, c->org_unit);
	if (rc == PCRM_OK)
		rc = load_candidates(ctx, scope, c->id, &customers, &n);
	if (rc == PCRM_OK)
		rc = pcrm__tier_positions_each(ctx, (const char *const *)customers, n, today,
		                               queue_one, &q);
	for (size_t i = 0; i < n; i++)
		free(customers[i]);
	free(customers);
	return rc;
}
