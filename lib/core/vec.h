/*
 * Internal: the plumbing of result lists: a growable array of malloc'd
 * items, records allocated with their strings in one block, and the
 * count / at / free functions of a public list type built on them.
 */
#ifndef PCRM_CORE_VEC_H
#define PCRM_CORE_VEC_H

#include <stddef.h>
#include <stdlib.h>

/** A growable array of malloc'd items. */
struct pcrm__vec {
	void **items;
	size_t count, cap;
};

int pcrm__vec_push(struct pcrm__vec *v, void *item);
/** Frees every item and the array (not the struct). */
void pcrm__vec_free(struct pcrm__vec *v);

/**
 * Allocates a zeroed struct of `size` bytes followed by copies of the `n`
 * strings `src` (NULL ones are skipped), storing each copy's address in the
 * `const char *` member at byte offset `offsets[i]`.  NULL when out of memory.
 */
void *pcrm__block_new(size_t size, const char *const *src, const size_t *offsets, size_t n);

/**
 * The three functions of a list type that wraps one struct pcrm__vec `v`:
 * count, the i-th item (NULL out of range), free (NULL is a no-op).
 */
#define PCRM__VEC_LIST(type, item, count_fn, at_fn, free_fn)                                \
	size_t count_fn(const type *l) { return l ? l->v.count : 0; }                        \
	const item *at_fn(const type *l, size_t i)                                           \
	{                                                                                    \
		return l && i < l->v.count ? (const item *)l->v.items[i] : NULL;             \
	}                                                                                    \
	void free_fn(type *l)                                                                \
	{                                                                                    \
		if (l)                                                                       \
			pcrm__vec_free(&l->v);                                               \
		free(l);                                                                     \
	}

/**
 * The four functions of a paged list type whose members are `items` (item
 * pointers), `count` and `next_cursor` (malloc'd, or NULL on the last
 * page): PREFIX_count, PREFIX_at (NULL out of range), PREFIX_next_cursor
 * and PREFIX_free (frees each item with item_free; NULL is a no-op).
 */
#define PCRM__PAGE_LIST(type, item, prefix, item_free)                                      \
	size_t prefix##_count(const type *l) { return l ? l->count : 0; }                    \
	const item *prefix##_at(const type *l, size_t i)                                     \
	{                                                                                    \
		return l && i < l->count ? l->items[i] : NULL;                               \
	}                                                                                    \
	const char *prefix##_next_cursor(const type *l) { return l ? l->next_cursor : NULL; } \
	void prefix##_free(type *l)                                                          \
	{                                                                                    \
		if (!l)                                                                      \
			return;                                                              \
		for (size_t i = 0; i < l->count; i++)                                        \
			item_free(l->items[i]);                                              \
		free(l->items);                                                              \
		free(l->next_cursor);                                                        \
		free(l);                                                                     \
	}

#endif
