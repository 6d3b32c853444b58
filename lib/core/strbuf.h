/*
 * Internal: a growable text buffer filled printf-style (SQL text built from
 * the library's own identifiers, DOT pictures).  After an allocation fails,
 * `failed` is set and later appends do nothing; the owner frees `p`.
 */
#ifndef PCRM_CORE_STRBUF_H
#define PCRM_CORE_STRBUF_H

#include <stddef.h>

#include "error.h"

struct pcrm__strbuf {
	char *p; /* NUL-terminated once anything was appended; NULL before */
	size_t len, cap;
	int failed;
};

void pcrm__strbuf_add(struct pcrm__strbuf *b, const char *fmt, ...) PCRM_PRINTF(2, 3);

#endif
