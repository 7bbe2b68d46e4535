// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "container.h"

/* Whether id was ever told (placeholders have zeros). */
static bool ident_known(const struct fs_ident *id)
{
	return id->cgroup || id->pidns;
}

/* An id, null when the producer could not read it (0). */
static void json_id(struct fs_json *j, const char *key, uint64_t id)
{
	if (id)
		fs_json_u64(j, key, id);
	else
		fs_json_null(j, key);
}

/* A path the stream named; null when it never did or it was not found. */
static void json_cgroup(struct fs_json *j, const char *key,
			const struct fs_model *m, uint32_t hierarchy,
			uint64_t id)
{
	const char *path = fs_model_cgroup_path(m, hierarchy, id);

	fs_json_str(j, key, path && *path ? path : NULL);
}

void fs_json_container_name(struct fs_json *j, const struct fs_cgroup *c)
{
	fs_json_str(j, "runtime", c && c->id ? fs_runtime_name(c->runtime) :
					       NULL);
	fs_json_str(j, "id", c ? c->id : NULL);
	fs_json_str(j, "unit", c ? c->unit : NULL);
}

void fs_json_container(struct fs_json *j, const char *key,
		       const struct fs_model *m, const struct fs_ident *id)
{
	if (!ident_known(id)) {
		fs_json_null(j, key);
		return;
	}
	fs_json_object(j, key);
	json_cgroup(j, "cgroup", m, FS_CGROUP_V2, id->cgroup);
	json_id(j, "cgroup_id", id->cgroup);
	json_cgroup(j, "pids_cgroup", m, FS_CGROUP_PIDS, id->pids_cgroup);
	json_id(j, "pids_cgroup_id", id->pids_cgroup);
	fs_json_container_name(j, fs_model_container(m, id));
	json_id(j, "pid_ns", id->pidns);
	fs_json_int(j, "ns_pid", id->ns_tgid);
	fs_json_int(j, "ns_tid", id->ns_pid);
	fs_json_bool(j, "ns_init", id->flags & FS_IDENT_NS_INIT);
	fs_json_close(j);
}

const char *fs_container_name(char *buf, size_t len,
			      const struct fs_cgroup *c)
{
	if (c->id)
		snprintf(buf, len, "%s:%.*s", fs_runtime_name(c->runtime),
			 FS_SHORT_ID_LEN, c->id);
	else
		snprintf(buf, len, "%s", c->unit ? c->unit : c->path);
	return buf;
}

/* The host's own: its root cgroup, and what users run in their sessions. */
static bool is_plain(const struct fs_cgroup *c)
{
	return !c->id && (!*c->path || !strcmp(c->path, "/") ||
			  !strncmp(c->path, "/user.slice", 11));
}

const char *fs_container_text(char *buf, size_t len, const struct fs_model *m,
			      const struct fs_ident *id, int32_t tgid,
			      bool with_name)
{
	const struct fs_cgroup *c = fs_model_container(m, id);
	char name[FS_CGROUP_PATH_LEN];
	size_t n = 0;

	buf[0] = 0;
	if (with_name && c && !is_plain(c))
		n = snprintf(buf, len, "@%s",
			     fs_container_name(name, sizeof(name), c));
	if (id->ns_tgid && id->ns_tgid != tgid && n < len)
		snprintf(buf + n, len - n, "%s(pid %d in its namespace)",
			 n ? " " : "", id->ns_tgid);
	return buf;
}
