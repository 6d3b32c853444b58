/*
 * Loading a tariff from its JSON document (docs/tariff-format.md).
 *
 * jansson parses; everything here is validation.  A tariff decides what
 * customers pay, so every field is checked, unknown keys are refused (a
 * misspelt "funds" must not silently mean "no funds"), prices and energies
 * are decimal strings (a JSON number would have passed through binary
 * floating point in somebody's tool), and every message starts with the JSON
 * path of the offending value: "energy.tiers[2].max: ...".  On failure the
 * half-built tariff is freed: loading changes nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "core/json_doc.h"
#include "core/time_internal.h"
#include "demand.h"
#include "tariff_internal.h"
#include "zone.h"

#define PATH_SIZE PCRM__PATH_SIZE
#define TEXT_MAX 200
#define FILE_MAX_BYTES (4 * 1024 * 1024)
/* Digits after the point accepted in a document: prices 8, energies 6, money 2. */
#define PRICE_DIGITS PCRM__PRICE_SCALE
#define ENERGY_DIGITS PCRM__ENERGY_SCALE

static const char *const month_all = "1..12";

/* ---- helpers ---- */

static void sub(char *buf, const char *fmt, ...) PCRM_PRINTF(2, 3);

static void sub(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_SIZE, fmt, ap);
	va_end(ap);
}


/* A decimal string, exact at `scale` digits, >= 0 unless `negative_ok`. */
static int get_dec(const char *path, const json_t *v, int scale, int negative_ok, int64_t *out)
{
	char q[PCRM_QUOTE_SIZE];
	pcrm_decimal d;
	int rc;

	if (v && (json_is_integer(v) || json_is_real(v)))
		return pcrm__error(PCRM_EINVAL, "%s: expected a decimal string such as \"0.5283\", got "
		                   "a JSON number (numbers are refused: money and energy are never "
		                   "binary floating point)", path);
	if ((rc = pcrm__json_expect(path, v, JSON_STRING, "a decimal string such as \"0.5283\"")) < 0)
		return rc;
	if ((rc = pcrm_decimal_parse_n(json_string_value(v), json_string_length(v), &d)) < 0) {
		pcrm__error_prefix("%s", path);
		return rc;
	}
	pcrm__quote(json_string_value(v), json_string_length(v), q, sizeof(q));
	if (d.scale > scale)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" has more than %d digits after the point",
		                   path, q, scale);
	if (!negative_ok && d.units < 0)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is negative", path, q);
	if ((rc = pcrm__to_fixed(path, d, scale, out)) < 0)
		return rc;
	return PCRM_OK;
}

static int get_int(const char *path, const json_t *v, int min, int max, int *out)
{
	json_int_t n;
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_INTEGER, "an integer")) < 0)
		return rc;
	n = json_integer_value(v);
	if (n < min || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: %lld is outside %d..%d", path, (long long)n, min,
		                   max);
	*out = (int)n;
	return PCRM_OK;
}

static int get_bool(const char *path, const json_t *v, int *out)
{
	if (!json_is_boolean(v))
		return pcrm__json_expect(path, v, JSON_TRUE, "true or false");
	*out = json_is_true(v);
	return PCRM_OK;
}

/* A string of 1..max bytes, copied when out is not NULL. */
static int get_text(const char *path, const json_t *v, size_t max, char **out)
{
	size_t len;
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_STRING, "a string")) < 0)
		return rc;
	len = json_string_length(v);
	if (len == 0 || len > max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu bytes long, is %zu", path, max, len);
	if (memchr(json_string_value(v), '\0', len))
		return pcrm__error(PCRM_EINVAL, "%s: contains a NUL character", path);
	if (out) {
		if (!(*out = malloc(len + 1)))
			return pcrm__error_oom();
		memcpy(*out, json_string_value(v), len + 1);
	}
	return PCRM_OK;
}

/* An identifier: letters, digits, '.', '_', '-' (codes and ids). */
static int get_code(const char *path, const json_t *v, size_t max, char **out)
{
	char q[PCRM_QUOTE_SIZE];
	const char *s;
	int rc;

	if ((rc = get_text(path, v, max, NULL)) < 0)
		return rc;
	s = json_string_value(v);
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			pcrm__quote(s, strlen(s), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" may hold only letters, digits, '.', "
			                   "'_' and '-'", path, q);
		}
	}
	return get_text(path, v, max, out);
}

static int get_date(const char *path, const json_t *v, pcrm_date *out)
{
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_STRING, "a date \"YYYY-MM-DD\"")) < 0)
		return rc;
	if ((rc = pcrm_date_parse(json_string_value(v), out)) < 0)
		pcrm__error_prefix("%s", path);
	return rc;
}

