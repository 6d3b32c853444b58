/*
 * libpowercrm - exact decimal numbers for money and energy.
 *
 * A pcrm_decimal is a scaled 64-bit integer: its value is units / 10^scale,
 * with 0 <= scale <= PCRM_DECIMAL_MAX_SCALE.  "12.30" is {1230, 2}.  Binary
 * floating point never takes part: intermediates use 128-bit integers, every
 * result that does not fit is reported as PCRM_EOVERFLOW (never wrapped), and
 * rounding happens only where the caller asks for it, with a named mode.
 *
 * Values are plain structs: copy them freely, no allocation, thread-safe.
 *
 * Common to every function returning a status: on failure *out is left
 * unchanged and pcrm_error_last() names the operation and the problem; an
 * operand whose scale is outside 0..PCRM_DECIMAL_MAX_SCALE, a target scale
 * outside that range, a mode that is not a pcrm_rounding or a NULL out
 * pointer is PCRM_EINVAL.
 */
#ifndef POWERCRM_DECIMAL_H
#define POWERCRM_DECIMAL_H

#include <powercrm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The largest scale (digits after the decimal point) a decimal may carry. */
#define PCRM_DECIMAL_MAX_SCALE 18

/** Room for any formatted decimal: sign, 19 digits, point, leading "0.", NUL. */
#define PCRM_DECIMAL_STRING_MAX 48

typedef struct pcrm_decimal {
	int64_t units; /**< the value times 10^scale */
	int scale;     /**< digits after the decimal point, 0..PCRM_DECIMAL_MAX_SCALE */
} pcrm_decimal;

/** How to drop digits. */
typedef enum pcrm_rounding {
	PCRM_ROUND_HALF_UP = 0, /**< ties away from zero: 13.965 -> 13.97, -0.5 -> -1 (the utility default) */
	PCRM_ROUND_HALF_EVEN,   /**< ties to the even neighbour (banker's): 0.125 -> 0.12 */
	PCRM_ROUND_DOWN,        /**< toward zero (truncate) */
	PCRM_ROUND_UP,          /**< away from zero */
	PCRM_ROUND_CEILING,     /**< toward +infinity */
	PCRM_ROUND_FLOOR        /**< toward -infinity */
} pcrm_rounding;

/**
 * Makes units / 10^scale.  The fields are stored as given: a scale outside
 * 0..PCRM_DECIMAL_MAX_SCALE makes an invalid value that every
 * status-returning function rejects with PCRM_EINVAL naming the scale
 * (never a silent zero).
 */
PCRM_EXTERN(pcrm_decimal) pcrm_decimal_make(int64_t units, int scale);

/** Makes an integer value (scale 0). */
PCRM_EXTERN(pcrm_decimal) pcrm_decimal_from_int(int64_t value);

/**
 * Parses a decimal string: optional sign, digits, optional point and digits
 * ("0.5283", "-12.30", "+7", ".5").  The scale is the number of digits after
 * the point as written, so "12.30" keeps scale 2.  No exponent, no spaces, no
 * thousands separators.  Leading zeros are fine, "5." reads as 5, "-0" is
 * zero, and at most PCRM_DECIMAL_MAX_SCALE digits may follow the point.
 * PCRM_EINVAL for an empty string, a sign or point without digits, a second
 * point or any other character (the message quotes the input and gives the
 * 1-based position), and also when the digits do not fit in 64 bits ("does
 * not fit in 64-bit units at scale N"): text that does not fit is bad input,
 * not arithmetic (docs/conventions.md, "Errors").
 */
PCRM_EXTERN(int) pcrm_decimal_parse(const char *text, pcrm_decimal *out);

/** Like pcrm_decimal_parse() but reads exactly `len` bytes (no NUL needed). */
PCRM_EXTERN(int) pcrm_decimal_parse_n(const char *text, size_t len, pcrm_decimal *out);

/**
 * Formats `value` with exactly its scale digits after the point ("-12.30",
 * "0.05", "7") into `buf` of `size` bytes.  Returns PCRM_EINVAL when the
 * buffer is too small (PCRM_DECIMAL_STRING_MAX always suffices).
 */
PCRM_EXTERN(int) pcrm_decimal_format(pcrm_decimal value, char *buf, size_t size);

/**
 * a + b at the larger of the two scales.  PCRM_EOVERFLOW when the result, or
 * an operand brought to that scale, does not fit.
 */
PCRM_EXTERN(int) pcrm_decimal_add(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out);

/** a - b at the larger of the two scales (overflow as for pcrm_decimal_add()). */
PCRM_EXTERN(int) pcrm_decimal_sub(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out);

/** -a (PCRM_EOVERFLOW for the most negative value). */
PCRM_EXTERN(int) pcrm_decimal_neg(pcrm_decimal a, pcrm_decimal *out);

/**
 * Exact product a x b: scale is a.scale + b.scale.  When that exceeds
 * PCRM_DECIMAL_MAX_SCALE or the units do not fit, PCRM_EOVERFLOW; use
 * pcrm_decimal_mul_round() to get a rounded product instead.
 */
PCRM_EXTERN(int) pcrm_decimal_mul(pcrm_decimal a, pcrm_decimal b, pcrm_decimal *out);

/**
 * Product a x b (quantity x price) rounded once, from the exact 128-bit
 * product, to `scale` digits with `mode`: 140.00 x 0.09975 -> 13.97 at scale
 * 2 half-up.  PCRM_EOVERFLOW when the rounded result does not fit.
 */
PCRM_EXTERN(int) pcrm_decimal_mul_round(pcrm_decimal a, pcrm_decimal b, int scale,
                                        pcrm_rounding mode, pcrm_decimal *out);

/**
 * Quotient a / b rounded once, from the exact quotient, to `scale` digits
 * with `mode`.  PCRM_EINVAL ("division by zero") when b is zero;
 * PCRM_EOVERFLOW when the quotient does not fit.  21 / 0.70 at scale 0
 * ceiling is exactly 30.
 */
PCRM_EXTERN(int) pcrm_decimal_div(pcrm_decimal a, pcrm_decimal b, int scale,
                                  pcrm_rounding mode, pcrm_decimal *out);

/**
 * Changes the scale: a larger scale is exact (PCRM_EOVERFLOW if it does not
 * fit), a smaller one rounds with `mode`.
 */
PCRM_EXTERN(int) pcrm_decimal_round(pcrm_decimal a, int scale, pcrm_rounding mode,
                                    pcrm_decimal *out);

/**
 * Compares by value regardless of scale: <0, 0, >0 (1.50 equals 1.5).
 * Cannot report errors: a scale outside the valid range is clamped to it.
 */
PCRM_EXTERN(int) pcrm_decimal_cmp(pcrm_decimal a, pcrm_decimal b);

/** Returns -1, 0 or 1. */
PCRM_EXTERN(int) pcrm_decimal_sign(pcrm_decimal a);

/** Returns nonzero when a is zero. */
PCRM_EXTERN(int) pcrm_decimal_is_zero(pcrm_decimal a);

/**
 * Converts to an integer with `mode` (e.g. PCRM_ROUND_CEILING for "agents
 * needed").  Never overflows: dropping at least one digit leaves room for the
 * rounding step, and a scale 0 value is returned as is.
 */
PCRM_EXTERN(int) pcrm_decimal_to_int(pcrm_decimal a, pcrm_rounding mode, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_DECIMAL_H */
