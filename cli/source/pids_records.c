// SPDX-License-Identifier: GPL-2.0-only
/*
 * PID budget readings as records (FS_REC_PIDS), for recordings: every
 * pids cgroup's counters, then the machine's tasks and limits, stamped
 * alike, so that a replay judges the budget as `pids` did live.
 */
#include <errno.h>
#include <string.h>

#include "cgroupfs.h"
#include "common.h"
#include "core.h"

struct reading {
	struct fs_source *s;
	uint64_t ts_ns;
	uint16_t hierarchy;
	int count;
};

static void header(struct fs_rec_pids *r, const struct reading *rd,
		   size_t size)
{
	fs_source_synth_hdr(&r->hdr, FS_REC_PIDS, sizeof(*r));
	r->hdr.size = size;
	r->hdr.ts_ns = rd->ts_ns;
	r->hierarchy = rd->hierarchy;
}

static int on_cgroup(void *ctx, const char *path,
		     const struct fs_pids_counters *c)
{
	struct reading *rd = ctx;
	struct {
		struct fs_rec_pids r;
		char path[FS_CGROUP_PATH_LEN + 8];
	} rec = {};
	size_t len = strlen(path) + 1;

	if (len > FS_CGROUP_PATH_LEN || path[0] != '/')
		return 0;	/* no record can name it: left out */
	memcpy(rec.path, path, len);
	header(&rec.r, rd, sizeof(rec.r) + FS_ALIGN8(len));
	rec.r.used = c->current;
	rec.r.max = c->max;
	rec.r.refused = c->refused;
	rec.r.path_len = len;
	fs_source_deliver(rd->s, &rec, rec.r.hdr.size);
	rd->count++;
	return 0;
}

int fs_source_pids_sample(struct fs_source *s)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	struct reading rd = { .s = s, .ts_ns = fs_boot_ns() };
	struct fs_task_limits lim;
	struct fs_rec_pids m = {};
	int err;

	if (s->replay)
		return 0;	/* its readings come where they fell */
	rd.hierarchy = mnt->pids_v1[0] ? FS_PIDS_V1 :
		       mnt->v2_pids ? FS_PIDS_V2 : 0;
	err = fs_task_limits_read(&lim);
	if (err)
		return fs_error(err, "cannot read the machine's tasks and limits: %s",
				strerror(-err));
	if (rd.hierarchy && (err = fs_cgroup_pids_walk(on_cgroup, &rd)))
		return fs_error(err, "cannot read the pids cgroups under %s: %s",
				fs_cgroup_pids_root(), strerror(-err));
	header(&m, &rd, sizeof(m));
	m.used = lim.tasks;
	m.max = lim.pid_max;
	m.threads_max = lim.threads_max;
	m.flags = FS_PIDS_MACHINE;
	fs_source_deliver(s, &m, sizeof(m));
	return rd.count + 1;
}
