/* Thin wrappers over OpenSSL's EVP interfaces with the library's error reporting. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "error.h"

struct pcrm_sha256 {
	EVP_MD_CTX *md;
};

static int openssl_error(const char *what)
{
	char detail[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	return pcrm__error(PCRM_ESTORE, "%s failed in OpenSSL: %s", what, e ? detail : "no detail");
}

/*
 * SHA-256 fetched from OpenSSL's provider once per process.  EVP_sha256()
 * is a legacy handle that EVP_DigestInit_ex() fetches the implementation for
 * again on every call, which cost more than hashing an audit entry itself
 * (each appended entry initialises twice).  Kept for the process's life.
 */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_fetched;

static void fetch_sha256(void)
{
	sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void)
{
	pthread_once(&sha256_once, fetch_sha256);
	return sha256_fetched ? sha256_fetched : EVP_sha256();
}

/*
 * AES-256-GCM fetched once too, for the same reason: every customer the
 * screen pop returns opens two ciphers (its data key, its personal fields).
 */
static pthread_once_t aes_gcm_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *aes_gcm_fetched;

static void fetch_aes_gcm(void)
{
	aes_gcm_fetched = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *aes_gcm(void)
{
	pthread_once(&aes_gcm_once, fetch_aes_gcm);
	return aes_gcm_fetched ? aes_gcm_fetched : EVP_aes_256_gcm();
}

int pcrm__sha256_new(pcrm_sha256 **out)
{
	pcrm_sha256 *h = calloc(1, sizeof(*h));
	if (!h)
		return pcrm__error_oom();
	h->md = EVP_MD_CTX_new();
	if (!h->md) {
		free(h);
		return pcrm__error_oom();
	}
	if (EVP_DigestInit_ex(h->md, sha256_md(), NULL) != 1) {
		pcrm__sha256_free(h);
		return openssl_error("SHA-256 init");
	}
	*out = h;
	return PCRM_OK;
}

int pcrm__sha256_update(pcrm_sha256 *h, const void *data, size_t len)
{
	if (EVP_DigestUpdate(h->md, data, len) != 1)
		return openssl_error("SHA-256 update");
	return PCRM_OK;
}

int pcrm__sha256_final_hex(pcrm_sha256 *h, char out[PCRM_SHA256_HEX_LEN + 1])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(h->md, digest, &len) != 1 || len != PCRM_SHA256_LEN)
		return openssl_error("SHA-256 final");
	pcrm__hex_encode(digest, len, out);
	return PCRM_OK;
}

int pcrm__sha256_reset(pcrm_sha256 *h)
{
	if (EVP_DigestInit_ex(h->md, sha256_md(), NULL) != 1)
		return openssl_error("SHA-256 init");
	return PCRM_OK;
}

void pcrm__sha256_free(pcrm_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int pcrm__sha256_hex(const void *data, size_t len, char out[PCRM_SHA256_HEX_LEN + 1])
{
	unsigned char digest[PCRM_SHA256_LEN];
	if (!EVP_Digest(data, len, digest, NULL, sha256_md(), NULL))
		return openssl_error("SHA-256");
	pcrm__hex_encode(digest, sizeof(digest), out);
	return PCRM_OK;
}

int pcrm__hmac_sha256_hex(const unsigned char *key, size_t key_len, const void *data, size_t len,
                          char out[PCRM_SHA256_HEX_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (key_len > INT32_MAX)
		return pcrm__error(PCRM_EINVAL, "HMAC key is too long");
	if (!HMAC(sha256_md(), key, (int)key_len, data, len, mac, &mac_len))
		return openssl_error("HMAC-SHA256");
	pcrm__hex_encode(mac, mac_len, out);
	return PCRM_OK;
}

int pcrm__hkdf_sha256(const unsigned char *secret, size_t secret_len, const char *info,
                      unsigned char *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[4];
	int ok;

	EVP_KDF_free(kdf);
	if (!kctx)
		return openssl_error("HKDF setup");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(kctx);
	return ok ? PCRM_OK : openssl_error("HKDF derive");
}

int pcrm__pbkdf2_sha256(const void *secret, size_t secret_len, const unsigned char *salt,
                        size_t salt_len, unsigned iterations, unsigned char *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "PBKDF2", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[5];
	int ok;

	EVP_KDF_free(kdf);
	if (!kctx)
		return openssl_error("PBKDF2 setup");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)secret,
	                                              secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	params[3] = OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iterations);
	params[4] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(kctx);
	return ok ? PCRM_OK : openssl_error("PBKDF2 derive");
}

