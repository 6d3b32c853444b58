/*
 * Exact decimal arithmetic for money and energy.
 *
 * A value is units / 10^scale in a signed 64-bit integer.  Every operation
 * widens to 128 bits first: a 64-bit value shifted by up to 18 places
 * (< 2^63 * 10^18 < 2^123) and any product of two 64-bit units (<= 2^126)
 * fit, so the exact result is known before it is rounded or narrowed.
 * Narrowing checks the range and reports PCRM_EOVERFLOW instead of wrapping;
 * text that does not fit is bad input, PCRM_EINVAL (docs/conventions.md).
 *
 * No floating point anywhere: 0.1 has no binary representation, and a bill
 * must add up to the cent on every platform.
 */
#if !defined(__SIZEOF_INT128__)
#  error "libpowercrm decimal arithmetic needs a compiler with __int128"
#endif

#include <stdio.h>
#include <string.h>

#include <powercrm/decimal.h>

#include "error.h"
#include "text.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((i128)(~(u128)0 >> 1))
#define MAX_SCALE PCRM_DECIMAL_MAX_SCALE

/* How much of a bad input string an error message quotes. */

static const int64_t pow10_64[MAX_SCALE + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000,
	100000000000000, 1000000000000000, 10000000000000000,
	100000000000000000, 1000000000000000000
};

/* 10^k for 0 <= k <= 36: the widest shift is a product's scale (18 + 18). */
static i128 pow10_128(int k)
{
	if (k <= MAX_SCALE)
		return pow10_64[k];
	return (i128)pow10_64[MAX_SCALE] * pow10_64[k - MAX_SCALE];
}

static int valid_scale(int scale)
{
	return scale >= 0 && scale <= MAX_SCALE;
}

static int valid_mode(pcrm_rounding mode)
{
	/* via int: the enum may be unsigned, and its value may be anything */
	return (int)mode >= (int)PCRM_ROUND_HALF_UP && (int)mode <= (int)PCRM_ROUND_FLOOR;
}

/* "00" "01" ... "99": two digits per division by 100 */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/*
 * Writes the value with exactly `scale` fraction digits into buf, which must
 * hold 22 bytes (sign, 19 digits, point, NUL).  The scale must be valid.
 * Digits are written backwards from the last, two per division (the bill
 * document and the bill row format a dozen decimals and integers per bill:
 * a digit at a time, this was a tenth of a billing run's client
 * instructions), the fraction's first, then the integer part (at least "0",
 * so 0.05 gets its "0").
 */
static size_t format_raw(pcrm_decimal v, char *buf)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp), *p = end;
	/* through uint64_t so INT64_MIN has a magnitude */
	uint64_t mag = v.units < 0 ? 0u - (uint64_t)v.units : (uint64_t)v.units;
	int frac = v.scale;
	size_t len = 0;

	for (; frac >= 2; frac -= 2) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (mag % 100), 2);
		mag /= 100;
	}
	if (frac) {
		*--p = (char)('0' + mag % 10);
		mag /= 10;
	}
	if (v.scale > 0)
		*--p = '.';
	while (mag >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (mag % 100), 2);
		mag /= 100;
	}
	if (mag >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * mag, 2);
	} else {
		*--p = (char)('0' + mag);
	}
	if (v.units < 0)
		buf[len++] = '-';
	memcpy(buf + len, p, (size_t)(end - p));
	len += (size_t)(end - p);
	buf[len] = '\0';
	return len;
}

size_t pcrm__int_text(int64_t v, char out[PCRM__INT_TEXT_MAX])
{
	return format_raw(pcrm_decimal_make(v, 0), out);
}

size_t pcrm__decimal_digits(pcrm_decimal v, char *out)
{
	return valid_scale(v.scale) ? format_raw(v, out) : 0;
}

/* ---- argument checks: each names the function and the argument ---- */

static int check_operand(const char *op, const char *name, pcrm_decimal d)
{
	if (valid_scale(d.scale))
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL, "decimal %s: %s has scale %d, must be 0..%d",
	                   op, name, d.scale, MAX_SCALE);
}

