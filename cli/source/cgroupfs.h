/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where this machine mounts its cgroup hierarchies: cgroup v2 (at
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts) and a v1
 * hierarchy holding the pids controller, if any.
 */
#ifndef FS_SOURCE_CGROUPFS_H
#define FS_SOURCE_CGROUPFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs_cgroup_mounts {
	char v2[PATH_MAX];	/* "" when not mounted */
	char pids_v1[PATH_MAX];	/* "" when pids is not a v1 controller */
	bool v2_pids;		/* pids is a v2 controller here */
};

/* Read from /proc/self/mountinfo once. */
const struct fs_cgroup_mounts *fs_cgroup_mounts(void);
/*
 * The id of the cgroup whose pids controller governs the v2 cgroup at
 * dir: the nearest with pids.max, up to the root.
 */
uint64_t fs_cgroup_v2_pids(const char *dir);

/*
 * The path of cgroup id in hierarchy (FS_CGROUP_*) below its mount's
 * root, "/" for the root: 0, or -ENOENT when the cgroup is gone or the
 * hierarchy is not mounted. The kernel opens the cgroup by its id (a
 * kernfs file handle is the id), so the cost is one open, not a walk.
 */
int fs_cgroup_path_of(uint32_t hierarchy, uint64_t id, char *path, size_t len);

#endif
