// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads for measuring forkscope and its peers. Each prints one line of
 * key=value pairs: what it did, how fast, and the pids it made (to a file
 * with -o) so that loss can be counted exactly.
 *
 *   storm fork   N   fork + _exit + waitpid, N times
 *   storm spawn  N   fork + execve(/bin/true) + waitpid
 *   storm thread N   pthread_create + pthread_join
 *   storm cow    N   fill MiB of memory, fork, the child writes a byte
 *                    per page (-m MiB, default 1024), N times
 *   storm live   N   fork N children that stay alive until stdin closes
 * Options: -o FILE (pids made, one per line), -c CPU (pin), -m MiB.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "storm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static pid_t reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	return pid;
}

static void *thread_fn(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	const char *mode, *out = NULL;
	size_t mib = 1024, page = sysconf(_SC_PAGESIZE);
	long n, cpu = -1;
	char *mem = NULL;
	pid_t *pids;
	double t0, t;
	int c;

	while ((c = getopt(argc, argv, "o:c:m:")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': cpu = atol(optarg); break;
		case 'm': mib = atol(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || (n = atol(argv[optind + 1])) <= 0) {
		fprintf(stderr, "usage: storm [-o FILE] [-c CPU] [-m MiB] fork|spawn|thread|cow|live N\n");
		return 2;
	}
	mode = argv[optind];
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	pids = calloc(n, sizeof(*pids));
	if (!pids)
		die("calloc");
	if (!strcmp(mode, "cow")) {
		mem = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			die("mmap");
		memset(mem, 1, mib << 20);	/* present before the fork */
		/*
		 * An untimed first round: in a VM the first copies land in
		 * guest pages the host may not have backed yet (seen here:
		 * 3.1 s against 0.6 s); later rounds reuse the pages freed.
		 */
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			for (size_t off = 0; off < mib << 20; off += page)
				mem[off] = 2;
			_exit(0);
		}
		reap(pid);
	}

	t0 = now_s();
	for (long i = 0; i < n; i++) {
		pid_t pid;

		if (!strcmp(mode, "thread")) {
			pthread_t th;

			if (pthread_create(&th, NULL, thread_fn, NULL))
				die("pthread_create");
			pthread_join(th, NULL);
			continue;
		}
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (!strcmp(mode, "spawn")) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (mem)
				for (size_t off = 0; off < mib << 20; off += page)
					mem[off] = 2;
			if (!strcmp(mode, "live")) {
				char b;

				while (read(0, &b, 1) > 0)
					;
			}
			_exit(0);
		}
		pids[i] = strcmp(mode, "live") ? reap(pid) : pid;
	}
	if (!strcmp(mode, "live")) {
		t = now_s() - t0;
		printf("mode=live made=%ld seconds=%.3f\n", n, t);
		fflush(stdout);
		for (long i = 0; i < n; i++)
			reap(pids[i]);
	} else {
		t = now_s() - t0;
		printf("mode=%s n=%ld seconds=%.3f rate=%.0f/s\n", mode, n, t,
		       n / t);
	}
	if (out) {
		FILE *f = fopen(out, "w");

		if (!f)
			die(out);
		for (long i = 0; i < n; i++)
			if (pids[i])
				fprintf(f, "%d\n", pids[i]);
		fclose(f);
	}
	return 0;
}
