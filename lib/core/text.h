/* Internal: number to text without printf, for hot paths (bulk rows, bill documents). */
#ifndef PCRM_CORE_TEXT_H
#define PCRM_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <powercrm/decimal.h>

/** Longest text of an int64_t: sign, 19 digits, NUL. */
#define PCRM__INT_TEXT_MAX 21

/** Writes v in decimal as "%" PRId64 would, NUL-terminated; returns its length. */
size_t pcrm__int_text(int64_t v, char out[PCRM__INT_TEXT_MAX]);

/**
 * Writes a decimal as pcrm_decimal_format() does, NUL-terminated, into `out`
 * of PCRM_DECIMAL_STRING_MAX bytes (always enough); returns its length, 0
 * when the value's scale is out of range (nothing written).  No copy through
 * a temporary buffer and no error text: a bill document writes a dozen.
 */
size_t pcrm__decimal_digits(pcrm_decimal v, char *out);

/**
 * snprintf(dst, size, "%s", src) without the format parsing, for copies made
 * once per row of a batch: src cut to size - 1 bytes, NUL-terminated.
 */
static inline void pcrm__text_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif
