/*
 * The maximum demands of an account's earlier months, for tariffs with a
 * demand ratchet (billing demand: at least a percentage of the highest
 * demand of the last N months, docs/tariff-format.md).  They come from the
 * account's current (issued) bills of those months, whose JSON records the
 * measured maximum demand ("max_demand_kw", pcrm_bill_max_demand()), so a
 * run needs no second copy of the readings of a year.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store/store.h"
#include "tariff/demand.h"

_Static_assert(PCRM__PRIOR_MONTHS == PCRM__RATCHET_MAX_MONTHS,
               "an account's usage holds every month a ratchet may look back");

#define HISTORY_SQL(in_keys)                                                                 \
	"SELECT account_no, period, doc FROM bill WHERE account_no" in_keys                       \
	" AND status = 'issued' AND period >= $2 AND period < $3"

static const char *usage_account(const void *usages, size_t i)
{
	return ((const struct pcrm__account_usage *)usages)[i].account_no;
}

/* The stored bill's "max_demand_kw" into u (months_ago 1..); none: nothing to record. */
static int record(struct pcrm__account_usage *u, int months_ago, const char *doc)
{
	json_t *root = json_loads(doc, 0, NULL), *kw;
	pcrm_decimal d;
	int rc = PCRM_OK;

	if (!root)
		return pcrm__error(PCRM_ESTORE, "account \"%s\": a stored bill is malformed",
		                   u->account_no);
	kw = json_object_get(root, "max_demand_kw");
	if (kw && (!json_is_string(kw) || pcrm_decimal_parse(json_string_value(kw), &d) != PCRM_OK))
		rc = pcrm__error(PCRM_ESTORE, "account \"%s\": a stored bill's max_demand_kw is "
		                 "malformed", u->account_no);
	else if (kw) {
		u->prior_demand[months_ago - 1] = d;
		u->prior_mask |= UINT64_C(1) << (months_ago - 1);
	}
	json_decref(root);
	return rc;
}

int pcrm__demand_history_load(pcrm_ctx *ctx, const struct pcrm__month *month, int months,
                              struct pcrm__account_usage *usages, size_t n)
{
	unsigned first = (unsigned)(month->first.year * 12 + (month->first.month - 1) - months);
	char from[16], *accounts = NULL;
	pcrm_sql_value p[3];
	pcrm_rows *rows = NULL;
	int rc;

	if (months <= 0 || n == 0)
		return PCRM_OK;
	snprintf(from, sizeof(from), "%04u-%02u", first / 12 % 10000, first % 12 + 1);
	if ((rc = pcrm__store_key_list(usages, n, usage_account, &accounts)) != PCRM_OK)
		return rc;
	p[0] = PCRM_SQL_S(accounts);
	p[1] = PCRM_SQL_S(from);
	p[2] = PCRM_SQL_S(month->text);
	rc = pcrm__store_query(ctx->store,
	                       pcrm__billing_pg(ctx) ? HISTORY_SQL(PCRM__SQL_IN_KEYS_PG("$1")) :
	                                               HISTORY_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")),
	                       p, 3, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__account_usage *u = pcrm__usage_find(usages, n, pcrm__rows_text(rows, 0));
		const char *period = pcrm__rows_text(rows, 1);
		int y, m, ago;
		if (!u)
			continue;
		if (sscanf(period, "%4d-%2d", &y, &m) != 2) {
			rc = pcrm__error(PCRM_ESTORE, "account \"%s\": a stored bill's period is "
			                 "malformed", u->account_no);
			break;
		}
		ago = month->first.year * 12 + (month->first.month - 1) - (y * 12 + (m - 1));
		if (ago >= 1 && ago <= months && (rc = record(u, ago, pcrm__rows_text(rows, 2))) < 0)
			break;
	}
	pcrm__rows_free(rows);
	free(accounts);
	return rc < 0 ? rc : PCRM_OK;
}
