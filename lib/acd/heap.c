/* The indexed binary heap with inline keys of the routing index and the timers (heap.h). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "heap.h"

static inline void set_pos(const struct acd_heap *h, void *item, size_t i)
{
	*(size_t *)(void *)((char *)item + h->pos_off) = i;
}

static inline size_t get_pos(const struct acd_heap *h, const void *item)
{
	return *(const size_t *)(const void *)((const char *)item + h->pos_off);
}

static inline void place(struct acd_heap *h, size_t i, const struct acd_heap_node *n)
{
	h->nodes[i] = *n;
	set_pos(h, n->item, i);
}

static void sift_up(struct acd_heap *h, size_t i)
{
	struct acd_heap_node n = h->nodes[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!acd_key_less(n.key, h->nodes[parent].key))
			break;
		place(h, i, &h->nodes[parent]);
		i = parent;
	}
	place(h, i, &n);
}

static void sift_down(struct acd_heap *h, size_t i)
{
	struct acd_heap_node n = h->nodes[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && acd_key_less(h->nodes[child + 1].key, h->nodes[child].key))
			child++;
		if (!acd_key_less(h->nodes[child].key, n.key))
			break;
		place(h, i, &h->nodes[child]);
		i = child;
	}
	place(h, i, &n);
}

void acd_heap_init(struct acd_heap *h, size_t pos_off)
{
	memset(h, 0, sizeof(*h));
	h->pos_off = pos_off;
}

void acd_heap_free(struct acd_heap *h)
{
	free(h->nodes);
	h->nodes = NULL;
	h->count = h->cap = h->slots = 0;
}

int acd_heap_reserve(struct acd_heap *h, size_t n)
{
	if (n <= h->cap)
		return PCRM_OK;
	size_t cap = h->cap ? h->cap : 8;
	while (cap < n)
		cap *= 2;
	struct acd_heap_node *grown = realloc(h->nodes, cap * sizeof(*grown));
	if (!grown)
		return pcrm__error_oom();
	h->nodes = grown;
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

int acd_heap_push(struct acd_heap *h, void *item, const int64_t key[3])
{
	int rc = acd_heap_reserve(h, h->count + 1);
	if (rc < 0)
		return rc;
	struct acd_heap_node *n = &h->nodes[h->count];
	memcpy(n->key, key, sizeof(n->key));
	n->item = item;
	sift_up(h, h->count++);
	return PCRM_OK;
}

void acd_heap_remove(struct acd_heap *h, void *item)
{
	size_t i = get_pos(h, item);
	set_pos(h, item, ACD_HEAP_NONE);
	if (i == --h->count)
		return;
	h->nodes[i] = h->nodes[h->count];
	set_pos(h, h->nodes[i].item, i);
	if (i > 0 && acd_key_less(h->nodes[i].key, h->nodes[(i - 1) / 2].key))
		sift_up(h, i);
	else
		sift_down(h, i);
}
