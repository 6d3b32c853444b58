/*
 * Importing a rate of the OpenEI Utility Rate Database (URDB, API v7/v8
 * field names) as a tariff document (docs/tariff-format.md, "Importing from
 * URDB").
 *
 * The importer is all or nothing.  Every key of the rate is either mapped,
 * known to carry no charge (labels, comments, applicability), or refused;
 * a refused field goes on a list, and when the list is not empty nothing is
 * converted and the message names every field on it (PCRM_EUNSUPPORTED).
 * A malformed rate is PCRM_EINVAL naming the JSON path, like the tariff
 * loader.  The fields refused today are those the tariff format cannot
 * express yet (hourly net billing, tiered sell prices, coincident demand,
 * ...); when the format learns them, each refusal below becomes a mapping.
 * Per-(period, tier) prices and net metering map onto energy.rates and
 * net_metering, demand tiers, the demand schedule and ratchets onto
 * demand_charges (docs/tariff-format.md).
 *
 * URDB prices are JSON numbers.  jansson would read them as doubles, so the
 * text is first rewritten with every number quoted (numbers_as_strings()),
 * and each value is then parsed as an exact decimal from its own digits.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/decimal.h>
#include <powercrm/tariff.h>
#include <powercrm/time.h>
#include <powercrm/urdb.h>

#include "core/error.h"
#include "core/json_doc.h"

#define DOC_MAX_BYTES (4 * 1024 * 1024)
#define PATH_SIZE 96
/* Periods and tiers read from a rate: more than the format holds, so the refusal can say how many. */
#define URDB_MAX_PERIODS 64
#define URDB_MAX_TIERS 32
#define MAX_REFUSALS 40
/* A tier maximum with more integer digits than this means "no maximum" (ssc writes 1e38). */
#define OPEN_ENDED_DIGITS 15

struct refusal {
	char field[48];
	char reason[112];
};

/* What an energy tier's max counts (URDB "unit"), as energy.rates' max_unit. */
enum tier_unit { UNIT_KWH, UNIT_KWH_DAILY, UNIT_KWH_PER_KW };

static const char *const tier_unit_names[] = { "kWh", "kWh daily", "kWh/kW" };

struct tier {
	pcrm_decimal price; /* rate + adj */
	int has_max;
	pcrm_decimal max;
	enum tier_unit unit;
	pcrm_decimal sell; /* 0 when the tier has no "sell" */
};

struct structure {
	size_t periods;
	size_t tiers[URDB_MAX_PERIODS];
	struct tier t[URDB_MAX_PERIODS][URDB_MAX_TIERS];
};

struct importer {
	struct refusal refused[MAX_REFUSALS];
	size_t refused_count, refused_more;

	struct structure energy, demand, flat;
	int has_sell; /* some energy tier has a non-zero "sell" */
	int has_energy_sched, has_demand_sched;
	unsigned char esched[2][12][24]; /* [weekend][month][hour] */
	unsigned char dsched[2][12][24];
	int flat_months[12];
};

/* ---- the refusal list ---- */

static void refuse(struct importer *im, const char *field, const char *fmt, ...) PCRM_PRINTF(3, 4);

static void refuse(struct importer *im, const char *field, const char *fmt, ...)
{
	struct refusal r;
	va_list ap;

	snprintf(r.field, sizeof(r.field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(r.reason, sizeof(r.reason), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < im->refused_count; i++)
		if (!strcmp(im->refused[i].field, r.field) && !strcmp(im->refused[i].reason, r.reason))
			return;
	if (im->refused_count == MAX_REFUSALS) {
		im->refused_more++;
		return;
	}
	im->refused[im->refused_count++] = r;
}

static int report_refusals(const struct importer *im)
{
	char msg[PCRM__ERROR_MESSAGE_MAX];
	size_t n = im->refused_more;
	int len;

	/* fields, not reasons: one field may be refused for several */
	for (size_t i = 0; i < im->refused_count; i++) {
		size_t j = 0;
		while (j < i && strcmp(im->refused[j].field, im->refused[i].field) != 0)
			j++;
		n += j == i;
	}

	len = snprintf(msg, sizeof(msg), "urdb: cannot express %zu field%s in the tariff format yet "
	               "(nothing was converted): ", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < im->refused_count && len > 0 && (size_t)len < sizeof(msg); i++)
		len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s%s (%s)", i ? "; " : "",
		                im->refused[i].field, im->refused[i].reason);
	if (im->refused_more && len > 0 && (size_t)len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - (size_t)len, "; and %zu more", im->refused_more);
	return pcrm__error(PCRM_EUNSUPPORTED, "%s", msg);
}

/* ---- numbers ---- */

/*
 * The document with every JSON number written as a string ("0.08295"), so
 * that jansson hands over the digits rather than a double.  Strings are
 * copied untouched (escapes included); anything else is left to jansson.
 */
static char *numbers_as_strings(const char *in)
{
	size_t len = strlen(in), o = 0;
	char *out = malloc(len * 3 + 1);
	int in_string = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (in_string) {
			out[o++] = c;
			if (c == '\\' && i + 1 < len)
				out[o++] = in[++i];
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
			out[o++] = c;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			out[o++] = '"';
			while (i < len && strchr("0123456789+-.eE", in[i]) && in[i])
				out[o++] = in[i++];
			out[o++] = '"';
			i--;
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * An exact decimal from a URDB number ("0.08295", "-1", "1e+38",
 * "9.9999999999999998e+37"); `*huge` is set (and *out left zero) when its
 * integer part has more than OPEN_ENDED_DIGITS digits.
 */
static int get_number(const char *path, const json_t *v, pcrm_decimal *out, int *huge)
{
	char digits[64], text[80], q[PCRM_QUOTE_SIZE];
	const char *s, *p;
	size_t nd = 0, len;
	int neg = 0, frac = 0, seen_point = 0, seen_digit = 0, scale, lead;
	long exp = 0;

	*huge = 0;
	*out = pcrm_decimal_from_int(0);
	if (!json_is_string(v))
		return pcrm__json_expect(path, v, JSON_STRING, "a number");
	s = json_string_value(v);
	len = json_string_length(v);
	pcrm__quote(s, len, q, sizeof(q));
	p = s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			seen_digit = 1;
			if (nd == 0 && *p == '0') {
				if (seen_point)
					frac++;
				continue; /* leading zeros carry nothing */
			}
			if (nd + 1 >= sizeof(digits))
				return pcrm__error(PCRM_EINVAL, "%s: \"%s\" has too many digits", path, q);
			digits[nd++] = *p;
			if (seen_point)
				frac++;
		} else if (*p == '.' && !seen_point) {
			seen_point = 1;
		} else {
			break;
		}
	}
	if (*p == 'e' || *p == 'E') {
		char *end;
		p++;
		exp = strtol(p, &end, 10);
		if (end == p || exp > 400 || exp < -400)
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a number", path, q);
		p = end;
	}
	if (!seen_digit || *p || (size_t)(p - s) != len)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a number", path, q);
	scale = frac - (int)exp;
	/* Trailing zeros after the point change nothing: 0.0500 is 0.05. */
	while (nd > 0 && scale > 0 && digits[nd - 1] == '0') {
		nd--;
		scale--;
	}
	if (nd == 0) {
		*out = pcrm_decimal_from_int(0);
		return PCRM_OK;
	}
	lead = (int)nd - scale; /* digits before the point */
	if (lead > OPEN_ENDED_DIGITS) {
		*huge = 1;
		return PCRM_OK;
	}
	if (scale > PCRM_DECIMAL_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" has more than %d digits after the point",
		                   path, q, PCRM_DECIMAL_MAX_SCALE);
	/* digits x 10^-scale as plain text */
	{
		size_t t = 0;
		if (neg)
			text[t++] = '-';
		if (scale <= 0) {
			memcpy(text + t, digits, nd);
			t += nd;
			for (int i = 0; i < -scale; i++)
				text[t++] = '0';
		} else if (lead > 0) {
			memcpy(text + t, digits, (size_t)lead);
			t += (size_t)lead;
			text[t++] = '.';
			memcpy(text + t, digits + lead, nd - (size_t)lead);
			t += nd - (size_t)lead;
		} else {
			text[t++] = '0';
			text[t++] = '.';
			for (int i = 0; i < -lead; i++)
				text[t++] = '0';
			memcpy(text + t, digits, nd);
			t += nd;
		}
		text[t] = '\0';
	}
	if (pcrm_decimal_parse(text, out) < 0)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" does not fit", path, q);
	return PCRM_OK;
}

