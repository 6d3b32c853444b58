/*
 * Small helpers of the demo: the seeded random numbers every step draws
 * from, the virtual clock, numbering, progress lines and money formatting.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

/* Who does what in the service centre of the city of Jinan (3701). */
const pcrm_actor ACT_PROVINCE_ADMIN = { "A0001", PCRM_ROLE_ADMIN, 3, "37" };
const pcrm_actor ACT_PRICING = { "P0001", PCRM_ROLE_ADMIN, 3, "37" };
const pcrm_actor ACT_CITY_ADMIN = { "A3701", PCRM_ROLE_ADMIN, 2, CITY };
const pcrm_actor ACT_CITY_CLERK = { "C3701", PCRM_ROLE_DATA_CLERK, 2, CITY };
const pcrm_actor ACT_AGENT = { "G0007", PCRM_ROLE_AGENT, 2, CITY };
const pcrm_actor ACT_SUPERVISOR = { "S3701", PCRM_ROLE_ADMIN, 3, CITY };
const pcrm_actor ACT_SYSTEM = { "timer", PCRM_ROLE_SYSTEM, 3, "37" };
const pcrm_actor ACT_AUDITOR = { "M0001", PCRM_ROLE_MONITOR, 3, "37" };
const pcrm_actor ACT_CASHIER = { "K3701", PCRM_ROLE_AGENT, 2, CITY };
const pcrm_actor ACT_BANK_DESK = { "B3701", PCRM_ROLE_ADMIN, 2, CITY };

void demo_check(int rc, const char *what, const char *file, int line)
{
	if (rc == PCRM_OK)
		return;
	fprintf(stderr, "\ndemo: %s:%d: %s failed: %s (%s)\n", file, line, what, pcrm_strerror(rc),
	        pcrm_error_last());
	exit(1);
}

/* splitmix64: small, fast, and the same on every platform, so a seed gives the same day. */
uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double rng_unit(uint64_t *state)
{
	return (double)(rng_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

/* One generator per step, so changing one step never shifts the draws of another. */
uint64_t rng_for(uint64_t seed, uint64_t stream)
{
	uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull);
	rng_next(&s);
	return s;
}

pcrm_time demo_clock(void *userdata)
{
	return ((const struct demo *)userdata)->now;
}

/* A local (UTC+8) civil time as an instant. */
pcrm_time civil(int y, int mo, int d, int h, int mi, int s)
{
	pcrm_civil c;
	pcrm_time t;
	memset(&c, 0, sizeof(c));
	c.year = y;
	c.month = mo;
	c.day = d;
	c.hour = h;
	c.minute = mi;
	c.second = s;
	CHECK(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &t));
	return t;
}

/* 户号: city code and a serial, the same for a customer on every run. */
void customer_no(int64_t i, char *buf, size_t size)
{
	snprintf(buf, size, "3701%07lld", (long long)(i + 1));
}

void account_no(int64_t i, char *buf, size_t size)
{
	snprintf(buf, size, "E3701%07lld", (long long)(i + 1));
}

/* The demo has nothing to fall back on when memory runs out: it says so and stops. */
static void *or_die(void *p)
{
	if (!p) {
		fprintf(stderr, "demo: out of memory\n");
		exit(1);
	}
	return p;
}

void *xmalloc(size_t size)
{
	return or_die(malloc(size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return or_die(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t size)
{
	return or_die(realloc(p, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return or_die(strdup(s));
}

char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "demo: cannot read %s\n", path);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "demo: cannot read %s\n", path);
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* One line per long step, rewritten in place on a terminal. */
void progress(struct demo *d, const char *step, int64_t done, int64_t total)
{
	/* in place on a terminal; a log or a pipe gets the closing line of each step only */
	if (!d->progress || !isatty(fileno(d->progress)))
		return;
	fprintf(d->progress, "\r  %-34s %9lld / %-9lld", step, (long long)done, (long long)total);
	fflush(d->progress);
}

/* The closing line of a step, with the wall time it took (where the demo's minute goes). */
static struct timespec step_started;
static double step_cpu_started;

/* CPU seconds of the process: on a shared machine the wall time says more about the neighbours. */
double cpu_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_clock_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &step_started);
	step_cpu_started = cpu_seconds();
}

/* The closing line of a step, with the wall and CPU time it took (where the demo's minute goes). */
void progress_done(struct demo *d, const char *step, const char *fmt, ...)
{
	struct timespec now;
	va_list ap;
	double cpu = cpu_seconds();
	clock_gettime(CLOCK_MONOTONIC, &now);
	double took = (double)(now.tv_sec - step_started.tv_sec) +
	              (double)(now.tv_nsec - step_started.tv_nsec) / 1e9;
	double took_cpu = cpu - step_cpu_started;
	step_started = now;
	step_cpu_started = cpu;
	if (!d->progress)
		return;
	fprintf(d->progress, "\r  %-34s ", step);
	va_start(ap, fmt);
	vfprintf(d->progress, fmt, ap);
	va_end(ap);
	fprintf(d->progress, "  (%.1f s, CPU %.1f s)%s\n", took, took_cpu,
	        isatty(fileno(d->progress)) ? "          " : "");
	fflush(d->progress);
}

const char *money(pcrm_decimal v, char *buf, size_t size)
{
	CHECK(pcrm_decimal_format(v, buf, size));
	return buf;
}

pcrm_decimal dec_add(pcrm_decimal a, pcrm_decimal b)
{
	pcrm_decimal r;
	CHECK(pcrm_decimal_add(a, b, &r));
	return r;
}

const char *class_name(int klass)
{
	static const char *const names[CLASS_COUNT] = { "residential_tou", "residential_tiered",
		                                        "low_income", "general_commercial",
		                                        "large_industry" };
	return names[klass];
}

/* Chinese labels for the charts and the terminal. */
const char *class_label(int klass)
{
	static const char *const labels[CLASS_COUNT] = { "居民峰谷", "居民阶梯", "低保户",
		                                         "一般工商业", "大工业两部制" };
	return labels[klass];
}

const char *reason_name(int reason)
{
	static const char *const names[REASON_COUNT] = { "bill_inquiry", "payment_inquiry",
		                                         "fault_report", "outage_report",
		                                         "complaint", "new_connection" };
	return names[reason];
}
