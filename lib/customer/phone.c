/*
 * Phone numbers as Chinese switches deliver them, reduced to one form so the
 * screen pop finds a customer however the number was written.
 *
 *   +86 138 0013 8000, 0086-13800138000, 013800138000 -> 13800138000
 *   +86 531 8888 8888, 0531-88888888, (0531)88888888  -> 053188888888
 *   010-12345678                                      -> 01012345678
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/customer.h>

#include "core/error.h"

#define DIGITS_MAX 20

static int is_mobile(const char *d, size_t n)
{
	return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

/* 0 + area code (2 digits for 10 and 2x, else 3) + local number (7 or 8 digits). */
static int is_landline(const char *d, size_t n)
{
	size_t area;
	if (n < 10 || n > 12 || d[0] != '0' || d[1] == '0')
		return 0;
	area = (d[1] == '1' || d[1] == '2') ? 3 : 4; /* including the leading 0 */
	return n - area == 7 || n - area == 8;
}

/*
 * Keeps the digits, dropping the separators people and switches write.
 * Messages never quote the number: it is personal data.
 */
static int collect_digits(const char *raw, char *d, size_t *n, int *plus)
{
	*n = 0;
	*plus = 0;
	for (const char *p = raw; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (*n >= DIGITS_MAX)
				return pcrm__error(PCRM_EINVAL, "phone: more than %d digits", DIGITS_MAX);
			d[(*n)++] = *p;
		} else if (*p == '+' && *n == 0 && !*plus) {
			*plus = 1;
		} else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')' && *p != '.') {
			return pcrm__error(PCRM_EINVAL,
			                   "phone: the character at byte %zu is not a digit, space, + - ( ) or .",
			                   (size_t)(p - raw) + 1);
		}
	}
	d[*n] = '\0';
	return PCRM_OK;
}

int pcrm_phone_normalize(const char *raw, char *buf, size_t size)
{
	char digits[DIGITS_MAX + 2], national[DIGITS_MAX + 2];
	const char *d = digits;
	size_t n;
	int plus, rc;

	if (!raw || !buf)
		return pcrm__error(PCRM_EINVAL, "phone: missing");
	rc = collect_digits(raw, digits, &n, &plus);
	if (rc != PCRM_OK)
		return rc;
	/* Strip the country code: +86 or 0086; after it a landline lost its trunk 0. */
	if ((plus && n > 2 && strncmp(d, "86", 2) == 0) || (!plus && n > 4 && strncmp(d, "0086", 4) == 0)) {
		d += plus ? 2 : 4;
		n -= plus ? 2 : 4;
		if (!(n == 11 && d[0] == '1')) {
			snprintf(national, sizeof(national), "0%s", d);
			d = national;
			n++;
		}
	} else if (plus) {
		return pcrm__error(PCRM_EINVAL, "phone: not a Chinese (+86) number");
	}
	/* A trunk 0 in front of a mobile, as some switches dial out-of-area mobiles. */
	if (n == 12 && d[0] == '0' && is_mobile(d + 1, 11)) {
		d++;
		n--;
	}
	if (!is_mobile(d, n) && !is_landline(d, n)) {
		if (n >= 7 && n <= 8 && d[0] != '0')
			return pcrm__error(PCRM_EINVAL, "phone: a local number without area code");
		return pcrm__error(PCRM_EINVAL, "phone: %zu digits are not a mobile or landline number",
		                   n);
	}
	if (n + 1 > size)
		return pcrm__error(PCRM_EINVAL, "phone: buffer too small");
	memcpy(buf, d, n + 1);
	return PCRM_OK;
}
