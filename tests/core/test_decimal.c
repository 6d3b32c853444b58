/*
 * Exact decimals: parsing, formatting, rounding in every mode, overflow
 * reporting, and a property loop checked against an independent 128-bit
 * oracle written differently from the library (cross-multiplication, floor
 * division with a non-negative remainder).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((i128)(~(u128)0 >> 1))

/* ---- helpers ---- */

static pcrm_decimal D(const char *text)
{
	pcrm_decimal d = { 0, 0 };
	int rc = pcrm_decimal_parse(text, &d);
	cr_assert_eq(rc, PCRM_OK, "parse \"%s\": %s", text, pcrm_error_last());
	return d;
}

static const char *S(pcrm_decimal d)
{
	static char bufs[4][PCRM_DECIMAL_STRING_MAX];
	static int next;
	char *buf = bufs[next++ % 4];
	int rc = pcrm_decimal_format(d, buf, PCRM_DECIMAL_STRING_MAX);
	cr_assert_eq(rc, PCRM_OK, "format: %s", pcrm_error_last());
	return buf;
}

static void expect_str(pcrm_decimal d, const char *want)
{
	const char *got = S(d);
	cr_assert_str_eq(got, want, "got %s, want %s", got, want);
}

/* rc must be `status`, and the thread's message must mention `needle`. */
static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert_eq(pcrm_error_last_status(), status);
	cr_assert(strstr(pcrm_error_last(), needle) != NULL,
	          "message \"%s\" lacks \"%s\"", pcrm_error_last(), needle);
}

static const pcrm_rounding all_modes[] = {
	PCRM_ROUND_HALF_UP, PCRM_ROUND_HALF_EVEN, PCRM_ROUND_DOWN,
	PCRM_ROUND_UP, PCRM_ROUND_CEILING, PCRM_ROUND_FLOOR
};

/* ---- the classic trap ---- */

