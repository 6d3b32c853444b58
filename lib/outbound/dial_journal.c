/*
 * The dialler's calls kept in the store as they happen (migration 42,
 * docs/outbound.md "Crashes and restarts").
 *
 * Why a row per call before the dial: the switch's call outlives the
 * dialler's memory.  A dialler killed between the dial and the call's end
 * leaves the row open; the next dialler of the campaign (once the dead one's
 * lease ran out) settles it as 'unknown' or 'abandoned' and retries its
 * message per the policy, so no call is lost and none is counted twice.
 * Why a conditional update: a result may reach the store twice (a dialler
 * that was thought dead, a retried write); only the first move out of an
 * open state writes, the rest find the row moved on.
 */
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "dialler_internal.h"
#include "store/store.h"
#include "outbound_internal.h"

int pcrm__dial_call_open(pcrm_ctx *ctx, const char *campaign_id, const char *dialler_id,
                         const char *message_id, const char *customer_no, const char *call_id,
                         int64_t dialled_ms)
{
	static const char sql[] =
		"INSERT INTO outbound_call (call_id, campaign_id, message_id, customer_no, dialler_id,"
		" state, dialled_ms, updated_at) VALUES ($1, $2, $3, $4, $5, 'dialling', $6, $7)";
	pcrm_sql_value p[7] = { PCRM_SQL_S(call_id),     PCRM_SQL_S(campaign_id),
		                PCRM_SQL_S(message_id),  PCRM_SQL_S(customer_no),
		                PCRM_SQL_S(dialler_id),  PCRM_SQL_I(dialled_ms),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	return pcrm__store_exec(ctx->store, sql, p, 7, NULL);
}

int pcrm__dial_call_forget(pcrm_ctx *ctx, const char *call_id)
{
	static const char sql[] = "DELETE FROM outbound_call WHERE call_id = $1 AND state = 'dialling'";
	pcrm_sql_value p[1] = { PCRM_SQL_S(call_id) };
	return pcrm__store_exec(ctx->store, sql, p, 1, NULL);
}

/* The open states a result may follow: answered only from a call still ringing, ... */
static void from_states(enum pcrm__dial_outcome o, const char **a, const char **b)
{
	*a = "dialling";
	*b = NULL;
	if (o == PCRM__DIAL_CONNECTED)
		*b = "answered";
	else if (o == PCRM__DIAL_ABANDONED)
		*a = "answered";
}

int pcrm__dial_call_settle(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const pcrm_outbound_policy *policy,
                           const struct pcrm__dial_result *r, int *written)
{
	static const char sql[] =
		"UPDATE outbound_call SET state = $2, agent_id = COALESCE($3, agent_id),"
		" answered_ms = CASE WHEN $2 IN ('answered', 'connected')"
		"   THEN COALESCE(answered_ms, $4) ELSE answered_ms END, updated_at = $5"
		" WHERE call_id = $1 AND (state = $6 OR state = $7)";
	const char *a, *b;
	int64_t changes = 0;
	int rc;

	*written = 0;
	from_states(r->outcome, &a, &b);
	{
		pcrm_sql_value p[7] = { PCRM_SQL_S(r->call_id),
			                PCRM_SQL_S(pcrm__dial_outcome_name(r->outcome)),
			                PCRM_SQL_S(r->agent_id[0] ? r->agent_id : NULL),
			                PCRM_SQL_I(r->at_ms), PCRM_SQL_I(pcrm_ctx_now(ctx)),
			                PCRM_SQL_S(a), PCRM_SQL_S(b) };
		rc = pcrm__store_begin(ctx->store);
		if (rc != PCRM_OK)
			return rc;
		rc = pcrm__store_exec(ctx->store, sql, p, 7, &changes);
	}
	if (rc == PCRM_OK && changes == 1) {
		rc = pcrm__dial_result_write(ctx, actor, policy, r);
		*written = rc == PCRM_OK;
	}
	/* the message erased meanwhile: the call's end is kept, there is nothing else to record */
	if (rc == PCRM_ENOTFOUND)
		rc = PCRM_OK;
	return pcrm__store_finish(ctx->store, rc);
}

int pcrm__dial_lease_take(pcrm_ctx *ctx, const char *campaign_id, const char *dialler_id)
{
	static const char sel[] =
		"SELECT dialler_id, expires_at FROM outbound_dialler_lease WHERE campaign_id = $1";
	static const char ins[] = "INSERT INTO outbound_dialler_lease (campaign_id, dialler_id,"
	                          " expires_at) VALUES ($1, $2, $3)";
	static const char upd[] = "UPDATE outbound_dialler_lease SET dialler_id = $2, expires_at = $3"
	                          " WHERE campaign_id = $1";
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_sql_value p[3] = { PCRM_SQL_S(campaign_id), PCRM_SQL_S(dialler_id),
		                PCRM_SQL_I(now + PCRM_DIALLER_LEASE_S) };
	pcrm_rows *rows = NULL;
	int rc, found = 0, mine = 0;
	pcrm_time until = 0;

	rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__store_query(ctx->store, sel, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		mine = strcmp(pcrm__rows_text(rows, 0), dialler_id) == 0;
		until = pcrm__rows_int(rows, 1);
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	if (rc == PCRM_OK && found && !mine && until > now)
		rc = pcrm__error(PCRM_ESTATE,
		                 "campaign %s: another dialler holds it for %lld s more",
		                 campaign_id, (long long)(until - now));
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, found ? upd : ins, p, 3, NULL);
	return pcrm__store_finish(ctx->store, rc);
}


int pcrm__dial_recover(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_outbound_policy *policy,
                       const char *campaign_id, const char *dialler_id, int64_t now_ms,
                       int *settled)
{
	static const char sql[] =
		"SELECT call_id, message_id, customer_no, state FROM outbound_call"
		" WHERE campaign_id = $1 AND state IN ('dialling', 'answered') AND dialler_id <> $2"
		" ORDER BY dialled_ms, call_id LIMIT 100";
	pcrm_sql_value p[2] = { PCRM_SQL_S(campaign_id), PCRM_SQL_S(dialler_id) };

	*settled = 0;
	for (;;) {
		struct pcrm__dial_result batch[100];
		pcrm_rows *rows = NULL;
		int n = 0, rc, done = 0;

		rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
		while (rc == PCRM_OK && n < 100 && (rc = pcrm__rows_next(rows)) == 1) {
			struct pcrm__dial_result *r = &batch[n++];
			memset(r, 0, sizeof(*r));
			strncpy(r->call_id, pcrm__rows_text(rows, 0), sizeof(r->call_id) - 1);
			r->message_id = strdup(pcrm__rows_text(rows, 1));
			r->customer_no = strdup(pcrm__rows_text(rows, 2));
			r->outcome = strcmp(pcrm__rows_text(rows, 3), "answered") == 0 ?
			                     PCRM__DIAL_ABANDONED : PCRM__DIAL_UNKNOWN;
			r->at_ms = now_ms;
			r->writable = 1;
			rc = r->message_id && r->customer_no ? PCRM_OK : pcrm__error_oom();
		}
		pcrm__rows_free(rows);
		for (int i = 0; i < n; i++) {
			int written = 0;
			if (rc >= 0)
				rc = pcrm__dial_call_settle(ctx, actor, policy, &batch[i], &written);
			*settled += written;
			done++;
			pcrm__dial_result_clear(&batch[i]);
		}
		if (rc < 0)
			return rc;
		if (done < 100)
			return PCRM_OK;
	}
}

int pcrm__dial_observe(pcrm_ctx *ctx, const char *campaign_id, struct pcrm__dial_observed *out)
{
	static const char sql[] =
		"SELECT COUNT(*),"
		" COALESCE(SUM(CASE WHEN answered_ms IS NOT NULL THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN state = 'abandoned' THEN 1 ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN answered_ms IS NOT NULL THEN answered_ms - dialled_ms"
		"   ELSE 0 END), 0)"
		" FROM outbound_call WHERE campaign_id = $1"
		" AND state IN ('connected', 'no_answer', 'busy', 'abandoned')";
	pcrm_sql_value p[1] = { PCRM_SQL_S(campaign_id) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	memset(out, 0, sizeof(*out));
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		out->calls = pcrm__rows_int(rows, 0);
		out->answered = pcrm__rows_int(rows, 1);
		out->abandoned = pcrm__rows_int(rows, 2);
		out->ring_ms = pcrm__rows_int(rows, 3);
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}
