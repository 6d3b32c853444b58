/*
 * powercrm - setting an invocation up: environment, the store URI, the data
 * key, the actor, opening the store.
 *
 * Credentials never come from the command line, where `ps` and the shell's
 * history show them to others: a PostgreSQL password is libpq's business
 * (PGPASSWORD, a service file, ~/.pgpass), and a store URI holding one is
 * refused.  The data key comes from a file only its owner can read.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *env_or(const char *value, const char *name)
{
	const char *e;
	if (value)
		return value;
	e = getenv(name);
	return e && *e ? e : NULL;
}

/* The libpq conninfo of a store URI, or NULL when it is not PostgreSQL's. */
static const char *pg_conninfo(const char *uri)
{
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
		return uri;
	if (strncmp(uri, "postgresql:", 11) == 0)
		return uri + 11;
	return NULL;
}

static int refuse_password(struct cli *cli, const char *uri)
{
	const char *conninfo = pg_conninfo(uri);
	PQconninfoOption *opts;
	char *err = NULL;
	int has_password = 0;

	if (!conninfo)
		return CLI_EXIT_OK;
	opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		/* libpq's message may quote the string: never echo it, it may hold a secret */
		PQfreemem(err);
		return cli_failf(cli, CLI_EXIT_USAGE, "--store: not a valid PostgreSQL connection URI "
		                                      "or conninfo string");
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			has_password = 1;
	PQconninfoFree(opts);
	if (has_password)
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--store: the URI holds a password; give it to libpq through "
		                 "PGPASSWORD, a service file (PGSERVICE) or ~/.pgpass instead, never "
		                 "on the command line, where ps and the shell history show it");
	return CLI_EXIT_OK;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The key file holds the 32-byte key raw or as 64 hex digits (a trailing
 * newline allowed), and must be readable by its owner only, as ssh demands
 * of private keys.
 */
static int read_key(struct cli *cli)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (stat(cli->key_file, &st) != 0)
		return cli_failf(cli, CLI_EXIT_NOT_FOUND, "--key-file %s: %s", cli->key_file,
		                 strerror(errno));
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--key-file %s: readable by others (mode %04o); make it private "
		                 "with chmod 600",
		                 cli->key_file, (unsigned)(st.st_mode & 07777));
	rc = cli_read_file(cli, cli->key_file, &text, &len);
	if (rc != CLI_EXIT_OK)
		return rc;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len == PCRM_DATA_KEY_LEN) {
		memcpy(cli->key, text, PCRM_DATA_KEY_LEN);
	} else if (len == 2 * PCRM_DATA_KEY_LEN) {
		for (size_t i = 0; i < PCRM_DATA_KEY_LEN; i++) {
			int hi = hex_value((unsigned char)text[2 * i]);
			int lo = hex_value((unsigned char)text[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				free(text);
				return cli_failf(cli, CLI_EXIT_BAD_INPUT,
				                 "--key-file %s: not 64 hex digits", cli->key_file);
			}
			cli->key[i] = (unsigned char)(hi * 16 + lo);
		}
	} else {
		free(text);
		return cli_failf(cli, CLI_EXIT_BAD_INPUT,
		                 "--key-file %s: holds %zu bytes; expected the %d-byte key raw or as "
		                 "%d hex digits",
		                 cli->key_file, len, PCRM_DATA_KEY_LEN, 2 * PCRM_DATA_KEY_LEN);
	}
	/* the copy read from the file is a secret too */
	memset(text, 0, len);
	free(text);
	cli->have_key = 1;
	return CLI_EXIT_OK;
}

static const char *login_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "powercrm";
}

static int build_actor(struct cli *cli)
{
	long level = 3;
	pcrm_role role = PCRM_ROLE_SYSTEM;
	int rc;

	if (!cli->unit)
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--unit: missing; name the org unit this command acts in "
		                 "(or set POWERCRM_UNIT)");
	if (cli->role && pcrm_role_parse(cli->role, &role) != PCRM_OK)
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--role: \"%s\" is not one of system, admin, agent, data_clerk, monitor",
		                 cli->role);
	if (cli->level) {
		rc = cli_parse_int(cli, "--level", cli->level, PCRM_LEVEL_MIN, PCRM_LEVEL_MAX, &level);
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	cli->actor.operator_id = cli->operator_id;
	cli->actor.role = role;
	cli->actor.level = (int)level;
	cli->actor.org_unit = cli->unit;
	if (pcrm_actor_validate(&cli->actor) != PCRM_OK)
		return cli_fail(cli, PCRM_EINVAL);
	return CLI_EXIT_OK;
}

int cli_setup(struct cli *cli, int needs_actor)
{
	int rc;

	cli->store = env_or(cli->store, "POWERCRM_STORE");
	cli->key_file = env_or(cli->key_file, "POWERCRM_KEY_FILE");
	cli->unit = env_or(cli->unit, "POWERCRM_UNIT");
	cli->operator_id = env_or(cli->operator_id, "POWERCRM_OPERATOR");
	if (!cli->operator_id)
		cli->operator_id = login_name();
	if (!cli->store)
		return cli_failf(cli, CLI_EXIT_USAGE,
		                 "--store: missing; name the store (sqlite:PATH or postgresql://...) "
		                 "or set POWERCRM_STORE");
	rc = refuse_password(cli, cli->store);
	if (rc == CLI_EXIT_OK && cli->key_file)
		rc = read_key(cli);
	if (rc == CLI_EXIT_OK && needs_actor)
		rc = build_actor(cli);
	return rc;
}

int cli_open(struct cli *cli)
{
	pcrm_ctx_options opts;
	int rc = pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	if (rc == PCRM_OK && cli->have_key) {
		opts.data_key = cli->key;
		opts.data_key_len = PCRM_DATA_KEY_LEN;
	}
	if (rc == PCRM_OK)
		rc = pcrm_ctx_open(&cli->ctx, cli->store, &opts);
	/* the library derived its keys: the tool's copy is not needed any more */
	memset(cli->key, 0, sizeof(cli->key));
	return rc == PCRM_OK ? CLI_EXIT_OK : cli_fail(cli, rc);
}
