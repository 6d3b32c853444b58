/*
 * Meters at metering points: installation, removal and replacement.
 *
 * A removal records the old meter's final readings as readings (so the
 * energy up to the removal is counted) and closes the installation; an
 * installation starts every cumulative register from its initial reading.
 * A replacement is both in one transaction, which is how a register
 * legitimately "goes backwards".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

/* What the public functions check before their transaction starts. */
struct meter_op {
	const pcrm_actor *actor;
	const char *mp_no;
	struct pcrm__owner owner;
	int point_active;
	pcrm_time at;
};

static int check_not_future(pcrm_ctx *ctx, const char *name, pcrm_time t)
{
	char when[40];
	if (t <= pcrm_ctx_now(ctx))
		return PCRM_OK;
	pcrm__time_text(ctx, t, when);
	return pcrm__error(PCRM_EINVAL, "%s: %s is in the future", name, when);
}

/* Actor, metering point, permission: the common start of install, remove and replace. */
static int begin_op(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no, const char *at_name,
                    pcrm_time at, struct meter_op *op)
{
	int rc;
	memset(op, 0, sizeof(*op));
	op->actor = actor;
	op->mp_no = mp_no;
	op->at = at;
	rc = check_not_future(ctx, at_name, at);
	if (rc == PCRM_OK)
		rc = pcrm__point_owner(ctx, mp_no, &op->owner, &op->point_active);
	rc = pcrm__owner_authorize(ctx, actor, rc, &op->owner, PCRM_PERM_ARCHIVE_WRITE);
	return rc;
}

/* ---- installation ---- */

/* A meter goes in after whatever left this point, and after it left its last place. */
static int check_install_time(pcrm_ctx *ctx, const struct meter_op *op, const char *meter_no)
{
	struct pcrm__installation last;
	char when[40];
	int found, rc = pcrm__installation_latest(ctx, 0, op->mp_no, &last, &found);
	if (rc == PCRM_OK && found && last.in_service)
		return pcrm__error(PCRM_ESTATE,
		                   "metering point \"%s\" already has meter \"%s\" in service; replace it",
		                   op->mp_no, last.meter_no);
	if (rc == PCRM_OK && found && op->at < last.removed_at) {
		pcrm__time_text(ctx, last.removed_at, when);
		return pcrm__error(PCRM_EINVAL, "installed_at: before meter \"%s\" was removed from "
		                                "metering point \"%s\" at %s",
		                   last.meter_no, op->mp_no, when);
	}
	if (rc == PCRM_OK)
		rc = pcrm__installation_latest(ctx, 1, meter_no, &last, &found);
	if (rc == PCRM_OK && found && last.in_service)
		return pcrm__error(PCRM_EDUPLICATE,
		                   "meter_no: meter \"%s\" is in service at metering point \"%s\"",
		                   meter_no, last.mp_no);
	if (rc == PCRM_OK && found && op->at < last.removed_at) {
		pcrm__time_text(ctx, last.removed_at, when);
		return pcrm__error(PCRM_EINVAL, "installed_at: before meter \"%s\" was removed from "
		                                "metering point \"%s\" at %s",
		                   meter_no, last.mp_no, when);
	}
	return rc;
}

static int insert_installation(pcrm_ctx *ctx, const struct meter_op *op,
                               const struct pcrm__meter_spec *spec, const json_t *doc, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO meter_installation (customer_no, mp_no, meter_no, meter_type, multiplier, "
		"digits, doc, installed_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) "
		"RETURNING id";
	char multiplier[PCRM_DECIMAL_STRING_MAX], *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	pcrm_sql_value p[8];
	pcrm_rows *rows;
	int rc;

	if (!text)
		return pcrm__error_oom();
	pcrm__decimal_text(spec->multiplier, multiplier);
	p[0] = PCRM_SQL_S(op->owner.customer_no);
	p[1] = PCRM_SQL_S(op->mp_no);
	p[2] = PCRM_SQL_S(spec->meter_no);
	p[3] = PCRM_SQL_S(spec->type);
	p[4] = PCRM_SQL_S(multiplier);
	p[5] = PCRM_SQL_I(spec->digits);
	p[6] = PCRM_SQL_S(text);
	p[7] = PCRM_SQL_I(op->at);
	rc = pcrm__store_query(ctx->store, sql, p, 8, &rows);
	free(text);
	/* the partial unique indexes: somebody installed at this point or this meter meanwhile */
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "meter_no: meter \"%s\" or metering point \"%s\" "
		                                    "got a meter concurrently; read the history again",
		                   spec->meter_no, op->mp_no);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		*id = pcrm__rows_int(rows, 0);
	pcrm__rows_free(rows);
	return rc == 1 ? PCRM_OK : rc < 0 ? rc : pcrm__error(PCRM_ESTORE, "INSERT returned no id");
}