static int check_out(const char *op, const void *out)
{
	return out ? PCRM_OK : pcrm__error(PCRM_EINVAL, "decimal %s: out is NULL", op);
}

/* The target `scale` and `mode` arguments of the rounding operations. */
static int check_target(const char *op, int scale, pcrm_rounding mode)
{
	if (!valid_scale(scale))
		return pcrm__error(PCRM_EINVAL, "decimal %s: scale %d is out of range 0..%d",
		                   op, scale, MAX_SCALE);
	if (!valid_mode(mode))
		return pcrm__error(PCRM_EINVAL, "decimal %s: mode %d is not a pcrm_rounding",
		                   op, (int)mode);
	return PCRM_OK;
}

static int check_binary(const char *op, pcrm_decimal a, pcrm_decimal b, const void *out)
{
	int rc;
	if ((rc = check_operand(op, "a", a)) < 0 || (rc = check_operand(op, "b", b)) < 0)
		return rc;
	return check_out(op, out);
}

/* ---- exact core ---- */

/*
 * n / d rounded with `mode`, for d > 0.  C division truncates toward zero
 * and the remainder takes the sign of n, so the truncated quotient is the
 * DOWN result and the others step one unit away from zero when they must.
 */
static i128 div_round(i128 n, i128 d, pcrm_rounding mode)
{
	i128 q = n / d, r = n % d, ar, rest;
	int negative = n < 0, away = 0;

	if (r == 0)
		return q;
	ar = r < 0 ? -r : r;
	rest = d - ar; /* compare 2*ar with d without doubling (no overflow) */
	switch (mode) {
	case PCRM_ROUND_HALF_UP: away = ar >= rest; break;
	case PCRM_ROUND_HALF_EVEN: away = ar > rest || (ar == rest && q % 2 != 0); break;
	case PCRM_ROUND_DOWN: away = 0; break;
	case PCRM_ROUND_UP: away = 1; break;
	case PCRM_ROUND_CEILING: away = !negative; break;
	case PCRM_ROUND_FLOOR: away = negative; break;
	}
	/* d >= 2 here (r != 0), so |q| <= |n| / 2 and the step cannot overflow */
	if (!away)
		return q;
	return negative ? q - 1 : q + 1;
}

/*
 * Moves exact units from scale `from` to scale `to`, rounding when digits
 * are dropped.  Scaling up is exact; the caller ensures it fits in 128 bits.
 */
static i128 rescale(i128 units, int from, int to, pcrm_rounding mode)
{
	if (to >= from)
		return units * pow10_128(to - from);
	return div_round(units, pow10_128(from - to), mode);
}

/* Exact units at a larger scale; callers stay within 128 bits (see the top). */
static i128 widen(int64_t units, int from, int to)
{
	return (i128)units * pow10_128(to - from);
}

/* Stores units at scale in *out if they fit in 64 bits; *out is untouched otherwise. */
static int narrow(i128 units, int scale, pcrm_decimal *out)
{
	if (units > INT64_MAX || units < INT64_MIN)
		return 0;
	out->units = (int64_t)units;
	out->scale = scale;
	return 1;
}

static int overflow2(const char *op, pcrm_decimal a, const char *sym, pcrm_decimal b, int scale)
{
	char sa[PCRM_DECIMAL_STRING_MAX], sb[PCRM_DECIMAL_STRING_MAX];

	format_raw(a, sa);
	format_raw(b, sb);
	return pcrm__error(PCRM_EOVERFLOW,
	                   "decimal %s: %s %s %s does not fit in 64-bit units at scale %d",
	                   op, sa, sym, sb, scale);
}

/* ---- construction ---- */

/*
 * Packs the fields as given, even a scale out of range: every function that
 * takes the value then rejects it with PCRM_EINVAL naming the scale, rather
 * than silently computing with a zero the caller never wrote.
 */
pcrm_decimal pcrm_decimal_make(int64_t units, int scale)
{
	pcrm_decimal d = { units, scale };
	return d;
}

