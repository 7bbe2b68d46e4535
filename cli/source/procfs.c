// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "cgroupfs.h"
#include "core.h"
#include "forkscope/rules.h"
#include "procfs.h"

/* /proc/PID/status's SigIgn/SigCgt masks: bit N - 1 is signal N. */
#define SIGCHLD_BIT	(1ULL << (SIGCHLD - 1))
/*
 * /proc/PID/stat's flags are task->flags; include/linux/sched.h's values,
 * which userspace headers do not carry (the same in every kernel since
 * 2.6).
 */
#define PF_EXITING	0x00000004
#define PF_KTHREAD	0x00200000

/* One line of /proc/PID/status: "Key:\t<value>". */
/* Where key's value starts on its /proc/PID/status line, or NULL. */
static const char *status_value(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? p + strlen(key) : NULL;
}

static unsigned long long status_hex(const char *status, const char *key)
{
	const char *v = status_value(status, key);

	return v ? strtoull(v, NULL, 16) : 0;
}

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	return 0;
}

/* The last number on a /proc/PID/status line: the innermost namespace's. */
static int32_t last_number(const char *status, const char *key)
{
	const char *p = status_value(status, key), *end, *num = NULL;

	if (!p)
		return 0;
	end = strchrnul(p, '\n');
	for (; p < end; p++)
		if (*p >= '0' && *p <= '9' && (p[-1] == ' ' || p[-1] == '\t'))
			num = p;
	return num ? atoi(num) : 0;
}

static uint64_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * The cgroup and pid namespace ids the kernel would give: a cgroup's id
 * is its directory's inode number. The pids cgroup is where the pids
 * controller's css is: the v1 hierarchy's cgroup, or in v2 the nearest
 * cgroup with pids.max (the root when none has).
 */
static void read_ident(int32_t tgid, int32_t pid, struct fs_ident *id)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	char path[64], buf[2048], dir[PATH_MAX + 64], *line, *save;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/pid", tgid, pid);
	id->pidns = inode_of(path);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/cgroup", tgid, pid);
	if (read_file(path, buf, sizeof(buf)))
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rel = strchr(line, ':') ? strchr(strchr(line, ':') + 1, ':') : NULL;

		if (!rel)
			continue;
		rel++;
		if (!strncmp(line, "0::", 3) && mnt->v2[0]) {
			snprintf(dir, sizeof(dir), "%s%s", mnt->v2, rel);
			id->cgroup = inode_of(dir);
			if (!mnt->pids_v1[0] && mnt->v2_pids)
				id->pids_cgroup = fs_cgroup_v2_pids(dir);
		} else if (strstr(line, ":pids:") && mnt->pids_v1[0]) {
			snprintf(dir, sizeof(dir), "%s%s", mnt->pids_v1, rel);
			id->pids_cgroup = inode_of(dir);
		}
	}
}

/* Fills r from /proc/TGID/task/PID; -errno when the task is gone. */
static int read_task(int32_t tgid, int32_t pid, struct fs_rec_task *r)
{
	char path[64], buf[1024], status[4096], *lp, *rp, state;
	unsigned long long ign, cgt, pflags;
	int exit_code = 0, ppid;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, pid);
	if (read_file(path, buf, sizeof(buf)))
		return -ENOENT;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return -EINVAL;
	n = rp - lp - 1;
	if (n >= sizeof(r->hdr.comm))
		n = sizeof(r->hdr.comm) - 1;
	memcpy(r->hdr.comm, lp + 1, n);
	/* state ppid ... flags(9) ... exit_code(52), counted from state=3 */
	if (sscanf(rp + 2, "%c %d %*d %*d %*d %*d %llu", &state, &ppid,
		   &pflags) != 3)
		return -EINVAL;
	for (int field = 3, i = 0; rp[2 + i] && field < 52; i++)
		if (rp[2 + i] == ' ' && ++field == 52)
			exit_code = atoi(rp + 3 + i);
	r->hdr.ppid = ppid;
	r->status = exit_code;
	if (state == 'Z')
		r->flags |= FS_SNAP_ZOMBIE;
	if (pflags & PF_KTHREAD)
		r->flags |= FS_SNAP_KTHREAD;
	if (pflags & PF_EXITING)
		r->flags |= FS_SNAP_EXITING;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", tgid, pid);
	if (!read_file(path, status, sizeof(status))) {
		ign = status_hex(status, "SigIgn:");
		cgt = status_hex(status, "SigCgt:");
		if (ign & SIGCHLD_BIT)
			r->flags |= FS_SNAP_SIGCHLD_IGN;
		else if (cgt & SIGCHLD_BIT)
			r->flags |= FS_SNAP_SIGCHLD_HANDLER;
		r->id.ns_pid = last_number(status, "NSpid:");
		r->id.ns_tgid = last_number(status, "NStgid:");
		r->id.flags = fs_ident_flags(r->id.ns_tgid);
	}
	read_ident(tgid, pid, &r->id);
	return 0;
}

