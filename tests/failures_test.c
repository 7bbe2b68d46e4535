// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failed forks and execs, from real failures: a forker at a pids cgroup's
 * limit, a non-root user at RLIMIT_NPROC, a pid namespace without its
 * init, threads-max and pid_max (in the test guests only: they are the
 * machine's), and execs of a missing file, a file that is not executable,
 * one with a missing interpreter and one of no known format. Each test's
 * worker reports how many failures it saw; the records must match them
 * one for one, with the limit named.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "collect.h"
#include "decode.h"

#define WAIT_TIMEOUT_MS	5000
#define NOBODY_UID	61234	/* a uid no process on the machine has */

/*
 * What a test changed on the machine, undone in the teardown on every
 * path: the cgroups it made (inner below outer), the controller it
 * enabled at the cgroup v2 root, a worker still running, a sysctl.
 */
FIXTURE(src) {
	struct collect c;
	pid_t test;			/* the process the test runs in */
	char outer[PATH_MAX + 64], inner[PATH_MAX + 80];
	char root_ctl[PATH_MAX + 32];	/* "+pids" was written here */
	pid_t worker;
	const char *sysctl;		/* set to another value */
	int sysctl_old;
	pid_t guard;			/* see sysctl_guard() */
	int guard_fd;
};

FIXTURE_SETUP(src)
{
	self->test = getpid();
	ASSERT_EQ(0, collect_open(&self->c)) {
		TH_LOG("cannot open the source: %s", fs_last_error());
	}
}

static int write_file(const char *path, const char *fmt, ...);
static int write_sysctl(const char *name, int v);
static int empty_cgroup(const char *dir);

/*
 * In the harness's parent process: a plain teardown does not run after
 * an ASSERT failed (the harness's fork result does not survive its
 * longjmp at -O2: -Wclobbered). The parent sees self (shared memory)
 * but not the test's files and children: the test's exit closed those,
 * and emptying the cgroups ends a worker left in them. After a failed
 * ASSERT the test process runs it itself (once), as if the parent.
 */
FIXTURE_TEARDOWN_PARENT(src)
{
	bool in_test = getpid() == self->test;

	/* The parent's would be a pid init may have reaped and given out. */
	if (in_test && self->worker > 0) {
		kill(self->worker, SIGKILL);
		waitpid(self->worker, NULL, 0);
	}
	if (self->sysctl) {
		EXPECT_EQ(0, write_sysctl(self->sysctl, self->sysctl_old));
		if (in_test) {
			close(self->guard_fd);
			waitpid(self->guard, NULL, 0);
		}
	}
	if (self->inner[0]) {
		EXPECT_EQ(0, empty_cgroup(self->inner));
		EXPECT_EQ(0, rmdir(self->inner));
	}
	if (self->outer[0]) {
		EXPECT_EQ(0, empty_cgroup(self->outer));
		EXPECT_EQ(0, rmdir(self->outer));
	}
	if (self->root_ctl[0])
		EXPECT_EQ(0, write_file(self->root_ctl, "-pids\n"));
	if (in_test)
		collect_close(&self->c);
}

static bool is_fork_fail_by(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_FORK_FAIL && r->tgid == tgid;
}

static bool is_exec_fail_by(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_EXEC_FAIL && r->pid == pid;
}

/* The n-th record (from 0) that p matches, or NULL. */
static const struct fs_hdr *nth(const struct collect *c, rec_pred p, long arg,
				size_t n)
{
	for (size_t i = 0; i < c->n; i++)
		if (p(c->recs[i], arg) && n-- == 0)
			return c->recs[i];
	return NULL;
}

/*
 * Polls until w's n failed forks are in, and its exit, which it wrote
 * after them: then no more of them can come, and a count is exact.
 */
static bool collect_all_of(struct collect *c, pid_t w, size_t n)
{
	return collect_until(c, is_fork_fail_by, w, n, WAIT_TIMEOUT_MS) &&
	       collect_until(c, is_exit_of, w, 1, WAIT_TIMEOUT_MS);
}

/* A child blocked until go[1] closes everywhere; exits 0 then. */
static pid_t holder(int go[2])
{
	pid_t pid = fork();
	char b;

	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &b, 1) == 0 ? 0 : 1);
	}
	return pid;
}

