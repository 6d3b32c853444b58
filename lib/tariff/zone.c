/*
 * IANA time zones from TZif files (RFC 8536): parsing, and the UTC offset
 * of an instant.  See zone.h for why the C library's localtime is not used.
 *
 * A TZif file lists transitions (instant -> local time type) and ends with
 * a POSIX TZ string ("PST8PDT,M3.2.0,M11.1.0") for instants after the last
 * one; "slim" files stop listing transitions early and rely on it, so both
 * parts are read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/time_internal.h"
#include "zone.h"

#define ZONE_FILE_MAX (512 * 1024)
#define ZONE_DIR "/usr/share/zoneinfo"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
	uint32_t isut, isstd, leap, time, type, chars;
};

static int read_header(const unsigned char *p, size_t len, struct header *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return pcrm__error(PCRM_EINVAL, "TZif: not a TZif file");
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	/* RFC 8536 3.1; the bounds also keep the size sums below far from overflow */
	if (h->type == 0 || h->type > 256 || h->chars == 0 || h->chars > 65536 ||
	    h->time > 1000000 || h->leap > 100000 || (h->isut && h->isut != h->type) ||
	    (h->isstd && h->isstd != h->type))
		return pcrm__error(PCRM_EINVAL, "TZif: inconsistent counts in the header");
	return PCRM_OK;
}

/* ---- the POSIX TZ string of the footer ---- */

static int tz_name(const char **s)
{
	const char *p = *s;
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p && *p != '>'; p++, n++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
				return -1;
		if (*p != '>' || n < 3)
			return -1;
		*s = p + 1;
		return 0;
	}
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
		n++;
	if (n < 3)
		return -1;
	*s = p;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours; returns seconds. */
static int tz_time(const char **s, int max_hours, int32_t *out)
{
	const char *p = *s;
	int sign = 1, part[3] = { 0, 0, 0 };

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		int digits = 0;
		if (i > 0) {
			if (*p != ':')
				break;
			p++;
		}
		while (*p >= '0' && *p <= '9' && digits < 3) {
			part[i] = part[i] * 10 + (*p++ - '0');
			digits++;
		}
		if (digits == 0 || (i > 0 && (digits != 2 || part[i] > 59)))
			return -1;
	}
	if (part[0] > max_hours)
		return -1;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*s = p;
	return 0;
}

