/*
 * desktop: the agent desktop reference service (docs/desktop.md).
 *
 *   desktop --store URI --users FILE --simulate [--port N] [--static DIR]
 *           [--data DIR] [--data-key-file FILE]
 *   desktop --hash-password [ITERATIONS] < password
 *
 * Listens on 127.0.0.1 only: put a TLS-terminating reverse proxy in front of
 * it for anything but one machine.  --port 0 picks a free port; the chosen
 * one is printed ("desktop: listening on http://127.0.0.1:PORT/").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "desktop.h"

struct desk_service svc;

/* --simulate without a key file: a fixed key, good for a demonstration store only. */
static const unsigned char demo_key[PCRM_DATA_KEY_LEN] = "desktop-demo-key-not-for-real!!";

static void usage(void)
{
	fprintf(stderr, "usage: desktop --store URI --users FILE --simulate [--port N] [--static DIR]\n"
	                "               [--data DIR] [--data-key-file FILE]\n"
	                "       desktop --hash-password [ITERATIONS] < password\n");
	exit(2);
}

static int read_key(const char *path, unsigned char *key)
{
	FILE *f = fopen(path, "r");
	char hex[2 * PCRM_DATA_KEY_LEN + 2];
	if (!f)
		return -1;
	int ok = fgets(hex, sizeof(hex), f) != NULL && strlen(hex) >= 2 * PCRM_DATA_KEY_LEN;
	fclose(f);
	for (int i = 0; ok && i < PCRM_DATA_KEY_LEN; i++) {
		unsigned int b;
		ok = sscanf(hex + 2 * i, "%2x", &b) == 1;
		key[i] = (unsigned char)b;
	}
	return ok ? 0 : -1;
}

/*
 * Every connection is a descriptor: DESK_CONNECTIONS_MAX of them (500 agents'
 * event streams and their requests) do not fit the usual soft limit of 1024.
 * Raised as far as the hard limit allows; below what is needed, said once.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = DESK_CONNECTIONS_MAX + 64;  /* the store, the page's files, the listener */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		fprintf(stderr, "desktop: open-file limit %llu: fewer than %d connections possible\n",
		        (unsigned long long)rl.rlim_cur, DESK_CONNECTIONS_MAX);
}

/* The ACD: three queues and every user with a phone as an agent with the skills the users file gives. */
static char *acd_config(void)
{
	json_t *agents = json_array();
	for (size_t i = 0; i < svc.user_count; i++) {
		const struct desk_user *u = &svc.users[i];
		if (u->device[0])
			json_array_append_new(agents, json_pack("{s:s, s:O}", "id", u->id, "skills", u->skills));
	}
	json_t *doc = json_pack(
		"{s:i, s:i, s:i, s:[{s:s, s:i, s:i, s:s}, {s:s, s:i, s:i, s:s}, {s:s, s:i, s:i}], s:o}",
		"version", 1, "ring_timeout_s", 30, "max_misses", 2,
		"queues",
		"id", "billing", "wrap_up_s", 120, "ring_timeout_s", 30, "overflow", "general",
		"id", "repair", "wrap_up_s", 120, "ring_timeout_s", 30, "overflow", "general",
		"id", "general", "wrap_up_s", 120, "ring_timeout_s", 30,
		"agents", agents);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

int main(int argc, char **argv)
{
	const char *store = NULL, *users = NULL, *key_file = NULL;
	int port = 8080;
	snprintf(svc.static_dir, sizeof(svc.static_dir), "examples/desktop/static");
	snprintf(svc.data_dir, sizeof(svc.data_dir), "data");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--hash-password") == 0) {
			char pw[1024], out[256];
			int iterations = v ? atoi(v) : 600000;
			if (!fgets(pw, sizeof(pw), stdin))
				usage();
			pw[strcspn(pw, "\r\n")] = '\0';
			if (desk_password_hash(pw, iterations, out, sizeof(out)) != 0) {
				fprintf(stderr, "desktop: cannot hash (iterations must be at least 10000)\n");
				return 1;
			}
			puts(out);
			return 0;
		} else if (strcmp(a, "--simulate") == 0) {
			svc.simulate = 1;
		} else if (!v) {
			usage();
		} else if (strcmp(a, "--store") == 0) {
			store = argv[++i];
		} else if (strcmp(a, "--users") == 0) {
			users = argv[++i];
		} else if (strcmp(a, "--port") == 0) {
			port = atoi(argv[++i]);
		} else if (strcmp(a, "--static") == 0) {
			snprintf(svc.static_dir, sizeof(svc.static_dir), "%s", argv[++i]);
		} else if (strcmp(a, "--data") == 0) {
			snprintf(svc.data_dir, sizeof(svc.data_dir), "%s", argv[++i]);
		} else if (strcmp(a, "--data-key-file") == 0) {
			key_file = argv[++i];
		} else
			usage();
	}
	if (!store || !users || port < 0 || port > 65535)
		usage();
	if (!svc.simulate) {
		/* A real switch needs its own adapter (docs/adapter-guide.md); this reference has only the simulated one. */
		fprintf(stderr, "desktop: only --simulate is implemented (see docs/desktop.md)\n");
		return 2;
	}

	/* Signals are taken by sigwait() in http.c: block them before any thread starts. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&svc.lib, NULL);
	pthread_mutex_init(&svc.ev, NULL);
	pthread_cond_init(&svc.ev_cond, NULL);
	desk_sessions_init();
	desk_streams_init();
	raise_fd_limit();

	char err[512];
	if (desk_users_load(users, err, sizeof(err)) != 0) {
		fprintf(stderr, "desktop: %s\n", err);
		return 1;
	}
	unsigned char key[PCRM_DATA_KEY_LEN];
	if (key_file) {
		if (read_key(key_file, key) != 0) {
			fprintf(stderr, "desktop: %s: expected %d hex-encoded bytes\n", key_file, PCRM_DATA_KEY_LEN);
			return 1;
		}
	} else {
		memcpy(key, demo_key, sizeof(key));
		fprintf(stderr, "desktop: no --data-key-file: using the fixed demonstration key\n");
	}
	pcrm_ctx_options opts = PCRM_CTX_OPTIONS_INIT;
	opts.data_key = key;
	opts.data_key_len = sizeof(key);
	if (pcrm_ctx_open(&svc.ctx, store, &opts) != PCRM_OK) {
		fprintf(stderr, "desktop: store: %s\n", pcrm_error_last());
		return 1;
	}
	if (desk_seed(svc.data_dir) != 0) {
		pcrm_ctx_close(svc.ctx);
		return 1;
	}
	char *acd_json = acd_config();
	int rc = acd_json ? desk_switch_start(acd_json, err, sizeof(err)) : -1;
	free(acd_json);
	if (rc != 0) {
		fprintf(stderr, "desktop: %s\n", err);
		return 1;
	}
	rc = desk_http_run(port);
	desk_switch_stop();
	pcrm_ctx_close(svc.ctx);
	for (size_t i = 0; i < svc.user_count; i++)
		json_decref(svc.users[i].skills);
	desk_streams_free();
	return rc == 0 ? 0 : 1;
}
