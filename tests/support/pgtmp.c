/*
 * The throwaway PostgreSQL server for the tests (the interface is pgtmp.h).
 *
 * Life cycle, as Criterion 2.4 runs a test program:
 *
 *   - The runner process calls pcrm_test_pg_start() from a PRE_ALL hook,
 *     before any worker exists.  It runs `initdb` and `pg_ctl start` in a
 *     fresh /tmp/pcrm-pg-XXXXXX and exports the socket directory, port and
 *     its own pid as PCRM_TEST_PG_HOST / _PORT / _OWNER_PID.
 *   - BoxFort starts every worker with fork() + exec() of the test binary,
 *     so the workers share none of the runner's memory: the environment is
 *     the only thing that reaches them, and pcrm_test_pg_new_database() reads
 *     it from there.
 *   - The runner calls pcrm_test_pg_stop() from POST_ALL: `pg_ctl stop -m
 *     immediate`, then the directory is removed.
 *
 * A server must never outlive its test program, so stopping has three more
 * layers behind POST_ALL:
 *
 *   1. atexit() in the owner, for a runner that exits without reaching
 *      POST_ALL.  Only the owner pid acts, so a forked child that calls exit()
 *      leaves the server alone.
 *   2. A watchdog process, for a runner that dies without exiting: killed by
 *      meson's timeout (which signals the whole process group), by Ctrl-C or
 *      by a crash of its own.  The watchdog is a grandchild in a session of
 *      its own, so those signals do not reach it, and it blocks reading a pipe
 *      whose only write end the owner holds (close-on-exec, so workers and
 *      the server do not keep it open).  When the owner dies the kernel
 *      closes that end, the read returns end-of-file and the watchdog stops
 *      the server and removes the directory.  A normal stop writes one byte
 *      first, which dismisses it.  Being a grandchild matters for a second
 *      reason: BoxFort's child pump loops on waitid(P_ALL, WNOWAIT), and an
 *      unreaped zombie of ours would keep it spinning.
 *   3. PostgreSQL itself rechecks its data directory lock file every minute
 *      and shuts down when the file has disappeared, so even a server whose
 *      stop failed goes away shortly after its directory is removed.
 *
 * Tests may run as root, which initdb and pg_ctl refuse.  Then both run as
 * an unprivileged user ("nobody", or PCRM_TEST_PG_RUN_AS) that owns the
 * directory; root's connections reach the socket regardless.
 *
 * Knobs, all optional: PCRM_TEST_PG_URI (use that server, start nothing),
 * PCRM_TEST_PG_BINDIR (where initdb and pg_ctl are; no other place is tried),
 * PCRM_TEST_PG_RUN_AS (the user when root).
 */

/*
 * The build defines _POSIX_C_SOURCE=200809L.  nftw() is in the XSI part of
 * the same standard (SUSv4, _XOPEN_SOURCE 700), and setgroups() is not POSIX
 * at all: glibc declares it in <grp.h> under _DEFAULT_SOURCE.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgtmp.h"

#define SUPERUSER "pcrm_test"
#define DIR_TEMPLATE "/tmp/pcrm-pg-XXXXXX"

#define ENV_URI "PCRM_TEST_PG_URI"
#define ENV_HOST "PCRM_TEST_PG_HOST"
#define ENV_PORT "PCRM_TEST_PG_PORT"
#define ENV_OWNER "PCRM_TEST_PG_OWNER_PID"
#define ENV_ERROR "PCRM_TEST_PG_ERROR"
#define ENV_BINDIR "PCRM_TEST_PG_BINDIR"
#define ENV_RUN_AS "PCRM_TEST_PG_RUN_AS"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Only meaningful in the process that started the server (workers never see it: they exec). */
static struct {
	int running;
	pid_t owner;
	char dir[sizeof(DIR_TEMPLATE)];
	char bindir[PATH_MAX];
	int port;
	int drop_privileges;
	uid_t uid;
	gid_t gid;
	int watchdog_fd;
	int atexit_registered;
	int durable; /* started by pcrm_test_pg_start_durable() */
} server = { .watchdog_fd = -1 };

