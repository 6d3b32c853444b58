/*
 * The calls the adapter tracks, and a bounded memory of the ids of calls
 * cleared lately: an event for one of those is "cleared_call", an event for
 * an id never seen (or forgotten long ago) is "unknown_call".
 */
#include <stdlib.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

struct tel_call *tel_call_find(pcrm_tel *tel, const char *id)
{
	return acd_idmap_get(&tel->calls, id);
}

int tel_call_create(pcrm_tel *tel, const char *id, struct tel_call **out)
{
	struct tel_call *call = calloc(1, sizeof(*call));
	if (!call || acd_idmap_reserve(&tel->calls, 1)) {
		free(call);
		return pcrm__error_oom();
	}
	tel_copy(call->id, sizeof(call->id), id);
	call->since_snapshot = tel->snapshot != NULL;
	acd_idmap_put(&tel->calls, call);
	*out = call;
	return PCRM_OK;
}

static void cleared_remember(struct tel_cleared *c, const char *id)
{
	if (acd_idmap_get(&c->index, id))
		return;
	if (c->count == c->cap) /* the oldest id leaves the memory */
		acd_idmap_del(&c->index, c->ids[c->next]);
	else
		c->count++;
	tel_copy(c->ids[c->next], TEL_ID_SIZE, id);
	/* reserve happened at init: the index never holds more than cap keys */
	acd_idmap_put(&c->index, c->ids[c->next]);
	c->next = (c->next + 1) % c->cap;
}

void tel_call_forget(pcrm_tel *tel, struct tel_call *call)
{
	struct tel_call *related = tel_empty(call->related) ? NULL : tel_call_find(tel, call->related);
	if (related && strcmp(related->related, call->id) == 0)
		related->related[0] = '\0';
	acd_idmap_del(&tel->calls, call->id);
	cleared_remember(&tel->cleared, call->id);
	free(call);
}

int tel_cleared_has(const pcrm_tel *tel, const char *id)
{
	return acd_idmap_get(&tel->cleared.index, id) != NULL;
}

int tel_cleared_init(struct tel_cleared *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->ids = calloc(cap, TEL_ID_SIZE);
	c->cap = cap;
	acd_idmap_init(&c->index, 0);
	if (!c->ids || acd_idmap_reserve(&c->index, cap)) {
		tel_cleared_free(c);
		return PCRM_ENOMEM;
	}
	return PCRM_OK;
}

void tel_cleared_free(struct tel_cleared *c)
{
	acd_idmap_free(&c->index);
	free(c->ids);
	c->ids = NULL;
}

void tel_calls_free(pcrm_tel *tel)
{
	for (size_t i = 0; i < tel->calls.cap; i++)
		free(tel->calls.slots[i]);
	acd_idmap_free(&tel->calls);
}

void tel_call_info_fill(pcrm_tel *tel, const struct tel_call *call, pcrm_tel_call_info *out)
{
	memset(out, 0, sizeof(*out));
	out->version = PCRM_TEL_CALL_INFO_VERSION;
	tel_copy(out->call_id, sizeof(out->call_id), call->id);
	out->state = call->state;
	tel_copy(out->device_id, sizeof(out->device_id), call->device);
	const char *agent = tel_empty(call->device) ? NULL : tel_device_agent(tel, call->device);
	tel_copy(out->agent_id, sizeof(out->agent_id), agent);
	tel_copy(out->queue_id, sizeof(out->queue_id), call->queue);
	tel_copy(out->caller_number, sizeof(out->caller_number), call->caller);
	tel_copy(out->dialled_number, sizeof(out->dialled_number), call->dialled);
	tel_copy(out->digits, sizeof(out->digits), call->digits);
	tel_copy(out->customer_no, sizeof(out->customer_no), call->customer_no);
	tel_copy(out->related_call_id, sizeof(out->related_call_id), call->related);
	out->with_acd = tel_acd_has(call);
	out->recording = call->recording;
	out->outbound = call->outbound;
	out->last_event_at = call->last_at;
}