pcrm_decimal pcrm_decimal_from_int(int64_t value)
{
	pcrm_decimal d = { value, 0 };
	return d;
}

/* ---- parsing ---- */

static int parse_fail(int status, const char *text, size_t len, const char *what)
{
	char q[PCRM_QUOTE_SIZE];

	pcrm__quote(text, len, q, sizeof(q));
	return pcrm__error(status, "decimal \"%s\": %s", q, what);
}

static int parse_bad_char(const char *text, size_t len, size_t at)
{
	char what[120];
	unsigned char c = (unsigned char)text[at];
	const char *why = c == '.' ? " (second decimal point)" : "";

	/* positions count from 1, as a person reading the input would */
	if (c >= 0x20 && c < 0x7f)
		snprintf(what, sizeof(what), "unexpected character '%c' at position %zu%s",
		         c, at + 1, why);
	else
		snprintf(what, sizeof(what), "unexpected byte 0x%02x at position %zu", c, at + 1);
	return parse_fail(PCRM_EINVAL, text, len, what);
}

/* The parser's state over the bytes after the sign. */
struct scan {
	uint64_t mag;   /* digits read so far, as a magnitude */
	uint64_t limit; /* largest magnitude: 2^63 - 1, or 2^63 after a minus */
	int digits;     /* how many digits */
	int scale;      /* digits after the point; -1 before a point */
	int too_big;    /* the magnitude passed the limit */
};

/* Takes one byte; returns PCRM_OK or the error for text[at]. */
static int scan_byte(struct scan *s, const char *text, size_t len, size_t at)
{
	unsigned d = (unsigned char)text[at] - (unsigned)'0';
	char what[64];

	if (text[at] == '.' && s->scale < 0) {
		s->scale = 0;
		return PCRM_OK;
	}
	if (d > 9)
		return parse_bad_char(text, len, at);
	if (s->scale >= 0 && ++s->scale > MAX_SCALE) {
		snprintf(what, sizeof(what), "more than %d digits after the point", MAX_SCALE);
		return parse_fail(PCRM_EINVAL, text, len, what);
	}
	/* keep scanning after an overflow: a syntax error is the better report */
	if (s->mag > (s->limit - d) / 10)
		s->too_big = 1;
	else
		s->mag = s->mag * 10 + d;
	s->digits++;
	return PCRM_OK;
}

int pcrm_decimal_parse_n(const char *text, size_t len, pcrm_decimal *out)
{
	struct scan s = { 0, (uint64_t)INT64_MAX, 0, -1, 0 };
	int negative = 0, rc;
	size_t i = 0;
	char what[64];

	if (!text || !out)
		return pcrm__error(PCRM_EINVAL, "decimal parse: %s is NULL", text ? "out" : "text");
	if (len == 0)
		return parse_fail(PCRM_EINVAL, text, len, "empty string");
	if (text[0] == '+' || text[0] == '-') {
		negative = text[0] == '-';
		s.limit += (uint64_t)negative; /* so INT64_MIN parses */
		i = 1;
	}
	for (; i < len; i++)
		if ((rc = scan_byte(&s, text, len, i)) < 0)
			return rc;
	if (s.digits == 0)
		return parse_fail(PCRM_EINVAL, text, len, "no digits");
	if (s.scale < 0)
		s.scale = 0;
	if (s.too_big) {
		snprintf(what, sizeof(what), "does not fit in 64-bit units at scale %d", s.scale);
		return parse_fail(PCRM_EINVAL, text, len, what); /* input, not arithmetic */
	}
	/* negate in the signed domain via mag - 1 so 2^63 never converts to int64_t */
	out->units = negative && s.mag ? -(int64_t)(s.mag - 1) - 1 : (int64_t)s.mag;
	out->scale = s.scale;
	return PCRM_OK;
}

int pcrm_decimal_parse(const char *text, pcrm_decimal *out)
{
	if (!text)
		return pcrm__error(PCRM_EINVAL, "decimal parse: text is NULL");
	return pcrm_decimal_parse_n(text, strlen(text), out);
}