static int walk_threads(struct fs_source *s, int32_t tgid)
{
	char path[64];
	struct dirent *d;
	int count = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = opendir(path);
	if (!dir)
		return 0;	/* gone meanwhile: its exit is in the stream */
	while ((d = readdir(dir))) {
		struct fs_rec_task r = {
			.hdr = {
				.type = FS_REC_TASK,
				.size = sizeof(r),
				.fixed = sizeof(r),
				.tgid = tgid,
			},
		};

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		r.hdr.pid = atoi(d->d_name);
		r.hdr.ts_ns = fs_boot_ns();
		if (read_task(tgid, r.hdr.pid, &r))
			continue;
		fs_source_deliver(s, &r, sizeof(r));
		count++;
	}
	closedir(dir);
	return count;
}

/* Process ids the walk already produced: a bitmap over pid_max. */
struct seen {
	uint64_t *bits;
	uint32_t max;
};

static void seen_add(struct seen *v, int32_t pid)
{
	if (pid > 0 && (uint32_t)pid < v->max)
		v->bits[pid / 64] |= 1ULL << (pid % 64);
}

static bool seen_has(const struct seen *v, int32_t pid)
{
	return pid > 0 && (uint32_t)pid < v->max &&
	       (v->bits[pid / 64] & (1ULL << (pid % 64)));
}

/*
 * Walks every process in /proc but those in skip (may be NULL): all of
 * them for a /proc snapshot; after a kernel-side walk, the ones it did not
 * produce (a task iterator has been seen skipping a thread group).
 */
static int walk_procfs(struct fs_source *s, const struct seen *skip)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;
	int count = 0;

	if (!dir)
		return fs_error(errno, "cannot read /proc: %s", strerror(errno));
	while ((d = readdir(dir))) {
		int32_t pid;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		pid = atoi(d->d_name);
		if (!skip || !seen_has(skip, pid))
			count += walk_threads(s, pid);
	}
	closedir(dir);
	return count;
}

static void see_task(void *ctx, const struct fs_hdr *rec)
{
	seen_add(ctx, rec->tgid);
}

int fs_snapshot_from_fd(struct fs_source *s, int fd, uint32_t gen)
{
	struct seen v = { .max = 1U << 22 };	/* PID_MAX_LIMIT */
	int count, filled;

	v.bits = calloc(v.max / 64, sizeof(*v.bits));
	if (!v.bits)
		return fs_error(ENOMEM, "out of memory for a snapshot");
	fs_source_sync(s, FS_SYNC_BEGIN, gen, FS_SYNC_BPF_ITER, 0);
	count = fs_source_deliver_fd(s, fd, sizeof(struct fs_rec_task),
				     see_task, &v);
	filled = count < 0 ? 0 : walk_procfs(s, &v);
	if (filled < 0)
		filled = 0;
	s->stats.snapshot_filled += filled;
	free(v.bits);
	fs_source_sync(s, FS_SYNC_END, gen, FS_SYNC_BPF_ITER,
			 count < 0 ? 0 : count + filled);
	return count < 0 ? count : count + filled;
}

int fs_snapshot_procfs(struct fs_source *s, uint32_t gen)
{
	int count;

	/* An END would have the model sweep all it did not list: fail first. */
	if (access("/proc/self/stat", R_OK))
		return fs_error(errno, "cannot read /proc: %s", strerror(errno));
	fs_source_sync(s, FS_SYNC_BEGIN, gen, FS_SYNC_PROCFS, 0);
	count = walk_procfs(s, NULL);
	fs_source_sync(s, FS_SYNC_END, gen, FS_SYNC_PROCFS,
			 count < 0 ? 0 : count);
	return count;
}

static uint32_t sysctl_u32(const char *path)
{
	char buf[32];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

void fs_read_kernel_limits(struct fs_kernel_limits *l)
{
	l->threads_max = sysctl_u32("/proc/sys/kernel/threads-max");
	l->pid_max = sysctl_u32("/proc/sys/kernel/pid_max");
}

int fs_source_smaps_rollup(int32_t pid, int64_t *shared, int64_t *own)
{
	char path[64], line[256];
	long long kb;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*shared = *own = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Shared_%*[a-zA-Z]: %lld kB", &kb) == 1)
			*shared += kb * 1024;
		else if (sscanf(line, "Private_%*[a-zA-Z]: %lld kB", &kb) == 1)
			*own += kb * 1024;
	}
	fclose(f);
	return 0;
}
