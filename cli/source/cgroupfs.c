// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "procfs.h"
#include "forkscope/record.h"

/* include/linux/exportfs.h: a kernfs node's handle is its 64-bit id. */
#define FILEID_KERNFS	0xfe

static void scan(struct fs_cgroup_mounts *m)
{
	char line[4096], mnt[PATH_MAX], fstype[64], opts[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SRC SUPER */
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2") && !m->v2[0])
			snprintf(m->v2, sizeof(m->v2), "%s", mnt);
		else if (!strcmp(fstype, "cgroup") && !m->pids_v1[0] &&
			 (strstr(opts, ",pids") || !strncmp(opts, "pids", 4)))
			snprintf(m->pids_v1, sizeof(m->pids_v1), "%s", mnt);
	}
	fclose(f);
	if (m->v2[0]) {
		char ctl[PATH_MAX + 32], buf[512] = "";
		FILE *c;

		snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", m->v2);
		c = fopen(ctl, "re");
		if (c && fgets(buf, sizeof(buf), c))
			m->v2_pids = strstr(buf, "pids") != NULL;
		if (c)
			fclose(c);
	}
}

const struct fs_cgroup_mounts *fs_cgroup_mounts(void)
{
	static struct fs_cgroup_mounts m;
	static bool done;

	if (!done) {
		scan(&m);
		done = true;
	}
	return &m;
}

uint64_t fs_cgroup_v2_pids(const char *dir)
{
	size_t root = strlen(fs_cgroup_mounts()->v2);
	char path[PATH_MAX + 16];
	size_t len = strlen(dir);
	struct stat st;

	/* Up from dir: the first with pids.max, else the root itself. */
	snprintf(path, sizeof(path), "%s", dir);
	while (len > root) {
		snprintf(path + len, sizeof(path) - len, "/pids.max");
		if (!access(path, F_OK))
			break;
		while (len > root && path[--len] != '/')
			;
	}
	path[len > root ? len : root] = 0;
	return stat(path, &st) ? 0 : st.st_ino;
}

int fs_cgroup_path_of(uint32_t hierarchy, uint64_t id, char *path, size_t len)
{
	const struct fs_cgroup_mounts *m = fs_cgroup_mounts();
	/* Without a v1 pids hierarchy, the pids controller is in v2. */
	const char *root = hierarchy == FS_CGROUP_PIDS && m->pids_v1[0] ?
			   m->pids_v1 : m->v2;
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t),
			.handle_type = FILEID_KERNFS }, .id = id };
	char link[64], full[PATH_MAX];
	size_t rlen = strlen(root);
	int mfd, fd, err = 0;
	ssize_t n;

	if (!root[0] || !id)
		return -ENOENT;
	mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return errno == ESTALE ? -ENOENT : -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, full, sizeof(full) - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	full[n] = 0;
	/* Mounted where the process sees it: the part below the mount. */
	if (strncmp(full, root, rlen) || (full[rlen] && full[rlen] != '/'))
		return -ENOENT;
	snprintf(path, len, "%s", full[rlen] ? full + rlen : "/");
	return 0;
}

const char *fs_cgroup_pids_root(void)
{
	const struct fs_cgroup_mounts *m = fs_cgroup_mounts();

	if (m->pids_v1[0])
		return m->pids_v1;
	return m->v2_pids ? m->v2 : NULL;
}

/* The first line of dir/name, without its newline: 0 or -errno. */
static int read_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		err = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return err;
}

static int read_number(const char *dir, const char *name, int64_t *v)
{
	char buf[64], *end;
	int err = read_line(dir, name, buf, sizeof(buf));

	if (err)
		return err;
	if (!strcmp(buf, "max")) {
		*v = -1;
		return 0;
	}
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno || end == buf || *end || *v < 0 ? -EINVAL : 0;
}

/* pids.events: "max N" counts the forks refused at this cgroup's limit. */
static uint64_t read_refused(const char *dir)
{
	char path[PATH_MAX + 64], line[128];
	unsigned long long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids.events", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "max %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* The counters of the cgroup whose directory is dir. */
static int read_dir(const char *dir, struct fs_pids_counters *c)
{
	int err = read_number(dir, "pids.current", &c->current);

	if (!err)
		err = read_number(dir, "pids.max", &c->max);
	if (err)
		return err;
	c->refused = read_refused(dir);
	return 0;
}

int fs_cgroup_pids_read(const char *path, struct fs_pids_counters *c)
{
	const char *root = fs_cgroup_pids_root();
	char dir[2 * PATH_MAX];

	if (!root)
		return -ENOENT;
	if (snprintf(dir, sizeof(dir), "%s%s", root, path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	return read_dir(dir, c);
}

int fs_cgroup_pids_read_id(uint64_t id, char *path, size_t len,
			   struct fs_pids_counters *c)
{
	int err = fs_cgroup_path_of(FS_CGROUP_PIDS, id, path, len);

	return err ? err : fs_cgroup_pids_read(path, c);
}

/* dir[rlen..len) is the path below the root; dir has room for PATH_MAX. */
static int walk(char *dir, size_t rlen, size_t len, fs_pids_walk_fn fn,
		void *ctx)
{
	struct fs_pids_counters c;
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (len > rlen && !read_dir(dir, &c)) {
		ret = fn(ctx, dir + rlen, &c);
		if (ret)
			return ret;
	}
	d = opendir(dir);
	if (!d)		/* removed while we walked: nothing below it */
		return 0;
	while (!ret && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    len + 1 + n >= PATH_MAX)
			continue;
		dir[len] = '/';
		memcpy(dir + len + 1, e->d_name, n + 1);
		ret = walk(dir, rlen, len + 1 + n, fn, ctx);
		dir[len] = 0;
	}
	closedir(d);
	return ret;
}

int fs_cgroup_pids_walk(fs_pids_walk_fn fn, void *ctx)
{
	const char *root = fs_cgroup_pids_root();
	char dir[PATH_MAX];
	size_t rlen;

	if (!root)
		return 0;
	rlen = snprintf(dir, sizeof(dir), "%s", root);
	return rlen < sizeof(dir) ? walk(dir, rlen, rlen, fn, ctx) : -ENAMETOOLONG;
}

int fs_task_limits_read(struct fs_task_limits *l)
{
	struct fs_kernel_limits k;
	char buf[128];
	long long tasks;
	int err;

	fs_read_kernel_limits(&k);
	/* loadavg's "running/total": total is the kernel's nr_threads. */
	err = read_line("/proc", "loadavg", buf, sizeof(buf));
	if (!err && sscanf(buf, "%*s %*s %*s %*d/%lld", &tasks) != 1)
		err = -EINVAL;
	if (!err && (!k.pid_max || !k.threads_max))
		err = -ENOENT;
	l->tasks = err ? 0 : tasks;
	l->pid_max = k.pid_max;
	l->threads_max = k.threads_max;
	return err;
}
