/*
 * The installation row that meters and readings work on: finding the
 * newest one of a metering point or meter, locking it, its registers.
 */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

#define SELECT_INSTALLATION                                                                   \
	"SELECT c.customer_no, c.org_unit, c.status, i.id, i.mp_no, i.meter_no, i.multiplier, " \
	"i.digits, i.installed_at, i.removed_at "                                               \
	"FROM meter_installation i JOIN customer c ON c.customer_no = i.customer_no "

static int installation_from_row(pcrm_rows *rows, struct pcrm__installation *out)
{
	memset(out, 0, sizeof(*out));
	pcrm__owner_from_row(rows, 0, &out->owner);
	out->id = pcrm__rows_int(rows, 3);
	snprintf(out->mp_no, sizeof(out->mp_no), "%s", pcrm__rows_text(rows, 4));
	snprintf(out->meter_no, sizeof(out->meter_no), "%s", pcrm__rows_text(rows, 5));
	out->digits = (int)pcrm__rows_int(rows, 7);
	out->installed_at = pcrm__rows_int(rows, 8);
	out->in_service = pcrm__rows_is_null(rows, 9);
	out->removed_at = out->in_service ? 0 : pcrm__rows_int(rows, 9);
	return pcrm__decimal_load(pcrm__rows_text(rows, 6), &out->multiplier);
}

int pcrm__installation_latest(pcrm_ctx *ctx, int by_meter, const char *key,
                              struct pcrm__installation *out, int *found)
{
	/* newest first; the id breaks a tie between a removal and a reinstallation at one instant */
	static const char by_mp_sql[] =
		SELECT_INSTALLATION "WHERE i.mp_no = $1 ORDER BY i.installed_at DESC, i.id DESC LIMIT 1";
	static const char by_meter_sql[] =
		SELECT_INSTALLATION "WHERE i.meter_no = $1 ORDER BY i.installed_at DESC, i.id DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(key) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, by_meter ? by_meter_sql : by_mp_sql, p, 1, &rows);
	*found = 0;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		*found = 1;
		rc = installation_from_row(rows, out);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm__point_owner(pcrm_ctx *ctx, const char *mp_no, struct pcrm__owner *owner, int *active)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(mp_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT c.customer_no, c.org_unit, c.status, m.status "
	                           "FROM metering_point m JOIN customer c "
	                           "ON c.customer_no = m.customer_no WHERE m.mp_no = $1",
	                           p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		pcrm__owner_from_row(rows, 0, owner);
		*active = strcmp(pcrm__rows_text(rows, 3), "active") == 0;
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "metering point \"%s\" does not exist", mp_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/*
 * The first write of every reading and removal: its row lock makes a
 * second writer of the same installation wait until the first commits
 * (PostgreSQL; SQLite has one writer anyway), and then the second reads the
 * registers as the first left them.
 */
int pcrm__installation_lock(pcrm_ctx *ctx, const struct pcrm__installation *inst)
{
	pcrm_sql_value p[1] = { PCRM_SQL_I(inst->id) };
	int64_t changes = 0;
	int rc = pcrm__store_exec(ctx->store,
	                          "UPDATE meter_installation SET version = version + 1 "
	                          "WHERE id = $1 AND removed_at IS NULL",
	                          p, 1, &changes);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ESTATE, "meter \"%s\" was removed from metering point \"%s\" meanwhile",
		                 inst->meter_no, inst->mp_no);
	return rc;
}

int pcrm__register_states(pcrm_ctx *ctx, int64_t installation_id,
                          struct pcrm__register_state states[PCRM__REG_SLOTS],
                          unsigned int *registers)
{
	pcrm_sql_value p[1] = { PCRM_SQL_I(installation_id) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT reg, last_value, last_read_at, last_seq FROM meter_register "
	                           "WHERE installation_id = $1",
	                           p, 1, &rows);
	*registers = 0;
	memset(states, 0, PCRM__REG_SLOTS * sizeof(*states));
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm_register reg;
		if (pcrm_register_parse(pcrm__rows_text(rows, 0), &reg) != PCRM_OK) {
			rc = pcrm__error(PCRM_ESTORE, "stored register \"%.32s\" is unknown",
			                 pcrm__rows_text(rows, 0));
			break;
		}
		states[reg].reg = reg;
		states[reg].last_read_at = pcrm__rows_int(rows, 2);
		states[reg].last_seq = pcrm__rows_int(rows, 3);
		rc = pcrm__decimal_load(pcrm__rows_text(rows, 1), &states[reg].last_value);
		*registers |= PCRM_REGISTER_BIT(reg);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}
