/* Which agent is logged on at which device, both ways (the switch speaks devices, the ACD agents). */
#include <stdlib.h>
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

const char *tel_device_agent(pcrm_tel *tel, const char *device)
{
	struct tel_device *d = acd_idmap_get(&tel->devices, device);
	return d ? d->agent : NULL;
}

const char *tel_agent_device(pcrm_tel *tel, const char *agent)
{
	struct tel_agent *a = acd_idmap_get(&tel->agents, agent);
	return a ? a->device : NULL;
}

int tel_device_bind(pcrm_tel *tel, const char *device, const char *agent)
{
	struct tel_device *d = calloc(1, sizeof(*d));
	struct tel_agent *a = calloc(1, sizeof(*a));
	if (!d || !a || acd_idmap_reserve(&tel->devices, 1) || acd_idmap_reserve(&tel->agents, 1)) {
		free(d);
		free(a);
		return pcrm__error_oom();
	}
	tel_copy(d->id, sizeof(d->id), device);
	tel_copy(d->agent, sizeof(d->agent), agent);
	tel_copy(a->id, sizeof(a->id), agent);
	tel_copy(a->device, sizeof(a->device), device);
	acd_idmap_put(&tel->devices, d);
	acd_idmap_put(&tel->agents, a);
	return PCRM_OK;
}

void tel_device_unbind(pcrm_tel *tel, const char *device)
{
	struct tel_device *d = acd_idmap_get(&tel->devices, device);
	if (!d)
		return;
	struct tel_agent *a = acd_idmap_get(&tel->agents, d->agent);
	if (a) {
		acd_idmap_del(&tel->agents, a->id);
		free(a);
	}
	acd_idmap_del(&tel->devices, d->id);
	free(d);
}

void tel_devices_free(pcrm_tel *tel)
{
	for (size_t i = 0; i < tel->devices.cap; i++)
		free(tel->devices.slots[i]);
	for (size_t i = 0; i < tel->agents.cap; i++)
		free(tel->agents.slots[i]);
	acd_idmap_free(&tel->devices);
	acd_idmap_free(&tel->agents);
}
