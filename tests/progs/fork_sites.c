// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE	/* pthread_setname_np */
/*
 * stacks_test's parent: forks N children from leak_site(), which never
 * waits, and N from wait_site(), which does (with SHARED_SITE, N more
 * from lib_leak() in libforksite.so). It leaves one zombie first, so
 * that `zombies --stacks` finds it leaking before the forks, then waits
 * for a line on stdin; after the forks it says "forked" and, unless
 * told "exit", waits for stdin's end with its zombies (reading, each line
 * it reads is another round of forks). "forked" comes with
 * the lines of the three forks, for the test to expect.
 * What it does while it keeps them, for `zombies --stacks` to tell:
 *   read     (the default) blocks in main's fgets();
 *   epoll    installs a SIGCHLD handler that never waits first, then
 *            blocks in epoll_wait() in idle_in_epoll();
 *   spin     spins in spin() until killed;
 *   blocked  as epoll, with SIGCHLD blocked in every thread, and 7 more
 *            threads, "fs-napper", asleep in napper(): 8 threads' stacks
 *            do not fit one read of an iterator.
 * "forked" then says the lines of the handler and of those two.
 * Usage: fork_sites N [exit|stay] [read|epoll|spin|blocked]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SHARED_SITE
pid_t lib_leak(void);
extern int lib_site_line;
#else
static int lib_site_line;
#endif
static int leak_line, wait_line;
static volatile sig_atomic_t sigchlds;

/* The handler's line is its first: where DWARF puts its address. */
static void on_sigchld(int sig) { sigchlds += sig == SIGCHLD; } static const int handler_line = __LINE__;

/* Until stdin ends; dry, it only says the line of its epoll_wait(). */
__attribute__((noinline)) int idle_in_epoll(int dry)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLHUP };
	int ep = epoll_create1(0);

	epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
	while (!dry && epoll_wait(ep, &ev, 1, -1) != 1) ;
	close(ep);
	return __LINE__ - 2;
}

/* Until killed; dry, it only says the line of its loop. */
__attribute__((noinline)) int spin(int dry)
{
	for (volatile unsigned long i = 0; !dry; i++) ;
	return __LINE__ - 1;
}

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

static void forks(int n)
{
	for (int i = 0; i < n; i++) {
		leak_site();
		wait_site();
#ifdef SHARED_SITE
		lib_leak();
#endif
	}
	printf("forked leak=%d wait=%d lib=%d handler=%d epoll=%d spin=%d\n",
	       leak_line, wait_line, lib_site_line, handler_line,
	       idle_in_epoll(1), spin(1));
	fflush(stdout);
}

static void *napper(void *arg)
{
	for (;;)
		sleep(3600);
	return arg;
}

/* SIGCHLD blocked first: the threads made after inherit the mask. */
static void block_with_a_thread(void)
{
	sigset_t set;
	pthread_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < 7; i++)
		if (!pthread_create(&t, NULL, napper, NULL))
			pthread_setname_np(t, "fs-napper");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	const char *mode = argc > 3 ? argv[3] : "read";
	char line[16];

	if (!strcmp(mode, "epoll") || !strcmp(mode, "blocked")) {
		struct sigaction sa = { .sa_handler = on_sigchld,
					.sa_flags = SA_RESTART };

		sigaction(SIGCHLD, &sa, NULL);
	}
	if (!strcmp(mode, "blocked"))
		block_with_a_thread();

	if (fork() == 0)
		_exit(0);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	forks(n);
	if (argc > 2 && !strcmp(argv[2], "exit"))
		return 0;
	if (!strcmp(mode, "epoll") || !strcmp(mode, "blocked"))
		idle_in_epoll(0);
	if (!strcmp(mode, "spin"))
		spin(0);
	/* Reading: each further line is another round of forks. */
	while (fgets(line, sizeof(line), stdin))
		forks(n);
	return 0;
}