/* ---- formatting ---- */

int pcrm_decimal_format(pcrm_decimal value, char *buf, size_t size)
{
	char tmp[PCRM_DECIMAL_STRING_MAX];
	size_t len;
	int rc;

	if (!buf)
		return pcrm__error(PCRM_EINVAL, "decimal format: buf is NULL");
	if ((rc = check_operand("format", "value", value)) < 0)
		return rc;
	len = format_raw(value, tmp);
	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return pcrm__error(PCRM_EINVAL, "decimal format: \"%s\" needs %zu bytes, buffer has %zu",
		                   tmp, len + 1, size);
	}
	memcpy(buf, tmp, len + 1);
	return PCRM_OK;
}

/* ---- arithmetic ---- */

static int add_sub(const char *op, pcrm_decimal a, pcrm_decimal b, int subtract,
                   pcrm_decimal *out)
{
	int rc, scale;
	i128 x, y;

	if ((rc = check_binary(op, a, b, out)) < 0)
		return rc;
	scale = a.scale > b.scale ? a.scale : b.scale;
	x = widen(a.units, a.scale, scale);
	y = widen(b.units, b.scale, scale);
	/* both below 2^123, so the 128-bit sum or difference is exact */
	if (!narrow(subtract ? x - y : x + y, scale, out))
		return overflow2(op, a, subtract ? "-" : "+", b, scale);
	return PCRM_OK;
}

int pcrm_decimal_add(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out)
{
	return add_sub("add", a, b, 0, out);
}

int pcrm_decimal_sub(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out)
{
	return add_sub("sub", a, b, 1, out);
}

int pcrm_decimal_neg(pcrm_decimal a, pcrm_decimal *out)
{
	char sa[PCRM_DECIMAL_STRING_MAX];
	int rc;

	if ((rc = check_operand("neg", "a", a)) < 0 || (rc = check_out("neg", out)) < 0)
		return rc;
	/* only INT64_MIN units fail: two's complement has no positive twin */
	if (narrow(-(i128)a.units, a.scale, out))
		return PCRM_OK;
	format_raw(a, sa);
	return pcrm__error(PCRM_EOVERFLOW,
	                   "decimal neg: -(%s) does not fit in 64-bit units at scale %d",
	                   sa, a.scale);
}

int pcrm_decimal_mul_round(pcrm_decimal a, pcrm_decimal b, int scale,
                           pcrm_rounding mode, pcrm_decimal *out)
{
	i128 product;
	int rc, exact_scale;

	if ((rc = check_binary("mul_round", a, b, out)) < 0 ||
	    (rc = check_target("mul_round", scale, mode)) < 0)
		return rc;
	product = (i128)a.units * b.units; /* |product| <= 2^126: exact */
	exact_scale = a.scale + b.scale;
	/*
	 * Scaling up only grows the magnitude, so a product that is already
	 * outside 64 bits is an overflow, and one inside cannot overflow 128
	 * bits when shifted by at most 18 places.
	 */
	if (scale >= exact_scale && (product > INT64_MAX || product < INT64_MIN))
		return overflow2("mul_round", a, "x", b, scale);
	if (!narrow(rescale(product, exact_scale, scale, mode), scale, out))
		return overflow2("mul_round", a, "x", b, scale);
	return PCRM_OK;
}

int pcrm_decimal_mul(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out)
{
	int rc;

	if ((rc = check_binary("mul", a, b, out)) < 0)
		return rc;
	if (a.scale + b.scale > MAX_SCALE) {
		char sa[PCRM_DECIMAL_STRING_MAX], sb[PCRM_DECIMAL_STRING_MAX];
		format_raw(a, sa);
		format_raw(b, sb);
		return pcrm__error(PCRM_EOVERFLOW,
		                   "decimal mul: %s x %s needs scale %d, more than %d "
		                   "(use pcrm_decimal_mul_round)",
		                   sa, sb, a.scale + b.scale, MAX_SCALE);
	}
	/* at the exact scale nothing is dropped, so the mode never applies */
	rc = pcrm_decimal_mul_round(a, b, a.scale + b.scale, PCRM_ROUND_DOWN, out);
	if (rc == PCRM_EOVERFLOW)
		return overflow2("mul", a, "x", b, a.scale + b.scale);
	return rc;
}