static int tz_number(const char **s, int lo, int hi, int *out)
{
	int v = 0, digits = 0;

	while (**s >= '0' && **s <= '9' && digits < 4) {
		v = v * 10 + (*(*s)++ - '0');
		digits++;
	}
	if (digits == 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int tz_date(const char **s, struct pcrm__zone_date *d)
{
	d->secs = 7200; /* 02:00 when no time is given */
	if (**s == 'J') {
		(*s)++;
		d->kind = 'J';
		if (tz_number(s, 1, 365, &d->day) < 0)
			return -1;
	} else if (**s == 'M') {
		(*s)++;
		d->kind = 'M';
		if (tz_number(s, 1, 12, &d->month) < 0 || *(*s)++ != '.' ||
		    tz_number(s, 1, 5, &d->week) < 0 || *(*s)++ != '.' ||
		    tz_number(s, 0, 6, &d->weekday) < 0)
			return -1;
	} else {
		d->kind = 'N';
		if (tz_number(s, 0, 365, &d->day) < 0)
			return -1;
	}
	if (**s == '/') {
		(*s)++;
		if (tz_time(s, 167, &d->secs) < 0)
			return -1;
	}
	return 0;
}

static int valid_offset(int64_t off)
{
	return off >= -PCRM__MAX_UTC_OFFSET && off <= PCRM__MAX_UTC_OFFSET;
}

/* A TZ string such as "EST5EDT,M3.2.0,M11.1.0"; POSIX offsets are west-positive. */
static int tz_rule(const char *s, struct pcrm__zone_rule *r)
{
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (tz_name(&s) < 0 || tz_time(&s, 24, &off) < 0)
		return -1;
	r->std_off = -off;
	r->dst_off = r->std_off;
	if (*s) {
		if (tz_name(&s) < 0)
			return -1;
		r->has_dst = 1;
		r->dst_off = r->std_off + 3600;
		if (*s && *s != ',') {
			if (tz_time(&s, 24, &off) < 0)
				return -1;
			r->dst_off = -off;
		}
		/* RFC 8536 footers always give the rule; POSIX leaves its absence undefined */
		if (*s++ != ',' || tz_date(&s, &r->start) < 0 || *s++ != ',' ||
		    tz_date(&s, &r->end) < 0)
			return -1;
	}
	if (*s || !valid_offset(r->std_off) || !valid_offset(r->dst_off))
		return -1;
	r->present = 1;
	return 0;
}

/* ---- parsing ---- */

int pcrm__zone_parse(const unsigned char *data, size_t len, struct pcrm__zone *out)
{
	struct header h;
	const unsigned char *p, *types, *idx, *end;
	size_t v1, need, i;
	char footer[128];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = read_header(data, len, &h)) < 0)
		return rc;
	if (data[4] < '2')
		return pcrm__error(PCRM_EINVAL, "TZif: version 1 files are not supported (no 64-bit "
		                   "data)");
	v1 = 44 + (size_t)h.time * 5 + (size_t)h.type * 6 + h.chars + (size_t)h.leap * 8 + h.isstd +
	     h.isut;
	if (len < v1)
		return pcrm__error(PCRM_EINVAL, "TZif: truncated");
	p = data + v1;
	if ((rc = read_header(p, len - v1, &h)) < 0)
		return rc;
	if (h.leap)
		return pcrm__error(PCRM_EINVAL, "TZif: the file counts leap seconds (a \"right/\" "
		                   "zone); use the zone without them");
	need = 44 + (size_t)h.time * 9 + (size_t)h.type * 6 + h.chars + h.isstd + h.isut;
	if (len - v1 < need + 2)
		return pcrm__error(PCRM_EINVAL, "TZif: truncated");
	p += 44;
	idx = p + (size_t)h.time * 8;
	types = idx + h.time;
	for (i = 0; i < h.type; i++) {
		int32_t off = (int32_t)be32(types + i * 6);
		if (!valid_offset(off) || types[i * 6 + 4] > 1 || types[i * 6 + 5] >= h.chars)
			return pcrm__error(PCRM_EINVAL, "TZif: local time type %zu is invalid (offsets "
			                   "must lie within +-18:00)", i);
	}
	/* the footer: "\n" TZ string "\n" */
	p = data + v1 + need;
	end = data + len;
	if (*p != '\n')
		return pcrm__error(PCRM_EINVAL, "TZif: no footer");
	for (i = 0; p + 1 + i < end && p[1 + i] != '\n'; i++)
		if (i + 1 >= sizeof(footer))
			return pcrm__error(PCRM_EINVAL, "TZif: the footer is too long");
	if (p + 1 + i >= end)
		return pcrm__error(PCRM_EINVAL, "TZif: the footer is not terminated");
	memcpy(footer, p + 1, i);
	footer[i] = '\0';
	if (i > 0 && tz_rule(footer, &out->rule) < 0)
		return pcrm__error(PCRM_EINVAL, "TZif: the footer is not a TZ rule this library reads");
	if (h.time && (!(out->at = malloc(h.time * sizeof(*out->at))) ||
	               !(out->offset = malloc(h.time * sizeof(*out->offset))))) {
		pcrm__zone_clear(out);
		return pcrm__error_oom();
	}
	p = data + v1 + 44;
	for (i = 0; i < h.time; i++) {
		out->at[i] = be64(p + i * 8);
		if (idx[i] >= h.type || (i > 0 && out->at[i] <= out->at[i - 1])) {
			pcrm__zone_clear(out);
			return pcrm__error(PCRM_EINVAL, "TZif: transition %zu is out of order or names "
			                   "no local time type", i);
		}
		out->offset[i] = (int32_t)be32(types + (size_t)idx[i] * 6);
	}
	out->count = h.time;
	out->initial = (int32_t)be32(types);
	return PCRM_OK;
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);
	const char *c = name;

	if (n == 0 || n > PCRM__ZONE_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return 0;
	for (; *c; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '/' || *c == '_' || *c == '-' || *c == '+'))
			return 0;
		if (*c == '/' && c[1] == '/')
			return 0;
	}
	return 1; /* no '.' at all, so no "." or ".." component */
}

