/*
 * Chinese number reading for the IVR: the reading rules one by one (零, 十,
 * 两 and 二, 元角分, 年月日) against hand-written readings, then every
 * number in ranges and at the group edges read back by an independent
 * oracle (numeral_oracle.h) that also enforces where 零 must and must not
 * stand, and the refusals (fractions of a fen, too many digits, bad dates,
 * small buffers).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <powercrm.h>

#include "numeral_oracle.h"

static pcrm_decimal dec(const char *text)
{
	pcrm_decimal v;

	cr_assert_eq(pcrm_decimal_parse(text, &v), PCRM_OK, "%s", text);
	return v;
}

static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle) != NULL, "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
}

#define EXPECT_READING(fn, value, want) do { \
		char buf_[PCRM_IVR_SPEECH_MAX]; \
		cr_assert_eq(fn(value, buf_, sizeof(buf_)), PCRM_OK, "%s", pcrm_error_last()); \
		cr_assert_str_eq(buf_, want); \
	} while (0)

/* ---- numbers: 零, 十, the groups ---- */

Test(ivr_speak, numbers_by_the_rules)
{
	static const struct { const char *value, *reading; } cases[] = {
		{ "0", "零" },
		{ "7", "七" },
		{ "10", "十" },             /* not 一十 at the start */
		{ "15", "十五" },
		{ "20", "二十" },           /* 二 before 十 */
		{ "110", "一百一十" },       /* 一十 after a higher digit */
		{ "101", "一百零一" },
		{ "1005", "一千零五" },
		{ "1050", "一千零五十" },
		{ "1500", "一千五百" },
		{ "10005", "一万零五" },
		{ "10500", "一万零五百" },
		{ "100010", "十万零一十" },
		{ "150000", "十五万" },
		{ "1000500", "一百万零五百" },
		{ "10010000", "一千零一万" },
		{ "100000005", "一亿零五" },
		{ "100010000", "一亿零一万" },
		{ "110000000", "一亿一千万" },
		{ "100001000", "一亿零一千" },  /* a whole silent group reads 零 */
		{ "1000000000000", "一万亿" },
		{ "1000100000000", "一万亿零一亿" },
		{ "9999999999999999", "九千九百九十九万亿九千九百九十九亿九千九百九十九万九千九百九十九" },
		{ "12.50", "十二点五" },     /* trailing fraction zeros are not read */
		{ "0.25", "零点二五" },
		{ "2.5", "二点五" },         /* 两 never before 点 */
		{ "-3.5", "负三点五" },
		{ "-0.00", "零" },           /* no 负 for zero */
		{ "3.000", "三" },
		{ "0.000000000000000001", "零点零零零零零零零零零零零零零零零零零一" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_READING(pcrm_ivr_speak_number, dec(cases[i].value), cases[i].reading);
}

Test(ivr_speak, two_reads_liang_where_speakers_say_it)
{
	static const struct { const char *value, *reading; } cases[] = {
		{ "2", "二" },               /* a bare number: 二 */
		{ "12", "十二" },
		{ "22", "二十二" },
		{ "200", "两百" },           /* the leading digit before 百 */
		{ "1200", "一千二百" },      /* 二 before 百 after a higher digit */
		{ "2000", "两千" },
		{ "2222", "两千二百二十二" },
		{ "12000", "一万两千" },     /* 两 before 千 anywhere */
		{ "20000", "两万" },
		{ "22000", "两万两千" },
		{ "120000", "十二万" },
		{ "1020000", "一百零二万" },
		{ "2000000", "两百万" },
		{ "200000000", "两亿" },
		{ "200020000", "两亿零两万" },
		{ "10002", "一万零二" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_READING(pcrm_ivr_speak_number, dec(cases[i].value), cases[i].reading);
}

/* ---- energy ---- */

Test(ivr_speak, energy_in_kwh)
{
	EXPECT_READING(pcrm_ivr_speak_energy, dec("2700"), "两千七百千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("2"), "两千瓦时"); /* a measure word follows */
	EXPECT_READING(pcrm_ivr_speak_energy, dec("2.0"), "两千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("2.5"), "二点五千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("12"), "十二千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("0"), "零千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("12.50"), "十二点五千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("4800.125"), "四千八百点一二五千瓦时");
	EXPECT_READING(pcrm_ivr_speak_energy, dec("-15"), "负十五千瓦时");
}

/* ---- amounts ---- */

Test(ivr_speak, amounts_in_yuan_jiao_fen)
{
	static const struct { const char *value, *reading; } cases[] = {
		{ "123.45", "一百二十三元四角五分" },
		{ "1005.07", "一千零五元零七分" },
		{ "10.05", "十元零五分" },
		{ "100.50", "一百元五角" },
		{ "100.00", "一百元" },
		{ "100", "一百元" },
		{ "100.5", "一百元五角" },
		{ "0.05", "五分" },
		{ "0.50", "五角" },
		{ "0.55", "五角五分" },
		{ "0", "零元" },
		{ "-0.00", "零元" },
		{ "-3.00", "负三元" },
		{ "-0.05", "负五分" },
		{ "2", "两元" },
		{ "2.22", "两元两角两分" },
		{ "12.02", "十二元零两分" },
		{ "1.230", "一元两角三分" },
		{ "20000.20", "两万元两角" },
		{ "1234567.89", "一百二十三万四千五百六十七元八角九分" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_READING(pcrm_ivr_speak_amount, dec(cases[i].value), cases[i].reading);
}

Test(ivr_speak, amounts_refuse_fractions_of_a_fen)
{
	char buf[PCRM_IVR_SPEECH_MAX] = "untouched";

	expect_error(pcrm_ivr_speak_amount(dec("1.235"), buf, sizeof(buf)), PCRM_EINVAL,
	             "amount: 1.235 is not a whole number of fen");
	cr_assert_str_eq(buf, "");
	expect_error(pcrm_ivr_speak_amount(dec("0.0001"), buf, sizeof(buf)), PCRM_EINVAL, "amount:");
}

/* ---- dates ---- */

Test(ivr_speak, dates_in_nian_yue_ri)
{
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 2026, 12, 7 }), "二零二六年十二月七日");
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 2000, 2, 20 }), "二零零零年二月二十日");
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 2024, 2, 29 }), "二零二四年二月二十九日");
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 1999, 10, 31 }), "一九九九年十月三十一日");
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 2026, 1, 2 }), "二零二六年一月二日");
	EXPECT_READING(pcrm_ivr_speak_date, ((pcrm_date){ 987, 11, 12 }), "九八七年十一月十二日");
}