Test(decimal, tax_trap_13_965)
{
	pcrm_decimal amount = D("140.00"), rate = D("0.09975"), r;

	cr_assert_eq(pcrm_decimal_mul(amount, rate, &r), PCRM_OK);
	expect_str(r, "13.9650000");
	cr_assert_eq(pcrm_decimal_mul_round(amount, rate, 2, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "13.97");
	cr_assert_eq(pcrm_decimal_mul_round(amount, rate, 2, PCRM_ROUND_HALF_EVEN, &r), PCRM_OK);
	expect_str(r, "13.96");
	cr_assert_eq(pcrm_decimal_mul_round(amount, rate, 2, PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "13.96");
	cr_assert_eq(pcrm_decimal_mul_round(amount, rate, 2, PCRM_ROUND_UP, &r), PCRM_OK);
	expect_str(r, "13.97");

	/* a credit note rounds symmetrically */
	cr_assert_eq(pcrm_decimal_mul_round(D("-140.00"), rate, 2, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "-13.97");
	cr_assert_eq(pcrm_decimal_mul_round(D("-140.00"), rate, 2, PCRM_ROUND_HALF_EVEN, &r), PCRM_OK);
	expect_str(r, "-13.96");
}

Test(decimal, mul_round_rounds_once_from_the_exact_product)
{
	pcrm_decimal r;

	/* 0.4449 rounded twice (0.445 then 0.45) would be wrong: once gives 0.44 */
	cr_assert_eq(pcrm_decimal_mul_round(D("0.4449"), D("1"), 2, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "0.44");
	/* scaling up is exact */
	cr_assert_eq(pcrm_decimal_mul_round(D("1.5"), D("2"), 4, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "3.0000");
	/* product scale 36 down to 18 */
	cr_assert_eq(pcrm_decimal_mul_round(D("0.333333333333333333"), D("0.000000000000000003"),
	                                    18, PCRM_ROUND_UP, &r), PCRM_OK);
	expect_str(r, "0.000000000000000001");
}

/* ---- parsing and formatting ---- */

Test(decimal, parse_format_round_trips)
{
	static const char *const same[] = {
		"0.5283", "-12.30", "0", "-0.05", "7", "0.000000000000000001",
		"9223372036854775807", "-9223372036854775808", "-9.223372036854775808",
		"0.100000000000000000", "1234567.89"
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		expect_str(D(same[i]), same[i]);

	expect_str(D(".5"), "0.5");
	expect_str(D("+7"), "7");
	expect_str(D("-0"), "0");
	expect_str(D("-0.00"), "0.00");
	expect_str(D("5."), "5");
	expect_str(D("-.5"), "-0.5");
	expect_str(D("000123.4500"), "123.4500");
	expect_str(D("0000000000000000000000000000042"), "42");
}

Test(decimal, parse_keeps_the_written_scale)
{
	pcrm_decimal d = D("12.30");
	cr_assert_eq(d.units, 1230);
	cr_assert_eq(d.scale, 2);
	d = D("-0.05");
	cr_assert_eq(d.units, -5);
	cr_assert_eq(d.scale, 2);
}

Test(decimal, parse_n_reads_exactly_len_bytes)
{
	pcrm_decimal d;
	cr_assert_eq(pcrm_decimal_parse_n("12.345xyz", 6, &d), PCRM_OK);
	expect_str(d, "12.345");
	expect_error(pcrm_decimal_parse_n("1\0002", 3, &d), PCRM_EINVAL, "byte 0x00 at position 2");
}

Test(decimal, parse_rejects_bad_input_and_says_where)
{
	pcrm_decimal d = { 99, 1 };

	pcrm_error_clear();
	expect_error(pcrm_decimal_parse("12.3x", &d), PCRM_EINVAL,
	             "decimal \"12.3x\": unexpected character 'x' at position 5");
	expect_error(pcrm_decimal_parse("", &d), PCRM_EINVAL, "empty string");
	expect_error(pcrm_decimal_parse("-", &d), PCRM_EINVAL, "no digits");
	expect_error(pcrm_decimal_parse("+", &d), PCRM_EINVAL, "no digits");
	expect_error(pcrm_decimal_parse(".", &d), PCRM_EINVAL, "no digits");
	expect_error(pcrm_decimal_parse("-.", &d), PCRM_EINVAL, "no digits");
	expect_error(pcrm_decimal_parse("1.2.3", &d), PCRM_EINVAL,
	             "unexpected character '.' at position 4");
	expect_error(pcrm_decimal_parse(" 1", &d), PCRM_EINVAL, "' ' at position 1");
	expect_error(pcrm_decimal_parse("1 ", &d), PCRM_EINVAL, "' ' at position 2");
	expect_error(pcrm_decimal_parse("1e5", &d), PCRM_EINVAL, "'e' at position 2");
	expect_error(pcrm_decimal_parse("--1", &d), PCRM_EINVAL, "'-' at position 2");
	expect_error(pcrm_decimal_parse("1-", &d), PCRM_EINVAL, "'-' at position 2");
	expect_error(pcrm_decimal_parse("1,000", &d), PCRM_EINVAL, "',' at position 2");
	expect_error(pcrm_decimal_parse("\"1\"", &d), PCRM_EINVAL, "decimal \"\\\"1\\\"\"");
	expect_error(pcrm_decimal_parse("0.1234567890123456789", &d), PCRM_EINVAL,
	             "more than 18 digits after the point");
	expect_error(pcrm_decimal_parse(NULL, &d), PCRM_EINVAL, "text is NULL");
	expect_error(pcrm_decimal_parse("1", NULL), PCRM_EINVAL, "out is NULL");
	/* a failed parse leaves the output alone */
	cr_assert_eq(d.units, 99);
	cr_assert_eq(d.scale, 1);
}

Test(decimal, parse_quotes_long_input_truncated)
{
	char text[200];
	pcrm_decimal d;
	memset(text, '1', sizeof(text) - 2);
	text[sizeof(text) - 2] = 'z';
	text[sizeof(text) - 1] = '\0';
	expect_error(pcrm_decimal_parse(text, &d), PCRM_EINVAL, "...\": unexpected character 'z' at position 199");
}

Test(decimal, format_needs_room)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal d = D("-12.30");

	pcrm_error_clear();
	expect_error(pcrm_decimal_format(d, buf, 6), PCRM_EINVAL, "needs 7 bytes, buffer has 6");
	cr_assert_str_eq(buf, "");
	cr_assert_eq(pcrm_decimal_format(d, buf, 7), PCRM_OK);
	cr_assert_str_eq(buf, "-12.30");
	expect_error(pcrm_decimal_format(d, buf, 0), PCRM_EINVAL, "buffer has 0");
	expect_error(pcrm_decimal_format(d, NULL, 10), PCRM_EINVAL, "buf is NULL");
	/* the longest value fits the advertised maximum */
	cr_assert_eq(pcrm_decimal_format(pcrm_decimal_make(INT64_MIN, 18), buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "-9.223372036854775808");
	cr_assert_eq(pcrm_decimal_format(pcrm_decimal_make(-1, 18), buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "-0.000000000000000001");
}

/* ---- rounding ---- */

struct round_case {
	const char *in;
	int scale;
	const char *want[6]; /* HALF_UP, HALF_EVEN, DOWN, UP, CEILING, FLOOR */
};

Test(decimal, round_in_every_mode_both_signs)
{
	static const struct round_case cases[] = {
		{ "2.5", 0, { "3", "2", "2", "3", "3", "2" } },
		{ "-2.5", 0, { "-3", "-2", "-2", "-3", "-2", "-3" } },
		{ "3.5", 0, { "4", "4", "3", "4", "4", "3" } },
		{ "-3.5", 0, { "-4", "-4", "-3", "-4", "-3", "-4" } },
		{ "2.4", 0, { "2", "2", "2", "3", "3", "2" } },
		{ "-2.4", 0, { "-2", "-2", "-2", "-3", "-2", "-3" } },
		{ "-2.6", 0, { "-3", "-3", "-2", "-3", "-2", "-3" } },
		{ "0.125", 2, { "0.13", "0.12", "0.12", "0.13", "0.13", "0.12" } },
		{ "-0.125", 2, { "-0.13", "-0.12", "-0.12", "-0.13", "-0.12", "-0.13" } },
		{ "0.135", 2, { "0.14", "0.14", "0.13", "0.14", "0.14", "0.13" } },
		{ "-0.5", 0, { "-1", "0", "0", "-1", "0", "-1" } },
		{ "-0.0001", 2, { "0.00", "0.00", "0.00", "-0.01", "0.00", "-0.01" } },
		{ "7.000", 0, { "7", "7", "7", "7", "7", "7" } },
		{ "-7.25", 4, { "-7.2500", "-7.2500", "-7.2500", "-7.2500", "-7.2500", "-7.2500" } },
		{ "-9223372036854775808", 0, { "-9223372036854775808", "-9223372036854775808",
		  "-9223372036854775808", "-9223372036854775808", "-9223372036854775808",
		  "-9223372036854775808" } },
		{ "-9.223372036854775808", 0, { "-9", "-9", "-9", "-10", "-9", "-10" } },
		{ "9.223372036854775807", 17, { "9.22337203685477581", "9.22337203685477581",
		  "9.22337203685477580", "9.22337203685477581", "9.22337203685477581",
		  "9.22337203685477580" } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t m = 0; m < 6; m++) {
			pcrm_decimal r;
			int rc = pcrm_decimal_round(D(cases[i].in), cases[i].scale, all_modes[m], &r);
			cr_assert_eq(rc, PCRM_OK, "%s mode %zu: %s", cases[i].in, m, pcrm_error_last());
			cr_assert_str_eq(S(r), cases[i].want[m], "round(%s, %d, mode %zu) = %s, want %s",
			                 cases[i].in, cases[i].scale, m, S(r), cases[i].want[m]);
		}
	}
}

Test(decimal, to_int_in_modes)
{
	static const struct { const char *in; int64_t want[6]; } cases[] = {
		{ "2.5", { 3, 2, 2, 3, 3, 2 } },
		{ "-2.5", { -3, -2, -2, -3, -2, -3 } },
		{ "10.01", { 10, 10, 10, 11, 11, 10 } },
		{ "-10.01", { -10, -10, -10, -11, -10, -11 } },
		{ "30.000", { 30, 30, 30, 30, 30, 30 } },
		{ "9223372036854775807", { INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX } },
		{ "-9223372036854775808", { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN } },
		{ "922337203685477580.7", { 922337203685477581, 922337203685477581, 922337203685477580,
		  922337203685477581, 922337203685477581, 922337203685477580 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t m = 0; m < 6; m++) {
			int64_t v = 0;
			cr_assert_eq(pcrm_decimal_to_int(D(cases[i].in), all_modes[m], &v), PCRM_OK);
			cr_assert_eq(v, cases[i].want[m], "to_int(%s, mode %zu) = %" PRId64,
			             cases[i].in, m, v);
		}
	}
}

/* ---- overflow ---- */

Test(decimal, overflow_is_reported_never_wrapped)
{
	pcrm_decimal r = { 42, 3 }, max = pcrm_decimal_from_int(INT64_MAX);
	pcrm_decimal min = pcrm_decimal_from_int(INT64_MIN), one = D("1");

	pcrm_error_clear();
	expect_error(pcrm_decimal_add(max, one, &r), PCRM_EOVERFLOW,
	             "decimal add: 9223372036854775807 + 1 does not fit in 64-bit units at scale 0");
	/* aligning to the larger scale is itself the overflow */
	expect_error(pcrm_decimal_add(D("1000000000000000000"), D("0.1"), &r), PCRM_EOVERFLOW,
	             "at scale 1");
	expect_error(pcrm_decimal_sub(min, one, &r), PCRM_EOVERFLOW,
	             "decimal sub: -9223372036854775808 - 1 does not fit");
	expect_error(pcrm_decimal_sub(one, min, &r), PCRM_EOVERFLOW, "decimal sub");
	expect_error(pcrm_decimal_mul(D("4294967296"), D("4294967296"), &r), PCRM_EOVERFLOW,
	             "decimal mul: 4294967296 x 4294967296 does not fit");
	expect_error(pcrm_decimal_mul(min, D("-1"), &r), PCRM_EOVERFLOW, "decimal mul");
	expect_error(pcrm_decimal_mul(D("0.0000000001"), D("0.000000001"), &r), PCRM_EOVERFLOW,
	             "needs scale 19");
	expect_error(pcrm_decimal_mul_round(max, D("1.1"), 0, PCRM_ROUND_DOWN, &r), PCRM_EOVERFLOW,
	             "decimal mul_round");
	expect_error(pcrm_decimal_mul_round(D("100"), D("1"), 17, PCRM_ROUND_DOWN, &r),
	             PCRM_EOVERFLOW, "at scale 17");
	/* text that does not fit is bad input, not arithmetic: PCRM_EINVAL */
	expect_error(pcrm_decimal_parse("9223372036854775808", &r), PCRM_EINVAL,
	             "decimal \"9223372036854775808\": does not fit in 64-bit units at scale 0");
	expect_error(pcrm_decimal_parse("-9223372036854775809", &r), PCRM_EINVAL, "does not fit");
	expect_error(pcrm_decimal_parse("9.999999999999999999", &r), PCRM_EINVAL, "at scale 18");
	expect_error(pcrm_decimal_round(D("922337203685477580.7"), 2, PCRM_ROUND_HALF_UP, &r),
	             PCRM_EOVERFLOW,
	             "decimal round: 922337203685477580.7 does not fit in 64-bit units at scale 2");
	expect_error(pcrm_decimal_round(D("10"), 18, PCRM_ROUND_DOWN, &r), PCRM_EOVERFLOW,
	             "at scale 18");
	expect_error(pcrm_decimal_neg(min, &r), PCRM_EOVERFLOW,
	             "decimal neg: -(-9223372036854775808) does not fit");
	expect_error(pcrm_decimal_neg(pcrm_decimal_make(INT64_MIN, 4), &r), PCRM_EOVERFLOW,
	             "at scale 4");
	expect_error(pcrm_decimal_div(max, D("0.000000000000000001"), 0, PCRM_ROUND_DOWN, &r),
	             PCRM_EOVERFLOW, "decimal div");
	expect_error(pcrm_decimal_div(max, D("0.5"), 18, PCRM_ROUND_DOWN, &r),
	             PCRM_EOVERFLOW, "at scale 18");
	expect_error(pcrm_decimal_div(min, D("-1"), 0, PCRM_ROUND_DOWN, &r), PCRM_EOVERFLOW,
	             "decimal div");
	/* nothing was written on any failure */
	cr_assert_eq(r.units, 42);
	cr_assert_eq(r.scale, 3);
}

Test(decimal, edges_that_just_fit)
{
	pcrm_decimal r, max = pcrm_decimal_from_int(INT64_MAX), min = pcrm_decimal_from_int(INT64_MIN);

	cr_assert_eq(pcrm_decimal_add(min, max, &r), PCRM_OK);
	expect_str(r, "-1");
	cr_assert_eq(pcrm_decimal_sub(max, max, &r), PCRM_OK);
	expect_str(r, "0");
	cr_assert_eq(pcrm_decimal_sub(D("-1"), max, &r), PCRM_OK);
	expect_str(r, "-9223372036854775808");
	cr_assert_eq(pcrm_decimal_neg(max, &r), PCRM_OK);
	expect_str(r, "-9223372036854775807");
	cr_assert_eq(pcrm_decimal_mul(min, D("1"), &r), PCRM_OK);
	expect_str(r, "-9223372036854775808");
	cr_assert_eq(pcrm_decimal_round(D("1"), 18, PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "1.000000000000000000");
	cr_assert_eq(pcrm_decimal_div(min, D("1"), 0, PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "-9223372036854775808");
	cr_assert_eq(pcrm_decimal_div(min, D("-2"), 0, PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "4611686018427387904");
	/* a product beyond 64 bits that rounds back into range */
	cr_assert_eq(pcrm_decimal_mul_round(D("9.223372036854775807"), D("9.223372036854775807"),
	                                    2, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "85.07");
	cr_assert_eq(pcrm_decimal_mul_round(min, min, 0, PCRM_ROUND_DOWN, &r), PCRM_EOVERFLOW);
	cr_assert_eq(pcrm_decimal_mul_round(pcrm_decimal_make(INT64_MIN, 18),
	                                    pcrm_decimal_make(INT64_MIN, 18), 17,
	                                    PCRM_ROUND_HALF_EVEN, &r), PCRM_OK);
	expect_str(r, "85.07059173023461587");
}

/* ---- division ---- */

Test(decimal, division)
{
	pcrm_decimal r;

	/* agents needed: 21 calls / 0.70 per agent is exactly 30, not 31 */
	cr_assert_eq(pcrm_decimal_div(D("21"), D("0.70"), 0, PCRM_ROUND_CEILING, &r), PCRM_OK);
	cr_assert_eq(r.units, 30);
	cr_assert_eq(r.scale, 0);
	cr_assert_eq(pcrm_decimal_div(D("21.01"), D("0.70"), 0, PCRM_ROUND_CEILING, &r), PCRM_OK);
	expect_str(r, "31");

	cr_assert_eq(pcrm_decimal_div(D("1"), D("3"), 4, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "0.3333");
	cr_assert_eq(pcrm_decimal_div(D("2"), D("3"), 4, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "0.6667");
	cr_assert_eq(pcrm_decimal_div(D("2"), D("3"), 4, PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "0.6666");
	cr_assert_eq(pcrm_decimal_div(D("-1"), D("3"), 4, PCRM_ROUND_FLOOR, &r), PCRM_OK);
	expect_str(r, "-0.3334");
	cr_assert_eq(pcrm_decimal_div(D("-1"), D("3"), 4, PCRM_ROUND_CEILING, &r), PCRM_OK);
	expect_str(r, "-0.3333");
	/* negative divisor: the sign moves to the numerator before rounding */
	cr_assert_eq(pcrm_decimal_div(D("1"), D("-8"), 2, PCRM_ROUND_HALF_EVEN, &r), PCRM_OK);
	expect_str(r, "-0.12");
	cr_assert_eq(pcrm_decimal_div(D("1"), D("-8"), 2, PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "-0.13");
	cr_assert_eq(pcrm_decimal_div(D("-1"), D("-8"), 2, PCRM_ROUND_FLOOR, &r), PCRM_OK);
	expect_str(r, "0.12");
	/* divisor scale larger than the target: the power of ten goes below */
	cr_assert_eq(pcrm_decimal_div(D("1.000000000000000000"), D("0.000000000000000007"), 0,
	                              PCRM_ROUND_HALF_UP, &r), PCRM_OK);
	expect_str(r, "142857142857142857");
	cr_assert_eq(pcrm_decimal_div(D("5.000000000000000000"), D("2"), 0,
	                              PCRM_ROUND_HALF_EVEN, &r), PCRM_OK);
	expect_str(r, "2");
	/* scale 36 numerator shift that still fits */
	cr_assert_eq(pcrm_decimal_div(D("9"), D("9.000000000000000000"), 18,
	                              PCRM_ROUND_DOWN, &r), PCRM_OK);
	expect_str(r, "1.000000000000000000");
	cr_assert_eq(pcrm_decimal_div(D("171"), D("9.000000000000000000"), 18,
	                              PCRM_ROUND_DOWN, &r), PCRM_EOVERFLOW);

	pcrm_error_clear();
	expect_error(pcrm_decimal_div(D("1"), D("0.00"), 2, PCRM_ROUND_HALF_UP, &r), PCRM_EINVAL,
	             "division by zero");
	expect_error(pcrm_decimal_div(D("0"), D("0"), 2, PCRM_ROUND_HALF_UP, &r), PCRM_EINVAL,
	             "division by zero");
}

/* ---- comparison ---- */

Test(decimal, cmp_ignores_scale)
{
	cr_assert_eq(pcrm_decimal_cmp(D("1.50"), D("1.5")), 0);
	cr_assert_eq(pcrm_decimal_cmp(D("0"), D("-0.000")), 0);
	cr_assert_lt(pcrm_decimal_cmp(D("-0.1"), D("0")), 0);
	cr_assert_gt(pcrm_decimal_cmp(D("1.000000000000000001"), D("1")), 0);
	cr_assert_lt(pcrm_decimal_cmp(pcrm_decimal_from_int(INT64_MIN),
	                              pcrm_decimal_make(INT64_MAX, 18)), 0);
	cr_assert_gt(pcrm_decimal_cmp(pcrm_decimal_from_int(INT64_MAX),
	                              pcrm_decimal_make(INT64_MAX, 18)), 0);
	cr_assert_eq(pcrm_decimal_sign(D("-0.01")), -1);
	cr_assert_eq(pcrm_decimal_sign(D("0.00")), 0);
	cr_assert_eq(pcrm_decimal_sign(D("3")), 1);
	cr_assert(pcrm_decimal_is_zero(D("-0.000")));
	cr_assert_not(pcrm_decimal_is_zero(D("0.001")));
}

/* ---- arguments ---- */

Test(decimal, bad_arguments_name_the_argument)
{
	pcrm_decimal r, bad = { 1, 25 }, one = D("1");
	int64_t v;

	pcrm_error_clear();
	expect_error(pcrm_decimal_round(one, 19, PCRM_ROUND_HALF_UP, &r), PCRM_EINVAL,
	             "decimal round: scale 19 is out of range 0..18");
	expect_error(pcrm_decimal_div(one, one, -1, PCRM_ROUND_HALF_UP, &r), PCRM_EINVAL,
	             "decimal div: scale -1");
	expect_error(pcrm_decimal_mul_round(one, one, 2, (pcrm_rounding)99, &r), PCRM_EINVAL,
	             "decimal mul_round: mode 99");
	expect_error(pcrm_decimal_to_int(one, (pcrm_rounding)-1, &v), PCRM_EINVAL, "mode -1");
	expect_error(pcrm_decimal_add(bad, one, &r), PCRM_EINVAL, "decimal add: a has scale 25");
	expect_error(pcrm_decimal_sub(one, bad, &r), PCRM_EINVAL, "decimal sub: b has scale 25");
	expect_error(pcrm_decimal_mul(one, one, NULL), PCRM_EINVAL, "decimal mul: out is NULL");
	expect_error(pcrm_decimal_neg(bad, &r), PCRM_EINVAL, "decimal neg: a has scale 25");
	expect_error(pcrm_decimal_to_int(one, PCRM_ROUND_DOWN, NULL), PCRM_EINVAL, "out is NULL");
	expect_error(pcrm_decimal_format(bad, (char[8]){ 0 }, 8), PCRM_EINVAL, "value has scale 25");

	/* an out-of-range scale is kept, so the next operation names it instead of using 0 */
	r = pcrm_decimal_make(5, 19);
	cr_assert_eq(r.units, 5);
	cr_assert_eq(r.scale, 19);
	expect_error(pcrm_decimal_add(r, one, &r), PCRM_EINVAL, "a has scale 19");
	r = pcrm_decimal_make(5, -1);
	expect_error(pcrm_decimal_round(r, 2, PCRM_ROUND_HALF_UP, &r), PCRM_EINVAL, "scale -1");
	r = pcrm_decimal_make(-5, 18);
	cr_assert_eq(r.units, -5);
	cr_assert_eq(r.scale, 18);
}

/* ---- property loop against an independent oracle ---- */

static uint64_t rng = 0x243F6A8885A308D3u;

static uint64_t next_random(void)
{
	/* splitmix64: deterministic, so a failure reproduces */
	uint64_t z = (rng += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* Values from several ranges so both ordinary and overflowing cases occur. */
static pcrm_decimal random_decimal(void)
{
	int64_t u;
	switch (next_random() % 6) {
	case 0: u = (int64_t)(next_random() % 2000001) - 1000000; break;
	case 1: u = (int64_t)(next_random() % 2000000000001u) - 1000000000000; break;
	case 2: u = (int64_t)next_random(); break;
	case 3: u = INT64_MAX - (int64_t)(next_random() % 1000); break;
	case 4: u = INT64_MIN + (int64_t)(next_random() % 1000); break;
	default: u = (int64_t)(next_random() % 3) - 1; break;
	}
	return pcrm_decimal_make(u, (int)(next_random() % 19));
}

static i128 ipow10(int k)
{
	i128 p = 1;
	while (k-- > 0)
		p *= 10;
	return p;
}

static int fits64(i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/*
 * num / den rounded, computed from the floor quotient and a remainder in
 * [0, den): a different route from the library's truncating division.
 */
static i128 ref_round(i128 num, i128 den, pcrm_rounding mode)
{
	i128 q, r, twice;
	if (den < 0) {
		num = -num;
		den = -den;
	}
	q = num / den;
	r = num % den;
	if (r < 0) {
		q -= 1;
		r += den;
	}
	if (r == 0)
		return q;
	/* the exact value lies strictly between q and q + 1 */
	twice = r + r; /* den <= 2^126 / 2 in every use below */
	switch (mode) {
	case PCRM_ROUND_FLOOR: return q;
	case PCRM_ROUND_CEILING: return q + 1;
	case PCRM_ROUND_DOWN: return q >= 0 ? q : q + 1;
	case PCRM_ROUND_UP: return q >= 0 ? q + 1 : q;
	case PCRM_ROUND_HALF_UP:
		if (twice != den)
			return twice < den ? q : q + 1;
		return q >= 0 ? q + 1 : q;
	case PCRM_ROUND_HALF_EVEN:
		if (twice != den)
			return twice < den ? q : q + 1;
		return q % 2 == 0 ? q : q + 1;
	}
	return 0;
}

static void check_result(const char *op, pcrm_decimal a, pcrm_decimal b, int rc,
                         pcrm_decimal got, i128 want, int want_scale)
{
	if (!fits64(want)) {
		cr_assert_eq(rc, PCRM_EOVERFLOW, "%s(%s, %s) should overflow", op, S(a), S(b));
		cr_assert(strstr(pcrm_error_last(), op) != NULL, "%s", pcrm_error_last());
		return;
	}
	cr_assert_eq(rc, PCRM_OK, "%s(%s, %s): %s", op, S(a), S(b), pcrm_error_last());
	cr_assert_eq(got.scale, want_scale, "%s(%s, %s) scale", op, S(a), S(b));
	cr_assert(got.units == (int64_t)want, "%s(%s, %s) = %s, want units %" PRId64,
	          op, S(a), S(b), S(got), (int64_t)want);
}

static void check_pair(pcrm_decimal a, pcrm_decimal b)
{
	int ms = a.scale > b.scale ? a.scale : b.scale, rc, want_cmp;
	i128 xa = (i128)a.units * ipow10(ms - a.scale), xb = (i128)b.units * ipow10(ms - b.scale);
	i128 product = (i128)a.units * b.units;
	/* compare by cross-multiplying to scale a.scale + b.scale */
	i128 ca = (i128)a.units * ipow10(b.scale), cb = (i128)b.units * ipow10(a.scale);
	pcrm_rounding mode = all_modes[next_random() % 6];
	int target = (int)(next_random() % 19);
	pcrm_decimal r = { 0, 0 };

	rc = pcrm_decimal_add(a, b, &r);
	check_result("add", a, b, rc, r, xa + xb, ms);
	rc = pcrm_decimal_sub(a, b, &r);
	check_result("sub", a, b, rc, r, xa - xb, ms);

	rc = pcrm_decimal_mul(a, b, &r);
	if (a.scale + b.scale > PCRM_DECIMAL_MAX_SCALE)
		cr_assert_eq(rc, PCRM_EOVERFLOW);
	else
		check_result("mul", a, b, rc, r, product, a.scale + b.scale);

	want_cmp = (ca > cb) - (ca < cb);
	cr_assert_eq(pcrm_decimal_cmp(a, b), want_cmp, "cmp(%s, %s)", S(a), S(b));
	cr_assert_eq(pcrm_decimal_cmp(b, a), -want_cmp);

	/* mul_round: the exact product at scale sa+sb, brought to the target */
	rc = pcrm_decimal_mul_round(a, b, target, mode, &r);
	if (target >= a.scale + b.scale) {
		if (!fits64(product))
			cr_assert_eq(rc, PCRM_EOVERFLOW);
		else
			check_result("mul_round", a, b, rc, r,
			             product * ipow10(target - a.scale - b.scale), target);
	} else {
		check_result("mul_round", a, b, rc, r,
		             ref_round(product, ipow10(a.scale + b.scale - target), mode), target);
	}

	/*
	 * div: a * 10^(target + sb) / (b * 10^sa).  This numerator is at least
	 * as wide as the library's; when it does not fit 128 bits the oracle
	 * has no answer and only the status is checked.
	 */
	if (b.units != 0) {
		int shift = target + b.scale;
		i128 den = (i128)b.units * ipow10(a.scale);
		i128 mag = a.units < 0 ? -(i128)a.units : (i128)a.units;

		rc = pcrm_decimal_div(a, b, target, mode, &r);
		if (mag <= I128_MAX / ipow10(shift))
			check_result("div", a, b, rc, r, ref_round((i128)a.units * ipow10(shift), den, mode),
			             target);
		else
			cr_assert(rc == PCRM_OK || rc == PCRM_EOVERFLOW, "div rc %d", rc);
	}

	/* round: a brought to the target scale */
	rc = pcrm_decimal_round(a, target, mode, &r);
	if (target >= a.scale)
		check_result("round", a, b, rc, r, (i128)a.units * ipow10(target - a.scale), target);
	else
		check_result("round", a, b, rc, r, ref_round(a.units, ipow10(a.scale - target), mode),
		             target);
}

Test(decimal, property_matches_128_bit_oracle)
{
	for (int i = 0; i < 5000; i++)
		check_pair(random_decimal(), random_decimal());
}

/* Formatting is checked at the string level against printf of the units. */
Test(decimal, property_format_matches_printf)
{
	for (int i = 0; i < 3000; i++) {
		pcrm_decimal d = random_decimal(), back;
		char units[32], want[64], *digits = units;
		size_t n;
		int neg;

		snprintf(units, sizeof(units), "%" PRId64, d.units);
		neg = units[0] == '-';
		digits += neg;
		n = strlen(digits);
		if (d.scale == 0)
			snprintf(want, sizeof(want), "%s", units);
		else if (n > (size_t)d.scale)
			snprintf(want, sizeof(want), "%s%.*s.%s", neg ? "-" : "",
			         (int)(n - (size_t)d.scale), digits, digits + n - (size_t)d.scale);
		else
			snprintf(want, sizeof(want), "%s0.%0*d%s", neg ? "-" : "",
			         (int)((size_t)d.scale - n), 0, digits);
		/* %0*d with width 0 still prints one "0": strip it in that case */
		if (d.scale != 0 && n == (size_t)d.scale)
			snprintf(want, sizeof(want), "%s0.%s", neg ? "-" : "", digits);
		cr_assert_str_eq(S(d), want, "units %" PRId64 " scale %d", d.units, d.scale);
		cr_assert_eq(pcrm_decimal_parse(want, &back), PCRM_OK);
		cr_assert_eq(back.units, d.units);
		cr_assert_eq(back.scale, d.scale);
	}
}
