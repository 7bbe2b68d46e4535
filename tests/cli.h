/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: runs the forkscope binary as a user would, with stdout and
 * stderr captured in memfds. Header-only so each suite stays one file.
 */
#ifndef FS_TEST_CLI_H
#define FS_TEST_CLI_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"

/*
 * How long forkscope may take to load its programs and say it is ready.
 * Under TCG (the guests, FORKSCOPE_EMULATED) the verifier runs emulated:
 * `exporter --cow`, two objects and a census, took 1.9 to 7.0 s there
 * beside other work on the host, so the guests get three times as long.
 */
#define STARTUP_MS	10000

static inline uint64_t startup_ns(void)
{
	return (getenv("FORKSCOPE_EMULATED") ? 3 : 1) * STARTUP_MS *
	       NSEC_PER_MSEC;
}

static inline const char *forkscope_bin(void)
{
	const char *p = getenv("FORKSCOPE");

	return p ? p : "build/forkscope";
}

struct run {
	pid_t pid;
	int out, err;		/* memfds holding stdout and stderr */
};

/* Starts forkscope with args; uid >= 0 drops to that user first. */
static inline int start(struct run *r, const char *const args[], int uid)
{
	const char *argv[32] = { "forkscope" };
	int n = 1;

	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	r->out = memfd_create("out", 0);
	r->err = memfd_create("err", 0);
	if (r->out < 0 || r->err < 0)
		return -1;
	r->pid = fork();
	if (r->pid == 0) {
		dup2(r->out, 1);
		dup2(r->err, 2);
		if (uid >= 0 && setresuid(uid, uid, uid))
			_exit(126);
		execv(forkscope_bin(), (char **)argv);
		_exit(127);
	}
	return r->pid > 0 ? 0 : -1;
}

/* The whole of a memfd as a string; the caller frees it. */
static inline char *slurp(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = malloc(len + 1);

	if (!buf || pread(fd, buf, len, 0) != len)
		abort();
	buf[len] = 0;
	return buf;
}

static inline int finish(struct run *r)
{
	int st;

	if (waitpid(r->pid, &st, 0) != r->pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline void release(struct run *r)
{
	close(r->out);
	close(r->err);
}

/*
 * Runs forkscope with args to its end: its exit status, its stdout in
 * *out and stderr in *err (either may be NULL), freed by the caller.
 */
/* Writes s into dir/file (a cgroup's knob): 0 or -errno. */
static inline int write_file(const char *dir, const char *file,
			     const char *s)
{
	char p[2 * PATH_MAX + 64];
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (int)strlen(s) ? 0 : -errno;
}

static inline int run_to_end(const char *const args[], char **out,
			     char **err)
{
	struct run r;
	int st;

	if (out)
		*out = NULL;
	if (err)
		*err = NULL;
	if (start(&r, args, -1))
		return -1;
	st = finish(&r);
	if (out)
		*out = slurp(r.out);
	if (err)
		*err = slurp(r.err);
	release(&r);
	return st;
}

static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Waits until fd (r->out or r->err) holds needle; -1 if r died first. */
static inline int wait_for(struct run *r, int fd, const char *needle)
{
	uint64_t end = fs_boot_ns() + startup_ns();

	while (fs_boot_ns() < end) {
		char *text = slurp(fd);
		bool ready = strstr(text, needle) != NULL;

		free(text);
		if (ready)
			return 0;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			return -1;
		usleep(10000);
	}
	return -1;
}

/*
 * Whether pid sleeps waiting for records: in libbpf's ring poll or in a
 * poll of the module's device. Commands poll only once attached and
 * snapshotted.
 */
static inline bool polls_for_records(pid_t pid)
{
	char path[64], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	/*
	 * epoll_wait, epoll_pwait (the BPF ring buffer), poll, ppoll (the
	 * module's device): x86-64 numbers.
	 */
	return !strncmp(buf, "232 ", 4) || !strncmp(buf, "281 ", 4) ||
	       !strncmp(buf, "7 ", 2) || !strncmp(buf, "271 ", 4);
}

/* Waits until r polls for records; -1 if it dies or does not within
 * STARTUP_MS. */
static inline int wait_polling(struct run *r)
{
	uint64_t end = fs_boot_ns() + startup_ns();

	while (!polls_for_records(r->pid)) {
		siginfo_t si = { .si_pid = 0 };

		/* Dead (left for finish() to reap): it never will poll. */
		if (fs_boot_ns() >= end ||
		    (!waitid(P_PID, r->pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		     si.si_pid == r->pid))
			return -1;
		usleep(10000);
	}
	return 0;
}

/* Starts a trace and returns once it says it is tracing. */
static inline int start_trace(struct run *r, const char *const args[])
{
	if (start(r, args, -1))
		return -1;
	return wait_for(r, r->err, "tracing with");
}

#endif
