/*
 * Complaint statistics benchmark: a month's statistics grouped by
 * responsible unit and category over PCRM_BENCH_COMPLAINTS tickets (default
 * 1,000,000) on SQLite and PostgreSQL, read through the per-day summary
 * (pcrm_complaint_stats_compute()) against the same statistics computed
 * from the ticket rows alone (pcrm_complaint_stats_compute_direct()), in
 * the same run, alternating, five rounds: min / median / max of each and
 * the ratio of the medians.  A period off the day boundaries (12 hours
 * later, so two half days come from the tickets) is timed too.
 *
 * Filing a million tickets one by one would take hours, so the tickets and
 * their work orders are written by two INSERT ... SELECT statements over a
 * generated series: the rows filing, reply and return visit would write
 * for tickets of known customers-less callers (no contact entry, no audit,
 * no history), with the deadline and lateness filing and reply compute for
 * the shipped complaint process on the "always" calendar (every second is
 * working time, so the deadline is acceptance + 5 x 86400 s and the
 * lateness reply - deadline).  The summary is then built by
 * pcrm_complaint_stats_rebuild(), as an operator would after an import;
 * that is timed once.  Ticket mix (deterministic in the ticket number i):
 * 20 responsible units, 5 categories, 4 natures, 8 channels; 1 in 20 not
 * replied to (half of them flagged overdue), the rest replied to within 10
 * days (about half late), 2 in 3 of those visited, 1 in 10 a repeat.
 *
 * PCRM_BENCH_OPEN_EVERY=k leaves 1 in k tickets unreplied (default 20: a
 * pessimistic month; the month before the current one has nearly none open).
 * PCRM_BENCH_MIX=skewed replaces the even spread of channels and natures by
 * a realistic one (most tickets are phone complaints: channel phone 16 in
 * 20, nature complaint 3 in 4), so a month holds fewer summary rows.
 *
 * The floors, timed in the same rounds without the library (plain SQL
 * through the store, the rows read): "bare summary" is the GROUP BY over
 * the month's complaint_day rows alone (what reading the summary costs at
 * least, without the edges and the unreplied tickets); "pair table" is the
 * same over a table pre-aggregated per (unit, category, day), i.e. what a
 * coarser summary kept per grouping pair would cost; "bare scan" is the
 * GROUP BY over the month's ticket rows (the direct computation's floor);
 * "unreplied" reads the month's unreplied tickets with their work orders
 * (the part of the statistics that depends on the clock).
 *
 * PCRM_BENCH_STORE=sqlite or =postgresql runs one store only (a run of both
 * takes a while).  No assertion on absolute times: this prints figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

#include "bench.h"
#include "core/ctx.h"
#include "store/store.h"

#define ROUNDS 5
#define UNITS 20

static const pcrm_actor admin = { "bench-admin", PCRM_ROLE_ADMIN, 3, "P1" };

static void die(const char *what)
{
	pcrm_bench_die("bench_complaint", what);
}

static pcrm_time clock_now;

static pcrm_time fixed_clock(void *data)
{
	(void)data;
	return clock_now;
}

static char *read_data(const char *name)
{
	char path[1024];
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char *buf = calloc(1, 1 << 16);
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/data/%s", root ? root : ".", name);
	if (!buf || !(f = fopen(path, "rb")))
		die(path);
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void setup(pcrm_ctx *ctx)
{
	char *def = read_data("workflows/complaint.json"), *cal = read_data("calendars/always.json");
	int version = 0;
	if (pcrm_org_unit_create(ctx, &admin, "P1", NULL, "province", PCRM_ORG_PROVINCE))
		die("org");
	for (int u = 0; u < UNITS; u++) {
		char code[16];
		snprintf(code, sizeof(code), "C%02d", u);
		if (pcrm_org_unit_create(ctx, &admin, code, "P1", "city", PCRM_ORG_CITY))
			die("org unit");
	}
	if (pcrm_workflow_define(ctx, &admin, def, cal, &version) || version != 1)
		die("workflow");
	free(def);
	free(cal);
}

/* The ticket number i's columns, as SQL over the series g(i); month_start is $2. */
#define UNIT_OF "'C' || substr(CAST(100 + (i * 7) % 20 AS TEXT), 2, 2)"
#define ACCEPTED "($2 + (i * 2654435761) % $3)"
/* not replied to: 1 in $4 tickets (PCRM_BENCH_OPEN_EVERY, default 20) */
#define OPEN "(i % $4 = 0)"
#define REPLIED ACCEPTED " + (i * 7919) % 864000"
#define DUE ACCEPTED " + 432000"
#define WO_ID "'00000000-0000-4000-8000-' || CAST(100000000000 + i AS TEXT)"
#define CHANNEL_EVEN                                                                       \
	"CASE i % 8 WHEN 0 THEN 'phone' WHEN 1 THEN 'fax' WHEN 2 THEN 'email' WHEN 3 THEN 'web' " \
	"WHEN 4 THEN 'sms' WHEN 5 THEN 'counter' WHEN 6 THEN 'app' ELSE 'wechat' END"
