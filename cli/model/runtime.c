// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "common.h"
#include "runtime.h"

static const char *const runtime_names[] = {
	[FS_RUNTIME_DOCKER] = "docker",
	[FS_RUNTIME_CONTAINERD] = "containerd",
	[FS_RUNTIME_CRI] = "cri",
	[FS_RUNTIME_CRIO] = "cri-o",
	[FS_RUNTIME_PODMAN] = "podman",
	[FS_RUNTIME_SYSTEMD] = "systemd",
};

const char *fs_runtime_name(enum fs_runtime r)
{
	return (size_t)r < ARRAY_SIZE(runtime_names) ? runtime_names[r] : NULL;
}

/* One path component: s[0..len). */
struct comp {
	const char *s;
	size_t len;
};

static bool has_prefix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.len >= n && !memcmp(c.s, p, n);
}

static bool has_suffix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.len >= n && !memcmp(c.s + c.len - n, p, n);
}

/* Exactly a full id: 64 lowercase hex digits, as runtimes write them. */
static bool is_id(const char *s, size_t len)
{
	if (len != FS_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* Units that hold processes; slices only hold other cgroups. */
static bool is_unit(struct comp c)
{
	static const char *const kinds[] = { ".scope", ".service", ".socket",
					     ".mount", ".swap" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (c.len > strlen(kinds[i]) && has_suffix(c, kinds[i]))
			return true;
	return false;
}

/*
 * "<prefix><id>.scope" (systemd driver) or "<prefix><id>" (cgroupfs
 * driver). Monitors (libpod-conmon-<id>, crio-conmon-<id>) fail the id.
 */
static bool prefixed_id(struct comp c, const char *prefix)
{
	size_t n = strlen(prefix), len = c.len;

	if (!has_prefix(c, prefix))
		return false;
	if (has_suffix(c, ".scope"))
		len -= strlen(".scope");
	return is_id(c.s + n, len - n);
}

static const struct {
	const char *prefix;
	enum fs_runtime runtime;
} prefixed[] = {
	{ "docker-", FS_RUNTIME_DOCKER },
	{ "cri-containerd-", FS_RUNTIME_CONTAINERD },
	{ "crio-", FS_RUNTIME_CRIO },
	{ "libpod-", FS_RUNTIME_PODMAN },
};

/* The runtime that named c (parent: the component above it), or NONE. */
static enum fs_runtime runtime_of(struct comp c, struct comp parent,
				  size_t *id_off)
{
	for (size_t i = 0; i < ARRAY_SIZE(prefixed); i++) {
		if (prefixed_id(c, prefixed[i].prefix)) {
			*id_off = strlen(prefixed[i].prefix);
			return prefixed[i].runtime;
		}
	}
	if (!is_id(c.s, c.len))
		return FS_RUNTIME_NONE;
	*id_off = 0;
	/* cgroupfs layouts: /docker/<id>, /kubepods/<qos>/pod<uid>/<id>. */
	if (parent.len == strlen("docker") && has_prefix(parent, "docker"))
		return FS_RUNTIME_DOCKER;
	return has_prefix(parent, "pod") ? FS_RUNTIME_CRI : FS_RUNTIME_NONE;
}

static struct fs_span span(const char *path, const char *s, size_t len)
{
	return (struct fs_span){ .off = s - path, .len = len };
}

/* The component ending at end, past any slashes; len 0 at the start. */
static struct comp comp_before(const char *path, const char *end)
{
	const char *s;

	while (end > path && end[-1] == '/')
		end--;
	for (s = end; s > path && s[-1] != '/'; s--)
		;
	return (struct comp){ s, end - s };
}

void fs_container_parse(const char *path, struct fs_container *c)
{
	const char *end = path + strlen(path);
	struct comp comp, parent;
	size_t id_off;

	memset(c, 0, sizeof(*c));
	/* Deepest first: a runtime's name beats any unit, at any depth. */
	for (comp = comp_before(path, end); comp.len; comp = parent) {
		enum fs_runtime r;

		parent = comp_before(path, comp.s);
		r = runtime_of(comp, parent, &id_off);
		if (r == FS_RUNTIME_NONE)
			continue;
		c->runtime = r;
		c->id = span(path, comp.s + id_off, FS_CONTAINER_ID_LEN);
		if (is_unit(comp))
			c->unit = span(path, comp.s, comp.len);
		return;
	}
	for (comp = comp_before(path, end); comp.len;
	     comp = comp_before(path, comp.s)) {
		if (is_unit(comp)) {
			c->runtime = FS_RUNTIME_SYSTEMD;
			c->unit = span(path, comp.s, comp.len);
			return;
		}
	}
}
