/*
 * Fuzz target for the publishing path of tariff documents
 * (pcrm_tariff_publish(): the store's "overridable" field, ownership,
 * overrides), against the fuzz world, whose tariff "fz-res" the province
 * owns and does not let units override.  Each input is published by the
 * province's administrator and by a city's.  A refusal has a negative
 * status, a message, and writes nothing; an accepted publication adds at
 * most one version, and the city's is never a base version of a tariff the
 * province owns: it is a new id the city now owns, or the city's override.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "fuzz_world.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const pcrm_actor city_admin = { "fuzz-city", PCRM_ROLE_ADMIN, 3, "3701" };

static int64_t misplaced_city_versions(pcrm_ctx *ctx)
{
	int64_t n = -1;
	fuzz_require(pcrm__store_query_int(
		             ctx->store,
		             "SELECT COUNT(*) FROM tariff_version WHERE published_by = 'fuzz-city' "
		             "AND NOT ((scope_unit IS NULL AND owner_unit = '3701') "
		             "OR scope_unit = '3701')",
		             NULL, 0, &n) == PCRM_OK);
	return n;
}

static void check_publish(pcrm_ctx *ctx, const pcrm_actor *actor, const char *doc)
{
	fuzz_counts before, after;
	int rc;

	fuzz_begin();
	fuzz_count(&before);
	rc = pcrm_tariff_publish(ctx, actor, doc);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_tariff_publish");
		fuzz_require_unchanged(&before, "pcrm_tariff_publish");
	} else {
		fuzz_count(&after);
		fuzz_require(after.n[FUZZ_TARIFF_ROWS] - before.n[FUZZ_TARIFF_ROWS] <= 1);
		fuzz_require(misplaced_city_versions(ctx) == 0);
	}
	fuzz_rollback();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *doc = fuzz_text(data, size);
	check_publish(ctx, &fuzz_admin, doc);
	check_publish(ctx, &city_admin, doc);
	free(doc);
	return 0;
}
