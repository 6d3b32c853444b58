/*
 * powercrm audit verify / audit checkpoint / workorder tick: the jobs that
 * watch over the store (nightly verification with the latest external
 * checkpoint, the signed daily checkpoint, the work-order timers every
 * minute or so).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *o_checkpoint, *o_public_key, *o_private_key, *o_out, *o_now;

const struct cli_opt *cli_opts_audit_verify(void)
{
	static const struct cli_opt opts[] = {
		{ "checkpoint", &o_checkpoint, NULL, "FILE  verify against this signed checkpoint "
		                                     "too (with --public-key)" },
		{ "public-key", &o_public_key, NULL, "FILE  the checkpoint signer's Ed25519 public "
		                                     "key (PEM)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

int cli_run_audit_verify(struct cli *cli)
{
	char *checkpoint = NULL, *public_key = NULL;
	struct cli_progress *p;
	int64_t checked = 0, first_bad = 0;
	int rc;

	if (!o_checkpoint != !o_public_key)
		return cli_failf(cli, CLI_EXIT_USAGE, "--checkpoint and --public-key go together");
	if (o_checkpoint && ((rc = cli_read_file(cli, o_checkpoint, &checkpoint, NULL)) != 0 ||
	                     (rc = cli_read_file(cli, o_public_key, &public_key, NULL)) != 0)) {
		free(checkpoint);
		return rc;
	}
	rc = cli_open(cli);
	if (rc == CLI_EXIT_OK) {
		p = cli_progress_start(cli, "audit verify", "entries", 0);
		rc = checkpoint ? pcrm_audit_verify_checkpoint_ext(cli->ctx, &cli->actor, checkpoint,
		                                                   public_key, cli_progress_report, p,
		                                                   &checked, &first_bad)
		                : pcrm_audit_verify_ext(cli->ctx, &cli->actor, cli_progress_report, p,
		                                        &checked, &first_bad);
		cli_progress_end(p, checked);
		if (rc != PCRM_OK) {
			int code = cli_fail(cli, rc);
			if (rc == PCRM_EINTEGRITY && !cli->json)
				fprintf(stderr, "powercrm audit verify: first bad entry: %lld\n",
				        (long long)first_bad);
			rc = code;
		} else if (cli->json) {
			cli_json_out(cli, json_pack("{s:b, s:I, s:b}", "intact", 1, "checked",
			                            (json_int_t)checked, "checkpoint", checkpoint != NULL));
		} else {
			printf("audit log intact: %lld entries verified%s\n", (long long)checked,
			       checkpoint ? " against the checkpoint" : "");
		}
	}
	free(checkpoint);
	free(public_key);
	return rc;
}

const struct cli_opt *cli_opts_audit_checkpoint(void)
{
	static const struct cli_opt opts[] = {
		{ "private-key", &o_private_key, NULL, "FILE  the Ed25519 signing key (PEM, mode "
		                                       "0600; required)" },
		{ "out", &o_out, NULL, "FILE  write the checkpoint there (default: standard output)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

int cli_run_audit_checkpoint(struct cli *cli)
{
	char *key = NULL, *cp = NULL;
	struct stat st;
	int rc;

	if (!o_private_key)
		return cli_failf(cli, CLI_EXIT_USAGE, "--private-key: missing");
	if (stat(o_private_key, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--private-key %s: readable by others (mode %04o); make it private "
		                 "with chmod 600",
		                 o_private_key, (unsigned)(st.st_mode & 07777));
	if ((rc = cli_read_file(cli, o_private_key, &key, NULL)) != CLI_EXIT_OK)
		return rc;
	rc = cli_open(cli);
	if (rc == CLI_EXIT_OK) {
		int status = pcrm_audit_checkpoint(cli->ctx, &cli->actor, key, &cp);
		rc = status == PCRM_OK ? CLI_EXIT_OK : cli_fail(cli, status);
	}
	memset(key, 0, strlen(key));
	free(key);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (o_out) {
		FILE *f = fopen(o_out, "w");
		if (!f || fputs(cp, f) == EOF || fclose(f) != 0) {
			pcrm_free(cp);
			return cli_failf(cli, CLI_EXIT_FAILURE, "--out %s: %s", o_out, strerror(errno));
		}
	}
	if (cli->json)
		cli_json_out(cli, json_pack("{s:s}", "checkpoint", cp));
	else if (!o_out)
		fputs(cp, stdout);
	pcrm_free(cp);
	return CLI_EXIT_OK;
}

const struct cli_opt *cli_opts_workorder_tick(void)
{
	static const struct cli_opt opts[] = {
		{ "now", &o_now, NULL, "INSTANT     process timers due up to this ISO instant "
		                       "(default: now)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

int cli_run_workorder_tick(struct cli *cli)
{
	struct cli_progress *p;
	pcrm_time now = 0;
	int processed = 0, rc;

	if (o_now && pcrm_time_parse(o_now, &now) != PCRM_OK)
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--now: \"%s\" is not an ISO instant (2026-11-23T14:30:00+08:00)", o_now);
	if ((rc = cli_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (!o_now)
		now = pcrm_ctx_now(cli->ctx);
	p = cli_progress_start(cli, "workorder tick", "timers", 0);
	rc = pcrm_workorder_tick_ext(cli->ctx, &cli->actor, now, cli_progress_report, p, &processed);
	cli_progress_end(p, processed);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_json_out(cli, json_pack("{s:i}", "processed", processed));
	else
		printf("%d timers processed\n", processed);
	return CLI_EXIT_OK;
}
