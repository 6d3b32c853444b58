/*
 * Chinese number reading for the IVR's text-to-speech: numbers, amounts in
 * 元/角/分, energy in 千瓦时 and dates in 年月日 (docs/ivr.md, "Reading
 * numbers").  Pure functions over exact decimals; the text is built in a
 * fixed buffer on the stack and copied out only when it fits, so the caller
 * sees either the whole reading or "".
 */
#include <stdint.h>
#include <string.h>

#include <powercrm/ivr.h>

#include "core/error.h"
#include "ivr_internal.h"

static const char *const digit_words[10] = {
	"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"
};

/* Units inside a group of four digits, by position (ones .. thousands). */
static const char *const place_words[4] = { "", "十", "百", "千" };

/* Markers after each group of four digits, lowest group first. */
static const char *const group_words[4] = { "", "万", "亿", "万亿" };

/* The integer part may have at most 16 digits: 万亿 is the largest unit in use. */
#define MAX_INTEGER ((uint64_t)9999999999999999ULL)

/* A reading under construction; `overflow` is sticky. */
struct speech {
	char text[PCRM_IVR_SPEECH_MAX];
	size_t len;
	int overflow;
};

static void say(struct speech *s, const char *word)
{
	size_t n = strlen(word);

	if (s->overflow || s->len + n >= sizeof(s->text)) {
		s->overflow = 1;
		return;
	}
	memcpy(s->text + s->len, word, n);
	s->len += n;
	s->text[s->len] = '\0';
}

/* The magnitude, integer part and fraction of an exact decimal. */
struct parts {
	int negative;
	uint64_t integer;
	uint64_t fraction; /* the digits after the point as an integer */
	int scale;         /* how many digits `fraction` has */
};

static int split(pcrm_decimal v, const char *field, struct parts *out)
{
	uint64_t magnitude, pow10 = 1;

	if (v.scale < 0 || v.scale > PCRM_DECIMAL_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: scale %d is outside 0..%d", field, v.scale,
		                   PCRM_DECIMAL_MAX_SCALE);
	magnitude = v.units < 0 ? (uint64_t)(-(v.units + 1)) + 1 : (uint64_t)v.units;
	for (int i = 0; i < v.scale; i++)
		pow10 *= 10;
	out->negative = v.units < 0;
	out->integer = magnitude / pow10;
	out->fraction = magnitude % pow10;
	out->scale = v.scale;
	if (out->integer > MAX_INTEGER)
		return pcrm__error(PCRM_EINVAL, "%s: the integer part has more than 16 digits "
		                   "(no unit above 万亿 to read it with)", field);
	return PCRM_OK;
}

/*
 * One group of four digits (1..9999).  `leading`: this group is the first
 * one spoken, so 10..19 read 十.. and a 2 before 百 reads 两.  `alone_two`:
 * a group that is exactly 2 reads 两 (before 万/亿, or before a measure word).
 */
static void say_group(struct speech *s, unsigned group, int leading, int alone_two)
{
	static const unsigned pow10[4] = { 1, 10, 100, 1000 };
	int spoken = 0, zero_pending = 0;

	for (int place = 3; place >= 0; place--) {
		unsigned d = group / pow10[place] % 10;

		if (d == 0) {
			zero_pending = spoken;
			continue;
		}
		if (zero_pending)
			say(s, "零");
		zero_pending = 0;
		if (place == 1 && d == 1 && leading && !spoken) {
			say(s, "十"); /* 十五, not 一十五, at the start only */
		} else if (d == 2 && (place == 3 || (place == 2 && leading && !spoken) ||
		                      (place == 0 && alone_two && group == 2))) {
			say(s, "两");
			say(s, place_words[place]);
		} else {
			say(s, digit_words[d]);
			say(s, place_words[place]);
		}
		spoken = 1;
	}
}

/*
 * A whole number 0..MAX_INTEGER.  `measure`: a measure word follows, so a
 * lone 2 reads 两 (两元, 两千瓦时).
 */
static void say_integer(struct speech *s, uint64_t n, int measure)
{
	unsigned groups[4];
	int started = 0, zero_pending = 0;

	if (n == 0) {
		say(s, "零");
		return;
	}
	for (int i = 0; i < 4; i++) {
		groups[i] = (unsigned)(n % 10000);
		n /= 10000;
	}
	for (int i = 3; i >= 0; i--) {
		if (groups[i] == 0) {
			zero_pending = started; /* a silent group between spoken ones reads 零 */
			continue;
		}
		if (started && groups[i] < 1000)
			zero_pending = 1; /* 一万零五: the group's leading zeros */
		if (zero_pending)
			say(s, "零");
		zero_pending = 0;
		say_group(s, groups[i], !started, i > 0 || (measure && !started));
		say(s, group_words[i]);
		started = 1;
	}
}

/* Digits after 点, one by one, trailing zeros dropped; nothing for a whole number. */
static void say_fraction(struct speech *s, uint64_t fraction, int scale)
{
	char digits[PCRM_DECIMAL_MAX_SCALE];

	while (scale > 0 && fraction % 10 == 0) {
		fraction /= 10;
		scale--;
	}
	if (scale == 0)
		return;
	for (int i = scale - 1; i >= 0; i--) {
		digits[i] = (char)(fraction % 10);
		fraction /= 10;
	}
	say(s, "点");
	for (int i = 0; i < scale; i++)
		say(s, digit_words[(int)digits[i]]);
}

static int fraction_is_zero(const struct parts *p)
{
	return p->fraction == 0;
}