int pcrm__random_bytes(unsigned char *out, size_t len)
{
	if (len > (size_t)INT32_MAX || RAND_bytes(out, (int)len) != 1)
		return openssl_error("random bytes");
	return PCRM_OK;
}

int pcrm__aead_seal(const unsigned char key[PCRM_AEAD_KEY_LEN], const void *aad, size_t aad_len,
                    const void *plain, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX *c;
	unsigned char *nonce = out, *body = out + PCRM_AEAD_NONCE_LEN;
	int n = 0, fin = 0, ok;

	if (len > INT32_MAX || aad_len > INT32_MAX)
		return pcrm__error(PCRM_EINVAL, "data to encrypt is too long");
	if (RAND_bytes(nonce, PCRM_AEAD_NONCE_LEN) != 1)
		return openssl_error("random nonce");
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return pcrm__error_oom();
	ok = EVP_EncryptInit_ex(c, aes_gcm(), NULL, key, nonce) == 1 &&
	     (aad_len == 0 || EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) == 1) &&
	     EVP_EncryptUpdate(c, body, &n, plain, (int)len) == 1 &&
	     EVP_EncryptFinal_ex(c, body + n, &fin) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, PCRM_AEAD_TAG_LEN, body + len) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? PCRM_OK : openssl_error("AES-256-GCM encryption");
}

int pcrm__aead_open(const unsigned char key[PCRM_AEAD_KEY_LEN], const void *aad, size_t aad_len,
                    const unsigned char *sealed, size_t sealed_len, unsigned char *out)
{
	EVP_CIPHER_CTX *c;
	size_t len;
	int n = 0, fin = 0, ok;

	if (sealed_len < PCRM_AEAD_OVERHEAD)
		return pcrm__error(PCRM_EINTEGRITY, "encrypted value is truncated");
	len = sealed_len - PCRM_AEAD_OVERHEAD;
	if (len > INT32_MAX || aad_len > INT32_MAX)
		return pcrm__error(PCRM_EINVAL, "data to decrypt is too long");
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return pcrm__error_oom();
	ok = EVP_DecryptInit_ex(c, aes_gcm(), NULL, key, sealed) == 1 &&
	     (aad_len == 0 || EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) == 1) &&
	     EVP_DecryptUpdate(c, out, &n, sealed + PCRM_AEAD_NONCE_LEN, (int)len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, PCRM_AEAD_TAG_LEN,
	                         (void *)(sealed + PCRM_AEAD_NONCE_LEN + len)) == 1;
	/* The tag is checked by the final call: failure there means tampering or a wrong key. */
	if (ok && EVP_DecryptFinal_ex(c, out + n, &fin) != 1) {
		EVP_CIPHER_CTX_free(c);
		ERR_clear_error();
		return pcrm__error(PCRM_EINTEGRITY,
		                   "encrypted value failed authentication (altered data or wrong key)");
	}
	EVP_CIPHER_CTX_free(c);
	return ok ? PCRM_OK : openssl_error("AES-256-GCM decryption");
}

void pcrm__hex_encode(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

int pcrm__hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long pcrm__hex_decode(const char *hex, unsigned char *out, size_t out_size)
{
	size_t len = strlen(hex);
	if (len % 2 != 0 || len / 2 > out_size)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = pcrm__hex_digit(hex[2 * i]), lo = pcrm__hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(len / 2);
}