/* A number the caller needs finite. */
static int get_finite(const char *path, const json_t *v, pcrm_decimal *out)
{
	int huge, rc;

	if ((rc = get_number(path, v, out, &huge)) < 0)
		return rc;
	if (huge)
		return pcrm__error(PCRM_EINVAL, "%s: too large", path);
	return PCRM_OK;
}

/* A whole number in min..max (schedule indexes, months, seconds). */
static int get_whole(const char *path, const json_t *v, int64_t min, int64_t max, int64_t *out)
{
	pcrm_decimal d;
	int rc;

	if ((rc = get_finite(path, v, &d)) < 0)
		return rc;
	if (d.scale != 0 || d.units < min || d.units > max)
		return pcrm__error(PCRM_EINVAL, "%s: expected a whole number in %lld..%lld", path,
		                   (long long)min, (long long)max);
	*out = d.units;
	return PCRM_OK;
}

static int is_zero_value(const json_t *v)
{
	pcrm_decimal d;
	int huge;

	if (!v || json_is_null(v) || json_is_false(v))
		return 1;
	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return 1;
		if (get_number("", v, &d, &huge) < 0)
			return 0;
		return !huge && pcrm_decimal_is_zero(d);
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			if (!is_zero_value(x))
				return 0;
		return 1;
	}
	if (json_is_object(v))
		return json_object_size(v) == 0;
	return 0;
}

/* Digits after the point once trailing zeros are dropped. */
static int significant_scale(pcrm_decimal d)
{
	while (d.scale > 0 && d.units % 10 == 0) {
		d.units /= 10;
		d.scale--;
	}
	return d.scale;
}

static json_t *dec_json(pcrm_decimal d)
{
	char buf[48];

	while (d.scale > 0 && d.units % 10 == 0) {
		d.units /= 10;
		d.scale--;
	}
	if (pcrm_decimal_format(d, buf, sizeof(buf)) < 0)
		return NULL;
	return json_string(buf);
}

/* ---- rate structures: [period][tier] of {max, rate, adj, unit, sell} ---- */

/* An energy tier's "unit" (what its max counts) and "sell" (the price of an exported kWh). */
static int load_energy_tier_extras(struct importer *im, const char *name, const char *p,
                                   const json_t *tier, struct tier *t)
{
	char f[PATH_SIZE + 16];
	json_t *x;
	int rc;

	if ((x = json_object_get(tier, "sell")) && !json_is_null(x)) {
		snprintf(f, sizeof(f), "%s.sell", p);
		if ((rc = get_finite(f, x, &t->sell)) < 0)
			return rc;
		im->has_sell |= !pcrm_decimal_is_zero(t->sell);
	}
	if ((x = json_object_get(tier, "unit")) && !json_is_null(x)) {
		const char *u;
		snprintf(f, sizeof(f), "%s.unit", p);
		if ((rc = pcrm__json_expect(f, x, JSON_STRING, "a unit such as \"kWh\"")) < 0)
			return rc;
		u = json_string_value(x);
		if (!strcmp(u, "kWh daily")) {
			t->unit = UNIT_KWH_DAILY;
		} else if (!strcmp(u, "kWh/kW")) {
			t->unit = UNIT_KWH_PER_KW;
		} else if (!strcmp(u, "kWh/kW daily")) {
			refuse(im, name, "tier maxima in kWh per kW of demand per day");
		} else if (strcmp(u, "kWh") != 0) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(u, strlen(u), q, sizeof(q));
			refuse(im, name, "tier unit \"%s\"", q);
		}
	}
	return PCRM_OK;
}

enum structure_kind { ENERGY, DEMAND, FLAT };

static int load_structure(struct importer *im, const char *name, const json_t *v,
                          enum structure_kind kind, struct structure *st)
{
	static const char *const energy_keys[] = { "max", "rate", "adj", "unit", "sell", NULL };
	static const char *const demand_keys[] = { "max", "rate", "adj", NULL };
	const char *const *keys = kind == ENERGY ? energy_keys : demand_keys;
	char p[PATH_SIZE], f[PATH_SIZE + 16];
	size_t i, j;
	json_t *period, *tier;
	int rc;

	if ((rc = pcrm__json_expect(name, v, JSON_ARRAY, "a list of periods (lists of tiers)")) < 0)
		return rc;
	if (json_array_size(v) == 0 || json_array_size(v) > URDB_MAX_PERIODS)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu periods, expected 1..%d", name,
		                   json_array_size(v), URDB_MAX_PERIODS);
	st->periods = json_array_size(v);
	json_array_foreach(v, i, period) {
		snprintf(p, sizeof(p), "%s[%zu]", name, i);
		if ((rc = pcrm__json_expect(p, period, JSON_ARRAY, "a list of tiers")) < 0)
			return rc;
		if (json_array_size(period) == 0 || json_array_size(period) > URDB_MAX_TIERS)
			return pcrm__error(PCRM_EINVAL, "%s: has %zu tiers, expected 1..%d", p,
			                   json_array_size(period), URDB_MAX_TIERS);
		st->tiers[i] = json_array_size(period);
		json_array_foreach(period, j, tier) {
			struct tier *t = &st->t[i][j];
			pcrm_decimal rate = pcrm_decimal_from_int(0), adj = pcrm_decimal_from_int(0);
			const char *key;
			json_t *x;
			int huge;

			snprintf(p, sizeof(p), "%s[%zu][%zu]", name, i, j);
			if ((rc = pcrm__json_expect(p, tier, JSON_OBJECT, "a tier object")) < 0)
				return rc;
			json_object_foreach(tier, key, x) {
				int known = 0;
				for (const char *const *k = keys; *k; k++)
					known |= !strcmp(*k, key);
				if (!known) {
					char q[PCRM_QUOTE_SIZE];
					pcrm__quote(key, strlen(key), q, sizeof(q));
					refuse(im, name, "tier field \"%s\" is not known to the importer", q);
				}
			}
			snprintf(f, sizeof(f), "%s.rate", p);
			if ((x = json_object_get(tier, "rate")) && (rc = get_finite(f, x, &rate)) < 0)
				return rc;
			snprintf(f, sizeof(f), "%s.adj", p);
			if ((x = json_object_get(tier, "adj")) && (rc = get_finite(f, x, &adj)) < 0)
				return rc;
			if ((rc = pcrm_decimal_add(rate, adj, &t->price)) < 0)
				return pcrm__error(PCRM_EINVAL, "%s: rate + adj does not fit", p);
			t->unit = UNIT_KWH;
			t->sell = pcrm_decimal_from_int(0);
			if (kind == ENERGY && (rc = load_energy_tier_extras(im, name, p, tier, t)) < 0)
				return rc;
			t->has_max = 0;
			snprintf(f, sizeof(f), "%s.max", p);
			if ((x = json_object_get(tier, "max")) && !json_is_null(x)) {
				if ((rc = get_number(f, x, &t->max, &huge)) < 0)
					return rc;
				t->has_max = !huge;
				if (t->has_max && pcrm_decimal_sign(t->max) <= 0)
					return pcrm__error(PCRM_EINVAL, "%s: must be above 0", f);
				/* maxima of one unit grow; across units the bill compares them (energy.rates) */
				for (size_t k = 0; t->has_max && k < j; k++)
					if (st->t[i][k].has_max && st->t[i][k].unit == t->unit &&
					    pcrm_decimal_cmp(t->max, st->t[i][k].max) <= 0)
						return pcrm__error(PCRM_EINVAL, "%s: is not above the max of "
						                   "tier %zu (same unit)", f, k);
				if (j > 0 && !st->t[i][j - 1].has_max)
					return pcrm__error(PCRM_EINVAL, "%s[%zu][%zu].max: no maximum, but "
					                   "a tier follows (only the last tier is open-ended)",
					                   name, i, j - 1);
			} else if (j + 1 < st->tiers[i]) {
				return pcrm__error(PCRM_EINVAL, "%s: missing (only the last tier is open-ended)", f);
			}
		}
	}
	return PCRM_OK;
}

