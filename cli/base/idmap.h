/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A map from non-zero 64-bit ids to pointers (cgroup ids to their paths,
 * or a set of ids seen), open addressing, growing by doubling.
 */
#ifndef FS_IDMAP_H
#define FS_IDMAP_H

#include <stdbool.h>
#include <stdint.h>

struct fs_idmap {
	struct fs_idmap_slot {
		uint64_t id;		/* 0: free */
		void *value;
	} *slots;
	uint32_t mask;			/* capacity - 1 */
	uint32_t count;
};

/* The slot of id, or NULL. */
struct fs_idmap_slot *fs_idmap_get(const struct fs_idmap *m, uint64_t id);
/* The slot of id, made (value NULL) when missing; NULL when out of memory. */
struct fs_idmap_slot *fs_idmap_put(struct fs_idmap *m, uint64_t id,
				   bool *added);
/* Removes id, if there; other slots may move (re-get them after). */
void fs_idmap_del(struct fs_idmap *m, uint64_t id);
/* Calls fn on every value (may be NULL), then empties the map. */
void fs_idmap_clear(struct fs_idmap *m, void (*fn)(void *value));

#endif
