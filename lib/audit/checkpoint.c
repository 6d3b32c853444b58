/*
 * Signed checkpoints of the audit log, as certificate-transparency logs
 * publish signed tree heads: every chain's head (name, seq, hash) signed
 * with the integrator's Ed25519 key, which never enters the database, and
 * handed back as text for the integrator to keep outside it (a file, a
 * second system, a printed digest).  Checking the log against the newest
 * kept checkpoint finds what the chains alone cannot: the newest entries
 * deleted with the head moved back, or a chain rewritten with every hash
 * recomputed (plain SHA-256 needs no secret).
 *
 * The text (every line ends in "\n"):
 *
 *   powercrm-audit-checkpoint-v1
 *   at <seconds since the epoch, from the context's clock>
 *   chain <name> <seq> <64 lowercase hex>      (one per chain, by name)
 *   signature <128 lowercase hex>               (Ed25519 over every line above)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit.h"
#include "audit_verify.h"
#include "core/ctx.h"
#include "core/error.h"

#define MAGIC "powercrm-audit-checkpoint-v1\n"
#define SIGNATURE_LEN PCRM__AUDIT_SIGNATURE_LEN
#define KEY_PEM_MAX 16384
/* a chain per city of every province and more: far beyond any real deployment */
#define CHAINS_MAX 100000

static int load_key(const char *field, const char *pem, int private_key, EVP_PKEY **out)
{
	BIO *bio;
	EVP_PKEY *key;
	size_t n = pem ? strlen(pem) : 0;

	*out = NULL;
	if (n == 0 || n > KEY_PEM_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: must be a PEM text of 1..%d bytes", field,
		                   KEY_PEM_MAX);
	if (!(bio = BIO_new_mem_buf(pem, (int)n)))
		return pcrm__error_oom();
	key = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	                    PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!key)
		return pcrm__error(PCRM_EINVAL, "%s: not a PEM %s key", field,
		                   private_key ? "private" : "public");
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		return pcrm__error(PCRM_EINVAL, "%s: not an Ed25519 key", field);
	}
	*out = key;
	return PCRM_OK;
}

static int sign(EVP_PKEY *key, const char *text, size_t len, unsigned char sig[SIGNATURE_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t sig_len = SIGNATURE_LEN;
	int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	         EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)text, len) == 1 &&
	         sig_len == SIGNATURE_LEN;
	EVP_MD_CTX_free(md);
	return ok ? PCRM_OK : pcrm__error(PCRM_EIO, "checkpoint: signing failed in OpenSSL");
}