#define NATURE_EVEN                                                                        \
	"CASE (i / 7) % 4 WHEN 0 THEN 'complaint' WHEN 1 THEN 'report' WHEN 2 THEN 'opinion' "   \
	"ELSE 'suggestion' END"
/* most tickets arrive by phone and are complaints */
#define CHANNEL_SKEWED                                                                     \
	"CASE WHEN i % 20 < 16 THEN 'phone' WHEN i % 20 < 18 THEN 'wechat' WHEN i % 20 = 18 "     \
	"THEN 'web' ELSE 'counter' END"
#define NATURE_SKEWED                                                                      \
	"CASE WHEN (i / 7) % 4 < 3 THEN 'complaint' WHEN (i / 7) % 8 = 3 THEN 'report' "         \
	"ELSE 'opinion' END"

static int skewed(void)
{
	const char *mix = getenv("PCRM_BENCH_MIX");
	return mix && strcmp(mix, "skewed") == 0;
}

#define TICKETS_SQL(channel, nature)                                                       \
	"WITH RECURSIVE g(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM g WHERE i < $1) " \
	"INSERT INTO complaint (responsible_unit, serial, accepting_unit, accepted_at, agent, "  \
	"channel, org_unit, category, subcategory, nature, urgency, routed_by_default, "        \
	"description, work_order_id, repeat_of, status, replied_at, reply_channel, "            \
	"reply_content, substantiated, visited_at, visit_result, satisfaction, closed_at, "     \
	"reply_due_at, late_seconds, version) "                                                 \
	"SELECT " UNIT_OF ", 'B' || CAST(i AS TEXT), 'P1', " ACCEPTED ", 'bench', "              \
	channel ", "                                                                            \
	UNIT_OF ", CASE (i / 3) % 5 WHEN 0 THEN 'service' WHEN 1 THEN 'business' "               \
	"WHEN 2 THEN 'outage' WHEN 3 THEN 'supply_quality' ELSE 'grid_construction' END, 'x', "  \
	nature ", 'normal', 0, 'x', " WO_ID ", "                                                \
	"CASE WHEN i % 10 = 5 THEN 'B1' END, "                                                  \
	"CASE WHEN " OPEN " THEN 'open' ELSE 'replied' END, "                                   \
	"CASE WHEN NOT " OPEN " THEN " REPLIED " END, "                                         \
	"CASE WHEN NOT " OPEN " THEN 'phone' END, CASE WHEN NOT " OPEN " THEN 'x' END, "         \
	"CASE WHEN NOT " OPEN " THEN i % 3 % 2 END, "                                           \
	"CASE WHEN NOT " OPEN " AND i % 3 <> 0 THEN " REPLIED " + 3600 END, "                   \
	"CASE WHEN NOT " OPEN " AND i % 3 <> 0 THEN 'x' END, "                                  \
	"CASE WHEN " OPEN " OR i % 3 = 0 THEN NULL WHEN i % 7 = 0 THEN 'dissatisfied' "          \
	"WHEN i % 2 = 0 THEN 'satisfied' ELSE 'basically_satisfied' END, NULL, " DUE ", "       \
	"CASE WHEN " OPEN " THEN NULL WHEN " REPLIED " > " DUE " THEN " REPLIED " - (" DUE ") " \
	"ELSE 0 END, 1 FROM g"