/* A list of months 1..12 into a bit mask (bit m set for month m). */
static int get_months(const char *path, const json_t *v, unsigned *mask)
{
	char p[PATH_SIZE];
	size_t i;
	json_t *m;
	int rc, month;

	if ((rc = pcrm__json_expect(path, v, JSON_ARRAY, "a list of months 1..12")) < 0)
		return rc;
	if (json_array_size(v) == 0)
		return pcrm__error(PCRM_EINVAL, "%s: empty (list at least one month)", path);
	*mask = 0;
	json_array_foreach(v, i, m) {
		sub(p, "%s[%zu]", path, i);
		if ((rc = get_int(p, m, 1, 12, &month)) < 0)
			return rc;
		if (*mask & (1u << month))
			return pcrm__error(PCRM_EINVAL, "%s: month %d is listed twice", p, month);
		*mask |= 1u << month;
	}
	return PCRM_OK;
}

/* The index of a period name, or -1. */
static int period_index(const pcrm_tariff *t, const char *name)
{
	for (size_t i = 0; i < t->period_count; i++)
		if (strcmp(t->periods[i], name) == 0)
			return (int)i;
	return -1;
}

static int get_period_ref(const char *path, const json_t *v, const pcrm_tariff *t, int *out)
{
	char q[PCRM_QUOTE_SIZE];
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_STRING, "a period name")) < 0)
		return rc;
	if ((*out = period_index(t, json_string_value(v))) < 0) {
		pcrm__quote(json_string_value(v), json_string_length(v), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not one of tou.periods", path, q);
	}
	return PCRM_OK;
}

/*
 * The common part of a season (tou.seasons[i], energy.seasonal_max[i]): an
 * object with only `keys`, an optional "name" label and "months" that no
 * earlier season (`seen`) has taken; the season's months go to *mask.
 */
static int load_season_head(const char *path, const json_t *s, const char *const *keys,
                            const char *what, unsigned *seen, unsigned *mask)
{
	char f[PATH_SIZE];
	json_t *x;
	int rc;

	if ((rc = pcrm__json_expect(path, s, JSON_OBJECT, what)) < 0 ||
	    (rc = pcrm__json_check_keys(path, s, keys)) < 0)
		return rc;
	sub(f, "%s.name", path);
	if ((x = json_object_get(s, "name")) && (rc = get_text(f, x, TEXT_MAX, NULL)) < 0)
		return rc;
	sub(f, "%s.months", path);
	if ((rc = get_months(f, json_object_get(s, "months"), mask)) < 0)
		return rc;
	if (*mask & *seen)
		return pcrm__error(PCRM_EINVAL, "%s: a month is already in an earlier season", f);
	*seen |= *mask;
	return PCRM_OK;
}

/* The helpers above for the loaders of the document's parts in other files. */
void pcrm__tariff_path(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PCRM__PATH_SIZE, fmt, ap);
	va_end(ap);
}

int pcrm__tariff_get_dec(const char *path, const json_t *v, int scale, int negative_ok,
                         int64_t *out)
{
	return get_dec(path, v, scale, negative_ok, out);
}

int pcrm__tariff_period_index(const pcrm_tariff *t, const char *name)
{
	return period_index(t, name);
}

/* ---- time of use ---- */

/*
 * A 12 x 24 schedule of period indexes 0..periods-1, each hour filling its two
 * half-hour slots.  The TOU periods (tou.weekday / tou.weekend) and the demand
 * periods (demand_charges.schedule, demand_load.c) are both read here.
 */
int pcrm__tariff_load_matrix(const char *path, const json_t *v, size_t periods,
                             unsigned char out[12][PCRM__DAY_SLOTS])
{
	char p[PATH_SIZE], h[PATH_SIZE];
	int rc, idx;

	if ((rc = pcrm__json_expect(path, v, JSON_ARRAY, "12 lists (months) of 24 period indexes")) < 0)
		return rc;
	if (json_array_size(v) != 12)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu months, expected 12", path,
		                   json_array_size(v));
	for (size_t m = 0; m < 12; m++) {
		json_t *row = json_array_get(v, m);
		sub(p, "%s[%zu]", path, m);
		if ((rc = pcrm__json_expect(p, row, JSON_ARRAY, "24 period indexes (hours 0..23)")) < 0)
			return rc;
		if (json_array_size(row) != 24)
			return pcrm__error(PCRM_EINVAL, "%s: has %zu hours, expected 24", p,
			                   json_array_size(row));
		for (size_t hr = 0; hr < 24; hr++) {
			sub(h, "%s[%zu]", p, hr);
			if ((rc = get_int(h, json_array_get(row, hr), 0, (int)periods - 1, &idx)) < 0)
				return rc;
			out[m][2 * hr] = out[m][2 * hr + 1] = (unsigned char)idx;
		}
	}
	return PCRM_OK;
}

