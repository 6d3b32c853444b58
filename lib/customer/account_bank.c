/*
 * Bank account numbers of bank-collection accounts (银行代扣), sealed
 * (docs/security.md "Personal data", schema 28).
 *
 * The number is AES-256-GCM under the customer's own data key (pii.h), bound
 * to the account number, in account.bank_cipher; the document keeps only its
 * mask, which is all that reading an account, its JSON and the audit log
 * ever show.  Erasing the customer destroys the key, so the number goes with
 * the rest of its personal data.  Nothing looks an account up by its bank
 * number, so there is no blind index.
 *
 * The clear number is needed only to hand it to the bank (the collection
 * file of a bank-collection run): pcrm_account_bank_account_reveal() opens
 * it in memory for an actor with bank.reconcile, audited.
 *
 * Accounts written before schema 28 keep the number in clear in the
 * document until pcrm_account_reseal() seals them (a migration runs without
 * the key); an update with a keyed context seals them too.  Until then they
 * read as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"


void pcrm__mask_bank_account(const char *number, char out[PCRM__BANK_ACCOUNT_MAX + 1])
{
	size_t n = strlen(number);
	size_t head = n >= 16 ? 4 : 0;

	if (n > PCRM__BANK_ACCOUNT_MAX)
		n = PCRM__BANK_ACCOUNT_MAX;
	for (size_t i = 0; i < n; i++)
		out[i] = (i < head || i + 4 >= n) && n >= 8 ? number[i] : '*';
	out[n] = '\0';
}

int pcrm__bank_account_is_mask(const char *value)
{
	return strchr(value, '*') != NULL;
}

/* Bound to the account: a cipher copied to another account row does not open. */
static void bank_aad(const char *account_no, char *out, size_t size)
{
	snprintf(out, size, "account bank_account:%s", account_no);
}

/* Seals `number` for account_no of customer_no: *cipher malloc'd hex. */
static int seal_number(pcrm_ctx *ctx, const char *customer_no, const char *account_no,
                       const char *number, char **cipher)
{
	unsigned char dek[PCRM__DEK_LEN];
	enum pcrm__dek_state state;
	char aad[80];
	int rc = pcrm__pii_need_key(ctx, "bank_account");

	/* a customer stored before migration 20 gets its data key now; an erased one refuses */
	if (rc == PCRM_OK)
		rc = pcrm__customer_dek(ctx, customer_no, 1, dek, &state);
	bank_aad(account_no, aad, sizeof(aad));
	if (rc == PCRM_OK)
		rc = pcrm__pii_seal_text(dek, aad, number, cipher);
	OPENSSL_cleanse(dek, sizeof(dek));
	return rc;
}

int pcrm__account_bank_seal(pcrm_ctx *ctx, const char *customer_no, const char *account_no,
                            json_t *doc, const json_t *patch, char **cipher, int *keep)
{
	const char *number = json_string_value(json_object_get(doc, "bank_account"));
	char masked[PCRM__BANK_ACCOUNT_MAX + 1];
	int rc;

	*cipher = NULL;
	*keep = 0;
	if (!number) /* none (any more): the stored cipher goes too */
		return PCRM_OK;
	if (patch && !json_object_get(patch, "bank_account")) {
		/*
		 * Left alone by the update: a mask has its cipher stored; a number
		 * stored in clear before migration 28 is sealed now when the context
		 * can, and otherwise stays as it was until pcrm_account_reseal().
		 */
		if (pcrm__bank_account_is_mask(number) || !ctx->has_data_key) {
			*keep = 1;
			return PCRM_OK;
		}
	}
	rc = seal_number(ctx, customer_no, account_no, number, cipher);
	if (rc != PCRM_OK)
		return rc;
	pcrm__mask_bank_account(number, masked);
	if (json_object_set_new(doc, "bank_account", json_string(masked))) {
		free(*cipher);
		*cipher = NULL;
		return pcrm__error_oom();
	}
	return PCRM_OK;
}

/* ---- what is still in clear: erasure and reseal ---- */

struct clear_account {
	char account_no[PCRM__CODE_MAX + 1];
	char customer_no[PCRM__CODE_MAX + 1];
	char *doc;
	int64_t version;
};