int pcrm_decimal_div(pcrm_decimal a, pcrm_decimal b, int scale,
                     pcrm_rounding mode, pcrm_decimal *out)
{
	i128 n = a.units, d = b.units;
	int rc, shift;

	if ((rc = check_binary("div", a, b, out)) < 0 ||
	    (rc = check_target("div", scale, mode)) < 0)
		return rc;
	if (b.units == 0)
		return pcrm__error(PCRM_EINVAL, "decimal div: division by zero");
	/*
	 * (na / 10^sa) / (nb / 10^sb) at scale s has units na * 10^(s - sa + sb)
	 * / nb.  Put the power of ten on whichever side keeps it non-negative so
	 * one integer division yields the quotient and the exact remainder.
	 */
	shift = scale - a.scale + b.scale; /* -18 .. 36 */
	if (shift >= 0) {
		i128 p = pow10_128(shift);
		/* a numerator past 2^127 over a divisor below 2^63 is >= 2^64 anyway */
		if ((n < 0 ? -n : n) > I128_MAX / p)
			return overflow2("div", a, "/", b, scale);
		n *= p;
	} else {
		d *= pow10_128(-shift);
	}
	if (d < 0) {
		n = -n;
		d = -d;
	}
	if (!narrow(div_round(n, d, mode), scale, out))
		return overflow2("div", a, "/", b, scale);
	return PCRM_OK;
}

int pcrm_decimal_round(pcrm_decimal a, int scale, pcrm_rounding mode, pcrm_decimal *out)
{
	char sa[PCRM_DECIMAL_STRING_MAX];
	int rc;

	if ((rc = check_operand("round", "a", a)) < 0 ||
	    (rc = check_target("round", scale, mode)) < 0 ||
	    (rc = check_out("round", out)) < 0)
		return rc;
	if (narrow(rescale(a.units, a.scale, scale, mode), scale, out))
		return PCRM_OK;
	format_raw(a, sa);
	return pcrm__error(PCRM_EOVERFLOW,
	                   "decimal round: %s does not fit in 64-bit units at scale %d", sa, scale);
}

/* ---- comparison and conversion ---- */

int pcrm_decimal_cmp(pcrm_decimal a, pcrm_decimal b)
{
	i128 x, y;
	int scale;

	/* cannot report errors: clamp a corrupt scale rather than index out of range */
	a.scale = valid_scale(a.scale) ? a.scale : (a.scale < 0 ? 0 : MAX_SCALE);
	b.scale = valid_scale(b.scale) ? b.scale : (b.scale < 0 ? 0 : MAX_SCALE);
	scale = a.scale > b.scale ? a.scale : b.scale;
	x = widen(a.units, a.scale, scale);
	y = widen(b.units, b.scale, scale);
	return (x > y) - (x < y);
}

int pcrm_decimal_sign(pcrm_decimal a)
{
	return (a.units > 0) - (a.units < 0);
}

int pcrm_decimal_is_zero(pcrm_decimal a)
{
	return a.units == 0;
}

int pcrm_decimal_to_int(pcrm_decimal a, pcrm_rounding mode, int64_t *out)
{
	pcrm_decimal r;
	int rc;

	if ((rc = check_operand("to_int", "a", a)) < 0 ||
	    (rc = check_target("to_int", 0, mode)) < 0 ||
	    (rc = check_out("to_int", out)) < 0)
		return rc;
	/* dividing by 10^scale (scale >= 1) leaves room for the rounding step */
	rc = pcrm_decimal_round(a, 0, mode, &r);
	if (rc == PCRM_OK)
		*out = r.units;
	return rc;
}
