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

#endif
