/* Id -> object lookup (idmap.h): FNV-1a mixed, linear probing, load factor <= 1/2. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "idmap.h"

static uint64_t hash_text(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3u;
	}
	/* FNV leaves ids like "a1234" / "a1235" close in the low bits the table
	 * uses: mix every bit down (MurmurHash3's finaliser) so probes stay short */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 33);
}

static inline const char *key_of(const struct acd_idmap *m, const void *item)
{
	return (const char *)item + m->key_off;
}

void acd_idmap_init(struct acd_idmap *m, size_t key_off)
{
	m->slots = NULL;
	m->count = m->cap = 0;
	m->key_off = key_off;
}

void acd_idmap_free(struct acd_idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->count = m->cap = 0;
}

void *acd_idmap_get(const struct acd_idmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = hash_text(key) & mask; m->slots[i]; i = (i + 1) & mask)
		if (strcmp(key_of(m, m->slots[i]), key) == 0)
			return m->slots[i];
	return NULL;
}

static void insert_slot(void **slots, size_t mask, const struct acd_idmap *m, void *item)
{
	size_t i = hash_text(key_of(m, item)) & mask;
	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = item;
}

int acd_idmap_reserve(struct acd_idmap *m, size_t n)
{
	size_t need = (m->count + n) * 2, cap = m->cap ? m->cap : 16;
	if (need <= m->cap)
		return PCRM_OK;
	while (cap < need)
		cap *= 2;
	void **slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return pcrm__error_oom();
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i])
			insert_slot(slots, cap - 1, m, m->slots[i]);
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return PCRM_OK;
}

int acd_idmap_put(struct acd_idmap *m, void *item)
{
	int rc = acd_idmap_reserve(m, 1);
	if (rc < 0)
		return rc;
	insert_slot(m->slots, m->cap - 1, m, item);
	m->count++;
	return PCRM_OK;
}

void acd_idmap_del(struct acd_idmap *m, const char *key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1, i = hash_text(key) & mask;
	while (m->slots[i] && strcmp(key_of(m, m->slots[i]), key) != 0)
		i = (i + 1) & mask;
	if (!m->slots[i])
		return;
	m->slots[i] = NULL;
	m->count--;
	/* backward shift: move later members of the cluster into the hole when
	 * their home slot does not lie cyclically between the hole and them */
	for (size_t j = (i + 1) & mask; m->slots[j]; j = (j + 1) & mask) {
		size_t home = hash_text(key_of(m, m->slots[j])) & mask;
		int between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
		if (between)
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j] = NULL;
		i = j;
	}
}
