/* Internal: the contact record shared by contact.c, contact_doc.c and the fuzz target. */
#ifndef PCRM_CONTACT_INTERNAL_H
#define PCRM_CONTACT_INTERNAL_H

#include <jansson.h>

#include <powercrm/contact.h>
#include <powercrm/customer.h>

#include "audit/audit.h"

#define PCRM__CONTACT_AGENT_MAX 64
#define PCRM__CONTACT_CODE_MAX 32
#define PCRM__CONTACT_WORK_ORDER_MAX 64
#define PCRM__CONTACT_DURATION_MAX 86400

/*
 * Every field of a contact.  Strings are borrowed (from a JSON document, a
 * result row or the actor); NULL marks an absent optional field and
 * duration_seconds -1 an absent duration.
 */
struct pcrm__contact_fields {
	const char *id;
	const char *customer_no;
	int has_at; /* at was given (documents only; rows always have it) */
	pcrm_time at;
	const char *channel;
	const char *direction;
	const char *agent;
	const char *caller_number;
	int duration_seconds;
	const char *business_code;
	const char *summary;
	const char *work_order_id;
	const char *recorded_by;
	pcrm_time recorded_at;
};

/**
 * Parses and validates a contact document of `len` bytes without touching
 * any store: JSON syntax, unknown fields, types, enums, lengths, the
 * instant, the caller number (normalised in place in *doc).  On success
 * *doc holds the document (json_decref it) and `out` borrows from it; id,
 * customer_no, recorded_by and the defaults of at and agent are left for
 * the caller.  PCRM_EINVAL names the field; *doc is NULL on failure.
 */
int pcrm__contact_parse(const char *text, size_t len, json_t **doc,
                        struct pcrm__contact_fields *out);

/**
 * Copies the fields into a new contact object (one allocation).  All of id,
 * customer_no, channel, direction, agent, summary and recorded_by must be
 * set.  `utc_offset` is the offset its call-log line is written in.
 */
int pcrm__contact_new(const struct pcrm__contact_fields *f, int utc_offset, pcrm_contact **out);

/**
 * Writes `n` validated contacts (every field set as pcrm__contact_new()
 * needs) through the store's bulk path, in the caller's transaction,
 * WITHOUT audit entries or permission checks: the caller has checked the
 * actor on every customer and audits the batch as a whole.  covers[i]
 * receives contact i's after-image digest (lib/audit/cover.c, "contact"),
 * taken while writing it, for the batch's entry to list.
 */
int pcrm__contact_insert_batch(pcrm_ctx *ctx, const struct pcrm__contact_fields *f,
                               size_t n, char (*covers)[PCRM__AUDIT_COVERS_MAX]);

/* What the store keeps of a contact's caller number and summary (contact_seal.c). */
struct pcrm__contact_sealed {
	char caller_masked[PCRM_PHONE_MAX]; /* "" when there is no caller number */
	char *sealed;                       /* hex; malloc'd */
};

/** Placeholder stored in contact.summary: the text itself is in contact.sealed. */
#define PCRM__CONTACT_SUMMARY_SEALED "(sealed)"

/** Seals caller number and summary under the customer's data key (32 bytes). */
int pcrm__contact_seal(const unsigned char *dek, const struct pcrm__contact_fields *f,
                       struct pcrm__contact_sealed *out);

/** Opens a sealed contact into {"summary", "caller_number"?} (json_decref it). */
int pcrm__contact_unseal(const unsigned char *dek, const char *id, const char *sealed,
                         json_t **out);

#endif
