/*
 * powercrm - the operator's command-line tool: finding the subcommand,
 * parsing options (global ones anywhere on the line), running it.
 *
 *   powercrm [--store URI] [--unit CODE] [--json] ... GROUP [NAME] [ARGS] [OPTIONS]
 *
 * Options are "--name VALUE", "--name=VALUE" or "--flag"; "--" ends them.
 * Whether a word is an option's value is known from the tables, so global
 * options may come before or after the command words, as in
 * "powercrm billing run --period 2026-11 --unit 37".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static struct cli g_cli;
static int g_help, g_version;

static const struct cli_opt global_options[] = {
	{ "store", &g_cli.store, NULL, "URI        the store (or POWERCRM_STORE): sqlite:PATH, "
	                               "postgresql://... without a password" },
	{ "key-file", &g_cli.key_file, NULL, "PATH    the data key, mode 0600 (or POWERCRM_KEY_FILE)" },
	{ "unit", &g_cli.unit, NULL, "CODE        the org unit acted in (or POWERCRM_UNIT)" },
	{ "operator", &g_cli.operator_id, NULL, "ID  operator id recorded in the audit log "
	                                        "(or POWERCRM_OPERATOR; default: login name)" },
	{ "role", &g_cli.role, NULL, "ROLE        system (default), admin, data_clerk, monitor, agent" },
	{ "level", &g_cli.level, NULL, "N          1..3 (default 3)" },
	{ "json", NULL, &g_cli.json, "            one JSON document on standard output" },
	{ "quiet", NULL, &g_cli.quiet, "           no progress display" },
	{ "help", NULL, &g_help, "            this help" },
	{ "version", NULL, &g_version, "         the tool's and the library's version" },
	{ NULL, NULL, NULL, NULL }
};

static const struct cli_opt *find_opt(const struct cli_opt *table, const char *name, size_t len)
{
	for (; table && table->name; table++)
		if (strlen(table->name) == len && strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

/* Does any command (or the global table) know "--name" as taking a value? */
static int takes_value(const char *name, size_t len)
{
	const struct cli_opt *o = find_opt(global_options, name, len);
	if (o)
		return o->value != NULL;
	for (const struct cli_command *c = cli_commands; c->group; c++)
		if ((o = find_opt(c->options(), name, len)))
			return o->value != NULL;
	return 0;
}