static int signature_ok(EVP_PKEY *key, const char *text, size_t len,
                        const unsigned char sig[SIGNATURE_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
	         EVP_DigestVerify(md, sig, SIGNATURE_LEN, (const unsigned char *)text, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static void checkpoint_clear(struct pcrm__audit_checkpoint *cp)
{
	free(cp->heads);
	memset(cp, 0, sizeof(*cp));
}

/* Every chain's head as it stands, in one read. */
static int read_heads(pcrm_ctx *ctx, struct pcrm__audit_checkpoint *cp)
{
	pcrm_rows *rows;
	size_t cap = 0;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT chain, seq, hash FROM audit_chain ORDER BY chain", NULL, 0,
	                           &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__audit_signed_head *h;
		if (cp->n == cap) {
			struct pcrm__audit_signed_head *grown;
			cap = cap ? cap * 2 : 16;
			if (!(grown = realloc(cp->heads, cap * sizeof(*grown)))) {
				rc = pcrm__error_oom();
				break;
			}
			cp->heads = grown;
		}
		h = &cp->heads[cp->n++];
		snprintf(h->chain, sizeof(h->chain), "%s", pcrm__rows_text(rows, 0));
		h->seq = pcrm__rows_int(rows, 1);
		snprintf(h->hash, sizeof(h->hash), "%s", pcrm__rows_text(rows, 2));
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static char *format_body(const struct pcrm__audit_checkpoint *cp, size_t *len)
{
	size_t size = strlen(MAGIC) + 32 + cp->n * (PCRM__AUDIT_CHAIN_MAX + 100) +
	              SIGNATURE_LEN * 2 + 16;
	char *text = malloc(size);
	size_t n;
	if (!text)
		return NULL;
	n = (size_t)snprintf(text, size, MAGIC "at %" PRId64 "\n", cp->at);
	for (size_t i = 0; i < cp->n; i++)
		n += (size_t)snprintf(text + n, size - n, "chain %s %" PRId64 " %s\n", cp->heads[i].chain,
		                      cp->heads[i].seq, cp->heads[i].hash);
	*len = n;
	return text;
}

int pcrm_audit_checkpoint(pcrm_ctx *ctx, const pcrm_actor *actor, const char *private_key_pem,
                          char **out)
{
	struct pcrm__audit_scope scope;
	struct pcrm__audit_checkpoint cp;
	unsigned char sig[SIGNATURE_LEN];
	EVP_PKEY *key;
	char *text;
	size_t len = 0;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm__audit_verifier_scope(ctx, actor, 1, &scope);
	if (rc != PCRM_OK)
		return rc;
	free(scope.path);
	if ((rc = load_key("private_key_pem", private_key_pem, 1, &key)) != PCRM_OK)
		return rc;
	memset(&cp, 0, sizeof(cp));
	cp.at = pcrm_ctx_now(ctx);
	rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		rc = read_heads(ctx, &cp);
		pcrm__store_rollback(ctx->store);
	}
	/*
	 * Only what verifies is signed: every chain up to the heads just read
	 * (the checkpoint's own check), whatever was appended in between.
	 */
	if (rc == PCRM_OK) {
		scope.path = NULL;
		scope.everything = 1;
		rc = pcrm__audit_verify_scope(ctx, &scope, &cp, NULL, NULL, NULL);
	}
	text = rc == PCRM_OK ? format_body(&cp, &len) : NULL;
	if (rc == PCRM_OK && !text)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = sign(key, text, len, sig);
	if (rc == PCRM_OK) {
		len += (size_t)sprintf(text + len, "signature ");
		pcrm__hex_encode(sig, SIGNATURE_LEN, text + len);
		strcat(text + len, "\n");
		*out = text;
		text = NULL;
	}
	free(text);
	EVP_PKEY_free(key);
	checkpoint_clear(&cp);
	return rc;
}

/* ---- parsing, strictly: the text comes back from outside ---- */

static int bad_line(int line, const char *what)
{
	return pcrm__error(PCRM_EINVAL, "checkpoint: line %d: %s", line, what);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_hex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		if (out)
			out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A decimal integer 0..INT64_MAX of 1..18 digits ending at `end`; -1 otherwise. */
static int64_t parse_count(const char *s, const char *end)
{
	int64_t v = 0;
	if (end <= s || end - s > 18)
		return -1;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* "chain <name> <seq> <hash>" (without the newline), name without spaces or controls */
static int parse_chain_line(const char *s, const char *end, int line,
                            struct pcrm__audit_signed_head *h)
{
	const char *name = s + 6, *name_end = memchr(name, ' ', (size_t)(end - name)), *seq_end;
	if (!name_end || name_end == name || name_end - name >= PCRM__AUDIT_CHAIN_MAX)
		return bad_line(line, "chain name must be 1..63 characters");
	for (const char *p = name; p < name_end; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return bad_line(line, "chain name holds a control character");
	seq_end = memchr(name_end + 1, ' ', (size_t)(end - name_end - 1));
	if (!seq_end || (h->seq = parse_count(name_end + 1, seq_end)) < 0)
		return bad_line(line, "seq must be a decimal number");
	if (end - seq_end - 1 != PCRM_SHA256_HEX_LEN || parse_hex(seq_end + 1, 32, NULL) != 0)
		return bad_line(line, "hash must be 64 lowercase hex digits");
	memcpy(h->chain, name, (size_t)(name_end - name));
	h->chain[name_end - name] = '\0';
	memcpy(h->hash, seq_end + 1, PCRM_SHA256_HEX_LEN);
	h->hash[PCRM_SHA256_HEX_LEN] = '\0';
	return PCRM_OK;
}

int pcrm__audit_checkpoint_parse(const char *text, size_t len, struct pcrm__audit_checkpoint *cp,
                                 size_t *signed_len, unsigned char sig[SIGNATURE_LEN])
{
	const char *p = text, *end = text + len, *eol;
	size_t cap = 0;
	int line = 1, rc;

	memset(cp, 0, sizeof(cp[0]));
	if (len < strlen(MAGIC) || memcmp(text, MAGIC, strlen(MAGIC)) != 0)
		return bad_line(1, "not a powercrm-audit-checkpoint-v1");
	p += strlen(MAGIC);
	line++;
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol || eol - p < 4 || memcmp(p, "at ", 3) != 0 || (cp->at = parse_count(p + 3, eol)) < 0)
		return bad_line(line, "expected \"at <seconds>\"");
	for (p = eol + 1, line++; p < end; p = eol + 1, line++) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p)))) {
			checkpoint_clear(cp);
			return bad_line(line, "does not end in a newline");
		}
		if (eol - p > 6 && memcmp(p, "chain ", 6) == 0) {
			if (cp->n == CHAINS_MAX) {
				checkpoint_clear(cp);
				return bad_line(line, "more than 100000 chains");
			}
			if (cp->n == cap) {
				struct pcrm__audit_signed_head *grown;
				cap = cap ? cap * 2 : 16;
				if (!(grown = realloc(cp->heads, cap * sizeof(*grown)))) {
					checkpoint_clear(cp);
					return pcrm__error_oom();
				}
				cp->heads = grown;
			}
			rc = parse_chain_line(p, eol, line, &cp->heads[cp->n]);
			if (rc == PCRM_OK && cp->n > 0 && strcmp(cp->heads[cp->n - 1].chain,
			                                         cp->heads[cp->n].chain) >= 0)
				rc = bad_line(line, "chains must be in ascending order, each once");
			if (rc != PCRM_OK) {
				checkpoint_clear(cp);
				return rc;
			}
			cp->n++;
			continue;
		}
		if (eol - p == 10 + 2 * SIGNATURE_LEN && memcmp(p, "signature ", 10) == 0 &&
		    parse_hex(p + 10, SIGNATURE_LEN, sig) == 0 && eol + 1 == end) {
			*signed_len = (size_t)(p - text);
			return PCRM_OK;
		}
		checkpoint_clear(cp);
		return bad_line(line, "expected \"chain <name> <seq> <hash>\" or, last, "
		                      "\"signature <128 hex digits>\"");
	}
	checkpoint_clear(cp);
	return bad_line(line, "the signature line is missing");
}

