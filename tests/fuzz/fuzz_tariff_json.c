/*
 * Fuzz target for tariff documents: whatever pcrm_tariff_load() accepts
 * must bill without crashing, looping or leaking, and every bill must hold
 * its invariants: the total is the sum of the lines, the JSON form fits the
 * size it announced, and failures are only the documented statuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/tariff.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOC (64 * 1024)

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_tariff_json.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_bill(const pcrm_bill *b)
{
	pcrm_decimal sum = pcrm_decimal_make(0, 2);
	size_t n = pcrm_bill_json_size(b);
	char *json;

	for (size_t i = 0; i < pcrm_bill_line_count(b); i++) {
		const pcrm_bill_line *l = pcrm_bill_line_at(b, i);
		require(l != NULL && l->code != NULL && l->unit != NULL);
		require(l->amount.scale == 2);
		require(pcrm_decimal_add(sum, l->amount, &sum) == PCRM_OK);
	}
	require(pcrm_bill_line_at(b, pcrm_bill_line_count(b)) == NULL);
	require(pcrm_decimal_cmp(sum, pcrm_bill_total(b)) == 0);
	require(pcrm_decimal_sign(pcrm_bill_credit_carried_forward(b)) >= 0);
	require(n > 0);
	json = malloc(n);
	require(json != NULL);
	require(pcrm_bill_to_json(b, json, n) == PCRM_OK);
	require(strlen(json) + 1 == n);
	free(json);
}

static void bill_with(const pcrm_tariff *t, const pcrm_usage *u, pcrm_date start, pcrm_date end)
{
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_bill *b = NULL;
	int rc;

	c.contract_capacity_kva = pcrm_decimal_make(630, 0);
	c.contract_demand_kw = pcrm_decimal_make(500, 0);
	c.pf_standard = 85;
	c.household_size = 6;
	c.low_income = 1;
	c.ytd_kwh = pcrm_decimal_make(1500, 0);
	c.year_end = 1;
	/* every basic-charge mode a contract may choose (0: the tariff's) */
	for (int mode = PCRM_BASIC_MODE_TARIFF; mode <= PCRM_BASIC_MODE_ACTUAL_DEMAND; mode++) {
		c.basic_mode = (pcrm_basic_mode)mode;
		rc = pcrm_bill_compute(t, &c, start, end, u, NULL, &b);
		if (rc != PCRM_OK) {
			require(b == NULL);
			require(rc == PCRM_EINVAL || rc == PCRM_EOVERFLOW);
			continue;
		}
		check_bill(b);
		pcrm_bill_free(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char doc[MAX_DOC + 1];
	pcrm_date jul1 = { 2026, 7, 1 }, jul31 = { 2026, 7, 31 }, mar10 = { 2026, 3, 10 };
	pcrm_date mar31 = { 2026, 3, 31 };
	pcrm_tariff *t = NULL;
	pcrm_usage *regs = NULL, *ivs = NULL, *nets = NULL;
	int p;

	if (size > MAX_DOC)
		size = MAX_DOC;
	memcpy(doc, data, size);
	doc[size] = '\0';
	if (pcrm_tariff_load(&t, doc) != PCRM_OK) {
		require(t == NULL);
		return 0;
	}
	require(pcrm_tariff_id(t) != NULL && pcrm_tariff_version(t) >= 1);
	require(pcrm_tariff_period_count(t) >= 1);
	require(pcrm_tariff_period_at(t, 1782835200, NULL, &p) == PCRM_OK);
	require(p >= 0 && (size_t)p < pcrm_tariff_period_count(t));
	require(pcrm_usage_new(&regs) == PCRM_OK && pcrm_usage_new(&ivs) == PCRM_OK);
	for (size_t i = 0; i < pcrm_tariff_period_count(t); i++)
		require(pcrm_usage_set_period(regs, pcrm_tariff_period_name(t, i),
		                              pcrm_decimal_make((int64_t)(i + 1) * 123457, 3)) == PCRM_OK);
	require(pcrm_usage_set_reactive(regs, pcrm_decimal_make(200, 0)) == PCRM_OK);
	require(pcrm_usage_set_max_demand(regs, pcrm_decimal_make(540, 0)) == PCRM_OK);
	/* earlier months' demands for a ratchet, by month and by the first period */
	require(pcrm_usage_set_prior_demand(regs, 1, NULL, pcrm_decimal_make(700, 0)) == PCRM_OK);
	require(pcrm_usage_set_prior_demand(regs, 5, pcrm_tariff_period_name(t, 0),
	                                    pcrm_decimal_make(9001, 1)) == PCRM_OK);
	for (int h = 0; h < 48; h++)
		require(pcrm_usage_add_interval(ivs, 1782835200 + h * 3600, 3600,
		                                pcrm_decimal_make(h * 1000 + 7, 3)) == PCRM_OK);
	require(pcrm_usage_set_reactive(ivs, pcrm_decimal_make(10, 0)) == PCRM_OK);
	/* imports, exports and a brought-forward credit: net metering / net billing */
	require(pcrm_usage_new(&nets) == PCRM_OK);
	for (int h = 0; h < 48; h++) {
		require(pcrm_usage_add_interval(nets, 1782835200 + h * 3600, 3600,
		                                pcrm_decimal_make((h % 7) * 1000 + 3, 3)) == PCRM_OK);
		require(pcrm_usage_add_export_interval(nets, 1782835200 + h * 3600, 1800,
		                                       pcrm_decimal_make((h % 5) * 900, 3)) == PCRM_OK);
	}
	require(pcrm_usage_set_credit_brought_forward(nets, pcrm_decimal_make(1234, 2)) == PCRM_OK);
	require(pcrm_usage_set_reactive(nets, pcrm_decimal_make(10, 0)) == PCRM_OK);
	bill_with(t, nets, jul1, jul31);
	bill_with(t, regs, jul1, jul31);
	bill_with(t, regs, mar10, mar31);
	bill_with(t, ivs, jul1, jul31);
	pcrm_usage_free(regs);
	pcrm_usage_free(ivs);
	pcrm_usage_free(nets);
	pcrm_tariff_free(t);
	return 0;
}
