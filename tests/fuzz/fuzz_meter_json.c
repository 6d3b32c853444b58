/*
 * Fuzz target: the metering document checks (meter installation, removal,
 * account and metering point, create and patch forms), the parsers that
 * see typed-in and imported metering data.  Any input is either accepted,
 * in a form that satisfies the documented rules and checks again to the
 * same result, or refused with PCRM_EINVAL and a message: never a crash,
 * never another status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/metering.h>
#include "customer/metering_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_meter_json.c:%d: invariant failed: %s (last error: %s)\n", line, what,
	        pcrm_error_last());
	abort();
}

/* Only OK, or EINVAL with a message naming something. */
static void require_outcome(int rc)
{
	require(rc == PCRM_OK || rc == PCRM_EINVAL);
	if (rc != PCRM_OK)
		require(pcrm_error_last()[0] != '\0');
}

static const unsigned int all_registers =
	PCRM_REGISTER_BIT(PCRM_REGISTER_TOTAL) | PCRM_REGISTER_BIT(PCRM_REGISTER_PEAK) |
	PCRM_REGISTER_BIT(PCRM_REGISTER_FLAT) | PCRM_REGISTER_BIT(PCRM_REGISTER_VALLEY) |
	PCRM_REGISTER_BIT(PCRM_REGISTER_CRITICAL_PEAK) | PCRM_REGISTER_BIT(PCRM_REGISTER_REACTIVE) |
	PCRM_REGISTER_BIT(PCRM_REGISTER_MAX_DEMAND);

static void check_meter_spec(const struct pcrm__meter_spec *s)
{
	require(s->meter_no && strlen(s->meter_no) >= 1 && strlen(s->meter_no) <= PCRM__CODE_MAX);
	require(s->type != NULL);
	require(s->registers != 0 && (s->registers & ~all_registers) == 0);
	require(s->digits >= 1 && s->digits <= PCRM__DIGITS_MAX);
	require(pcrm_decimal_sign(s->multiplier) > 0);
	require(s->multiplier.scale >= 0 && s->multiplier.scale <= PCRM__MULTIPLIER_MAX_SCALE);
	for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND; i++) {
		pcrm_register reg = (pcrm_register)i;
		if ((s->registers & PCRM_REGISTER_BIT(reg)) && pcrm_register_is_cumulative(reg))
			require(pcrm__reading_value_check("initial", s->initial[reg], s->digits) ==
			        PCRM_OK);
	}
}

/* A checked meter document is canonical: dumped, parsed and checked again it says the same. */
static void check_meter(const json_t *input)
{
	struct pcrm__meter_spec spec, again;
	json_t *doc = json_deep_copy(input), *copy;
	char *text;
	int rc = pcrm__meter_doc_check(doc, &spec);
	require_outcome(rc);
	if (rc == PCRM_OK) {
		check_meter_spec(&spec);
		text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		require(text != NULL);
		copy = json_loads(text, 0, NULL);
		require(copy != NULL);
		require(pcrm__meter_doc_check(copy, &again) == PCRM_OK);
		require(strcmp(spec.meter_no, again.meter_no) == 0);
		require(spec.registers == again.registers && spec.digits == again.digits);
		require(pcrm_decimal_cmp(spec.multiplier, again.multiplier) == 0);
		require(spec.multiplier.scale == again.multiplier.scale);
		json_decref(copy);
		free(text);
	}
	json_decref(doc);
}

static void check_removal(const json_t *input)
{
	struct pcrm__removal_spec spec;
	json_t *doc = json_deep_copy(input);
	int rc = pcrm__removal_doc_check(doc, &spec);
	require_outcome(rc);
	if (rc == PCRM_OK) {
		require(spec.reason != NULL);
		require((spec.given & ~all_registers) == 0);
		for (int i = PCRM_REGISTER_TOTAL; i <= PCRM_REGISTER_MAX_DEMAND; i++)
			if (spec.given & PCRM_REGISTER_BIT((pcrm_register)i))
				require(pcrm_decimal_sign(spec.final[i]) >= 0);
	}
	json_decref(doc);
}

/* Create form, then the same input as a patch merged into it: both end valid or refused. */
static void check_record(const json_t *input, int (*check)(json_t *, int),
                         int (*merged_check)(json_t *, const json_t *))
{
	json_t *doc = json_deep_copy(input), *patch = json_deep_copy(input);
	int rc = check(doc, 0);
	require_outcome(rc);
	if (rc == PCRM_OK) {
		require(check(doc, 0) == PCRM_OK); /* defaults filled once stay valid */
		rc = check(patch, 1);
		require_outcome(rc);
		if (rc == PCRM_OK)
			require_outcome(pcrm__doc_merge(doc, patch, check, merged_check));
	}
	json_decref(doc);
	json_decref(patch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return 0;
	check_meter(doc);
	check_removal(doc);
	check_record(doc, pcrm__account_doc_check, pcrm__account_merged_check);
	check_record(doc, pcrm__metering_point_doc_check, NULL);
	json_decref(doc);
	return 0;
}
