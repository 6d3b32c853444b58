/*
 * Internal: id -> object lookup for agents, queues and calls.  Open
 * addressing with linear probing and backward-shift deletion; the key is the
 * NUL-terminated id inside each object (at byte offset `key_off`), so the map
 * stores pointers only.
 */
#ifndef PCRM_ACD_IDMAP_H
#define PCRM_ACD_IDMAP_H

#include <stddef.h>

struct acd_idmap {
	void **slots;
	size_t count, cap; /* cap is 0 or a power of two */
	size_t key_off;
};

void acd_idmap_init(struct acd_idmap *m, size_t key_off);
void acd_idmap_free(struct acd_idmap *m);
void *acd_idmap_get(const struct acd_idmap *m, const char *key);
/** Adds an item whose key is not in the map yet.  PCRM_OK or PCRM_ENOMEM. */
int acd_idmap_put(struct acd_idmap *m, void *item);
/** Makes room so that `n` more puts cannot fail. */
int acd_idmap_reserve(struct acd_idmap *m, size_t n);
void acd_idmap_del(struct acd_idmap *m, const char *key);

#endif
