/*
 * From readings to a bill: the month a run bills, the customer attributes
 * a tariff needs, an account's usage summed from its readings, and the
 * mapping of meter registers onto the tariff's time-of-use periods.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text.h"
#include "store/store.h"
#include "tariff/tariff_internal.h"

int pcrm__month_parse(const pcrm_ctx *ctx, const char *path, const char *text,
                      struct pcrm__month *out)
{
	pcrm_civil c;
	int y, m, n = 0;

	if (!text || strlen(text) != 7 || sscanf(text, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 ||
	    y < 1970 || y > 9998 || m < 1 || m > 12)
		return pcrm__error(PCRM_EINVAL, "%s: expected a month \"YYYY-MM\"", path);
	memset(out, 0, sizeof(*out));
	snprintf(out->text, sizeof(out->text), "%04d-%02d", y, m);
	out->first = (pcrm_date){ y, m, 1 };
	out->last = (pcrm_date){ y, m, pcrm_days_in_month(y, m) };
	memset(&c, 0, sizeof(c));
	c.year = y;
	c.month = m;
	c.day = 1;
	if (pcrm_time_from_civil(&c, ctx->utc_offset, &out->from) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: month out of range", path);
	c.year = m == 12 ? y + 1 : y;
	c.month = m == 12 ? 1 : m + 1;
	if (pcrm_time_from_civil(&c, ctx->utc_offset, &out->to) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "%s: month out of range", path);
	return PCRM_OK;
}

/* ---- readings of a batch's accounts ---- */

int pcrm__usage_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pcrm__account_usage *)a)->account_no,
	              ((const struct pcrm__account_usage *)b)->account_no);
}

/* The key is the account number itself: copying it into a struct per lookup cost a snprintf. */
static int usage_key_cmp(const void *key, const void *usage)
{
	return strcmp(key, ((const struct pcrm__account_usage *)usage)->account_no);
}

struct pcrm__account_usage *pcrm__usage_find(struct pcrm__account_usage *usages, size_t n,
                                             const char *account_no)
{
	return bsearch(account_no, usages, n, sizeof(*usages), usage_key_cmp);
}

static int add_reading(struct pcrm__account_usage *u, const char *reg_name, const char *energy)
{
	pcrm_register reg;
	pcrm_decimal e;
	int rc = pcrm_register_parse(reg_name, &reg);

	if (rc == PCRM_OK)
		rc = pcrm_decimal_parse(energy, &e);
	if (rc != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "account \"%s\": stored reading is malformed",
		                   u->account_no);
	if (!(u->present & PCRM_REGISTER_BIT(reg)))
		u->reg[reg] = e;
	else if (reg == PCRM_REGISTER_MAX_DEMAND)
		u->reg[reg] = pcrm_decimal_cmp(e, u->reg[reg]) > 0 ? e : u->reg[reg];
	else if ((rc = pcrm_decimal_add(u->reg[reg], e, &u->reg[reg])) != PCRM_OK)
		return pcrm__error(rc, "account \"%s\": the %s energy of the month does not fit",
		                   u->account_no, reg_name);
	u->present |= PCRM_REGISTER_BIT(reg);
	return PCRM_OK;
}

/*
 * The month's readings of the batch's accounts, named in one parameter:
 * index probes of meter_reading_by_account, whose account is the metering
 * point's (migration 13 keeps the copy).  Until this change the query read
 * the range from the batch's first account to its last, which also holds
 * accounts the batch does not bill: another subtree's whose numbers
 * interleave, accounts billed already (a catch-up run, a second run at
 * once), closed ones.  Their readings overflowed the batch (the run failed
 * with PCRM_ESTORE) and cost reading them; now the store returns the
 * batch's own readings only, in one query as before.
 */
#define READINGS_SQL(in_keys)                                                                \
	"SELECT account_no, reg, energy FROM meter_reading WHERE account_no" in_keys              \
	" AND read_at > $2 AND read_at <= $3 ORDER BY account_no"