Test(ivr_speak, dates_that_do_not_exist_are_refused)
{
	char buf[PCRM_IVR_SPEECH_MAX];

	expect_error(pcrm_ivr_speak_date((pcrm_date){ 2026, 2, 29 }, buf, sizeof(buf)), PCRM_EINVAL,
	             "date: 2026-02-29");
	expect_error(pcrm_ivr_speak_date((pcrm_date){ 2026, 13, 1 }, buf, sizeof(buf)), PCRM_EINVAL,
	             "date:");
	expect_error(pcrm_ivr_speak_date((pcrm_date){ 0, 1, 1 }, buf, sizeof(buf)), PCRM_EINVAL,
	             "date:");
	expect_error(pcrm_ivr_speak_date((pcrm_date){ 10000, 1, 1 }, buf, sizeof(buf)), PCRM_EINVAL,
	             "date:");
}

/* ---- refusals common to every reading ---- */

Test(ivr_speak, too_many_digits_and_bad_scales_are_refused)
{
	char buf[PCRM_IVR_SPEECH_MAX];

	expect_error(pcrm_ivr_speak_number(dec("10000000000000000"), buf, sizeof(buf)),
	             PCRM_EINVAL, "number: the integer part has more than 16 digits");
	expect_error(pcrm_ivr_speak_energy(dec("-10000000000000000"), buf, sizeof(buf)),
	             PCRM_EINVAL, "energy:");
	expect_error(pcrm_ivr_speak_amount(pcrm_decimal_make(INT64_MIN, 0), buf, sizeof(buf)),
	             PCRM_EINVAL, "amount:");
	expect_error(pcrm_ivr_speak_number(pcrm_decimal_make(5, 19), buf, sizeof(buf)),
	             PCRM_EINVAL, "number: scale 19");
	expect_error(pcrm_ivr_speak_amount(pcrm_decimal_make(5, -1), buf, sizeof(buf)),
	             PCRM_EINVAL, "amount: scale -1");
}