/* A 12 x 24 schedule of period indexes below `periods`. */
static int load_schedule(const char *name, const json_t *v, size_t periods,
                         unsigned char out[12][24])
{
	char p[PATH_SIZE];
	size_t m, h;
	json_t *row, *x;
	int rc;

	if ((rc = pcrm__json_expect(name, v, JSON_ARRAY, "12 lists (months) of 24 period indexes")) < 0)
		return rc;
	if (json_array_size(v) != 12)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu months, expected 12", name,
		                   json_array_size(v));
	json_array_foreach(v, m, row) {
		snprintf(p, sizeof(p), "%s[%zu]", name, m);
		if ((rc = pcrm__json_expect(p, row, JSON_ARRAY, "24 period indexes")) < 0)
			return rc;
		if (json_array_size(row) != 24)
			return pcrm__error(PCRM_EINVAL, "%s: has %zu hours, expected 24", p,
			                   json_array_size(row));
		json_array_foreach(row, h, x) {
			int64_t k;
			snprintf(p, sizeof(p), "%s[%zu][%zu]", name, m, h);
			if ((rc = get_whole(p, x, 0, (int64_t)periods - 1, &k)) < 0)
				return rc;
			out[m][h] = (unsigned char)k;
		}
	}
	return PCRM_OK;
}

/* ---- the document's keys ---- */

/* Keys that carry no charge: names, comments, applicability, bookkeeping. */
static const char *const informational_keys[] = {
	"label", "uri", "utility", "utility_name", "eiaid", "name", "description", "source",
	"sourceparent", "sector", "servicetype", "supercedes", "supersedes", "approved",
	"is_default", "isdefault", "country", "basicinformationcomments", "energycomments",
	"demandcomments", "peakkwcapacitymin", "peakkwcapacitymax", "peakkwcapacityhistory",
	"peakkwhusagemin", "peakkwhusagemax", "peakkwhusagehistory", "voltageminimum",
	"voltagemaximum", "voltagecategory", "phasewiring", "revisions", "latest_update",
	"energyattrs", "demandattrs", "fixedattrs", "energykeyvals", "demandkeyvals",
	"fixedkeyvals", "_id", NULL
};

/* Keys the importer reads (mapped, or refused by value below). */
static const char *const charge_keys[] = {
	"startdate", "enddate", "energyratestructure", "energyweekdayschedule",
	"energyweekendschedule", "demandratestructure", "demandweekdayschedule",
	"demandweekendschedule", "demandrateunit", "demandunits", "demandwindow", "flatdemandstructure",
	"flatdemandmonths", "flatdemandunit", "fixedchargefirstmeter", "fixedmonthlycharge",
	"fixedchargeunits", "fixedchargeeaaddl", "mincharge", "minchargeunits", "minmonthlycharge",
	"annualmincharge", "dgrules", "lookbackpercent", "lookbackrange", "lookbackMonths",
	"demandratchetpercentage", "coincidentratestructure", "coincidentrateschedule",
	"coincidentrateunit", "coincidentsched", "fueladjustmentsmonthly",
	"demandreactivepowercharge", NULL
};

static int in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (!strcmp(*list, key))
			return 1;
	return 0;
}

/* Fields refused whenever they say anything (a non-zero value). */
static void refuse_nonzero(struct importer *im, const json_t *rate)
{
	static const struct {
		const char *key, *reason;
	} fields[] = {
		{ "demandratchetpercentage", "a ratchet percentage per month" },
		{ "coincidentratestructure", "coincident demand charges" },
		{ "coincidentrateschedule", "coincident demand charges" },
		{ "coincidentsched", "coincident demand charges" },
		{ "coincidentrateunit", "coincident demand charges" },
		{ "fueladjustmentsmonthly", "monthly fuel adjustments per kWh" },
		{ "demandreactivepowercharge", "reactive power demand charges" },
		{ "fixedchargeeaaddl", "fixed charges for additional meters" },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *x = json_object_get(rate, fields[i].key);
		if (x && !is_zero_value(x))
			refuse(im, fields[i].key, "%s", fields[i].reason);
	}
}

/* A unit string that must be one of `ok` (NULL-terminated) when present. */
static int check_unit(struct importer *im, const json_t *rate, const char *key,
                      const char *const *ok, const char *reason)
{
	json_t *x = json_object_get(rate, key);
	char q[PCRM_QUOTE_SIZE];
	int rc;

	if (!x || json_is_null(x))
		return PCRM_OK;
	if ((rc = pcrm__json_expect(key, x, JSON_STRING, "a unit string")) < 0)
		return rc;
	if (in_list(ok, json_string_value(x)))
		return PCRM_OK;
	pcrm__quote(json_string_value(x), json_string_length(x), q, sizeof(q));
	refuse(im, key, "\"%s\": %s", q, reason);
	return PCRM_OK;
}

/* ---- building the tariff document ---- */

static int set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		return pcrm__error_oom();
	return PCRM_OK;
}

/* A money amount of the document (fixed or minimum charge): at most 2 decimals, not negative. */
static int get_amount(struct importer *im, const json_t *rate, const char *key, pcrm_decimal *out,
                      int *present)
{
	json_t *x = json_object_get(rate, key);
	int rc;

	*present = 0;
	if (!x || json_is_null(x))
		return PCRM_OK;
	if ((rc = get_finite(key, x, out)) < 0)
		return rc;
	if (pcrm_decimal_is_zero(*out))
		return PCRM_OK;
	if (pcrm_decimal_sign(*out) < 0)
		refuse(im, key, "a negative amount (a credit)");
	else if (significant_scale(*out) > 2)
		refuse(im, key, "an amount with more than 2 decimals");
	else
		*present = 1;
	return PCRM_OK;
}

/* A price of the tariff: at most 8 decimals, not negative. */
static int price_ok(struct importer *im, const char *field, pcrm_decimal d)
{
	if (pcrm_decimal_sign(d) < 0) {
		refuse(im, field, "negative prices (credits)");
		return 0;
	}
	if (significant_scale(d) > 8) {
		refuse(im, field, "prices with more than 8 decimals");
		return 0;
	}
	return 1;
}

static int same_tiers(const struct structure *st, size_t a, size_t b)
{
	if (st->tiers[a] != st->tiers[b])
		return 0;
	for (size_t k = 0; k + 1 < st->tiers[a]; k++)
		if (pcrm_decimal_cmp(st->t[a][k].max, st->t[b][k].max) != 0 ||
		    st->t[a][k].unit != st->t[b][k].unit)
			return 0;
	return 1;
}

/*
 * The unit of every tier maximum of period `e` when they share one, else -1
 * (UNIT_KWH for a period of one tier).
 */
static int period_unit(const struct structure *st, size_t e)
{
	int unit = UNIT_KWH;

	for (size_t k = 0; k + 1 < st->tiers[e]; k++) {
		if (k > 0 && (int)st->t[e][k].unit != unit)
			return -1;
		unit = (int)st->t[e][k].unit;
	}
	return unit;
}

