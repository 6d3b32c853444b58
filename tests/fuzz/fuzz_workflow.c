/*
 * Fuzz target for workflow definitions: whatever pcrm_workflow_check()
 * accepts must hold the loader's promises (one initial state, a final
 * state, every limit computable, warnings before their limit, a known
 * permission on every transition, a DOT picture), and whatever it refuses
 * must be refused with PCRM_EINVAL and a message, never a crash, a hang or
 * a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "workflow/workflow_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOC (64 * 1024)

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_workflow.c:%d: invariant failed: %s\n", line, what);
	abort();
}

/* Office hours with a holiday and a make-up day, so working-time limits take real paths. */
static const char calendar[] =
	"{\"name\": \"fuzz\", \"utc_offset\": \"+08:00\", \"working_hours\": {"
	"\"mon\": [[\"08:30\", \"12:00\"], [\"13:30\", \"17:30\"]], \"tue\": [[\"08:30\", \"17:30\"]],"
	"\"wed\": [[\"08:30\", \"17:30\"]], \"thu\": [[\"08:30\", \"17:30\"]],"
	"\"fri\": [[\"08:30\", \"17:30\"]], \"sat\": [], \"sun\": []},"
	"\"holidays\": [{\"from\": \"2026-10-01\", \"to\": \"2026-10-07\", \"name\": \"h\"}],"
	"\"make_up_working_days\": [{\"date\": \"2026-10-10\", \"hours_as\": \"mon\", \"name\": \"m\"}]}";

static void check_limit(const pcrm_workflow *wf, const struct pcrm__wf_limit *l)
{
	static const pcrm_time starts[] = { 1795395600, 1790000000, 1800000000 };
	if (!l->set)
		return;
	require(l->amount > 0);
	require(l->flag || l->escalate || l->notify || l->fire);
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		pcrm_time due = 0, warn = 0;
		require(pcrm__workflow_limit_due(wf, l, starts[i], &due, &warn) == PCRM_OK);
		require(due > starts[i]);
		require(warn == 0 || (warn >= starts[i] && warn <= due));
		require(!l->warn_percent || warn != 0);
	}
}

static void check(const pcrm_workflow *wf)
{
	size_t initials = 0, finals = 0;
	char *dot = NULL;
	require(wf->nstates > 0);
	for (size_t i = 0; i < wf->nstates; i++) {
		initials += (size_t)wf->states[i].initial;
		finals += (size_t)wf->states[i].final;
		check_limit(wf, &wf->states[i].limit);
		require(pcrm__workflow_state_index(wf, wf->states[i].name) == i);
	}
	require(initials == 1 && finals >= 1);
	check_limit(wf, &wf->process);
	for (size_t i = 0; i < wf->ntransitions; i++) {
		require(wf->transitions[i].from < wf->nstates && wf->transitions[i].to < wf->nstates);
		require(!wf->states[wf->transitions[i].from].final);
		/* the engine checks this in the work order's scope: always one of the table's */
		require(pcrm_permission_name(wf->transitions[i].permission) != NULL);
		require(pcrm__workflow_transition(wf, wf->transitions[i].from,
		                                  wf->transitions[i].event) == &wf->transitions[i]);
	}
	require(pcrm_workflow_to_dot(wf, &dot) == PCRM_OK && dot && strstr(dot, "digraph ") == dot);
	free(dot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char doc[MAX_DOC + 1];
	pcrm_workflow *wf = NULL;
	int rc;

	if (size > MAX_DOC)
		size = MAX_DOC;
	memcpy(doc, data, size);
	doc[size] = '\0';
	rc = pcrm__workflow_parse(doc, calendar, &wf);
	if (rc != PCRM_OK) {
		require(wf == NULL);
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(pcrm_error_last()[0] != '\0');
		return 0;
	}
	check(wf);
	pcrm_workflow_free(wf);
	return 0;
}