/* The database made last by this process, for pcrm_test_pg_drop_database(). */
static char last_db[64];
static unsigned int db_counter;
static char uri_buf[4096];

static void set_why(char *why, unsigned long why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, unsigned long why_size, const char *fmt, ...)
{
	va_list ap;

	if (!why || why_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
}

/*
 * The end of a log file on one line, for a skip or failure message: the
 * reason initdb or the server gave is almost always in its last lines.
 */
static void log_tail(const char *path, char *out, size_t out_size)
{
	char buf[600];
	size_t n = 0, o = 0;
	long size;
	FILE *f;

	out[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > (long)sizeof(buf) - 1)
		(void)fseek(f, size - (long)sizeof(buf) + 1, SEEK_SET);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n && o + 3 < out_size; i++) {
		if (buf[i] == '\n') {
			if (o > 0 && i + 1 < n) {
				out[o++] = ' ';
				out[o++] = '|';
				out[o++] = ' ';
			}
		} else {
			out[o++] = buf[i];
		}
	}
	out[o] = '\0';
}

static int is_dir_with_tools(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/initdb", dir) >= (int)sizeof(path) ||
	    access(path, X_OK) != 0)
		return 0;
	if (snprintf(path, sizeof(path), "%s/pg_ctl", dir) >= (int)sizeof(path) ||
	    access(path, X_OK) != 0)
		return 0;
	return 1;
}

static int copy_dir(char *out, size_t out_size, const char *dir)
{
	if (strlen(dir) >= out_size)
		return 0;
	memcpy(out, dir, strlen(dir) + 1);
	return 1;
}

