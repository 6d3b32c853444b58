/*
 * Fuzz target for the URDB importer: whatever pcrm_tariff_from_urdb()
 * makes of an input must be a tariff document pcrm_tariff_load() accepts
 * and that bills a month; a refusal hands nothing out and is one of the
 * documented statuses, with a message (PCRM_EUNSUPPORTED lists fields).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/tariff.h>
#include <powercrm/urdb.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOC (64 * 1024)

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_urdb.c:%d: invariant failed: %s\n", line, what);
	abort();
}

/* The converted tariff loads and bills a month of registers (or says why not). */
static void bill_month(const char *json)
{
	pcrm_tariff *t = NULL;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	pcrm_date from;
	pcrm_date end;
	int rc;

	require(pcrm_tariff_load(&t, json) == PCRM_OK);
	from = pcrm_tariff_effective_from(t);
	end = from;
	end.day = pcrm_days_in_month(from.year, from.month);
	require(pcrm_usage_new(&u) == PCRM_OK);
	for (size_t i = 0; i < pcrm_tariff_period_count(t); i++)
		require(pcrm_usage_set_period(u, pcrm_tariff_period_name(t, i),
		                              pcrm_decimal_make((int64_t)(i + 1) * 98765, 3)) == PCRM_OK);
	require(pcrm_usage_set_max_demand(u, pcrm_decimal_make(75, 0)) == PCRM_OK);
	for (size_t i = 0; i < pcrm_tariff_period_count(t); i++)
		require(pcrm_usage_set_period_demand(u, pcrm_tariff_period_name(t, i),
		                                     pcrm_decimal_make(50, 0)) == PCRM_OK);
	rc = pcrm_bill_compute(t, NULL, from, end, u, NULL, &b);
	/* an effective_to before the month's end is the rate's own word: EINVAL */
	require(rc == PCRM_OK || rc == PCRM_EINVAL || rc == PCRM_EOVERFLOW);
	require((rc == PCRM_OK) == (b != NULL));
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char doc[MAX_DOC + 1];
	char *json = (char *)"untouched";
	int rc;

	if (size > MAX_DOC)
		size = MAX_DOC;
	memcpy(doc, data, size);
	doc[size] = '\0';
	rc = pcrm_tariff_from_urdb(doc, NULL, &json);
	if (rc != PCRM_OK) {
		require(json == NULL);
		require(rc == PCRM_EINVAL || rc == PCRM_EUNSUPPORTED || rc == PCRM_EOVERFLOW);
		require(pcrm_error_last()[0] != '\0');
		/* with the default options, what the importer writes must always load */
		require(strncmp(pcrm_error_last(), "urdb: the converted tariff does not load",
		                strlen("urdb: the converted tariff does not load")) != 0);
		return 0;
	}
	require(json != NULL);
	bill_month(json);
	pcrm_free(json);
	return 0;
}
