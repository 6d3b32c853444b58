/*
 * A contact's personal part, the caller number and the summary (free text
 * about the customer), sealed under the customer's own data key (pii.h), so
 * erasing the customer makes its contact history unreadable too.  The row
 * keeps the caller number masked and a placeholder summary.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "contact_internal.h"
#include "core/error.h"
#include "pii.h"

/* Bound to the contact: a cipher copied to another contact row does not open. */
static void contact_aad(const char *id, char *out, size_t size)
{
	snprintf(out, size, "contact:%s", id);
}

int pcrm__contact_seal(const unsigned char *dek, const struct pcrm__contact_fields *f,
                       struct pcrm__contact_sealed *out)
{
	json_t *pii = json_pack("{s:s}", "summary", f->summary);
	char aad[64], *text;
	int rc;

	memset(out, 0, sizeof(*out));
	if (pii && f->caller_number)
		json_object_set_new(pii, "caller_number", json_string(f->caller_number));
	text = pii ? json_dumps(pii, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(pii);
	if (!text)
		return pcrm__error_oom();
	if (f->caller_number)
		pcrm__mask_phone(f->caller_number, out->caller_masked);
	contact_aad(f->id, aad, sizeof(aad));
	rc = pcrm__pii_seal_text(dek, aad, text, &out->sealed);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

int pcrm__contact_unseal(const unsigned char *dek, const char *id, const char *sealed,
                         json_t **out)
{
	char aad[64], *text;
	json_error_t err;
	int rc;

	*out = NULL;
	contact_aad(id, aad, sizeof(aad));
	rc = pcrm__pii_open_text(dek, aad, sealed, &text);
	if (rc != PCRM_OK)
		return rc;
	*out = json_loads(text, 0, &err);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	if (!*out || !json_is_string(json_object_get(*out, "summary")))
		return pcrm__error(PCRM_EINTEGRITY, "contact %s: sealed data is not what was sealed", id);
	return PCRM_OK;
}