/* "HH:00" or "HH:30" as a half-hour slot 0..47; "24:00" (slot 48) only as an end. */
static int get_slot(const char *path, const json_t *v, int is_end, int *out)
{
	char q[PCRM_QUOTE_SIZE];
	const char *s;
	int rc, hh;

	if ((rc = pcrm__json_expect(path, v, JSON_STRING, "a time \"HH:00\" or \"HH:30\"")) < 0)
		return rc;
	s = json_string_value(v);
	pcrm__quote(s, json_string_length(v), q, sizeof(q));
	if (json_string_length(v) != 5 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':')
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a time HH:MM", path, q);
	if ((s[3] != '0' && s[3] != '3') || s[4] != '0')
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\": bands start and end on the hour or the "
		                   "half hour", path, q);
	hh = (s[0] - '0') * 10 + (s[1] - '0');
	if (hh > (is_end ? 24 : 23) || (hh == 24 && s[3] != '0'))
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\": outside 00:00..%s", path, q,
		                   is_end ? "24:00" : "23:30");
	*out = hh * 2 + (s[3] == '3');
	return PCRM_OK;
}

/* "HH:MM" of a half-hour slot 0..48. */
static void slot_text(int slot, char buf[8])
{
	unsigned h = (unsigned)slot / 2 % 100;

	buf[0] = (char)('0' + h / 10);
	buf[1] = (char)('0' + h % 10);
	buf[2] = ':';
	buf[3] = slot % 2 ? '3' : '0';
	buf[4] = '0';
	buf[5] = '\0';
}

static int load_bands(const char *path, const json_t *v, const pcrm_tariff *t,
                      unsigned char day[PCRM__DAY_SLOTS])
{
	static const char *const keys[] = { "from", "to", "period", NULL };
	char p[PATH_SIZE], f[PATH_SIZE], a[8], b2[8];
	int covered[PCRM__DAY_SLOTS] = { 0 };
	int rc, from, to, period;
	size_t i;
	json_t *b;

	if ((rc = pcrm__json_expect(path, v, JSON_ARRAY,
	                            "a list of bands {\"from\", \"to\", \"period\"}")) < 0)
		return rc;
	json_array_foreach(v, i, b) {
		sub(p, "%s[%zu]", path, i);
		if ((rc = pcrm__json_expect(p, b, JSON_OBJECT,
		                            "a band {\"from\", \"to\", \"period\"}")) < 0 ||
		    (rc = pcrm__json_check_keys(p, b, keys)) < 0)
			return rc;
		sub(f, "%s.from", p);
		if ((rc = get_slot(f, json_object_get(b, "from"), 0, &from)) < 0)
			return rc;
		sub(f, "%s.to", p);
		if ((rc = get_slot(f, json_object_get(b, "to"), 1, &to)) < 0)
			return rc;
		slot_text(from, a);
		slot_text(to, b2);
		if (to <= from)
			return pcrm__error(PCRM_EINVAL, "%s: %s is not after from %s", f, b2, a);
		sub(f, "%s.period", p);
		if ((rc = get_period_ref(f, json_object_get(b, "period"), t, &period)) < 0)
			return rc;
		for (int h = from; h < to; h++) {
			if (covered[h]) {
				slot_text(h, a);
				slot_text(h + 1, b2);
				return pcrm__error(PCRM_EINVAL, "%s: %s-%s is already covered by %s[%d]", p,
				                   a, b2, path, covered[h] - 1);
			}
			covered[h] = (int)i + 1;
			day[h] = (unsigned char)period;
		}
	}
	for (int h = 0; h < PCRM__DAY_SLOTS; h++) {
		if (!covered[h]) {
			slot_text(h, a);
			slot_text(h + 1, b2);
			return pcrm__error(PCRM_EINVAL, "%s: %s-%s is in no band (the bands must cover "
			                   "the whole day)", path, a, b2);
		}
	}
	return PCRM_OK;
}

static int load_seasons(const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "name", "months", "weekday", "weekend", NULL };
	unsigned char wd[PCRM__DAY_SLOTS], we[PCRM__DAY_SLOTS];
	char p[PATH_SIZE], f[PATH_SIZE];
	unsigned seen = 0, mask;
	size_t i;
	json_t *s, *x;
	int rc;

	if ((rc = pcrm__json_expect("tou.seasons", v, JSON_ARRAY, "a list of seasons")) < 0)
		return rc;
	json_array_foreach(v, i, s) {
		sub(p, "tou.seasons[%zu]", i);
		if ((rc = load_season_head(p, s, keys, "a season {\"months\", \"weekday\", "
		                           "\"weekend\"}", &seen, &mask)) < 0)
			return rc;
		sub(f, "%s.weekday", p);
		if ((rc = load_bands(f, json_object_get(s, "weekday"), t, wd)) < 0)
			return rc;
		memcpy(we, wd, sizeof(we));
		sub(f, "%s.weekend", p);
		if ((x = json_object_get(s, "weekend")) && (rc = load_bands(f, x, t, we)) < 0)
			return rc;
		for (int m = 1; m <= 12; m++) {
			if (mask & (1u << m)) {
				memcpy(t->weekday[m - 1], wd, sizeof(wd));
				memcpy(t->weekend[m - 1], we, sizeof(we));
			}
		}
	}
	for (int m = 1; m <= 12; m++)
		if (!(seen & (1u << m)))
			return pcrm__error(PCRM_EINVAL, "tou.seasons: month %d is in no season (seasons "
			                   "must cover months %s)", m, month_all);
	return PCRM_OK;
}

