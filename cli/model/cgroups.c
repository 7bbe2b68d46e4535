// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "cgroups.h"
#include "decode.h"

/*
 * Past this many names, those no task uses are dropped: containers come
 * and go for months. The source names a cgroup again at each snapshot.
 */
#define MAX_NAMES	8192

static void drop_unused(struct fs_model *m, uint32_t h)
{
	struct fs_idmap keep = { 0 }, *all = &m->cgroup_paths[h];
	const struct fs_task *t;
	bool added;

	fs_proctab_for_each(&m->tab, t) {
		uint64_t id = h ? t->id.pids_cgroup : t->id.cgroup;
		struct fs_idmap_slot *from = fs_idmap_get(all, id), *to;

		if (!from || !fs_task_is_live(t))
			continue;
		to = fs_idmap_put(&keep, id, &added);
		if (!to)
			return;		/* out of memory: keep them all */
		if (added) {
			to->value = from->value;
			from->value = NULL;
		}
	}
	for (uint32_t i = 0; i <= all->mask; i++)
		if (all->slots[i].value)
			m->cgroup_bytes -= strlen(all->slots[i].value) + 1;
	fs_idmap_clear(all, free);
	*all = keep;
}

void fs_model_name_cgroup(struct fs_model *m,
			  const struct fs_rec_cgroup_path *r)
{
	struct fs_idmap_slot *slot;
	uint32_t h = r->hierarchy - 1;
	char *path;
	bool added;

	if (r->hierarchy != FS_CGROUP_V2 && r->hierarchy != FS_CGROUP_PIDS)
		return;
	if (m->cgroup_paths[h].count >= MAX_NAMES)
		drop_unused(m, h);
	path = strdup(fs_cgroup_path(r));
	slot = path ? fs_idmap_put(&m->cgroup_paths[h], r->id, &added) : NULL;
	if (!slot) {
		free(path);
		return;
	}
	if (slot->value)
		m->cgroup_bytes -= strlen(slot->value) + 1;
	free(slot->value);
	slot->value = path;
	m->cgroup_bytes += strlen(path) + 1;
}

const char *fs_model_cgroup_path(const struct fs_model *m, uint32_t hierarchy,
				 uint64_t id)
{
	const struct fs_idmap_slot *s;

	if (hierarchy != FS_CGROUP_V2 && hierarchy != FS_CGROUP_PIDS)
		return NULL;
	s = fs_idmap_get(&m->cgroup_paths[hierarchy - 1], id);
	return s ? s->value : NULL;
}

void fs_model_forget_cgroups(struct fs_model *m)
{
	fs_idmap_clear(&m->cgroup_paths[0], free);
	fs_idmap_clear(&m->cgroup_paths[1], free);
	m->cgroup_bytes = 0;
}
