/*
 * powercrm tariff publish / billing run / billing post: the monthly job.
 * The run's spec (docs/billing.md) is built from the options, so the
 * library checks it exactly as it checks an integrator's.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *o_period, *o_issue, *o_due, *o_tariffs, *o_subtree, *o_batch;
static int o_post;

const struct cli_opt *cli_opts_tariff_publish(void)
{
	static const struct cli_opt opts[] = { { NULL, NULL, NULL, NULL } };
	return opts;
}

int cli_run_tariff_publish(struct cli *cli)
{
	char *text = NULL;
	json_t *doc;
	int rc = cli_read_file(cli, cli->args[0], &text, NULL);
	if (rc != CLI_EXIT_OK)
		return rc;
	if ((rc = cli_open(cli)) != CLI_EXIT_OK) {
		free(text);
		return rc;
	}
	rc = pcrm_tariff_publish(cli->ctx, &cli->actor, text);
	/* the library validated it: its id and version are there to report */
	doc = rc == PCRM_OK ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	if (cli->json) {
		cli_json_out(cli, json_pack("{s:O, s:O}", "id", json_object_get(doc, "id"), "version",
		                            json_object_get(doc, "version")));
	} else {
		printf("tariff %s version %lld published\n",
		       json_string_value(json_object_get(doc, "id")),
		       (long long)json_integer_value(json_object_get(doc, "version")));
	}
	json_decref(doc);
	return CLI_EXIT_OK;
}

static const struct cli_opt run_opts[] = {
	{ "period", &o_period, NULL, "YYYY-MM   the month billed (required)" },
	{ "issue-date", &o_issue, NULL, "DATE  the bills' issue date (required)" },
	{ "due-date", &o_due, NULL, "DATE    the bills' due date (required)" },
	{ "tariffs", &o_tariffs, NULL, "LIST   usage class=tariff id, comma-separated, or "
	                              "@FILE.json (required)" },
	{ "subtree", &o_subtree, NULL, "CODE   the org unit whose subtree is billed (default: "
	                              "--unit)" },
	{ "batch", &o_batch, NULL, "N        accounts per committed batch (default 500)" },
	{ "post", NULL, &o_post, "         post each batch's bills to the ledgers as well" },
	{ NULL, NULL, NULL, NULL }
};

const struct cli_opt *cli_opts_billing_run(void)
{
	return run_opts;
}

/* "residential=cn-res,commercial=cn-com" or "@tariffs.json" -> a JSON object. */
static int tariff_map(struct cli *cli, json_t **out)
{
	json_t *map;
	char *copy, *save = NULL;

	*out = NULL;
	if (o_tariffs[0] == '@') {
		char *text = NULL;
		json_error_t err;
		int rc = cli_read_file(cli, o_tariffs + 1, &text, NULL);
		if (rc != CLI_EXIT_OK)
			return rc;
		map = json_loads(text, 0, &err);
		free(text);
		if (!json_is_object(map)) {
			json_decref(map);
			return cli_failf(cli, CLI_EXIT_BAD_INPUT,
			                 "--tariffs %s: not a JSON object of usage class -> tariff id "
			                 "(line %d: %s)",
			                 o_tariffs + 1, err.line, map ? "not an object" : err.text);
		}
		*out = map;
		return CLI_EXIT_OK;
	}
	map = json_object();
	copy = strdup(o_tariffs);
	if (!map || !copy) {
		json_decref(map);
		free(copy);
		return cli_failf(cli, CLI_EXIT_FAILURE, "out of memory");
	}
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq || eq == item || !eq[1]) {
			int rc = cli_failf(cli, CLI_EXIT_USAGE,
			                   "--tariffs: \"%s\" is not usage_class=tariff_id", item);
			json_decref(map);
			free(copy);
			return rc;
		}
		*eq = '\0';
		json_object_set_new(map, item, json_string(eq + 1));
	}
	free(copy);
	*out = map;
	return CLI_EXIT_OK;
}

static int required(struct cli *cli, const char *value, const char *name)
{
	if (value)
		return CLI_EXIT_OK;
	return cli_failf(cli, CLI_EXIT_USAGE, "%s: missing (powercrm %s --help lists the options)",
	                 name, cli->command);
}