static int load_tou(json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = {
		"periods", "weekday", "weekend", "seasons", "holidays_as_weekend", NULL
	};
	char p[PATH_SIZE];
	json_t *list, *x;
	size_t i;
	int rc;

	if ((rc = pcrm__json_expect("tou", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("tou", v, keys)) < 0)
		return rc;
	list = json_object_get(v, "periods");
	if ((rc = pcrm__json_expect("tou.periods", list, JSON_ARRAY, "a list of period names")) < 0)
		return rc;
	if (json_array_size(list) < 1 || json_array_size(list) > PCRM_TARIFF_MAX_PERIODS)
		return pcrm__error(PCRM_EINVAL, "tou.periods: has %zu periods, expected 1..%d",
		                   json_array_size(list), PCRM_TARIFF_MAX_PERIODS);
	json_array_foreach(list, i, x) {
		sub(p, "tou.periods[%zu]", i);
		if ((rc = get_text(p, x, PCRM__NAME_MAX, NULL)) < 0)
			return rc;
		if (period_index(t, json_string_value(x)) >= 0)
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is listed twice", p,
			                   json_string_value(x));
		if ((rc = get_text(p, x, PCRM__NAME_MAX, &t->periods[i])) < 0)
			return rc;
		t->period_count++;
	}
	t->has_tou = 1;
	if ((x = json_object_get(v, "holidays_as_weekend")) &&
	    (rc = get_bool("tou.holidays_as_weekend", x, &t->holidays_as_weekend)) < 0)
		return rc;
	if (json_object_get(v, "seasons")) {
		if (json_object_get(v, "weekday") || json_object_get(v, "weekend"))
			return pcrm__error(PCRM_EINVAL, "tou: give either \"seasons\" (time bands) or "
			                   "\"weekday\"/\"weekend\" (12 x 24 schedules), not both");
		return load_seasons(json_object_get(v, "seasons"), t);
	}
	if ((rc = pcrm__tariff_load_matrix("tou.weekday", json_object_get(v, "weekday"),
	                                   t->period_count, t->weekday)) < 0)
		return rc;
	if ((x = json_object_get(v, "weekend")))
		return pcrm__tariff_load_matrix("tou.weekend", x, t->period_count, t->weekend);
	memcpy(t->weekend, t->weekday, sizeof(t->weekend));
	return PCRM_OK;
}

/* ---- energy ---- */

static int load_tier(size_t i, size_t n, const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "max", "price", "surcharge", NULL };
	char p[PATH_SIZE], f[PATH_SIZE];
	json_t *max, *price, *surcharge;
	int rc, kind;

	sub(p, "energy.tiers[%zu]", i);
	if ((rc = pcrm__json_expect(p, v, JSON_OBJECT,
	                            "a tier {\"max\", \"price\" or \"surcharge\"}")) < 0 ||
	    (rc = pcrm__json_check_keys(p, v, keys)) < 0)
		return rc;
	max = json_object_get(v, "max");
	price = json_object_get(v, "price");
	surcharge = json_object_get(v, "surcharge");
	sub(f, "%s.max", p);
	if (i + 1 < n && !max)
		return pcrm__error(PCRM_EINVAL, "%s: missing (every tier but the last has a max)", f);
	if (i + 1 == n && max)
		return pcrm__error(PCRM_EINVAL, "%s: the last tier is open-ended and has no max", f);
	if (max) {
		if ((rc = get_dec(f, max, ENERGY_DIGITS, 0, &t->tier_max[0][i])) < 0)
			return rc;
		if (t->tier_max[0][i] == 0)
			return pcrm__error(PCRM_EINVAL, "%s: must be above 0", f);
		if (i > 0 && t->tier_max[0][i] <= t->tier_max[0][i - 1])
			return pcrm__error(PCRM_EINVAL, "%s: %s is not above energy.tiers[%zu].max",
			                   f, json_string_value(max), i - 1);
	}
	if ((price != NULL) == (surcharge != NULL))
		return pcrm__error(PCRM_EINVAL, "%s: give exactly one of \"price\" (the tier's price) "
		                   "and \"surcharge\" (added to the period price)", p);
	kind = price ? PCRM__TIER_PRICE : PCRM__TIER_SURCHARGE;
	if (i > 0 && kind != t->tier_kind)
		return pcrm__error(PCRM_EINVAL, "%s: all tiers give a \"price\" or all a \"surcharge\", "
		                   "not a mix", p);
	t->tier_kind = kind;
	sub(f, "%s.%s", p, price ? "price" : "surcharge");
	return get_dec(f, price ? price : surcharge, PRICE_DIGITS, 0, &t->tier_price[i]);
}

