// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope lint on real mistakes made by workers this test forks: a
 * 4-thread process whose child sleeps before exec (reported) or execs at
 * once (not), the same exec failing in a loop, in a process and in its
 * children, SIGCHLD ignored while children fail, zombies left. Each runs
 * `forkscope lint -p WORKER -j`, started before the worker's mistake and
 * stopped (SIGINT) after the worker is done: the records are all written
 * by then, so the counts are exact and no timing decides them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "json_get.h"

#define MISSING		"/nonexistent/forkscope-lint-test"

FIXTURE(lint) {
	struct run r;
	bool started;
	pid_t worker;
	int go[2];		/* the worker starts when go[1] closes */
	int done[2];		/* a worker that stays says what it did */
	struct json_object *report;
};

FIXTURE_SETUP(lint)
{
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->done, O_CLOEXEC));
}

FIXTURE_TEARDOWN(lint)
{
	if (self->worker > 0) {
		kill(self->worker, SIGKILL);
		waitpid(self->worker, NULL, 0);
	}
	if (self->started) {
		kill(self->r.pid, SIGKILL);
		finish(&self->r);
		release(&self->r);
	}
	if (self->report)
		json_object_put(self->report);
}

/*
 * Forks a worker that runs work(arg) once released, then starts lint -p
 * on it (with more options) and waits until lint polls for records.
 */
static int start_lint(FIXTURE_DATA(lint) *self, void (*work)(int, int),
		      int arg, const char *const more[])
{
	const char *args[16] = { "lint", "-j", "-p" };
	char pid[16];
	int n = 4;
	char b;

	self->worker = fork();
	if (self->worker < 0)
		return -1;
	if (self->worker == 0) {
		close(self->go[1]);
		close(self->done[0]);
		if (read(self->go[0], &b, 1) != 0)
			_exit(99);
		/* What the test inherited is no worker's leak. */
		if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC))
			_exit(99);
		work(arg, self->done[1]);
		_exit(0);
	}
	close(self->go[0]);
	close(self->done[1]);
	snprintf(pid, sizeof(pid), "%d", self->worker);
	args[3] = pid;
	while (more && *more && n < 15)
		args[n++] = *more++;
	if (start(&self->r, args, -1))
		return -1;
	self->started = true;
	return wait_polling(&self->r);
}

/* Releases the worker; returns its wait status once it is done. */
static int run_worker(FIXTURE_DATA(lint) *self)
{
	int st;

	close(self->go[1]);
	if (waitpid(self->worker, &st, 0) != self->worker)
		return -1;
	self->worker = 0;
	return st;
}

/* Stops lint (SIGINT) and parses its report: its exit status. */
static int stop_lint(FIXTURE_DATA(lint) *self)
{
	char *out;
	int st;

	kill(self->r.pid, SIGINT);
	st = finish(&self->r);
	self->started = false;
	out = slurp(self->r.out);
	self->report = json_parse_deep(out);
	if (!self->report) {
		char *err = slurp(self->r.err);

		fprintf(stderr, "# not JSON: '%s' (stderr '%s')\n", out, err);
		free(err);
	}
	free(out);
	release(&self->r);
	return st;
}

/* The findings of kind, how many; *f the first of them. */
static int findings(struct json_object *report, const char *kind,
		    struct json_object **f)
{
	struct json_object *all = get(report, "findings");
	int n = 0;

	*f = NULL;
	for (size_t i = 0; all && i < json_object_array_length(all); i++) {
		struct json_object *e = json_object_array_get_idx(all, i);

		if (!strcmp(get_text(e, "kind"), kind) && !n++)
			*f = e;
	}
	return n;
}

static int nr_findings(struct json_object *report)
{
	struct json_object *all = get(report, "findings");

	return all ? json_object_array_length(all) : -1;
}

static void *blocked(void *fd)
{
	char b;

	return (void *)(long)read(*(int *)fd, &b, 1);
}

/* With 3 threads more, forks a child that sleeps sleep_ms, then execs. */
static void mt_fork(int sleep_ms, int done)
{
	pthread_t t[3];
	int p[2], st;
	pid_t c;

	if (pipe2(p, O_CLOEXEC))
		_exit(90);
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, blocked, &p[0]))
			_exit(91);
	c = fork();
	if (c == 0) {
		if (sleep_ms)
			usleep(sleep_ms * 1000);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || st)
		_exit(92);
	_exit(0);	/* the threads with it */
}

