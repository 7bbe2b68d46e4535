// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "callsites.h"

struct fs_child_site {
	uint64_t start_ns;
	uint32_t use;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* Frames by address: a process's one stack; another ASLR base, another. */
static uint64_t stack_hash(const struct fs_stack *s)
{
	uint64_t h = mix(s->method, s->partial);

	for (uint32_t i = 0; i < s->nr; i++)
		h = mix(h, s->frames[i].addr);
	return h ? h : 1;	/* idmap ids are non-zero */
}

static bool same_stack(const struct fs_stack *a, const struct fs_stack *b)
{
	if (a->method != b->method || a->partial != b->partial ||
	    a->nr != b->nr)
		return false;
	for (uint32_t i = 0; i < a->nr; i++)
		if (a->frames[i].addr != b->frames[i].addr)
			return false;
	return true;
}

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *put_str(char **at, const char *s)
{
	char *copy = *at;

	if (!s)
		return NULL;
	strcpy(copy, s);
	*at += strlen(s) + 1;
	return copy;
}

/* One allocation: the site, its frames, their strings. */
struct fs_site *fs_site_new(const struct fs_stack *s, size_t *bytes)
{
	size_t n = sizeof(struct fs_site) + s->nr * sizeof(struct fs_frame);
	struct fs_site *site;
	char *at;

	for (uint32_t i = 0; i < s->nr; i++)
		n += str_size(s->frames[i].module) +
		     str_size(s->frames[i].build_id) +
		     str_size(s->frames[i].function) +
		     str_size(s->frames[i].file);
	site = calloc(1, n);
	if (!site)
		return NULL;
	site->stack = *s;
	site->stack.frames = (struct fs_frame *)(site + 1);
	at = (char *)(site->stack.frames + s->nr);
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct fs_frame *f = &s->frames[i];
		struct fs_frame *t = &site->stack.frames[i];

		*t = *f;
		t->module = put_str(&at, f->module);
		t->build_id = put_str(&at, f->build_id);
		t->function = put_str(&at, f->function);
		t->file = put_str(&at, f->file);
	}
	site->frame = fs_stack_site_frame(&site->stack);
	*bytes = n;
	return site;
}

static int64_t intern(struct fs_callsites *c, const struct fs_stack *s)
{
	uint64_t h = stack_hash(s);
	struct fs_idmap_slot *slot = fs_idmap_get(&c->by_hash, h);
	struct fs_site *site;
	size_t bytes;
	bool added;

	if (slot && same_stack(&c->sites[(uintptr_t)slot->value - 1]->stack, s))
		return (uintptr_t)slot->value - 1;
	if (c->nr_sites == c->cap_sites) {
		uint32_t cap = c->cap_sites ? 2 * c->cap_sites : 16;
		struct fs_site **n = realloc(c->sites, cap * sizeof(*n));

		if (!n)
			return -1;
		c->sites = n;
		c->cap_sites = cap;
	}
	site = fs_site_new(s, &bytes);
	if (!site)
		return -1;
	site->hash = h;
	c->sites[c->nr_sites] = site;
	c->bytes += bytes;
	/* A hash two stacks share keeps the first: the second is unindexed. */
	if (!slot) {
		slot = fs_idmap_put(&c->by_hash, h, &added);
		if (slot)
			slot->value = (void *)(uintptr_t)(c->nr_sites + 1);
	}
	return c->nr_sites++;
}

static int64_t use_of(struct fs_callsites *c, int32_t parent, uint32_t site)
{
	uint64_t key = (uint64_t)(uint32_t)parent << 32 | (site + 1);
	bool added;
	struct fs_idmap_slot *slot = fs_idmap_put(&c->use_of, key, &added);

	if (!slot)
		return -1;
	if (slot->value)
		return (uintptr_t)slot->value - 1;
	if (c->nr_uses == c->cap_uses) {
		uint32_t cap = c->cap_uses ? 2 * c->cap_uses : 16;
		struct fs_site_use *n = realloc(c->uses, cap * sizeof(*n));

		if (!n) {
			fs_idmap_del(&c->use_of, key);
			return -1;
		}
		c->uses = n;
		c->cap_uses = cap;
	}
	memset(&c->uses[c->nr_uses], 0, sizeof(c->uses[0]));
	c->uses[c->nr_uses].parent = parent;
	c->uses[c->nr_uses].site = site;
	slot->value = (void *)(uintptr_t)(c->nr_uses + 1);
	return c->nr_uses++;
}

const struct fs_site *fs_callsites_add(struct fs_callsites *c,
				       const struct fs_rec_fork_stack *r,
				       const struct fs_stack *s)
{
	int64_t site = intern(c, s), use;
	struct fs_idmap_slot *slot;
	struct fs_child_site *cs;
	bool added;

	if (site < 0)
		return NULL;
	use = use_of(c, r->hdr.tgid, site);
	if (use < 0)
		return c->sites[site];
	c->uses[use].forked++;
	c->uses[use].last_fork_ns = r->hdr.ts_ns;
	slot = fs_idmap_put(&c->children, (uint32_t)r->child_pid, &added);
	if (!slot)
		return c->sites[site];
	cs = slot->value;
	if (!cs) {
		cs = malloc(sizeof(*cs));
		if (!cs) {
			fs_idmap_del(&c->children, (uint32_t)r->child_pid);
			return c->sites[site];
		}
		slot->value = cs;
		c->bytes += sizeof(*cs);
	}
	cs->start_ns = r->child_start_ns;
	cs->use = use;
	return c->sites[site];
}

static struct fs_child_site *child_of(const struct fs_callsites *c,
				      int32_t pid, uint64_t start_ns)
{
	struct fs_idmap_slot *slot = pid > 0 ?
		fs_idmap_get(&c->children, (uint32_t)pid) : NULL;
	struct fs_child_site *cs = slot ? slot->value : NULL;

	return cs && (!start_ns || cs->start_ns == start_ns) ? cs : NULL;
}

void fs_callsites_released(struct fs_callsites *c, int32_t pid,
			   uint64_t start_ns)
{
	struct fs_child_site *cs = child_of(c, pid, start_ns);

	if (!cs)
		return;
	c->uses[cs->use].reaped++;
	free(cs);
	c->bytes -= sizeof(*cs);
	fs_idmap_del(&c->children, (uint32_t)pid);
}

const struct fs_site *fs_callsites_of(const struct fs_callsites *c,
				      int32_t pid, uint64_t start_ns)
{
	struct fs_child_site *cs = child_of(c, pid, start_ns);

	return cs ? c->sites[c->uses[cs->use].site] : NULL;
}

void fs_callsites_free(struct fs_callsites *c)
{
	for (uint32_t i = 0; i < c->nr_sites; i++)
		free(c->sites[i]);
	free(c->sites);
	free(c->uses);
	fs_idmap_clear(&c->children, free);
	fs_idmap_clear(&c->by_hash, NULL);
	fs_idmap_clear(&c->use_of, NULL);
	memset(c, 0, sizeof(*c));
}