/* "--name META   what it is": a help text is "META  what it is" (META may be empty). */
static void print_opt(FILE *f, const struct cli_opt *o)
{
	const char *gap = strstr(o->help, "  ");
	size_t meta = gap ? (size_t)(gap - o->help) : 0;
	char left[48];
	const char *desc = gap ? gap : o->help;
	while (*desc == ' ')
		desc++;
	snprintf(left, sizeof(left), "--%s%s%.*s", o->name, meta ? " " : "", (int)meta, o->help);
	fprintf(f, "  %-24s %s\n", left, desc);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: powercrm [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (const struct cli_command *c = cli_commands; c->group; c++) {
		char words[64];
		snprintf(words, sizeof(words), "%s%s%s %s", c->group, c->name ? " " : "",
		         c->name ? c->name : "", c->args);
		fprintf(f, "  %-34s %s\n", words, c->summary);
	}
	fprintf(f, "\noptions of every command:\n");
	for (const struct cli_opt *o = global_options; o->name; o++)
		print_opt(f, o);
	fprintf(f, "\n\"powercrm COMMAND --help\" lists a command's options; man powercrm says more.\n");
}

static void print_command_usage(const struct cli_command *c)
{
	printf("usage: powercrm %s%s%s%s%s [OPTIONS]\n%s\n", c->group, c->name ? " " : "",
	       c->name ? c->name : "", *c->args ? " " : "", c->args, c->summary);
	if (c->options()->name)
		printf("\noptions:\n");
	for (const struct cli_opt *o = c->options(); o->name; o++)
		print_opt(stdout, o);
	printf("\n\"powercrm --help\" lists the options of every command.\n");
}

/* The command the leading positional words name, or NULL. */
static const struct cli_command *find_command(const char *const *words, int n, int *used)
{
	for (const struct cli_command *c = cli_commands; c->group; c++) {
		if (n < 1 || strcmp(words[0], c->group) != 0)
			continue;
		if (!c->name) {
			*used = 1;
			return c;
		}
		if (n >= 2 && strcmp(words[1], c->name) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

static int set_option(const struct cli_command *cmd, const char *arg, const char *value)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = find_opt(global_options, name, len);
	if (!o && cmd)
		o = find_opt(cmd->options(), name, len);
	if (!o) {
		fprintf(stderr, "powercrm: unknown option --%.*s%s%s%s\n", (int)len, name,
		        cmd ? " for \"" : "", cmd ? cmd->group : "", cmd ? "\"" : "");
		return CLI_EXIT_USAGE;
	}
	if (o->flag) {
		if (eq) {
			fprintf(stderr, "powercrm: --%s takes no value\n", o->name);
			return CLI_EXIT_USAGE;
		}
		*o->flag = 1;
		return CLI_EXIT_OK;
	}
	if (!eq && !value) {
		fprintf(stderr, "powercrm: --%s needs a value\n", o->name);
		return CLI_EXIT_USAGE;
	}
	*o->value = eq ? eq + 1 : value;
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char **words = calloc((size_t)argc + 1, sizeof(*words));
	const struct cli_command *cmd;
	int nwords = 0, used = 0, rc, options_done = 0;

	if (!words)
		return CLI_EXIT_FAILURE;
	/* first pass: the positional words (an option's value is not one) */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!options_done && strcmp(a, "--") == 0) {
			options_done = 1;
		} else if (!options_done && strncmp(a, "--", 2) == 0) {
			const char *eq = strchr(a + 2, '=');
			if (!eq && takes_value(a + 2, strlen(a + 2)) && i + 1 < argc)
				i++;
		} else {
			words[nwords++] = a;
		}
	}
	cmd = find_command(words, nwords, &used);
	/* second pass: the options, against the global table and the command's */
	options_done = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options_done || strncmp(a, "--", 2) != 0)
			continue;
		if (strcmp(a, "--") == 0) {
			options_done = 1;
			continue;
		}
		{
			const char *eq = strchr(a + 2, '=');
			int has_next = !eq && takes_value(a + 2, strlen(a + 2)) && i + 1 < argc;
			rc = set_option(cmd, a, has_next ? argv[i + 1] : NULL);
			if (rc != CLI_EXIT_OK) {
				free(words);
				return rc;
			}
			if (has_next)
				i++;
		}
	}
	if (g_version) {
		printf("powercrm %s (libpowercrm %s, schema %d)\n", PCRM_VERSION_STRING, pcrm_version(),
		       pcrm_schema_version_latest());
		free(words);
		return CLI_EXIT_OK;
	}
	if (!cmd) {
		if (nwords > 0 && !g_help)
			fprintf(stderr, "powercrm: unknown command \"%s%s%s\"\n", words[0],
			        nwords > 1 ? " " : "", nwords > 1 ? words[1] : "");
		print_usage(g_help && nwords == 0 ? stdout : stderr);
		free(words);
		return g_help && nwords == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (g_help) {
		print_command_usage(cmd);
		free(words);
		return CLI_EXIT_OK;
	}
	g_cli.args = words + used;
	g_cli.nargs = nwords - used;
	if (g_cli.nargs < cmd->min_args || g_cli.nargs > cmd->max_args) {
		fprintf(stderr, "powercrm %s%s%s: expected %s%s\n", cmd->group, cmd->name ? " " : "",
		        cmd->name ? cmd->name : "", *cmd->args ? "arguments " : "no arguments",
		        cmd->args);
		free(words);
		return CLI_EXIT_USAGE;
	}
	{
		char label[64];
		snprintf(label, sizeof(label), "%s%s%s", cmd->group, cmd->name ? " " : "",
		         cmd->name ? cmd->name : "");
		g_cli.command = label;
		cli_signals_install();
		rc = cli_setup(&g_cli, cmd->needs_actor);
		if (rc == CLI_EXIT_OK)
			rc = cmd->run(&g_cli);
		pcrm_ctx_close(g_cli.ctx);
		g_cli.command = NULL;
	}
	free(words);
	return rc;
}
