/*
 * An independent reader of Chinese numerals, the oracle the IVR speech tests
 * and the fuzz target check pcrm_ivr_speak_*() against: it turns a reading
 * back into its value, so a reading that drops a digit, a 零 or a unit reads
 * back as a different number.  It is deliberately lenient where speech
 * varies (两 and 二 both read 2, 一十 reads 10) and strict about structure:
 * units must descend, a 零 must stand between two spoken digits, so it
 * rejects what no speaker would say.  Header-only: static functions.
 */
#ifndef PCRM_TEST_NUMERAL_ORACLE_H
#define PCRM_TEST_NUMERAL_ORACLE_H

#include <stdint.h>
#include <string.h>

/* Matches `word` at *p and advances past it. */
static int oracle_take(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* A digit 0..9 at *p (零一二两三..九), or -1. */
static int oracle_digit(const char **p)
{
	static const char *const words[] = { "零", "一", "二", "三", "四", "五", "六", "七", "八", "九" };

	if (oracle_take(p, "两"))
		return 2;
	for (int d = 0; d < 10; d++)
		if (oracle_take(p, words[d]))
			return d;
	return -1;
}

/* State of oracle_integer(): the groups read so far and the group being read. */
struct oracle_state {
	uint64_t total, last_group; /* UINT64_MAX: no group marker yet */
	unsigned group, last_place; /* 10000: no place unit in this group yet */
	unsigned first_place;       /* the group's highest place (0: none yet) */
	int digit, zero, group_zero, only_zero;
};

/*
 * Closes the group being read with marker value g (1: the end).  Checks the
 * 零 rules: inside a group a 零 stands exactly where a place is skipped
 * between two spoken digits; before a group it stands exactly when a
 * higher group was spoken and this one has a leading zero digit or a whole
 * group was skipped.
 */
static int oracle_close_group(struct oracle_state *s, uint64_t g)
{
	if (s->digit > 0) {
		if (s->last_place != 10000) {
			if ((s->last_place != 10) != s->zero)
				return -1;
		} else {
			s->first_place = 1;
		}
		s->group += (unsigned)s->digit;
	} else if (s->zero && s->last_place != 10000) {
		return -1; /* a trailing 零 */
	}
	if (s->group == 0)
		return g == 1 && s->total == 0 && s->only_zero ? 0 : -1;
	if (g >= s->last_group)
		return -1;
	if (s->total != 0) {
		int need = s->first_place < 1000 || s->last_group != g * 10000;

		if (need != s->group_zero)
			return -1;
	} else if (s->group_zero) {
		return -1;
	}
	s->total += (uint64_t)s->group * g;
	s->last_group = g;
	s->group = 0;
	s->last_place = 10000;
	s->first_place = 0;
	s->digit = -1;
	s->zero = s->group_zero = 0;
	return 0;
}

/*
 * Reads a whole number at *p: digits with 十百千 inside groups, 万/亿/万亿
 * between them, 零 exactly where the rules put it.  Returns 0 and sets
 * *out, or -1 on a malformed reading.  Stops before anything that is not
 * part of a numeral (点, 元, 千瓦时...): a 千 followed by 瓦 is not a unit.
 */
static int oracle_integer(const char **p, uint64_t *out)
{
	static const struct { const char *word; uint64_t value; } groups[] = {
		{ "万亿", 1000000000000ULL }, { "亿", 100000000ULL }, { "万", 10000ULL },
	};
	static const struct { const char *word; unsigned value; } places[] = {
		{ "千", 1000 }, { "百", 100 }, { "十", 10 },
	};
	struct oracle_state s = { 0, UINT64_MAX, 0, 10000, 0, -1, 0, 0, 0 };
	int any = 0;

	for (;;) {
		int d, matched = 0;

		if (strncmp(*p, "千瓦", strlen("千瓦")) == 0)
			break;
		d = oracle_digit(p);
		if (d == 0) {
			if (s.digit > 0 || s.zero || s.only_zero)
				return -1;
			if (!any)
				s.only_zero = 1;
			else if (s.last_place == 10000 && s.group == 0)
				s.group_zero = 1;
			s.zero = 1;
			any = 1;
			continue;
		}
		if (d > 0) {
			if (s.digit > 0 || s.only_zero)
				return -1;
			s.digit = d;
			any = 1;
			continue;
		}
		for (size_t i = 0; i < 3 && !matched; i++) {
			unsigned v = places[i].value;

			if (!oracle_take(p, places[i].word))
				continue;
			if (s.only_zero)
				return -1;
			if (s.digit < 0) {
				if (v != 10 || any)
					return -1; /* a bare 十 only at the very start */
				s.digit = 1;
			}
			if (s.last_place != 10000) {
				if (v >= s.last_place || (v * 10 != s.last_place) != s.zero)
					return -1;
			} else {
				s.first_place = v;
			}
			s.group += (unsigned)s.digit * v;
			s.last_place = v;
			s.digit = -1;
			s.zero = 0;
			matched = 1;
		}
		for (size_t i = 0; i < 3 && !matched; i++) {
			if (!oracle_take(p, groups[i].word))
				continue;
			if (s.only_zero || oracle_close_group(&s, groups[i].value) != 0)
				return -1;
			matched = 1;
		}
		if (!matched)
			break;
		any = 1;
	}
	if (!any)
		return -1;
	if (s.digit > 0 || s.group != 0 || s.zero || s.only_zero) {
		if (oracle_close_group(&s, 1) != 0)
			return -1;
	}
	*out = s.total;
	return 0;
}

/*
 * Reads a number (负, integer, 点 and digits) and an optional measure word
 * (NULL: none) that must end the text.  *units / *scale receive the value
 * with trailing fraction zeros already absent.
 */
static int oracle_quantity(const char *text, const char *measure, int64_t *units, int *scale)
{
	const char *p = text;
	int negative = oracle_take(&p, "负");
	uint64_t integer, value;
	int digits = 0;

	if (oracle_integer(&p, &integer) != 0)
		return -1;
	value = integer;
	if (oracle_take(&p, "点")) {
		int d;

		while ((d = oracle_digit(&p)) >= 0) {
			value = value * 10 + (uint64_t)d;
			digits++;
		}
		if (digits == 0 || value % 10 == 0)
			return -1; /* 点 with nothing, or a trailing zero spoken */
	}
	if (measure != NULL && !oracle_take(&p, measure))
		return -1;
	if (*p != '\0' || (negative && value == 0))
		return -1;
	*units = negative ? -(int64_t)value : (int64_t)value;
	*scale = digits;
	return 0;
}

/* Reads 元/角/分 back into fen; -1 on a malformed reading. */
static int oracle_amount(const char *text, int64_t *fen)
{
	const char *p = text;
	int negative = oracle_take(&p, "负");
	uint64_t yuan = 0;
	int64_t total;
	int jiao = 0, cents = 0, has_yuan = 0, zero = 0;

	if (strncmp(p, "零元", strlen("零元")) == 0) {
		p += strlen("零元");
		if (*p != '\0' || negative)
			return -1;
		*fen = 0;
		return 0;
	}
	{
		const char *save = p;

		if (oracle_integer(&p, &yuan) == 0 && oracle_take(&p, "元"))
			has_yuan = 1;
		else
			p = save, yuan = 0;
	}
	if (has_yuan && yuan == 0)
		return -1;
	{
		const char *save = p;
		int d = oracle_digit(&p);

		if (d > 0 && oracle_take(&p, "角"))
			jiao = d;
		else
			p = save;
	}
	if (oracle_take(&p, "零")) {
		if (!has_yuan || jiao != 0)
			return -1;
		zero = 1;
	}
	{
		const char *save = p;
		int d = oracle_digit(&p);

		if (d > 0 && oracle_take(&p, "分"))
			cents = d;
		else
			p = save;
	}
	if (*p != '\0' || (zero && cents == 0) || (!has_yuan && jiao == 0 && cents == 0))
		return -1;
	if (has_yuan && jiao == 0 && cents != 0 && !zero)
		return -1; /* 一元五分 skips the 零 a speaker says */
	total = (int64_t)yuan * 100 + jiao * 10 + cents;
	*fen = negative ? -total : total;
	return 0;
}

#endif
