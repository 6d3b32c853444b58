/*
 * IVR PINs (docs/ivr.md, "Identifying the caller"): identifying by
 * customer number + PIN, and setting or changing the PIN in a call the
 * customer authorises with the ID digits or the current PIN.  A PIN is 6
 * to 8 digits, a small space: the lockout shared with the ID digits is
 * what stops guessing on the phone; the slow, salted hash (PBKDF2 from
 * OpenSSL) is what keeps a copy of the store from giving every PIN away
 * at once.  The PIN itself is never stored, logged, audited or echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <powercrm/ivr.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "ivr_internal.h"
#include "store/store.h"

/* Rounds for new PINs; each row keeps its own, so raising this keeps old PINs valid. */
#define PIN_ITERATIONS 100000u
#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32

struct pin_hash {
	char salt[2 * PIN_SALT_LEN + 1];
	char hash[2 * PIN_HASH_LEN + 1];
	unsigned iterations;
};

static int pin_check(const char *field, const char *pin)
{
	size_t n;

	if (pin == NULL)
		return pcrm__error(PCRM_EINVAL, "%s: missing", field);
	n = strlen(pin);
	if (n < PCRM_IVR_PIN_MIN || n > PCRM_IVR_PIN_MAX || strspn(pin, "0123456789") != n)
		return pcrm__error(PCRM_EINVAL, "%s: must be %d to %d digits", field, PCRM_IVR_PIN_MIN,
		                   PCRM_IVR_PIN_MAX);
	return PCRM_OK;
}

/* A new PIN must not be one digit repeated or a run up or down (123456, 987654). */
static int new_pin_check(const char *pin)
{
	int same = 1, up = 1, down = 1;
	int rc = pin_check("new_pin", pin);

	if (rc != PCRM_OK)
		return rc;
	for (size_t i = 1; pin[i]; i++) {
		same &= pin[i] == pin[i - 1];
		up &= pin[i] == pin[i - 1] + 1;
		down &= pin[i] == pin[i - 1] - 1;
	}
	if (same || up || down)
		return pcrm__error(PCRM_EINVAL, "new_pin: too easy to guess (one digit repeated or "
		                   "a run of digits)");
	return PCRM_OK;
}

static int derive(const char *pin, const unsigned char *salt, unsigned iterations,
                  unsigned char out[PIN_HASH_LEN])
{
	return pcrm__pbkdf2_sha256(pin, strlen(pin), salt, PIN_SALT_LEN, iterations, out,
	                           PIN_HASH_LEN);
}

