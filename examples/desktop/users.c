/*
 * Agents and their passwords: a JSON users file (docs/desktop.md) with
 * PBKDF2-HMAC-SHA256 hashes ("pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX").
 * The hash is checked with a constant-time comparison; an unknown agent id
 * costs the same derivation as a wrong password, so timing does not tell
 * which agent ids exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "desktop.h"

#define MIN_ITERATIONS 10000

static int hex_decode(const char *hex, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	*len = n / 2;
	return 0;
}

static void hex_encode(const unsigned char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

static int parse_hash(const char *text, struct desk_user *u)
{
	char buf[256], *salt, *hash, *iter;
	if (strlen(text) >= sizeof(buf) || strncmp(text, "pbkdf2-sha256$", 14) != 0)
		return -1;
	strcpy(buf, text + 14);
	iter = buf;
	salt = strchr(iter, '$');
	if (!salt)
		return -1;
	*salt++ = '\0';
	hash = strchr(salt, '$');
	if (!hash)
		return -1;
	*hash++ = '\0';
	char *end;
	long it = strtol(iter, &end, 10);
	if (*end || it < MIN_ITERATIONS || it > 10000000)
		return -1;
	u->iterations = (int)it;
	size_t hl;
	if (hex_decode(salt, u->salt, sizeof(u->salt), &u->salt_len) || u->salt_len < 8 ||
	    hex_decode(hash, u->hash, sizeof(u->hash), &hl) || hl != sizeof(u->hash))
		return -1;
	return 0;
}

static int copy_str(json_t *o, const char *key, char *dst, size_t size, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return required ? -1 : 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= size)
		return -1;
	strcpy(dst, json_string_value(v));
	return 0;
}

int desk_users_load(const char *path, char *err, size_t errsize)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, errsize, "%s: line %d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	json_t *users = json_object_get(doc, "users");
	if (!json_is_array(users) || json_array_size(users) == 0 ||
	    json_array_size(users) > DESK_USERS_MAX) {
		snprintf(err, errsize, "%s: users: must be an array of 1..%d users", path, DESK_USERS_MAX);
		json_decref(doc);
		return -1;
	}
	size_t i;
	json_t *o;
	json_array_foreach(users, i, o) {
		struct desk_user *u = &svc.users[i];
		memset(u, 0, sizeof(*u));
		char role[32] = "", hash[256] = "";
		json_t *level = json_object_get(o, "level");
		const char *bad = NULL;
		if (!json_is_object(o))
			bad = "";
		else if (copy_str(o, "id", u->id, sizeof(u->id), 1))
			bad = ".id";
		else if (copy_str(o, "name", u->name, sizeof(u->name), 0))
			bad = ".name";
		else if (copy_str(o, "device", u->device, sizeof(u->device), 0))
			bad = ".device";
		else if (copy_str(o, "org_unit", u->org_unit, sizeof(u->org_unit), 1))
			bad = ".org_unit";
		else if (copy_str(o, "role", role, sizeof(role), 1) || pcrm_role_parse(role, &u->role))
			bad = ".role";
		else if (!json_is_integer(level))
			bad = ".level";
		else if (copy_str(o, "password", hash, sizeof(hash), 1) || parse_hash(hash, u))
			bad = ".password (pbkdf2-sha256$ITERATIONS>=10000$SALT_HEX$HASH_HEX)";
		if (!bad) {
			u->level = (int)json_integer_value(level);
			pcrm_actor a;
			desk_actor(u, &a);
			if (pcrm_actor_validate(&a) != PCRM_OK)
				bad = ".level";
			else if (desk_user_find(u->id) >= 0 && (size_t)desk_user_find(u->id) < i)
				bad = ".id (duplicate)";
		}
		if (bad) {
			snprintf(err, errsize, "%s: users[%zu]%s: missing or invalid", path, i, bad);
			json_decref(doc);
			return -1;
		}
		json_t *skills = json_object_get(o, "skills");
		u->skills = json_is_object(skills) ? json_incref(skills) : json_object();
		svc.user_count = i + 1;
	}
	json_decref(doc);
	return 0;
}

int desk_user_find(const char *id)
{
	for (size_t i = 0; i < svc.user_count; i++)
		if (strcmp(svc.users[i].id, id) == 0)
			return (int)i;
	return -1;
}

int desk_password_check(const struct desk_user *u, const char *password)
{
	static const unsigned char dummy_salt[16] = { 0 };
	unsigned char got[32];
	const unsigned char *salt = u ? u->salt : dummy_salt;
	size_t salt_len = u ? u->salt_len : sizeof(dummy_salt);
	int iterations = u ? u->iterations : 100000;
	if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, iterations,
	                       EVP_sha256(), sizeof(got), got))
		return 0;
	return u && CRYPTO_memcmp(got, u->hash, sizeof(got)) == 0;
}

int desk_password_hash(const char *password, int iterations, char *out, size_t size)
{
	unsigned char salt[16], hash[32];
	char salt_hex[33], hash_hex[65];
	if (iterations < MIN_ITERATIONS || RAND_bytes(salt, sizeof(salt)) != 1 ||
	    !PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof(salt), iterations,
	                       EVP_sha256(), sizeof(hash), hash))
		return -1;
	hex_encode(salt, sizeof(salt), salt_hex);
	hex_encode(hash, sizeof(hash), hash_hex);
	return snprintf(out, size, "pbkdf2-sha256$%d$%s$%s", iterations, salt_hex, hash_hex) <
	       (int)size ? 0 : -1;
}

void desk_actor(const struct desk_user *u, pcrm_actor *out)
{
	out->operator_id = u->id;
	out->role = u->role;
	out->level = u->level;
	out->org_unit = u->org_unit;
}
