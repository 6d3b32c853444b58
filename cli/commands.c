/*
 * powercrm - the table of subcommands: their words, arguments, whether they
 * act as an actor (then --unit is required), and where their code is.
 */
#include "cli.h"

const struct cli_command cli_commands[] = {
	{ "init", NULL, "", 0, 0, 0, "create or migrate the store (and its top-level org unit)",
	  cli_opts_init, cli_run_init },
	{ "import", "customers", "FILE.jsonl", 1, 1, 1,
	  "import customers from JSON Lines, resumable in batches", cli_opts_import_customers,
	  cli_run_import_customers },
	{ "export", "customers", "", 0, 0, 1, "export a subtree's customers as JSON Lines",
	  cli_opts_export_customers, cli_run_export_customers },
	{ "tariff", "publish", "FILE.json", 1, 1, 1, "publish a tariff version",
	  cli_opts_tariff_publish, cli_run_tariff_publish },
	{ "billing", "run", "", 0, 0, 1, "bill a month for a subtree", cli_opts_billing_run,
	  cli_run_billing_run },
	{ "billing", "post", "", 0, 0, 1, "post a month's bills to the ledgers",
	  cli_opts_billing_post, cli_run_billing_post },
	{ "bank", "reconcile", "FILE.csv", 1, 1, 1, "reconcile a bank's daily statement",
	  cli_opts_bank_reconcile, cli_run_bank_reconcile },
	{ "dunning", "list", "", 0, 0, 1, "list the accounts in arrears", cli_opts_dunning_list,
	  cli_run_dunning_list },
	{ "workorder", "tick", "", 0, 0, 1, "process the work-order timers that are due",
	  cli_opts_workorder_tick, cli_run_workorder_tick },
	{ "audit", "verify", "", 0, 0, 1, "verify the audit chains (and a signed checkpoint)",
	  cli_opts_audit_verify, cli_run_audit_verify },
	{ "audit", "checkpoint", "", 0, 0, 1, "sign the chain heads for keeping outside the store",
	  cli_opts_audit_checkpoint, cli_run_audit_checkpoint },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