/*
 * The TOU periods of the tariff: the energy periods the schedules use, in
 * index order (URDB's demand schedule is a schedule of its own,
 * demand_charges.schedule).
 */
static size_t collect_periods(const struct importer *im, int *periods, size_t cap,
                              unsigned char index[2][12][24])
{
	int id[URDB_MAX_PERIODS];
	size_t n = 0;

	for (int e = 0; e < URDB_MAX_PERIODS; e++)
		id[e] = -1;
	for (int w = 0; w < 2; w++)
		for (int m = 0; m < 12; m++)
			for (int h = 0; h < 24; h++)
				id[im->esched[w][m][h]] = 0;
	for (int e = 0; e < URDB_MAX_PERIODS; e++) {
		if (id[e] < 0)
			continue;
		if (n < cap)
			periods[n] = e;
		id[e] = (int)n++;
	}
	for (int w = 0; w < 2; w++)
		for (int m = 0; m < 12; m++)
			for (int h = 0; h < 24; h++) {
				int i = id[im->esched[w][m][h]];
				index[w][m][h] = (unsigned char)(i < (int)cap ? i : 0);
			}
	return n;
}

/* What the TOU periods of the tariff are made of. */
struct tou {
	size_t n; /* > PCRM_TARIFF_MAX_PERIODS: refused, nothing else is valid */
	int e[PCRM_TARIFF_MAX_PERIODS]; /* the URDB energy period of each */
	char names[PCRM_TARIFF_MAX_PERIODS][24];
	unsigned char index[2][12][24];
	int first_e;
	int e_used[URDB_MAX_PERIODS];
};

/* Whether the tariff gets a tou section: several periods. */
static int needs_tou(const struct tou *tou)
{
	return tou->n > 1;
}

/* The first tier's price of each period ("0" without an energyratestructure). */
static int period_prices(const struct tou *tou, const struct structure *st, json_t *energy)
{
	json_t *prices;
	int rc;

	if (!needs_tou(tou))
		return set_new(energy, "price", st->periods ? dec_json(st->t[tou->e[0]][0].price)
		                                            : json_string("0"));
	prices = json_object();
	if ((rc = set_new(energy, "prices", prices)) < 0)
		return rc;
	for (size_t i = 0; i < tou->n; i++)
		if ((rc = set_new(prices, tou->names[i],
		                  st->periods ? dec_json(st->t[tou->e[i]][0].price)
		                              : json_string("0"))) < 0)
			return rc;
	return PCRM_OK;
}

/*
 * energy.rates: every TOU period its own tiers (URDB energyratestructure as
 * it is), for what the shared forms below cannot say: prices per (period,
 * tier) pair, maxima that differ by period, kWh/kW maxima, units that differ
 * from tier to tier.
 */
static int build_energy_rates(struct importer *im, const struct tou *tou, json_t *energy)
{
	const struct structure *st = &im->energy;
	json_t *rates = json_object();
	int rc;

	if ((rc = set_new(energy, "rates", rates)) < 0)
		return rc;
	for (size_t i = 0; i < tou->n; i++) {
		size_t e = (size_t)tou->e[i];
		json_t *list = json_array();

		if ((rc = set_new(rates, needs_tou(tou) ? tou->names[i] : "all", list)) < 0)
			return rc;
		if (st->tiers[e] > PCRM_TARIFF_MAX_TIERS) {
			refuse(im, "energyratestructure", "%zu tiers (the format holds at most %d)",
			       st->tiers[e], PCRM_TARIFF_MAX_TIERS);
			return PCRM_OK;
		}
		for (size_t k = 0; k < st->tiers[e]; k++) {
			const struct tier *tk = &st->t[e][k];
			json_t *t = json_object();

			if (!t || json_array_append_new(list, t) < 0)
				return pcrm__error_oom();
			if (!price_ok(im, "energyratestructure", tk->price))
				return PCRM_OK;
			/* the last tier is open-ended: ssc bills energy above its max at its rate too */
			if (k + 1 < st->tiers[e]) {
				if (significant_scale(tk->max) > 6) {
					refuse(im, "energyratestructure", "tier maxima with more than 6 decimals");
					return PCRM_OK;
				}
				if ((rc = set_new(t, "max", dec_json(tk->max))) < 0)
					return rc;
				if (tk->unit != UNIT_KWH &&
				    (rc = set_new(t, "max_unit", json_string(tier_unit_names[tk->unit]))) < 0)
					return rc;
			}
			if ((rc = set_new(t, "price", dec_json(tk->price))) < 0)
				return rc;
		}
	}
	return PCRM_OK;
}

/*
 * energy: one price per period with tiers shared by every period in use
 * (absolute tier prices, or the same surcharges everywhere) when the rate
 * has that shape, which keeps the document in the form a person writes;
 * energy.rates otherwise.
 */
static int build_energy(struct importer *im, const struct tou *tou, json_t *doc)
{
	const struct structure *st = &im->energy;
	size_t ntiers;
	int same_prices = 1, same_surcharges = 1, fe = tou->first_e, unit, rc;
	json_t *energy = json_object();

	if ((rc = set_new(doc, "energy", energy)) < 0)
		return rc;
	if (st->periods == 0)
		return period_prices(tou, st, energy);
	ntiers = st->tiers[fe];
	unit = period_unit(st, (size_t)fe);
	for (size_t e = 0; e < st->periods; e++) {
		if (!tou->e_used[e])
			continue;
		if (!same_tiers(st, e, (size_t)fe) || unit < 0 || unit == UNIT_KWH_PER_KW)
			return build_energy_rates(im, tou, energy);
		for (size_t k = 0; k < ntiers; k++) {
			pcrm_decimal s0, s;
			if (!price_ok(im, "energyratestructure", st->t[e][k].price))
				return PCRM_OK;
			if (pcrm_decimal_cmp(st->t[e][k].price, st->t[fe][k].price) != 0)
				same_prices = 0;
			if (pcrm_decimal_sub(st->t[e][k].price, st->t[e][0].price, &s) < 0 ||
			    pcrm_decimal_sub(st->t[fe][k].price, st->t[fe][0].price, &s0) < 0)
				return pcrm__error(PCRM_EOVERFLOW, "energyratestructure: a price difference "
				                   "does not fit");
			if (pcrm_decimal_cmp(s, s0) != 0 || pcrm_decimal_sign(s) < 0)
				same_surcharges = 0;
		}
	}
	if (ntiers > PCRM_TARIFF_MAX_TIERS) {
		refuse(im, "energyratestructure", "%zu tiers (the format holds at most %d)", ntiers,
		       PCRM_TARIFF_MAX_TIERS);
		return PCRM_OK;
	}
	if (ntiers > 1 && !same_prices && !same_surcharges)
		return build_energy_rates(im, tou, energy);
	if (ntiers > 1) {
		json_t *tiers = json_array();
		if ((rc = set_new(energy, "tier_basis",
		                  json_string(unit == (int)UNIT_KWH_DAILY ? "daily" : "monthly"))) < 0 ||
		    (rc = set_new(energy, "tiers", tiers)) < 0)
			return rc;
		for (size_t k = 0; k < ntiers; k++) {
			json_t *t = json_object();
			pcrm_decimal s;
			if (!t || json_array_append_new(tiers, t) < 0)
				return pcrm__error_oom();
			/* the last tier is open-ended: ssc bills energy above its max at its rate too */
			if (k + 1 < ntiers) {
				if (significant_scale(st->t[fe][k].max) > 6) {
					refuse(im, "energyratestructure", "tier maxima with more than 6 decimals");
					return PCRM_OK;
				}
				if ((rc = set_new(t, "max", dec_json(st->t[fe][k].max))) < 0)
					return rc;
			}
			if (same_prices) {
				rc = set_new(t, "price", dec_json(st->t[fe][k].price));
			} else {
				(void)pcrm_decimal_sub(st->t[fe][k].price, st->t[fe][0].price, &s);
				rc = set_new(t, "surcharge", dec_json(s));
			}
			if (rc < 0)
				return rc;
		}
		if (same_prices)
			return PCRM_OK; /* absolute tier prices: no period prices */
	}
	return period_prices(tou, st, energy);
}