int pcrm__zone_load(const char *what, const char *name, struct pcrm__zone *out)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	unsigned char *buf;
	size_t len;
	struct stat st;
	FILE *f;
	int rc, parsed = 0;

	memset(out, 0, sizeof(*out));
	if (!name_ok(name))
		return pcrm__error(PCRM_EINVAL, "%s: not an IANA zone name such as "
		                   "\"America/New_York\"", what);
	if (!dir || !*dir)
		dir = ZONE_DIR;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return pcrm__error(PCRM_EINVAL, "%s: the zone directory path is too long", what);
	if (!(f = fopen(path, "rb")))
		return pcrm__error(errno == ENOENT || errno == ENOTDIR ? PCRM_EINVAL : PCRM_EIO,
		                   "%s: \"%s\" is not in the system's time zone data (%s)", what, name,
		                   dir);
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a zone (a directory of zones?)",
		                   what, name);
	}
	if (!(buf = malloc(ZONE_FILE_MAX))) {
		fclose(f);
		return pcrm__error_oom();
	}
	len = fread(buf, 1, ZONE_FILE_MAX, f);
	rc = ferror(f) ? pcrm__error(PCRM_EIO, "%s: cannot read zone \"%s\"", what, name)
	     : len == ZONE_FILE_MAX ? pcrm__error(PCRM_EINVAL, "%s: zone file \"%s\" is too large",
	                                          what, name)
	     : (parsed = 1, pcrm__zone_parse(buf, len, out));
	fclose(f);
	free(buf);
	if (rc < 0 && parsed) {
		pcrm__error_prefix("%s: \"%s\"", what, name);
		return rc;
	}
	if (rc < 0)
		return rc;
	memcpy(out->name, name, strlen(name) + 1);
	return PCRM_OK;
}

void pcrm__zone_clear(struct pcrm__zone *z)
{
	free(z->at);
	free(z->offset);
	z->at = NULL;
	z->offset = NULL;
	z->count = 0;
}

/* ---- offsets ---- */

/* Local seconds of rule date d in year y. */
static int64_t rule_local(int y, const struct pcrm__zone_date *d)
{
	pcrm_date first = { y, 1, 1 };
	int64_t days = pcrm_date_to_days(first);
	int leap = pcrm_days_in_month(y, 2) == 29;

	if (d->kind == 'J')
		days += d->day - 1 + (leap && d->day >= 60);
	else if (d->kind == 'N')
		days += d->day;
	else {
		pcrm_date m = { y, d->month, 1 };
		int wd = pcrm_date_weekday(m) % 7; /* 0 = Sunday, as in POSIX */
		int day = 1 + (d->weekday - wd + 7) % 7 + (d->week - 1) * 7;
		while (day > pcrm_days_in_month(y, d->month))
			day -= 7;
		days = pcrm_date_to_days(m) + day - 1;
	}
	return days * 86400 + d->secs;
}

static int rule_year(const struct pcrm__zone_rule *r, int64_t t)
{
	int64_t local = t + r->std_off, days = pcrm__floor_div(local, 86400);

	if (days < PCRM__MIN_DAY + 400)
		return 2;
	if (days > PCRM__MAX_DAY - 400)
		return 9998;
	return pcrm_date_from_days(days).year;
}

/* Daylight time of year y: [*start, *end) in UTC. */
static void rule_bounds(const struct pcrm__zone_rule *r, int y, int64_t *start, int64_t *end)
{
	*start = rule_local(y, &r->start) - r->std_off;
	*end = rule_local(y, &r->end) - r->dst_off;
}

static int32_t rule_offset(const struct pcrm__zone_rule *r, int64_t t)
{
	int64_t s, e;
	int dst;

	if (!r->has_dst)
		return r->std_off;
	rule_bounds(r, rule_year(r, t), &s, &e);
	dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
	return dst ? r->dst_off : r->std_off;
}

/* Index of the last transition at or before t, or -1. */
static ptrdiff_t last_at(const struct pcrm__zone *z, int64_t t)
{
	size_t lo = 0, hi = z->count; /* answer in [lo - 1, hi - 1] */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

int32_t pcrm__zone_offset_at(const struct pcrm__zone *z, int64_t t)
{
	ptrdiff_t i = last_at(z, t);

	if (z->rule.present && (size_t)(i + 1) == z->count && (i >= 0 || z->count == 0))
		return rule_offset(&z->rule, t);
	return i < 0 ? z->initial : z->offset[i];
}

int64_t pcrm__zone_next_change(const struct pcrm__zone *z, int64_t t)
{
	ptrdiff_t i = last_at(z, t);
	int64_t best = INT64_MAX;

	if ((size_t)(i + 1) < z->count)
		return z->at[i + 1];
	if (!z->rule.present || !z->rule.has_dst)
		return INT64_MAX;
	for (int y = rule_year(&z->rule, t) - 1, n = 0; n < 3; y++, n++) {
		int64_t s, e;
		rule_bounds(&z->rule, y, &s, &e);
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	return best;
}

int64_t pcrm__zone_local_start(const struct pcrm__zone *z, int64_t local)
{
	/* before this instant every local time is below `local` (offsets stay within 18 h) */
	int64_t t = local - PCRM__MAX_UTC_OFFSET - 1;

	for (;;) {
		int32_t o = pcrm__zone_offset_at(z, t);
		int64_t next = pcrm__zone_next_change(z, t), cand = local - o;
		if (cand < t)
			cand = t;
		if (cand < next)
			return cand;
		t = next;
	}
}
