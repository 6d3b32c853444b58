/*
 * Internal: keyset paging by (instant, UUID), shared by the lists that page
 * newest- or oldest-first through rows keyed that way (contacts, work
 * orders).  A page asks its query for limit + 1 rows: the extra row only
 * says that a next page exists, and the cursor is the key of the last row
 * kept, "<instant>.<uuid>", which callers treat as opaque.
 */
#ifndef PCRM_STORE_KEYSET_H
#define PCRM_STORE_KEYSET_H

#include <stdio.h>
#include <stdlib.h>

#include <powercrm/time.h>

#include "core/error.h"
#include "core/uuid.h"
#include "store/store.h"

/* The page size rule of every paged list: 0 = 50, else 1..1000. */
#define PCRM__PAGE_DEFAULT 50
#define PCRM__PAGE_MAX 1000

/** Applies the page size rule to *limit (0 becomes the default); PCRM_EINVAL outside it. */
static inline int pcrm__page_limit(int *limit)
{
	if (*limit == 0)
		*limit = PCRM__PAGE_DEFAULT;
	if (*limit < 1 || *limit > PCRM__PAGE_MAX)
		return pcrm__error(PCRM_EINVAL, "limit: %d is outside 1..%d (0 = %d)", *limit,
		                   PCRM__PAGE_MAX, PCRM__PAGE_DEFAULT);
	return PCRM_OK;
}

/* Room for "<at>.<uuid>" with a 64-bit instant. */
#define PCRM__KEYSET_CURSOR_MAX 64

/**
 * Reads a cursor made by PCRM__KEYSET_PAGE_READ.  A cursor that is not one
 * is PCRM_EINVAL naming `maker`, the public function that hands cursors out.
 */
int pcrm__keyset_cursor_parse(const char *cursor, const char *maker, pcrm_time *at,
			      char id[PCRM_UUID_STRING_LEN + 1]);

/**
 * Defines `static int fn(pcrm_rows *rows, int limit, list_type *list,
 * int (*make)(void *arg, pcrm_rows *rows, item_type **out), void *arg)`,
 * which fills a paged list (members `items`, `count`, `next_cursor`) with
 * up to `limit` items made row by row by `make`, and sets `next_cursor`
 * from `at_fn` and `id_fn` of the last item when a row beyond them exists.
 * A macro because each list holds its own item type.
 */
#define PCRM__KEYSET_PAGE_READ(fn, list_type, item_type, at_fn, id_fn)                             \
	static int fn(pcrm_rows *rows, int limit, list_type *list,                                 \
		      int (*make)(void *arg, pcrm_rows *rows, item_type **out), void *arg)         \
	{                                                                                          \
		int rc;                                                                            \
		list->items = calloc((size_t)limit, sizeof(*list->items));                         \
		if (!list->items)                                                                  \
			return pcrm__error_oom();                                                  \
		while ((rc = pcrm__rows_next(rows)) == 1) {                                        \
			const item_type *last;                                                     \
			char cursor[PCRM__KEYSET_CURSOR_MAX];                                      \
			if (list->count < (size_t)limit) {                                         \
				rc = make(arg, rows, &list->items[list->count]);                   \
				if (rc != PCRM_OK)                                                 \
					return rc;                                                 \
				list->count++;                                                     \
				continue;                                                          \
			}                                                                          \
			last = list->items[list->count - 1];                                       \
			snprintf(cursor, sizeof(cursor), "%lld.%s", (long long)at_fn(last),        \
				 id_fn(last));                                                     \
			list->next_cursor = strdup(cursor);                                        \
			return list->next_cursor ? PCRM_OK : pcrm__error_oom();                    \
		}                                                                                  \
		return rc < 0 ? rc : PCRM_OK;                                                      \
	}

#endif