/*
 * net_metering from dgrules and the tiers' "sell": URDB "Net Metering" nets
 * imports and exports per period over the bill, "Net Billing
 * Instantaneous" credits every exported kWh.  A period's sell price is its
 * tiers' (one price: the format has no tiered sell prices).
 */
static int build_net_metering(struct importer *im, const json_t *rate, const struct tou *tou,
                              json_t *doc)
{
	const struct structure *st = &im->energy;
	const json_t *rules = json_object_get(rate, "dgrules");
	const char *mode;
	json_t *nm, *prices;
	int same = 1, rc;

	if (!rules || is_zero_value(rules)) {
		if (im->has_sell)
			refuse(im, "energyratestructure", "sell rates without dgrules (how exports are "
			       "credited is not said)");
		return PCRM_OK;
	}
	if ((rc = pcrm__json_expect("dgrules", rules, JSON_STRING, "a URDB dgrules name")) < 0)
		return rc;
	if (!strcmp(json_string_value(rules), "Net Metering")) {
		mode = "net_metering";
	} else if (!strcmp(json_string_value(rules), "Net Billing Instantaneous")) {
		mode = "net_billing";
	} else if (!strcmp(json_string_value(rules), "Net Billing Hourly")) {
		refuse(im, "dgrules", "\"Net Billing Hourly\": imports and exports netted per hour");
		return PCRM_OK;
	} else if (!strcmp(json_string_value(rules), "Buy All Sell All")) {
		refuse(im, "dgrules", "\"Buy All Sell All\": all generation sold, all load bought");
		return PCRM_OK;
	} else {
		char q[PCRM_QUOTE_SIZE];
		pcrm__quote(json_string_value(rules), json_string_length(rules), q, sizeof(q));
		refuse(im, "dgrules", "\"%s\" is not a URDB rule the importer knows", q);
		return PCRM_OK;
	}
	if (tou->n > PCRM_TARIFF_MAX_PERIODS)
		return PCRM_OK; /* refused already */
	for (size_t e = 0; e < st->periods; e++)
		for (size_t k = 1; k < st->tiers[e]; k++)
			if (pcrm_decimal_cmp(st->t[e][k].sell, st->t[e][0].sell) != 0) {
				refuse(im, "energyratestructure", "sell rates that differ by tier");
				return PCRM_OK;
			}
	for (size_t i = 0; i < tou->n && st->periods; i++) {
		if (!price_ok(im, "energyratestructure", st->t[tou->e[i]][0].sell))
			return PCRM_OK;
		if (pcrm_decimal_cmp(st->t[tou->e[i]][0].sell, st->t[tou->e[0]][0].sell))
			same = 0;
	}
	nm = json_object();
	if ((rc = set_new(doc, "net_metering", nm)) < 0 ||
	    (rc = set_new(nm, "mode", json_string(mode))) < 0)
		return rc;
	if (same || !needs_tou(tou))
		return set_new(nm, "sell_price", st->periods ? dec_json(st->t[tou->e[0]][0].sell)
		                                             : json_string("0"));
	prices = json_object();
	if ((rc = set_new(nm, "sell_prices", prices)) < 0)
		return rc;
	for (size_t i = 0; i < tou->n; i++)
		if ((rc = set_new(prices, tou->names[i], dec_json(st->t[tou->e[i]][0].sell))) < 0)
			return rc;
	return PCRM_OK;
}

static int build_tou(const struct tou *tou, json_t *doc)
{
	json_t *t = json_object(), *periods = json_array();
	int rc;

	if ((rc = set_new(doc, "tou", t)) < 0 || (rc = set_new(t, "periods", periods)) < 0)
		return rc;
	for (size_t i = 0; i < tou->n; i++)
		if (json_array_append_new(periods, json_string(tou->names[i])) < 0)
			return pcrm__error_oom();
	for (int w = 0; w < 2; w++) {
		json_t *months = json_array();
		if ((rc = set_new(t, w ? "weekend" : "weekday", months)) < 0)
			return rc;
		for (int m = 0; m < 12; m++) {
			json_t *row = json_array();
			if (!row || json_array_append_new(months, row) < 0)
				return pcrm__error_oom();
			for (int h = 0; h < 24; h++)
				if (json_array_append_new(row, json_integer(tou->index[w][m][h])) < 0)
					return pcrm__error_oom();
		}
	}
	/* URDB schedules know weekdays and weekends only, as ssc bills them */
	return set_new(t, "holidays_as_weekend", json_false());
}

/* Whether some tier of period `p` charges something. */
static int charged(const struct structure *st, size_t p)
{
	for (size_t k = 0; k < st->tiers[p]; k++)
		if (!pcrm_decimal_is_zero(st->t[p][k].price))
			return 1;
	return 0;
}

/*
 * A demand period's charge as the format writes it: one price per kW (one
 * tier), or a list of tiers {"max" kW, "price"}, the last open-ended.
 * `*out` stays NULL when a refusal was recorded.
 */
static int demand_tiers_json(struct importer *im, const char *field, const struct structure *st,
                             size_t p, json_t **out)
{
	json_t *list;

	*out = NULL;
	if (st->tiers[p] > PCRM_TARIFF_MAX_TIERS) {
		refuse(im, field, "%zu demand tiers (the format holds at most %d)", st->tiers[p],
		       PCRM_TARIFF_MAX_TIERS);
		return PCRM_OK;
	}
	for (size_t k = 0; k < st->tiers[p]; k++)
		if (!price_ok(im, field, st->t[p][k].price))
			return PCRM_OK;
	if (st->tiers[p] == 1)
		return (*out = dec_json(st->t[p][0].price)) ? PCRM_OK : pcrm__error_oom();
	if (!(list = json_array()))
		return pcrm__error_oom();
	for (size_t k = 0; k < st->tiers[p]; k++) {
		json_t *t = json_object();
		int rc;

		if (!t || json_array_append_new(list, t) < 0) {
			json_decref(list);
			return pcrm__error_oom();
		}
		if (k + 1 < st->tiers[p]) {
			if (significant_scale(st->t[p][k].max) > 6) {
				refuse(im, field, "demand tier maxima with more than 6 decimals");
				json_decref(list);
				return PCRM_OK;
			}
			if ((rc = set_new(t, "max", dec_json(st->t[p][k].max))) < 0) {
				json_decref(list);
				return rc;
			}
		}
		if ((rc = set_new(t, "price", dec_json(st->t[p][k].price))) < 0) {
			json_decref(list);
			return rc;
		}
	}
	*out = list;
	return PCRM_OK;
}

/* demand_charges.schedule: URDB's demand periods d0, d1, ... and their 12 x 24 schedules. */
static int build_demand_schedule(const struct importer *im, json_t *dc)
{
	json_t *sched = json_object(), *names = json_array();
	char name[16];
	int rc;

	if ((rc = set_new(dc, "schedule", sched)) < 0) {
		json_decref(names);
		return rc;
	}
	if ((rc = set_new(sched, "periods", names)) < 0)
		return rc;
	for (size_t d = 0; d < im->demand.periods; d++) {
		snprintf(name, sizeof(name), "d%d", (int)d);
		if (json_array_append_new(names, json_string(name)) < 0)
			return pcrm__error_oom();
	}
	for (int w = 0; w < 2; w++) {
		json_t *months = json_array();
		if ((rc = set_new(sched, w ? "weekend" : "weekday", months)) < 0)
			return rc;
		for (int m = 0; m < 12; m++) {
			json_t *row = json_array();
			if (!row || json_array_append_new(months, row) < 0)
				return pcrm__error_oom();
			for (int h = 0; h < 24; h++)
				if (json_array_append_new(row, json_integer(im->dsched[w][m][h])) < 0)
					return pcrm__error_oom();
		}
	}
	return PCRM_OK;
}