/* The spec (stolen) as the library's JSON text, then the store opened; *text freed on failure. */
static int open_with_spec(struct cli *cli, json_t *spec, char **text)
{
	int rc;
	*text = spec ? json_dumps(spec, JSON_COMPACT) : NULL;
	json_decref(spec);
	if (!*text)
		return cli_failf(cli, CLI_EXIT_FAILURE, "out of memory");
	if ((rc = cli_open(cli)) != CLI_EXIT_OK) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

/*
 * A run's or a posting's summary: under --json {what: {counts..., "total"}},
 * else the caller's one `line` of text.
 */
static int report_summary(struct cli *cli, const char *what, json_t *counts, pcrm_decimal total,
                          const char *line)
{
	if (cli->json) {
		json_object_set_new(counts, "total", cli_json_decimal(total));
		cli_json_out(cli, json_pack("{s:o}", what, counts));
	} else {
		json_decref(counts);
		fputs(line, stdout);
	}
	return CLI_EXIT_OK;
}

int cli_run_billing_run(struct cli *cli)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	struct cli_progress *p;
	json_t *spec, *tariffs = NULL;
	char *spec_text, total[64], line[200];
	long batch = 500;
	int rc;

	if ((rc = required(cli, o_period, "--period")) || (rc = required(cli, o_issue, "--issue-date")) ||
	    (rc = required(cli, o_due, "--due-date")) || (rc = required(cli, o_tariffs, "--tariffs")))
		return rc;
	if (o_batch && (rc = cli_parse_int(cli, "--batch", o_batch, 1, 10000, &batch)) != 0)
		return rc;
	if ((rc = tariff_map(cli, &tariffs)) != CLI_EXIT_OK)
		return rc;
	spec = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:b}", "org_unit",
	                 o_subtree ? o_subtree : cli->unit, "period", o_period, "issue_date", o_issue,
	                 "due_date", o_due, "tariffs", tariffs, "batch_size", (int)batch, "post",
	                 o_post);
	if ((rc = open_with_spec(cli, spec, &spec_text)) != CLI_EXIT_OK)
		return rc;
	p = cli_progress_start(cli, "billing run", "bills", 0);
	rc = pcrm_billing_run(cli->ctx, &cli->actor, spec_text, cli_progress_report, p, &s);
	cli_progress_end(p, s.billed);
	free(spec_text);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	snprintf(line, sizeof(line),
	         "%lld bills stored%s, total %s; %lld already billed, %lld without usage\n",
	         (long long)s.billed, o_post ? " and posted" : "",
	         cli_decimal_text(s.total, total, sizeof(total)), (long long)s.already_billed,
	         (long long)s.no_usage);
	return report_summary(cli, "billing_run",
	                      json_pack("{s:I, s:I, s:I, s:I}", "accounts", (json_int_t)s.accounts,
	                                "billed", (json_int_t)s.billed, "already_billed",
	                                (json_int_t)s.already_billed, "no_usage",
	                                (json_int_t)s.no_usage),
	                      s.total, line);
}

static const struct cli_opt post_opts[] = {
	{ "period", &o_period, NULL, "YYYY-MM   the month whose bills are posted (required)" },
	{ "subtree", &o_subtree, NULL, "CODE   the org unit whose subtree is posted (default: "
	                              "--unit)" },
	{ "batch", &o_batch, NULL, "N        bills per committed batch (default 500)" },
	{ NULL, NULL, NULL, NULL }
};

const struct cli_opt *cli_opts_billing_post(void)
{
	return post_opts;
}

