/*
 * The tier positions of many customers at once, for a tier-warning
 * campaign over a city's or a province's residential customers
 * (docs/outbound.md, "Tier-threshold warnings").
 *
 * Each position is the one pcrm_tier_position_get() gives (the rule is
 * described there) and comes from the same pieces: the newest issued bill
 * up to the month names the account and the tariff, the run's own
 * year-to-date query (pcrm__year_to_date_read()) gives the energy, the
 * version in effect is chosen for the customer's unit as a run chooses it,
 * and pcrm__tier_position_apply() applies the tariff's thresholds, the
 * function the bill splits its energy with.  Only the shape differs: one
 * query for the customers and their newest bills, one year-to-date query
 * for all their accounts, and each tariff loaded once per version seen,
 * instead of some five keyed reads per customer.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text.h"
#include "core/vec.h"
#include "store/store.h"
#include "tariff/tariff_internal.h"

/* A tariff version named by the customers' newest bills, loaded once. */
struct tariff_slot {
	char id[PCRM__BILL_CODE_MAX + 1];
	int64_t version;
	struct pcrm__tariff_choice *choices; /* the versions in effect on `on`, or */
	size_t n;
	pcrm_tariff *fallback; /* when none is: the version the bills used */
};

/* One customer as the subjects query reads it (one block with its strings). */
struct subject {
	const char *customer_no;
	const char *account_no; /* of the newest bill; NULL: no bill (or not residential) */
	const char *org_path;
	int household_size;
	int residential;
	size_t tariff; /* index into the slots when account_no is set */
	pcrm_decimal ytd_kwh, ytd_amount;
};

struct positions {
	pcrm_ctx *ctx;
	struct pcrm__vec subjects;   /* of struct subject, in the store's customer order */
	struct subject **by_account; /* the subjects with a bill, by account number */
	size_t accounts;
	struct pcrm__vec slots; /* of struct tariff_slot */
};

/*
 * The customers, each with its newest issued bill up to the month: the
 * subquery is pcrm_tier_position_get()'s own choice (period, then account
 * number; an account has one issued bill per period), the bill number
 * being unique.  On PostgreSQL the keys are a bounded semi-join: a target
 * is most of the customer table, which the planner then scans, and = ANY
 * would compare every row with every key (50,000 x 50,000).
 */
#define SUBJECTS_SQL(keys_condition)                                                                \
	"SELECT c.customer_no, c.usage_class, c.household_size, o.path, b.account_no, "            \
	"b.tariff_id, b.tariff_version FROM customer c JOIN org_unit o ON o.code = c.org_unit "   \
	"LEFT JOIN bill b ON b.bill_no = (SELECT n.bill_no FROM bill n "                          \
	"WHERE n.customer_no = c.customer_no AND n.status = 'issued' AND n.period <= $2 "         \
	"ORDER BY n.period DESC, n.account_no LIMIT 1) "                                          \
	"WHERE " keys_condition " ORDER BY c.customer_no"

static int slot_for(struct positions *ps, const char *id, int64_t version, size_t *out)
{
	struct tariff_slot *s;
	int rc;

	/* a handful of tariffs per province: a linear search */
	for (size_t i = 0; i < ps->slots.count; i++) {
		s = ps->slots.items[i];
		if (s->version == version && strcmp(s->id, id) == 0) {
			*out = i;
			return PCRM_OK;
		}
	}
	if (!(s = calloc(1, sizeof(*s))))
		return pcrm__error_oom();
	pcrm__text_copy(s->id, sizeof(s->id), id);
	s->version = version;
	*out = ps->slots.count;
	if ((rc = pcrm__vec_push(&ps->slots, s)) != PCRM_OK)
		free(s);
	return rc;
}

static int add_subject(struct positions *ps, pcrm_rows *rows)
{
	static const size_t offsets[3] = { offsetof(struct subject, customer_no),
		                           offsetof(struct subject, org_path),
		                           offsetof(struct subject, account_no) };
	const char *usage_class = pcrm__rows_is_null(rows, 1) ? "" : pcrm__rows_text(rows, 1);
	int residential = strcmp(usage_class, "residential") == 0;
	/* a bill matters to a residential customer only, as in pcrm_tier_position_get() */
	int billed = residential && !pcrm__rows_is_null(rows, 4);
	const char *src[3] = { pcrm__rows_text(rows, 0), pcrm__rows_text(rows, 3),
		               billed ? pcrm__rows_text(rows, 4) : NULL };
	struct subject *s = pcrm__block_new(sizeof(*s), src, offsets, 3);
	int rc = s ? PCRM_OK : pcrm__error_oom();

	if (rc == PCRM_OK) {
		s->household_size = (int)pcrm__rows_int(rows, 2);
		s->residential = residential;
		s->ytd_kwh = s->ytd_amount = pcrm_decimal_from_int(0);
		if (billed)
			rc = slot_for(ps, pcrm__rows_text(rows, 5), pcrm__rows_int(rows, 6), &s->tariff);
	}
	if (rc == PCRM_OK)
		rc = pcrm__vec_push(&ps->subjects, s);
	if (rc != PCRM_OK)
		free(s);
	return rc;
}

static const char *customer_key(const void *items, size_t i)
{
	return ((const char *const *)items)[i];
}