static int load_readings(pcrm_ctx *ctx, const char *accounts, const struct pcrm__month *month,
                         struct pcrm__account_usage *out, size_t cap, size_t *count)
{
	pcrm_sql_value p[3] = { PCRM_SQL_S(accounts), PCRM_SQL_I(month->from),
		                PCRM_SQL_I(month->to) };
	pcrm_rows *rows = NULL;
	size_t n = 0;
	int rc = pcrm__store_query(ctx->store,
	                           pcrm__billing_pg(ctx) ? READINGS_SQL(PCRM__SQL_IN_KEYS_PG("$1")) :
	                                                   READINGS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")),
	                           p, 3, &rows);

	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		const char *acct = pcrm__rows_text(rows, 0);
		if (n == 0 || strcmp(out[n - 1].account_no, acct) != 0) {
			if (n == cap) { /* the store answered for accounts it was not asked about */
				rc = pcrm__error(PCRM_ESTORE, "more accounts with readings than in the batch");
				break;
			}
			memset(&out[n], 0, sizeof(out[n]));
			pcrm__text_copy(out[n].account_no, sizeof(out[n].account_no), acct);
			out[n].ytd_kwh = pcrm_decimal_from_int(0);
			out[n].ytd_amount = pcrm_decimal_from_int(0);
			n++;
		}
		rc = add_reading(&out[n - 1], pcrm__rows_text(rows, 1), pcrm__rows_text(rows, 2));
	}
	pcrm__rows_free(rows);
	*count = n;
	return rc < 0 ? rc : PCRM_OK;
}

/* Energy and charges billed earlier in the year: annual tiers and minimums start from them. */
#define YEAR_TO_DATE_SQL(in_keys)                                                            \
	"SELECT account_no, energy, total FROM bill WHERE account_no" in_keys                     \
	" AND status = 'issued' AND period >= $2 AND period < $3"