/* A number with an optional measure word after it (NULL: none). */
static void say_quantity(struct speech *s, const struct parts *p, const char *measure)
{
	if (p->negative && (p->integer != 0 || !fraction_is_zero(p)))
		say(s, "负");
	/* 两 only before a measure word and only for a whole 2: 二点五, not 两点五 */
	say_integer(s, p->integer, measure != NULL && fraction_is_zero(p));
	say_fraction(s, p->fraction, p->scale);
	if (measure)
		say(s, measure);
}

/* Copies the reading out, or fails naming the size; buf is "" on failure. */
static int emit(const struct speech *s, char *buf, size_t size)
{
	if (buf == NULL || size == 0)
		return pcrm__error(PCRM_EINVAL, "size: the buffer is NULL or empty");
	buf[0] = '\0';
	if (s->overflow)
		return pcrm__error(PCRM_EINVAL, "size: the reading does not fit in %d bytes",
		                   PCRM_IVR_SPEECH_MAX);
	if (s->len + 1 > size)
		return pcrm__error(PCRM_EINVAL, "size: %zu bytes are too small, the reading needs %zu",
		                   size, s->len + 1);
	memcpy(buf, s->text, s->len + 1);
	return PCRM_OK;
}

static void clear(char *buf, size_t size)
{
	if (buf != NULL && size > 0)
		buf[0] = '\0';
}

int pcrm_ivr_speak_number(pcrm_decimal value, char *buf, size_t size)
{
	struct speech s = { .len = 0 };
	struct parts p;
	int rc;

	if ((rc = split(value, "number", &p)) != PCRM_OK) {
		clear(buf, size);
		return rc;
	}
	say_quantity(&s, &p, NULL);
	return emit(&s, buf, size);
}

int pcrm__ivr_speak_quantity(pcrm_decimal value, const char *measure, const char *field,
                             char *buf, size_t size)
{
	struct speech s = { .len = 0 };
	struct parts p;
	int rc;

	if ((rc = split(value, field, &p)) != PCRM_OK) {
		clear(buf, size);
		return rc;
	}
	say_quantity(&s, &p, measure);
	return emit(&s, buf, size);
}

int pcrm_ivr_speak_energy(pcrm_decimal kwh, char *buf, size_t size)
{
	return pcrm__ivr_speak_quantity(kwh, "千瓦时", "energy", buf, size);
}

/* A single 角 or 分 digit before its measure word: 两角, 两分, not 二角. */
static void say_coin(struct speech *s, unsigned digit, const char *unit)
{
	say(s, digit == 2 ? "两" : digit_words[digit]);
	say(s, unit);
}

int pcrm_ivr_speak_amount(pcrm_decimal yuan, char *buf, size_t size)
{
	struct speech s = { .len = 0 };
	struct parts p;
	uint64_t fen = 0, rest;
	unsigned jiao, cents;
	int rc;

	if ((rc = split(yuan, "amount", &p)) != PCRM_OK) {
		clear(buf, size);
		return rc;
	}
	/* The fraction as whole fen: every digit past the second must be zero. */
	rest = p.fraction;
	for (int i = p.scale; i > 2; i--) {
		if (rest % 10 != 0) {
			char text[PCRM_DECIMAL_STRING_MAX];

			clear(buf, size);
			if (pcrm_decimal_format(yuan, text, sizeof(text)) != PCRM_OK)
				text[0] = '\0';
			return pcrm__error(PCRM_EINVAL, "amount: %s is not a whole number of fen", text);
		}
		rest /= 10;
	}
	fen = p.scale >= 2 ? rest : p.scale == 1 ? rest * 10 : 0;
	jiao = (unsigned)(fen / 10);
	cents = (unsigned)(fen % 10);

	if (p.negative && (p.integer != 0 || fen != 0))
		say(&s, "负");
	if (p.integer != 0 || fen == 0) {
		say_integer(&s, p.integer, 1);
		say(&s, "元");
	}
	if (jiao != 0)
		say_coin(&s, jiao, "角");
	if (cents != 0) {
		if (jiao == 0 && p.integer != 0)
			say(&s, "零"); /* 一千零五元零七分 */
		say_coin(&s, cents, "分");
	}
	return emit(&s, buf, size);
}

/* The year digit by digit, as a year is said (二零二六年), without leading zeros. */
static void say_year(struct speech *s, int y)
{
	char year[4];

	for (int v = y, i = 0; i < 4; i++, v /= 10)
		year[3 - i] = (char)(v % 10);
	for (int i = y >= 1000 ? 0 : y >= 100 ? 1 : y >= 10 ? 2 : 3; i < 4; i++)
		say(s, digit_words[(int)year[i]]);
	say(s, "年");
}

int pcrm_ivr_speak_date(pcrm_date date, char *buf, size_t size)
{
	struct speech s = { .len = 0 };

	if (date.year < 1 || date.year > 9999 || !pcrm_date_is_valid(date)) {
		clear(buf, size);
		return pcrm__error(PCRM_EINVAL, "date: %04d-%02d-%02d is not a date in 1..9999",
		                   date.year, date.month, date.day);
	}
	say_year(&s, date.year);
	say_integer(&s, (uint64_t)date.month, 0);
	say(&s, "月");
	say_integer(&s, (uint64_t)date.day, 0);
	say(&s, "日");
	return emit(&s, buf, size);
}

int pcrm__ivr_speak_month(int year, int month, char *buf, size_t size)
{
	struct speech s = { .len = 0 };

	if (year < 1 || year > 9999 || month < 1 || month > 12) {
		clear(buf, size);
		return pcrm__error(PCRM_EINVAL, "period: %04d-%02d is not a month in 1..9999", year,
		                   month);
	}
	say_year(&s, year);
	say_integer(&s, (uint64_t)month, 0);
	say(&s, "月");
	return emit(&s, buf, size);
}