static int insert_registers(pcrm_ctx *ctx, const struct meter_op *op,
                            const struct pcrm__meter_spec *spec, int64_t id)
{
	static const char sql[] =
		"INSERT INTO meter_register (customer_no, installation_id, reg, initial_value, "
		"last_value, last_read_at, last_seq) VALUES ($1, $2, $3, $4, $5, $6, 0)";
	int rc = PCRM_OK;
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND && rc == PCRM_OK; i++) {
		pcrm_register reg = (pcrm_register)i;
		char initial[PCRM_DECIMAL_STRING_MAX];
		int cumulative = pcrm_register_is_cumulative(reg);
		pcrm_sql_value p[6];
		if (!(spec->registers & PCRM_REGISTER_BIT(reg)))
			continue;
		/* the demand register has no initial reading; its "previous" starts at zero */
		pcrm__decimal_text(cumulative ? spec->initial[reg] : pcrm_decimal_from_int(0), initial);
		p[0] = PCRM_SQL_S(op->owner.customer_no);
		p[1] = PCRM_SQL_I(id);
		p[2] = PCRM_SQL_S(pcrm_register_name(reg));
		p[3] = cumulative ? PCRM_SQL_S(initial) : PCRM_SQL_NUL;
		p[4] = PCRM_SQL_S(initial);
		p[5] = PCRM_SQL_I(op->at);
		rc = pcrm__store_exec(ctx->store, sql, p, 6, NULL);
	}
	return rc;
}

/* Inside the caller's transaction; the caller audits. */
static int install_locked(pcrm_ctx *ctx, const struct meter_op *op,
                          const struct pcrm__meter_spec *spec, const json_t *doc)
{
	int64_t id = 0;
	int rc;
	if (!op->point_active)
		return pcrm__error(PCRM_ESTATE, "metering point \"%s\" is inactive", op->mp_no);
	rc = check_install_time(ctx, op, spec->meter_no);
	if (rc == PCRM_OK)
		rc = insert_installation(ctx, op, spec, doc, &id);
	if (rc == PCRM_OK)
		rc = insert_registers(ctx, op, spec, id);
	return rc;
}

static json_t *install_summary(const struct meter_op *op, const json_t *doc)
{
	return json_pack("{s:s, s:I, s:O}", "mp_no", op->mp_no, "installed_at", (json_int_t)op->at,
	                 "meter", doc);
}

static int install_tx(pcrm_ctx *ctx, const struct meter_op *op, const struct pcrm__meter_spec *spec,
                      const json_t *doc)
{
	json_t *summary;
	int rc = install_locked(ctx, op, spec, doc);
	if (rc != PCRM_OK)
		return rc;
	summary = install_summary(op, doc);
	rc = pcrm__audit_append(ctx, op->actor, "meter.install", "metering_point", op->mp_no, summary);
	json_decref(summary);
	return rc;
}

int pcrm_meter_install(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                       const char *meter_json, pcrm_time installed_at)
{
	struct pcrm__meter_spec spec;
	struct meter_op op;
	json_t *doc = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("meter", meter_json, &doc);
	if (rc == PCRM_OK)
		rc = pcrm__meter_doc_check(doc, &spec);
	if (rc == PCRM_OK)
		rc = begin_op(ctx, actor, mp_no, "installed_at", installed_at, &op);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, install_tx(ctx, &op, &spec, doc));
	json_decref(doc);
	return rc;
}

/* ---- removal ---- */

