/*
 * The customer lookup backed by the archive (customer.h): the screen pop by
 * caller number.  The only telephony file that reaches the store; the rest
 * of the module knows a lookup callback only.
 */
#include <string.h>

#include <jansson.h>

#include <powercrm/customer.h>

#include "tel_internal.h"
#include "core/error.h"

int pcrm_tel_archive_lookup(void *userdata, const char *caller_number, pcrm_tel_customer *out)
{
	const pcrm_tel_archive *archive = userdata;
	if (!archive || !archive->ctx || !archive->actor || !out)
		return pcrm__error(PCRM_EINVAL, "archive lookup: %s: missing",
		                   !archive ? "userdata (a pcrm_tel_archive)"
		                   : !archive->ctx ? "ctx" : !archive->actor ? "actor" : "out");
	pcrm_customer_list *list = NULL;
	int rc = pcrm_customer_find_by_phone(archive->ctx, archive->actor, caller_number, &list);
	if (rc)
		return rc;
	if (pcrm_customer_list_count(list) == 0) {
		pcrm_customer_list_free(list);
		return pcrm__error(PCRM_ENOTFOUND, "archive lookup: no customer has this number");
	}
	/* VIPs first: the first customer is the one to serve */
	const pcrm_customer *c = pcrm_customer_list_at(list, 0);
	memset(out, 0, sizeof(*out));
	tel_copy(out->customer_no, sizeof(out->customer_no), pcrm_customer_no(c));
	out->vip_level = pcrm_customer_vip_level(c);
	json_t *doc = json_loads(pcrm_customer_json(c), 0, NULL);
	const char *manager = doc ? json_string_value(json_object_get(doc, "account_manager")) : NULL;
	if (manager && strlen(manager) <= PCRM_ACD_ID_MAX)
		tel_copy(out->account_manager, sizeof(out->account_manager), manager);
	json_decref(doc);
	pcrm_customer_list_free(list);
	return PCRM_OK;
}
