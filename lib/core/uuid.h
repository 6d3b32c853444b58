/* Internal: identifiers through libuuid. */
#ifndef PCRM_CORE_UUID_H
#define PCRM_CORE_UUID_H

#define PCRM_UUID_STRING_LEN 36

/** Writes a new random (version 4) UUID in lowercase canonical form. */
void pcrm__uuid_new(char out[PCRM_UUID_STRING_LEN + 1]);

/** Nonzero when `text` is a canonical UUID string. */
int pcrm__uuid_is_valid(const char *text);

#endif