static int hash_new(const char *pin, struct pin_hash *h)
{
	unsigned char salt[PIN_SALT_LEN], hash[PIN_HASH_LEN];
	int rc = pcrm__random_bytes(salt, sizeof(salt));

	if (rc == PCRM_OK)
		rc = derive(pin, salt, PIN_ITERATIONS, hash);
	if (rc == PCRM_OK) {
		pcrm__hex_encode(salt, sizeof(salt), h->salt);
		pcrm__hex_encode(hash, sizeof(hash), h->hash);
		h->iterations = PIN_ITERATIONS;
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/*
 * Whether `pin` is the customer's PIN.  Without a PIN a hash is still
 * derived (from a fixed salt), so the answer takes as long either way.
 */
static int pin_matches(pcrm_ctx *ctx, const char *customer_no, const char *pin, int *match)
{
	static const unsigned char no_salt[PIN_SALT_LEN];
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	unsigned char salt[PIN_SALT_LEN], want[PIN_HASH_LEN], got[PIN_HASH_LEN];
	int64_t iterations = PIN_ITERATIONS;
	pcrm_rows *rows = NULL;
	int found = 0;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT salt, hash, iterations FROM ivr_pin WHERE customer_no = $1",
	                           p, 1, &rows);

	*match = 0;
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		iterations = pcrm__rows_int(rows, 2);
		if (pcrm__hex_decode(pcrm__rows_text(rows, 0), salt, sizeof(salt)) != PIN_SALT_LEN ||
		    pcrm__hex_decode(pcrm__rows_text(rows, 1), want, sizeof(want)) != PIN_HASH_LEN ||
		    iterations < 1 || iterations > 100000000)
			rc = pcrm__error(PCRM_ESTORE, "customer %s: the stored PIN is malformed",
			                 customer_no);
		else
			found = 1;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = derive(pin, found ? salt : no_salt, (unsigned)iterations, got);
	if (rc == PCRM_OK)
		*match = found && CRYPTO_memcmp(got, want, PIN_HASH_LEN) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

/* ---- the tries ---- */

struct pin_try {
	const char *customer_no;
	const char *credential; /* the PIN or the ID digits keyed in */
	const char *new_pin;    /* NULL: identification only */
	int by_digits;          /* the credential is ID digits */
	const pcrm_actor *actor;
	struct pin_hash fresh;  /* new_pin hashed, once the credential matched */
};

static int try_check(void *arg)
{
	struct pin_try *t = arg;
	int rc = t->by_digits ? pcrm__ivr_digits_check(t->credential) :
	                        pin_check(t->new_pin ? "old_pin" : "pin", t->credential);

	if (rc == PCRM_OK && t->new_pin != NULL)
		rc = new_pin_check(t->new_pin);
	return rc;
}

static int try_match(pcrm_ctx *ctx, const pcrm_customer *c, void *arg, int *match)
{
	struct pin_try *t = arg;
	int rc = PCRM_OK;

	if (t->by_digits)
		*match = pcrm__ivr_digits_match(c, t->credential);
	else
		rc = pin_matches(ctx, t->customer_no, t->credential, match);
	/* the new PIN's slow hash, outside the write transaction */
	if (rc == PCRM_OK && *match && t->new_pin != NULL)
		rc = hash_new(t->new_pin, &t->fresh);
	return rc;
}

/* Runs in the try's transaction once the caller is identified. */
static int store_pin(pcrm_ctx *ctx, void *arg)
{
	struct pin_try *t = arg;
	pcrm_sql_value p[6] = { PCRM_SQL_S(t->customer_no), PCRM_SQL_S(t->fresh.salt),
		                PCRM_SQL_S(t->fresh.hash), PCRM_SQL_I(t->fresh.iterations),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)), PCRM_SQL_S(t->actor->operator_id) };
	json_t *summary;
	int rc = pcrm__store_exec(
		ctx->store,
		"INSERT INTO ivr_pin (org_unit, customer_no, salt, hash, iterations, set_at, set_by)"
		" SELECT org_unit, customer_no, $2, $3, $4, $5, $6 FROM customer WHERE customer_no = $1"
		" ON CONFLICT (customer_no) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,"
		" iterations = excluded.iterations, set_at = excluded.set_at, set_by = excluded.set_by",
		p, 6, NULL);

	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s}", "authorised_by", t->by_digits ? "id_digits" : "pin");
	if (summary == NULL)
		return pcrm__error_oom();
	rc = pcrm__audit_append(ctx, t->actor, "ivr.pin_set", "customer", t->customer_no, summary);
	json_decref(summary);
	return rc;
}

static int run(pcrm_ctx *ctx, const pcrm_actor *actor, struct pin_try *t, const char *method,
               const pcrm_ivr_lockout *policy, pcrm_ivr_identity *out)
{
	struct pcrm__ivr_try spec = { .customer_no = t->customer_no, .method = method,
		                      .policy = policy, .check = try_check, .match = try_match,
		                      .on_identified = t->new_pin ? store_pin : NULL, .arg = t,
		                      .write = t->new_pin != NULL };
	int rc;

	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	t->actor = actor;
	rc = pcrm__ivr_try(ctx, actor, &spec, out);
	OPENSSL_cleanse(&t->fresh, sizeof(t->fresh));
	return rc;
}

int pcrm_ivr_identify_by_pin(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                             const char *pin, const pcrm_ivr_lockout *policy,
                             pcrm_ivr_identity *out)
{
	struct pin_try t = { .customer_no = customer_no, .credential = pin };

	return run(ctx, actor, &t, "pin", policy, out);
}

int pcrm_ivr_pin_set(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                     const char *id_digits, const char *new_pin, const pcrm_ivr_lockout *policy,
                     pcrm_ivr_identity *out)
{
	struct pin_try t = { .customer_no = customer_no, .credential = id_digits,
		             .new_pin = new_pin, .by_digits = 1 };

	if (new_pin == NULL)
		return pcrm__error(PCRM_EINVAL, "new_pin: missing");
	return run(ctx, actor, &t, "pin_set_by_id_digits", policy, out);
}

int pcrm_ivr_pin_change(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *old_pin, const char *new_pin, const pcrm_ivr_lockout *policy,
                        pcrm_ivr_identity *out)
{
	struct pin_try t = { .customer_no = customer_no, .credential = old_pin, .new_pin = new_pin };

	if (new_pin == NULL)
		return pcrm__error(PCRM_EINVAL, "new_pin: missing");
	return run(ctx, actor, &t, "pin_change", policy, out);
}