static int load_subjects(struct positions *ps, const char *const *customers, size_t n,
                         const struct pcrm__month *month)
{
	char *keys = NULL;
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_key_list(customers, n, customer_key, &keys);

	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_S(keys), PCRM_SQL_S(month->text) };
		rc = pcrm__store_query(ps->ctx->store,
		                       pcrm__billing_pg(ps->ctx) ?
		                               SUBJECTS_SQL(PCRM__SQL_IN_KEYS_BOUNDED_PG("c.customer_no",
		                                                                         "$1")) :
		                               SUBJECTS_SQL("c.customer_no"
		                                            PCRM__SQL_IN_KEYS_SQLITE("$1")),
		                       p, 2, &rows);
	}
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1)
		rc = add_subject(ps, rows);
	pcrm__rows_free(rows);
	free(keys);
	return rc < 0 ? rc : PCRM_OK;
}

/* As pcrm_tier_position_get()'s load_tariff(), once per slot instead of per customer. */
static int load_tariffs(struct positions *ps, pcrm_date on)
{
	int rc = PCRM_OK;

	for (size_t i = 0; rc == PCRM_OK && i < ps->slots.count; i++) {
		struct tariff_slot *s = ps->slots.items[i];

		rc = pcrm__tariff_fetch_choices(ps->ctx, s->id, on, &s->choices, &s->n);
		if (rc == PCRM_ENOTFOUND)
			rc = pcrm__tariff_fetch(ps->ctx, s->id, s->version, on, &s->fallback);
	}
	return rc;
}

static int by_account_cmp(const void *a, const void *b)
{
	return strcmp((*(struct subject *const *)a)->account_no,
	              (*(struct subject *const *)b)->account_no);
}

static int ytd_find(void *arg, const char *account_no, pcrm_decimal **kwh, pcrm_decimal **amount)
{
	struct positions *ps = arg;
	struct subject key = { .account_no = account_no }, *k = &key, **hit;

	hit = bsearch(&k, ps->by_account, ps->accounts, sizeof(*ps->by_account), by_account_cmp);
	if (!hit)
		return 0;
	*kwh = &(*hit)->ytd_kwh;
	*amount = &(*hit)->ytd_amount;
	return 1;
}

static const char *subject_account(const void *items, size_t i)
{
	return ((struct subject *const *)items)[i]->account_no;
}

/* The year's energy of every account with a bill: the run's query, once. */
static int load_year_to_date(struct positions *ps, const struct pcrm__month *month)
{
	char *accounts = NULL;
	int rc;

	ps->by_account = malloc((ps->subjects.count ? ps->subjects.count : 1) *
	                        sizeof(*ps->by_account));
	if (!ps->by_account)
		return pcrm__error_oom();
	for (size_t i = 0; i < ps->subjects.count; i++) {
		struct subject *s = ps->subjects.items[i];
		if (s->account_no)
			ps->by_account[ps->accounts++] = s;
	}
	if (ps->accounts == 0)
		return PCRM_OK;
	qsort(ps->by_account, ps->accounts, sizeof(*ps->by_account), by_account_cmp);
	rc = pcrm__store_key_list(ps->by_account, ps->accounts, subject_account, &accounts);
	if (rc == PCRM_OK)
		rc = pcrm__year_to_date_read(ps->ctx, accounts, month, ytd_find, ps);
	free(accounts);
	return rc;
}

static int position_of(const struct positions *ps, const struct subject *s, pcrm_date on,
                       pcrm_tier_position *p)
{
	const struct tariff_slot *slot;
	int rc;

	pcrm__tier_position_start(p, PCRM_TIER_POSITION_VERSION, on);
	if (!s->residential) {
		p->status = PCRM_TIER_NOT_RESIDENTIAL;
		return PCRM_OK;
	}
	if (!s->account_no) {
		p->status = PCRM_TIER_NO_BILL;
		return PCRM_OK;
	}
	slot = ps->slots.items[s->tariff];
	rc = pcrm__tier_position_apply(slot->fallback ? slot->fallback :
	                                                pcrm__tariff_choose(slot->choices, slot->n,
	                                                                    s->org_path),
	                               s->household_size, on, s->ytd_kwh, p);
	if (rc == PCRM_OK)
		pcrm__text_copy(p->account_no, sizeof(p->account_no), s->account_no);
	return rc;
}

static void positions_clear(struct positions *ps)
{
	for (size_t i = 0; i < ps->slots.count; i++) {
		struct tariff_slot *s = ps->slots.items[i];
		pcrm__tariff_choices_free(s->choices, s->n);
		pcrm_tariff_free(s->fallback);
	}
	pcrm__vec_free(&ps->slots);
	pcrm__vec_free(&ps->subjects);
	free(ps->by_account);
}

int pcrm__tier_positions_each(pcrm_ctx *ctx, const char *const *customers, size_t n, pcrm_date on,
                              pcrm__tier_position_fn each, void *arg)
{
	struct positions ps;
	struct pcrm__month month;
	pcrm_tier_position p;
	int rc = pcrm__tier_month(ctx, on, &month);

	memset(&ps, 0, sizeof(ps));
	ps.ctx = ctx;
	if (rc == PCRM_OK && n > 0)
		rc = load_subjects(&ps, customers, n, &month);
	if (rc == PCRM_OK)
		rc = load_tariffs(&ps, on);
	if (rc == PCRM_OK)
		rc = load_year_to_date(&ps, &month);
	for (size_t i = 0; rc == PCRM_OK && i < ps.subjects.count; i++) {
		const struct subject *s = ps.subjects.items[i];
		rc = position_of(&ps, s, on, &p);
		if (rc == PCRM_OK)
			rc = each(arg, s->customer_no, &p);
	}
	positions_clear(&ps);
	return rc;
}
