// SPDX-License-Identifier: GPL-2.0-only
/*
 * stacks_test's parent: forks N children from leak_site(), which never
 * waits, and N from wait_site(), which does (with SHARED_SITE, N more
 * from lib_leak() in libforksite.so). It leaves one zombie first, so
 * that `zombies --stacks` finds it leaking before the forks, then waits
 * for a line on stdin; after the forks it says "forked" and, unless
 * told "exit", waits for stdin's end with its zombies. "forked" comes with
 * the lines of the three forks, for the test to expect.
 * Usage: fork_sites N [exit]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SHARED_SITE
pid_t lib_leak(void);
extern int lib_site_line;
#else
static int lib_site_line;
#endif
static int leak_line, wait_line;

__attribute__((noinline)) pid_t leak_site(void)
{
	pid_t pid = fork(); leak_line = __LINE__;

	if (pid == 0)
		_exit(0);
	return pid;
}

__attribute__((noinline)) int wait_site(void)
{
	int st = 0;
	pid_t pid = fork(); wait_line = __LINE__;

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return st;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	char line[16];

	if (fork() == 0)
		_exit(0);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (int i = 0; i < n; i++) {
		leak_site();
		wait_site();
#ifdef SHARED_SITE
		lib_leak();
#endif
	}
	printf("forked leak=%d wait=%d lib=%d\n", leak_line, wait_line,
	       lib_site_line);
	fflush(stdout);
	if (argc > 2 && !strcmp(argv[2], "exit"))
		return 0;
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
