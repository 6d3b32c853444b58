/*
 * Recording meter readings: checked against the register's previous
 * reading, energy computed exactly, stored with what it was measured
 * against.
 *
 *   cumulative:  energy = (value - previous) x multiplier
 *   rollover:    energy = (10^digits - previous + value) x multiplier
 *   max demand:  energy = value x multiplier (the demand itself; nothing subtracted)
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "metering_internal.h"
#include "store/store.h"

static int time_order(pcrm_ctx *ctx, const struct pcrm__register_state *state, pcrm_time read_at,
                      unsigned int flags)
{
	char when[40], before[40];
	if (read_at > state->last_read_at)
		return PCRM_OK;
	pcrm__time_text(ctx, read_at, when);
	pcrm__time_text(ctx, state->last_read_at, before);
	return pcrm__error(PCRM_EINVAL, "%s: %s is not after the %s at %s",
	                   flags & PCRM_READING_FINAL ? "removed_at" : "read_at", when,
	                   state->last_seq == 0 ? "installation" : "previous reading", before);
}

/* The difference a cumulative register counted since its previous reading. */
static int counted(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                   const struct pcrm__register_state *state, const char *path, pcrm_decimal value,
                   unsigned int flags, pcrm_decimal *out)
{
	char v[PCRM_DECIMAL_STRING_MAX], prev[PCRM_DECIMAL_STRING_MAX], when[40];
	int below = pcrm_decimal_cmp(value, state->last_value) < 0;
	pcrm_decimal wrapped;
	int rc;

	pcrm__decimal_text(value, v);
	pcrm__decimal_text(state->last_value, prev);
	if (below && !(flags & PCRM_READING_ROLLOVER)) {
		pcrm__time_text(ctx, state->last_read_at, when);
		return pcrm__error(PCRM_EINVAL, "%s: the %s reading %s is below the previous reading %s "
		                                "(%s)%s",
		                   path, pcrm_register_name(state->reg), v, prev, when,
		                   flags & PCRM_READING_FINAL ? "" :
		                                                "; flag a rollover or replace the meter");
	}
	if (!below && (flags & PCRM_READING_ROLLOVER))
		return pcrm__error(PCRM_EINVAL, "flags: a rollover needs a reading below the previous "
		                                "one, but the %s reading %s is not below %s",
		                   pcrm_register_name(state->reg), v, prev);
	if (!below)
		return pcrm_decimal_sub(value, state->last_value, out);
	/* the display passed 10^digits - 1 and started again at zero */
	rc = pcrm_decimal_sub(pcrm_decimal_from_int(pcrm__pow10(inst->digits)), state->last_value,
	                      &wrapped);
	return rc == PCRM_OK ? pcrm_decimal_add(wrapped, value, out) : rc;
}