/* A list of n decimal energies ("max" of a season, "extra" of large households). */
static int load_energy_list(const char *path, const json_t *v, size_t n, int increasing,
                            int64_t *out)
{
	char p[PATH_SIZE];
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_ARRAY, "a list of kWh strings")) < 0)
		return rc;
	if (json_array_size(v) != n)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu values, expected %zu (one per tier "
		                   "but the last)", path, json_array_size(v), n);
	for (size_t i = 0; i < n; i++) {
		sub(p, "%s[%zu]", path, i);
		if ((rc = get_dec(p, json_array_get(v, i), ENERGY_DIGITS, 0, &out[i])) < 0)
			return rc;
		if (increasing && (out[i] == 0 || (i > 0 && out[i] <= out[i - 1])))
			return pcrm__error_at(PCRM_EINVAL, "tariff.thresholds.not_increasing", p,
			                      "%s: thresholds must be above 0 and increasing", p);
	}
	return PCRM_OK;
}

static int load_seasonal_max(const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "name", "months", "max", NULL };
	int64_t max[PCRM_TARIFF_MAX_TIERS];
	char p[PATH_SIZE], f[PATH_SIZE];
	unsigned seen = 0, mask;
	size_t i;
	json_t *s;
	int rc;

	if ((rc = pcrm__json_expect("energy.seasonal_max", v, JSON_ARRAY, "a list of seasons")) < 0)
		return rc;
	json_array_foreach(v, i, s) {
		sub(p, "energy.seasonal_max[%zu]", i);
		if ((rc = load_season_head(p, s, keys, "a season {\"months\", \"max\"}", &seen,
		                           &mask)) < 0)
			return rc;
		sub(f, "%s.max", p);
		if ((rc = load_energy_list(f, json_object_get(s, "max"), t->tier_count - 1, 1, max)) < 0)
			return rc;
		for (int m = 1; m <= 12; m++)
			if (mask & (1u << m))
				memcpy(t->tier_max[m - 1], max, sizeof(max));
	}
	return PCRM_OK;
}

static int load_large_household(const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "min_size", "extra", NULL };
	int rc;

	if ((rc = pcrm__json_expect("energy.large_household", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("energy.large_household", v, keys)) < 0 ||
	    (rc = get_int("energy.large_household.min_size", json_object_get(v, "min_size"), 2, 100,
	                  &t->large_household_min)) < 0)
		return rc;
	return load_energy_list("energy.large_household.extra", json_object_get(v, "extra"),
	                        t->tier_count - 1, 0, t->large_household_extra);
}

static int load_low_income(const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "free_kwh", "price", NULL };
	int rc;

	if ((rc = pcrm__json_expect("energy.low_income", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("energy.low_income", v, keys)) < 0 ||
	    (rc = get_dec("energy.low_income.free_kwh", json_object_get(v, "free_kwh"),
	                  ENERGY_DIGITS, 0, &t->low_income_kwh)) < 0 ||
	    (rc = get_dec("energy.low_income.price", json_object_get(v, "price"), PRICE_DIGITS, 0,
	                  &t->low_income_price)) < 0)
		return rc;
	t->has_low_income = 1;
	return PCRM_OK;
}

static int load_tiers(json_t *e, pcrm_tariff *t)
{
	static const char *const bases[] = { "monthly", "annual", "daily", NULL };
	json_t *tiers = json_object_get(e, "tiers"), *x;
	size_t n;
	int rc;

	if ((rc = pcrm__json_expect("energy.tiers", tiers, JSON_ARRAY, "a list of tiers")) < 0)
		return rc;
	n = json_array_size(tiers);
	if (n < 1 || n > PCRM_TARIFF_MAX_TIERS)
		return pcrm__error(PCRM_EINVAL, "energy.tiers: has %zu tiers, expected 1..%d", n,
		                   PCRM_TARIFF_MAX_TIERS);
	t->tier_count = n;
	for (size_t i = 0; i < n; i++)
		if ((rc = load_tier(i, n, json_array_get(tiers, i), t)) < 0)
			return rc;
	for (int m = 1; m < 12; m++)
		memcpy(t->tier_max[m], t->tier_max[0], sizeof(t->tier_max[0]));
	if ((x = json_object_get(e, "tier_basis"))) {
		int b = 0;
		if ((rc = pcrm__json_expect("energy.tier_basis", x, JSON_STRING, "\"monthly\", \"annual\" or "
		               "\"daily\"")) < 0)
			return rc;
		while (bases[b] && strcmp(bases[b], json_string_value(x)) != 0)
			b++;
		if (!bases[b])
			return pcrm__error(PCRM_EINVAL, "energy.tier_basis: expected \"monthly\", "
			                   "\"annual\" or \"daily\"");
		t->tier_basis = b;
	}
	if ((x = json_object_get(e, "seasonal_max")) && (rc = load_seasonal_max(x, t)) < 0)
		return rc;
	if ((x = json_object_get(e, "large_household")) && (rc = load_large_household(x, t)) < 0)
		return rc;
	return PCRM_OK;
}

