/*
 * Internal: what the metering files share (accounts, metering points,
 * meters, readings): document checks, the owning customer and its
 * permission check, stored decimals, and the record object behind accounts
 * and metering points.
 */
#ifndef PCRM_METERING_INTERNAL_H
#define PCRM_METERING_INTERNAL_H

#include <jansson.h>

#include <powercrm/metering.h>

struct pcrm_rows;

/** Longest code (customer, account, metering point, meter number; org unit). */
#define PCRM__CODE_MAX 32
/** Arrays indexed by pcrm_register. */
#define PCRM__REG_SLOTS (PCRM_REGISTER_MAX_DEMAND + 1)
/** Decimals a reading and a multiplier may carry: enough for any display or CT/PT ratio. */
#define PCRM__READING_MAX_SCALE 6
#define PCRM__MULTIPLIER_MAX_SCALE 6
/* contracted kVA / kW: the tariff engine's quantity scale (micro-units) */
#define PCRM__CONTRACT_MAX_SCALE 6
#define PCRM__DIGITS_MAX 12

/* ---- documents (metering_doc.c) ---- */

/** Parses caller JSON; PCRM_EINVAL names `what` and the position. */
int pcrm__metering_parse_json(const char *what, const char *text, json_t **out);

/**
 * Validates an account or metering-point document in place (unknown
 * fields, types, enums, lengths, defaults).  With `patch`, only the fields
 * present are checked and null marks a removal of an optional field.
 */
int pcrm__account_doc_check(json_t *doc, int patch);
/** Checks an account document after an update's patch was merged into the stored one. */
int pcrm__account_merged_check(json_t *doc, const json_t *patch);
int pcrm__metering_point_doc_check(json_t *doc, int patch);

/**
 * The columns of `account` that copy its customer's row (migration 13),
 * and the customer columns (of `customer c`) they copy, in the same order.
 * A billing run reads them with the account; account.c keeps them right.
 */
#define PCRM__ACCOUNT_CUSTOMER_COLUMNS                                                         \
	"org_unit, usage_class, household_size, low_income, customer_status"
#define PCRM__ACCOUNT_CUSTOMER_SOURCE                                                          \
	"c.org_unit, c.usage_class, c.household_size, c.low_income, c.status"

/** How many contract terms an account stores, in the order pcrm__contract_terms_parse() reads. */
#define PCRM__CONTRACT_TERM_COUNT 6
/** Their names: document fields and (migration 9) column names of `account`. */
extern const char *const pcrm__contract_term_names[PCRM__CONTRACT_TERM_COUNT + 1];

/**
 * Turns the stored text of an account's contract terms (in
 * pcrm__contract_term_names order, NULL where a term is absent) into terms;
 * the one reader of what the archive wrote, whether from the document or
 * from the columns.  PCRM_ESTORE names the field when the store holds
 * something the archive never writes.
 */
int pcrm__contract_terms_parse(const char *const text[PCRM__CONTRACT_TERM_COUNT],
                               pcrm_contract_terms *out);

/**
 * Applies a checked patch (null removes) to a full document, then checks it
 * whole: merged_check(doc, patch), or check(doc, 0) when that is NULL.
 */
int pcrm__doc_merge(json_t *doc, const json_t *patch, int (*check)(json_t *, int),
                    int (*merged_check)(json_t *, const json_t *));

/* ---- bank account numbers, sealed (account_bank.c, migration 28) ---- */

/** Longest mask: as long as the longest number (32 digits). */
#define PCRM__BANK_ACCOUNT_MAX 32

/**
 * "6222***********4567": the last 4 digits, and the first 4 too when the
 * number has at least 16 (a card or account number of the usual length);
 * stars between.  Never all the digits: 8 digits keep 4 stars.
 */
void pcrm__mask_bank_account(const char *number, char out[PCRM__BANK_ACCOUNT_MAX + 1]);

/** Whether a stored bank_account is a mask (has a star) rather than digits in clear. */
int pcrm__bank_account_is_mask(const char *value);

/**
 * The account kind's seal hook (see struct pcrm__record_kind.seal): seals a
 * bank account number given in clear under the customer's data key and puts
 * its mask in the document.
 */
int pcrm__account_bank_seal(pcrm_ctx *ctx, const char *customer_no, const char *account_no,
                            json_t *doc, const json_t *patch, char **cipher, int *keep);

/**
 * Erasure of `customer_no` (inside its transaction): accounts whose number
 * is still in clear (written before migration 28, not resealed) keep only
 * its mask.  Sealed ones need nothing: their key is gone.
 */
int pcrm__account_bank_erase(pcrm_ctx *ctx, const char *customer_no);

/** A checked meter installation document; strings point into the document. */
struct pcrm__meter_spec {
	const char *meter_no;
	const char *type;
	pcrm_decimal multiplier;
	int digits;
	unsigned int registers;                 /* PCRM_REGISTER_BIT()s */
	pcrm_decimal initial[PCRM__REG_SLOTS];  /* cumulative registers only */
};

