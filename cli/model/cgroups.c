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
			m->cgroup_bytes -= ((struct fs_cgroup *)
					    all->slots[i].value)->bytes;
	fs_idmap_clear(all, free);
	*all = keep;
}

/* path is filter or below it: "/a" holds "/a" and "/a/b", not "/ab". */
static bool below(const char *path, const char *filter)
{
	size_t n = strlen(filter);

	while (n && filter[n - 1] == '/')
		n--;		/* "/a/" is "/a", and "/" everything */
	return *path && !strncmp(path, filter, n) &&
	       (path[n] == '/' || !path[n]);
}

/* --container: a container id's prefix (docker's short ids) or a unit. */
static bool is_container(const struct fs_cgroup *c, const char *filter)
{
	return (c->id && !strncmp(c->id, filter, strlen(filter))) ||
	       (c->unit && !strcmp(c->unit, filter));
}

static bool selects(const struct fs_model *m, const struct fs_cgroup *c)
{
	return (!m->select_cgroup || below(c->path, m->select_cgroup)) &&
	       (!m->select_container || is_container(c, m->select_container));
}

/* Copies s[span] after *end; NULL for an empty span. */
static const char *keep_span(char **end, const char *s, struct fs_span sp)
{
	char *at = *end;

	if (!sp.len)
		return NULL;
	memcpy(at, s + sp.off, sp.len);
	at[sp.len] = 0;
	*end = at + sp.len + 1;
	return at;
}

/* One allocation: the struct, then the path, the id and the unit. */
static struct fs_cgroup *cgroup_new(const struct fs_model *m, const char *path)
{
	size_t plen = strlen(path) + 1;
	struct fs_container pc;
	struct fs_cgroup *c;
	char *end;

	fs_container_parse(path, &pc);
	c = malloc(sizeof(*c) + plen + pc.id.len + 1 + pc.unit.len + 1);
	if (!c)
		return NULL;
	end = (char *)(c + 1);
	memcpy(end, path, plen);
	c->path = end;
	end += plen;
	c->id = keep_span(&end, path, pc.id);
	c->unit = keep_span(&end, path, pc.unit);
	c->runtime = pc.runtime;
	c->bytes = end - (char *)c;
	c->selected = selects(m, c);
	return c;
}

void fs_model_name_cgroup(struct fs_model *m,
			  const struct fs_rec_cgroup_path *r)
{
	struct fs_idmap_slot *slot;
	uint32_t h = r->hierarchy - 1;
	struct fs_cgroup *c;
	bool added;

	if (r->hierarchy != FS_CGROUP_V2 && r->hierarchy != FS_CGROUP_PIDS)
		return;
	if (m->cgroup_paths[h].count >= MAX_NAMES)
		drop_unused(m, h);
	c = cgroup_new(m, fs_cgroup_path(r));
	slot = c ? fs_idmap_put(&m->cgroup_paths[h], r->id, &added) : NULL;
	if (!slot) {
		free(c);
		return;
	}
	if (slot->value)
		m->cgroup_bytes -= ((struct fs_cgroup *)slot->value)->bytes;
	free(slot->value);
	slot->value = c;
	m->cgroup_bytes += c->bytes;
}

const struct fs_cgroup *fs_model_cgroup(const struct fs_model *m,
					uint32_t hierarchy, uint64_t id)
{
	const struct fs_idmap_slot *s;

	if (hierarchy != FS_CGROUP_V2 && hierarchy != FS_CGROUP_PIDS)
		return NULL;
	s = fs_idmap_get(&m->cgroup_paths[hierarchy - 1], id);
	return s ? s->value : NULL;
}

const char *fs_model_cgroup_path(const struct fs_model *m, uint32_t hierarchy,
				 uint64_t id)
{
	const struct fs_cgroup *c = fs_model_cgroup(m, hierarchy, id);

	return c ? c->path : NULL;
}

/* How much a cgroup says of its container: an id, a unit, a path. */
static int rank(const struct fs_cgroup *c)
{
	if (!c)
		return 0;
	return c->id ? 4 : c->unit ? 3 : *c->path ? 2 : 1;
}

const struct fs_cgroup *fs_model_container(const struct fs_model *m,
					   const struct fs_ident *id)
{
	const struct fs_cgroup *v2 = fs_model_cgroup(m, FS_CGROUP_V2,
						     id->cgroup);
	const struct fs_cgroup *pids = fs_model_cgroup(m, FS_CGROUP_PIDS,
						       id->pids_cgroup);

	/* The v2 path unless the pids hierarchy says more (hybrid hosts). */
	return rank(pids) > rank(v2) ? pids : v2;
}

bool fs_model_ident_selected(const struct fs_model *m,
			     const struct fs_ident *id)
{
	const struct fs_cgroup *v2, *pids;

	if (!m->select_cgroup && !m->select_container)
		return true;
	v2 = fs_model_cgroup(m, FS_CGROUP_V2, id->cgroup);
	pids = fs_model_cgroup(m, FS_CGROUP_PIDS, id->pids_cgroup);
	return (v2 && v2->selected) || (pids && pids->selected);
}

void fs_model_forget_cgroups(struct fs_model *m)
{
	fs_idmap_clear(&m->cgroup_paths[0], free);
	fs_idmap_clear(&m->cgroup_paths[1], free);
	m->cgroup_bytes = 0;
}

/* The first two different container ids the selected cgroups hold. */
bool fs_model_container_ambiguous(const struct fs_model *m, const char **a,
				  const char **b)
{
	*a = *b = NULL;
	if (!m->select_container)
		return false;
	for (uint32_t h = 0; h < 2; h++) {
		const struct fs_idmap *map = &m->cgroup_paths[h];

		for (uint32_t i = 0; map->slots && i <= map->mask; i++) {
			const struct fs_cgroup *c = map->slots[i].value;

			if (!c || !c->selected || !c->id)
				continue;
			if (!*a)
				*a = c->id;
			else if (strcmp(*a, c->id))
				return (*b = c->id) != NULL;
		}
	}
	return false;
}
