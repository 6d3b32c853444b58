/*
 * powercrm - progress of long steps on standard error: a bar redrawn in
 * place on a terminal, plain lines now and then when the output goes to a
 * log (cron), nothing with --quiet.  Ctrl-C (or SIGTERM from a scheduler)
 * does not kill the process mid-batch: the next progress report asks the
 * library to stop, which it does after a committed batch.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* On a terminal, redraw at most this often; in a log, a line at most this often. */
#define TTY_REDRAW_NS 100000000LL
#define LOG_LINE_NS 5000000000LL
#define BAR_WIDTH 24

static volatile sig_atomic_t g_interrupted;

struct cli_progress {
	const char *label;
	const char *unit;
	int64_t total;
	int tty;
	int64_t started_ns, last_shown_ns;
	int shown;
};

static void on_signal(int sig)
{
	(void)sig;
	g_interrupted = 1;
}

void cli_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
	return g_interrupted != 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* 1234567 -> "1,234,567" */
static const char *grouped(int64_t v, char *buf, size_t size)
{
	char digits[32];
	size_t n, out = 0;
	snprintf(digits, sizeof(digits), "%lld", (long long)(v < 0 ? -v : v));
	n = strlen(digits);
	if (v < 0 && out + 1 < size)
		buf[out++] = '-';
	for (size_t i = 0; i < n && out + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
	return buf;
}

struct cli_progress *cli_progress_start(struct cli *cli, const char *label, const char *unit,
                                        int64_t total)
{
	struct cli_progress *p;
	if (cli->quiet)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL; /* progress is a courtesy: the step runs without it */
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->tty = isatty(STDERR_FILENO);
	p->started_ns = p->last_shown_ns = now_ns();
	return p;
}

static void show(struct cli_progress *p, int64_t done, int64_t t, int final)
{
	char d[32], tot[32], rate[32];
	double secs = (double)(t - p->started_ns) / 1e9;
	int64_t per_sec = secs > 0.05 ? (int64_t)((double)done / secs) : 0;

	grouped(done, d, sizeof(d));
	grouped(p->total, tot, sizeof(tot));
	grouped(per_sec, rate, sizeof(rate));
	if (p->tty) {
		fprintf(stderr, "\r%s ", p->label);
		if (p->total > 0) {
			int64_t pct = done >= p->total ? 100 : done * 100 / p->total;
			int filled = (int)(pct * BAR_WIDTH / 100);
			fputc('[', stderr);
			for (int i = 0; i < BAR_WIDTH; i++)
				fputc(i < filled ? '#' : '.', stderr);
			fprintf(stderr, "] %3lld%% %s/%s %s", (long long)pct, d, tot, p->unit);
		} else {
			fprintf(stderr, "%s %s", d, p->unit);
		}
		if (per_sec > 0)
			fprintf(stderr, "  %s/s", rate);
		fputs(final ? "\n" : "\033[K", stderr);
	} else if (p->total > 0) {
		fprintf(stderr, "powercrm: %s: %s of %s %s%s\n", p->label, d, tot, p->unit,
		        final ? " (done)" : "");
	} else {
		fprintf(stderr, "powercrm: %s: %s %s%s\n", p->label, d, p->unit, final ? " (done)" : "");
	}
	fflush(stderr);
	p->last_shown_ns = t;
	p->shown = 1;
}

int cli_progress_report(int64_t done, void *progress)
{
	struct cli_progress *p = progress;
	if (p) {
		int64_t t = now_ns();
		if (t - p->last_shown_ns >= (p->tty ? TTY_REDRAW_NS : LOG_LINE_NS))
			show(p, done, t, 0);
	}
	return cli_interrupted();
}

void cli_progress_end(struct cli_progress *p, int64_t done)
{
	if (!p)
		return;
	/* a step that ended before the first report shows nothing in a log, its line on a tty */
	if (p->tty || p->shown)
		show(p, done, now_ns(), 1);
	free(p);
}
