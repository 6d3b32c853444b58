/*
 * powercrm import customers FILE.jsonl / export customers: the archive in
 * and out as JSON Lines (docs/customers.md), resumable in batches.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *o_batch, *o_subtree, *o_out;
static int o_reveal_id;

const struct cli_opt *cli_opts_import_customers(void)
{
	static const struct cli_opt opts[] = {
		{ "batch", &o_batch, NULL, "N         lines per committed batch (default 10000)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

/* Non-blank lines of the file, for the bar's total; 0 when it cannot be counted (a pipe). */
static int64_t count_lines(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	int64_t lines = 0;
	int blank = 1;
	size_t n;
	if (!f)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				lines += !blank;
				blank = 1;
			} else if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r') {
				blank = 0;
			}
		}
	lines += !blank;
	fclose(f);
	return lines;
}

int cli_run_import_customers(struct cli *cli)
{
	const char *path = cli->args[0];
	pcrm_import_result result = PCRM_IMPORT_RESULT_INIT;
	struct cli_progress *p;
	long batch = 0;
	int rc;

	if (o_batch && (rc = cli_parse_int(cli, "--batch", o_batch, 1, 1000000, &batch)) != 0)
		return rc;
	if ((rc = cli_open(cli)) != CLI_EXIT_OK)
		return rc;
	p = cli_progress_start(cli, "import customers", "lines", count_lines(path));
	rc = pcrm_customer_import_file_ext(cli->ctx, &cli->actor, path, (int)batch,
	                                   cli_progress_report, p, &result);
	cli_progress_end(p, result.imported + result.already_present);
	if (rc != PCRM_OK) {
		/* what the committed batches did is worth knowing before the error */
		fprintf(stderr, "powercrm import customers: %lld imported, %lld already present "
		                "before the failure\n",
		        (long long)result.imported, (long long)result.already_present);
		return cli_fail(cli, rc);
	}
	if (cli->json)
		cli_json_out(cli, json_pack("{s:I, s:I}", "imported", (json_int_t)result.imported,
		                            "already_present", (json_int_t)result.already_present));
	else
		printf("%lld customers imported, %lld already present\n", (long long)result.imported,
		       (long long)result.already_present);
	return CLI_EXIT_OK;
}

const struct cli_opt *cli_opts_export_customers(void)
{
	static const struct cli_opt opts[] = {
		{ "subtree", &o_subtree, NULL, "CODE    the org unit whose subtree is exported "
		                               "(default: --unit)" },
		{ "out", &o_out, NULL, "FILE        write there instead of standard output "
		                       "(created 0600: it holds personal data)" },
		{ "reveal-id", NULL, &o_reveal_id, "       include ID numbers (needs pii.read; "
		                                   "audited)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

static int write_out(const char *data, size_t len, void *userdata)
{
	return fwrite(data, 1, len, (FILE *)userdata) == len ? 0 : 1;
}

/* A file for personal data: readable by its owner only, from the moment it exists. */
static FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? NULL : fdopen(fd, "wb");
}

int cli_run_export_customers(struct cli *cli)
{
	FILE *out = stdout;
	int64_t exported = 0;
	int rc;

	if (cli->json && !o_out)
		return cli_failf(cli, CLI_EXIT_USAGE, "--json needs --out: standard output carries "
		                                      "the export itself");
	if ((rc = cli_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (o_out && !(out = open_private(o_out)))
		return cli_failf(cli, CLI_EXIT_FAILURE, "--out %s: %s", o_out, strerror(errno));
	rc = pcrm_customer_export(cli->ctx, &cli->actor, o_subtree ? o_subtree : cli->unit,
	                          o_reveal_id ? PCRM_CUSTOMER_REVEAL_ID : 0, write_out, out,
	                          &exported);
	if (out != stdout && fclose(out) != 0 && rc == PCRM_OK)
		return cli_failf(cli, CLI_EXIT_FAILURE, "--out %s: %s", o_out, strerror(errno));
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_json_out(cli, json_pack("{s:I, s:s}", "exported", (json_int_t)exported, "out",
		                            o_out));
	else if (!cli->quiet)
		fprintf(stderr, "powercrm export customers: %lld customers\n", (long long)exported);
	return CLI_EXIT_OK;
}