/*
 * demand_charges.ratchet from URDB's lookback fields: billing demand =
 * max(measured, lookbackpercent x the highest demand of the lookbackrange
 * months before, those in lookbackMonths).  URDB does not say which TOU
 * demand charges a ratchet raises, so it is mapped onto the flat (monthly)
 * charge ("by": "month") and refused on a rate without one.
 */
static int build_ratchet(struct importer *im, const json_t *rate, json_t *dc)
{
	json_t *x = json_object_get(rate, "lookbackpercent"), *r, *months = NULL;
	pcrm_decimal pct;
	int64_t range = 0;
	int rc;

	if (!x || is_zero_value(x))
		return PCRM_OK; /* no percentage: the range and months say nothing */
	if ((rc = get_finite("lookbackpercent", x, &pct)) < 0)
		return rc;
	if (pcrm_decimal_sign(pct) < 0 || pcrm_decimal_cmp(pct, pcrm_decimal_from_int(1)) > 0)
		return pcrm__error(PCRM_EINVAL, "lookbackpercent: expected a fraction in 0..1 (0.8 "
		                   "for 80 %%)");
	if (significant_scale(pct) > 8) {
		refuse(im, "lookbackpercent", "a percentage with more than 8 decimals");
		return PCRM_OK;
	}
	if ((x = json_object_get(rate, "lookbackrange")) && !json_is_null(x) &&
	    (rc = get_whole("lookbackrange", x, 0, 36, &range)) < 0)
		return rc;
	if (range == 0) {
		refuse(im, "lookbackpercent", "a ratchet without lookbackrange (how many months back "
		       "is not said)");
		return PCRM_OK;
	}
	if (!json_object_get(dc, "flat_by_month")) {
		refuse(im, "lookbackpercent", "a ratchet on a rate without a flat demand charge (URDB "
		       "does not say which TOU demand charges it raises)");
		return PCRM_OK;
	}
	if ((x = json_object_get(rate, "lookbackMonths")) && !json_is_null(x)) {
		size_t m;
		json_t *y;
		if ((rc = pcrm__json_expect("lookbackMonths", x, JSON_ARRAY, "12 booleans")) < 0)
			return rc;
		if (json_array_size(x) != 12)
			return pcrm__error(PCRM_EINVAL, "lookbackMonths: has %zu months, expected 12",
			                   json_array_size(x));
		if (!(months = json_array()))
			return pcrm__error_oom();
		json_array_foreach(x, m, y) {
			char p[PATH_SIZE];
			int64_t on;
			snprintf(p, sizeof(p), "lookbackMonths[%zu]", m);
			if (json_is_boolean(y)) {
				on = json_is_true(y);
			} else if ((rc = get_whole(p, y, 0, 1, &on)) < 0) {
				json_decref(months);
				return rc;
			}
			if (on && json_array_append_new(months, json_integer((json_int_t)m + 1)) < 0) {
				json_decref(months);
				return pcrm__error_oom();
			}
		}
		if (json_array_size(months) == 0) {
			json_decref(months);
			return pcrm__error(PCRM_EINVAL, "lookbackMonths: no month is looked back on");
		}
	}
	r = json_object();
	if ((rc = set_new(dc, "ratchet", r)) < 0) {
		json_decref(months);
		return rc;
	}
	if ((rc = set_new(r, "percent", dec_json(pct))) < 0 ||
	    (rc = set_new(r, "months", json_integer(range))) < 0 ||
	    (months && (rc = set_new(r, "lookback_months", months)) < 0) ||
	    (rc = set_new(r, "by", json_string("month"))) < 0)
		return rc;
	return PCRM_OK;
}

/*
 * demand_charges: URDB's demand structure with its own schedule (a demand
 * period may straddle energy periods; its peak is charged once), the flat
 * structure month by month, both with their tiers, and the ratchet.
 */
static int build_demand(struct importer *im, const json_t *rate, json_t *doc)
{
	json_t *dc = json_object(), *v;
	int rc = PCRM_OK, any_tou = 0, any_flat = 0;

	if (!dc)
		return pcrm__error_oom();
	for (size_t d = 0; d < im->demand.periods; d++)
		any_tou |= charged(&im->demand, d);
	for (size_t d = 0; d < im->flat.periods; d++)
		any_flat |= charged(&im->flat, d);
	if (any_tou && im->demand.periods > PCRM_TARIFF_MAX_PERIODS) {
		refuse(im, "demandratestructure", "%zu demand periods (the format holds at most %d)",
		       im->demand.periods, PCRM_TARIFF_MAX_PERIODS);
	} else if (any_tou) {
		json_t *by_period = json_object();
		char name[16];
		if ((rc = build_demand_schedule(im, dc)) < 0 ||
		    (rc = set_new(dc, "by_period", by_period)) < 0)
			goto done;
		for (size_t d = 0; d < im->demand.periods; d++) {
			if (!charged(&im->demand, d))
				continue;
			if ((rc = demand_tiers_json(im, "demandratestructure", &im->demand, d, &v)) < 0)
				goto done;
			snprintf(name, sizeof(name), "d%d", (int)d);
			if (v && (rc = set_new(by_period, name, v)) < 0)
				goto done;
		}
	}
	if (any_flat) {
		json_t *flat = json_array();
		if ((rc = set_new(dc, "flat_by_month", flat)) < 0)
			goto done;
		for (int m = 0; m < 12; m++) {
			if ((rc = demand_tiers_json(im, "flatdemandstructure", &im->flat,
			                            (size_t)im->flat_months[m], &v)) < 0)
				goto done;
			if (!v)
				break; /* refused */
			if (json_array_append_new(flat, v) < 0) {
				rc = pcrm__error_oom();
				goto done;
			}
		}
	}
	if ((rc = build_ratchet(im, rate, dc)) < 0)
		goto done;
	if (json_object_size(dc))
		rc = set_new(doc, "demand_charges", json_incref(dc));
done:
	json_decref(dc);
	return rc;
}

