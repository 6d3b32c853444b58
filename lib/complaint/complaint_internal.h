/* Internal: what the complaint module's files share. */
#ifndef PCRM_COMPLAINT_INTERNAL_H
#define PCRM_COMPLAINT_INTERNAL_H

#include <jansson.h>

#include <powercrm/complaint.h>
#include <powercrm/customer.h>

#include "core/crypto.h"

#define PCRM__COMPLAINT_TEXT_MAX 4000

/** The five 95598 categories, NULL-terminated. */
extern const char *const pcrm__complaint_categories[];
/** The channels a ticket may arrive over, NULL-terminated. */
extern const char *const pcrm__complaint_channels[];

/** Nonzero when `s` is one of the NULL-terminated `list`. */
int pcrm__complaint_one_of(const char *s, const char *const *list);

/**
 * The stored configuration, validated (pcrm_complaint_config_set()).
 * PCRM_ESTATE when none was set.  json_decref() it.
 */
int pcrm__complaint_config_load(pcrm_ctx *ctx, json_t **out);

/** Nonzero when `subcategory` is listed for `category` in the configuration. */
int pcrm__complaint_subcategory_known(const json_t *config, const char *category,
                                      const char *subcategory);

/**
 * The responsible unit for a ticket of category/subcategory whose customer
 * (or, anonymous, accepting) unit is `org_unit`: the first rule that
 * matches, else the default unit with *by_default = 1.  *out is malloc'd.
 */
int pcrm__complaint_route(pcrm_ctx *ctx, const json_t *config, const char *category,
                          const char *subcategory, const char *org_unit, char **out,
                          int *by_default);

/** Failed return-visit attempts that close a ticket unreached (configuration, or the default). */
int pcrm__complaint_visit_attempts(const json_t *config);

/** What a filing document holds once validated (strings point into the document). */
struct pcrm__complaint_input {
	const char *channel, *caller_number_raw, *customer_no, *category, *subcategory, *nature,
		*urgency, *description, *recording_ref;
	const json_t *anonymous;        /* {"name", "contact"} or NULL */
	const char *target_person, *target_phone;
	int has_accepted_at;
	pcrm_time accepted_at;
};

/** Parses and validates a filing document; *doc owns the strings. */
int pcrm__complaint_parse(const char *json, json_t **doc, struct pcrm__complaint_input *in);

/**
 * Parses and validates a review document ({"decision": "approve" | "return",
 * "reason": 1..2000 bytes, required for a return}); *doc owns the strings,
 * *reason is NULL when absent.  Store-free, so the fuzz target runs it.
 */
int pcrm__complaint_review_parse(const char *json, json_t **doc, const char **decision,
                                 const char **reason);

/**
 * Loads a ticket row as an object (decref it) with its org units, without
 * a permission check; PCRM_ENOTFOUND names the serial.
 */
int pcrm__complaint_load(pcrm_ctx *ctx, const char *serial, json_t **out);

/** Wraps a loaded row as the caller's object (takes the reference). */
int pcrm__complaint_wrap(json_t *row, pcrm_complaint **out);

/** Loads a ticket and checks `permission` on its responsible unit. */
int pcrm__complaint_load_authorized(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                    pcrm_permission permission, json_t **out);

/*
 * The summary's days (complaint_day.day) are days of this fixed offset,
 * +08:00, whatever a context's civil offset: a period aligned to other days
 * is still exact (its partial days are read from the tickets), and the
 * summary never depends on which context wrote it.
 */
#define PCRM__COMPLAINT_DAY_OFFSET 28800
#define PCRM__COMPLAINT_DAY_OFFSET_SQL "28800"

/**
 * Adds (sign 1) or subtracts (sign -1) ticket `serial`'s contribution to the
 * per-day summary as its row reads now; merged tickets contribute nothing.
 * A change to a ticket calls it with -1 before and 1 after, in its
 * transaction.
 */
int pcrm__complaint_summary_apply(pcrm_ctx *ctx, const char *serial, int sign);

/** The definition a ticket's work order runs on. */
struct pcrm__complaint_definition {
	char workflow[65];
	int version;
};

/**
 * The reply deadline of a ticket accepted at `accepted_at` whose work order
 * runs version `version` of `workflow`: the process limit counted from
 * acceptance on that version's calendar; 0 when the process has no limit.
 */
int pcrm__complaint_deadline(pcrm_ctx *ctx, const char *workflow, int version,
                             pcrm_time accepted_at, pcrm_time *due);

/**
 * Working seconds in [due, at) on the calendar of `workflow` version
 * `version` (plain seconds when it has none); 0 when due is 0 or at <= due.
 */
int pcrm__complaint_late_seconds(pcrm_ctx *ctx, const char *workflow, int version, pcrm_time due,
                                 pcrm_time at, int64_t *out);

/* ---- the caller number at rest (complaint_caller.c) ---- */

struct pcrm__complaint_caller {
	char masked[PCRM_PHONE_MAX];
	char hash[PCRM_SHA256_HEX_LEN + 1];
	char cipher[2 * (PCRM_PHONE_MAX + PCRM_AEAD_OVERHEAD) + 1];
};

/** The keyed hash the repeat check looks a normalised caller number up by. */
int pcrm__complaint_caller_hash(const pcrm_ctx *ctx, const char *caller,
                                char out[PCRM_SHA256_HEX_LEN + 1]);

/** Mask, keyed hash and cipher (bound to `serial`) of a normalised caller number. */
int pcrm__complaint_caller_seal(const pcrm_ctx *ctx, const char *serial, const char *caller,
                                struct pcrm__complaint_caller *out);

/** Opens what pcrm__complaint_caller_seal() sealed. */
int pcrm__complaint_caller_open(const pcrm_ctx *ctx, const char *serial, const char *cipher,
                                char out[PCRM_PHONE_MAX]);

#endif
