/*
 * Reading back: the readings of a meter over a period, and the energy of a
 * metering point over a period (what billing asks for).
 *
 * Periods are (from, to]: a reading reports the consumption up to its
 * instant, so the reading taken exactly at `to` belongs to the period and
 * the one at `from` to the period before.  Energies are summed in C with
 * exact decimals, never in SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "metering_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

struct pcrm_reading_list {
	pcrm_reading *items;
	size_t count;
};

size_t pcrm_reading_list_count(const pcrm_reading_list *list)
{
	return list ? list->count : 0;
}

const pcrm_reading *pcrm_reading_list_at(const pcrm_reading_list *list, size_t i)
{
	return list && i < list->count ? &list->items[i] : NULL;
}

void pcrm_reading_list_free(pcrm_reading_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

static int check_period(const pcrm_actor *actor, const char *name, const char *key,
                        pcrm_register reg, pcrm_time from, pcrm_time to)
{
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg(name, key);
	if (rc == PCRM_OK && !pcrm_register_name(reg))
		rc = pcrm__error(PCRM_EINVAL, "register: %d is not a pcrm_register", (int)reg);
	if (rc == PCRM_OK && to < from)
		rc = pcrm__error(PCRM_EINVAL, "to: %lld is before from %lld", (long long)to,
		                 (long long)from);
	return rc;
}

/* Columns: reg, read_at, value, previous, previous_at, multiplier, energy, flags, recorded_at. */
static int reading_from_row(pcrm_rows *rows, pcrm_reading *r)
{
	r->version = PCRM_READING_VERSION;
	int rc = pcrm_register_parse(pcrm__rows_text(rows, 0), &r->reg);
	if (rc != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "stored reading has an unknown register");
	r->read_at = pcrm__rows_int(rows, 1);
	r->previous_at = pcrm__rows_int(rows, 4);
	r->flags = (unsigned int)pcrm__rows_int(rows, 7);
	r->recorded_at = pcrm__rows_int(rows, 8);
	rc = pcrm__decimal_load(pcrm__rows_text(rows, 2), &r->value);
	if (rc == PCRM_OK)
		rc = pcrm__decimal_load(pcrm__rows_text(rows, 3), &r->previous);
	if (rc == PCRM_OK)
		rc = pcrm__decimal_load(pcrm__rows_text(rows, 5), &r->multiplier);
	if (rc == PCRM_OK)
		rc = pcrm__decimal_load(pcrm__rows_text(rows, 6), &r->energy);
	return rc;
}

static int read_all(pcrm_rows *rows, pcrm_reading_list *list)
{
	size_t cap = 0;
	int rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			pcrm_reading *n = realloc(list->items, ncap * sizeof(*n));
			if (!n)
				return pcrm__error_oom();
			list->items = n;
			cap = ncap;
		}
		memset(&list->items[list->count], 0, sizeof(list->items[0]));
		rc = reading_from_row(rows, &list->items[list->count]);
		if (rc != PCRM_OK)
			return rc;
		list->count++;
	}
	return rc;
}

/*
 * The meter may have served other customers before: only readings of
 * installations inside the actor's subtree (`scope`) are listed.
 */
static int query_readings(pcrm_ctx *ctx, const char *meter_no, pcrm_register reg, pcrm_time from,
                          pcrm_time to, const char *scope, pcrm_reading_list **out)
{
	static const char sql[] =
		"SELECT r.reg, r.read_at, r.value, r.previous, r.previous_at, r.multiplier, r.energy, "
		"r.flags, r.recorded_at "
		"FROM meter_reading r JOIN customer c ON c.customer_no = r.customer_no "
		"JOIN org_unit o ON o.code = c.org_unit "
		"WHERE r.meter_no = $1 AND r.reg = $2 AND r.read_at > $3 AND r.read_at <= $4 "
		"AND substr(o.path, 1, length($5)) = $5 "
		"ORDER BY r.read_at, r.installation_id";
	pcrm_reading_list *list = calloc(1, sizeof(*list));
	pcrm_sql_value p[5];
	pcrm_rows *rows;
	int rc;

	if (!list)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(meter_no);
	p[1] = PCRM_SQL_S(pcrm_register_name(reg));
	p[2] = PCRM_SQL_I(from);
	p[3] = PCRM_SQL_I(to);
	p[4] = PCRM_SQL_S(scope);
	rc = pcrm__store_query(ctx->store, sql, p, 5, &rows);
	if (rc == PCRM_OK) {
		rc = read_all(rows, list);
		pcrm__rows_free(rows);
	}
	if (rc < 0) {
		pcrm_reading_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm_reading_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *meter_no,
                           pcrm_register reg, pcrm_time from, pcrm_time to,
                           pcrm_reading_list **out)
{
	struct pcrm__installation inst;
	char *scope = NULL;
	int found = 0, rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_period(actor, "meter_no", meter_no, reg, from, to);
	if (rc == PCRM_OK)
		rc = pcrm__installation_latest(ctx, 1, meter_no, &inst, &found);
	if (rc == PCRM_OK && !found)
		rc = pcrm__error(PCRM_ENOTFOUND, "meter \"%s\" was never installed", meter_no);
	/* denied (and audited) when the meter now serves a customer outside the actor's subtree */
	rc = pcrm__owner_authorize(ctx, actor, rc, &inst.owner, PCRM_PERM_ARCHIVE_READ);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL, &scope);
	if (rc == PCRM_OK)
		rc = query_readings(ctx, meter_no, reg, from, to, scope, out);
	free(scope);
	return rc;
}

/* Cumulative registers add up; the demand register keeps the largest demand. */
static int accumulate(pcrm_register reg, pcrm_decimal energy, pcrm_decimal *total)
{
	if (reg != PCRM_REGISTER_MAX_DEMAND)
		return pcrm_decimal_add(*total, energy, total);
	if (pcrm_decimal_cmp(energy, *total) > 0)
		*total = energy;
	return PCRM_OK;
}

int pcrm_metering_point_energy(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                               pcrm_register reg, pcrm_time from, pcrm_time to, pcrm_decimal *out)
{
	static const char sql[] =
		"SELECT energy FROM meter_reading "
		"WHERE mp_no = $1 AND reg = $2 AND read_at > $3 AND read_at <= $4";
	struct pcrm__owner owner;
	pcrm_decimal total = pcrm_decimal_from_int(0), energy;
	pcrm_sql_value p[4];
	pcrm_rows *rows = NULL;
	int active, rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	rc = check_period(actor, "mp_no", mp_no, reg, from, to);
	if (rc == PCRM_OK)
		rc = pcrm__point_owner(ctx, mp_no, &owner, &active);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ);
	p[0] = PCRM_SQL_S(mp_no);
	p[1] = PCRM_SQL_S(pcrm_register_name(reg));
	p[2] = PCRM_SQL_I(from);
	p[3] = PCRM_SQL_I(to);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 4, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = pcrm__decimal_load(pcrm__rows_text(rows, 0), &energy);
		if (rc == PCRM_OK && (rc = accumulate(reg, energy, &total)) != PCRM_OK)
			pcrm__error_prefix("energy of metering point \"%s\"", mp_no);
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	*out = total;
	return PCRM_OK;
}