int pcrm__reading_compute(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                          const struct pcrm__register_state *state, const char *path,
                          pcrm_decimal value, pcrm_time read_at, unsigned int flags,
                          pcrm_reading *out)
{
	pcrm_decimal diff;
	int rc = pcrm__reading_value_check(path, value, inst->digits);
	if (rc == PCRM_OK)
		rc = time_order(ctx, state, read_at, flags);
	if (rc != PCRM_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->reg = state->reg;
	out->read_at = read_at;
	out->value = value;
	out->previous = state->last_value;
	out->previous_at = state->last_read_at;
	out->multiplier = inst->multiplier;
	out->flags = flags;
	out->recorded_at = pcrm_ctx_now(ctx);
	if (state->reg == PCRM_REGISTER_MAX_DEMAND) {
		if (flags & PCRM_READING_ROLLOVER)
			return pcrm__error(PCRM_EINVAL, "flags: the max_demand register does not roll over");
		diff = value;
	} else {
		rc = counted(ctx, inst, state, path, value, flags, &diff);
	}
	if (rc == PCRM_OK)
		rc = pcrm_decimal_mul(diff, inst->multiplier, &out->energy);
	if (rc != PCRM_OK)
		pcrm__error_prefix("%s: energy of meter \"%s\"", path, inst->meter_no);
	return rc;
}

int pcrm__reading_store(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                        const struct pcrm__register_state *state, const pcrm_reading *r)
{
	static const char advance[] =
		"UPDATE meter_register SET last_value = $1, last_read_at = $2, last_seq = $3 "
		"WHERE installation_id = $4 AND reg = $5 AND last_seq = $6";
	static const char insert[] =
		"INSERT INTO meter_reading (customer_no, installation_id, reg, seq, mp_no, meter_no, "
		"read_at, value, previous, previous_at, multiplier, energy, flags, recorded_at, "
		"account_no) "
		/* the point's account, so a billing run finds the reading by account (migration 13) */
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
		"(SELECT account_no FROM metering_point WHERE mp_no = $5))";
	char value[PCRM_DECIMAL_STRING_MAX], previous[PCRM_DECIMAL_STRING_MAX];
	char multiplier[PCRM_DECIMAL_STRING_MAX], energy[PCRM_DECIMAL_STRING_MAX];
	const char *reg = pcrm_register_name(r->reg);
	int64_t changes = 0;
	pcrm_sql_value p[14];
	int rc;

	pcrm__decimal_text(r->value, value);
	pcrm__decimal_text(r->previous, previous);
	pcrm__decimal_text(r->multiplier, multiplier);
	pcrm__decimal_text(r->energy, energy);
	p[0] = PCRM_SQL_S(value);
	p[1] = PCRM_SQL_I(r->read_at);
	p[2] = PCRM_SQL_I(state->last_seq + 1);
	p[3] = PCRM_SQL_I(inst->id);
	p[4] = PCRM_SQL_S(reg);
	p[5] = PCRM_SQL_I(state->last_seq);
	/* the installation lock makes this certain; the seq check keeps it true without one */
	rc = pcrm__store_exec(ctx->store, advance, p, 6, &changes);
	if (rc == PCRM_OK && changes != 1)
		return pcrm__error(PCRM_ECONFLICT, "meter \"%s\" %s register changed concurrently; retry",
		                   inst->meter_no, reg);
	if (rc != PCRM_OK)
		return rc;
	p[0] = PCRM_SQL_S(inst->owner.customer_no);
	p[1] = PCRM_SQL_I(inst->id);
	p[2] = PCRM_SQL_S(reg);
	p[3] = PCRM_SQL_I(state->last_seq + 1);
	p[4] = PCRM_SQL_S(inst->mp_no);
	p[5] = PCRM_SQL_S(inst->meter_no);
	p[6] = PCRM_SQL_I(r->read_at);
	p[7] = PCRM_SQL_S(value);
	p[8] = PCRM_SQL_S(previous);
	p[9] = PCRM_SQL_I(r->previous_at);
	p[10] = PCRM_SQL_S(multiplier);
	p[11] = PCRM_SQL_S(energy);
	p[12] = PCRM_SQL_I(r->flags);
	p[13] = PCRM_SQL_I(r->recorded_at);
	return pcrm__store_exec(ctx->store, insert, p, 14, NULL);
}

json_t *pcrm__reading_summary(const pcrm_reading *r)
{
	char value[PCRM_DECIMAL_STRING_MAX], previous[PCRM_DECIMAL_STRING_MAX];
	char energy[PCRM_DECIMAL_STRING_MAX];
	pcrm__decimal_text(r->value, value);
	pcrm__decimal_text(r->previous, previous);
	pcrm__decimal_text(r->energy, energy);
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:b}", "register", pcrm_register_name(r->reg),
	                 "read_at", (json_int_t)r->read_at, "value", value, "previous", previous,
	                 "energy", energy, "rollover", (r->flags & PCRM_READING_ROLLOVER) != 0);
}

