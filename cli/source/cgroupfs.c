// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"
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
