/* Internal: the customer record shared by the customer module's files. */
#ifndef PCRM_CUSTOMER_INTERNAL_H
#define PCRM_CUSTOMER_INTERNAL_H

#include <jansson.h>

#include <powercrm/customer.h>

struct pcrm_customer {
	json_t *doc;          /* the whole document as returned to callers */
	char *json;           /* doc dumped once, for pcrm_customer_json() */
	const char *no;       /* the following point into doc */
	const char *name;
	const char *org_unit;
	const char *status;
	int vip_level;
	int version;
	pcrm_time created_at;
	pcrm_time updated_at;
};

/**
 * Validates a customer document in place: unknown fields, types, enums,
 * lengths; phones normalised; defaults for status, registered, vip_level,
 * low_income filled in (documented in docs/customers.md).  With `patch`
 * set, only the fields present are checked and null marks a removal.
 * PCRM_EINVAL names the field.  id_number is checked but left as written.
 */
int pcrm__customer_validate(json_t *doc, int patch);

/** Applies a validated patch to a full document (null removes); then revalidates it whole. */
int pcrm__customer_merge(json_t *doc, const json_t *patch);

/** Checks an ID number for its kind ("person" needs the GB 11643 checksum). */
int pcrm__id_number_check(const char *kind, const char *id);

/** "1101**********1234": first 4 and last 4 visible. `out` holds strlen(id) + 1. */
void pcrm__id_number_mask(const char *id, char *out);

/** Builds a customer object from a document (takes a reference to doc). */
int pcrm__customer_wrap(json_t *doc, int version, pcrm_time created_at, pcrm_time updated_at,
                        pcrm_customer **out);

#endif