int pcrm_audit_verify_checkpoint_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *checkpoint, const char *public_key_pem,
                                     pcrm_progress_fn progress, void *userdata,
                                     int64_t *checked, int64_t *first_bad)
{
	struct pcrm__audit_progress p = { progress, userdata };
	struct pcrm__audit_scope scope;
	struct pcrm__audit_checkpoint cp;
	unsigned char sig[SIGNATURE_LEN];
	size_t signed_len;
	EVP_PKEY *key;
	int rc;

	if (checked)
		*checked = 0;
	if (first_bad)
		*first_bad = 0;
	if (!checkpoint)
		return pcrm__error(PCRM_EINVAL, "checkpoint: is NULL");
	rc = pcrm__audit_verifier_scope(ctx, actor, 1, &scope);
	if (rc != PCRM_OK)
		return rc;
	if ((rc = load_key("public_key_pem", public_key_pem, 0, &key)) != PCRM_OK ||
	    (rc = pcrm__audit_checkpoint_parse(checkpoint, strlen(checkpoint), &cp, &signed_len,
	                                       sig)) != PCRM_OK) {
		EVP_PKEY_free(key);
		free(scope.path);
		return rc;
	}
	if (!signature_ok(key, checkpoint, signed_len, sig))
		rc = pcrm__error(PCRM_EINTEGRITY, "checkpoint: the signature does not verify with "
		                                  "public_key_pem (another key, or the checkpoint was "
		                                  "altered)");
	else
		rc = pcrm__audit_verify_scope(ctx, &scope, &cp, progress ? &p : NULL, checked,
		                              first_bad);
	EVP_PKEY_free(key);
	checkpoint_clear(&cp);
	free(scope.path);
	return rc;
}

int pcrm_audit_verify_checkpoint(pcrm_ctx *ctx, const pcrm_actor *actor, const char *checkpoint,
                                 const char *public_key_pem, int64_t *checked,
                                 int64_t *first_bad)
{
	return pcrm_audit_verify_checkpoint_ext(ctx, actor, checkpoint, public_key_pem, NULL, NULL,
	                                        checked, first_bad);
}