static void load(pcrm_ctx *ctx, long n, pcrm_time month_start, pcrm_time month_len)
{
	static const char work_orders[] =
		"WITH RECURSIVE g(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM g WHERE i < $1) "
		"INSERT INTO work_order (id, workflow, workflow_version, business_key, open_key, "
		"customer_no, org_unit, owner, state, status, data, opened_by, opened_at, updated_at, "
		"due_at, overdue, suspended, reminders, escalations, version, steps) "
		"SELECT " WO_ID ", 'complaint', 1, 'B' || CAST(i AS TEXT), "
		"CASE WHEN " OPEN " THEN 'B' || CAST(i AS TEXT) END, NULL, " UNIT_OF ", NULL, "
		"CASE WHEN " OPEN " THEN 'handling' ELSE 'return_visit' END, "
		"CASE WHEN " OPEN " THEN 'open' ELSE 'open' END, '{}', 'bench', " ACCEPTED ", "
		ACCEPTED ", NULL, CASE WHEN i % ($4 * 2) = 0 THEN 1 ELSE 0 END, 0, 0, 0, 1, 1 "
		"FROM g";
	static const char tickets_even[] = TICKETS_SQL(CHANNEL_EVEN, NATURE_EVEN);
	static const char tickets_skewed[] = TICKETS_SQL(CHANNEL_SKEWED, NATURE_SKEWED);
	const char *tickets = skewed() ? tickets_skewed : tickets_even;
	const char *every = getenv("PCRM_BENCH_OPEN_EVERY");
	long open_every = every && atol(every) >= 2 ? atol(every) : 20;
	pcrm_sql_value p[4] = { PCRM_SQL_I(n), PCRM_SQL_I(month_start), PCRM_SQL_I(month_len),
		                PCRM_SQL_I(open_every) };
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC), t1, t2;
	if (pcrm__store_exec(ctx->store, work_orders, p, 4, NULL))
		die("work orders");
	if (pcrm__store_exec(ctx->store, tickets, p, 4, NULL))
		die("tickets");
	if (ctx->store->driver->exec_script(ctx->store, "ANALYZE"))
		die("analyze");
	t1 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	if (pcrm_complaint_stats_rebuild(ctx, &admin, NULL))
		die("rebuild");
	t2 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	if (ctx->store->driver->exec_script(ctx->store, "ANALYZE"))
		die("analyze");
	/* the floor of a coarser summary: the same sums kept per (unit, category, day) */
	if (ctx->store->driver->exec_script(
		    ctx->store,
		    "CREATE TABLE bench_pair AS SELECT responsible_unit, category, day, "
		    "SUM(received) AS received, SUM(handled) AS handled, SUM(substantiated) AS "
		    "substantiated, SUM(repeats) AS repeats, SUM(visited) AS visited, SUM(satisfied) AS "
		    "satisfied, SUM(handling_seconds) AS handling_seconds, SUM(late) AS late, "
		    "SUM(late_seconds) AS late_seconds FROM complaint_day "
		    "GROUP BY responsible_unit, category, day;"
		    "CREATE INDEX bench_pair_by_day ON bench_pair (day, responsible_unit, category);"
		    "ANALYZE"))
		die("pair table");
	printf("bulk load of %ld tickets and work orders %.1f s (%s mix, 1 in %ld not replied "
	       "to); pcrm_complaint_stats_rebuild() %.1f s\n",
	       n, t1 - t0, skewed() ? "skewed" : "even", open_every, t2 - t1);
}

