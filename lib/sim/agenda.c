/*
 * The future event list: a binary min-heap on (time, arming order), so
 * events due at the same millisecond run in the order they were armed and
 * a run never depends on anything but the model and the seed.
 */
#include <stdlib.h>

#include "sim_internal.h"

static int before(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

int sim_agenda_push(struct sim_agenda *a, int64_t at, uint32_t kind, uint32_t obj, uint32_t aux,
                    uint32_t gen)
{
	if (a->count == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct sim_ev *items = realloc(a->items, cap * sizeof(*items));
		if (!items)
			return PCRM_ENOMEM;
		a->items = items;
		a->cap = cap;
	}
	struct sim_ev ev = { at, ++a->seq, kind, obj, aux, gen };
	size_t i = a->count++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&ev, &a->items[parent]))
			break;
		a->items[i] = a->items[parent];
		i = parent;
	}
	a->items[i] = ev;
	return PCRM_OK;
}

int sim_agenda_pop(struct sim_agenda *a, struct sim_ev *out)
{
	if (a->count == 0)
		return 0;
	*out = a->items[0];
	struct sim_ev last = a->items[--a->count];
	size_t i = 0, n = a->count;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && before(&a->items[child + 1], &a->items[child]))
			child++;
		if (!before(&a->items[child], &last))
			break;
		a->items[i] = a->items[child];
		i = child;
	}
	if (n)
		a->items[i] = last;
	return 1;
}

void sim_agenda_free(struct sim_agenda *a)
{
	free(a->items);
	a->items = NULL;
	a->count = a->cap = 0;
}