TEST_F(lint, a_threaded_parents_child_sleeping_before_exec_is_reported)
{
	struct json_object *f;

	ASSERT_EQ(0, start_lint(self, mt_fork, 300, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "mt-fork", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_STREQ("warning", get_text(f, "severity"));
	EXPECT_EQ(1, get_int(f, "count"));
	EXPECT_EQ(4, get_int(f, "evidence.threads"));
	EXPECT_STREQ("exec", get_text(f, "evidence.then"));
	EXPECT_STREQ("/bin/true", get_text(f, "evidence.filename"));
	/* usleep(300 ms) is at least that; the exec's record is after. */
	EXPECT_LE(300000000, get_int(f, "evidence.ran_ns"));
}

TEST_F(lint, a_threaded_parents_child_execing_at_once_is_not)
{
	ASSERT_EQ(0, start_lint(self, mt_fork, 0, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(0, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	EXPECT_EQ(0, nr_findings(self->report));
}

/* execs a missing file n times in a row, then exits. */
static void exec_loop(int n, int done)
{
	for (int i = 0; i < n; i++)
		execl(MISSING, "x", (char *)NULL);
	_exit(0);
}

TEST_F(lint, the_same_exec_failing_in_a_loop_is_reported)
{
	struct json_object *f;

	ASSERT_EQ(0, start_lint(self, exec_loop, 5, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "exec-loop", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_EQ(5, get_int(f, "count"));
	EXPECT_STREQ(MISSING, get_text(f, "evidence.filename"));
	EXPECT_STREQ("ENOENT", get_text(f, "evidence.errno"));
	EXPECT_STREQ("false", get_text(f, "evidence.by_children"));
}

TEST_F(lint, two_failing_execs_are_not_a_loop)
{
	ASSERT_EQ(0, start_lint(self, exec_loop, 2, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(0, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	EXPECT_EQ(0, nr_findings(self->report));
}

/* n children one after another, each failing to exec, exiting 127. */
static void children_exec_fail(int n, int done)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0) {
			execl(MISSING, "x", (char *)NULL);
			_exit(127);
		}
		if (c < 0 || waitpid(c, NULL, 0) != c)
			_exit(93);
	}
	_exit(0);
}

TEST_F(lint, children_failing_the_same_exec_one_after_another)
{
	struct json_object *f;

	ASSERT_EQ(0, start_lint(self, children_exec_fail, 4, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "exec-loop", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_EQ(4, get_int(f, "count"));
	EXPECT_STREQ("true", get_text(f, "evidence.by_children"));
}

/* Ignores SIGCHLD, then n children exit 3; wait() returns when all did. */
static void autoreap(int n, int done)
{
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(3);
		if (c < 0)
			_exit(94);
	}
	/* With SIGCHLD ignored, wait blocks until no child is left. */
	if (wait(NULL) != -1 || errno != ECHILD)
		_exit(95);
	_exit(0);
}

TEST_F(lint, failing_children_of_a_parent_ignoring_sigchld)
{
	struct json_object *f;

	ASSERT_EQ(0, start_lint(self, autoreap, 3, NULL));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "autoreap", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_EQ(3, get_int(f, "count"));
	EXPECT_STREQ("exit 3", get_text(f, "evidence.status.text"));
}

/* n children exit at once and are never waited for; tells their pids. */
static void zombies(int n, int done)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c < 0 || write(done, &c, sizeof(c)) != sizeof(c))
			_exit(96);
	}
	close(done);
	pause();
	_exit(0);
}

static bool is_zombie(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' && p[2] == 'Z';
}

TEST_F(lint, children_never_reaped)
{
	const char *const more[] = { "--zombie-age", "0", NULL };
	struct json_object *f;
	pid_t c[2];

	ASSERT_EQ(0, start_lint(self, zombies, 2, more));
	close(self->go[1]);
	/* One write per child: read until the worker closed its end. */
	for (ssize_t got = 0, n; got < (ssize_t)sizeof(c); got += n)
		ASSERT_LT(0, (n = read(self->done[0], (char *)c + got,
				      sizeof(c) - got)));
	/* Zombies: their exits' records are written. */
	for (int i = 0; i < 200 && !(is_zombie(c[0]) && is_zombie(c[1])); i++)
		usleep(10000);
	ASSERT_TRUE(is_zombie(c[0]) && is_zombie(c[1]));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "zombies", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_EQ(self->worker, get_int(f, "pid"));
	EXPECT_EQ(2, get_int(f, "count"));
}

/*
 * A listening TCP socket on 127.0.0.1 and a pipe, then a child that
 * execs /bin/true, twice; flags 0 leaves them to it, else close-on-exec.
 * Everything the test inherited is close-on-exec first: only these
 * three can be the child's. Tells the socket's port's low bits.
 */
static void pass_fds(int flags, int done)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s, p[2];

	if (close_range(3, ~0U, 0))
		_exit(97);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | (flags ? SOCK_CLOEXEC : 0), 0);
	if (s != 3 || bind(s, (void *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (void *)&a, &len) || pipe2(p, flags) ||
	    p[0] != 4 || p[1] != 5)
		_exit(98);
	for (int i = 0; i < 2; i++) {
		pid_t c = fork();

		if (c == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (c < 0 || waitpid(c, NULL, 0) != c)
			_exit(99);
	}
	_exit(ntohs(a.sin_port) % 200);	/* its low bits, to check */
}

TEST_F(lint, a_socket_and_pipe_left_open_across_exec_are_reported)
{
	struct json_object *f, *fds;
	char addr[32];
	int st;

	ASSERT_EQ(0, start_lint(self, pass_fds, 0, NULL));
	st = run_worker(self);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "exec-fds", &f));
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_STREQ("warning", get_text(f, "severity"));
	EXPECT_EQ(2, get_int(f, "count"));	/* two execs, one finding */
	EXPECT_STREQ("true", get_text(f, "evidence.program"));
	EXPECT_EQ(3, get_int(f, "evidence.open"));
	fds = get(f, "evidence.fds");
	ASSERT_NE(NULL, fds);
	ASSERT_EQ(3, json_object_array_length(fds));
	f = json_object_array_get_idx(fds, 0);
	EXPECT_EQ(3, get_int(f, "fd"));
	EXPECT_STREQ("socket", get_text(f, "kind"));
	EXPECT_STREQ("inet", get_text(f, "family"));
	EXPECT_STREQ("stream", get_text(f, "type"));
	/* The port's low bits came back in the worker's exit status. */
	snprintf(addr, sizeof(addr), "127.0.0.1:");
	EXPECT_EQ(0, strncmp(addr, get_text(f, "addr"), strlen(addr)));
	EXPECT_EQ(WEXITSTATUS(st),
		  atoi(get_text(f, "addr") + strlen(addr)) % 200);
	for (int i = 1; i < 3; i++) {
		f = json_object_array_get_idx(fds, i);
		EXPECT_EQ(3 + i, get_int(f, "fd"));
		EXPECT_STREQ("pipe", get_text(f, "kind"));
	}
}

TEST_F(lint, close_on_exec_descriptors_are_not_reported)
{
	int st;

	ASSERT_EQ(0, start_lint(self, pass_fds, O_CLOEXEC, NULL));
	st = run_worker(self);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	EXPECT_EQ(0, nr_findings(self->report));
}

#define HEAP_MIB	16

/* Each page of heap written: volatile, or the compiler drops the stores. */
static void write_pages(volatile char *heap, size_t size, char v)
{
	for (size_t off = 0; off < size; off += 4096)
		heap[off] = v;
}

/*
 * A prefork server: a heap of HEAP_MIB written (its pages present), then
 * n workers forked without exec, each writing the whole inherited heap.
 */
static void prefork(int n, int done)
{
	size_t size = HEAP_MIB << 20;
	char *heap = malloc(size);

	if (!heap)
		_exit(90);
	write_pages(heap, size, 1);
	for (int i = 0; i < n; i++) {
		pid_t c = fork();

		if (c == 0) {
			write_pages(heap, size, 2 + i);
			_exit(0);
		}
		if (c < 0 || waitpid(c, NULL, 0) != c)
			_exit(91);
	}
	_exit(0);
}

TEST_F(lint, prefork_workers_copying_their_parents_heap)
{
	const char *const more[] = { "--severity", "info", NULL };
	double want = 2.0 * (HEAP_MIB << 20), got;
	struct json_object *f;

	ASSERT_EQ(0, start_lint(self, prefork, 2, more));
	ASSERT_EQ(0, run_worker(self));
	ASSERT_EQ(1, stop_lint(self));
	ASSERT_NE(NULL, self->report);
	ASSERT_EQ(1, findings(self->report, "prefork-cow", &f)) {
		TH_LOG("%s", json_object_to_json_string(self->report));
	}
	EXPECT_EQ(1, nr_findings(self->report));
	EXPECT_EQ(2, get_int(f, "count"));
	/* Every page written once by each: the copy within 5%. */
	got = get_int(f, "evidence.copied_bytes");
	EXPECT_LT(fabs(got - want), want * 0.05) {
		TH_LOG("copied %.0f bytes, written %.0f", got, want);
	}
	got = get_int(f, "evidence.worker_copied_bytes");
	EXPECT_LT(fabs(got - want / 2), want / 2 * 0.05);
}

TEST(bad_options_get_one_line_and_status_2)
{
	const char *const cases[][3] = {
		{ "lint", "--severity", "fatal" },
		{ "lint", "--mt-fork-ms", "-1" },
		{ "lint", "--exec-repeat", "1" },
		{ "lint", "-d", "0" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *args[] = { cases[i][0], cases[i][1], cases[i][2],
				       NULL };
		char *err;

		EXPECT_EQ(2, run_to_end(args, NULL, &err));
		EXPECT_EQ(1, count_lines(err)) {
			TH_LOG("%s %s: %s", cases[i][1], cases[i][2], err);
		}
		free(err);
	}
}

TEST_HARNESS_MAIN
