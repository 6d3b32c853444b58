/*
 * Internal: hashing, keyed hashing and authenticated encryption, all through
 * OpenSSL (libcrypto).  Nothing cryptographic is written by hand.
 */
#ifndef PCRM_CORE_CRYPTO_H
#define PCRM_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define PCRM_SHA256_LEN 32
#define PCRM_SHA256_HEX_LEN 64
#define PCRM_AEAD_KEY_LEN 32
#define PCRM_AEAD_NONCE_LEN 12
#define PCRM_AEAD_TAG_LEN 16
/** Ciphertext produced by pcrm__aead_seal is nonce || encrypted bytes || tag. */
#define PCRM_AEAD_OVERHEAD (PCRM_AEAD_NONCE_LEN + PCRM_AEAD_TAG_LEN)

/** Incremental SHA-256. */
typedef struct pcrm_sha256 pcrm_sha256;

int pcrm__sha256_new(pcrm_sha256 **out);
int pcrm__sha256_update(pcrm_sha256 *h, const void *data, size_t len);
/** Finishes into 64 lowercase hex characters plus NUL; the object may then be reset and reused. */
int pcrm__sha256_final_hex(pcrm_sha256 *h, char out[PCRM_SHA256_HEX_LEN + 1]);
int pcrm__sha256_reset(pcrm_sha256 *h);
void pcrm__sha256_free(pcrm_sha256 *h);

/** One-shot SHA-256 as hex. */
int pcrm__sha256_hex(const void *data, size_t len, char out[PCRM_SHA256_HEX_LEN + 1]);

/** HMAC-SHA256 as hex: the keyed hash used to look up encrypted identifiers. */
int pcrm__hmac_sha256_hex(const unsigned char *key, size_t key_len, const void *data, size_t len,
                          char out[PCRM_SHA256_HEX_LEN + 1]);

/**
 * Derives `out_len` bytes from `secret` with HKDF-SHA256 and the label `info`,
 * so one integrator key yields independent encryption and lookup keys.
 */
int pcrm__hkdf_sha256(const unsigned char *secret, size_t secret_len, const char *info,
                      unsigned char *out, size_t out_len);

/**
 * Derives `out_len` bytes from a low-entropy secret (a PIN) with
 * PBKDF2-HMAC-SHA256, `iterations` rounds over `salt`: slow on purpose, so
 * a copy of the store does not give the secrets away cheaply.
 */
int pcrm__pbkdf2_sha256(const void *secret, size_t secret_len, const unsigned char *salt,
                        size_t salt_len, unsigned iterations, unsigned char *out, size_t out_len);

/** `len` bytes from OpenSSL's CSPRNG (salts, nonces). */
int pcrm__random_bytes(unsigned char *out, size_t len);

/**
 * AES-256-GCM with a fresh random nonce.  `out` must hold len +
 * PCRM_AEAD_OVERHEAD bytes.  `aad` (may be NULL) is authenticated, not
 * encrypted: bind the ciphertext to the record it belongs to.
 */
int pcrm__aead_seal(const unsigned char key[PCRM_AEAD_KEY_LEN], const void *aad, size_t aad_len,
                    const void *plain, size_t len, unsigned char *out);

/**
 * Reverses pcrm__aead_seal.  `out` must hold sealed_len - PCRM_AEAD_OVERHEAD
 * bytes.  PCRM_EINTEGRITY when the data or the aad were altered.
 */
int pcrm__aead_open(const unsigned char key[PCRM_AEAD_KEY_LEN], const void *aad, size_t aad_len,
                    const unsigned char *sealed, size_t sealed_len, unsigned char *out);

/** Lowercase hex of `len` bytes into `out` (2*len+1 bytes). */
void pcrm__hex_encode(const unsigned char *bytes, size_t len, char *out);

/** The value of one hex digit (either case), or -1 when `c` is not one. */
int pcrm__hex_digit(char c);

/** Decodes hex; returns the byte count or -1 on a bad digit / odd length / too small buffer. */
long pcrm__hex_decode(const char *hex, unsigned char *out, size_t out_size);

#endif