static int build_fixed_and_minimum(struct importer *im, const json_t *rate, json_t *doc)
{
	pcrm_decimal fixed, fixed_old, min, min_monthly, min_annual;
	int has_fixed, has_fixed_old, has_min, has_min_monthly, has_min_annual, rc;
	const char *min_unit = "$/month";
	json_t *x;

	if ((rc = get_amount(im, rate, "fixedchargefirstmeter", &fixed, &has_fixed)) < 0 ||
	    (rc = get_amount(im, rate, "fixedmonthlycharge", &fixed_old, &has_fixed_old)) < 0 ||
	    (rc = get_amount(im, rate, "mincharge", &min, &has_min)) < 0 ||
	    (rc = get_amount(im, rate, "minmonthlycharge", &min_monthly, &has_min_monthly)) < 0 ||
	    (rc = get_amount(im, rate, "annualmincharge", &min_annual, &has_min_annual)) < 0)
		return rc;
	if (has_fixed && has_fixed_old && pcrm_decimal_cmp(fixed, fixed_old) != 0)
		return pcrm__error(PCRM_EINVAL, "fixedmonthlycharge: differs from "
		                   "fixedchargefirstmeter (give one fixed charge)");
	if (!has_fixed && has_fixed_old) {
		fixed = fixed_old;
		has_fixed = 1;
	}
	if (has_fixed) {
		x = json_object_get(rate, "fixedchargeunits");
		if (x && !json_is_null(x) &&
		    (!json_is_string(x) || strcmp(json_string_value(x), "$/month") != 0)) {
			refuse(im, "fixedchargeunits", "fixed charges per day or per year");
		} else {
			json_t *list = json_array(), *item = json_object();
			if ((rc = set_new(doc, "fixed_charges", list)) < 0) {
				json_decref(item);
				return rc;
			}
			if (!item || json_array_append_new(list, item) < 0)
				return pcrm__error_oom();
			if ((rc = set_new(item, "code", json_string("customer"))) < 0 ||
			    (rc = set_new(item, "name", json_string("Fixed monthly charge"))) < 0 ||
			    (rc = set_new(item, "amount", dec_json(fixed))) < 0)
				return rc;
		}
	}
	if ((x = json_object_get(rate, "minchargeunits")) && !json_is_null(x)) {
		if ((rc = pcrm__json_expect("minchargeunits", x, JSON_STRING, "a unit string")) < 0)
			return rc;
		min_unit = json_string_value(x);
	}
	if (has_min) {
		if (!strcmp(min_unit, "$/month")) {
			if (has_min_monthly && pcrm_decimal_cmp(min, min_monthly) != 0)
				return pcrm__error(PCRM_EINVAL, "minmonthlycharge: differs from mincharge");
			min_monthly = min;
			has_min_monthly = 1;
		} else if (!strcmp(min_unit, "$/year")) {
			if (has_min_annual && pcrm_decimal_cmp(min, min_annual) != 0)
				return pcrm__error(PCRM_EINVAL, "annualmincharge: differs from mincharge");
			min_annual = min;
			has_min_annual = 1;
		} else {
			refuse(im, "minchargeunits", "minimum charges per day");
		}
	}
	if (has_min_monthly || has_min_annual) {
		json_t *minimum = json_object();
		if ((rc = set_new(doc, "minimum", minimum)) < 0)
			return rc;
		if (has_min_monthly && (rc = set_new(minimum, "monthly", dec_json(min_monthly))) < 0)
			return rc;
		if (has_min_annual && (rc = set_new(minimum, "annual", dec_json(min_annual))) < 0)
			return rc;
	}
	return PCRM_OK;
}

static int build(struct importer *im, const json_t *rate, json_t *doc)
{
	struct tou *tou;
	int rc;

	if (!(tou = calloc(1, sizeof(*tou))))
		return pcrm__error_oom();
	tou->n = collect_periods(im, tou->e, PCRM_TARIFF_MAX_PERIODS, tou->index);
	tou->first_e = -1;
	if (tou->n > PCRM_TARIFF_MAX_PERIODS) {
		refuse(im, "energyweekdayschedule", "%zu time-of-use periods (the format holds at most "
		       "%d)", tou->n, PCRM_TARIFF_MAX_PERIODS);
	} else {
		for (size_t i = 0; i < tou->n; i++) {
			snprintf(tou->names[i], sizeof(tou->names[i]), "p%d", tou->e[i]);
			if (!tou->e_used[tou->e[i]]++ && tou->first_e < 0)
				tou->first_e = tou->e[i];
		}
		if ((rc = build_energy(im, tou, doc)) < 0)
			goto done;
		if (needs_tou(tou) && (rc = build_tou(tou, doc)) < 0)
			goto done;
	}
	if ((rc = build_demand(im, rate, doc)) < 0 ||
	    (rc = build_net_metering(im, rate, tou, doc)) < 0)
		goto done;
	rc = build_fixed_and_minimum(im, rate, doc);
done:
	free(tou);
	return rc;
}

/* The UTC date of a URDB timestamp (seconds since 1970), or a "YYYY-MM-DD" string. */
static int get_date(const char *path, const json_t *v, pcrm_date *out)
{
	int64_t secs;
	int rc;

	if (json_is_string(v) && json_string_length(v) == 10 &&
	    json_string_value(v)[4] == '-') {
		if ((rc = pcrm_date_parse(json_string_value(v), out)) < 0)
			pcrm__error_prefix("%s", path);
		return rc;
	}
	if ((rc = get_whole(path, v, 0, INT64_C(253402300799), &secs)) < 0)
		return rc;
	*out = pcrm_date_from_days(secs / 86400);
	return PCRM_OK;
}

static int format_date(pcrm_date d, json_t **out)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
	*out = json_string(buf);
	return *out ? PCRM_OK : pcrm__error_oom();
}