static void clear_accounts_free(struct clear_account *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		if (items[i].doc) {
			OPENSSL_cleanse(items[i].doc, strlen(items[i].doc));
			free(items[i].doc);
		}
	}
	free(items);
}

/* Reads (account_no, customer_no, doc, version) rows; at most `max` (0: no limit). */
static int read_clear(pcrm_ctx *ctx, const char *sql, const pcrm_sql_value *p, int np,
                      size_t max, struct clear_account **out, size_t *count)
{
	struct clear_account *items = NULL;
	size_t n = 0, cap = 0;
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, np, &rows);

	*out = NULL;
	*count = 0;
	if (rc != PCRM_OK)
		return rc;
	/* collected first: a statement may not run while the query's rows are open */
	while ((rc = pcrm__rows_next(rows)) == 1 && (max == 0 || n < max)) {
		if (n == cap) {
			struct clear_account *grown = realloc(items, (cap = cap ? cap * 2 : 8) * sizeof(*items));
			if (!grown) {
				rc = pcrm__error_oom();
				break;
			}
			items = grown;
		}
		snprintf(items[n].account_no, sizeof(items[n].account_no), "%s", pcrm__rows_text(rows, 0));
		snprintf(items[n].customer_no, sizeof(items[n].customer_no), "%s",
		         pcrm__rows_text(rows, 1));
		items[n].doc = strdup(pcrm__rows_text(rows, 2));
		items[n].version = pcrm__rows_int(rows, 3);
		n++;
		if (!items[n - 1].doc) {
			rc = pcrm__error_oom();
			break;
		}
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		clear_accounts_free(items, n);
		return rc;
	}
	*out = items;
	*count = n;
	return PCRM_OK;
}

/*
 * The document of an account stored in clear, its number replaced by the
 * mask (*stored malloc'd); *number receives the clear number (malloc'd) when
 * not NULL.
 */
static int mask_doc(const struct clear_account *a, char **stored, char **number)
{
	char masked[PCRM__BANK_ACCOUNT_MAX + 1];
	json_error_t err;
	json_t *doc = json_loads(a->doc, 0, &err);
	const char *clear = json_string_value(json_object_get(doc, "bank_account"));
	int rc = PCRM_OK;

	*stored = NULL;
	if (number)
		*number = NULL;
	if (!doc)
		return pcrm__error(PCRM_ESTORE, "account \"%s\" holds invalid JSON", a->account_no);
	if (!clear || pcrm__bank_account_is_mask(clear) || strlen(clear) > PCRM__BANK_ACCOUNT_MAX)
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "account \"%s\": bank_account is neither sealed nor a number in clear",
		                 a->account_no);
	if (rc == PCRM_OK && number && !(*number = strdup(clear)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		pcrm__mask_bank_account(clear, masked);
		json_object_set_new(doc, "bank_account", json_string(masked));
		*stored = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		if (!*stored)
			rc = pcrm__error_oom();
	}
	json_decref(doc);
	return rc;
}

int pcrm__account_bank_erase(pcrm_ctx *ctx, const char *customer_no)
{
	static const char sql[] = "SELECT account_no, customer_no, doc, version FROM account "
	                          "WHERE customer_no = $1 AND bank_cipher IS NULL "
	                          "AND payment_method = 'bank_collection'";
	pcrm_sql_value p[2] = { PCRM_SQL_S(customer_no) };
	struct clear_account *items;
	size_t n;
	int rc = read_clear(ctx, sql, p, 1, 0, &items, &n);

	for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
		char *stored;
		rc = mask_doc(&items[i], &stored, NULL);
		p[0] = PCRM_SQL_S(items[i].account_no);
		p[1] = PCRM_SQL_S(stored);
		if (rc == PCRM_OK)
			rc = pcrm__store_exec(ctx->store,
			                      "UPDATE account SET doc = $2 WHERE account_no = $1", p, 2,
			                      NULL);
		free(stored);
	}
	clear_accounts_free(items, n);
	return rc;
}

/*
 * Accounts of the actor's subtree whose number is still in clear: a bank
 * collection without a cipher (the partial index of migration 28), of a
 * customer not erased (erasure masked those).
 */
