/*
 * The tier position this year (阶梯档位) of a stored customer: which
 * account, which tariff and how much energy, then the tariff's own rule
 * (pcrm_tariff_tier_position()).
 *
 * Why from the bills: a billing run names its tariffs per usage class in
 * its spec, so nothing but the bills records which tariff a customer is
 * billed on; and the year's energy must be what the next bill starts its
 * annual tiers from, so it is read by the run's own year-to-date query
 * (pcrm__year_to_date_load()), not a second one that could drift from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/text.h"
#include "core/text_check.h"
#include "customer/metering_internal.h"
#include "store/store.h"
#include "tariff/tariff_internal.h"

/* What a position is computed for, read with the customer. */
struct tier_subject {
	char usage_class[PCRM__BILL_CODE_MAX + 1];
	int household_size;
	char org_path[PCRM__ORG_PATH_MAX];
	char account_no[PCRM__BILL_CODE_MAX + 1];
	char tariff_id[PCRM__BILL_CODE_MAX + 1];
	int64_t tariff_version; /* of the newest bill; 0: no bill */
};

static int load_customer(pcrm_ctx *ctx, const char *customer_no, struct tier_subject *s)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT c.usage_class, c.household_size, o.path FROM customer c "
	                           "JOIN org_unit o ON o.code = c.org_unit WHERE c.customer_no = $1",
	                           p, 1, &rows);

	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm__text_copy(s->usage_class, sizeof(s->usage_class),
		                pcrm__rows_is_null(rows, 0) ? "" : pcrm__rows_text(rows, 0));
		s->household_size = (int)pcrm__rows_int(rows, 1);
		pcrm__text_copy(s->org_path, sizeof(s->org_path), pcrm__rows_text(rows, 2));
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ESTORE, "customer \"%s\" vanished while read", customer_no);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int check_account(pcrm_ctx *ctx, const char *customer_no, const char *account_no)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(account_no), PCRM_SQL_S(customer_no) };
	int64_t n = 0;
	int rc = pcrm__store_query_int(ctx->store,
	                               "SELECT COUNT(*) FROM account WHERE account_no = $1 "
	                               "AND customer_no = $2",
	                               p, 2, &n);

	if (rc == PCRM_OK && n == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "account_no: \"%s\" is not an account of customer "
		                 "\"%s\"", account_no, customer_no);
	return rc;
}