/* Debian installs the server under /usr/lib/postgresql/<major>/bin; take the newest. */
static int find_debian_bindir(char *out, size_t out_size)
{
	glob_t g;
	long best = -1;
	size_t best_i = 0;

	if (glob("/usr/lib/postgresql/*/bin", GLOB_NOSORT, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *major = g.gl_pathv[i] + strlen("/usr/lib/postgresql/");
		long v = strtol(major, NULL, 10);
		if (v > best && is_dir_with_tools(g.gl_pathv[i])) {
			best = v;
			best_i = i;
		}
	}
	if (best >= 0 && !copy_dir(out, out_size, g.gl_pathv[best_i]))
		best = -1;
	globfree(&g);
	return best >= 0;
}

static int find_pg_config_bindir(char *out, size_t out_size)
{
	char line[PATH_MAX];
	FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
	int ok = 0;

	if (!p)
		return 0;
	if (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\r\n")] = '\0';
		ok = line[0] && is_dir_with_tools(line) && copy_dir(out, out_size, line);
	}
	pclose(p);
	return ok;
}

static int find_path_bindir(char *out, size_t out_size)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	while (path && *path) {
		size_t len = strcspn(path, ":");
		if (len > 0 && len < sizeof(dir)) {
			memcpy(dir, path, len);
			dir[len] = '\0';
			if (is_dir_with_tools(dir))
				return copy_dir(out, out_size, dir);
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return 0;
}

static int find_bindir(char *out, size_t out_size, char *why, unsigned long why_size)
{
	const char *forced = getenv(ENV_BINDIR);

	/* An explicit choice is final: falling back elsewhere would hide a typo. */
	if (forced && *forced) {
		if (is_dir_with_tools(forced) && copy_dir(out, out_size, forced))
			return 0;
		set_why(why, why_size, "%s=%s has no executable initdb and pg_ctl", ENV_BINDIR,
		        forced);
		return -1;
	}
	if (find_debian_bindir(out, out_size) || find_pg_config_bindir(out, out_size) ||
	    find_path_bindir(out, out_size))
		return 0;
	set_why(why, why_size,
	        "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, "
	        "`pg_config --bindir` or PATH; install the postgresql package or set %s",
	        ENV_BINDIR);
	return -1;
}

/*
 * The highest file descriptor open now.  A child closes everything above
 * stderr up to it before exec: the runner holds Criterion's sockets and
 * BoxFort's arena without close-on-exec, and a postmaster that inherited
 * them (or meson's output pipe) would keep them open for its whole life.
 */
static int highest_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int max = 2;

	if (!d) {
		long open_max = sysconf(_SC_OPEN_MAX);
		return open_max > 0 && open_max < 4096 ? (int)open_max - 1 : 4095;
	}
	while ((e = readdir(d)) != NULL) {
		long fd = strtol(e->d_name, NULL, 10);
		if (fd > max && fd < INT_MAX)
			max = (int)fd;
	}
	closedir(d);
	return max;
}

static void child_fail(const char *what)
{
	/* Only async-signal-safe calls between fork() and exec(): the runner has threads. */
	ssize_t ignored = write(2, what, strlen(what));
	(void)ignored;
	_exit(127);
}

/* In a freshly forked child: a clean process state, then the unprivileged user if needed. */
static void child_setup(int in_fd, int out_fd, int max_fd, int keep_fd)
{
	struct sigaction dfl;
	sigset_t none;

	/*
	 * The runner blocks SIGCHLD and may ignore SIGINT/SIGQUIT; both survive
	 * exec and would confuse the postmaster's own signal handling.
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	for (int fd = 3; fd <= max_fd; fd++)
		if (fd != keep_fd)
			(void)close(fd);
	if (chdir(server.dir) != 0)
		child_fail("pgtmp: chdir to the server directory failed\n");
	if (server.drop_privileges) {
		if (setgroups(1, &server.gid) != 0)
			child_fail("pgtmp: setgroups failed\n");
		if (setgid(server.gid) != 0)
			child_fail("pgtmp: setgid failed\n");
		if (setuid(server.uid) != 0)
			child_fail("pgtmp: setuid failed\n");
	}
}

/*
 * Runs server.bindir/<tool> with `argv` (argv[0] is the tool name) as the
 * server's user, output appended to `log_path`, and waits for it.  Returns
 * the exit status, or -1 when it could not run or died of a signal.
 */
static int run_tool(const char *tool, const char *const argv[], const char *log_path)
{
	char path[PATH_MAX];
	int in_fd, out_fd, max_fd, status;
	pid_t pid, r;

	if (snprintf(path, sizeof(path), "%s/%s", server.bindir, tool) >= (int)sizeof(path))
		return -1;
	in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (in_fd < 0 || out_fd < 0) {
		if (in_fd >= 0)
			close(in_fd);
		if (out_fd >= 0)
			close(out_fd);
		return -1;
	}
	max_fd = highest_fd();
	pid = fork();
	if (pid == 0) {
		child_setup(in_fd, out_fd, max_fd, -1);
		execv(path, (char *const *)argv);
		child_fail("pgtmp: exec failed\n");
	}
	close(in_fd);
	close(out_fd);
	if (pid < 0)
		return -1;
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

/* `pg_ctl stop -m immediate`: no checkpoint, every backend killed; returns pg_ctl's status. */
static int pg_ctl_stop_immediate(void)
{
	char data[sizeof(server.dir) + 8], log[sizeof(server.dir) + 16];
	const char *argv[] = { "pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop",
		               NULL };

	snprintf(data, sizeof(data), "%s/data", server.dir);
	snprintf(log, sizeof(log), "%s/pg_ctl.log", server.dir);
	return run_tool("pg_ctl", argv, log);
}

/* Stops the server if it runs, then removes the directory.  Used by the owner and the watchdog. */
static void stop_and_remove(void)
{
	char pidfile[sizeof(server.dir) + 32];

	snprintf(pidfile, sizeof(pidfile), "%s/data/postmaster.pid", server.dir);
	/* Immediate: the databases are thrown away, so nothing needs to reach the disk. */
	if (access(pidfile, F_OK) == 0)
		(void)pg_ctl_stop_immediate();
	/*
	 * Even when pg_ctl failed: the postmaster notices within a minute that
	 * its lock file is gone and shuts itself down.
	 */
	(void)nftw(server.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * The watchdog (see the top of the file).  Returns the write end of its
 * pipe, or -1 when it could not be made; the tests still run then, only
 * without protection against a killed runner.
 */
static int spawn_watchdog(void)
{
	int fds[2], null_fd, max_fd, status;
	pid_t pid, r;

	if (pipe(fds) != 0)
		return -1;
	(void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	max_fd = highest_fd();
	pid = fork();
	if (pid == 0) {
		char byte;
		ssize_t n;

		/* Out of the runner's process group, so meson's kill does not reach us. */
		(void)setsid();
		if (fork() != 0)
			_exit(0);
		/*
		 * Stay root here (when root): the directory must be removable
		 * whatever happens; run_tool() drops privileges for pg_ctl.  Its
		 * output goes nowhere: nobody reads the runner's stderr any more
		 * when this runs, and holding meson's pipe would delay the test's end.
		 */
		{
			struct sigaction ign;
			sigset_t none;
			memset(&ign, 0, sizeof(ign));
			ign.sa_handler = SIG_IGN;
			sigemptyset(&ign.sa_mask);
			(void)sigaction(SIGINT, &ign, NULL);
			(void)sigaction(SIGHUP, &ign, NULL);
			(void)sigaction(SIGPIPE, &ign, NULL);
			/* Ignored SIGCHLD would reap pg_ctl behind run_tool()'s back. */
			ign.sa_handler = SIG_DFL;
			(void)sigaction(SIGCHLD, &ign, NULL);
			sigemptyset(&none);
			(void)sigprocmask(SIG_SETMASK, &none, NULL);
		}
		(void)dup2(null_fd, 0);
		(void)dup2(null_fd, 1);
		(void)dup2(null_fd, 2);
		for (int fd = 3; fd <= max_fd; fd++)
			if (fd != fds[0])
				(void)close(fd);
		do
			n = read(fds[0], &byte, 1);
		while (n < 0 && errno == EINTR);
		/*
		 * This process was forked from a threaded runner and never execs,
		 * yet stop_and_remove() allocates: glibc resets its malloc and
		 * stdio locks in the child of fork(), which makes that safe here.
		 */
		if (n != 1)
			stop_and_remove();
		_exit(0);
	}
	close(fds[0]);
	close(null_fd);
	if (pid < 0) {
		close(fds[1]);
		return -1;
	}
	/* Reap the middle process at once; the watchdog itself is now init's child. */
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	return fds[1];
}

static void dismiss_watchdog(void)
{
	if (server.watchdog_fd < 0)
		return;
	if (write(server.watchdog_fd, "q", 1) != 1) {
		/* It will see end-of-file instead and find nothing left to stop. */
	}
	close(server.watchdog_fd);
	server.watchdog_fd = -1;
}

static void stop_at_exit(void)
{
	pcrm_test_pg_stop();
}

/* A server some ancestor started and still owns: the "once per process tree" case. */
static int inherited_server_alive(void)
{
	const char *host = getenv(ENV_HOST), *port = getenv(ENV_PORT), *owner = getenv(ENV_OWNER);
	char socket_path[PATH_MAX];
	struct stat st;
	long pid;

	if (!host || !port || !owner)
		return 0;
	pid = strtol(owner, NULL, 10);
	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
		return 0;
	snprintf(socket_path, sizeof(socket_path), "%s/.s.PGSQL.%s", host, port);
	return stat(socket_path, &st) == 0;
}

static void export_location(void)
{
	char value[32];

	setenv(ENV_HOST, server.dir, 1);
	snprintf(value, sizeof(value), "%d", server.port);
	setenv(ENV_PORT, value, 1);
	snprintf(value, sizeof(value), "%ld", (long)server.owner);
	setenv(ENV_OWNER, value, 1);
	unsetenv(ENV_ERROR);
}

static void unexport_location(void)
{
	unsetenv(ENV_HOST);
	unsetenv(ENV_PORT);
	unsetenv(ENV_OWNER);
}

static int choose_user(char *why, unsigned long why_size)
{
	const char *name = getenv(ENV_RUN_AS);
	struct passwd *pw;

	server.drop_privileges = 0;
	if (geteuid() != 0)
		return 0;
	if (!name || !*name)
		name = "nobody";
	pw = getpwnam(name);
	if (!pw) {
		set_why(why, why_size,
		        "running as root, which initdb refuses, and there is no user \"%s\" to run "
		        "PostgreSQL as (set %s)",
		        name, ENV_RUN_AS);
		return -1;
	}
	if (pw->pw_uid == 0) {
		set_why(why, why_size, "%s=%s is root; initdb refuses root", ENV_RUN_AS, name);
		return -1;
	}
	server.drop_privileges = 1;
	server.uid = pw->pw_uid;
	server.gid = pw->pw_gid;
	return 0;
}

/* `pg_ctl start` on server.dir/data as server.durable says, waiting until it accepts connections. */
static int pg_ctl_start(char *why, unsigned long why_size)
{
	char data[sizeof(server.dir) + 8], log[sizeof(server.dir) + 8];
	char tool_log[sizeof(server.dir) + 16], opts[sizeof(server.dir) + 256];
	char tail[400];
	int rc;

	snprintf(data, sizeof(data), "%s/data", server.dir);
	snprintf(log, sizeof(log), "%s/log", server.dir);
	/*
	 * No TCP at all, and (for the tests) durability off: a crash loses
	 * nothing we want.  A durable server keeps PostgreSQL's defaults (fsync,
	 * full_page_writes and synchronous_commit on), so every commit waits for
	 * its WAL flush as in production; benchmarks of durable work use it.
	 * pg_ctl hands -o to /bin/sh, which turns '' into the empty string.
	 */
	snprintf(opts, sizeof(opts), "-p %d -k %s -c listen_addresses=''%s", server.port,
	         server.dir,
	         server.durable ? " -c fsync=on -c full_page_writes=on -c synchronous_commit=on" :
	                          " -c fsync=off -c full_page_writes=off -c synchronous_commit=off");
	snprintf(tool_log, sizeof(tool_log), "%s/pg_ctl.log", server.dir);
	{
		const char *argv[] = { "pg_ctl", "-D", data, "-o", opts, "-l", log, "-w", "-t", "120",
			               "start", NULL };
		rc = run_tool("pg_ctl", argv, tool_log);
	}
	if (rc != 0) {
		/* The server's log has the reason; pg_ctl's own only when the server never ran. */
		log_tail(log, tail, sizeof(tail));
		if (!tail[0])
			log_tail(tool_log, tail, sizeof(tail));
		set_why(why, why_size, "pg_ctl start failed with status %d: %s", rc, tail);
		return -1;
	}
	return 0;
}

static int start_server(int durable, char *why, unsigned long why_size)
{
	char data[sizeof(server.dir) + 8], tool_log[sizeof(server.dir) + 16];
	char tail[400];
	int rc;

	if (find_bindir(server.bindir, sizeof(server.bindir), why, why_size) != 0 ||
	    choose_user(why, why_size) != 0)
		return -1;

	memcpy(server.dir, DIR_TEMPLATE, sizeof(DIR_TEMPLATE));
	if (!mkdtemp(server.dir)) {
		set_why(why, why_size, "mkdtemp %s: %s", DIR_TEMPLATE, strerror(errno));
		return -1;
	}
	/* Others may pass through to the socket (root then needs no DAC override); data/ stays 0700. */
	if (chmod(server.dir, 0711) != 0 ||
	    (server.drop_privileges && chown(server.dir, server.uid, server.gid) != 0)) {
		set_why(why, why_size, "preparing %s: %s", server.dir, strerror(errno));
		(void)remove(server.dir);
		return -1;
	}
	server.owner = getpid();
	/*
	 * The socket lives in a directory of its own, so any port would do; it
	 * only names the socket file.  Vary it anyway so that two servers are
	 * told apart in `ps` and in their logs.
	 */
	server.port = 5432 + (int)(server.owner % 1000);
	server.watchdog_fd = spawn_watchdog();

	snprintf(data, sizeof(data), "%s/data", server.dir);
	snprintf(tool_log, sizeof(tool_log), "%s/initdb.log", server.dir);
	{
		const char *argv[] = { "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust",
			               "-E", "UTF8", "--no-locale", "--no-sync", NULL };
		rc = run_tool("initdb", argv, tool_log);
	}
	if (rc != 0) {
		log_tail(tool_log, tail, sizeof(tail));
		set_why(why, why_size, "initdb (%s) failed with status %d: %s", server.bindir, rc,
		        tail);
		goto fail;
	}

	server.durable = durable;
	if (pg_ctl_start(why, why_size) != 0)
		goto fail;

	server.running = 1;
	export_location();
	if (!server.atexit_registered && atexit(stop_at_exit) == 0)
		server.atexit_registered = 1;
	return 0;

fail:
	stop_and_remove();
	dismiss_watchdog();
	return -1;
}

static int start(int durable, char *why, unsigned long why_size)
{
	const char *external = getenv(ENV_URI);

	if (external && *external) {
		if (PQping(external) != PQPING_OK) {
			set_why(why, why_size, "%s=%s does not answer", ENV_URI, external);
			setenv(ENV_ERROR, why, 1);
			return -1;
		}
		return 0;
	}
	if (server.running && server.owner == getpid()) {
		if (server.durable == durable)
			return 0;
		set_why(why, why_size, "a %s server is already running: stop it first",
		        server.durable ? "durable" : "non-durable");
		return -1;
	}
	if (!durable && inherited_server_alive())
		return 0;
	unexport_location();
	if (start_server(durable, why, why_size) != 0) {
		setenv(ENV_ERROR, why && why_size ? why : "could not start PostgreSQL", 1);
		return -1;
	}
	return 0;
}

int pcrm_test_pg_start(char *why, unsigned long why_size)
{
	return start(0, why, why_size);
}

int pcrm_test_pg_start_durable(char *why, unsigned long why_size)
{
	return start(1, why, why_size);
}

void pcrm_test_pg_stop(void)
{
	/* Only the owner: workers and forked children must leave the shared server alone. */
	if (!server.running || server.owner != getpid())
		return;
	server.running = 0;
	stop_and_remove();
	dismiss_watchdog();
	unexport_location();
}

int pcrm_test_pg_crash(char *why, unsigned long why_size)
{
	int rc;

	if (!server.running || server.owner != getpid()) {
		set_why(why, why_size, "only the process that started the server may crash it");
		return -1;
	}
	rc = pg_ctl_stop_immediate();
	if (rc != 0) {
		set_why(why, why_size, "pg_ctl stop -m immediate failed with status %d", rc);
		return -1;
	}
	return 0;
}

int pcrm_test_pg_restart(char *why, unsigned long why_size)
{
	if (!server.running || server.owner != getpid()) {
		set_why(why, why_size, "only the process that started the server may restart it");
		return -1;
	}
	return pg_ctl_start(why, why_size);
}

/* "true" as CI services set it; "1" and "yes" too, as some set those. */
int pcrm_test_pg_required(void)
{
	const char *ci = getenv("CI");

	return ci && (strcasecmp(ci, "true") == 0 || strcmp(ci, "1") == 0 ||
	              strcasecmp(ci, "yes") == 0);
}

/* ---- databases ---------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A connection to the maintenance database of the server in use, or NULL with `why` filled. */
static PGconn *admin_connect(char *why, unsigned long why_size)
{
	const char *external = getenv(ENV_URI);
	const char *host = getenv(ENV_HOST), *port = getenv(ENV_PORT);
	PGconn *conn;

	if (external && *external) {
		conn = PQconnectdb(external);
	} else if (host && port) {
		const char *const keys[] = { "host", "port", "user", "dbname", "connect_timeout",
			                     NULL };
		const char *const values[] = { host, port, SUPERUSER, "postgres", "10", NULL };
		conn = PQconnectdbParams(keys, values, 0);
	} else {
		const char *error = getenv(ENV_ERROR);
		set_why(why, why_size, "%s",
		        error ? error
		              : "no PostgreSQL server for the tests: pcrm_test_pg_start() did not run "
		                "in the runner (is the PRE_ALL hook linked in?)");
		return NULL;
	}
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char *msg = conn ? PQerrorMessage(conn) : NULL;
		set_why(why, why_size, "connecting to the test server: %.*s",
		        msg ? (int)strcspn(msg, "\n") : 3, msg ? msg : "oom");
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, quiet_notices, NULL);
	return conn;
}

/* Appends `s` percent-encoded; '/' stays when `keep_slash` (libpq reads it fine in a query). */
static int append_encoded(char *out, size_t size, size_t *len, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
		            (keep_slash && c == '/');
		if (*len + 4 > size)
			return -1;
		if (plain) {
			out[(*len)++] = (char)c;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[c >> 4];
			out[(*len)++] = hex[c & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

static int append_raw(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > size)
		return -1;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 0;
}

static int append_param(char *out, size_t size, size_t *len, const char *key, const char *value)
{
	if (append_raw(out, size, len, strchr(out, '?') ? "&" : "?") != 0 ||
	    append_encoded(out, size, len, key, 0) != 0 || append_raw(out, size, len, "=") != 0)
		return -1;
	return append_encoded(out, size, len, value, 1);
}

/* postgresql:///<db>?<every setting of the server in use but its database> */
static int build_uri(const char *db, char *why, unsigned long why_size)
{
	const char *external = getenv(ENV_URI);
	size_t len = 0;
	int rc = 0;

	uri_buf[0] = '\0';
	if (append_raw(uri_buf, sizeof(uri_buf), &len, "postgresql:///") != 0 ||
	    append_encoded(uri_buf, sizeof(uri_buf), &len, db, 0) != 0)
		goto too_long;
	if (external && *external) {
		char *err = NULL;
		PQconninfoOption *opts = PQconninfoParse(external, &err), *o;
		if (!opts) {
			set_why(why, why_size, "%s: %s", ENV_URI, err ? err : "out of memory");
			PQfreemem(err);
			return -1;
		}
		for (o = opts; o->keyword && rc == 0; o++)
			if (o->val && *o->val && strcmp(o->keyword, "dbname") != 0)
				rc = append_param(uri_buf, sizeof(uri_buf), &len, o->keyword, o->val);
		PQconninfoFree(opts);
	} else {
		rc = append_param(uri_buf, sizeof(uri_buf), &len, "host", getenv(ENV_HOST));
		if (rc == 0)
			rc = append_param(uri_buf, sizeof(uri_buf), &len, "port", getenv(ENV_PORT));
		if (rc == 0)
			rc = append_param(uri_buf, sizeof(uri_buf), &len, "user", SUPERUSER);
	}
	if (rc == 0)
		return 0;
too_long:
	set_why(why, why_size, "the database URI does not fit in %zu bytes", sizeof(uri_buf));
	return -1;
}

const char *pcrm_test_pg_new_database(char *why, unsigned long why_size)
{
	PGconn *conn = admin_connect(why, why_size);
	char name[sizeof(last_db)], sql[160];

	if (!conn)
		return NULL;
	/*
	 * pid + counter is unique among live processes; a database left behind
	 * by a crashed worker whose pid came round again is stepped over.
	 */
	for (int attempt = 0;; attempt++) {
		PGresult *res;
		const char *state;
		int ok;

		snprintf(name, sizeof(name), "pcrm_t_%ld_%u", (long)getpid(), ++db_counter);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		res = PQexec(conn, sql);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (!ok && (attempt > 100 || !state || strcmp(state, "42P04") != 0)) {
			const char *msg = PQresultErrorMessage(res);
			set_why(why, why_size, "%s: %.*s", sql, (int)strcspn(msg, "\n"), msg);
			PQclear(res);
			PQfinish(conn);
			return NULL;
		}
		PQclear(res);
		if (ok)
			break;
	}
	PQfinish(conn);
	memcpy(last_db, name, sizeof(last_db));
	if (build_uri(name, why, why_size) != 0)
		return NULL;
	return uri_buf;
}

void pcrm_test_pg_drop_database(void)
{
	PGconn *conn;
	PGresult *res;
	char sql[160];
	const char *state;

	if (!last_db[0] || (conn = admin_connect(NULL, 0)) == NULL)
		return;
	/* FORCE: a test that failed midway may still hold a connection. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", last_db);
	res = PQexec(conn, sql);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && state && strcmp(state, "42601") == 0) {
		/* An external server older than PostgreSQL 13 has no FORCE. */
		PQclear(res);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", last_db);
		res = PQexec(conn, sql);
	}
	PQclear(res);
	PQfinish(conn);
	last_db[0] = '\0';
}
