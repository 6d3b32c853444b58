/* Internal: what the sink (sink.c) and the listing (list.c) share. */
#ifndef PCRM_CALL_RECORD_INTERNAL_H
#define PCRM_CALL_RECORD_INTERNAL_H

#include <powercrm/call_record.h>

#include "core/crypto.h"

/** Room for a caller number's keyed lookup hash (hex) and NUL. */
#define PCRM__CALLER_HASH_LEN (PCRM_SHA256_HEX_LEN + 1)

/**
 * The keyed lookup hash of a caller number: of its pcrm_phone_normalize()
 * form when it has one (so every spelling of a number finds the same
 * calls), else of the number as the switch gave it.  Needs the data key.
 */
int pcrm__caller_hash(const pcrm_ctx *ctx, const char *number, char out[PCRM__CALLER_HASH_LEN]);

#endif
