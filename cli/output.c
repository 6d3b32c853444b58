/*
 * powercrm - output and failures: text for people, --json for scripts, and
 * exit codes that tell the kinds of failure apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_exit_for(int status)
{
	switch (status) {
	case PCRM_OK:
		return CLI_EXIT_OK;
	case PCRM_EINVAL:
	case PCRM_EOVERFLOW:
		return CLI_EXIT_BAD_INPUT;
	case PCRM_ENOTFOUND:
		return CLI_EXIT_NOT_FOUND;
	case PCRM_EPERM:
		return CLI_EXIT_DENIED;
	case PCRM_ECONFLICT:
	case PCRM_EDUPLICATE:
	case PCRM_ESTATE:
		return CLI_EXIT_CONFLICT;
	case PCRM_EINTEGRITY:
		return CLI_EXIT_INTEGRITY;
	case PCRM_ECONNECTION:
	case PCRM_ENOTDB:
	case PCRM_ESCHEMA:
		return CLI_EXIT_UNAVAILABLE;
	case PCRM_ERETRY:
		return CLI_EXIT_RETRY;
	default:
		return CLI_EXIT_FAILURE;
	}
}

/* A stable name for scripts reading --json errors. */
static const char *exit_name(int code)
{
	switch (code) {
	case CLI_EXIT_USAGE: return "usage";
	case CLI_EXIT_BAD_INPUT: return "bad_input";
	case CLI_EXIT_NOT_FOUND: return "not_found";
	case CLI_EXIT_DENIED: return "permission_denied";
	case CLI_EXIT_CONFLICT: return "conflict";
	case CLI_EXIT_INTEGRITY: return "integrity";
	case CLI_EXIT_UNAVAILABLE: return "unavailable";
	case CLI_EXIT_RETRY: return "retry";
	case CLI_EXIT_INTERRUPTED: return "interrupted";
	default: return "failure";
	}
}

static int report(struct cli *cli, int code, const char *message)
{
	const char *cmd = cli->command ? cli->command : "";
	fprintf(stderr, "powercrm%s%s: %s\n", *cmd ? " " : "", cmd, message);
	if (cli->json) {
		json_t *doc = json_pack("{s:{s:s, s:s, s:i}}", "error", "kind", exit_name(code),
		                        "message", message, "exit_code", code);
		cli_json_out(cli, doc);
	}
	return code;
}

int cli_fail(struct cli *cli, int status)
{
	const char *msg = pcrm_error_last();
	int code = cli_exit_for(status);
	char buf[2048];

	/* a stop asked for by Ctrl-C comes back as PCRM_ESTATE from the progress callback */
	if (status == PCRM_ESTATE && cli_interrupted())
		code = CLI_EXIT_INTERRUPTED;
	if (!msg || !*msg)
		msg = pcrm_strerror(status);
	snprintf(buf, sizeof(buf), "%s%s", msg,
	         code == CLI_EXIT_INTERRUPTED ? " (interrupted; committed batches stay, run the "
	                                        "command again to finish)" : "");
	return report(cli, code, buf);
}

int cli_failf(struct cli *cli, int code, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return report(cli, code, buf);
}

int cli_read_file(struct cli *cli, const char *path, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!f)
		return cli_failf(cli, CLI_EXIT_NOT_FOUND, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (cap - n < 65536) {
			char *bigger = realloc(buf, cap * 2 + 65536 + 1);
			if (!bigger) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return cli_failf(cli, CLI_EXIT_FAILURE, "%s: out of memory", path);
			}
			buf = bigger;
			cap = cap * 2 + 65536;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		if (f != stdin)
			fclose(f);
		return cli_failf(cli, CLI_EXIT_FAILURE, "%s: %s", path, strerror(e));
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return CLI_EXIT_OK;
}

int cli_parse_date(struct cli *cli, const char *name, const char *text, pcrm_date *out)
{
	if (pcrm_date_parse(text, out) != PCRM_OK)
		return cli_failf(cli, CLI_EXIT_USAGE, "%s: \"%s\" is not a date (YYYY-MM-DD)", name,
		                 text);
	return CLI_EXIT_OK;
}

int cli_parse_int(struct cli *cli, const char *name, const char *text, long min, long max,
                  long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return cli_failf(cli, CLI_EXIT_USAGE, "%s: \"%s\" is not a whole number in %ld..%ld",
		                 name, text, min, max);
	*out = v;
	return CLI_EXIT_OK;
}

void cli_json_out(struct cli *cli, json_t *doc)
{
	if (!cli->json || !doc) {
		json_decref(doc);
		return;
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(doc);
}

const char *cli_decimal_text(pcrm_decimal d, char *buf, size_t size)
{
	if (pcrm_decimal_format(d, buf, size) != PCRM_OK)
		snprintf(buf, size, "?");
	return buf;
}

json_t *cli_json_decimal(pcrm_decimal d)
{
	char buf[64];
	return json_string(cli_decimal_text(d, buf, sizeof(buf)));
}
