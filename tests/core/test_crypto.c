/* Hashing, keyed hashing and authenticated encryption through OpenSSL. */
#include <criterion/criterion.h>
#include <string.h>

#include <powercrm/common.h>
#include "core/crypto.h"
#include "core/uuid.h"

Test(crypto, sha256_known_answers)
{
	char hex[PCRM_SHA256_HEX_LEN + 1];
	cr_assert_eq(pcrm__sha256_hex("", 0, hex), PCRM_OK);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cr_assert_eq(pcrm__sha256_hex("abc", 3, hex), PCRM_OK);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(crypto, incremental_equals_one_shot)
{
	pcrm_sha256 *h;
	char a[PCRM_SHA256_HEX_LEN + 1], b[PCRM_SHA256_HEX_LEN + 1];
	cr_assert_eq(pcrm__sha256_new(&h), PCRM_OK);
	pcrm__sha256_update(h, "ab", 2);
	pcrm__sha256_update(h, "c", 1);
	cr_assert_eq(pcrm__sha256_final_hex(h, a), PCRM_OK);
	pcrm__sha256_hex("abc", 3, b);
	cr_assert_str_eq(a, b);
	cr_assert_eq(pcrm__sha256_reset(h), PCRM_OK);
	pcrm__sha256_update(h, "abc", 3);
	pcrm__sha256_final_hex(h, a);
	cr_assert_str_eq(a, b);
	pcrm__sha256_free(h);
	pcrm__sha256_free(NULL);
}

Test(crypto, hmac_rfc4231_case2)
{
	char hex[PCRM_SHA256_HEX_LEN + 1];
	const char *data = "what do ya want for nothing?";
	cr_assert_eq(pcrm__hmac_sha256_hex((const unsigned char *)"Jefe", 4, data, strlen(data), hex),
	             PCRM_OK);
	cr_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(crypto, hkdf_rfc5869_case1_prefix_and_labels_differ)
{
	unsigned char ikm[22], a[32], b[32];
	memset(ikm, 0x0b, sizeof(ikm));
	cr_assert_eq(pcrm__hkdf_sha256(ikm, sizeof(ikm), "enc", a, sizeof(a)), PCRM_OK);
	cr_assert_eq(pcrm__hkdf_sha256(ikm, sizeof(ikm), "mac", b, sizeof(b)), PCRM_OK);
	cr_assert(memcmp(a, b, sizeof(a)) != 0);
	cr_assert_eq(pcrm__hkdf_sha256(ikm, sizeof(ikm), "enc", b, sizeof(b)), PCRM_OK);
	cr_assert(memcmp(a, b, sizeof(a)) == 0, "HKDF must be deterministic");
}

Test(crypto, aead_round_trip_and_tamper_detection)
{
	unsigned char key[32], sealed[64 + PCRM_AEAD_OVERHEAD], plain[64];
	const char *id = "110101199003071234";
	size_t len = strlen(id);
	memset(key, 7, sizeof(key));

	cr_assert_eq(pcrm__aead_seal(key, "cust-1", 6, id, len, sealed), PCRM_OK);
	cr_assert_eq(pcrm__aead_open(key, "cust-1", 6, sealed, len + PCRM_AEAD_OVERHEAD, plain),
	             PCRM_OK);
	cr_assert(memcmp(plain, id, len) == 0);

	/* bound to its record: another aad fails */
	cr_assert_eq(pcrm__aead_open(key, "cust-2", 6, sealed, len + PCRM_AEAD_OVERHEAD, plain),
	             PCRM_EINTEGRITY);
	/* a flipped ciphertext bit fails */
	sealed[PCRM_AEAD_NONCE_LEN + 3] ^= 1;
	cr_assert_eq(pcrm__aead_open(key, "cust-1", 6, sealed, len + PCRM_AEAD_OVERHEAD, plain),
	             PCRM_EINTEGRITY);
	cr_assert_eq(pcrm__aead_open(key, NULL, 0, sealed, 5, plain), PCRM_EINTEGRITY);
}

Test(crypto, nonces_are_fresh)
{
	unsigned char key[32] = { 0 }, a[4 + PCRM_AEAD_OVERHEAD], b[4 + PCRM_AEAD_OVERHEAD];
	pcrm__aead_seal(key, NULL, 0, "same", 4, a);
	pcrm__aead_seal(key, NULL, 0, "same", 4, b);
	cr_assert(memcmp(a, b, sizeof(a)) != 0);
}

Test(crypto, hex_round_trip_and_rejects)
{
	unsigned char bytes[4] = { 0x00, 0xab, 0x10, 0xff }, back[4];
	char hex[9];
	pcrm__hex_encode(bytes, 4, hex);
	cr_assert_str_eq(hex, "00ab10ff");
	cr_assert_eq(pcrm__hex_decode("00AB10ff", back, sizeof(back)), 4);
	cr_assert(memcmp(bytes, back, 4) == 0);
	cr_assert_eq(pcrm__hex_decode("abc", back, sizeof(back)), -1);
	cr_assert_eq(pcrm__hex_decode("zz", back, sizeof(back)), -1);
	cr_assert_eq(pcrm__hex_decode("0011223344", back, sizeof(back)), -1);
}

Test(uuid, new_ids_are_valid_and_distinct)
{
	char a[PCRM_UUID_STRING_LEN + 1], b[PCRM_UUID_STRING_LEN + 1];
	pcrm__uuid_new(a);
	pcrm__uuid_new(b);
	cr_assert(pcrm__uuid_is_valid(a));
	cr_assert_str_neq(a, b);
	cr_assert_eq(a[14], '4', "version 4 UUID expected: %s", a);
	cr_assert_not(pcrm__uuid_is_valid("not-a-uuid"));
	cr_assert_not(pcrm__uuid_is_valid(NULL));
}