/* Every cumulative register closes with a final reading; the demand register may. */
static int match_final_readings(const struct pcrm__installation *inst, unsigned int registers,
                                const struct pcrm__removal_spec *spec)
{
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND; i++) {
		pcrm_register reg = (pcrm_register)i;
		unsigned int bit = PCRM_REGISTER_BIT(reg);
		if ((spec->given & bit) && !(registers & bit))
			return pcrm__error(PCRM_EINVAL, "final_readings.%s: meter \"%s\" has no %s register",
			                   pcrm_register_name(reg), inst->meter_no, pcrm_register_name(reg));
		if (!(spec->given & bit) && (registers & bit) && pcrm_register_is_cumulative(reg))
			return pcrm__error(PCRM_EINVAL, "final_readings.%s: missing", pcrm_register_name(reg));
	}
	return PCRM_OK;
}

/* A removal comes after the installation and after every reading already taken. */
static int check_removal_time(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                              const struct pcrm__register_state *states, unsigned int registers,
                              pcrm_time at)
{
	char when[40];
	if (at <= inst->installed_at) {
		pcrm__time_text(ctx, inst->installed_at, when);
		return pcrm__error(PCRM_EINVAL, "removed_at: not after meter \"%s\" was installed at %s",
		                   inst->meter_no, when);
	}
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND; i++) {
		if (!(registers & PCRM_REGISTER_BIT((pcrm_register)i)) || at > states[i].last_read_at)
			continue;
		pcrm__time_text(ctx, states[i].last_read_at, when);
		return pcrm__error(PCRM_EINVAL, "removed_at: not after the last %s reading at %s",
		                   pcrm_register_name((pcrm_register)i), when);
	}
	return PCRM_OK;
}

static int close_installation(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                              const json_t *removal, pcrm_time at)
{
	char *text = json_dumps(removal, JSON_COMPACT | JSON_SORT_KEYS);
	pcrm_sql_value p[4];
	int rc;
	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_I(at);
	p[1] = PCRM_SQL_S(json_string_value(json_object_get(removal, "reason")));
	p[2] = PCRM_SQL_S(text);
	p[3] = PCRM_SQL_I(inst->id);
	rc = pcrm__store_exec(ctx->store,
	                      "UPDATE meter_installation SET removed_at = $1, removal_reason = $2, "
	                      "removal_doc = $3 WHERE id = $4",
	                      p, 4, NULL);
	free(text);
	return rc;
}

/* Records one final reading and keeps it on its register; adds it to `finals` for the audit. */
static int record_final(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                        const struct pcrm__register_state *state, pcrm_decimal value,
                        pcrm_time at, json_t *finals)
{
	char path[48], text[PCRM_DECIMAL_STRING_MAX];
	pcrm_reading reading = PCRM_READING_INIT;
	pcrm_sql_value p[3];
	int rc;

	snprintf(path, sizeof(path), "final_readings.%s", pcrm_register_name(state->reg));
	rc = pcrm__reading_compute(ctx, inst, state, path, value, at, PCRM_READING_FINAL, &reading);
	if (rc == PCRM_OK)
		rc = pcrm__reading_store(ctx, inst, state, &reading);
	if (rc != PCRM_OK)
		return rc;
	pcrm__decimal_text(value, text);
	p[0] = PCRM_SQL_S(text);
	p[1] = PCRM_SQL_I(inst->id);
	p[2] = PCRM_SQL_S(pcrm_register_name(state->reg));
	rc = pcrm__store_exec(ctx->store,
	                      "UPDATE meter_register SET final_value = $1 "
	                      "WHERE installation_id = $2 AND reg = $3",
	                      p, 3, NULL);
	if (rc == PCRM_OK)
		json_object_set_new(finals, pcrm_register_name(state->reg),
		                    pcrm__reading_summary(&reading));
	return rc;
}

/*
 * Inside the caller's transaction: closes the meter in service with its
 * final readings.  On success *summary (the caller's) describes the removal.
 */