Test(ivr_speak, small_buffers_get_nothing)
{
	char buf[8] = "xxxxxxx";

	/* 一千零五 is 12 bytes and the NUL */
	expect_error(pcrm_ivr_speak_number(dec("1005"), buf, 12), PCRM_EINVAL,
	             "size: 12 bytes are too small, the reading needs 13");
	cr_assert_str_eq(buf, "");
	expect_error(pcrm_ivr_speak_number(dec("1005"), NULL, 0), PCRM_EINVAL, "size:");
	{
		char exact[13];

		cr_assert_eq(pcrm_ivr_speak_number(dec("1005"), exact, sizeof(exact)), PCRM_OK);
		cr_assert_str_eq(exact, "一千零五");
	}
}

/* ---- every reading reads back: ranges, group edges, amounts ---- */

static void expect_round_trip(int64_t units, int scale)
{
	char buf[PCRM_IVR_SPEECH_MAX];
	int64_t back_units, want = units;
	int back_scale, want_scale = scale;

	cr_assert_eq(pcrm_ivr_speak_number(pcrm_decimal_make(units, scale), buf, sizeof(buf)),
	             PCRM_OK, "%s", pcrm_error_last());
	while (want_scale > 0 && want % 10 == 0) {
		want /= 10;
		want_scale--;
	}
	cr_assert_eq(oracle_quantity(buf, NULL, &back_units, &back_scale), 0,
	             "%lld (scale %d) read as \"%s\", which is not a well-formed numeral",
	             (long long)units, scale, buf);
	cr_assert(back_units == want && back_scale == want_scale,
	          "%lld (scale %d) read as \"%s\", which means %lld (scale %d)", (long long)units,
	          scale, buf, (long long)back_units, back_scale);
}

Test(ivr_speak, every_number_below_200000_reads_back)
{
	for (int64_t n = 0; n < 200000; n++)
		expect_round_trip(n, 0);
}

Test(ivr_speak, group_edges_read_back)
{
	static const int64_t bases[] = { 10000LL, 100000000LL, 1000000000000LL };

	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (int64_t hi = 1; hi <= 9999; hi += 37) {
			static const int64_t lows[] = { 0, 1, 2, 10, 11, 20, 99, 100, 101, 999, 1000,
			                                1001, 1010, 2000, 9999 };

			for (size_t l = 0; l < sizeof(lows) / sizeof(lows[0]); l++) {
				if (bases[b] == 10000LL || lows[l] < 10000) {
					expect_round_trip(hi * bases[b] + lows[l], 0);
					expect_round_trip(-(hi * bases[b] + lows[l]), 0);
				}
				expect_round_trip(hi * bases[b] + lows[l] * 10000, 0);
			}
		}
	}
	/* A pseudo-random walk over all 16 digits, with fractions. */
	for (uint64_t x = 88172645463325252ULL, i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		expect_round_trip((int64_t)(x % 10000000000000000ULL), 0);
		expect_round_trip((int64_t)(x % 1000000000000000000ULL), (int)(x % 3) + 2);
	}
}

Test(ivr_speak, every_amount_reads_back_to_its_fen)
{
	for (int64_t fen = -2000; fen < 300000; fen += (fen < 20000 ? 1 : 7)) {
		char buf[PCRM_IVR_SPEECH_MAX];
		int64_t back;

		cr_assert_eq(pcrm_ivr_speak_amount(pcrm_decimal_make(fen, 2), buf, sizeof(buf)),
		             PCRM_OK, "%s", pcrm_error_last());
		cr_assert_eq(oracle_amount(buf, &back), 0, "%lld fen read as \"%s\", not well formed",
		             (long long)fen, buf);
		cr_assert_eq(back, fen, "%lld fen read as \"%s\", which means %lld fen",
		             (long long)fen, buf, (long long)back);
	}
}

/* The oracle itself rejects what the rules forbid, so the round trips can fail. */
Test(ivr_speak, oracle_rejects_misplaced_zeros)
{
	static const char *const bad[] = { "一千五", "一千零五百", "一万五", "一亿零一千万",
	                                   "一百零", "零零", "一十零", "十十", "一一",
	                                   "一亿一千", "一万零零五", "" };
	int64_t units;
	int scale;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_neq(oracle_quantity(bad[i], NULL, &units, &scale), 0, "\"%s\" accepted",
		              bad[i]);
	cr_assert_eq(oracle_quantity("一亿零一千", NULL, &units, &scale), 0);
	cr_assert_eq(units, 100001000);
}