static const char *const floor_sql[] = {
	/* bare summary */
	"SELECT responsible_unit, category, SUM(received), SUM(handled), SUM(substantiated), "
	"SUM(repeats), SUM(visited), SUM(satisfied), SUM(handling_seconds), SUM(late), "
	"SUM(late_seconds) FROM complaint_day WHERE day >= $1 AND day < $2 "
	"GROUP BY responsible_unit, category",
	/* pair table */
	"SELECT responsible_unit, category, SUM(received), SUM(handled), SUM(substantiated), "
	"SUM(repeats), SUM(visited), SUM(satisfied), SUM(handling_seconds), SUM(late), "
	"SUM(late_seconds) FROM bench_pair WHERE day >= $1 AND day < $2 "
	"GROUP BY responsible_unit, category",
	/* bare scan */
	"SELECT responsible_unit, category, COUNT(*), COUNT(replied_at), SUM(substantiated), "
	"COUNT(repeat_of), COUNT(visited_at), SUM(CASE WHEN satisfaction IN ('satisfied', "
	"'basically_satisfied') THEN 1 ELSE 0 END), SUM(replied_at - accepted_at), "
	"SUM(CASE WHEN late_seconds > 0 THEN 1 ELSE 0 END), SUM(late_seconds) FROM complaint "
	"WHERE accepted_at >= $1 AND accepted_at < $2 AND status <> 'merged' "
	"GROUP BY responsible_unit, category",
	/* unreplied */
	"SELECT c.responsible_unit, c.category, c.reply_due_at, w.overdue, w.workflow_version "
	"FROM complaint c JOIN work_order w ON w.id = c.work_order_id "
	"WHERE c.replied_at IS NULL AND c.accepted_at >= $1 AND c.accepted_at < $2",
};
static const char *const floor_names[] = { "bare summary", "pair table", "bare scan",
	                                   "unreplied" };
#define FLOORS 4

/* The first two floors take the summary's +08:00 days (as the library computes them), the
   others instants. */
static double timed_sql(pcrm_ctx *ctx, int f, pcrm_time from, pcrm_time to)
{
	pcrm_sql_value p[2] = { PCRM_SQL_I(f < 2 ? (from + 28800) / 86400 : from),
		                PCRM_SQL_I(f < 2 ? (to + 28800) / 86400 : to) };
	pcrm_rows *rows = NULL;
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC);
	int rc = pcrm__store_query(ctx->store, floor_sql[f], p, 2, &rows);
	long n = 0;
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1)
		n++;
	pcrm__rows_free(rows);
	if (rc < 0 || n == 0)
		die("floor query");
	return pcrm_bench_seconds(CLOCK_MONOTONIC) - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double timed(pcrm_ctx *ctx, int direct, pcrm_time from, pcrm_time to, char **json)
{
	pcrm_complaint_stats *s = NULL;
	double t0 = pcrm_bench_seconds(CLOCK_MONOTONIC), t;
	int rc = direct ? pcrm_complaint_stats_compute_direct(ctx, &admin, NULL, from, to,
	                                                      "responsible_unit,category", &s) :
	                  pcrm_complaint_stats_compute(ctx, &admin, NULL, from, to,
	                                               "responsible_unit,category", &s);
	t = pcrm_bench_seconds(CLOCK_MONOTONIC) - t0;
	if (rc)
		die("statistics");
	free(*json);
	*json = strdup(pcrm_complaint_stats_json(s));
	pcrm_complaint_stats_free(s);
	return t;
}