static int load_energy(json_t *e, pcrm_tariff *t)
{
	static const char *const keys[] = {
		"price", "prices", "tiers", "tier_basis", "seasonal_max", "large_household",
		"low_income", "rates", NULL
	};
	static const char *const tier_only[] = {
		"tier_basis", "seasonal_max", "large_household", NULL
	};
	static const char *const not_with_rates[] = {
		"price", "prices", "tiers", "tier_basis", "seasonal_max", "large_household", NULL
	};
	char p[PATH_SIZE];
	json_t *price, *prices, *x;
	int rc, need_prices;

	if ((rc = pcrm__json_expect("energy", e, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("energy", e, keys)) < 0)
		return rc;
	if ((x = json_object_get(e, "rates"))) {
		/* prices per (period, tier): the other price forms would say the same twice */
		for (int i = 0; not_with_rates[i]; i++)
			if (json_object_get(e, not_with_rates[i]))
				return pcrm__error(PCRM_EINVAL, "energy.%s: not with energy.rates (the "
				                   "rates give every period's tiers and prices)",
				                   not_with_rates[i]);
		if ((rc = pcrm__load_energy_rates(x, t)) < 0)
			return rc;
		if ((x = json_object_get(e, "low_income")) && (rc = load_low_income(x, t)) < 0)
			return rc;
		return PCRM_OK;
	}
	if (json_object_get(e, "tiers")) {
		if ((rc = load_tiers(e, t)) < 0)
			return rc;
	} else {
		for (int i = 0; tier_only[i]; i++)
			if (json_object_get(e, tier_only[i]))
				return pcrm__error(PCRM_EINVAL, "energy.%s: only meaningful with "
				                   "energy.tiers", tier_only[i]);
	}
	price = json_object_get(e, "price");
	prices = json_object_get(e, "prices");
	need_prices = t->tier_kind != PCRM__TIER_PRICE;
	if (!need_prices && (price || prices))
		return pcrm__error(PCRM_EINVAL, "energy.%s: the tiers give absolute prices; remove "
		                   "it (or give tier surcharges instead)", price ? "price" : "prices");
	if (need_prices && !t->has_tou) {
		if (prices)
			return pcrm__error(PCRM_EINVAL, "energy.prices: only with tou periods; use "
			                   "energy.price");
		if ((rc = get_dec("energy.price", price, PRICE_DIGITS, 0, &t->period_price[0])) < 0)
			return rc;
	} else if (need_prices) {
		if (price)
			return pcrm__error(PCRM_EINVAL, "energy.price: the tariff has tou periods; give "
			                   "energy.prices per period");
		if ((rc = pcrm__json_expect("energy.prices", prices, JSON_OBJECT,
		               "an object of period name -> price")) < 0)
			return rc;
		if ((rc = pcrm__json_check_keys("energy.prices", prices, (const char *const *)t->periods)) < 0)
			return rc;
		for (size_t i = 0; i < t->period_count; i++) {
			sub(p, "energy.prices.%s", t->periods[i]);
			if ((rc = get_dec(p, json_object_get(prices, t->periods[i]), PRICE_DIGITS, 0,
			                  &t->period_price[i])) < 0)
				return rc;
		}
	}
	if ((x = json_object_get(e, "low_income")) && (rc = load_low_income(x, t)) < 0)
		return rc;
	return PCRM_OK;
}

/* ---- funds, fixed and minimum charges (the basic charge: demand_load.c) ---- */

/* funds (price per kWh) or fixed_charges (amount per bill) */
static int load_items(const char *key, json_t *v, int is_fund, struct pcrm__item *items,
                      size_t *count)
{
	static const char *const fund_keys[] = { "code", "name", "price", NULL };
	static const char *const fixed_keys[] = { "code", "name", "amount", NULL };
	char p[PATH_SIZE], f[PATH_SIZE];
	size_t i;
	json_t *x;
	int rc;

	if ((rc = pcrm__json_expect(key, v, JSON_ARRAY, "a list")) < 0)
		return rc;
	if (json_array_size(v) > PCRM_TARIFF_MAX_ITEMS)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu items, at most %d are supported", key,
		                   json_array_size(v), PCRM_TARIFF_MAX_ITEMS);
	json_array_foreach(v, i, x) {
		struct pcrm__item *it = &items[i];
		sub(p, "%s[%zu]", key, i);
		if ((rc = pcrm__json_expect(p, x, JSON_OBJECT, "an object")) < 0 ||
		    (rc = pcrm__json_check_keys(p, x, is_fund ? fund_keys : fixed_keys)) < 0)
			return rc;
		sub(f, "%s.code", p);
		if ((rc = get_code(f, json_object_get(x, "code"), PCRM__NAME_MAX, NULL)) < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(items[j].code, json_string_value(json_object_get(x, "code"))) == 0)
				return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is already %s[%zu].code", f,
				                   items[j].code, key, j);
		if ((rc = get_code(f, json_object_get(x, "code"), PCRM__NAME_MAX, &it->code)) < 0)
			return rc;
		(*count)++;
		sub(f, "%s.name", p);
		if ((rc = get_text(f, json_object_get(x, "name"), TEXT_MAX, &it->name)) < 0)
			return rc;
		sub(f, "%s.%s", p, is_fund ? "price" : "amount");
		if ((rc = get_dec(f, json_object_get(x, is_fund ? "price" : "amount"),
		                  is_fund ? PRICE_DIGITS : PCRM__MONEY_SCALE, 0, &it->value)) < 0)
			return rc;
	}
	return PCRM_OK;
}