/*
 * In a worker: forks holders until fork fails (after max holders at
 * most), then tries `tries` - 1 more times; releases and reaps the
 * holders. Returns the failures it saw with errno want (a fork that
 * succeeds there is a holder too), or -1 when none was refused.
 */
/* fork_until_refused() tries a thread too, last. */
static bool try_thread;

static void *park(void *unused)
{
	pause();
	return NULL;
}

static int fork_until_refused(int max, int tries, int want)
{
	int go[2], held = 0, failed = 0, err = 0;

	if (pipe(go))
		return -1;
	while (held <= max && holder(go) > 0)
		held++;
	err = errno;
	if (held <= max) {
		failed = err == want;
		for (int i = 1; i < tries; i++) {
			pid_t pid = holder(go);

			failed += pid < 0 && errno == want;
		}
		if (try_thread) {
			pthread_t t;

			failed += pthread_create(&t, NULL, park, NULL) == want;
		}
	}
	close(go[1]);
	while (wait(NULL) > 0)
		;
	return held > max ? -1 : failed;
}

static int write_file(const char *path, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "we");
	int err;

	if (!f)
		return -errno;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	err = fclose(f) ? -errno : 0;
	return err;
}

/* The first line of path, without its newline: 0, or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Does a space-separated list hold word? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/*
 * Kills what is left in a cgroup (a worker's holders outlive it for a
 * moment) and waits until it holds no task, so that it can be removed:
 * 0, or -1 if it never empties.
 */
static int empty_cgroup(const char *dir)
{
	char path[PATH_MAX + 96];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	for (int t = 0; t < 5000; t++) {
		FILE *f = fopen(path, "re");
		int pid, n = 0;

		if (!f)
			return -1;
		while (fscanf(f, "%d", &pid) == 1 && ++n)
			kill(pid, SIGKILL);
		fclose(f);
		if (!n)
			return 0;
		usleep(1000);
	}
	return -1;
}

/*
 * Where pids cgroups are made here: the v1 pids hierarchy, else cgroup
 * v2, whose root then gets the controller for its children; if it had
 * not got it, root_ctl names the file for the teardown to take it back.
 */
static const char *pids_root(char *root_ctl, size_t len)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	char path[PATH_MAX + 32], ctl[256];

	if (mnt->pids_v1[0])
		return mnt->pids_v1;
	if (!mnt->v2[0] || !mnt->v2_pids)
		return NULL;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mnt->v2);
	if (read_line(path, ctl, sizeof(ctl)))
		return NULL;
	if (has_word(ctl, "pids"))
		return mnt->v2;
	if (write_file(path, "+pids\n"))
		return NULL;
	snprintf(root_ctl, len, "%s", path);
	return mnt->v2;
}

/*
 * A limit on an outer cgroup, the forker in an inner one: the pids cgroup
 * named must be the outer, where pids.max stopped it. Four forks and one
 * thread refused, each a record.
 */
