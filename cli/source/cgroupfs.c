// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"

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
	const struct fs_cgroup_mounts *m = fs_cgroup_mounts();
	char path[PATH_MAX + 16];
	size_t root = strlen(m->v2);
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		size_t len = strlen(path);
		char *slash;

		snprintf(path + len, sizeof(path) - len, "/pids.max");
		if (!access(path, F_OK) || len <= root) {
			path[len] = 0;
			return stat(path, &st) ? 0 : st.st_ino;
		}
		path[len] = 0;
		slash = strrchr(path, '/');
		if (!slash || (size_t)(slash - path) < root)
			break;
		*slash = 0;
	}
	return stat(m->v2, &st) ? 0 : st.st_ino;
}