/* The newest issued bill up to `month` (of `account_no`, or of any account of the customer). */
static int load_newest_bill(pcrm_ctx *ctx, const char *customer_no, const char *account_no,
                            const struct pcrm__month *month, struct tier_subject *s)
{
	static const char any[] =
		"SELECT account_no, tariff_id, tariff_version FROM bill WHERE customer_no = $1 "
		"AND status = 'issued' AND period <= $2 ORDER BY period DESC, account_no LIMIT 1";
	static const char one[] =
		"SELECT account_no, tariff_id, tariff_version FROM bill WHERE customer_no = $1 "
		"AND status = 'issued' AND period <= $2 AND account_no = $3 "
		"ORDER BY period DESC LIMIT 1";
	pcrm_sql_value p[3] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(month->text),
		                PCRM_SQL_S(account_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, account_no ? one : any, p, account_no ? 3 : 2,
	                           &rows);

	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm__text_copy(s->account_no, sizeof(s->account_no), pcrm__rows_text(rows, 0));
		pcrm__text_copy(s->tariff_id, sizeof(s->tariff_id), pcrm__rows_text(rows, 1));
		s->tariff_version = pcrm__rows_int(rows, 2);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/*
 * The version a run of `on`'s month would bill with (the base version in
 * effect or the unit's override); when none is in effect any more, the
 * version the newest bill used.
 */
static int load_tariff(pcrm_ctx *ctx, const struct tier_subject *s, pcrm_date on,
                       pcrm_tariff **out)
{
	struct pcrm__tariff_choice *choices = NULL;
	size_t n = 0;
	int rc = pcrm__tariff_fetch_choices(ctx, s->tariff_id, on, &choices, &n);

	if (rc == PCRM_ENOTFOUND)
		return pcrm__tariff_fetch(ctx, s->tariff_id, s->tariff_version, on, out);
	if (rc == PCRM_OK) {
		*out = (pcrm_tariff *)pcrm__tariff_choose(choices, n, s->org_path);
		pcrm__tariff_ref(*out);
	}
	pcrm__tariff_choices_free(choices, n);
	return rc;
}

static const char *one_account(const void *items, size_t i)
{
	(void)i;
	return items;
}

/* The energy of the account's bills earlier in the year, as a run reads it. */
static int load_year_energy(pcrm_ctx *ctx, const char *account_no,
                            const struct pcrm__month *month, pcrm_decimal *out)
{
	struct pcrm__account_usage *u = calloc(1, sizeof(*u));
	char *accounts = NULL;
	int rc = u ? pcrm__store_key_list(account_no, 1, one_account, &accounts) : pcrm__error_oom();

	if (rc == PCRM_OK) {
		pcrm__text_copy(u->account_no, sizeof(u->account_no), account_no);
		u->ytd_kwh = u->ytd_amount = pcrm_decimal_from_int(0);
		rc = pcrm__year_to_date_load(ctx, accounts, month, u, 1);
	}
	if (rc == PCRM_OK)
		*out = u->ytd_kwh;
	free(accounts);
	free(u);
	return rc;
}

int pcrm__tier_month(const pcrm_ctx *ctx, pcrm_date on, struct pcrm__month *month)
{
	char text[8];

	if (!pcrm_date_is_valid(on) || on.year < 1970 || on.year > 9998)
		return pcrm__error(PCRM_EINVAL, "on: not a valid date in 1970..9998");
	snprintf(text, sizeof(text), "%04d-%02d", on.year, on.month);
	return pcrm__month_parse(ctx, "on", text, month);
}

void pcrm__tier_position_start(pcrm_tier_position *p, int version, pcrm_date on)
{
	memset(p, 0, sizeof(*p));
	p->version = version;
	p->year = on.year;
	p->energy = p->lower = p->upper = p->remaining = pcrm_decimal_from_int(0);
}

int pcrm__tier_position_apply(const pcrm_tariff *tariff, int household_size, pcrm_date on,
                              pcrm_decimal energy, pcrm_tier_position *p)
{
	int rc = pcrm_tariff_tier_position(tariff, household_size, on, energy, p);

	if (rc == PCRM_OK) {
		pcrm__text_copy(p->tariff_id, sizeof(p->tariff_id), pcrm_tariff_id(tariff));
		p->tariff_version = pcrm_tariff_version(tariff);
	}
	return rc;
}

int pcrm_tier_position_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           const char *account_no, pcrm_date on, pcrm_tier_position *out)
{
	struct pcrm__owner owner;
	struct tier_subject s;
	struct pcrm__month month;
	pcrm_tier_position p;
	pcrm_tariff *tariff = NULL;
	pcrm_decimal energy = pcrm_decimal_from_int(0);
	int rc;

	if (!ctx || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", ctx ? "out" : "ctx");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_TIER_POSITION)) != PCRM_OK ||
	    (rc = pcrm__code_check("customer_no", customer_no, PCRM__BILL_CODE_MAX)) != PCRM_OK ||
	    (account_no &&
	     (rc = pcrm__code_check("account_no", account_no, PCRM__BILL_CODE_MAX)) != PCRM_OK))
		return rc;
	if ((rc = pcrm__tier_month(ctx, on, &month)) != PCRM_OK)
		return rc;
	rc = pcrm__owner_load(ctx, customer_no, &owner);
	if ((rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ)) != PCRM_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	if ((rc = load_customer(ctx, customer_no, &s)) != PCRM_OK ||
	    (account_no && (rc = check_account(ctx, customer_no, account_no)) != PCRM_OK))
		return rc;
	if (account_no)
		pcrm__text_copy(s.account_no, sizeof(s.account_no), account_no);

	pcrm__tier_position_start(&p, out->version, on);
	if (strcmp(s.usage_class, "residential") != 0) {
		p.status = PCRM_TIER_NOT_RESIDENTIAL;
	} else if ((rc = load_newest_bill(ctx, customer_no, account_no, &month, &s)) != PCRM_OK) {
		return rc;
	} else if (s.tariff_version == 0) {
		p.status = PCRM_TIER_NO_BILL;
	} else {
		rc = load_tariff(ctx, &s, on, &tariff);
		if (rc == PCRM_OK)
			rc = load_year_energy(ctx, s.account_no, &month, &energy);
		if (rc == PCRM_OK)
			rc = pcrm__tier_position_apply(tariff, s.household_size, on, energy, &p);
		pcrm_tariff_free(tariff);
		if (rc != PCRM_OK)
			return rc;
	}
	pcrm__text_copy(p.account_no, sizeof(p.account_no), s.account_no);
	*out = p;
	return PCRM_OK;
}
