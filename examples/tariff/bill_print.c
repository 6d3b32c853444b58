/*
 * bill_print - load a tariff document and print one itemised bill.
 *
 * Usage: bill_print TARIFF.json START END PERIOD=KWH... [reactive=KVARH]
 *                   [max_demand=KW] [capacity=KVA] [pf_standard=90]
 *
 *   bill_print data/tariffs/cn-gd-guangzhou-residential.json 2026-07-01 2026-07-31 all=600
 *
 * prints the two tier lines (153.14 + 217.26) and the total 370.40.  PERIOD
 * is a TOU period name of the tariff ("all" for a tariff without TOU).
 * Public headers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

static int fail(const char *what)
{
	fprintf(stderr, "bill_print: %s: %s\n", what, pcrm_error_last());
	return 1;
}

static const char *text(pcrm_decimal d, char buf[PCRM_DECIMAL_STRING_MAX])
{
	if (pcrm_decimal_format(d, buf, PCRM_DECIMAL_STRING_MAX) < 0)
		return "?";
	return buf;
}

/*
 * One NAME=VALUE argument into the usage or the customer: a library status,
 * or 1 when the argument is not NAME=VALUE (reported here).
 */
static int apply(const char *arg, pcrm_usage *u, pcrm_bill_customer *c)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	pcrm_decimal v;
	size_t n;
	int rc;

	if (!eq || (n = (size_t)(eq - arg)) == 0 || n >= sizeof(name)) {
		fprintf(stderr, "bill_print: %s: expected NAME=VALUE\n", arg);
		return 1;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	if ((rc = pcrm_decimal_parse(eq + 1, &v)) < 0)
		return rc;
	if (strcmp(name, "reactive") == 0)
		return pcrm_usage_set_reactive(u, v);
	if (strcmp(name, "max_demand") == 0)
		return pcrm_usage_set_max_demand(u, v);
	if (strcmp(name, "capacity") == 0) {
		c->contract_capacity_kva = v;
		return 0;
	}
	if (strcmp(name, "pf_standard") == 0) {
		c->pf_standard = (int)v.units;
		return 0;
	}
	return pcrm_usage_set_period(u, name, v);
}

int main(int argc, char **argv)
{
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], d[PCRM_DECIMAL_STRING_MAX];
	pcrm_tariff *t = NULL;
	pcrm_usage *u = NULL;
	pcrm_bill *bill = NULL;
	pcrm_date start, end;
	int rc = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: bill_print TARIFF.json START END PERIOD=KWH... "
		        "[reactive=KVARH] [max_demand=KW] [capacity=KVA] [pf_standard=90]\n");
		return 2;
	}
	if (pcrm_tariff_load_file(&t, argv[1]) < 0)
		return fail("tariff");
	if (pcrm_date_parse(argv[2], &start) < 0 || pcrm_date_parse(argv[3], &end) < 0) {
		rc = fail("period");
		goto done;
	}
	if (pcrm_usage_new(&u) < 0) {
		rc = fail("usage");
		goto done;
	}
	for (int i = 4; i < argc; i++) {
		int r = apply(argv[i], u, &c);
		if (r != 0) {
			if (r < 0)
				fail(argv[i]);
			goto done;
		}
	}
	if (pcrm_bill_compute(t, &c, start, end, u, NULL, &bill) < 0) {
		rc = fail("bill");
		goto done;
	}
	printf("tariff %s version %lld, %s .. %s\n", pcrm_bill_tariff_id(bill),
	       (long long)pcrm_bill_tariff_version(bill), argv[2], argv[3]);
	printf("%-26s %-14s %4s %16s %12s %14s\n", "line", "period", "tier", "quantity",
	       "unit price", "amount");
	for (size_t i = 0; i < pcrm_bill_line_count(bill); i++) {
		const pcrm_bill_line *l = pcrm_bill_line_at(bill, i);
		printf("%-26s %-14s %4d %12s %-3s %12s %14s\n", l->code,
		       l->period ? l->period : (l->item ? l->item : ""), l->tier,
		       text(l->quantity, a), l->unit, text(l->unit_price, b), text(l->amount, d));
	}
	printf("%-26s %64s %s\n", "total", text(pcrm_bill_total(bill), a),
	       pcrm_tariff_currency(t));
	rc = 0;
done:
	pcrm_bill_free(bill);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	return rc;
}
