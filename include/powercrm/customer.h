/*
 * libpowercrm - the customer archive (客户档案): customers, screen pop.
 *
 * A customer is a JSON document validated field by field (the format is in
 * docs/customers.md): customer number (户号), kind, name, type and groups,
 * usage class, voltage level, org unit, status, VIP level and account
 * manager, transformer area and feeder, addresses, phones, e-mail, the
 * preferred notification channel, household size, low-income flag, and the
 * personal ID number or organisation code.
 *
 * The ID number is stored encrypted (AES-256-GCM with a key derived from the
 * context's data key), found through a keyed hash (HMAC-SHA256), and shown
 * masked ("1101**********1234") unless the actor holds PCRM_PERM_PII_READ and
 * asks for it with PCRM_CUSTOMER_REVEAL_ID (which is audited).
 *
 * Permissions: reading needs PCRM_PERM_ARCHIVE_READ, writing
 * PCRM_PERM_ARCHIVE_WRITE, both for the customer's org unit, which must lie
 * in the actor's subtree; township stations never write.  Every mutation is
 * audited in the same transaction.
 */
#ifndef POWERCRM_CUSTOMER_H
#define POWERCRM_CUSTOMER_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_customer pcrm_customer;
typedef struct pcrm_customer_list pcrm_customer_list;

/** Flag for pcrm_customer_get(): return the ID number unmasked (needs PCRM_PERM_PII_READ). */
#define PCRM_CUSTOMER_REVEAL_ID 1u

/** Room for a normalised phone number. */
#define PCRM_PHONE_MAX 24

/**
 * Normalises a phone number as a switch delivers it: spaces, dashes and
 * brackets dropped; +86 / 0086 removed; 11-digit mobiles (1[3-9]...) kept
 * as 11 digits (a leading trunk 0 dropped); landlines as 0 + area code +
 * local number (10..12 digits: "+86 531 8888 8888" -> "053188888888").
 * PCRM_EINVAL names what is wrong (a local number without area code is
 * ambiguous and rejected) without quoting the number: error messages never
 * echo personal data.
 */
PCRM_EXTERN(int) pcrm_phone_normalize(const char *raw, char *buf, size_t size);

/**
 * Creates a customer from a JSON object.  Required: customer_no, kind, name,
 * usage_class, voltage_level, org_unit.  Errors name the field
 * ("phones.mobile: phone: 5 digits are not a mobile or landline number");
 * they never quote the value of a personal field (name, ID number, phone,
 * e-mail, address).  Text fields refuse control characters, invisible
 * formatting characters (bidirectional overrides, zero-width characters:
 * docs/conventions.md, "Text from outside") and text of only white space.
 * PCRM_EDUPLICATE when the customer number is taken.  `out` may be NULL;
 * otherwise it receives the stored customer (free with pcrm_customer_free).
 */
PCRM_EXTERN(int) pcrm_customer_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                                      pcrm_customer **out);

/** Reads a customer.  `flags` 0 or PCRM_CUSTOMER_REVEAL_ID. */
PCRM_EXTERN(int) pcrm_customer_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                   const char *customer_no, unsigned int flags,
                                   pcrm_customer **out);

/**
 * Changes the fields present in `patch_json` (a JSON object; null removes an
 * optional field).  `expected_version` is the version the caller read: when
 * the customer changed since, PCRM_ECONFLICT and nothing changes.
 * customer_no cannot change; a closed customer cannot change (PCRM_ESTATE);
 * moving to another org unit needs write permission on both.  A NULL
 * patch is PCRM_EINVAL ("patch: missing"); *out is NULL on every failure.
 */
PCRM_EXTERN(int) pcrm_customer_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const char *customer_no, const char *patch_json,
                                      int expected_version, pcrm_customer **out);

/** Sets status "closed" (PCRM_ESTATE when already closed); versioned like update. */
PCRM_EXTERN(int) pcrm_customer_close(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, int expected_version);

