/* Shared by the billing tests: October 2026's instants, a residential home, a counting query. */
#ifndef PCRM_TEST_BILLING_FIXTURES_H
#define PCRM_TEST_BILLING_FIXTURES_H

#include <stdio.h>

#include "backend.h"
#include "fixtures.h"
#include "store/store.h"
#include "core/ctx.h"

/* 2026-09-15 00:00 +08:00: meters go in before the month billed. */
static const pcrm_time SEP15 = 1789401600;
/* 2026-10-31 20:00 +08:00: a reading inside October. */
static const pcrm_time OCT31 = 1793448000;

/* The one integer a query answers. */
static inline int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/*
 * A residential customer C<n> in `org`, created by `clerk`, with account
 * A<n>, point P<n> and meter M<n> (installed on SEP15 reading 1000) that
 * reads `kwh` more on OCT31 (no reading when kwh is NULL).
 */
static inline void add_home(pcrm_test_store *t, const pcrm_actor *clerk, int n, const char *org,
                            const char *kwh)
{
	char no[16], acct[16], mp[16], meter[16];
	snprintf(no, sizeof(no), "C%d", n);
	snprintf(acct, sizeof(acct), "A%d", n);
	snprintf(mp, sizeof(mp), "P%d", n);
	snprintf(meter, sizeof(meter), "M%d", n);
	pcrm_test_add_home(t->ctx, clerk, n, org, no, acct, mp, meter, SEP15);
	if (kwh) {
		pcrm_decimal v;
		pcrm_assert_ok(pcrm_decimal_add(pcrm_decimal_from_int(1000), pcrm_test_dec(kwh), &v));
		pcrm_assert_ok(pcrm_reading_record(t->ctx, clerk, meter, PCRM_REGISTER_TOTAL, v, OCT31,
		                                   0, NULL));
	}
}

#endif
