/*
 * Fuzz target for the decimal parser, the one decimal entry point that reads
 * outside input (tariff files, API requests).  Whatever parses must format
 * and re-parse to the same value and scale, and the arithmetic built on it
 * must hold its invariants or fail with a status: never crash, never wrap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/decimal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (what libFuzzer and the corpus replay catch) naming the broken invariant. */
#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_decimal.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_round_trip(pcrm_decimal v)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	pcrm_decimal back;

	require(pcrm_decimal_format(v, buf, sizeof(buf)) == PCRM_OK);
	require(pcrm_decimal_parse(buf, &back) == PCRM_OK);
	require(back.units == v.units && back.scale == v.scale);
	require(pcrm_decimal_cmp(v, back) == 0);
}

/*
 * (v + f) - f == v whenever the sum fits: add and sub are exact.  The
 * difference carries the sum's scale, so it fits exactly when v itself
 * fits at that scale (v near the 64-bit edge may not).
 */
static void check_add_sub(pcrm_decimal v, pcrm_decimal f)
{
	pcrm_decimal sum, diff, widened;
	int rc;

	if (pcrm_decimal_add(v, f, &sum) != PCRM_OK)
		return;
	rc = pcrm_decimal_sub(sum, f, &diff);
	if (pcrm_decimal_round(v, sum.scale, PCRM_ROUND_DOWN, &widened) != PCRM_OK) {
		require(rc == PCRM_EOVERFLOW);
		return;
	}
	require(rc == PCRM_OK);
	require(diff.scale == sum.scale && diff.units == widened.units);
	require(pcrm_decimal_cmp(diff, v) == 0);
}

/* Floor and ceiling of the same quotient are equal or one unit apart. */
static void check_floor_ceiling(int (*op)(pcrm_decimal, pcrm_decimal, int, pcrm_rounding,
                                          pcrm_decimal *),
                                pcrm_decimal a, pcrm_decimal b, int scale)
{
	pcrm_decimal lo, hi, mid;

	if (op(a, b, scale, PCRM_ROUND_FLOOR, &lo) != PCRM_OK ||
	    op(a, b, scale, PCRM_ROUND_CEILING, &hi) != PCRM_OK)
		return;
	require(lo.scale == scale && hi.scale == scale);
	require(hi.units == lo.units || hi.units - 1 == lo.units);
	for (int m = PCRM_ROUND_HALF_UP; m <= PCRM_ROUND_FLOOR; m++) {
		if (op(a, b, scale, (pcrm_rounding)m, &mid) == PCRM_OK)
			require(mid.units == lo.units || mid.units == hi.units);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "0.09975", "-3", "140.00", "0.000000000000000001" };
	pcrm_decimal v, f, r;

	if (pcrm_decimal_parse_n((const char *)data, size, &v) != PCRM_OK)
		return 0;
	check_round_trip(v);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		require(pcrm_decimal_parse(fixed[i], &f) == PCRM_OK);
		check_add_sub(v, f);
		(void)pcrm_decimal_mul(v, f, &r);
		for (int scale = 0; scale <= PCRM_DECIMAL_MAX_SCALE; scale += 6) {
			check_floor_ceiling(pcrm_decimal_mul_round, v, f, scale);
			check_floor_ceiling(pcrm_decimal_div, v, f, scale);
			check_floor_ceiling(pcrm_decimal_div, f, v, scale);
		}
	}
	(void)pcrm_decimal_neg(v, &r);
	(void)pcrm_decimal_round(v, 2, PCRM_ROUND_HALF_EVEN, &r);
	return 0;
}
