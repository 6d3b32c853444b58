/*
 * Calling the switch table: one function at a time (sw_lock, recursive so a
 * table function may feed events that end in further requests of the same
 * thread only after it returns), never with the runtime lock held; every
 * call counted, every result mapped to a status whose message names the
 * request, the call and the device.
 */
#include "tel_internal.h"
#include "core/error.h"

int tel_switch_begin(pcrm_tel *tel, int present, const char *what)
{
	if (!present) {
		pthread_mutex_lock(&tel->lock);
		tel->stats.requests_unsupported++;
		pthread_mutex_unlock(&tel->lock);
		return pcrm__error(PCRM_EUNSUPPORTED, "%s: the adapter's switch table has no %s function",
		                   what, what);
	}
	pthread_mutex_lock(&tel->sw_lock);
	return PCRM_OK;
}

void tel_switch_end(pcrm_tel *tel)
{
	pthread_mutex_unlock(&tel->sw_lock);
}

int tel_request_status(pcrm_tel *tel, const char *what, const char *call_id, const char *device,
                       int result)
{
	/* an adapter returning something outside the enumeration refused, as far as we can tell */
	if (result < 0 || result >= PCRM_TEL_RESULT_COUNT)
		result = PCRM_TEL_REFUSED;
	pthread_mutex_lock(&tel->lock);
	tel->stats.requests_sent++;
	if (result != PCRM_TEL_DONE)
		tel->stats.requests_failed[result]++;
	pthread_mutex_unlock(&tel->lock);
	const char *c = call_id ? call_id : "-", *d = device ? device : "-";
	switch ((pcrm_tel_result)result) {
	case PCRM_TEL_DONE:
		return PCRM_OK;
	case PCRM_TEL_BUSY:
		return pcrm__error(PCRM_ESTATE, "%s: call %.63s: device %.63s is busy", what, c, d);
	case PCRM_TEL_REFUSED:
		return pcrm__error(PCRM_ESTATE, "%s: call %.63s: the switch refused (device %.63s)",
		                   what, c, d);
	case PCRM_TEL_NO_DEVICE:
		return pcrm__error(PCRM_ENOTFOUND, "%s: call %.63s: the switch knows no device %.63s "
		                   "or no such call", what, c, d);
	case PCRM_TEL_LINK_DOWN:
		return pcrm__error(PCRM_ECONNECTION, "%s: call %.63s: the link to the switch is down",
		                   what, c);
	}
	return PCRM_ESTATE;
}