int pcrm__year_to_date_read(pcrm_ctx *ctx, const char *accounts, const struct pcrm__month *month,
                            pcrm__ytd_find find, void *arg)
{
	char year_start[8];
	pcrm_sql_value p[3];
	pcrm_rows *rows = NULL;
	int rc;

	snprintf(year_start, sizeof(year_start), "%04d-01", month->first.year);
	p[0] = PCRM_SQL_S(accounts);
	p[1] = PCRM_SQL_S(year_start);
	p[2] = PCRM_SQL_S(month->text);
	rc = pcrm__store_query(ctx->store,
	                       pcrm__billing_pg(ctx) ? YEAR_TO_DATE_SQL(PCRM__SQL_IN_KEYS_PG("$1")) :
	                                               YEAR_TO_DATE_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")),
	                       p, 3, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		const char *account_no = pcrm__rows_text(rows, 0);
		pcrm_decimal *kwh, *amount, e, t;
		if (!find(arg, account_no, &kwh, &amount))
			continue;
		if (pcrm_decimal_parse(pcrm__rows_text(rows, 1), &e) != PCRM_OK ||
		    pcrm_decimal_parse(pcrm__rows_text(rows, 2), &t) != PCRM_OK) {
			rc = pcrm__error(PCRM_ESTORE, "account \"%s\": a stored bill is malformed",
			                 account_no);
			break;
		}
		rc = pcrm_decimal_add(*kwh, e, kwh);
		if (rc == PCRM_OK)
			rc = pcrm_decimal_add(*amount, t, amount);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* The run's usages, sorted, for pcrm__year_to_date_read(). */
struct usages {
	struct pcrm__account_usage *items;
	size_t n;
};

static int usage_ytd(void *arg, const char *account_no, pcrm_decimal **kwh, pcrm_decimal **amount)
{
	const struct usages *us = arg;
	struct pcrm__account_usage *u = pcrm__usage_find(us->items, us->n, account_no);

	if (!u)
		return 0; /* no reading this month: not billed now */
	*kwh = &u->ytd_kwh;
	*amount = &u->ytd_amount;
	return 1;
}

int pcrm__year_to_date_load(pcrm_ctx *ctx, const char *accounts, const struct pcrm__month *month,
                            struct pcrm__account_usage *out, size_t n)
{
	struct usages us = { out, n };

	return pcrm__year_to_date_read(ctx, accounts, month, usage_ytd, &us);
}

static const char *subject_account(const void *subjects, size_t i)
{
	return ((const struct pcrm__bill_subject *)subjects)[i].account_no;
}

int pcrm__usage_load(pcrm_ctx *ctx, const struct pcrm__bill_subject *subjects, size_t n,
                     const struct pcrm__month *month, int year_to_date,
                     struct pcrm__account_usage *out, size_t *count)
{
	char *accounts = NULL;
	int rc = pcrm__store_key_list(subjects, n, subject_account, &accounts);

	*count = 0;
	if (rc == PCRM_OK)
		rc = load_readings(ctx, accounts, month, out, n, count);
	/*
	 * The store's collation orders the rows; C looks them up in byte order.
	 * They usually agree (account numbers of letters and digits), and then
	 * the sort (a merge sort copying the 200-byte items) is skipped.
	 */
	for (size_t i = 1; rc == PCRM_OK && i < *count; i++)
		if (strcmp(out[i - 1].account_no, out[i].account_no) > 0) {
			qsort(out, *count, sizeof(*out), pcrm__usage_cmp);
			break;
		}
	/* No tariff of these bills reads the year's earlier bills: they stay zero, unread. */
	if (rc == PCRM_OK && year_to_date && *count > 0)
		rc = pcrm__year_to_date_load(ctx, accounts, month, out, *count);
	free(accounts);
	return rc;
}

/* ---- usage -> bill ---- */

static const pcrm_register tou_registers[] = {
	PCRM_REGISTER_PEAK, PCRM_REGISTER_FLAT, PCRM_REGISTER_VALLEY, PCRM_REGISTER_CRITICAL_PEAK,
};
#define TOU_COUNT (sizeof(tou_registers) / sizeof(tou_registers[0]))

static int has_period(const pcrm_tariff *t, const char *name)
{
	for (size_t i = 0; i < pcrm_tariff_period_count(t); i++)
		if (strcmp(pcrm_tariff_period_name(t, i), name) == 0)
			return 1;
	return 0;
}

/* Fills the active energy: one total, or each TOU register under the period of its name. */
static int set_energy(const pcrm_tariff *t, const struct pcrm__account_usage *u, pcrm_usage *usage)
{
	unsigned int tou = 0;
	pcrm_decimal sum = pcrm_decimal_from_int(0);
	int rc = PCRM_OK;

	for (size_t i = 0; i < TOU_COUNT; i++)
		if (u->present & PCRM_REGISTER_BIT(tou_registers[i]))
			tou |= PCRM_REGISTER_BIT(tou_registers[i]);
	if (pcrm_tariff_period_count(t) <= 1) {
		if (u->present & PCRM_REGISTER_BIT(PCRM_REGISTER_TOTAL))
			return pcrm_usage_set_total(usage, u->reg[PCRM_REGISTER_TOTAL]);
		for (size_t i = 0; i < TOU_COUNT && rc == PCRM_OK; i++)
			if (tou & PCRM_REGISTER_BIT(tou_registers[i]))
				rc = pcrm_decimal_add(sum, u->reg[tou_registers[i]], &sum);
		return rc == PCRM_OK ? pcrm_usage_set_total(usage, sum) : rc;
	}
	if (!tou)
		return pcrm__error(PCRM_EINVAL,
		                   "tariff \"%s\" bills by time-of-use period, but the account has no "
		                   "time-of-use register readings",
		                   pcrm_tariff_id(t));
	for (size_t i = 0; i < TOU_COUNT && rc == PCRM_OK; i++) {
		const char *name = pcrm_register_name(tou_registers[i]);
		if (!(tou & PCRM_REGISTER_BIT(tou_registers[i])))
			continue;
		if (!has_period(t, name))
			return pcrm__error(PCRM_EINVAL,
			                   "register \"%s\" has no period of that name in tariff \"%s\"",
			                   name, pcrm_tariff_id(t));
		rc = pcrm_usage_set_period(usage, name, u->reg[tou_registers[i]]);
	}
	return rc;
}

/*
 * The days of the month the account was supplied: from supply_start, up to
 * supply_end, so the month of a new connection or a termination bills its
 * basic charge for those days only (1/30 per day, in pcrm_bill_compute()).
 */
static int supplied_days(const pcrm_contract_terms *u, const struct pcrm__month *month,
                         pcrm_date *start, pcrm_date *end)
{
	*start = month->first;
	*end = month->last;
	if (pcrm_date_is_valid(u->supply_start) &&
	    pcrm_date_to_days(u->supply_start) > pcrm_date_to_days(*start))
		*start = u->supply_start;
	if (pcrm_date_is_valid(u->supply_end) &&
	    pcrm_date_to_days(u->supply_end) < pcrm_date_to_days(*end))
		*end = u->supply_end;
	if (pcrm_date_to_days(*start) > pcrm_date_to_days(*end))
		return pcrm__error(PCRM_EINVAL, "supply_start / supply_end: the account is not "
		                   "supplied in %s, yet has readings in it", month->text);
	return PCRM_OK;
}

int pcrm__bill_compute_for(const pcrm_tariff *tariff, const struct pcrm__bill_subject *s,
                           const struct pcrm__account_usage *u, const struct pcrm__month *month,
                           pcrm_bill **out)
{
	pcrm_bill_customer cust = PCRM_BILL_CUSTOMER_INIT;
	/*
	 * On the stack, zeroed as pcrm_usage_new() zeroes it: a 1.6 KB calloc()
	 * and free() per bill were 4 % of a billing run's client instructions.
	 */
	struct pcrm_usage usage_store;
	pcrm_usage *usage = &usage_store;
	pcrm_date start, end;
	int rc = PCRM_OK;

	memset(&usage_store, 0, sizeof(usage_store));
	*out = NULL;
	if (rc == PCRM_OK)
		rc = set_energy(tariff, u, usage);
	if (rc == PCRM_OK && (u->present & PCRM_REGISTER_BIT(PCRM_REGISTER_REACTIVE)))
		rc = pcrm_usage_set_reactive(usage, u->reg[PCRM_REGISTER_REACTIVE]);
	if (rc == PCRM_OK && (u->present & PCRM_REGISTER_BIT(PCRM_REGISTER_MAX_DEMAND)))
		rc = pcrm_usage_set_max_demand(usage, u->reg[PCRM_REGISTER_MAX_DEMAND]);
	for (int i = 0; rc == PCRM_OK && i < PCRM__PRIOR_MONTHS; i++) /* for a ratchet */
		if (u->prior_mask & (UINT64_C(1) << i))
			rc = pcrm_usage_set_prior_demand(usage, i + 1, NULL, u->prior_demand[i]);
	cust.usage_class = s->usage_class;
	cust.household_size = s->household_size;
	cust.low_income = s->low_income;
	cust.ytd_kwh = u->ytd_kwh;
	cust.ytd_amount = u->ytd_amount;
	cust.year_end = month->first.month == 12;
	cust.contract_capacity_kva = s->terms.contract_capacity_kva;
	cust.contract_demand_kw = s->terms.contract_demand_kw;
	cust.pf_standard = s->terms.pf_standard;
	cust.basic_mode = (pcrm_basic_mode)s->terms.basic_mode;
	if (rc == PCRM_OK)
		rc = supplied_days(&s->terms, month, &start, &end);
	if (rc == PCRM_OK)
		rc = pcrm_bill_compute(tariff, &cust, start, end, usage, NULL, out);
	if (rc != PCRM_OK && rc != PCRM_ENOMEM)
		pcrm__error_prefix("account \"%s\"", s->account_no);
	free(usage_store.intervals); /* none from readings; what pcrm_usage_free() frees besides */
	free(usage_store.prior);
	return rc;
}