TEST_F(src, a_fork_refused_at_pids_max_names_that_cgroup)
{
	const char *root = pids_root(self->root_ctl, sizeof(self->root_ctl));
	char *outer = self->outer, *inner = self->inner, file[PATH_MAX + 96];
	const struct fs_rec_fork_fail *r;
	size_t threads = 0;
	int st;
	pid_t w;

	if (!root)
		SKIP(return, "no pids controller to make a cgroup in");
	snprintf(file, sizeof(file), "%s/forkscope-fail-%d", root, getpid());
	ASSERT_EQ(0, mkdir(file, 0755));
	strcpy(outer, file);
	/* On cgroup v2 the inner one counts its own only when enabled. */
	snprintf(file, sizeof(file), "%s/cgroup.subtree_control", outer);
	if (!fs_cgroup_mounts()->pids_v1[0])
		ASSERT_EQ(0, write_file(file, "+pids\n"));
	snprintf(file, sizeof(file), "%s/inner", outer);
	ASSERT_EQ(0, mkdir(file, 0755));
	strcpy(inner, file);
	snprintf(file, sizeof(file), "%s/pids.max", outer);
	ASSERT_EQ(0, write_file(file, "3\n"));
	snprintf(file, sizeof(file), "%s/cgroup.procs", inner);
	w = self->worker = fork();
	if (w == 0) {
		if (write_file(file, "0\n"))
			_exit(100);
		/* Itself and two holders: 3 of 3; 4 forks and a thread refused. */
		try_thread = true;
		_exit(fork_until_refused(2, 4, EAGAIN) == 5 ? 0 : 101);
	}
	ASSERT_LT(0, w);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	self->worker = 0;
	ASSERT_EQ(0, st);
	ASSERT_TRUE(collect_all_of(&self->c, w, 5));
	EXPECT_EQ(5, collect_count(&self->c, is_fork_fail_by, w));
	for (size_t i = 0; (r = (const void *)nth(&self->c, is_fork_fail_by,
						  w, i)); i++) {
		EXPECT_EQ(EAGAIN, r->err);
		EXPECT_EQ(FS_LIMIT_PIDS_CGROUP, fs_fork_fail_limit(r));
		EXPECT_EQ(inode_of("%s", outer), r->pids_cgroup);
		EXPECT_EQ(3, r->pids_current);
		EXPECT_EQ(3, r->pids_max);
		EXPECT_EQ(inode_of("%s", inner), r->id.pids_cgroup);
		ASSERT_NE(NULL, told_path(&self->c, FS_CGROUP_PIDS,
					  r->pids_cgroup));
		EXPECT_STREQ(outer + strlen(root),
			     told_path(&self->c, FS_CGROUP_PIDS, r->pids_cgroup));
		threads += (r->clone_flags & CLONE_THREAD) != 0;
	}
	EXPECT_EQ(1, threads);
	ASSERT_NO_LOSS(&self->c);
}

/* A user other than root at RLIMIT_NPROC: itself and two children. */
TEST_F(src, a_fork_refused_by_rlimit_nproc_names_the_user)
{
	const struct fs_rec_fork_fail *r;
	int st;
	pid_t w;

	w = fork();
	if (w == 0) {
		struct rlimit lim = { 3, 3 };

		if (setrlimit(RLIMIT_NPROC, &lim) ||
		    setresgid(NOBODY_UID, NOBODY_UID, NOBODY_UID) ||
		    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
			_exit(100);
		_exit(fork_until_refused(2, 3, EAGAIN) == 3 ? 0 : 101);
	}
	ASSERT_LT(0, w);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_TRUE(collect_all_of(&self->c, w, 3));
	EXPECT_EQ(3, collect_count(&self->c, is_fork_fail_by, w));
	for (size_t i = 0; (r = (const void *)nth(&self->c, is_fork_fail_by,
						  w, i)); i++) {
		EXPECT_EQ(EAGAIN, r->err);
		EXPECT_EQ(FS_LIMIT_NPROC, fs_fork_fail_limit(r));
		EXPECT_EQ(NOBODY_UID, r->uid);
		EXPECT_EQ(3, r->nproc);
		EXPECT_EQ(3, r->nproc_max);
		EXPECT_EQ(0, r->flags & FS_FFAIL_PRIVILEGED);
	}
	ASSERT_NO_LOSS(&self->c);
}

/*
 * Once a pid namespace's init has exited, no process can enter it: the
 * fork fails with ENOMEM, which says nothing of why.
 */
TEST_F(src, a_fork_into_a_namespace_without_init_says_so)
{
	const struct fs_rec_fork_fail *r;
	int st;
	pid_t w;

	w = fork();
	if (w == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID))
			_exit(100);
		init = fork();
		if (init == 0)
			_exit(0);
		if (waitpid(init, NULL, 0) != init)
			_exit(101);
		_exit(fork() < 0 && errno == ENOMEM ? 0 : 102);
	}
	ASSERT_LT(0, w);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_TRUE(collect_all_of(&self->c, w, 1));
	EXPECT_EQ(1, collect_count(&self->c, is_fork_fail_by, w));
	r = (const void *)collect_find(&self->c, is_fork_fail_by, w);
	EXPECT_EQ(ENOMEM, r->err);
	EXPECT_EQ(FS_LIMIT_PIDNS_DEAD, fs_fork_fail_limit(r));
	ASSERT_NO_LOSS(&self->c);
}

