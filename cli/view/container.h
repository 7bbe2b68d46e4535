/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A task's container as the views show it: its cgroups by path (as the
 * stream named them) and id, its pid namespace and its ids inside it.
 */
#ifndef FS_CONTAINER_H
#define FS_CONTAINER_H

#include <stdbool.h>
#include "json.h"
#include "model.h"

/*
 * "container": {"cgroup": PATH, "cgroup_id": N, "pids_cgroup": PATH,
 * "pids_cgroup_id": N, "pid_ns": N, "ns_pid": N, "ns_tid": N,
 * "ns_init": B}, or null when not known (docs/json.md).
 */
void fs_json_container(struct fs_json *j, const char *key,
		       const struct fs_model *m, const struct fs_ident *id);

#endif