static int load_minimum(json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "monthly", "annual", NULL };
	json_t *x;
	int rc;

	if ((rc = pcrm__json_expect("minimum", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("minimum", v, keys)) < 0)
		return rc;
	if ((x = json_object_get(v, "monthly"))) {
		if ((rc = get_dec("minimum.monthly", x, PCRM__MONEY_SCALE, 0, &t->min_monthly)) < 0)
			return rc;
		t->has_min_monthly = 1;
	}
	if ((x = json_object_get(v, "annual"))) {
		if ((rc = get_dec("minimum.annual", x, PCRM__MONEY_SCALE, 0, &t->min_annual)) < 0)
			return rc;
		t->has_min_annual = 1;
	}
	return PCRM_OK;
}

/* ---- the document ---- */

/*
 * "time_zone": an IANA zone read from the system's tzdata when the tariff is
 * loaded (zone.h), so bills stay pure; China's tariffs keep the fixed
 * UTC+8 of "utc_offset" (China has no daylight time).
 */
static int load_time_zone(json_t *root, json_t *x, pcrm_tariff *t)
{
	int rc;

	if (json_object_get(root, "utc_offset"))
		return pcrm__error(PCRM_EINVAL, "time_zone: give either \"time_zone\" or "
		                   "\"utc_offset\", not both");
	if ((rc = pcrm__json_expect("time_zone", x, JSON_STRING,
	                            "an IANA zone name such as \"America/New_York\"")) < 0)
		return rc;
	if (!(t->zone = malloc(sizeof(*t->zone))))
		return pcrm__error_oom();
	if ((rc = pcrm__zone_load("time_zone", json_string_value(x), t->zone)) < 0) {
		free(t->zone);
		t->zone = NULL;
	}
	return rc;
}

static int load_header(json_t *root, pcrm_tariff *t)
{
	static const char *const modes[] = {
		"half_up", "half_even", "down", "up", "ceiling", "floor", NULL
	};
	json_t *x;
	const char *s;
	int rc, m = 0;

	if ((rc = get_code("id", json_object_get(root, "id"), 64, &t->id)) < 0)
		return rc;
	x = json_object_get(root, "version");
	if ((rc = pcrm__json_expect("version", x, JSON_INTEGER, "an integer >= 1")) < 0)
		return rc;
	if (json_integer_value(x) < 1)
		return pcrm__error(PCRM_EINVAL, "version: %lld is not >= 1",
		                   (long long)json_integer_value(x));
	t->version = (int64_t)json_integer_value(x);
	if ((x = json_object_get(root, "name")) && (rc = get_text("name", x, TEXT_MAX, NULL)) < 0)
		return rc;
	if ((x = json_object_get(root, "description")) &&
	    (rc = pcrm__json_expect("description", x, JSON_STRING, "a string")) < 0)
		return rc;
	if ((x = json_object_get(root, "usage_class")) &&
	    (rc = get_code("usage_class", x, 64, &t->usage_class)) < 0)
		return rc;
	if ((rc = get_date("effective_from", json_object_get(root, "effective_from"), &t->from)) < 0)
		return rc;
	if ((x = json_object_get(root, "effective_to"))) {
		if ((rc = get_date("effective_to", x, &t->to)) < 0)
			return rc;
		if (pcrm_date_to_days(t->to) < pcrm_date_to_days(t->from))
			return pcrm__error(PCRM_EINVAL, "effective_to: %s is before effective_from",
			                   json_string_value(x));
		t->has_to = 1;
	}
	x = json_object_get(root, "currency");
	if ((rc = pcrm__json_expect("currency", x, JSON_STRING, "an ISO 4217 code such as \"CNY\"")) < 0)
		return rc;
	s = json_string_value(x);
	if (json_string_length(x) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
	    s[2] < 'A' || s[2] > 'Z')
		return pcrm__error(PCRM_EINVAL, "currency: expected three upper-case letters "
		                   "(ISO 4217) such as \"CNY\"");
	memcpy(t->currency, s, 4);
	x = json_object_get(root, "rounding");
	if ((rc = pcrm__json_expect("rounding", x, JSON_STRING,
	                            "a rounding mode such as \"half_up\"")) < 0)
		return rc;
	while (modes[m] && strcmp(modes[m], json_string_value(x)) != 0)
		m++;
	if (!modes[m])
		return pcrm__error(PCRM_EINVAL, "rounding: expected half_up, half_even, down, up, "
		                   "ceiling or floor");
	t->rounding = (pcrm_rounding)m;
	t->utc_offset = PCRM_UTC_OFFSET_CHINA;
	if ((x = json_object_get(root, "utc_offset"))) {
		if ((rc = pcrm__json_expect("utc_offset", x, JSON_STRING, "a string such as \"+08:00\"")) < 0)
			return rc;
		if ((rc = pcrm__parse_utc_offset(json_string_value(x), json_string_length(x),
		                                 &t->utc_offset)) < 0) {
			pcrm__error_prefix("utc_offset");
			return rc;
		}
	}
	if ((x = json_object_get(root, "time_zone")))
		return load_time_zone(root, x, t);
	return PCRM_OK;
}

