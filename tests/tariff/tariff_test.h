/* Helpers shared by the tariff and bill tests. */
#ifndef PCRM_TEST_TARIFF_H
#define PCRM_TEST_TARIFF_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

static inline void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle) != NULL, "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
}

static inline pcrm_decimal D(const char *text)
{
	pcrm_decimal d = { 0, 0 };
	cr_assert_eq(pcrm_decimal_parse(text, &d), PCRM_OK, "%s: %s", text, pcrm_error_last());
	return d;
}

static inline pcrm_date DAY(int y, int m, int d)
{
	pcrm_date date = { y, m, d };
	return date;
}

/* Asserts that a decimal prints as `text`. */
#define assert_dec(value, text)                                                               \
	do {                                                                                      \
		char buf_[PCRM_DECIMAL_STRING_MAX];                                                   \
		cr_assert_eq(pcrm_decimal_format((value), buf_, sizeof(buf_)), PCRM_OK);             \
		cr_assert_str_eq(buf_, (text));                                                       \
	} while (0)

static inline char *data_path(const char *rel)
{
	static char path[4096];
	const char *root = getenv("PCRM_SOURCE_ROOT");
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	return path;
}

static inline pcrm_tariff *load_data_tariff(const char *name)
{
	char rel[256];
	pcrm_tariff *t = NULL;
	snprintf(rel, sizeof(rel), "data/tariffs/%s.json", name);
	cr_assert_eq(pcrm_tariff_load_file(&t, data_path(rel)), PCRM_OK, "%s", pcrm_error_last());
	return t;
}

static inline pcrm_tariff *load_tariff(const char *json)
{
	pcrm_tariff *t = NULL;
	cr_assert_eq(pcrm_tariff_load(&t, json), PCRM_OK, "%s", pcrm_error_last());
	return t;
}

/* Sum of the lines' amounts equals the total. */
static inline void assert_total_is_sum(const pcrm_bill *b)
{
	pcrm_decimal sum = pcrm_decimal_make(0, 2);
	for (size_t i = 0; i < pcrm_bill_line_count(b); i++)
		cr_assert_eq(pcrm_decimal_add(sum, pcrm_bill_line_at(b, i)->amount, &sum), PCRM_OK);
	cr_assert_eq(pcrm_decimal_cmp(sum, pcrm_bill_total(b)), 0);
}

/* Finds the first line with `code` (and `period`/`tier` when given). */
static inline const pcrm_bill_line *find_line(const pcrm_bill *b, const char *code,
                                              const char *period, int tier)
{
	for (size_t i = 0; i < pcrm_bill_line_count(b); i++) {
		const pcrm_bill_line *l = pcrm_bill_line_at(b, i);
		if (strcmp(l->code, code) != 0)
			continue;
		if (period && (!l->period || strcmp(l->period, period) != 0))
			continue;
		if (tier && l->tier != tier)
			continue;
		return l;
	}
	return NULL;
}

/* Computes a bill that must succeed, and checks its lines add up to its total. */
static inline pcrm_bill *bill_ok(const pcrm_tariff *t, const pcrm_bill_customer *c, pcrm_date s,
                                 pcrm_date e, const pcrm_usage *u)
{
	pcrm_bill *b = NULL;
	cr_assert_eq(pcrm_bill_compute(t, c, s, e, u, NULL, &b), PCRM_OK, "%s", pcrm_error_last());
	assert_total_is_sum(b);
	return b;
}

/* The bill has a line `code` (`period`, `tier` when given) of exactly these figures. */
static inline void assert_bill_line(const pcrm_bill *b, const char *code, const char *period,
                                    int tier, const char *qty, const char *price,
                                    const char *amount)
{
	const pcrm_bill_line *l = find_line(b, code, period, tier);
	cr_assert_not_null(l, "no line %s %s %d", code, period ? period : "-", tier);
	assert_dec(l->quantity, qty);
	assert_dec(l->unit_price, price);
	assert_dec(l->amount, amount);
}

#endif