#define CLEAR_WHERE                                                                                \
	"WHERE a.bank_cipher IS NULL AND a.payment_method = 'bank_collection' "                    \
	"AND substr(o.path, 1, length($1)) = $1 AND NOT EXISTS (SELECT 1 FROM customer c "         \
	"WHERE c.customer_no = a.customer_no AND c.erased_at IS NOT NULL)"

static int reseal_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int batch)
{
	static const char sql[] = "SELECT a.account_no, a.customer_no, a.doc, a.version FROM account a "
	                          "JOIN org_unit o ON o.code = a.org_unit " CLEAR_WHERE
	                          " ORDER BY a.account_no LIMIT $2";
	/*
	 * The version guards the document read against a change in between (a
	 * keyless update keeps the number in clear but changes other fields):
	 * such an account is left for the next call.
	 */
	static const char update[] = "UPDATE account SET doc = $2, bank_cipher = $3 "
	                             "WHERE account_no = $1 AND bank_cipher IS NULL AND version = $4";
	pcrm_sql_value p[4] = { PCRM_SQL_S(scope), PCRM_SQL_I(batch) };
	struct clear_account *items = NULL;
	json_t *accounts = json_array(), *summary = NULL;
	size_t n = 0;
	int rc = accounts ? read_clear(ctx, sql, p, 2, (size_t)batch, &items, &n) : pcrm__error_oom();

	for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
		char *stored = NULL, *number = NULL, *cipher = NULL;
		int64_t changed = 0;
		rc = mask_doc(&items[i], &stored, &number);
		if (rc == PCRM_OK)
			rc = seal_number(ctx, items[i].customer_no, items[i].account_no, number, &cipher);
		p[0] = PCRM_SQL_S(items[i].account_no);
		p[1] = PCRM_SQL_S(stored);
		p[2] = PCRM_SQL_S(cipher);
		p[3] = PCRM_SQL_I(items[i].version);
		if (rc == PCRM_OK)
			rc = pcrm__store_exec(ctx->store, update, p, 4, &changed);
		if (rc == PCRM_OK && changed == 1 &&
		    json_array_append_new(accounts, json_string(items[i].account_no)))
			rc = pcrm__error_oom();
		if (number)
			OPENSSL_cleanse(number, strlen(number));
		free(number);
		free(stored);
		free(cipher);
	}
	/* one entry per batch naming the accounts (account numbers are not personal) */
	if (rc == PCRM_OK && json_array_size(accounts) > 0) {
		summary = json_pack("{s:O}", "accounts", accounts);
		rc = summary ? pcrm__audit_append(ctx, actor, "account.reseal", "org_unit",
		                                  actor->org_unit, summary) :
		               pcrm__error_oom();
	}
	json_decref(summary);
	json_decref(accounts);
	clear_accounts_free(items, n);
	return rc;
}

int pcrm_account_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, int64_t *remaining)
{
	static const char count_sql[] = "SELECT COUNT(*) FROM account a "
	                                "JOIN org_unit o ON o.code = a.org_unit " CLEAR_WHERE;
	return pcrm__reseal_run(ctx, actor, batch, reseal_batch, count_sql, remaining);
}

/* ---- the number in clear, for the bank ---- */

struct bank_row {
	char customer_no[PCRM__CODE_MAX + 1];
	char org_unit[PCRM__CODE_MAX + 1];
	int erased;
	char *number; /* the document's bank_account: a mask, or a clear number before 28 */
	char *cipher;
};

static void bank_row_clear(struct bank_row *r)
{
	if (r->number)
		OPENSSL_cleanse(r->number, strlen(r->number));
	free(r->number);
	free(r->cipher);
}