static int remove_locked(pcrm_ctx *ctx, const struct meter_op *op,
                         const struct pcrm__removal_spec *spec, const json_t *removal,
                         json_t **summary)
{
	struct pcrm__register_state states[PCRM__REG_SLOTS];
	struct pcrm__installation inst;
	unsigned int registers = 0;
	json_t *finals;
	int found, rc = pcrm__installation_latest(ctx, 0, op->mp_no, &inst, &found);

	if (rc == PCRM_OK && (!found || !inst.in_service))
		rc = pcrm__error(PCRM_ESTATE, "metering point \"%s\" has no meter in service", op->mp_no);
	if (rc == PCRM_OK)
		rc = pcrm__installation_lock(ctx, &inst);
	if (rc == PCRM_OK)
		rc = pcrm__register_states(ctx, inst.id, states, &registers);
	if (rc == PCRM_OK)
		rc = match_final_readings(&inst, registers, spec);
	if (rc == PCRM_OK)
		rc = check_removal_time(ctx, &inst, states, registers, op->at);
	if (rc != PCRM_OK)
		return rc;
	finals = json_object();
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND && rc == PCRM_OK; i++)
		if (spec->given & PCRM_REGISTER_BIT((pcrm_register)i))
			rc = record_final(ctx, &inst, &states[i], spec->final[i], op->at, finals);
	if (rc == PCRM_OK)
		rc = close_installation(ctx, &inst, removal, op->at);
	if (rc == PCRM_OK)
		*summary = json_pack("{s:s, s:s, s:I, s:s, s:o}", "mp_no", op->mp_no, "meter_no",
		                     inst.meter_no, "removed_at", (json_int_t)op->at, "reason",
		                     spec->reason, "final_readings", finals);
	else
		json_decref(finals);
	return rc;
}

static int remove_tx(pcrm_ctx *ctx, const struct meter_op *op, const struct pcrm__removal_spec *spec,
                     const json_t *removal)
{
	json_t *summary = NULL;
	int rc = remove_locked(ctx, op, spec, removal, &summary);
	if (rc == PCRM_OK)
		rc = pcrm__audit_append(ctx, op->actor, "meter.remove", "metering_point", op->mp_no,
		                        summary);
	json_decref(summary);
	return rc;
}

int pcrm_meter_remove(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                      const char *removal_json, pcrm_time removed_at)
{
	struct pcrm__removal_spec spec;
	struct meter_op op;
	json_t *doc = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("removal", removal_json, &doc);
	if (rc == PCRM_OK)
		rc = pcrm__removal_doc_check(doc, &spec);
	if (rc == PCRM_OK)
		rc = begin_op(ctx, actor, mp_no, "removed_at", removed_at, &op);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, remove_tx(ctx, &op, &spec, doc));
	json_decref(doc);
	return rc;
}

/* ---- replacement ---- */

static int replace_tx(pcrm_ctx *ctx, const struct meter_op *op,
                      const struct pcrm__removal_spec *rspec, const json_t *removal,
                      const struct pcrm__meter_spec *mspec, const json_t *meter)
{
	json_t *removed = NULL, *summary;
	int rc = remove_locked(ctx, op, rspec, removal, &removed);
	if (rc == PCRM_OK)
		rc = install_locked(ctx, op, mspec, meter);
	if (rc != PCRM_OK) {
		json_decref(removed);
		return rc;
	}
	summary = json_pack("{s:s, s:I, s:o, s:o}", "mp_no", op->mp_no, "at", (json_int_t)op->at,
	                    "removed", removed, "installed", install_summary(op, meter));
	rc = pcrm__audit_append(ctx, op->actor, "meter.replace", "metering_point", op->mp_no, summary);
	json_decref(summary);
	return rc;
}

int pcrm_meter_replace(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                       const char *removal_json, const char *meter_json, pcrm_time at)
{
	struct pcrm__removal_spec rspec;
	struct pcrm__meter_spec mspec;
	struct meter_op op;
	json_t *removal = NULL, *meter = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	/* two documents: their field errors say which one */
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("removal", removal_json, &removal);
	if (rc == PCRM_OK && (rc = pcrm__removal_doc_check(removal, &rspec)) != PCRM_OK)
		pcrm__error_prefix("removal");
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("new_meter", meter_json, &meter);
	if (rc == PCRM_OK && (rc = pcrm__meter_doc_check(meter, &mspec)) != PCRM_OK)
		pcrm__error_prefix("new_meter");
	if (rc == PCRM_OK)
		rc = begin_op(ctx, actor, mp_no, "at", at, &op);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store,
		                        replace_tx(ctx, &op, &rspec, removal, &mspec, meter));
	json_decref(removal);
	json_decref(meter);
	return rc;
}
