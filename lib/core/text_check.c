/*
 * Text from outside: well-formed UTF-8, no control characters, nothing
 * invisible that could make an audit report or a customer name read other
 * than it is stored (a right-to-left override turns "pay.refund" on a
 * screen into something else), and not blank.
 */
#include <stdint.h>

#include "core/error.h"
#include "core/text_check.h"

/*
 * Decodes one UTF-8 sequence at s[0..n); returns its length and the code
 * point, or 0 for an ill-formed sequence (overlong, surrogate, beyond
 * U+10FFFF, cut short).
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Control characters and invisible formatting characters (see text_check.h). */
static int refused(uint32_t c, unsigned flags)
{
	if (c == '\t' || c == '\n' || c == '\r')
		return !(flags & PCRM__TEXT_LINES);
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x00AD || c == 0x061C ||
	       c == 0x180E || (c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
	       (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB);
}

/* White space a person cannot see either: a name of only these is empty. */
static int blank(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x00A0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

int pcrm__text_check(const char *field, const char *s, size_t n, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	int seen_visible = 0;

	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_next(u + i, n - i, &c);
		if (len == 0)
			return pcrm__error_at(PCRM_EINVAL, "text.not_utf8", field,
			                      "%s: not valid UTF-8 at byte %zu", field, i + 1);
		if (refused(c, flags)) {
			pcrm__error_at(PCRM_EINVAL, "text.control_character", field,
			               "%s: %s character U+%04X at byte %zu", field,
			               c < 0x20 || (c >= 0x7F && c <= 0x9F) ? "control" :
			                                                     "invisible formatting",
			               (unsigned)c, i + 1);
			pcrm__error_value("character", "U+%04X", (unsigned)c);
			return PCRM_EINVAL;
		}
		seen_visible |= !blank(c);
		i += len;
	}
	if (!seen_visible && !(flags & PCRM__TEXT_BLANK_OK))
		return pcrm__error_at(PCRM_EINVAL, "text.blank", field,
		                      "%s: is empty or only white space", field);
	return PCRM_OK;
}

int pcrm__code_check(const char *field, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && s[n]; n++) {
		char c = s[n];
		if (n >= max || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		                  (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'))
			break;
	}
	if (!s || n == 0 || s[n] != '\0')
	{
		pcrm__error_at(PCRM_EINVAL, "code.malformed", field,
		               "%s: must be 1..%zu letters, digits, - _ .", field, max);
		pcrm__error_value("max", "%zu", max);
		return PCRM_EINVAL;
	}
	return PCRM_OK;
}
