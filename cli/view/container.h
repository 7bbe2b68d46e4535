/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A task's container as the views show it: its cgroups by path (as the
 * stream named them) and id, the runtime and container id or systemd
 * unit the path names, its pid namespace and its ids inside it.
 */
#ifndef FS_CONTAINER_H
#define FS_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include "json.h"
#include "model.h"

/* Hex digits of a container id in text: docker's short id. */
#define FS_SHORT_ID_LEN		12

/*
 * "container": {"cgroup": PATH, "cgroup_id": N, "pids_cgroup": PATH,
 * "pids_cgroup_id": N, "runtime": S, "id": S, "unit": S, "pid_ns": N,
 * "ns_pid": N, "ns_tid": N, "ns_init": B}, or null when not known
 * (docs/json.md).
 */
void fs_json_container(struct fs_json *j, const char *key,
		       const struct fs_model *m, const struct fs_ident *id);
/* Only runtime, id and unit, as above: for a heading naming a container. */
void fs_json_container_name(struct fs_json *j, const struct fs_cgroup *c);

/*
 * A task's container in a few words, not escaped: "docker:3f4a5b6c7d8e"
 * (runtime and short id), else its systemd unit, else its cgroup path;
 * "" for the host's root cgroup and for user sessions (/user.slice), so
 * that ordinary lines stay as they were. tgid: the task's pid here.
 * with_name false: only "pid N in its namespace", when that differs.
 */
const char *fs_container_text(char *buf, size_t len, const struct fs_model *m,
			      const struct fs_ident *id, int32_t tgid,
			      bool with_name);
/* "docker:3f4a5b6c7d8e", a unit or a path ("/" for the root). */
const char *fs_container_name(char *buf, size_t len,
			      const struct fs_cgroup *c);

#endif
