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

/* What a pids cgroup's files say (cgroup v1 pids and v2 alike). */
struct fs_pids_counters {
	int64_t current;	/* pids.current: tasks counted, zombies too */
	int64_t max;		/* pids.max; -1 for "max", no limit */
	uint64_t refused;	/* pids.events "max": forks refused here */
};

/*
 * The mount of the hierarchy holding the pids controller: the v1 pids
 * hierarchy on hybrid hosts, else cgroup v2 when it offers pids; NULL
 * when the kernel has no pids controller mounted.
 */
const char *fs_cgroup_pids_root(void);
/* The counters of the pids cgroup at path (below the root): 0 or -errno. */
int fs_cgroup_pids_read(const char *path, struct fs_pids_counters *c);
/* The same by id (fs_ident.pids_cgroup), its path in path[len]. */
int fs_cgroup_pids_read_id(uint64_t id, char *path, size_t len,
			   struct fs_pids_counters *c);
/*
 * Calls fn for every cgroup below the pids root that has pids files
 * (the root has none), each parent before its children. Stops at fn's
 * first non-zero return and returns it; -errno when the walk fails.
 */
typedef int (*fs_pids_walk_fn)(void *ctx, const char *path,
			       const struct fs_pids_counters *c);
int fs_cgroup_pids_walk(fs_pids_walk_fn fn, void *ctx);

/*
 * The machine's own budget beside the cgroups': the tasks that exist and
 * the kernel's limits (fs_read_kernel_limits()). 0 or -errno.
 */
struct fs_task_limits {
	int64_t tasks;		/* tasks that exist, zombies too (nr_threads) */
	int64_t pid_max;	/* kernel.pid_max */
	int64_t threads_max;	/* kernel.threads-max */
};

int fs_task_limits_read(struct fs_task_limits *l);

#endif
