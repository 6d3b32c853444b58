/*
 * Internal: an indexed binary min-heap of pointers.  Each item keeps its own
 * position (a size_t at byte offset `pos_off`, ACD_HEAP_NONE when outside
 * any heap), so removing or re-sorting an arbitrary item is O(log n): the
 * routing index (idle agents, waiting calls) and the timers rest on it.
 */
#ifndef PCRM_ACD_HEAP_H
#define PCRM_ACD_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define ACD_HEAP_NONE SIZE_MAX

/** Nonzero when a must come out before b. */
typedef int (*acd_heap_less_fn)(const void *a, const void *b);

struct acd_heap {
	void **items;
	size_t count, cap;
	size_t slots; /* items that may be in the heap at once (claimed) */
	size_t pos_off;
	acd_heap_less_fn less;
};

void acd_heap_init(struct acd_heap *h, acd_heap_less_fn less, size_t pos_off);
void acd_heap_free(struct acd_heap *h);
/** PCRM_OK or PCRM_ENOMEM (nothing changed). */
int acd_heap_push(struct acd_heap *h, void *item);
/** Removes `item`, which must be in this heap. */
void acd_heap_remove(struct acd_heap *h, void *item);
/** The first item, NULL when empty. */
static inline void *acd_heap_top(const struct acd_heap *h)
{
	return h->count ? h->items[0] : NULL;
}
/** Removes and returns the first item, NULL when empty. */
void *acd_heap_pop(struct acd_heap *h);
/** Restores order after `item`'s key changed. */
void acd_heap_update(struct acd_heap *h, void *item);
/** Nonzero when `item` is in some heap (its position is set). */
int acd_heap_contains(const struct acd_heap *h, const void *item);
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