/** Checks a meter document; decimals in it are rewritten in canonical form. */
int pcrm__meter_doc_check(json_t *doc, struct pcrm__meter_spec *out);

/** A checked removal document. */
struct pcrm__removal_spec {
	const char *reason;
	unsigned int given;                     /* registers with a final reading */
	pcrm_decimal final[PCRM__REG_SLOTS];
};

/** Checks a removal document (registers are matched to the meter by the caller). */
int pcrm__removal_doc_check(json_t *doc, struct pcrm__removal_spec *out);

/** Checks a reading value: >= 0, below 10^digits, at most PCRM__READING_MAX_SCALE decimals. */
int pcrm__reading_value_check(const char *path, pcrm_decimal value, int digits);

/* ---- stored decimals (metering_common.c) ---- */

/** Reads a stored decimal; PCRM_ESTORE when the store holds something else. */
int pcrm__decimal_load(const char *text, pcrm_decimal *out);

/** 10^n for 0 <= n <= PCRM__DIGITS_MAX: a display's rollover point. */
int64_t pcrm__pow10(int n);

/** Canonical text of a decimal (valid scale assumed). */
void pcrm__decimal_text(pcrm_decimal v, char out[PCRM_DECIMAL_STRING_MAX]);

/** An instant as civil time of the context, for messages. */
void pcrm__time_text(const pcrm_ctx *ctx, pcrm_time t, char out[40]);

/* ---- the owning customer (metering_common.c) ---- */

struct pcrm__owner {
	char customer_no[PCRM__CODE_MAX + 1];
	char org_unit[PCRM__CODE_MAX + 1];
	int closed;
};

/** Checks a code argument ("customer_no: missing"). */
int pcrm__code_arg(const char *name, const char *value);

/** Loads a customer's org unit and state; PCRM_ENOTFOUND names the customer. */
int pcrm__owner_load(pcrm_ctx *ctx, const char *customer_no, struct pcrm__owner *out);

/**
 * Fills an owner from three row columns starting at `col`: customer_no,
 * org_unit, customer status.
 */
void pcrm__owner_from_row(struct pcrm_rows *rows, int col, struct pcrm__owner *out);

/**
 * The permission check on the owner's org unit after the lookup that filled
 * `owner` returned `lookup_rc` (pcrm__authorize_found): a miss (PCRM_ENOTFOUND)
 * and an owner outside the actor's subtree are refused alike, another error is
 * returned as it is.  Writing to a closed customer's archive is PCRM_ESTATE
 * after the permission check.
 */
int pcrm__owner_authorize(pcrm_ctx *ctx, const pcrm_actor *actor, int lookup_rc,
                          const struct pcrm__owner *owner, pcrm_permission permission);

/* ---- records: accounts and metering points (metering_common.c) ---- */

/** A stored document with its bookkeeping; the first member of pcrm_account and friends. */
struct pcrm__record {
	json_t *doc;  /* the document as returned, customer_no and bookkeeping included */
	char *json;   /* doc dumped once */
	int version;
	pcrm_time created_at;
	pcrm_time updated_at;
};

struct pcrm__record_list {
	struct pcrm__record **items;
	size_t count;
};

/** Builds a record from a stored document (takes a reference to doc). */
int pcrm__record_wrap(json_t *doc, const char *customer_no, int version, pcrm_time created_at,
                      pcrm_time updated_at, struct pcrm__record **out);

/** Reads columns customer_no, doc, version, created_at, updated_at from `col` on. */
int pcrm__record_from_row(struct pcrm_rows *rows, int col, struct pcrm__record **out);

void pcrm__record_free(struct pcrm__record *r);
const char *pcrm__record_str(const struct pcrm__record *r, const char *key);

/** Reads every row of a query into a list (columns as pcrm__record_from_row, at 0). */
int pcrm__record_list_load(pcrm_ctx *ctx, const char *sql, const char *key,
                           struct pcrm__record_list **out);
void pcrm__record_list_free(struct pcrm__record_list *list);

/**
 * What one kind of record (accounts, metering points) is: where it is
 * stored and the rules only it has.  record_store.c does the rest.
 */
