/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: makes kthreadd fork a kernel thread on demand, for the
 * tests of how a kernel thread's fork is labelled.
 *
 * khugepaged is the one found that userspace can have started without a
 * module: switching transparent hugepages off stops it, switching them
 * back on has kthreadd fork a new one, and both writes return only once
 * kthread_stop() or kthread_run() has finished. The setting is restored.
 */
#ifndef FS_TEST_KTHREAD_H
#define FS_TEST_KTHREAD_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

static inline int kthread_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : write(fd, val, strlen(val));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* The pid of a task whose comm is name, other than skip; 0 if none. */
static inline pid_t kthread_pid_of(const char *name, pid_t skip)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
		if (!strcmp(comm, name) && atoi(e->d_name) != skip)
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Has kthreadd fork a new khugepaged; returns its pid, 0 when this kernel
 * has no transparent hugepages, -1 when the switch failed.
 */
static inline pid_t kthread_fork(void)
{
	char cur[128] = "", mode[16], *b, *e;
	pid_t old, pid;
	FILE *f = fopen(THP_ENABLED, "r");

	if (!f)
		return 0;
	b = fgets(cur, sizeof(cur), f);
	fclose(f);
	b = b ? strchr(cur, '[') : NULL;
	e = b ? strchr(b, ']') : NULL;
	if (!e || e - b - 1 >= (long)sizeof(mode))
		return -1;
	snprintf(mode, sizeof(mode), "%.*s", (int)(e - b - 1), b + 1);
	if (!strcmp(mode, "never")) {
		/* Off now: on starts one, off again stops it. */
		if (kthread_write(THP_ENABLED, "madvise"))
			return -1;
		pid = kthread_pid_of("khugepaged", 0);
		return kthread_write(THP_ENABLED, "never") || !pid ? -1 : pid;
	}
	/* The old one may linger in /proc for a moment after it stopped. */
	old = kthread_pid_of("khugepaged", 0);
	if (kthread_write(THP_ENABLED, "never") ||
	    kthread_write(THP_ENABLED, mode))
		return -1;
	pid = kthread_pid_of("khugepaged", old);
	return pid ? pid : -1;
}

#endif