static void report(const char *backend, const char *what, double *sum, double *dir)
{
	qsort(sum, ROUNDS, sizeof(double), cmp);
	qsort(dir, ROUNDS, sizeof(double), cmp);
	printf("%-10s %s: summary min/median/max %.3f/%.3f/%.3f s, direct %.3f/%.3f/%.3f s; "
	       "ratio of medians %.1fx\n",
	       backend, what, sum[0], sum[ROUNDS / 2], sum[ROUNDS - 1], dir[0], dir[ROUNDS / 2],
	       dir[ROUNDS - 1], dir[ROUNDS / 2] / sum[ROUNDS / 2]);
}

static void run(const char *backend, const char *uri, long n)
{
	pcrm_time month_start, month_end;
	double sum[ROUNDS], dir[ROUNDS], sum_off[ROUNDS], dir_off[ROUNDS], floors[FLOORS][ROUNDS];
	int64_t summary_rows = 0;
	char *a = NULL, *b = NULL;
	pcrm_ctx_options opts;
	pcrm_ctx *ctx;
	const char *only = getenv("PCRM_BENCH_STORE"); /* "sqlite" or "postgresql": that one only */

	if (only && strcmp(only, backend) != 0)
		return;
	if (pcrm_time_parse("2026-11-01T00:00:00+08:00", &month_start) ||
	    pcrm_time_parse("2026-12-01T00:00:00+08:00", &month_end) ||
	    pcrm_time_parse("2026-12-03T09:00:00+08:00", &clock_now))
		die("time");
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.clock = fixed_clock;
	if (pcrm_ctx_open(&ctx, uri, &opts))
		die("open");
	setup(ctx);
	load(ctx, n, month_start, month_end - month_start);
	for (int r = 0; r < ROUNDS; r++) {
		sum[r] = timed(ctx, 0, month_start, month_end, &a);
		dir[r] = timed(ctx, 1, month_start, month_end, &b);
		if (strcmp(a, b) != 0)
			die("the summary's statistics differ from the direct ones");
		sum_off[r] = timed(ctx, 0, month_start + 43200, month_end + 43200, &a);
		dir_off[r] = timed(ctx, 1, month_start + 43200, month_end + 43200, &b);
		if (strcmp(a, b) != 0)
			die("the summary's statistics differ from the direct ones (unaligned)");
		for (int f = 0; f < FLOORS; f++)
			floors[f][r] = timed_sql(ctx, f, month_start, month_end);
	}
	{
		pcrm_sql_value p[2] = { PCRM_SQL_I((month_start + 28800) / 86400),
			                PCRM_SQL_I((month_end + 28800) / 86400) };
		if (pcrm__store_query_int(ctx->store, "SELECT COUNT(*) FROM complaint_day WHERE "
		                                      "day >= $1 AND day < $2", p, 2, &summary_rows))
			die("summary rows");
	}
	printf("%-10s %ld tickets in the month, statistics by responsible_unit,category (%d units "
	       "x 5 categories)\n", backend, n, UNITS);
	report(backend, "local month", sum, dir);
	report(backend, "month 12 h later", sum_off, dir_off);
	printf("%-10s floors (plain SQL, local month; %lld summary rows in the month), "
	       "min/median/max:\n", backend, (long long)summary_rows);
	for (int f = 0; f < FLOORS; f++) {
		qsort(floors[f], ROUNDS, sizeof(double), cmp);
		printf("%-10s   %-13s %.3f/%.3f/%.3f s\n", backend, floor_names[f], floors[f][0],
		       floors[f][ROUNDS / 2], floors[f][ROUNDS - 1]);
	}
	fflush(stdout);
	free(a);
	free(b);
	pcrm_ctx_close(ctx);
}

int main(void)
{
	const char *env = getenv("PCRM_BENCH_COMPLAINTS");
	long n = env ? atol(env) : 1000000;

	if (n < 1000)
		n = 1000;
	return pcrm_bench_on_both_stores("bench_complaint", run, n);
}
