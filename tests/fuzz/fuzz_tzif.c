/*
 * Fuzz target for the TZif parser (lib/tariff/zone.c), which reads the
 * files a tariff's "time_zone" names.  An accepted zone must answer sanely
 * everywhere: offsets within +-18:00, the next change strictly later with
 * the offset constant until it, and the UTC start of a local day the first
 * instant whose local time reaches it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "tariff/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_tzif.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static void check_at(const struct pcrm__zone *z, int64_t t)
{
	int32_t off = pcrm__zone_offset_at(z, t);
	int64_t next = pcrm__zone_next_change(z, t), local, start;

	require(off >= -18 * 3600 && off <= 18 * 3600);
	require(next > t);
	if (next != INT64_MAX && next - t < 400 * 86400)
		require(pcrm__zone_offset_at(z, next - 1) == off);
	/* the local midnight of t's local day */
	local = (t + off) - (((t + off) % 86400) + 86400) % 86400;
	start = pcrm__zone_local_start(z, local);
	require(start + pcrm__zone_offset_at(z, start) >= local);
	require(start - 1 + pcrm__zone_offset_at(z, start - 1) < local ||
	        pcrm__zone_offset_at(z, start - 1) != pcrm__zone_offset_at(z, start));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__zone z;

	if (pcrm__zone_parse(data, size, &z) != PCRM_OK)
		return 0;
	/* 1901 .. 2100, every ~73 days, plus the listed transitions' neighbours */
	for (int64_t t = -2177452800; t < 4102444800; t += 6311520)
		check_at(&z, t);
	for (size_t i = 0; i < z.count && i < 64; i++)
		if (z.at[i] > -2177452800 && z.at[i] < 4102444800) {
			check_at(&z, z.at[i] - 1);
			check_at(&z, z.at[i]);
		}
	pcrm__zone_clear(&z);
	return 0;
}
