/*
 * The adapter runtime: creation, the switch table's size/version check, the
 * thread-depth rule that decides when queued requests are sent, counters
 * and inspection.
 */
#include <stdlib.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"
#include "core/out_version.h"

/*
 * How many library calls of any pcrm_tel this thread is inside.  Requests the
 * ACD's events call for are sent by the outermost call as it returns, so a
 * switch function that feeds events synchronously never re-enters the
 * switch, and the ACD is never called back from inside its own callback.
 */
static _Thread_local int tel_depth;

void tel_enter(void)
{
	tel_depth++;
}

void tel_leave(pcrm_tel *tel)
{
	if (--tel_depth == 0)
		tel_drain(tel);
}

void tel_depth_drop(void)
{
	tel_depth--;
}

int tel_depth_is_zero(void)
{
	return tel_depth == 0;
}

void tel_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int tel_empty(const char *s)
{
	return !s || !*s;
}

int tel_check_id(const char *what, const char *field, const char *v, int required)
{
	if (tel_empty(v))
		return required ? pcrm__error(PCRM_EINVAL, "%s: %s: missing", what, field) : PCRM_OK;
	if (strlen(v) > PCRM_TEL_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %s: longer than %d bytes", what, field,
		                   PCRM_TEL_ID_MAX);
	return PCRM_OK;
}

/* The members of the table up to and including `fn_member` exist in an adapter of `size` bytes. */
#define SW_HAS(size, member) \
	((size) >= offsetof(pcrm_tel_switch, member) + sizeof(((pcrm_tel_switch *)0)->member))

static int copy_switch(pcrm_tel_switch *dst, const pcrm_tel_switch *src)
{
	if (!src)
		return pcrm__error(PCRM_EINVAL, "switch: missing");
	if (src->version < 1 || src->version > PCRM_TEL_SWITCH_VERSION)
		return pcrm__error(PCRM_EINVAL, "switch.version: %u is not 1..%d", src->version,
		                   PCRM_TEL_SWITCH_VERSION);
	if (!SW_HAS(src->size, route))
		return pcrm__error(PCRM_EINVAL, "switch.size: %zu is too small for a version %u table",
		                   src->size, src->version);
	/* Members beyond an older adapter's size stay NULL: they are unsupported requests. */
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, src->size < sizeof(*dst) ? src->size : sizeof(*dst));
	dst->size = sizeof(*dst);
	if (!dst->route)
		return pcrm__error(PCRM_EINVAL, "switch.route: missing (every adapter must route calls)");
	return PCRM_OK;
}

int pcrm_tel_new(pcrm_tel **out, pcrm_acd *acd, const pcrm_tel_switch *sw,
                 const pcrm_tel_options *options)
{
	pcrm_tel_options defaults = PCRM_TEL_OPTIONS_INIT;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	if (!options)
		options = &defaults;
	if (options->version != PCRM_TEL_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not %d", options->version,
		                   PCRM_TEL_OPTIONS_VERSION);
	if (options->cleared_memory < 16 || options->cleared_memory > 1048576)
		return pcrm__error(PCRM_EINVAL, "options.cleared_memory: %zu is not 16..1048576",
		                   options->cleared_memory);
	if (options->fallback_destination &&
	    strlen(options->fallback_destination) > PCRM_TEL_NUMBER_MAX)
		return pcrm__error(PCRM_EINVAL, "options.fallback_destination: longer than %d bytes",
		                   PCRM_TEL_NUMBER_MAX);
	pcrm_tel *tel = calloc(1, sizeof(*tel));
	if (!tel)
		return pcrm__error_oom();
	int rc = copy_switch(&tel->sw, sw);
	if (rc) {
		free(tel);
		return rc;
	}
	tel->acd = acd;
	tel->clock_from_events = options->clock_from_events != 0;
	tel_copy(tel->fallback, sizeof(tel->fallback), options->fallback_destination);
	acd_idmap_init(&tel->calls, offsetof(struct tel_call, id));
	acd_idmap_init(&tel->devices, offsetof(struct tel_device, id));
	acd_idmap_init(&tel->agents, offsetof(struct tel_agent, id));
	if (tel_cleared_init(&tel->cleared, options->cleared_memory)) {
		free(tel);
		return pcrm__error_oom();
	}
	/* The reason codes the adapter itself uses for agent events. */
	static const char *const reasons[] = { "switch", "work_not_ready" };
	for (size_t i = 0; i < 2; i++) {
		rc = pcrm_acd_reason_add(acd, reasons[i]);
		if (rc && rc != PCRM_EDUPLICATE) {
			tel_cleared_free(&tel->cleared);
			free(tel);
			return rc;
		}
	}
	pthread_mutexattr_t rec;
	pthread_mutexattr_init(&rec);
	pthread_mutexattr_settype(&rec, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&tel->sw_lock, &rec);
	pthread_mutexattr_destroy(&rec);
	pthread_mutex_init(&tel->lock, NULL);
	pthread_mutex_init(&tel->pend_lock, NULL);
	rc = pcrm_acd_set_event_callback(acd, tel_on_acd_event, tel);
	if (rc) {
		pcrm_tel_free(tel);
		return rc;
	}
	pcrm_error_clear();
	*out = tel;
	return PCRM_OK;
}