static int read_sysctl(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atoi(buf);
}

static int write_sysctl(const char *name, int v)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	return write_file(path, "%d\n", v);
}

/* Tasks on the machine now: /proc/loadavg's "running/total". */
static int nr_tasks(void)
{
	char buf[128];
	FILE *f = fopen("/proc/loadavg", "re");
	char *slash;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	slash = strchr(buf, '/');
	return slash ? atoi(slash + 1) : -1;
}

/* threads-max and pid_max are the machine's: only in a test guest. */
#define SKIP_UNLESS_GUEST()						\
	do {								\
		if (!getenv("FORKSCOPE_EMULATED"))			\
			SKIP(return, "changes machine-wide limits: runs in the test guests"); \
	} while (0)

/*
 * The harness kills a test that runs out of time with its whole process
 * group, teardown and all: a process of its own group, holding the read
 * end of a pipe, puts the sysctl back when the test's end closes, however
 * it closes. The teardown puts it back too, at once.
 */
static int sysctl_guard(FIXTURE_DATA(src) *self, const char *name, int old)
{
	int p[2];
	char b;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	self->guard = fork();
	if (self->guard == 0) {
		setpgid(0, 0);
		/* Nor may it hold the source (the module's device) open. */
		close_range(0, p[0] - 1, 0);
		close_range(p[0] + 1, ~0U, 0);
		while (read(p[0], &b, 1) > 0)
			;
		_exit(write_sysctl(name, old) ? 1 : 0);
	}
	close(p[0]);
	if (self->guard < 0) {
		close(p[1]);
		return -1;
	}
	/* Before the harness can kill the group it was born in. */
	setpgid(self->guard, self->guard);
	self->guard_fd = p[1];
	self->sysctl = name;
	self->sysctl_old = old;
	return 0;
}

/*
 * Runs a worker that, once the sysctl name is v, forks until refused and
 * tries once more; collects its records while the limit holds (the
 * reader completes them with the sysctls as they are), then restores it.
 * The worker is made before the limit, so its own fork is not refused.
 * Returns the worker's failures (each try may find a task gone and
 * succeed), -1 on trouble.
 */
