/*
 * Fuzz target for paging cursors, the opaque text a caller hands back to
 * get the next page: the keyset cursor reader ("<instant>.<uuid>", contacts
 * and work orders) and every list that takes one (work orders, contacts,
 * customers).  An accepted keyset cursor names an instant of at most 15
 * digits and a valid UUID, and written back it reads the same; a refused
 * one is a negative status with a message.  The lists either answer a page
 * (no more items than asked, every item in the actor's subtree) or refuse
 * with a message; reading never writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/uuid.h"
#include "store/keyset.h"

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_keyset(const char *cursor)
{
	char id[PCRM_UUID_STRING_LEN + 1], again_id[PCRM_UUID_STRING_LEN + 1];
	char text[PCRM__KEYSET_CURSOR_MAX];
	pcrm_time at = -1, again_at = -1;
	int rc = pcrm__keyset_cursor_parse(cursor, "fuzz", &at, id);

	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm__keyset_cursor_parse");
		return;
	}
	fuzz_require(at >= 0 && at < 1000000000000000);
	fuzz_require(strlen(id) == PCRM_UUID_STRING_LEN && pcrm__uuid_is_valid(id));
	snprintf(text, sizeof(text), "%lld.%s", (long long)at, id);
	fuzz_require(pcrm__keyset_cursor_parse(text, "fuzz", &again_at, again_id) == PCRM_OK);
	fuzz_require(again_at == at && strcmp(again_id, id) == 0);
}

static void check_lists(pcrm_ctx *ctx, const char *cursor)
{
	pcrm_workorder_filter filter = PCRM_WORKORDER_FILTER_INIT;
	pcrm_customer_query query = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_workorder_list *orders = NULL;
	pcrm_contact_list *contacts = NULL;
	pcrm_customer_list *customers = NULL;
	fuzz_counts before;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	filter.include_closed = 1;
	rc = pcrm_workorder_query(ctx, &fuzz_admin, &filter, cursor, 2, &orders);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_workorder_query");
		fuzz_require(orders == NULL);
	} else {
		fuzz_require(pcrm_workorder_list_count(orders) <= 2);
		for (size_t i = 0; i < pcrm_workorder_list_count(orders); i++)
			fuzz_require(strncmp(pcrm_workorder_org_unit(pcrm_workorder_list_at(orders, i)),
			                     "37", 2) == 0);
	}
	pcrm_workorder_list_free(orders);

	rc = pcrm_contact_list_load(ctx, &fuzz_admin, FUZZ_CUSTOMER, cursor, 2, &contacts);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_contact_list_load");
		fuzz_require(contacts == NULL);
	} else {
		fuzz_require(pcrm_contact_list_count(contacts) <= 2);
	}
	pcrm_contact_list_free(contacts);

	query.cursor = cursor;
	query.limit = 2;
	rc = pcrm_customer_search(ctx, &fuzz_admin, &query, &customers);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_customer_search");
	} else {
		fuzz_require(pcrm_customer_list_count(customers) <= 2);
		/* a page after the cursor holds only customers after it */
		for (size_t i = 0; i < pcrm_customer_list_count(customers); i++)
			fuzz_require(strcmp(pcrm_customer_no(pcrm_customer_list_at(customers, i)), cursor) > 0);
	}
	pcrm_customer_list_free(customers);
	fuzz_require_unchanged(&before, "a list call");
	fuzz_rollback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cursor = fuzz_text(data, size);
	check_keyset(cursor);
	check_lists(fuzz_world(), cursor);
	free(cursor);
	return 0;
}
