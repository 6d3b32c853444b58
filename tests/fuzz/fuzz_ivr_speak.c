/*
 * Fuzz target for the IVR's Chinese number reading.  The values it reads
 * come from outside (a decimal from a bill, a tariff, a keyed-in amount;
 * a date from a document), so the input is parsed as a decimal or a date
 * and read aloud every way: whatever reads must read back, through the
 * independent oracle of tests/ivr/numeral_oracle.h, to the same value; what
 * cannot be read fails with PCRM_EINVAL and an empty buffer; never a crash
 * or a reading that does not fit PCRM_IVR_SPEECH_MAX.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/ivr.h>

#include "../ivr/numeral_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (what libFuzzer and the corpus replay catch) naming the broken invariant. */
#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_ivr_speak.c:%d: invariant failed: %s\n", line, what);
	abort();
}

/* The value with trailing fraction zeros removed, as the reading says it. */
static void normalise(pcrm_decimal v, int64_t *units, int *scale)
{
	*units = v.units;
	*scale = v.scale;
	while (*scale > 0 && *units % 10 == 0) {
		*units /= 10;
		(*scale)--;
	}
}

static void check_quantity(int (*speak)(pcrm_decimal, char *, size_t), pcrm_decimal v,
                           const char *measure)
{
	char buf[PCRM_IVR_SPEECH_MAX];
	int64_t want, back;
	int want_scale, back_scale;
	int rc = speak(v, buf, sizeof(buf));

	if (rc != PCRM_OK) {
		require(rc == PCRM_EINVAL && buf[0] == '\0');
		return;
	}
	require(strlen(buf) < sizeof(buf));
	normalise(v, &want, &want_scale);
	require(oracle_quantity(buf, measure, &back, &back_scale) == 0);
	require(back == want && back_scale == want_scale);
}

static void check_amount(pcrm_decimal v)
{
	char buf[PCRM_IVR_SPEECH_MAX];
	int64_t want, back;
	int want_scale;
	int rc = pcrm_ivr_speak_amount(v, buf, sizeof(buf));

	normalise(v, &want, &want_scale);
	if (rc != PCRM_OK) {
		require(rc == PCRM_EINVAL && buf[0] == '\0');
		return;
	}
	require(want_scale <= 2);
	for (; want_scale < 2; want_scale++)
		want *= 10;
	require(oracle_amount(buf, &back) == 0);
	require(back == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], buf[PCRM_IVR_SPEECH_MAX];
	pcrm_decimal v;
	pcrm_date d;

	if (pcrm_decimal_parse_n((const char *)data, size, &v) == PCRM_OK) {
		check_quantity(pcrm_ivr_speak_number, v, NULL);
		check_quantity(pcrm_ivr_speak_energy, v, "千瓦时");
		check_amount(v);
	}
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (pcrm_date_parse(text, &d) == PCRM_OK) {
			int rc = pcrm_ivr_speak_date(d, buf, sizeof(buf));

			require(rc == PCRM_OK || (rc == PCRM_EINVAL && buf[0] == '\0'));
			if (rc == PCRM_OK)
				require(strstr(buf, "年") && strstr(buf, "月") && strstr(buf, "日"));
		}
	}
	return 0;
}