/** A search; unset (NULL / 0) fields do not restrict.  Initialise with PCRM_CUSTOMER_QUERY_INIT. */
typedef struct pcrm_customer_query {
	unsigned int version;          /**< PCRM_CUSTOMER_QUERY_VERSION */
	const char *customer_no;       /**< exact */
	/**
	 * Names are sealed (docs/security.md): a prefix cannot be searched, and
	 * a non-NULL name_prefix is PCRM_EUNSUPPORTED.  Use `name`.
	 */
	const char *name_prefix;
	const char *phone;             /**< any of the customer's phones, normalised first */
	const char *id_number;         /**< exact, through the keyed hash (needs the data key) */
	const char *org_unit;          /**< this unit and its subtree */
	const char *transformer_area;  /**< exact */
	const char *cursor;            /**< from pcrm_customer_list_next_cursor(); NULL = first page;
	                                    anything else is PCRM_EINVAL ("query.cursor: ...") */
	int limit;                     /**< page size 1..1000; 0 = 50 */
	/**
	 * Version 2: the whole name, exactly, through its blind index (a keyed
	 * hash; needs the data key).
	 */
	const char *name;
} pcrm_customer_query;

#define PCRM_CUSTOMER_QUERY_VERSION 2
#define PCRM_CUSTOMER_QUERY_INIT { PCRM_CUSTOMER_QUERY_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL }

/**
 * Finds customers in the actor's subtree, ordered by customer number, one
 * page at a time.
 */
PCRM_EXTERN(int) pcrm_customer_search(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const pcrm_customer_query *query,
                                      pcrm_customer_list **out);

/**
 * Screen pop: the customers whose phones match the caller number (after
 * pcrm_phone_normalize()), inside the actor's subtree, VIPs first (highest
 * VIP level, then customer number).  An empty list when nobody matches.
 */
PCRM_EXTERN(int) pcrm_customer_find_by_phone(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *caller_number,
                                             pcrm_customer_list **out);


#define PCRM_IMPORT_RESULT_VERSION 1

/**
 * What an import did.  The caller sets `version` (PCRM_IMPORT_RESULT_INIT);
 * the library fills the fields that version has, so fields added later never
 * overwrite memory an older caller did not allocate.  Filled on failure too:
 * then it counts the batches committed before the failing one.
 */
typedef struct pcrm_import_result {
	unsigned int version;    /**< PCRM_IMPORT_RESULT_VERSION */
	int64_t imported;        /**< customers written by this call */
	/**
	 * lines skipped because the store already held their customer with
	 * exactly the line's content (a rerun of an interrupted import)
	 */
	int64_t already_present;
} pcrm_import_result;

#define PCRM_IMPORT_RESULT_INIT { PCRM_IMPORT_RESULT_VERSION, 0, 0 }

/**
 * Imports one batch of customers in JSON Lines form (one customer document
 * per line, blank lines ignored), all or nothing: every line is validated
 * and authorised before anything is written, and one failure imports none.
 * Errors name the line and field ("line 7: phones.mobile: ...").
 *
 * Imports are resumable: a line whose customer number the store already
 * holds with the same content (the stored document, and the ID number
 * compared through its keyed hash) is skipped and counted as already
 * present, so rerunning a file after an interrupted import finishes it.  A
 * customer number the store holds with other content is PCRM_EDUPLICATE
 * naming the line (and, for a customer of the same org unit, the first field
 * that differs, never its value); so is a number twice in the batch.
 * PostgreSQL loads through COPY.  A batch that writes anything is audited as
 * one "customer.import" entry (count, already_present, first and last
 * customer number written, SHA-256 of the input); a batch found entirely
 * present writes nothing, not even an audit entry.  *imported (may be NULL)
 * receives the number of customers written.
 */
PCRM_EXTERN(int) pcrm_customer_import(pcrm_ctx *ctx, const pcrm_actor *actor, const char *jsonl,
                                      size_t len, int64_t *imported);

/**
 * pcrm_customer_import() reporting into `result` (may be NULL; its version
 * must be set: an unknown version is PCRM_EINVAL and nothing is imported).
 */
PCRM_EXTERN(int) pcrm_customer_import_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                          const char *jsonl, size_t len,
                                          pcrm_import_result *result);

/**
 * Imports a JSON Lines file in batches of `batch_lines` lines (0 = 10000),
 * each all or nothing and committed on its own; stops at the first bad batch,
 * whose error names the line number in the file.  Earlier batches stay
 * imported and are counted in *imported.  Rerunning the same file after an
 * interruption (a crash, a kill, a stop by `progress`) skips the lines the
 * store already holds with the same content and imports the rest.
 * `progress` (may be NULL) receives, after each committed batch, the lines
 * done so far (customers imported plus lines found already imported).
 */
PCRM_EXTERN(int) pcrm_customer_import_file(pcrm_ctx *ctx, const pcrm_actor *actor,
                                           const char *path, int batch_lines,
                                           pcrm_progress_fn progress, void *userdata,
                                           int64_t *imported);

