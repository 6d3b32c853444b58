/*
 * Fuzz target for ACD configuration documents: whatever
 * pcrm_acd_new_from_json() accepts must run a small day without crashing,
 * leaking or breaking the engine's own counts, and a refusal must be one
 * of the documented statuses with no engine left behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/acd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOC (64 * 1024)

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_acd_config.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static pcrm_acd_ms fixed_clock(void *ud)
{
	return *(const pcrm_acd_ms *)ud;
}

/* Agents "a" and "b", queues "q" and "r" exist only if the document made them. */
static void run_a_little(pcrm_acd *acd, pcrm_acd_ms *now)
{
	static const char *const agents[] = { "a", "b", "1001" };
	static const char *const queues[] = { "q", "r", "billing" };
	pcrm_acd_engine_stats before = PCRM_ACD_ENGINE_STATS_INIT, after = PCRM_ACD_ENGINE_STATS_INIT;
	pcrm_acd_event ev[16] = { PCRM_ACD_EVENT_INIT };
	size_t n;

	require(pcrm_acd_engine_stats_get(acd, &before) == PCRM_OK);
	for (int i = 0; i < 3; i++) {
		pcrm_acd_agent_login(acd, agents[i]);
		pcrm_acd_agent_ready(acd, agents[i]);
	}
	for (int i = 0; i < 3; i++) {
		pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		s.call_id = id;
		s.queue_id = queues[i];
		s.priority = i;
		if (pcrm_acd_call_arrive(acd, &s, NULL) != PCRM_OK)
			continue;
		pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
		if (pcrm_acd_call_get(acd, id, &info) == PCRM_OK && info.agent_id[0])
			pcrm_acd_call_answer(acd, id, info.agent_id);
	}
	for (int step = 0; step < 4; step++) {
		*now += 40000;
		require(pcrm_acd_tick(acd) == PCRM_OK);
		pcrm_acd_call_hangup(acd, step ? "c1" : "c0");
	}
	while (pcrm_acd_events_poll(acd, ev, 16, &n, 0) == PCRM_OK && n > 0)
		for (size_t i = 0; i < n; i++) {
			char *json = NULL;
			require(pcrm_acd_event_to_json(&ev[i], &json) == PCRM_OK);
			pcrm_free(json);
		}
	require(pcrm_acd_engine_stats_get(acd, &after) == PCRM_OK);
	require(after.agents == before.agents && after.queues == before.queues);
	require(after.calls_waiting <= after.calls_live);
	require(after.calls_live <= after.calls_arrived);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char doc[MAX_DOC + 1];
	pcrm_acd_ms now = 1796601600000LL;
	pcrm_acd *acd = NULL;

	if (size > MAX_DOC)
		size = MAX_DOC;
	memcpy(doc, data, size);
	doc[size] = '\0';
	int rc = pcrm_acd_new_from_json(&acd, doc, fixed_clock, &now);
	if (rc != PCRM_OK) {
		require(acd == NULL);
		require(rc == PCRM_EINVAL || rc == PCRM_EDUPLICATE || rc == PCRM_ENOTFOUND ||
		        rc == PCRM_ENOMEM);
		return 0;
	}
	run_a_little(acd, &now);
	pcrm_acd_free(acd);
	return 0;
}
