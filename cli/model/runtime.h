/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which container a cgroup path names: container runtimes name the
 * cgroups they make after the container (docker-<id>.scope, /docker/<id>,
 * .../pod<uid>/<id>, cri-containerd-<id>.scope, crio-<id>.scope,
 * libpod-<id>.scope), and systemd after the unit (session-3.scope,
 * foo.service). A pure function of the path: no cgroupfs is read.
 */
#ifndef FS_RUNTIME_H
#define FS_RUNTIME_H

#include <stdint.h>

enum fs_runtime {
	FS_RUNTIME_NONE,	/* no container, no unit: "/", a slice */
	FS_RUNTIME_DOCKER,
	FS_RUNTIME_CONTAINERD,	/* cri-containerd-<id>.scope */
	FS_RUNTIME_CRI,		/* kubepods/.../pod<uid>/<id>: the path
				 * does not name the runtime */
	FS_RUNTIME_CRIO,
	FS_RUNTIME_PODMAN,
	FS_RUNTIME_SYSTEMD,	/* a systemd unit, no container runtime */
};

#define FS_CONTAINER_ID_LEN	64	/* lowercase hex */

/* A part of the path parsed; len 0: none. */
struct fs_span {
	uint16_t off, len;
};

struct fs_container {
	enum fs_runtime runtime;
	struct fs_span id;	/* the runtime's container id */
	struct fs_span unit;	/* the systemd unit: the container's scope,
				 * or, with no container, the deepest unit */
};

/*
 * What path (a cgroup's, below its hierarchy's root) says. The deepest
 * component a runtime named wins, so a container's own nested cgroups
 * (systemd's init.scope inside it, docker in docker) still find it.
 */
void fs_container_parse(const char *path, struct fs_container *c);
/* "docker", "containerd", "cri", "cri-o", "podman", "systemd"; NULL: none. */
const char *fs_runtime_name(enum fs_runtime r);

#endif
