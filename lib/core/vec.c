/* Result-list plumbing: a growable array of malloc'd items, one-block records. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vec.h"

int pcrm__vec_push(struct pcrm__vec *v, void *item)
{
	if (v->count == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **items = realloc(v->items, cap * sizeof(*items));
		if (!items)
			return pcrm__error_oom();
		v->items = items;
		v->cap = cap;
	}
	v->items[v->count++] = item;
	return PCRM_OK;
}

void pcrm__vec_free(struct pcrm__vec *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->count = v->cap = 0;
}

void *pcrm__block_new(size_t size, const char *const *src, const size_t *offsets, size_t n)
{
	size_t total = size;
	char *block, *cursor;
	for (size_t i = 0; i < n; i++)
		total += src[i] ? strlen(src[i]) + 1 : 0;
	block = calloc(1, total);
	if (!block)
		return NULL;
	cursor = block + size;
	for (size_t i = 0; i < n; i++) {
		const char *copy = cursor;
		if (!src[i])
			continue;
		strcpy(cursor, src[i]);
		cursor += strlen(src[i]) + 1;
		memcpy(block + offsets[i], &copy, sizeof(copy));
	}
	return block;
}