struct pcrm__record_kind {
	const char *table;        /* the audit object type */
	const char *key;          /* the key column and document field ("account_no") */
	const char *column;       /* the other indexed column, copied from the document */
	const char *label;        /* for messages ("metering point") */
	const char *create_action, *update_action; /* audit actions */
	/*
	 * The statements, written out (values always bound):
	 * insert  ($1 customer_no, $2 key, $3 column, $4 status, $5 doc, $6 now)
	 * load    (owner columns customer_no, org_unit, status, then the record's
	 *          customer_no, doc, version, created_at, updated_at; $1 key)
	 * list    (the record's columns; $1 customer_no, ordered by key)
	 * update  ($1 column, $2 status, $3 doc, $4 now, $5 key, $6 expected version)
	 * Both insert and update bind the document fields named in `extras` as
	 * $7, $8, ... (NULL when the document has none).
	 */
	const char *insert_sql, *load_sql, *list_sql, *update_sql;
	/** Further document fields copied to columns of their own; NULL-terminated, or NULL. */
	const char *const *extras;
	const char *final_status; /* a status after which nothing changes; NULL: none */
	/** Validates a document or (patch = 1) a patch in place. */
	int (*doc_check)(json_t *doc, int patch);
	/** Checks references to other records; `patch` is NULL on create.  May be NULL. */
	int (*check_links)(pcrm_ctx *ctx, const char *customer_no, const json_t *doc,
	                   const json_t *patch);
	/** Checks that the record may take `status` (inside the update's transaction).  May be NULL. */
	int (*check_status)(pcrm_ctx *ctx, const char *key, const char *status);
	/** Writes what copies the updated record's columns (inside the update's transaction).  May be NULL. */
	int (*after_update)(pcrm_ctx *ctx, const char *key, const json_t *doc);
	/** Checks the document an update's patch was merged into.  NULL: doc_check. */
	int (*merged_check)(json_t *doc, const json_t *patch);
	/**
	 * Seals what the document must not hold in clear (inside the write's
	 * transaction; `patch` is NULL on create): the document gets its mask,
	 * *cipher (malloc'd, NULL: none) is bound after the extras, and on update
	 * *keep (bound next) says to keep the stored cipher instead.  May be NULL.
	 */
	int (*seal)(pcrm_ctx *ctx, const char *customer_no, const char *key, json_t *doc,
	            const json_t *patch, char **cipher, int *keep);
};

/* Create, get, list per customer and update; permission checks and audit included. */
int pcrm__record_create(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *customer_no,
                        const char *json, struct pcrm__record **out);
int pcrm__record_get(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__record_kind *kind,
                     const char *key, struct pcrm__record **out);
int pcrm__record_list_of(pcrm_ctx *ctx, const pcrm_actor *actor,
                         const struct pcrm__record_kind *kind, const char *customer_no,
                         struct pcrm__record_list **out);
int pcrm__record_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *key,
                        const char *patch_json, int expected_version, struct pcrm__record **out);

/** The document as stored: without customer_no and bookkeeping; malloc'd JSON text. */
char *pcrm__record_stored_doc(const json_t *doc);

/** A copy of a record's document without customer_no and bookkeeping (NULL: out of memory). */
json_t *pcrm__record_doc_copy(const struct pcrm__record *r);

/** A copy of `doc` for an audit summary, bank_account masked. */
json_t *pcrm__audit_doc(const json_t *doc);

/* ---- meters and readings (meter.c, reading.c) ---- */

/** The installation a reading or removal works on, as loaded from the store. */
struct pcrm__installation {
	struct pcrm__owner owner;
	int64_t id;
	char mp_no[PCRM__CODE_MAX + 1];
	char meter_no[PCRM__CODE_MAX + 1];
	pcrm_decimal multiplier;
	int digits;
	pcrm_time installed_at;
	int in_service;
	pcrm_time removed_at;
};

/** The state of one register of an installation. */
struct pcrm__register_state {
	pcrm_register reg;
	pcrm_decimal last_value;
	pcrm_time last_read_at;
	int64_t last_seq;
};

/**
 * Loads the newest installation (in service, or the last one removed) at a
 * metering point (`by_meter` 0) or of a meter (`by_meter` 1); *found is 0
 * when there never was one.
 */
int pcrm__installation_latest(pcrm_ctx *ctx, int by_meter, const char *key,
                              struct pcrm__installation *out, int *found);

/** Loads a metering point's owner and whether the point is active; PCRM_ENOTFOUND names it. */
int pcrm__point_owner(pcrm_ctx *ctx, const char *mp_no, struct pcrm__owner *owner, int *active);

/**
 * Locks an installation in service for the current transaction (bumps its
 * version): PCRM_ESTATE when it was removed meanwhile.
 */
int pcrm__installation_lock(pcrm_ctx *ctx, const struct pcrm__installation *inst);

/** Loads the state of every register of an installation, indexed by register. */
int pcrm__register_states(pcrm_ctx *ctx, int64_t installation_id,
                          struct pcrm__register_state states[PCRM__REG_SLOTS],
                          unsigned int *registers);

/**
 * Checks a reading against its register's state and computes it: the
 * ordering in time, the value against 10^digits, backwards without a
 * rollover, the energy.  `path` names the value in errors.
 */
int pcrm__reading_compute(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                          const struct pcrm__register_state *state, const char *path,
                          pcrm_decimal value, pcrm_time read_at, unsigned int flags,
                          pcrm_reading *out);

/** Stores a computed reading and advances its register (inside the caller's transaction). */
int pcrm__reading_store(pcrm_ctx *ctx, const struct pcrm__installation *inst,
                        const struct pcrm__register_state *state, const pcrm_reading *reading);

/** The JSON summary of a reading for audit entries. */
json_t *pcrm__reading_summary(const pcrm_reading *reading);

#endif
