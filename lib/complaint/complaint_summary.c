/*
 * The per-day statistics summary (complaint_day, migration 19): what each
 * ticket adds to its (responsible unit, day, category, nature, channel, org
 * unit) row.  A change to a ticket subtracts the ticket's contribution as
 * read before the change and adds it as read after, in the change's own
 * transaction, so the summary always equals the sum over the ticket rows;
 * the rebuild computes that sum afresh.  Both read the contribution with
 * the same SQL expressions (CONTRIBUTION), which is what keeps them equal.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "complaint_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "store/store.h"

/*
 * The summary's day of an instant: floor((t + offset) / 86400) with a
 * floor that holds for negative instants too (both engines' integer
 * division truncates toward zero).
 */
#define DAY_OF(t)                                                                             \
	"((" t " + " PCRM__COMPLAINT_DAY_OFFSET_SQL ") - (((" t " + "                            \
	PCRM__COMPLAINT_DAY_OFFSET_SQL ") % 86400) + 86400) % 86400) / 86400"

#define SUMMARY_COLUMNS                                                                       \
	"responsible_unit, day, category, nature, channel, org_unit, received, handled, "       \
	"substantiated, repeats, visited, satisfied, handling_seconds, late, late_seconds"

/* One ticket's contribution, each count times `sign` (a SQL expression), named as the columns. */
#define CONTRIBUTION(sign)                                                                    \
	"responsible_unit, " DAY_OF("accepted_at") " AS day, category, nature, channel, "     \
	"org_unit, " sign " AS received, "                                                      \
	sign " * CASE WHEN replied_at IS NOT NULL THEN 1 ELSE 0 END AS handled, "               \
	sign " * CASE WHEN substantiated = 1 THEN 1 ELSE 0 END AS substantiated, "              \
	sign " * CASE WHEN repeat_of IS NOT NULL THEN 1 ELSE 0 END AS repeats, "                \
	sign " * CASE WHEN visited_at IS NOT NULL THEN 1 ELSE 0 END AS visited, "               \
	sign " * CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 "   \
	"END AS satisfied, " sign " * COALESCE(replied_at - accepted_at, 0) AS handling_seconds, " \
	sign " * CASE WHEN late_seconds > 0 THEN 1 ELSE 0 END AS late, "                        \
	sign " * COALESCE(late_seconds, 0) AS late_seconds"

int pcrm__complaint_summary_apply(pcrm_ctx *ctx, const char *serial, int sign)
{
	static const char sql[] =
		"INSERT INTO complaint_day (" SUMMARY_COLUMNS ") "
		"SELECT " CONTRIBUTION("CAST($2 AS BIGINT)") " FROM complaint WHERE serial = $1 AND status <> 'merged' "
		"ON CONFLICT (responsible_unit, day, category, nature, channel, org_unit) DO UPDATE SET "
		"received = complaint_day.received + excluded.received, "
		"handled = complaint_day.handled + excluded.handled, "
		"substantiated = complaint_day.substantiated + excluded.substantiated, "
		"repeats = complaint_day.repeats + excluded.repeats, "
		"visited = complaint_day.visited + excluded.visited, "
		"satisfied = complaint_day.satisfied + excluded.satisfied, "
		"handling_seconds = complaint_day.handling_seconds + excluded.handling_seconds, "
		"late = complaint_day.late + excluded.late, "
		"late_seconds = complaint_day.late_seconds + excluded.late_seconds";
	pcrm_sql_value p[2] = { PCRM_SQL_S(serial), PCRM_SQL_I(sign) };
	return pcrm__store_exec(ctx->store, sql, p, 2, NULL);
}

struct rebuild {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *scope, *unit;
	int64_t rows;
};

static int rebuild_body(void *arg)
{
	static const char clear[] =
		"DELETE FROM complaint_day WHERE responsible_unit IN "
		"(SELECT code FROM org_unit WHERE substr(path, 1, length($1)) = $1)";
	static const char fill[] =
		"INSERT INTO complaint_day (" SUMMARY_COLUMNS ") "
		"SELECT responsible_unit, day, category, nature, channel, org_unit, SUM(received), "
		"SUM(handled), SUM(substantiated), SUM(repeats), SUM(visited), SUM(satisfied), "
		"SUM(handling_seconds), SUM(late), SUM(late_seconds) FROM (SELECT "
		CONTRIBUTION("1") " FROM complaint WHERE status <> 'merged' AND responsible_unit IN "
		"(SELECT code FROM org_unit WHERE substr(path, 1, length($1)) = $1)) t GROUP BY responsible_unit, day, category, nature, channel, org_unit";
	struct rebuild *r = arg;
	pcrm_sql_value p[1] = { PCRM_SQL_S(r->scope) };
	json_t *summary;
	int rc = pcrm__store_exec(r->ctx->store, clear, p, 1, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(r->ctx->store, fill, p, 1, &r->rows);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:I}", "rows", (json_int_t)r->rows);
	rc = summary ? pcrm__audit_append_in_tx(r->ctx, r->actor, "complaint.stats_rebuild",
	                                        "org_unit", r->unit, summary) :
	               pcrm__error_oom();
	json_decref(summary);
	return rc;
}

int pcrm_complaint_stats_rebuild(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit)
{
	struct rebuild r = { ctx, actor, NULL, NULL, 0 };
	char *scope = NULL;
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ORG_WRITE, org_unit, &scope);
	r.scope = scope;
	r.unit = org_unit ? org_unit : actor->org_unit;
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, rebuild_body, &r);
	free(scope);
	return rc;
}
