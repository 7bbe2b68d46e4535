// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

static uint32_t hash(uint64_t id)
{
	return (uint32_t)((id * 0x9E3779B97F4A7C15ULL) >> 32);
}

struct fs_idmap_slot *fs_idmap_get(const struct fs_idmap *m, uint64_t id)
{
	if (!m->slots || !id)
		return NULL;
	for (uint32_t i = hash(id) & m->mask;; i = (i + 1) & m->mask) {
		if (m->slots[i].id == id)
			return &m->slots[i];
		if (!m->slots[i].id)
			return NULL;
	}
}

static int grow(struct fs_idmap *m)
{
	uint32_t cap = m->slots ? (m->mask + 1) * 2 : 64;
	struct fs_idmap old = *m;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	m->mask = cap - 1;
	m->count = 0;
	for (uint32_t i = 0; old.slots && i <= old.mask; i++) {
		bool added;

		if (old.slots[i].id)
			fs_idmap_put(m, old.slots[i].id, &added)->value =
				old.slots[i].value;
	}
	free(old.slots);
	return 0;
}

struct fs_idmap_slot *fs_idmap_put(struct fs_idmap *m, uint64_t id,
				   bool *added)
{
	struct fs_idmap_slot *s = fs_idmap_get(m, id);

	*added = false;
	if (s || !id)
		return s;
	/* At most half full: probes stay short. */
	if ((!m->slots || (m->count + 1) * 2 > m->mask + 1) && grow(m))
		return NULL;
	for (uint32_t i = hash(id) & m->mask;; i = (i + 1) & m->mask) {
		if (!m->slots[i].id) {
			m->slots[i].id = id;
			m->slots[i].value = NULL;
			m->count++;
			*added = true;
			return &m->slots[i];
		}
	}
}

/* Linear probing: the entries after the hole shift back into it. */
void fs_idmap_del(struct fs_idmap *m, uint64_t id)
{
	struct fs_idmap_slot *s = fs_idmap_get(m, id);
	uint32_t hole, i, home;

	if (!s)
		return;
	hole = s - m->slots;
	for (i = (hole + 1) & m->mask; m->slots[i].id; i = (i + 1) & m->mask) {
		home = hash(m->slots[i].id) & m->mask;
		/* It stays if its home lies cyclically in (hole, i]. */
		if (((i - home) & m->mask) < ((i - hole) & m->mask))
			continue;
		m->slots[hole] = m->slots[i];
		hole = i;
	}
	m->slots[hole].id = 0;
	m->slots[hole].value = NULL;
	m->count--;
}

void fs_idmap_clear(struct fs_idmap *m, void (*fn)(void *value))
{
	for (uint32_t i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i].id && fn)
			fn(m->slots[i].value);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
