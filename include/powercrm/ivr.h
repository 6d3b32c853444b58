/*
 * libpowercrm - IVR self-service helpers.
 *
 * The IVR on the switch plays prompts; the library decides what to say.
 * This header holds the part that needs no store: Chinese number reading
 * for text-to-speech, so that every answer the IVR gives reads amounts,
 * energy and dates the way a Mandarin speaker says them (docs/ivr.md has
 * the rules with examples):
 *
 *   123.45 yuan      -> 一百二十三元四角五分
 *   1005.07 yuan     -> 一千零五元零七分
 *   2700 kWh         -> 两千七百千瓦时
 *   2026-12-07       -> 二零二六年十二月七日
 *
 * Values are exact decimals (pcrm_decimal): nothing is rounded, a value that
 * cannot be read exactly (an amount with a fraction of a fen) is PCRM_EINVAL
 * naming the field.  The functions are pure and thread-safe.  Each writes
 * NUL-terminated UTF-8 into `buf` of `size` bytes, as snprintf does;
 * PCRM_IVR_SPEECH_MAX always suffices.  On failure `buf` holds "" (when
 * size > 0) and pcrm_error_last() names the field: "amount", "energy",
 * "number", "date" or "size".
 *
 * Not yet (docs/ivr.md, "Not yet"): identifying the caller, the answers
 * (bills, arrears, tier position, work orders), outage information, fault
 * reports and smart menus.
 */
#ifndef POWERCRM_IVR_H
#define POWERCRM_IVR_H

#include <powercrm/common.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room for any text the speak functions write, including the NUL. */
#define PCRM_IVR_SPEECH_MAX 256

/**
 * Reads a number as a Chinese numeral: 一万零五, 十五, 两百, 零点二五,
 * 负三点五.  The integer part is read with 十/百/千 inside groups of four
 * digits and 万/亿/万亿 between them; zeros collapse to one 零 where the
 * reading rules say so; 10..19 at the start read 十.. (not 一十..).  The
 * digits after the point are read one by one after 点, trailing zeros
 * dropped ("12.50" reads 十二点五).  2 reads 两 before 千, as the leading
 * digit before 百, and as a whole group before 万/亿 (两万, 两亿); 二
 * everywhere else (二十, 一千二百, 十二).  PCRM_EINVAL ("number: ...") when
 * the integer part has more than 16 digits (no unit above 万亿 is in use).
 */
PCRM_EXTERN(int) pcrm_ivr_speak_number(pcrm_decimal value, char *buf, size_t size);

/**
 * Reads an amount of money in yuan as 元/角/分: 123.45 reads
 * 一百二十三元四角五分, 1005.07 reads 一千零五元零七分 (a zero 角 before
 * a 分 reads 零), 100.50 reads 一百元五角, 0.05 reads 五分, 0 reads 零元,
 * -3.00 reads 负三元.  A lone 2 before the measure word reads 两 (两元,
 * 两角, 两分).  The value may carry any scale but must be a whole number
 * of fen ("1.230" is fine, "1.235" is PCRM_EINVAL "amount: ... is not a
 * whole number of fen"); at most 16 integer digits.
 */
PCRM_EXTERN(int) pcrm_ivr_speak_amount(pcrm_decimal yuan, char *buf, size_t size);

/**
 * Reads an energy in kWh followed by 千瓦时: 2700 reads 两千七百千瓦时,
 * 12.5 reads 十二点五千瓦时, 2 reads 两千瓦时.  Number rules as
 * pcrm_ivr_speak_number(); errors name "energy".
 */
PCRM_EXTERN(int) pcrm_ivr_speak_energy(pcrm_decimal kwh, char *buf, size_t size);

/**
 * Reads a date as 年月日: the year digit by digit (二零二六年, 二零零零年),
 * month and day as numbers (十二月, 二月, 七日, 二十日, 三十一日).
 * PCRM_EINVAL ("date: ...") for a date that does not exist or a year
 * outside 1..9999.
 */
PCRM_EXTERN(int) pcrm_ivr_speak_date(pcrm_date date, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