void pcrm_tel_free(pcrm_tel *tel)
{
	if (!tel)
		return;
	pcrm_acd_set_event_callback(tel->acd, NULL, NULL);
	tel_calls_free(tel);
	tel_devices_free(tel);
	tel_snapshot_free(tel);
	tel_cleared_free(&tel->cleared);
	tel_ivr_free(tel->ivr);
	free(tel->pending);
	pthread_mutex_destroy(&tel->lock);
	pthread_mutex_destroy(&tel->sw_lock);
	pthread_mutex_destroy(&tel->pend_lock);
	free(tel);
}

int pcrm_tel_set_acd_event_callback(pcrm_tel *tel, pcrm_acd_event_fn fn, void *userdata)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "tel: missing");
	pthread_mutex_lock(&tel->pend_lock);
	tel->forward = fn;
	tel->forward_ud = userdata;
	pthread_mutex_unlock(&tel->pend_lock);
	return PCRM_OK;
}

int pcrm_tel_set_customer_lookup(pcrm_tel *tel, pcrm_tel_lookup_fn fn, void *userdata)
{
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "tel: missing");
	pthread_mutex_lock(&tel->lock);
	tel->lookup = fn;
	tel->lookup_ud = userdata;
	pthread_mutex_unlock(&tel->lock);
	return PCRM_OK;
}

int pcrm_tel_stats_get(pcrm_tel *tel, pcrm_tel_stats *out)
{
	if (!tel || !out)
		return pcrm__error(PCRM_EINVAL, "%s: missing", tel ? "out" : "tel");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_TEL_STATS);
	if (rc)
		return rc;
	pthread_mutex_lock(&tel->lock);
	*out = tel->stats;
	out->version = PCRM_TEL_STATS_VERSION;
	out->calls_live = tel->calls.count;
	pthread_mutex_unlock(&tel->lock);
	return PCRM_OK;
}

int pcrm_tel_call_get(pcrm_tel *tel, const char *call_id, pcrm_tel_call_info *out)
{
	if (!tel || !out || tel_empty(call_id))
		return pcrm__error(PCRM_EINVAL, "%s: missing",
		                   !tel ? "tel" : !out ? "out" : "call_id");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_TEL_CALL_INFO);
	if (rc)
		return rc;
	pthread_mutex_lock(&tel->lock);
	struct tel_call *call = tel_call_find(tel, call_id);
	if (call)
		tel_call_info_fill(tel, call, out);
	else
		rc = pcrm__error(PCRM_ENOTFOUND, "call %.63s: not tracked", call_id);
	pthread_mutex_unlock(&tel->lock);
	return rc;
}

int pcrm_tel_agent_device(pcrm_tel *tel, const char *agent_id, char *device_id, size_t size)
{
	if (!tel || tel_empty(agent_id) || !device_id || size == 0)
		return pcrm__error(PCRM_EINVAL, "%s: missing",
		                   !tel ? "tel" : tel_empty(agent_id) ? "agent_id" : "device_id");
	pthread_mutex_lock(&tel->lock);
	const char *dev = tel_agent_device(tel, agent_id);
	int rc = PCRM_OK;
	if (!dev)
		rc = pcrm__error(PCRM_ENOTFOUND, "agent %.63s: not logged on at a device", agent_id);
	else if (strlen(dev) >= size)
		rc = pcrm__error(PCRM_EINVAL, "device_id: %zu bytes are too few", size);
	else
		tel_copy(device_id, size, dev);
	pthread_mutex_unlock(&tel->lock);
	return rc;
}
