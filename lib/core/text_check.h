/*
 * Internal: the one check of text that comes from outside the library
 * (names, operator ids, audit actions, notes), so every module refuses the
 * same characters with the same message.  docs/conventions.md ("Text from
 * outside") lists the refused set and why.
 */
#ifndef PCRM_CORE_TEXT_CHECK_H
#define PCRM_CORE_TEXT_CHECK_H

#include <stddef.h>

/** Tab, line feed and carriage return are allowed (notes, summaries over several lines). */
#define PCRM__TEXT_LINES 0x1u
/** Text of only white space (or none) is allowed (values inside a JSON summary). */
#define PCRM__TEXT_BLANK_OK 0x2u

/**
 * PCRM_OK when the `n` bytes at `s` are well-formed UTF-8 holding no
 * control character (Unicode Cc, except tab / LF / CR with PCRM__TEXT_LINES)
 * and no invisible formatting character that can reorder or hide text
 * (bidirectional controls U+202A..U+202E, U+2066..U+2069, U+200E/U+200F,
 * U+061C; zero-width U+200B..U+200D, U+2060..U+2064, U+FEFF; U+00AD,
 * U+180E, U+206A..U+206F, U+2028/U+2029, U+FFF9..U+FFFB), and not only
 * white space (unless PCRM__TEXT_BLANK_OK).  Otherwise PCRM_EINVAL with
 * "FIELD: ..." naming the character's code point and byte position (from
 * 1), never quoting the text: it may be personal data.  Length limits stay
 * with the caller, whose message names its own bound.
 */
int pcrm__text_check(const char *field, const char *s, size_t n, unsigned flags);

/**
 * PCRM_OK when `s` is 1..`max` bytes of letters, digits, '-', '_' and '.'
 * (customer, account and org unit numbers, paging keys); otherwise
 * PCRM_EINVAL with "FIELD: must be 1..MAX letters, digits, - _ .".
 */
int pcrm__code_check(const char *field, const char *s, size_t max);

#endif