/** pcrm_customer_import_file() reporting into `result` (as pcrm_customer_import_ext()). */
PCRM_EXTERN(int) pcrm_customer_import_file_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                               const char *path, int batch_lines,
                                               pcrm_progress_fn progress, void *userdata,
                                               pcrm_import_result *result);

/**
 * Writes the customers of `org_unit`'s subtree (NULL: the actor's) as JSON
 * Lines in the import format, ordered by customer number.  ID numbers are
 * left out unless `flags` has PCRM_CUSTOMER_REVEAL_ID (needs
 * PCRM_PERM_PII_READ; audited), so an export can be imported again.
 */
PCRM_EXTERN(int) pcrm_customer_export(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const char *org_unit, unsigned int flags,
                                      pcrm_write_fn write, void *userdata, int64_t *exported);

/**
 * Erases a closed customer's personal data for good (crypto-shredding): the
 * customer's own data key is destroyed, so its name, phones, e-mail,
 * addresses and contact history's caller numbers and summaries, all sealed
 * under it, can never be read again; the ID number, the masks and the blind
 * indexes are removed.  What is not personal stays, so bills, the ledger,
 * work orders and the audit log keep verifying; pcrm_customer_get() then
 * shows the name "(erased)".  Needs PCRM_PERM_ARCHIVE_WRITE and
 * PCRM_PERM_PII_READ on the customer's org unit (a customer nobody has is
 * refused like one of another unit: PCRM_EPERM).  PCRM_ESTATE when the
 * customer is not closed or already erased, PCRM_ECONFLICT on a stale
 * version.  Audited as "customer.erase".
 */
PCRM_EXTERN(int) pcrm_customer_erase(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, int expected_version);

/**
 * Seals customers stored in clear before schema migration 20 (their name,
 * phones, e-mail, addresses, phone index entries and contact history), at
 * most `batch` customers (1..10000; 0 = 1000) of the actor's subtree in one
 * transaction, and writes one "customer.reseal" audit entry per customer
 * (committing to the resealed row, so pcrm_audit_verify() sees no tampering).
 * *remaining (may be NULL) receives how many such customers the subtree
 * still has: call again until it is 0.  Rows not yet sealed stay readable.
 * Needs the data key (PCRM_EPERM without) and PCRM_PERM_ARCHIVE_WRITE on
 * the actor's unit.  Safe to run while the store is in use: a customer
 * written in between is sealed by that write.
 */
PCRM_EXTERN(int) pcrm_customer_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch,
                                      int64_t *remaining);

PCRM_EXTERN(void) pcrm_customer_free(pcrm_customer *customer);

/* Accessors: strings live as long as the customer (or the list holding it);
 * a NULL customer gives NULL (strings) or 0. */
PCRM_EXTERN(const char *) pcrm_customer_no(const pcrm_customer *c);
PCRM_EXTERN(const char *) pcrm_customer_name(const pcrm_customer *c);
PCRM_EXTERN(const char *) pcrm_customer_org_unit(const pcrm_customer *c);
/** "applying", "active", "suspended" or "closed". */
PCRM_EXTERN(const char *) pcrm_customer_status(const pcrm_customer *c);
PCRM_EXTERN(int) pcrm_customer_vip_level(const pcrm_customer *c);
PCRM_EXTERN(int) pcrm_customer_version(const pcrm_customer *c);
PCRM_EXTERN(pcrm_time) pcrm_customer_created_at(const pcrm_customer *c);
PCRM_EXTERN(pcrm_time) pcrm_customer_updated_at(const pcrm_customer *c);
/**
 * The whole customer as a JSON object (the format of create, plus version,
 * created_at, updated_at; id_number masked unless revealed).
 */
PCRM_EXTERN(const char *) pcrm_customer_json(const pcrm_customer *c);

PCRM_EXTERN(size_t) pcrm_customer_list_count(const pcrm_customer_list *list);
PCRM_EXTERN(const pcrm_customer *) pcrm_customer_list_at(const pcrm_customer_list *list, size_t i);
/** The cursor for the next page, or NULL on the last page. */
PCRM_EXTERN(const char *) pcrm_customer_list_next_cursor(const pcrm_customer_list *list);
PCRM_EXTERN(void) pcrm_customer_list_free(pcrm_customer_list *list);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_CUSTOMER_H */
