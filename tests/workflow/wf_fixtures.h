/* Shared by the workflow tests: a small definition, the shipped calendar, helpers. */
#ifndef PCRM_TEST_WF_FIXTURES_H
#define PCRM_TEST_WF_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "race.h"

#define HOUR 3600
#define DAY 86400

static const pcrm_actor system_actor = { "tick", PCRM_ROLE_SYSTEM, 1, "37" };
static const pcrm_actor supervisor = { "lead-jn", PCRM_ROLE_AGENT, 3, "3701" };
static const pcrm_actor county_agent = { "agent-lx", PCRM_ROLE_AGENT, 1, "370102" };

/*
 * A complaint-like process on the cn-2026 calendar: 8 working hours to make
 * contact (escalated when missed), 2 calendar hours to close after contact
 * (closed automatically), a paused state, 5 working days for the whole.
 */
static const char *const test_def =
	"{\"name\": \"test\", \"title\": \"测试\","
	" \"limit\": {\"working_days\": 5, \"warn_percent\": 80,"
	"   \"on_expiry\": {\"flag\": true, \"notify\": true}},"
	" \"states\": ["
	"  {\"name\": \"accepted\", \"initial\": true, \"limit\": {\"working_hours\": 8,"
	"    \"warn_percent\": 50, \"on_expiry\": {\"flag\": true, \"escalate\": true}}},"
	"  {\"name\": \"contacted\", \"limit\": {\"hours\": 2, \"on_expiry\": {\"fire\": \"auto_close\"}}},"
	"  {\"name\": \"waiting\", \"pause\": true},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"contact\", \"from\": \"accepted\", \"to\": \"contacted\","
	"   \"guard\": {\"roles\": [\"agent\", \"admin\"], \"require\": [\"contact_note\"]}},"
	"  {\"event\": \"wait\", \"from\": \"contacted\", \"to\": \"waiting\"},"
	"  {\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"},"
	"  {\"event\": \"close\", \"from\": \"contacted\", \"to\": \"closed\","
	"   \"guard\": {\"min_level\": 2}},"
	"  {\"event\": \"auto_close\", \"from\": \"contacted\", \"to\": \"closed\","
	"   \"guard\": {\"roles\": [\"system\"]}}]}";

/* Reads a file below the source root; free with free(). */
static inline char *read_source(const char *rel)
{
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char path[4096];
	char *text;
	long n;
	FILE *f;

	cr_assert(root != NULL, "PCRM_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	cr_assert(text && fread(text, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	return text;
}

static inline char *cn2026(void)
{
	return read_source("data/calendars/cn-2026.json");
}

/* Instant of a wall-clock time in China. */
static inline pcrm_time cst(int y, int mo, int d, int h, int mi)
{
	pcrm_civil c = { y, mo, d, h, mi, 0 };
	pcrm_time t = 0;
	pcrm_assert_ok(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &t));
	return t;
}

static inline void define_test(pcrm_ctx *ctx)
{
	char *cal = cn2026();
	int v = 0;
	pcrm_assert_ok(pcrm_workflow_define(ctx, &root_admin, test_def, cal, &v));
	cr_assert_eq(v, 1);
	free(cal);
}

#endif
