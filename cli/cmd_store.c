/*
 * powercrm init: create or migrate a store, and optionally its first org
 * unit (the province), which is how a new deployment's tree begins.
 */
#include <string.h>

#include "cli.h"

static const char *o_root, *o_root_name;

const struct cli_opt *cli_opts_init(void)
{
	static const struct cli_opt opts[] = {
		{ "root", &o_root, NULL, "CODE       also create the top-level org unit CODE "
		                         "(a province), as its senior administrator" },
		{ "root-name", &o_root_name, NULL, "NAME  the top-level unit's name (with --root)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

static int create_root(struct cli *cli, const char **outcome)
{
	pcrm_actor founder = { cli->operator_id, PCRM_ROLE_ADMIN, PCRM_LEVEL_MAX, o_root };
	int rc = pcrm_org_unit_create(cli->ctx, &founder, o_root, NULL, o_root_name,
	                              PCRM_ORG_PROVINCE);
	if (rc == PCRM_EDUPLICATE) {
		pcrm_org_unit *unit = NULL;
		/* rerunning init is harmless: an existing root of that code is kept as it is */
		rc = pcrm_org_unit_get(cli->ctx, &founder, o_root, &unit);
		pcrm_org_unit_free(unit);
		*outcome = "existed";
	} else {
		*outcome = "created";
	}
	return rc == PCRM_OK ? CLI_EXIT_OK : cli_fail(cli, rc);
}

int cli_run_init(struct cli *cli)
{
	const char *outcome = NULL;
	int after = 0, rc;

	if (!o_root != !o_root_name)
		return cli_failf(cli, CLI_EXIT_USAGE, "--root and --root-name go together");
	rc = cli_open(cli);
	if (rc != CLI_EXIT_OK)
		return rc;
	if ((rc = pcrm_ctx_schema_version(cli->ctx, &after)) != PCRM_OK)
		return cli_fail(cli, rc);
	if (o_root && (rc = create_root(cli, &outcome)) != CLI_EXIT_OK)
		return rc;
	if (cli->json) {
		json_t *doc = json_pack("{s:s, s:i, s:i}", "backend", pcrm_ctx_backend(cli->ctx),
		                        "schema_version", after, "library_schema_version",
		                        pcrm_schema_version_latest());
		if (doc && o_root)
			json_object_set_new(doc, "root",
			                    json_pack("{s:s, s:s}", "code", o_root, "outcome", outcome));
		cli_json_out(cli, doc);
	} else {
		printf("store ready: %s, schema version %d\n", pcrm_ctx_backend(cli->ctx), after);
		if (o_root)
			printf("top-level org unit %s: %s\n", o_root, outcome);
	}
	return CLI_EXIT_OK;
}
