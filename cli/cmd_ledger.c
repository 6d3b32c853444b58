/*
 * powercrm bank reconcile FILE.csv / dunning list: the daily money jobs.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int o_post_missing, o_all;
static const char *o_as_of, *o_min_days, *o_subtree;

const struct cli_opt *cli_opts_bank_reconcile(void)
{
	static const struct cli_opt opts[] = {
		{ "post-missing", NULL, &o_post_missing, "  post the payments the bank has and the "
		                                         "ledger lacks" },
		{ "all", NULL, &o_all, "           list matched lines too (text output)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

int cli_run_bank_reconcile(struct cli *cli)
{
	pcrm_bank_reconciliation *r = NULL;
	struct cli_progress *p;
	char *text = NULL;
	size_t len = 0, n;
	json_t *items, *counts;
	int rc = cli_read_file(cli, cli->args[0], &text, &len);

	if (rc != CLI_EXIT_OK)
		return rc;
	if ((rc = cli_open(cli)) != CLI_EXIT_OK) {
		free(text);
		return rc;
	}
	p = cli_progress_start(cli, "bank reconcile", "lines", 0);
	rc = pcrm_bank_reconcile_ext(cli->ctx, &cli->actor, text, len,
	                             o_post_missing ? PCRM_BANK_RECONCILE_POST_MISSING : 0,
	                             cli_progress_report, p, &r);
	free(text);
	n = rc == PCRM_OK ? pcrm_bank_reconciliation_count(r) : 0;
	cli_progress_end(p, (int64_t)n);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	items = json_array();
	counts = json_object();
	for (size_t i = 0; i < n; i++) {
		const pcrm_bank_recon_item *it = pcrm_bank_reconciliation_at(r, i);
		json_t *c = json_object_get(counts, it->status);
		json_object_set_new(counts, it->status, json_integer(json_integer_value(c) + 1));
		if (cli->json) {
			json_array_append_new(items,
			                      json_pack("{s:s, s:s, s:s, s:o, s:o, s:i}", "status",
			                                it->status, "transaction_id", it->transaction_id,
			                                "account_no", it->account_no, "bank_amount",
			                                cli_json_decimal(it->bank_amount), "ledger_amount",
			                                cli_json_decimal(it->ledger_amount), "line",
			                                it->line));
		} else if (o_all || strcmp(it->status, "matched") != 0) {
			char bank[64], ours[64];
			printf("%-16s %-24s %-20s bank %12s  ledger %12s  line %d\n", it->status,
			       it->transaction_id, it->account_no,
			       cli_decimal_text(it->bank_amount, bank, sizeof(bank)),
			       cli_decimal_text(it->ledger_amount, ours, sizeof(ours)), it->line);
		}
	}
	pcrm_bank_reconciliation_free(r);
	if (cli->json) {
		cli_json_out(cli, json_pack("{s:o, s:o}", "counts", counts, "items", items));
	} else {
		const char *key;
		json_t *value;
		printf("%zu items:", n);
		json_object_foreach(counts, key, value)
			printf(" %s %lld", key, (long long)json_integer_value(value));
		printf("\n");
		json_decref(counts);
		json_decref(items);
	}
	return CLI_EXIT_OK;
}

const struct cli_opt *cli_opts_dunning_list(void)
{
	static const struct cli_opt opts[] = {
		{ "as-of", &o_as_of, NULL, "DATE     the day arrears are counted at (default: today)" },
		{ "min-days", &o_min_days, NULL, "N   only accounts more than N days past due "
		                                 "(default 0)" },
		{ "subtree", &o_subtree, NULL, "CODE   the org unit whose subtree is listed "
		                              "(default: --unit)" },
		{ NULL, NULL, NULL, NULL }
	};
	return opts;
}

static pcrm_date today(pcrm_ctx *ctx)
{
	pcrm_civil c;
	pcrm_date d = { 0, 0, 0 };
	if (pcrm_time_to_civil(pcrm_ctx_now(ctx), pcrm_ctx_utc_offset(ctx), &c) == PCRM_OK) {
		d.year = c.year;
		d.month = c.month;
		d.day = c.day;
	}
	return d;
}

int cli_run_dunning_list(struct cli *cli)
{
	pcrm_dunning_list *list = NULL;
	pcrm_date as_of;
	long min_days = 0;
	json_t *items;
	size_t n;
	int rc;

	if (o_min_days && (rc = cli_parse_int(cli, "--min-days", o_min_days, 0, 36500, &min_days)))
		return rc;
	if (o_as_of && (rc = cli_parse_date(cli, "--as-of", o_as_of, &as_of)) != CLI_EXIT_OK)
		return rc;
	if ((rc = cli_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (!o_as_of)
		as_of = today(cli->ctx);
	rc = pcrm_dunning_list_load(cli->ctx, &cli->actor, o_subtree ? o_subtree : cli->unit, as_of,
	                            (int)min_days, &list);
	if (rc != PCRM_OK)
		return cli_fail(cli, rc);
	n = pcrm_dunning_list_count(list);
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		const pcrm_dunning_item *it = pcrm_dunning_list_at(list, i);
		char arrears[64], due[16];
		snprintf(due, sizeof(due), "%04d-%02d-%02d", it->oldest_due.year, it->oldest_due.month,
		         it->oldest_due.day);
		if (cli->json)
			json_array_append_new(items,
			                      json_pack("{s:s, s:s, s:s, s:o, s:i, s:s, s:i, s:i}",
			                                "customer_no", it->customer_no, "account_no",
			                                it->account_no, "org_unit", it->org_unit,
			                                "arrears", cli_json_decimal(it->arrears),
			                                "open_items", it->open_items, "oldest_due", due,
			                                "days_past_due", it->days_past_due, "reminders",
			                                it->reminders));
		else
			printf("%-20s %-20s %-10s %12s  %d open, oldest due %s (%d days), %d reminders\n",
			       it->customer_no, it->account_no, it->org_unit,
			       cli_decimal_text(it->arrears, arrears, sizeof(arrears)), it->open_items, due,
			       it->days_past_due, it->reminders);
	}
	pcrm_dunning_list_free(list);
	if (cli->json)
		cli_json_out(cli, json_pack("{s:o}", "accounts", items));
	else {
		printf("%zu accounts in arrears\n", n);
		json_decref(items);
	}
	return CLI_EXIT_OK;
}