static int refused_with(FIXTURE_DATA(src) *self, const char *name, int v,
			pid_t *w)
{
	int old = read_sysctl(name), report[2], go[2], n = -1;
	char b;

	if (old < 0 || pipe(report) || pipe(go) ||
	    sysctl_guard(self, name, old))
		return -1;
	*w = self->worker = fork();
	if (*w == 0) {
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(1);
		n = fork_until_refused(1000, 2, EAGAIN);
		_exit(write(report[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(report[1]);
	close(go[0]);
	if (*w < 0 || write_sysctl(name, v) || write(go[1], "g", 1) != 1 ||
	    read(report[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(go[1]);
	close(report[0]);
	if (*w > 0)
		waitpid(*w, NULL, 0);
	self->worker = 0;
	if (n > 0)
		collect_all_of(&self->c, *w, n);
	/* Put back: the guard has no more to do. */
	if (!write_sysctl(name, old)) {
		close(self->guard_fd);
		waitpid(self->guard, NULL, 0);
		self->sysctl = NULL;
	}
	return n;
}

static void expect_refused_by(struct __test_metadata *_metadata,
			      const struct collect *c, pid_t w, int n,
			      enum fs_fork_limit want)
{
	const struct fs_rec_fork_fail *r;

	EXPECT_EQ(n, collect_count(c, is_fork_fail_by, w));
	for (size_t i = 0; (r = (const void *)nth(c, is_fork_fail_by, w, i));
	     i++) {
		EXPECT_EQ(EAGAIN, r->err);
		EXPECT_EQ(want, fs_fork_fail_limit(r)) {
			TH_LOG("tasks %u, threads-max %u, pid_max %u",
			       r->tasks, r->threads_max, r->pid_max);
		}
	}
}

TEST_F(src, a_fork_refused_at_threads_max_says_so)
{
	pid_t w;
	int n;

	SKIP_UNLESS_GUEST();
	n = refused_with(self, "threads-max", nr_tasks() + 4, &w);
	ASSERT_LE(1, n);
	expect_refused_by(_metadata, &self->c, w, n, FS_LIMIT_THREADS);
	ASSERT_NO_LOSS(&self->c);
}

/*
 * pid_max at its smallest (RESERVED_PIDS + 1): once the allocator has
 * given pids above the 300 kept for early tasks, it has pid 300 alone to
 * give; before, the free ones below 301.
 */
TEST_F(src, a_fork_refused_at_pid_max_says_so)
{
	pid_t w;
	int n;

	SKIP_UNLESS_GUEST();
	n = refused_with(self, "pid_max", 301, &w);
	ASSERT_LE(1, n);
	expect_refused_by(_metadata, &self->c, w, n, FS_LIMIT_PID_MAX);
	ASSERT_NO_LOSS(&self->c);
}

/* What a worker execs, expecting each to fail, and how. */
static const struct exec_case {
	const char *file;	/* under the test's directory, or absolute */
	int err;
	bool at;		/* by execveat, relative to the directory */
} exec_cases[] = {
	{ "/nonexistent-forkscope/cmd", ENOENT, false },
	{ "plain", EACCES, false },	/* not executable */
	{ "badinterp", ENOENT, false },	/* #! names a missing interpreter */
	{ "garbage", ENOEXEC, false },	/* executable, of no known format */
	{ "plain", EACCES, true },
	{ "/nonexistent-forkscope/many", ENOENT, false },
};

#define MANY_ARGS	40

static void make_file(const char *dir, const char *name, const char *text,
		      mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

/* In the worker: every case, each with argv {name, "a", ""}. */
static int exec_all(const char *dir)
{
	char *many[MANY_ARGS + 1], path[PATH_MAX], args[MANY_ARGS][8];
	int dfd = open(dir, O_DIRECTORY | O_CLOEXEC), failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(exec_cases); i++) {
		const struct exec_case *e = &exec_cases[i];
		char *argv[] = { (char *)e->file, "a", "", NULL };

		if (i == ARRAY_SIZE(exec_cases) - 1) {
			for (int k = 0; k < MANY_ARGS; k++) {
				snprintf(args[k], sizeof(args[k]), "arg%d", k);
				many[k] = args[k];
			}
			many[MANY_ARGS] = NULL;
			execv(e->file, many);
		} else if (e->at) {
			syscall(SYS_execveat, dfd, e->file, argv, environ, 0);
		} else {
			snprintf(path, sizeof(path), "%s%s%s",
				 e->file[0] == '/' ? "" : dir,
				 e->file[0] == '/' ? "" : "/", e->file);
			argv[0] = path;
			execv(path, argv);
		}
		failed += errno == e->err;
	}
	return failed;
}

struct argv_check {
	const char *want[3];
	int n;
	bool ok;
};

static int check_arg(void *ctx, const char *arg)
{
	struct argv_check *a = ctx;

	a->ok = a->ok && a->n < 3 && !strcmp(a->want[a->n], arg);
	a->n++;
	return 0;
}

TEST_F(src, failed_execs_name_errno_path_and_argv)
{
	char dir[] = "/tmp/forkscope-exec-XXXXXX", path[PATH_MAX];
	const struct fs_rec_exec_fail *r;
	int st;
	pid_t w;

	ASSERT_NE(NULL, mkdtemp(dir));
	make_file(dir, "plain", "not a program\n", 0644);
	make_file(dir, "badinterp", "#!/nonexistent-forkscope/interp\n", 0755);
	make_file(dir, "garbage", "\x01\x02\x03 no format\n", 0755);
	w = fork();
	if (w == 0)
		_exit(exec_all(dir) == ARRAY_SIZE(exec_cases) ? 0 : 100);
	ASSERT_LT(0, w);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	EXPECT_EQ(0, st);
	ASSERT_TRUE(collect_until(&self->c, is_exec_fail_by, w,
				  ARRAY_SIZE(exec_cases), WAIT_TIMEOUT_MS));
	EXPECT_EQ(ARRAY_SIZE(exec_cases),
		  collect_count(&self->c, is_exec_fail_by, w));
	for (size_t i = 0; i < ARRAY_SIZE(exec_cases) &&
			   (r = (const void *)nth(&self->c, is_exec_fail_by, w, i));
	     i++) {
		const struct exec_case *e = &exec_cases[i];
		bool many = i == ARRAY_SIZE(exec_cases) - 1;
		struct argv_check a = { .ok = !many };	/* many: counted only */
		const struct fs_rec_exec *x = (const void *)r;

		snprintf(path, sizeof(path), "%s%s%s",
			 e->file[0] == '/' || e->at ? "" : dir,
			 e->file[0] == '/' || e->at ? "" : "/", e->file);
		EXPECT_EQ(e->err, r->err);
		EXPECT_EQ(e->at ? FS_EXEC_SYS_EXECVEAT : FS_EXEC_SYS_EXECVE,
			  r->syscall);
		EXPECT_STREQ(path, fs_exec_filename(x));
		if (many) {
			/* The first FS_EXEC_FAIL_ARGC, and the rest flagged. */
			EXPECT_EQ(FS_EXEC_ARGS_TRUNC, r->flags);
			EXPECT_EQ(FS_EXEC_FAIL_ARGC,
				  fs_exec_for_each_arg(x, check_arg, &a));
			continue;
		}
		a.want[0] = e->at ? e->file : path;
		a.want[1] = "a";
		a.want[2] = "";
		EXPECT_EQ(0, r->flags);
		EXPECT_EQ(3, fs_exec_for_each_arg(x, check_arg, &a));
		EXPECT_TRUE(a.ok);
	}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	EXPECT_EQ(0, system(path));
	ASSERT_NO_LOSS(&self->c);
}

/*
 * A fork that meets a pending signal is restarted by the kernel: the
 * syscall's exit sees -ERESTARTNOINTR, user space never does. A worker
 * forking under a fast timer sees every fork succeed: no failure may be
 * recorded for it.
 */
static void on_alarm(int sig)
{
}

TEST_F(src, a_restarted_fork_is_not_a_failure)
{
	int st;
	pid_t w;

	w = fork();
	if (w == 0) {
		struct itimerval it = { { 0, 50 }, { 0, 50 } };
		struct sigaction sa = { .sa_handler = on_alarm };
		int failed = 0;

		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		for (int i = 0; i < 300; i++) {
			pid_t k = fork();

			if (k == 0)
				_exit(0);
			failed += k < 0;
			while (k > 0 && waitpid(k, NULL, 0) < 0 && errno == EINTR)
				;
		}
		_exit(failed);
	}
	ASSERT_LT(0, w);
	ASSERT_EQ(w, waitpid(w, &st, 0));
	ASSERT_EQ(0, st);
	/* Its exit's records come after any of its forks'. */
	ASSERT_TRUE(collect_until(&self->c, is_exit_of, w, 1, WAIT_TIMEOUT_MS));
	EXPECT_EQ(0, collect_count(&self->c, is_fork_fail_by, w));
	ASSERT_NO_LOSS(&self->c);
}

TEST_HARNESS_MAIN
