/*
 * Internal: the version field of caller-allocated output structs.
 *
 * A struct the caller allocates and the library fills (pcrm_ledger_summary,
 * pcrm_acd_queue_stats, ...) starts with `unsigned int version`, which the
 * caller sets through the type's _INIT macro to the layout it was compiled
 * with.  A later library that appends fields fills only those the caller's
 * layout has, so it never writes past the end of an older caller's struct
 * (docs/abi.md).  A version of 0 is a struct nobody initialised.
 */
#ifndef PCRM_CORE_OUT_VERSION_H
#define PCRM_CORE_OUT_VERSION_H

/**
 * PCRM_OK when `version` is one this library knows (1..latest); otherwise
 * PCRM_EINVAL naming `<field>.version` and the _INIT macro to use.
 */
int pcrm__out_version_check(const char *field, unsigned int version, unsigned int latest,
                            const char *init_macro);

/** pcrm__out_version_check() for `ptr` of the type whose macros start with PREFIX. */
#define PCRM__OUT_VERSION_CHECK(field, ptr, PREFIX) \
	pcrm__out_version_check((field), (ptr)->version, PREFIX##_VERSION, #PREFIX "_INIT")

#endif