/* Inside the transaction: lock, read the register as the last writer left it, check, store. */
static int record_locked(pcrm_ctx *ctx, const pcrm_actor *actor,
                         const struct pcrm__installation *inst, pcrm_register reg,
                         pcrm_decimal value, pcrm_time read_at, unsigned int flags,
                         pcrm_reading *out)
{
	struct pcrm__register_state states[PCRM__REG_SLOTS];
	unsigned int registers = 0;
	json_t *summary;
	int rc = pcrm__installation_lock(ctx, inst);
	if (rc == PCRM_OK)
		rc = pcrm__register_states(ctx, inst->id, states, &registers);
	if (rc == PCRM_OK && !(registers & PCRM_REGISTER_BIT(reg)))
		rc = pcrm__error(PCRM_EINVAL, "register: meter \"%s\" has no %s register", inst->meter_no,
		                 pcrm_register_name(reg));
	if (rc == PCRM_OK)
		rc = pcrm__reading_compute(ctx, inst, &states[reg], "value", value, read_at, flags, out);
	if (rc == PCRM_OK)
		rc = pcrm__reading_store(ctx, inst, &states[reg], out);
	if (rc != PCRM_OK)
		return rc;
	summary = pcrm__reading_summary(out);
	json_object_set_new(summary, "mp_no", json_string(inst->mp_no));
	rc = pcrm__audit_append(ctx, actor, "meter.reading", "meter", inst->meter_no, summary);
	json_decref(summary);
	return rc;
}

/* What can be refused before anything is read from the store. */
static int check_args(pcrm_ctx *ctx, const pcrm_actor *actor, const char *meter_no,
                      pcrm_register reg, pcrm_decimal value, pcrm_time read_at, unsigned int flags)
{
	char when[40];
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("meter_no", meter_no);
	if (rc == PCRM_OK && !pcrm_register_name(reg))
		rc = pcrm__error(PCRM_EINVAL, "register: %d is not a pcrm_register", (int)reg);
	if (rc == PCRM_OK && (flags & ~PCRM_READING_ROLLOVER))
		rc = pcrm__error(PCRM_EINVAL, "flags: unknown bits 0x%x (only PCRM_READING_ROLLOVER)",
		                 flags & ~PCRM_READING_ROLLOVER);
	/* the display size is known later; this refuses what no display shows */
	if (rc == PCRM_OK)
		rc = pcrm__reading_value_check("value", value, PCRM__DIGITS_MAX);
	if (rc == PCRM_OK && read_at > pcrm_ctx_now(ctx)) {
		pcrm__time_text(ctx, read_at, when);
		rc = pcrm__error(PCRM_EINVAL, "read_at: %s is in the future", when);
	}
	return rc;
}

int pcrm_reading_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *meter_no,
                        pcrm_register reg, pcrm_decimal value, pcrm_time read_at,
                        unsigned int flags, pcrm_reading *out)
{
	struct pcrm__installation inst;
	pcrm_reading reading = PCRM_READING_INIT;
	char when[40];
	int found = 0;
	int rc = check_args(ctx, actor, meter_no, reg, value, read_at, flags);

	if (rc == PCRM_OK && out)
		rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_READING);
	if (rc == PCRM_OK)
		rc = pcrm__installation_latest(ctx, 1, meter_no, &inst, &found);
	if (rc == PCRM_OK && !found)
		rc = pcrm__error(PCRM_ENOTFOUND, "meter \"%s\" was never installed", meter_no);
	rc = pcrm__owner_authorize(ctx, actor, rc, &inst.owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK && !inst.in_service) {
		pcrm__time_text(ctx, inst.removed_at, when);
		rc = pcrm__error(PCRM_ESTATE, "meter \"%s\" was removed from metering point \"%s\" at %s",
		                 meter_no, inst.mp_no, when);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, record_locked(ctx, actor, &inst, reg, value, read_at,
		                                                  flags, &reading));
	if (rc == PCRM_OK && out) {
		*out = reading;
		out->version = PCRM_READING_VERSION;
	}
	return rc;
}
