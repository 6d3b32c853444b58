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

/**
 * Copies the customer's attributes that its accounts carry (migration 13:
 * org unit, usage class, household size, low income, status) from its row
 * to the accounts that differ; called in every transaction that updates a
 * customer row, after the update (account.c).
 */
int pcrm__account_customer_sync(pcrm_ctx *ctx, const char *customer_no);

/**
 * The customer's org unit as it is now, read from its row (malloc'd into *org, NULL on error).
 * Permissions of records hanging off a customer (contacts, complaints) follow the customer's
 * current org unit, so every such module reads it here rather than copying it or writing the
 * query again.  PCRM_ENOTFOUND when there is no such customer.
 */
int pcrm__customer_org_read(pcrm_ctx *ctx, const char *customer_no, char **org);

#define PCRM__ID_MAX 18

/** Longest customer number (letters, digits, - _ .). */
#define PCRM__CUSTOMER_NO_MAX 32

struct pcrm_rows;
struct pcrm_ctx;

/* What the store keeps of an ID number: never the number itself. */
struct pcrm__sealed_id {
	char masked[PCRM__ID_MAX + 1];
	char cipher[2 * (PCRM__ID_MAX + 28) + 1]; /* hex of nonce + sealed bytes + tag */
	char hash[65];
};

/** Seals an ID number for `customer_no` (needs the context's data key). */
int pcrm__customer_seal_id(const pcrm_ctx *ctx, const char *customer_no, const char *id,
                           struct pcrm__sealed_id *out);

/** Opens a sealed ID number (needs the data key); PCRM_EINTEGRITY when tampered with. */
int pcrm__customer_open_id(const pcrm_ctx *ctx, const char *customer_no, const char *cipher_hex,
                           char out[PCRM__ID_MAX + 1]);

/** The keyed lookup hash of an ID number (needs the data key). */
int pcrm__id_lookup_hash(const pcrm_ctx *ctx, const char *id, char out[65]);

/** The document as stored: without id_number and bookkeeping fields; malloc'd JSON text. */
char *pcrm__customer_stored_doc(const json_t *doc);

/**
 * What a bill needs of a validated document, stored as the columns
 * household_size (the document's, 1 when absent) and low_income (1 when
 * true): every write of a customer row sets them from these.
 */
int64_t pcrm__customer_household_size(const json_t *doc);
int64_t pcrm__customer_low_income(const json_t *doc);

/* What every query that builds customers selects, in this order (alias c). */
#define PCRM__CUSTOMER_COLUMNS                                                                    \
	"c.doc, c.id_masked, c.id_cipher, c.version, c.created_at, c.updated_at, c.pii_cipher, "  \
	"c.pii_key, c.erased_at"

/** Reads up to `limit` customer rows (PCRM__CUSTOMER_COLUMNS), personal fields unsealed. */
int pcrm__customer_list_rows(const struct pcrm_ctx *ctx, struct pcrm_rows *rows, int limit,
                             pcrm_customer ***items, size_t *count);

#endif
