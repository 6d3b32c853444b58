/* Shared by the IVR answer tests: the two homes, counting and reading the "ivr" contacts. */
#ifndef PCRM_TEST_IVR_FIXTURES_H
#define PCRM_TEST_IVR_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

/* C1 (account A1) in Jinan 3701, C2 (A2) in Qingdao 3702, with data keys for sealing. */
static inline void ivr_setup(pcrm_test_store *t)
{
	pcrm_test_reopen_with_key(t);
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &root_admin, 1, "3701", "C1", "A1", "P1", "M1", t->now);
	pcrm_test_add_home(t->ctx, &root_admin, 2, "3702", "C2", "A2", "P2", "M2", t->now);
}

static inline int64_t count_of(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;

	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static inline int64_t ivr_contacts(pcrm_test_store *t)
{
	int64_t n = -1;

	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM contact WHERE channel = 'ivr'",
	                                     NULL, 0, &n));
	return n;
}

/* The newest contact of `customer_no` must be an inbound IVR one holding `text`. */
static inline void ivr_expect_recorded(pcrm_test_store *t, const char *customer_no,
                                       const char *text)
{
	pcrm_contact_list *list = NULL;
	const pcrm_contact *c;

	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &root_admin, customer_no, NULL, 10, &list));
	cr_assert_geq(pcrm_contact_list_count(list), 1);
	c = pcrm_contact_list_at(list, 0);
	cr_assert_str_eq(pcrm_contact_channel(c), "ivr");
	cr_assert_str_eq(pcrm_contact_direction(c), "inbound");
	cr_assert_str_eq(pcrm_contact_summary(c), text);
	pcrm_contact_list_free(list);
}

#endif
