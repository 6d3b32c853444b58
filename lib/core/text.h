/* Internal: number to text without printf, for hot paths (bulk rows, bill documents). */
#ifndef PCRM_CORE_TEXT_H
#define PCRM_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** Longest text of an int64_t: sign, 19 digits, NUL. */
#define PCRM__INT_TEXT_MAX 21

/** Writes v in decimal as "%" PRId64 would, NUL-terminated; returns its length. */
size_t pcrm__int_text(int64_t v, char out[PCRM__INT_TEXT_MAX]);

#endif