/* Reads the rate into `im` and `doc`; refusals are collected, errors returned. */
static int convert(struct importer *im, const json_t *rate, const pcrm_urdb_options *o,
                   json_t *doc)
{
	static const char *const kw[] = { "kW", NULL };
	const char *key;
	json_t *x, *v;
	char id[80];
	pcrm_date from, to;
	int rc;

	if ((rc = pcrm__json_expect("document", rate, JSON_OBJECT, "a URDB rate object")) < 0)
		return rc;
	json_object_foreach((json_t *)rate, key, v) {
		if (!in_list(informational_keys, key) && !in_list(charge_keys, key)) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			refuse(im, q, "not a URDB field the importer knows");
		}
	}
	refuse_nonzero(im, rate);
	if ((rc = check_unit(im, rate, "flatdemandunit", kw, "demand billed in other units than kW")) < 0 ||
	    (rc = check_unit(im, rate, "demandrateunit", kw, "demand billed in other units than kW")) < 0 ||
	    (rc = check_unit(im, rate, "demandunits", kw, "demand billed in other units than kW")) < 0)
		return rc;
	if ((x = json_object_get(rate, "demandwindow")) && !json_is_null(x)) {
		int64_t w;
		if ((rc = get_whole("demandwindow", x, 0, 1440, &w)) < 0)
			return rc;
		if (w != 0 && w != 5 && w != 10 && w != 15 && w != 30 && w != 60)
			refuse(im, "demandwindow", "a demand window of %lld minutes", (long long)w);
	}

	/* identity and dates */
	if (o->id) {
		snprintf(id, sizeof(id), "%s", o->id);
	} else if ((x = json_object_get(rate, "label")) && json_is_string(x) &&
	           json_string_length(x) >= 1 && json_string_length(x) <= 58 &&
	           strspn(json_string_value(x), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789._-") == json_string_length(x)) {
		snprintf(id, sizeof(id), "urdb-%s", json_string_value(x));
	} else {
		return pcrm__error(PCRM_EINVAL, "options.id: missing (the rate has no usable \"label\" "
		                   "to name the tariff after)");
	}
	if (o->effective_from) {
		if ((rc = pcrm_date_parse(o->effective_from, &from)) < 0) {
			pcrm__error_prefix("options.effective_from");
			return rc;
		}
	} else if ((x = json_object_get(rate, "startdate")) && !json_is_null(x)) {
		if ((rc = get_date("startdate", x, &from)) < 0)
			return rc;
	} else {
		return pcrm__error(PCRM_EINVAL, "options.effective_from: missing (the rate has no "
		                   "\"startdate\")");
	}
	if ((rc = set_new(doc, "id", json_string(id))) < 0 ||
	    (rc = set_new(doc, "version", json_integer(o->tariff_version ? o->tariff_version : 1))) < 0)
		return rc;
	if ((x = json_object_get(rate, "name")) && json_is_string(x) && json_string_length(x) >= 1 &&
	    json_string_length(x) <= 200 && !memchr(json_string_value(x), '\0', json_string_length(x)) &&
	    (rc = set_new(doc, "name", json_copy(x))) < 0)
		return rc;
	{
		char desc[160];
		x = json_object_get(rate, "label");
		snprintf(desc, sizeof(desc), "Imported from the OpenEI Utility Rate Database%s%s.",
		         x && json_is_string(x) && json_string_length(x) <= 64 ? ", rate " : "",
		         x && json_is_string(x) && json_string_length(x) <= 64 ? json_string_value(x) : "");
		if ((rc = set_new(doc, "description", json_string(desc))) < 0)
			return rc;
	}
	{
		json_t *d;
		if ((rc = format_date(from, &d)) < 0 || (rc = set_new(doc, "effective_from", d)) < 0)
			return rc;
	}
	if ((x = json_object_get(rate, "enddate")) && !json_is_null(x)) {
		json_t *d;
		if ((rc = get_date("enddate", x, &to)) < 0)
			return rc;
		if (pcrm_date_to_days(to) < pcrm_date_to_days(from))
			return pcrm__error(PCRM_EINVAL, "enddate: before the effective date");
		if ((rc = format_date(to, &d)) < 0 || (rc = set_new(doc, "effective_to", d)) < 0)
			return rc;
	}
	if ((rc = set_new(doc, "currency", json_string(o->currency ? o->currency : "USD"))) < 0 ||
	    (rc = set_new(doc, "rounding", json_string(o->rounding ? o->rounding : "half_up"))) < 0)
		return rc;
	/* URDB hours are local clock hours: a zone keeps them there across daylight saving time */
	if (o->time_zone && o->utc_offset)
		return pcrm__error(PCRM_EINVAL, "options.time_zone: give time_zone or utc_offset, not both");
	if (o->time_zone)
		rc = set_new(doc, "time_zone", json_string(o->time_zone));
	else
		rc = set_new(doc, "utc_offset", json_string(o->utc_offset ? o->utc_offset : "+00:00"));
	if (rc < 0)
		return rc;

	/* energy */
	if ((x = json_object_get(rate, "energyratestructure")) && !is_zero_value(x)) {
		if ((rc = load_structure(im, "energyratestructure", x, ENERGY, &im->energy)) < 0)
			return rc;
		if ((v = json_object_get(rate, "energyweekdayschedule"))) {
			if ((rc = load_schedule("energyweekdayschedule", v, im->energy.periods,
			                        im->esched[0])) < 0)
				return rc;
			memcpy(im->esched[1], im->esched[0], sizeof(im->esched[0]));
			if ((v = json_object_get(rate, "energyweekendschedule")) &&
			    (rc = load_schedule("energyweekendschedule", v, im->energy.periods,
			                        im->esched[1])) < 0)
				return rc;
		} else if (im->energy.periods > 1) {
			return pcrm__error(PCRM_EINVAL, "energyweekdayschedule: missing (energyratestructure "
			                   "has %zu periods)", im->energy.periods);
		}
	}
	/* demand by TOU period */
	if ((x = json_object_get(rate, "demandratestructure")) && !is_zero_value(x)) {
		if ((rc = load_structure(im, "demandratestructure", x, DEMAND, &im->demand)) < 0)
			return rc;
		if (!(v = json_object_get(rate, "demandweekdayschedule")))
			return pcrm__error(PCRM_EINVAL, "demandweekdayschedule: missing (the rate has a "
			                   "demandratestructure)");
		if ((rc = load_schedule("demandweekdayschedule", v, im->demand.periods, im->dsched[0])) < 0)
			return rc;
		memcpy(im->dsched[1], im->dsched[0], sizeof(im->dsched[0]));
		if ((v = json_object_get(rate, "demandweekendschedule")) &&
		    (rc = load_schedule("demandweekendschedule", v, im->demand.periods, im->dsched[1])) < 0)
			return rc;
	}
	/* flat (monthly) demand */
	if ((x = json_object_get(rate, "flatdemandstructure")) && !is_zero_value(x)) {
		if ((rc = load_structure(im, "flatdemandstructure", x, FLAT, &im->flat)) < 0)
			return rc;
		if ((v = json_object_get(rate, "flatdemandmonths"))) {
			char p[PATH_SIZE];
			size_t m;
			json_t *y;
			if ((rc = pcrm__json_expect("flatdemandmonths", v, JSON_ARRAY,
			                            "12 period indexes")) < 0)
				return rc;
			if (json_array_size(v) != 12)
				return pcrm__error(PCRM_EINVAL, "flatdemandmonths: has %zu months, expected 12",
				                   json_array_size(v));
			json_array_foreach(v, m, y) {
				int64_t k;
				snprintf(p, sizeof(p), "flatdemandmonths[%zu]", m);
				if ((rc = get_whole(p, y, 0, (int64_t)im->flat.periods - 1, &k)) < 0)
					return rc;
				im->flat_months[m] = (int)k;
			}
		} else if (im->flat.periods > 1) {
			return pcrm__error(PCRM_EINVAL, "flatdemandmonths: missing (flatdemandstructure has "
			                   "%zu periods)", im->flat.periods);
		}
	}
	return build(im, rate, doc);
}

int pcrm_tariff_from_urdb(const char *urdb_json, const pcrm_urdb_options *options, char **out)
{
	pcrm_urdb_options opts = PCRM_URDB_OPTIONS_INIT;
	struct importer *im = NULL;
	json_error_t err;
	json_t *root = NULL, *rate, *doc = NULL;
	char *text = NULL, *result = NULL;
	pcrm_tariff *check = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: NULL");
	*out = NULL;
	if (!urdb_json)
		return pcrm__error(PCRM_EINVAL, "urdb_json: NULL");
	if (options) {
		/* version 1 ends before time_zone: read only what the caller's struct has */
		if (options->version == 1)
			memcpy(&opts, options, offsetof(pcrm_urdb_options, time_zone));
		else if (options->version == PCRM_URDB_OPTIONS_VERSION)
			opts = *options;
		else
			return pcrm__error(PCRM_EINVAL, "options.version: %d is not PCRM_URDB_OPTIONS_VERSION "
			                   "(%d) or 1", options->version, PCRM_URDB_OPTIONS_VERSION);
	}
	options = &opts;
	if (options->tariff_version < 0)
		return pcrm__error(PCRM_EINVAL, "options.tariff_version: negative");
	if (strlen(urdb_json) > DOC_MAX_BYTES)
		return pcrm__error(PCRM_EINVAL, "document: larger than %d bytes, not a URDB rate",
		                   DOC_MAX_BYTES);
	if (!(text = numbers_as_strings(urdb_json)))
		return pcrm__error_oom();
	root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	free(text);
	if (!root)
		return pcrm__error(PCRM_EINVAL, "document: not JSON: %s (line %d)",
		                   pcrm__json_error_text(&err), err.line);
	/* an API answer: {"items": [rate]} */
	rate = root;
	if (json_is_object(root) && json_object_size(root) == 1 &&
	    (rate = json_object_get(root, "items"))) {
		if ((rc = pcrm__json_expect("items", rate, JSON_ARRAY, "a list of one rate")) < 0)
			goto done;
		if (json_array_size(rate) != 1) {
			rc = pcrm__error(PCRM_EINVAL, "items: holds %zu rates, expected exactly one",
			                 json_array_size(rate));
			goto done;
		}
		rate = json_array_get(rate, 0);
	} else {
		rate = root;
	}
	if (!(im = calloc(1, sizeof(*im))) || !(doc = json_object())) {
		rc = pcrm__error_oom();
		goto done;
	}
	if ((rc = convert(im, rate, options, doc)) < 0)
		goto done;
	if (im->refused_count) {
		rc = report_refusals(im);
		goto done;
	}
	if (!(result = json_dumps(doc, JSON_COMPACT))) {
		rc = pcrm__error_oom();
		goto done;
	}
	/* what is handed out loads: an option the loader refuses is reported now */
	if ((rc = pcrm_tariff_load(&check, result)) < 0) {
		pcrm__error_prefix("urdb: the converted tariff does not load");
		free(result);
		result = NULL;
		goto done;
	}
	pcrm_tariff_free(check);
	*out = result;
	rc = PCRM_OK;
done:
	json_decref(doc);
	json_decref(root);
	free(im);
	return rc;
}
