/*
 * powercrm - the operator's command-line tool: what the subcommands share.
 *
 * The tool is built on the library's public API only (<powercrm.h>), as an
 * integrator's own program would be.  One file per group of subcommands
 * (cmd_*.c); this header holds the shared state of one invocation, the
 * option parser, the output (text or --json) and the exit codes.
 */
#ifndef POWERCRM_CLI_H
#define POWERCRM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <powercrm.h>

/*
 * Exit codes: scripts tell the kinds of failure apart by them (powercrm(1),
 * EXIT STATUS).  Stable: values are never renumbered.
 */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,     /* anything not below: a store error, out of memory */
	CLI_EXIT_USAGE = 2,       /* the command line is wrong */
	CLI_EXIT_BAD_INPUT = 3,   /* a file or value was refused (PCRM_EINVAL) */
	CLI_EXIT_NOT_FOUND = 4,   /* PCRM_ENOTFOUND, or a file that cannot be read */
	CLI_EXIT_DENIED = 5,      /* PCRM_EPERM: the actor may not do it */
	CLI_EXIT_CONFLICT = 6,    /* PCRM_ECONFLICT, PCRM_EDUPLICATE, PCRM_ESTATE */
	CLI_EXIT_INTEGRITY = 7,   /* PCRM_EINTEGRITY: tampering detected */
	CLI_EXIT_UNAVAILABLE = 8, /* the store cannot be reached or opened */
	CLI_EXIT_RETRY = 75,      /* PCRM_ERETRY: busy; run again (EX_TEMPFAIL) */
	CLI_EXIT_INTERRUPTED = 130 /* stopped by SIGINT/SIGTERM; committed batches stay */
};

/* What a command needs set up before it runs. */
#define CLI_NEEDS_STORE 1 /* --store (or POWERCRM_STORE) */
#define CLI_NEEDS_ACTOR 2 /* --unit too, and the actor built from the options */

/* One option of a subcommand: "--name VALUE" / "--name=VALUE", or a flag. */
struct cli_opt {
	const char *name;   /* without the leading "--" */
	const char **value; /* set for an option taking a value, NULL for a flag */
	int *flag;          /* set to 1 for a flag */
	const char *help;   /* "VALUE  what it is": shown by --help */
};

/* What one invocation runs with.  Filled by cli_setup() from options and environment. */
struct cli {
	const char *command;   /* "billing run": for messages */
	const char *store;     /* --store / POWERCRM_STORE */
	const char *key_file;  /* --key-file / POWERCRM_KEY_FILE */
	const char *operator_id;
	const char *role;
	const char *level;
	const char *unit;      /* --unit / POWERCRM_UNIT: the actor's org unit */
	int json;              /* --json: one JSON document on stdout */
	int quiet;             /* --quiet: no progress */
	const char *const *args; /* the positional arguments after the command words */
	int nargs;
	pcrm_ctx *ctx;
	pcrm_actor actor;
	unsigned char key[PCRM_DATA_KEY_LEN];
	int have_key;
};

/* A subcommand: its words, its options, what it needs, and its body. */
struct cli_command {
	const char *group;  /* "billing" */
	const char *name;   /* "run"; NULL for a one-word command ("init") */
	const char *args;   /* positional arguments for the usage line, "" for none */
	int min_args, max_args;
	int needs;          /* CLI_NEEDS_*: what cli_setup() must provide */
	const char *summary;
	/* Fills the command's options table (terminated by a NULL name) and returns it. */
	const struct cli_opt *(*options)(void);
	int (*run)(struct cli *cli);
};

extern const struct cli_command cli_commands[];

/* The subcommands (cmd_*.c): each an options table and a body. */
#define CLI_COMMAND(name) \
	const struct cli_opt *cli_opts_##name(void); \
	int cli_run_##name(struct cli *cli);
CLI_COMMAND(init)
CLI_COMMAND(import_customers)
CLI_COMMAND(export_customers)
CLI_COMMAND(tariff_publish)
CLI_COMMAND(tariff_import_urdb)
CLI_COMMAND(billing_run)
CLI_COMMAND(billing_post)
CLI_COMMAND(bank_reconcile)
CLI_COMMAND(dunning_list)
CLI_COMMAND(workorder_tick)
CLI_COMMAND(audit_verify)
CLI_COMMAND(audit_checkpoint)
CLI_COMMAND(reseal)
#undef CLI_COMMAND

/* ---- failures: message on stderr (and a JSON error with --json), exit code ---- */

/** The exit code for a library status. */
int cli_exit_for(int status);

/** Reports the library's last error for `status` ("powercrm billing run: ...") and returns the exit code. */
int cli_fail(struct cli *cli, int status);

/** Reports a failure of the tool's own (a file, a value) with `code`; printf-style. */
int cli_failf(struct cli *cli, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- setting up: options, environment, store, actor ---- */

/**
 * Completes `cli` from the environment (POWERCRM_STORE, POWERCRM_KEY_FILE,
 * POWERCRM_UNIT, POWERCRM_OPERATOR), checks the store URI holds no password,
 * reads the data key, and builds the actor, as `needs` (CLI_NEEDS_*) asks.
 */
int cli_setup(struct cli *cli, int needs);

/** Opens the store (migrating it) with the data key, when one is configured. */
int cli_open(struct cli *cli);

/** Reads a whole file ("-" is standard input) into a NUL-terminated buffer; *len may be NULL. */
int cli_read_file(struct cli *cli, const char *path, char **out, size_t *len);

/** Parses "YYYY-MM-DD" for option `name`; CLI_EXIT_USAGE naming it when malformed. */
int cli_parse_date(struct cli *cli, const char *name, const char *text, pcrm_date *out);

/** Parses a positive decimal integer for option `name` within [min, max]. */
int cli_parse_int(struct cli *cli, const char *name, const char *text, long min, long max,
                  long *out);

/* ---- output ---- */

/** With --json, prints `doc` (stolen) on stdout; without, nothing. */
void cli_json_out(struct cli *cli, json_t *doc);

/** A decimal as JSON: its exact text, never a float. */
json_t *cli_json_decimal(pcrm_decimal d);

/** Formats a decimal into buf (at least 48 bytes). */
const char *cli_decimal_text(pcrm_decimal d, char *buf, size_t size);

/* ---- progress (progress.c) ---- */

struct cli_progress;

/**
 * Starts reporting a long step on stderr: a bar on a terminal, plain lines
 * (at most one every few seconds) otherwise, nothing with --quiet.  `unit`
 * names what is counted ("customers"); `total` is 0 when unknown.
 */
struct cli_progress *cli_progress_start(struct cli *cli, const char *label, const char *unit,
                                        int64_t total);

/** A pcrm_progress_fn: updates the display; returns nonzero after SIGINT/SIGTERM. */
int cli_progress_report(int64_t done, void *progress);

/** Ends the display (the final count) and frees it; NULL is a no-op. */
void cli_progress_end(struct cli_progress *p, int64_t done);

/** Nonzero once SIGINT or SIGTERM arrived (the long step then stops at its next batch). */
int cli_interrupted(void);

/** Installs the SIGINT/SIGTERM handlers that ask long steps to stop cleanly. */
void cli_signals_install(void);

#endif