static int load_document(json_t *root, pcrm_tariff *t)
{
	static const char *const keys[] = {
		"id", "version", "name", "description", "usage_class", "effective_from",
		"effective_to", "currency", "rounding", "utc_offset", "time_zone", "tou", "energy", "basic",
		"demand_charges", "power_factor_adjustment", "funds", "fixed_charges", "minimum",
		"net_metering", NULL
	};
	json_t *x;
	int rc;

	if (!json_is_object(root))
		return pcrm__error(PCRM_EINVAL, "document: expected an object, got %s",
		                   pcrm__json_type_name(root));
	if ((rc = pcrm__json_check_keys("", root, keys)) < 0 || (rc = load_header(root, t)) < 0)
		return rc;
	if ((x = json_object_get(root, "tou"))) {
		if ((rc = load_tou(x, t)) < 0)
			return rc;
	} else {
		if (!(t->periods[0] = malloc(4)))
			return pcrm__error_oom();
		memcpy(t->periods[0], "all", 4);
		t->period_count = 1;
	}
	if ((rc = load_energy(json_object_get(root, "energy"), t)) < 0)
		return rc;
	if ((x = json_object_get(root, "basic")) && (rc = pcrm__basic_load(x, t)) < 0)
		return rc;
	if ((x = json_object_get(root, "demand_charges")) && (rc = pcrm__demand_load(x, t)) < 0)
		return rc;
	if ((x = json_object_get(root, "power_factor_adjustment")) &&
	    (rc = get_bool("power_factor_adjustment", x, &t->pf_adjust)) < 0)
		return rc;
	if ((x = json_object_get(root, "funds")) &&
	    (rc = load_items("funds", x, 1, t->funds, &t->fund_count)) < 0)
		return rc;
	if ((x = json_object_get(root, "fixed_charges")) &&
	    (rc = load_items("fixed_charges", x, 0, t->fixed, &t->fixed_count)) < 0)
		return rc;
	if ((x = json_object_get(root, "minimum")) && (rc = load_minimum(x, t)) < 0)
		return rc;
	if ((x = json_object_get(root, "net_metering")) && (rc = pcrm__load_net_metering(x, t)) < 0)
		return rc;
	return PCRM_OK;
}

/* ---- the readers demand_load.c shares (demand.h) ---- */

int pcrm__tariff_get_int(const char *path, const json_t *v, int min, int max, int *out)
{
	return get_int(path, v, min, max, out);
}

int pcrm__tariff_get_months(const char *path, const json_t *v, unsigned *mask)
{
	return get_months(path, v, mask);
}

int pcrm__tariff_get_name(const char *path, const json_t *v, char **out)
{
	return get_text(path, v, PCRM__NAME_MAX, out);
}

int pcrm_tariff_load(pcrm_tariff **out, const char *json)
{
	pcrm_tariff *t;
	json_error_t err;
	json_t *root;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "tariff load: out is NULL");
	*out = NULL;
	if (!json)
		return pcrm__error(PCRM_EINVAL, "tariff load: json is NULL");
	/* duplicate keys are refused: with two "price" entries, which one was meant? */
	if (!(root = json_loads(json, JSON_REJECT_DUPLICATES, &err)))
		return pcrm__error(PCRM_EINVAL, "JSON syntax, line %d column %d: %s", err.line,
		                   err.column, err.text);
	if (!(t = calloc(1, sizeof(*t)))) {
		json_decref(root);
		return pcrm__error_oom();
	}
	atomic_init(&t->refs, 1);
	rc = load_document(root, t);
	json_decref(root);
	if (rc == PCRM_OK)
		pcrm__tariff_index_hours(t);
	if (rc < 0) {
		pcrm__tariff_clear(t);
		free(t);
		return rc;
	}
	*out = t;
	return PCRM_OK;
}

int pcrm_tariff_load_file(pcrm_tariff **out, const char *path)
{
	char *buf = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "tariff load file: out is NULL");
	*out = NULL;
	if (!path)
		return pcrm__error(PCRM_EINVAL, "tariff load file: path is NULL");
	if ((rc = pcrm__read_text_file(path, FILE_MAX_BYTES, "tariff", &buf)) < 0)
		return rc;
	if ((rc = pcrm_tariff_load(out, buf)) < 0)
		pcrm__error_prefix("%s", path);
	free(buf);
	return rc;
}
