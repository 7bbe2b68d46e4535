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
 *   storm cowserve N fill MiB once, then one cow round of N children per
 *                    line read from stdin, printing each round's line:
 *                    untraced and traced rounds then share the parent's
 *                    memory (in a VM its placement alone moved a round's
 *                    time 2x from one process to the next)
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

struct storm {
	const char *mode, *out;
	size_t mib, page;
	char *mem;		/* cow: the parent's filled memory */
	pid_t *pids;
};

static void child(const struct storm *st)
{
	if (!strcmp(st->mode, "spawn")) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (st->mem)
		for (size_t off = 0; off < st->mib << 20; off += st->page)
			st->mem[off] = 2;
	if (!strcmp(st->mode, "live")) {
		char b;

		while (read(0, &b, 1) > 0)
			;
	}
	_exit(0);
}

/* n births (and deaths, but for live); returns the seconds they took. */
static double run(const struct storm *st, long n)
{
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		pid_t pid;

		if (!strcmp(st->mode, "thread")) {
			pthread_t th;

			if (pthread_create(&th, NULL, thread_fn, NULL))
				die("pthread_create");
			pthread_join(th, NULL);
			continue;
		}
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			child(st);
		st->pids[i] = strcmp(st->mode, "live") ? reap(pid) : pid;
	}
	return now_s() - t0;
}

static void write_pids(const struct storm *st, long n)
{
	FILE *f;

	if (!st->out)
		return;
	f = fopen(st->out, "w");
	if (!f)
		die(st->out);
	for (long i = 0; i < n; i++)
		if (st->pids[i])
			fprintf(f, "%d\n", st->pids[i]);
	fclose(f);
}

static void report(const char *mode, long n, double t)
{
	printf("mode=%s n=%ld seconds=%.3f rate=%.0f/s\n", mode, n, t, n / t);
	fflush(stdout);
}

/*
 * Fills the memory the cow children write, then runs an untimed round: in
 * a VM the first copies land in guest pages the host may not have backed
 * yet (seen here: 3.1 s against 0.6 s); later rounds reuse pages freed.
 */
static void cow_setup(struct storm *st)
{
	st->mem = mmap(NULL, st->mib << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->mem == MAP_FAILED)
		die("mmap");
	memset(st->mem, 1, st->mib << 20);	/* present before the fork */
	run(st, 1);
}

int main(int argc, char **argv)
{
	struct storm st = { .mib = 1024, .page = sysconf(_SC_PAGESIZE) };
	long n, cpu = -1;
	char line[64];
	int c;

	while ((c = getopt(argc, argv, "o:c:m:")) != -1) {
		switch (c) {
		case 'o': st.out = optarg; break;
		case 'c': cpu = atol(optarg); break;
		case 'm': st.mib = atol(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || (n = atol(argv[optind + 1])) <= 0) {
		fprintf(stderr, "usage: storm [-o FILE] [-c CPU] [-m MiB] fork|spawn|thread|cow|cowserve|live N\n");
		return 2;
	}
	st.mode = argv[optind];
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	st.pids = calloc(n, sizeof(*st.pids));
	if (!st.pids)
		die("calloc");

	if (!strcmp(st.mode, "cowserve")) {
		st.mode = "cow";
		cow_setup(&st);
		printf("ready\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin)) {
			double t = run(&st, n);

			write_pids(&st, n);	/* before the line: it says done */
			report("cow", n, t);
		}
		return 0;
	}
	if (!strcmp(st.mode, "cow"))
		cow_setup(&st);
	if (!strcmp(st.mode, "live")) {
		printf("mode=live made=%ld seconds=%.3f\n", n, run(&st, n));
		fflush(stdout);
		for (long i = 0; i < n; i++)
			reap(st.pids[i]);
	} else {
		report(st.mode, n, run(&st, n));
	}
	write_pids(&st, n);
	return 0;
}
