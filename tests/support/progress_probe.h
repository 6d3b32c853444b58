/*
 * A pcrm_progress_fn for tests: records every report and asks to stop at
 * the report numbered stop_at (1-based; 0 never stops).
 */
#ifndef PCRM_TEST_PROGRESS_PROBE_H
#define PCRM_TEST_PROGRESS_PROBE_H

#include <stdint.h>

struct progress_probe {
	int calls;
	int stop_at;
	int64_t seen[16];
};

static inline int progress_probe_report(int64_t done, void *userdata)
{
	struct progress_probe *p = userdata;
	if (p->calls < 16)
		p->seen[p->calls] = done;
	p->calls++;
	return p->stop_at != 0 && p->calls >= p->stop_at;
}

#endif
