/* Internal: what the sink (sink.c) and the listing (list.c) share. */
#ifndef PCRM_CALL_RECORD_INTERNAL_H
#define PCRM_CALL_RECORD_INTERNAL_H

#include <powercrm/call_record.h>

#include "core/crypto.h"

/** Room for a caller number's keyed lookup hash (hex) and NUL. */
#define PCRM__CALLER_HASH_LEN (PCRM_SHA256_HEX_LEN + 1)

/** The columns of call_record in the order the sink's bulk rows carry them. */
#define PCRM__CALL_RECORD_COLUMNS 25
extern const char *const pcrm__call_record_columns[PCRM__CALL_RECORD_COLUMNS];

/**
 * The keyed lookup hash of a caller number: of its pcrm_phone_normalize()
 * form when it has one (so every spelling of a number finds the same
 * calls), else of the number as the switch gave it.  Needs the data key.
 */
int pcrm__caller_hash(const pcrm_ctx *ctx, const char *number, char out[PCRM__CALLER_HASH_LEN]);

#endif
