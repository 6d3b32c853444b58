/*
 * powercrm - the table of subcommands: their words, arguments, what they
 * need set up (a store; an actor, then --unit is required), and where their
 * code is.
 */
#include "cli.h"

#define ACTS (CLI_NEEDS_STORE | CLI_NEEDS_ACTOR)

const struct cli_command cli_commands[] = {
	{ "init", NULL, "", 0, 0, CLI_NEEDS_STORE,
	  "create or migrate the store (and its top-level org unit)", cli_opts_init, cli_run_init },
	{ "import", "customers", "FILE.jsonl", 1, 1, ACTS,
	  "import customers from JSON Lines, resumable in batches", cli_opts_import_customers,
	  cli_run_import_customers },
	{ "export", "customers", "", 0, 0, ACTS, "export a subtree's customers as JSON Lines",
	  cli_opts_export_customers, cli_run_export_customers },
	{ "tariff", "publish", "FILE.json", 1, 1, ACTS, "publish a tariff version",
	  cli_opts_tariff_publish, cli_run_tariff_publish },
	{ "tariff", "import-urdb", "FILE.json", 1, 1, 0,
	  "convert an OpenEI URDB rate into a tariff document (no store needed)",
	  cli_opts_tariff_import_urdb, cli_run_tariff_import_urdb },
	{ "billing", "run", "", 0, 0, ACTS, "bill a month for a subtree", cli_opts_billing_run,
	  cli_run_billing_run },
	{ "billing", "post", "", 0, 0, ACTS, "post a month's bills to the ledgers",
	  cli_opts_billing_post, cli_run_billing_post },
	{ "bank", "reconcile", "FILE.csv", 1, 1, ACTS, "reconcile a bank's daily statement",
	  cli_opts_bank_reconcile, cli_run_bank_reconcile },
	{ "dunning", "list", "", 0, 0, ACTS, "list the accounts in arrears", cli_opts_dunning_list,
	  cli_run_dunning_list },
	{ "workorder", "tick", "", 0, 0, ACTS, "process the work-order timers that are due",
	  cli_opts_workorder_tick, cli_run_workorder_tick },
	{ "audit", "verify", "", 0, 0, ACTS, "verify the audit chains (and a signed checkpoint)",
	  cli_opts_audit_verify, cli_run_audit_verify },
	{ "audit", "checkpoint", "", 0, 0, ACTS, "sign the chain heads for keeping outside the store",
	  cli_opts_audit_checkpoint, cli_run_audit_checkpoint },
	{ "reseal", NULL, "", 0, 0, ACTS,
	  "seal personal data an upgraded store still holds in clear, batch by batch",
	  cli_opts_reseal, cli_run_reseal },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