static int load_bank_row(pcrm_ctx *ctx, const char *account_no, struct bank_row *r)
{
	static const char sql[] =
		"SELECT a.customer_no, c.org_unit, c.erased_at, a.doc, a.bank_cipher FROM account a "
		"JOIN customer c ON c.customer_no = a.customer_no WHERE a.account_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		json_error_t err;
		json_t *doc = json_loads(pcrm__rows_text(rows, 3), 0, &err);
		const char *number = json_string_value(json_object_get(doc, "bank_account"));
		snprintf(r->customer_no, sizeof(r->customer_no), "%s", pcrm__rows_text(rows, 0));
		snprintf(r->org_unit, sizeof(r->org_unit), "%s", pcrm__rows_text(rows, 1));
		r->erased = !pcrm__rows_is_null(rows, 2);
		r->number = number ? strdup(number) : NULL;
		r->cipher = pcrm__rows_is_null(rows, 4) ? NULL : strdup(pcrm__rows_text(rows, 4));
		rc = !doc ? pcrm__error(PCRM_ESTORE, "account \"%s\" holds invalid JSON", account_no) :
		     (number && !r->number) || (!pcrm__rows_is_null(rows, 4) && !r->cipher) ?
		            pcrm__error_oom() :
		            PCRM_OK;
		json_decref(doc);
	} else if (rc == 0) {
		rc = PCRM_ENOTFOUND;
	}
	pcrm__rows_free(rows);
	return rc;
}

/* The clear number of a loaded, authorised account (*out malloc'd). */
static int open_number(pcrm_ctx *ctx, const char *account_no, const struct bank_row *r,
                       char **out)
{
	unsigned char dek[PCRM__DEK_LEN];
	enum pcrm__dek_state state = PCRM__DEK_NONE;
	char aad[80];
	int rc;

	if (!r->number)
		return pcrm__error(PCRM_ESTATE, "account \"%s\" has no bank account (not a bank "
		                                "collection)", account_no);
	if (r->erased)
		return pcrm__error(PCRM_ESTATE, "bank_account: the personal data of customer \"%s\" "
		                                "was erased; account \"%s\"'s number is gone",
		                   r->customer_no, account_no);
	if (!r->cipher) { /* stored before migration 28, not resealed yet */
		if (pcrm__bank_account_is_mask(r->number))
			return pcrm__error(PCRM_EINTEGRITY, "account \"%s\": bank_account is a mask "
			                                    "without its cipher", account_no);
		*out = strdup(r->number);
		return *out ? PCRM_OK : pcrm__error_oom();
	}
	rc = pcrm__pii_need_key(ctx, "bank_account");
	if (rc == PCRM_OK)
		rc = pcrm__customer_dek(ctx, r->customer_no, 0, dek, &state);
	if (rc == PCRM_OK && state != PCRM__DEK_OPEN)
		rc = pcrm__error(PCRM_EINTEGRITY, "account \"%s\": bank_account is sealed but customer "
		                                  "\"%s\" has no data key", account_no, r->customer_no);
	bank_aad(account_no, aad, sizeof(aad));
	if (rc == PCRM_OK)
		rc = pcrm__pii_open_text(dek, aad, r->cipher, out);
	OPENSSL_cleanse(dek, sizeof(dek));
	return rc;
}

int pcrm_account_bank_account_reveal(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *account_no, char **out)
{
	struct bank_row r;
	char masked[PCRM__BANK_ACCOUNT_MAX + 1];
	char *number = NULL;
	json_t *summary;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	memset(&r, 0, sizeof(r));
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("account_no", account_no);
	if (rc == PCRM_OK)
		rc = load_bank_row(ctx, account_no, &r);
	/* an account nobody has is refused like one of another unit (no oracle) */
	if (rc == PCRM_OK || rc == PCRM_ENOTFOUND)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_BANK_RECONCILE, "account", account_no,
		                           rc, r.org_unit);
	if (rc == PCRM_OK)
		rc = open_number(ctx, account_no, &r, &number);
	if (rc == PCRM_OK) {
		/* seeing the number is recorded like a change; the entry keeps the mask */
		pcrm__mask_bank_account(number, masked);
		summary = json_pack("{s:s}", "bank_account", masked);
		rc = summary ? pcrm__audit_append(ctx, actor, "account.reveal_bank_account", "account",
		                                  account_no, summary) :
		               pcrm__error_oom();
		json_decref(summary);
	}
	if (rc == PCRM_OK)
		*out = number;
	else if (number) {
		OPENSSL_cleanse(number, strlen(number));
		free(number);
	}
	bank_row_clear(&r);
	return rc;
}
