/*
 * powercrm reseal: seals the personal data an upgraded store still holds in
 * clear (customers from before schema 20, complaint caller numbers from
 * before 24, bank account numbers from before 28), one committed batch per
 * library call, until nothing is left.  The migrations cannot do it: they
 * run without the data key.  Interrupted, it stops after the batch at hand;
 * run it again to finish.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char *o_batch;

const struct cli_opt *cli_opts_reseal(void)
{
	static const struct cli_opt opts[] = {
		{ "batch", &o_batch, NULL, "N        rows per committed batch (1..10000, default 1000)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

typedef int (*reseal_fn)(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, int64_t *remaining);

static const struct {
	const char *what;
	reseal_fn fn;
} kinds[] = {
	{ "customers", pcrm_customer_reseal },
	{ "complaints", pcrm_complaint_reseal },
	{ "accounts", pcrm_account_reseal },
};

int cli_run_reseal(struct cli *cli)
{
	json_t *doc = json_object();
	char *end = NULL;
	long batch = o_batch ? strtol(o_batch, &end, 10) : 0;
	int rc;

	if (o_batch && (*o_batch == '\0' || *end != '\0' || batch < 1 || batch > 10000)) {
		json_decref(doc);
		return cli_failf(cli, CLI_EXIT_USAGE, "--batch: \"%s\" is not 1..10000", o_batch);
	}
	rc = cli_open(cli);
	for (size_t i = 0; rc == CLI_EXIT_OK && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int64_t remaining = 0, batches = 0;
		int st;
		do {
			if (cli_interrupted()) {
				json_decref(doc);
				return cli_failf(cli, CLI_EXIT_INTERRUPTED,
				                 "interrupted; committed batches stay, run the command "
				                 "again to finish");
			}
			st = kinds[i].fn(cli->ctx, &cli->actor, (int)batch, &remaining);
			batches++;
		} while (st == PCRM_OK && remaining > 0);
		if (st != PCRM_OK) {
			json_decref(doc);
			return cli_fail(cli, st);
		}
		if (cli->json)
			json_object_set_new(doc, kinds[i].what,
			                    json_pack("{s:I, s:I}", "batches", (json_int_t)batches,
			                              "remaining", (json_int_t)remaining));
		else
			printf("%s: sealed in %lld batch(es), none left in clear\n", kinds[i].what,
			       (long long)batches);
	}
	if (rc == CLI_EXIT_OK && cli->json)
		cli_json_out(cli, doc);
	else
		json_decref(doc);
	return rc;
}
