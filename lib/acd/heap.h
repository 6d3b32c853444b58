/*
 * Internal: an indexed binary min-heap whose nodes carry their sort key
 * inline (three int64_t compared in order) next to the item pointer, so
 * sifting reads only the heap's own array: with 20,000 waiting calls and
 * thousands of agents, a comparison that had to follow a pointer into a
 * cold call or agent would cost a cache miss per step.  Each item keeps its
 * own position (a size_t at byte offset `pos_off`, ACD_HEAP_NONE outside any
 * heap), so removing an arbitrary item is O(log n).  A key changes by
 * remove + push.
 */
#ifndef PCRM_ACD_HEAP_H
#define PCRM_ACD_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define ACD_HEAP_NONE SIZE_MAX

struct acd_heap_node {
	int64_t key[3];
	void *item;
};

struct acd_heap {
	struct acd_heap_node *nodes;
	size_t count, cap;
	size_t slots; /* items that may be in the heap at once (claimed) */
	size_t pos_off;
};

/** Nonzero when key a sorts before key b. */
static inline int acd_key_less(const int64_t *a, const int64_t *b)
{
	if (a[0] != b[0])
		return a[0] < b[0];
	if (a[1] != b[1])
		return a[1] < b[1];
	return a[2] < b[2];
}

void acd_heap_init(struct acd_heap *h, size_t pos_off);
void acd_heap_free(struct acd_heap *h);
/** PCRM_OK or PCRM_ENOMEM (nothing changed); never fails within claimed room. */
int acd_heap_push(struct acd_heap *h, void *item, const int64_t key[3]);
/** Removes `item`, which must be in this heap. */
void acd_heap_remove(struct acd_heap *h, void *item);
/** The first item, NULL when empty. */
static inline void *acd_heap_top(const struct acd_heap *h)
{
	return h->count ? h->nodes[0].item : NULL;
}
/** The first node (key and item), NULL when empty. */
static inline const struct acd_heap_node *acd_heap_top_node(const struct acd_heap *h)
{
	return h->count ? &h->nodes[0] : NULL;
}
/** Makes room for `n` items, so later pushes up to that count cannot fail. */
int acd_heap_reserve(struct acd_heap *h, size_t n);
/**
 * Claims room for one more item that may enter the heap later (an owner
 * claims once and may then push and remove its item any number of times
 * without a push ever failing).  PCRM_OK or PCRM_ENOMEM (nothing claimed).
 */
int acd_heap_claim(struct acd_heap *h);
/** Gives a claim back. */
static inline void acd_heap_release(struct acd_heap *h)
{
	h->slots--;
}

#endif