int cli_run_billing_post(struct cli *cli)
{
	pcrm_billing_post_summary s = PCRM_BILLING_POST_SUMMARY_INIT;
	struct cli_progress *p;
	char *spec_text, total[64], line[200];
	json_t *spec;
	long batch = 500;
	int rc;

	if ((rc = required(cli, o_period, "--period")) != CLI_EXIT_OK)
		return rc;
	if (o_batch && (rc = cli_parse_int(cli, "--batch", o_batch, 1, 10000, &batch)) != 0)
		return rc;
	spec = json_pack("{s:s, s:s, s:i}", "org_unit", o_subtree ? o_subtree : cli->unit, "period",
	                 o_period, "batch_size", (int)batch);
	if ((rc = open_with_spec(cli, spec, &spec_text)) != CLI_EXIT_OK)
		return rc;
	p = cli_progress_start(cli, "billing post", "bills", 0);
	rc = pcrm_billing_post(cli->ctx, &cli->actor, spec_text, cli_progress_report, p, &s);
	cli_progress_end(p, s.posted);
	free(spec_text);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	snprintf(line, sizeof(line), "%lld bills posted, total %s; %lld already posted, %lld with "
	         "nothing owed\n", (long long)s.posted, cli_decimal_text(s.total, total, sizeof(total)),
	         (long long)s.already_posted, (long long)s.nothing_owed);
	return report_summary(cli, "billing_post",
	                      json_pack("{s:I, s:I, s:I, s:I}", "bills", (json_int_t)s.bills,
	                                "posted", (json_int_t)s.posted, "already_posted",
	                                (json_int_t)s.already_posted, "nothing_owed",
	                                (json_int_t)s.nothing_owed),
	                      s.total, line);
}

static const char *o_id, *o_tariff_version, *o_effective_from, *o_currency, *o_utc_offset,
	*o_time_zone, *o_out;

const struct cli_opt *cli_opts_tariff_import_urdb(void)
{
	static const struct cli_opt opts[] = {
		{ "id", &o_id, NULL, "ID           the tariff id (default: urdb- and the rate's label)" },
		{ "tariff-version", &o_tariff_version, NULL, "N  the tariff's version (default 1)" },
		{ "effective-from", &o_effective_from, NULL, "DATE  first day in effect (default: "
		                                             "the rate's startdate)" },
		{ "currency", &o_currency, NULL, "CODE   ISO 4217 (default USD)" },
		{ "utc-offset", &o_utc_offset, NULL, "+HH:MM  the offset the schedules' hours are "
		                                     "read in (default +00:00)" },
		{ "time-zone", &o_time_zone, NULL, "ZONE   an IANA zone (America/Los_Angeles): the "
		                                   "schedules' hours on local clock time, daylight "
		                                   "saving time included; not with --utc-offset" },
		{ "out", &o_out, NULL, "FILE        write the tariff there (default: standard output)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

/*
 * A URDB rate in, the library's tariff document out, ready for "tariff
 * publish".  The importer refuses a rate it cannot express whole and lists
 * every such field: exit 3 with that list.
 */
int cli_run_tariff_import_urdb(struct cli *cli)
{
	pcrm_urdb_options opts = PCRM_URDB_OPTIONS_INIT;
	char *rate = NULL, *tariff = NULL;
	long version = 0;
	int rc;

	if (o_tariff_version &&
	    (rc = cli_parse_int(cli, "--tariff-version", o_tariff_version, 1, 1000000, &version)))
		return rc;
	if ((rc = cli_read_file(cli, cli->args[0], &rate, NULL)) != CLI_EXIT_OK)
		return rc;
	opts.id = o_id;
	opts.tariff_version = version;
	opts.effective_from = o_effective_from;
	opts.currency = o_currency;
	opts.utc_offset = o_utc_offset;
	opts.time_zone = o_time_zone;
	rc = pcrm_tariff_from_urdb(rate, &opts, &tariff);
	free(rate);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	if (o_out) {
		FILE *f = fopen(o_out, "w");
		int ok = f && fputs(tariff, f) != EOF && fputc('\n', f) != EOF;
		if (f && fclose(f) != 0)
			ok = 0;
		if (!ok) {
			pcrm_free(tariff);
			return cli_failf(cli, CLI_EXIT_FAILURE, "--out %s: cannot write", o_out);
		}
	}
	if (cli->json) /* the document as the library wrote it: its decimals never pass a double */
		printf("{\n  \"tariff\": %s\n}\n", tariff);
	else if (!o_out)
		printf("%s\n", tariff);
	pcrm_free(tariff);
	return CLI_EXIT_OK;
}
