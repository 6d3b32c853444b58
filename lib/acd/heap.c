/* The indexed binary heap of the routing index and the timers (heap.h). */
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "heap.h"

static inline size_t *pos_of(const struct acd_heap *h, void *item)
{
	return (size_t *)(void *)((char *)item + h->pos_off);
}

static inline void place(struct acd_heap *h, size_t i, void *item)
{
	h->items[i] = item;
	*pos_of(h, item) = i;
}

static void sift_up(struct acd_heap *h, size_t i)
{
	void *item = h->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!h->less(item, h->items[parent]))
			break;
		place(h, i, h->items[parent]);
		i = parent;
	}
	place(h, i, item);
}

static void sift_down(struct acd_heap *h, size_t i)
{
	void *item = h->items[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && h->less(h->items[child + 1], h->items[child]))
			child++;
		if (!h->less(h->items[child], item))
			break;
		place(h, i, h->items[child]);
		i = child;
	}
	place(h, i, item);
}

void acd_heap_init(struct acd_heap *h, acd_heap_less_fn less, size_t pos_off)
{
	h->items = NULL;
	h->count = h->cap = h->slots = 0;
	h->pos_off = pos_off;
	h->less = less;
}

void acd_heap_free(struct acd_heap *h)
{
	free(h->items);
	h->items = NULL;
	h->count = h->cap = h->slots = 0;
}

int acd_heap_reserve(struct acd_heap *h, size_t n)
{
	if (n <= h->cap)
		return PCRM_OK;
	size_t cap = h->cap ? h->cap : 8;
	while (cap < n)
		cap *= 2;
	void **grown = realloc(h->items, cap * sizeof(*grown));
	if (!grown)
		return pcrm__error_oom();
	h->items = grown;
	h->cap = cap;
	return PCRM_OK;
}

int acd_heap_claim(struct acd_heap *h)
{
	int rc = acd_heap_reserve(h, h->slots + 1);
	if (rc == PCRM_OK)
		h->slots++;
	return rc;
}

int acd_heap_push(struct acd_heap *h, void *item)
{
	int rc = acd_heap_reserve(h, h->count + 1);
	if (rc < 0)
		return rc;
	h->items[h->count] = item;
	sift_up(h, h->count++);
	return PCRM_OK;
}

void acd_heap_remove(struct acd_heap *h, void *item)
{
	size_t i = *pos_of(h, item);
	void *last = h->items[--h->count];
	*pos_of(h, item) = ACD_HEAP_NONE;
	if (i == h->count)
		return;
	place(h, i, last);
	if (i > 0 && h->less(last, h->items[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

void *acd_heap_pop(struct acd_heap *h)
{
	void *top = acd_heap_top(h);
	if (top)
		acd_heap_remove(h, top);
	return top;
}

void acd_heap_update(struct acd_heap *h, void *item)
{
	size_t i = *pos_of(h, item);
	if (i > 0 && h->less(item, h->items[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

int acd_heap_contains(const struct acd_heap *h, const void *item)
{
	size_t i = *pos_of(h, (void *)(uintptr_t)item);
	return i < h->count && h->items[i] == item;
}
