// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live tests of the BPF producer: children this test creates fork, exec,
 * exit, wait and get reaped for real, and each event must come back exactly
 * once, with the right identities and statuses, and with nothing lost.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "collect.h"
#include "decode.h"
#include "kthread.h"

#define REAP_TIMEOUT_MS	15000	/* frees come from lazy RCU: up to ~10 s */
#define WAIT_TIMEOUT_MS	5000	/* records made before the test's own wait
				 * returned: only the reader can lag */
#define NCHILDREN	20

FIXTURE(bpf) {
	struct collect c;
};

FIXTURE_SETUP(bpf)
{
	ASSERT_EQ(0, collect_open(&self->c)) {
		TH_LOG("cannot open the BPF source: %s", fs_last_error());
	}
}

FIXTURE_TEARDOWN(bpf)
{
	collect_close(&self->c);
}

static const char *const true_argv[] = {
	"true", "alpha", "beta gamma", "", "delta", NULL
};

static pid_t spawn_true(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/true", (char **)true_argv);
		_exit(127);
	}
	return pid;
}

static int check_argv(void *ctx, const char *arg)
{
	int *i = ctx;

	if (!true_argv[*i] || strcmp(true_argv[*i], arg))
		return 1;
	(*i)++;
	return 0;
}

/* The child's start time, as its fork told it. */
static uint64_t f_start(const struct collect *c, pid_t kid)
{
	const struct fs_rec_fork *f = (const void *)collect_find(c, is_fork_of,
								 kid);

	return f ? f->child_start_ns : 0;
}

TEST_F(bpf, one_of_each_per_child)
{
	pid_t kids[NCHILDREN];
	int status[NCHILDREN], freed = 0;

	for (int i = 0; i < NCHILDREN; i++) {
		kids[i] = spawn_true();
		ASSERT_LT(0, kids[i]);
		ASSERT_EQ(kids[i], waitpid(kids[i], &status[i], 0));
	}
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait,
				  kids[NCHILDREN - 1], 1, WAIT_TIMEOUT_MS));
	/* Frees trail by an RCU grace period: give them that, not more. */
	collect_until(&self->c, is_reap_of, kids[NCHILDREN - 1], 1,
		      REAP_TIMEOUT_MS);
	for (int i = 0; i < NCHILDREN; i++) {
		const struct fs_rec_fork *f;
		const struct fs_rec_exec *e;
		const struct fs_rec_exit *x;
		const struct fs_rec_wait_result *w;
		const struct fs_hdr *r;
		int nargs = 0;

		ASSERT_EQ(1, collect_count(&self->c, is_fork_of, kids[i]));
		ASSERT_EQ(1, collect_count(&self->c, is_exec_of, kids[i]));
		ASSERT_EQ(1, collect_count(&self->c, is_exit_of, kids[i]));
		ASSERT_EQ(1, collect_count(&self->c, is_waited_for, kids[i]));
		ASSERT_EQ(1, collect_count(&self->c, is_reaped_by_wait, kids[i]));
		ASSERT_GE(1, collect_count(&self->c, is_reap_of, kids[i]));
		r = collect_find(&self->c, is_reap_of, kids[i]);
		if (r) {
			freed++;
			EXPECT_EQ(kids[i], r->tgid);
			EXPECT_EQ(f_start(&self->c, kids[i]), r->start_ns);
		}

		f = (const void *)collect_find(&self->c, is_fork_of, kids[i]);
		EXPECT_EQ(getpid(), f->hdr.tgid);
		EXPECT_EQ(kids[i], f->child_tgid);
		EXPECT_EQ(getpid(), f->child_ppid);
		EXPECT_EQ(0, f->flags & FS_FORK_THREAD);

		e = (const void *)collect_find(&self->c, is_exec_of, kids[i]);
		EXPECT_STREQ("/bin/true", fs_exec_filename(e));
		EXPECT_STREQ("true", e->hdr.comm);
		EXPECT_EQ(kids[i], e->old_pid);
		EXPECT_EQ(getpid(), e->hdr.ppid);
		EXPECT_EQ(0, e->flags);
		EXPECT_EQ(5, fs_exec_for_each_arg(e, check_argv, &nargs));
		EXPECT_EQ(5, nargs);

		x = (const void *)collect_find(&self->c, is_exit_of, kids[i]);
		EXPECT_EQ(status[i], x->status);
		/* _exit() is exit_group(): the group exit flag is set. */
		EXPECT_EQ(FS_EXIT_GROUP_DEAD | FS_EXIT_GROUP_EXIT, x->flags);
		EXPECT_EQ(f->child_start_ns, x->hdr.start_ns);

		w = (const void *)collect_find(&self->c, is_waited_for, kids[i]);
		EXPECT_EQ(getpid(), w->hdr.tgid);
		EXPECT_EQ(gettid(), w->hdr.pid);
		EXPECT_EQ(FS_WAIT_SYS_WAIT4, w->syscall);
		EXPECT_EQ(status[i], fs_wait_result_status(w));
		EXPECT_TRUE(fs_wait_result_reaped(w));
	}
	/* The free path works, though the kernel may skip a free. */
	EXPECT_LT(0, freed);
	ASSERT_NO_LOSS(&self->c);
}

static bool core_pattern_is_plain_file(void)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");

	if (!f)
		return false;
	fgets(buf, sizeof(buf), f);
	fclose(f);
	return buf[0] && buf[0] != '|';
}

/* Dies by sig; dumps core in a scratch directory when core is set. */
static pid_t spawn_dying(int sig, bool core)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { core ? RLIM_INFINITY : 0,
				     core ? RLIM_INFINITY : 0 };
		char dir[] = "/tmp/forkscope-core-XXXXXX";

		setrlimit(RLIMIT_CORE, &rl);
		if (core && (!mkdtemp(dir) || chdir(dir)))
			_exit(99);
		prctl(PR_SET_DUMPABLE, 1);
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(98);
	}
	return pid;
}

TEST_F(bpf, exit_status_signal_and_core)
{
	bool core = core_pattern_is_plain_file();
	pid_t kids[4];
	int st[4];

	kids[0] = fork();
	if (kids[0] == 0)
		_exit(3);
	kids[1] = spawn_dying(SIGKILL, false);
	kids[2] = spawn_dying(SIGTERM, false);
	kids[3] = spawn_dying(SIGSEGV, core);
	for (int i = 0; i < 4; i++) {
		ASSERT_LT(0, kids[i]);
		ASSERT_EQ(kids[i], waitpid(kids[i], &st[i], 0));
	}
	EXPECT_EQ(3 << 8, st[0]);
	EXPECT_EQ(SIGKILL, st[1]);
	EXPECT_EQ(SIGTERM, st[2]);
	EXPECT_EQ(SIGSEGV, WTERMSIG(st[3]));
	if (core) {
		EXPECT_TRUE(WCOREDUMP(st[3]));
	} else {
		TH_LOG("core_pattern pipes cores away: core bit not forced");
	}
	system("rm -rf /tmp/forkscope-core-*");

	for (int i = 0; i < 4; i++) {
		const struct fs_rec_exit *x;

		ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kids[i],
					  1, WAIT_TIMEOUT_MS));
		ASSERT_EQ(1, collect_count(&self->c, is_exit_of, kids[i]));
		x = (const void *)collect_find(&self->c, is_exit_of, kids[i]);
		EXPECT_EQ(st[i], x->status);
		EXPECT_EQ(st[i], x->exit_code);
	}
	ASSERT_NO_LOSS(&self->c);
}

#define NTHREADS 3

static void *thread_exit_now(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

TEST_F(bpf, threads_told_from_processes)
{
	int pfd[2];
	pid_t tids[NTHREADS], kid;
	int st;

	ASSERT_EQ(0, pipe(pfd));
	kid = fork();
	if (kid == 0) {
		pthread_t th[NTHREADS];

		for (int i = 0; i < NTHREADS; i++) {
			pthread_create(&th[i], NULL, thread_exit_now, &tids[i]);
			pthread_join(th[i], NULL);
		}
		write(pfd[1], tids, sizeof(tids));
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(tids), read(pfd[0], tids, sizeof(tids)));
	close(pfd[0]);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kid, 1,
				  WAIT_TIMEOUT_MS));

	ASSERT_EQ(NTHREADS, collect_count(&self->c, is_thread_fork_in_group, kid));
	ASSERT_EQ(NTHREADS + 1, collect_count(&self->c, is_exit_in_group, kid));
	ASSERT_GE(NTHREADS + 1, collect_count(&self->c, is_reap_in_group, kid));
	for (int i = 0; i < NTHREADS; i++) {
		const struct fs_rec_fork *f;
		const struct fs_rec_exit *x;

		ASSERT_EQ(1, collect_count(&self->c, is_fork_of, tids[i]));
		f = (const void *)collect_find(&self->c, is_fork_of, tids[i]);
		EXPECT_EQ(kid, f->child_tgid);
		EXPECT_EQ(kid, f->hdr.pid);
		EXPECT_EQ(FS_FORK_THREAD, f->flags);
		/* A thread's real_parent is its creator's parent. */
		EXPECT_EQ(getpid(), f->child_ppid);

		ASSERT_EQ(1, collect_count(&self->c, is_exit_of, tids[i]));
		x = (const void *)collect_find(&self->c, is_exit_of, tids[i]);
		EXPECT_EQ(FS_EXIT_THREAD | FS_EXIT_AUTOREAP,
			  x->flags & (FS_EXIT_THREAD | FS_EXIT_AUTOREAP));
		EXPECT_EQ(kid, x->hdr.tgid);
		EXPECT_GE(1, collect_count(&self->c, is_reap_of, tids[i]));
	}
	/* One exit of the process is its last, whatever the kernel. */
	EXPECT_EQ(1, collect_count(&self->c, is_group_dead_in, kid));
	if (fs_source_exact_group_dead(self->c.src)) {
		const struct fs_rec_exit *x = (const void *)
			collect_find(&self->c, is_exit_of, kid);

		/* Joined threads exited first: the leader was last. */
		EXPECT_EQ(FS_EXIT_GROUP_DEAD | FS_EXIT_GROUP_EXIT, x->flags);
		EXPECT_EQ(st, x->status);
	}
	ASSERT_NO_LOSS(&self->c);
}

static int leader_pipe[2];

static void *outlive_leader(void *arg)
{
	pid_t tid = gettid();

	write(leader_pipe[1], &tid, sizeof(tid));
	usleep(200000);	/* the leader is a zombie meanwhile */
	exit(4);
}

TEST_F(bpf, leader_exit_with_live_threads_waits)
{
	const struct fs_rec_exit *lx, *tx;
	const struct fs_rec_wait_result *w;
	pid_t kid, tid;
	int st;

	ASSERT_EQ(0, pipe(leader_pipe));
	kid = fork();
	if (kid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, outlive_leader, NULL);
		pthread_exit(NULL);
	}
	close(leader_pipe[1]);
	ASSERT_EQ(sizeof(tid), read(leader_pipe[0], &tid, sizeof(tid)));
	close(leader_pipe[0]);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(4 << 8, st);
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kid, 1,
				  WAIT_TIMEOUT_MS));

	lx = (const void *)collect_find(&self->c, is_exit_of, kid);
	tx = (const void *)collect_find(&self->c, is_exit_of, tid);
	ASSERT_NE(NULL, lx);
	ASSERT_NE(NULL, tx);
	/* The leader is not released at its exit, whatever its parent does. */
	EXPECT_EQ(FS_EXIT_LEADER_WAITS, lx->flags);
	EXPECT_EQ(FS_EXIT_THREAD | FS_EXIT_GROUP_DEAD | FS_EXIT_GROUP_EXIT |
		  FS_EXIT_AUTOREAP, tx->flags);
	/* What the parent's wait sees is the group's status, not the leader's. */
	EXPECT_EQ(st, tx->status);
	w = (const void *)collect_find(&self->c, is_waited_for, kid);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(st, fs_wait_result_status(w));
	EXPECT_LT(lx->hdr.ts_ns, tx->hdr.ts_ns);
	ASSERT_NO_LOSS(&self->c);
}

static int exec_pipe[2];

static void *exec_from_thread(void *arg)
{
	pid_t tid = gettid();

	write(exec_pipe[1], &tid, sizeof(tid));
	execl("/bin/true", "true", "from-thread", (char *)NULL);
	return NULL;
}

TEST_F(bpf, non_leader_thread_exec)
{
	const struct fs_rec_exec *e;
	pid_t kid, tid;
	int st;

	ASSERT_EQ(0, pipe(exec_pipe));
	kid = fork();
	if (kid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, exec_from_thread, NULL);
		pthread_join(th, NULL);	/* exec ends this wait */
		_exit(97);
	}
	close(exec_pipe[1]);
	ASSERT_EQ(sizeof(tid), read(exec_pipe[0], &tid, sizeof(tid)));
	close(exec_pipe[0]);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(0, st);
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kid, 1,
				  WAIT_TIMEOUT_MS));

	ASSERT_EQ(1, collect_count(&self->c, is_exec_of, kid));
	e = (const void *)collect_find(&self->c, is_exec_of, kid);
	EXPECT_EQ(tid, e->old_pid);
	EXPECT_EQ(kid, e->hdr.tgid);
	EXPECT_STREQ("/bin/true", fs_exec_filename(e));
	/*
	 * de_thread() releases the old leader under the thread's old id; only
	 * its free says so, which may not come (see collect.h).
	 */
	EXPECT_GE(1, collect_count(&self->c, is_reap_of, tid));
	ASSERT_NO_LOSS(&self->c);
}

/* A middle process forks a grandchild, reports its pid and waits for it. */
static pid_t spawn_waiter(bool use_waitid, int code, int report)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t g = fork();
		siginfo_t si;
		int st;

		if (g == 0)
			_exit(code);
		write(report, &g, sizeof(g));
		if (use_waitid)
			waitid(P_PID, g, &si, WEXITED);
		else
			waitpid(g, &st, 0);
		_exit(0);
	}
	return pid;
}

TEST_F(bpf, wait_results_name_the_waiter)
{
	pid_t mid[2], grand[2];
	int pfd[2], st;

	ASSERT_EQ(0, pipe(pfd));
	mid[0] = spawn_waiter(false, 7, pfd[1]);
	ASSERT_EQ(sizeof(pid_t), read(pfd[0], &grand[0], sizeof(pid_t)));
	mid[1] = spawn_waiter(true, 9, pfd[1]);
	ASSERT_EQ(sizeof(pid_t), read(pfd[0], &grand[1], sizeof(pid_t)));
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(mid[i], waitpid(mid[i], &st, 0));
	for (int i = 0; i < 2; i++) {
		const struct fs_rec_wait_result *w;

		ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, mid[i],
					  1, WAIT_TIMEOUT_MS));
		ASSERT_EQ(1, collect_count(&self->c, is_waited_for, grand[i]));
		w = (const void *)collect_find(&self->c, is_waited_for,
					      grand[i]);
		EXPECT_EQ(mid[i], w->hdr.tgid);
		EXPECT_EQ(i ? FS_WAIT_SYS_WAITID : FS_WAIT_SYS_WAIT4,
			  w->syscall);
		EXPECT_EQ((i ? 9 : 7) << 8, fs_wait_result_status(w));
		EXPECT_TRUE(fs_wait_result_reaped(w));
	}
	ASSERT_NO_LOSS(&self->c);
}

TEST_F(bpf, sigchld_ignored_means_autoreap)
{
	const struct fs_rec_exit *x;
	pid_t kid, grand;
	int pfd[2], st;

	ASSERT_EQ(0, pipe(pfd));
	kid = fork();
	if (kid == 0) {
		pid_t g;

		signal(SIGCHLD, SIG_IGN);
		g = fork();
		if (g == 0)
			_exit(5);
		write(pfd[1], &g, sizeof(g));
		/* With SIGCHLD ignored, wait returns only once none are left. */
		while (wait(NULL) > 0 || errno == EINTR)
			;
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(grand), read(pfd[0], &grand, sizeof(grand)));
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kid, 1,
				  WAIT_TIMEOUT_MS));
	x = (const void *)collect_find(&self->c, is_exit_of, grand);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(FS_EXIT_GROUP_DEAD | FS_EXIT_GROUP_EXIT | FS_EXIT_AUTOREAP,
		  x->flags);
	EXPECT_EQ(5 << 8, x->status);
	EXPECT_EQ(0, collect_count(&self->c, is_waited_for, grand));
	ASSERT_NO_LOSS(&self->c);
}

TEST_F(bpf, posix_spawn_shares_the_parents_memory)
{
	char *argv[] = { "true", NULL };
	const struct fs_rec_fork *f;
	pid_t kid;
	int st;

	/* glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK). */
	ASSERT_EQ(0, posix_spawn(&kid, "/bin/true", NULL, NULL, argv, environ));
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, kid, 1,
				  WAIT_TIMEOUT_MS));
	f = (const void *)collect_find(&self->c, is_fork_of, kid);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FS_FORK_SHARED_VM, f->flags);
	ASSERT_NO_LOSS(&self->c);
}

/* The child exits here: returning would wreck the frame the parent uses. */
static pid_t vfork_and_exit(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/*
 * A kernel thread and its parent kthreadd both have no mm: that is no
 * memory shared. A vfork child shares its parent's, and is told by it.
 */
TEST_F(bpf, kernel_thread_fork_shares_no_memory_vfork_does)
{
	const struct fs_rec_fork *f;
	pid_t kt, kid;

	kt = kthread_fork();
	if (!kt)
		SKIP(return, "no transparent hugepages: no khugepaged to start");
	ASSERT_LT(0, kt) TH_LOG("cannot restart khugepaged through %s",
				THP_ENABLED);
	kid = vfork_and_exit();
	ASSERT_EQ(kid, waitpid(kid, NULL, 0));
	ASSERT_TRUE(collect_until(&self->c, is_fork_of, kid, 1,
				  REAP_TIMEOUT_MS));
	ASSERT_TRUE(collect_until(&self->c, is_fork_of, kt, 1,
				  REAP_TIMEOUT_MS));
	ASSERT_EQ(1, collect_count(&self->c, is_fork_of, kt));
	f = (const void *)collect_find(&self->c, is_fork_of, kt);
	EXPECT_STREQ("kthreadd", f->hdr.comm);
	EXPECT_EQ(kt, f->child_tgid);
	EXPECT_EQ(0, f->flags);
	ASSERT_EQ(1, collect_count(&self->c, is_fork_of, kid));
	f = (const void *)collect_find(&self->c, is_fork_of, kid);
	EXPECT_EQ(getpid(), f->hdr.tgid);
	EXPECT_EQ(FS_FORK_SHARED_VM, f->flags);
	ASSERT_NO_LOSS(&self->c);
}

static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *rp;
	pid_t ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
		sscanf(rp + 2, "%*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* S (subreaper) -> M -> G: M's exit names S as heir; S's, who G got next. */
TEST_F(bpf, exit_names_the_heir_of_the_children)
{
	const struct fs_rec_exit *mx, *sx;
	pid_t s, m, g, heir;
	int pfd[2], st;

	ASSERT_EQ(0, pipe(pfd));
	s = fork();
	if (s == 0) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		m = fork();
		if (m == 0) {
			g = fork();
			if (g == 0) {
				usleep(300000);
				_exit(0);
			}
			m = getpid();
			write(pfd[1], &m, sizeof(m));
			write(pfd[1], &g, sizeof(g));
			_exit(0);	/* g is orphaned: S adopts it */
		}
		waitpid(m, NULL, 0);
		usleep(100000);
		_exit(0);		/* g is orphaned again: init adopts it */
	}
	ASSERT_EQ(sizeof(m), read(pfd[0], &m, sizeof(m)));
	ASSERT_EQ(sizeof(g), read(pfd[0], &g, sizeof(g)));
	ASSERT_EQ(s, waitpid(s, &st, 0));
	/* g still sleeps: whoever the kernel gave it to is S's heir. */
	heir = ppid_of(g);
	ASSERT_LT(0, heir);
	ASSERT_TRUE(collect_until(&self->c, is_exit_of, g, 1, REAP_TIMEOUT_MS));

	mx = (const void *)collect_find(&self->c, is_exit_of, m);
	sx = (const void *)collect_find(&self->c, is_exit_of, s);
	ASSERT_NE(NULL, mx);
	ASSERT_NE(NULL, sx);
	EXPECT_EQ(s, mx->heir);
	EXPECT_TRUE(mx->flags & FS_EXIT_HEIR_SUBREAPER);
	EXPECT_EQ(heir, sx->heir);
	EXPECT_EQ(heir != 1, !!(sx->flags & FS_EXIT_HEIR_SUBREAPER));
	ASSERT_NO_LOSS(&self->c);
}

/*
 * Frees the kernel did not hand to BPF (docs/kernel-notes.md) came while
 * other processes forked and reaped in a loop: the reap must still be
 * told exactly, by each waiter's own result, for every child, the
 * spinners' included, while the frees that do come are counted.
 */
#define SPIN_CHILDREN	300

static volatile sig_atomic_t spin_stop;

static void on_spin_stop(int sig)
{
	spin_stop = 1;
}

/* Forks and waits for children until SIGUSR1; exits 0 after a last wait. */
static pid_t spin_forker(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, on_spin_stop);
		while (!spin_stop) {
			siginfo_t si;
			pid_t kid = fork();

			if (kid == 0)
				_exit(0);
			if (kid < 0 || waitid(P_PID, kid, &si, WEXITED))
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

TEST_F(bpf, reaps_told_while_others_fork_and_reap)
{
	pid_t parents[3] = { getpid() }, *spinners = parents + 1, last = 0;
	size_t children = 0, told = 0, freed = 0;
	int st;

	for (int i = 0; i < 2; i++)
		ASSERT_LT(0, spinners[i] = spin_forker());
	for (int i = 0; i < SPIN_CHILDREN; i++) {
		last = fork();
		if (last == 0)
			_exit(0);
		ASSERT_EQ(last, waitpid(last, &st, 0));
		if (i % 50 == 0)
			fs_source_poll(self->c.src, 0);
	}
	for (int i = 0; i < 2; i++) {
		kill(spinners[i], SIGUSR1);
		ASSERT_EQ(spinners[i], waitpid(spinners[i], &st, 0));
		ASSERT_EQ(0, st);
	}
	ASSERT_TRUE(collect_until(&self->c, is_reaped_by_wait, spinners[1], 1,
				  WAIT_TIMEOUT_MS));
	collect_until(&self->c, is_reap_of, spinners[1], 1, 2000);
	for (size_t i = 0; i < self->c.n; i++) {
		const struct fs_rec_fork *f = (const void *)self->c.recs[i];
		bool ours = false;

		for (int p = 0; p < 3; p++)
			ours |= is_fork_by(&f->hdr, parents[p]);
		if (!ours)
			continue;
		children++;
		told += collect_count(&self->c, is_reaped_by_wait,
				      f->child_pid) == 1;
		freed += collect_count(&self->c, is_reap_of, f->child_pid);
	}
	TH_LOG("%zu children: %zu reaps told by their waiter, %zu frees came",
	       children, told, freed);
	EXPECT_LT(SPIN_CHILDREN, children);
	EXPECT_EQ(children, told);
	EXPECT_GE(children, freed);
	ASSERT_NO_LOSS(&self->c);
}

/*
 * A one-page ring buffer and a burst nobody reads: records must be dropped,
 * and every dropped one must be counted. A second source with a large ring
 * sees the same window whole: what the small one delivered plus what it
 * reported lost must be exactly the forks the machine made in the window.
 *
 * Drops carry no time, so the window is where the small source's counters
 * were read: after one flush, up to the next. Both sources see every fork
 * on the machine, so forks by other processes within a millisecond of a
 * flush could fall on either side of it; only those may make the counts
 * differ, and the test says how many there were.
 */
#define EDGE_NS	NSEC_PER_MSEC

/* Forks between t0 and t1 made by tgid (mine) or by everyone else (!mine). */
static size_t forks_between(const struct collect *c, uint64_t t0, uint64_t t1,
			    pid_t tgid, bool mine)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->recs[i]->type == FS_REC_FORK &&
		     (c->recs[i]->tgid == tgid) == mine &&
		     c->recs[i]->ts_ns >= t0 && c->recs[i]->ts_ns <= t1;
	return n;
}

TEST(drops_are_counted_never_silent)
{
	struct collect c, ref;
	pid_t kids[200];
	uint64_t e0, t0, t1, e1;
	size_t forks = 0, before, certain, edges, seen;
	int status;

	ASSERT_EQ(0, collect_open_sized(&c, getpagesize())) {
		TH_LOG("%s", fs_last_error());
	}
	/* The module has one ring, sized at load, and one reader. */
	if (strncmp(fs_source_describe(c.src), "bpf", 3)) {
		collect_close(&c);
		SKIP(return, "a reader sets the ring size only with BPF");
	}
	ASSERT_EQ(0, collect_open(&ref)) {
		TH_LOG("%s", fs_last_error());
	}
	/*
	 * Opening the reference took long enough for the full one-page ring
	 * to drop the machine's other forks: those losses are real, but not
	 * this window's.
	 */
	e0 = fs_boot_ns();
	fs_source_poll(c.src, 0);
	fs_source_flush_losses(c.src);
	t0 = fs_boot_ns();
	before = c.n;
	c.lost_by_type[FS_REC_FORK] = 0;
	for (int i = 0; i < 200; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(0);
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
	}
	t1 = fs_boot_ns();
	fs_source_poll(c.src, 0);
	fs_source_flush_losses(c.src);
	e1 = fs_boot_ns();
	ASSERT_TRUE(collect_until(&ref, is_fork_of, kids[199], 1, 5000));
	for (int i = 0; i < 200; i++)
		forks += collect_count(&c, is_fork_of, kids[i]);
	seen = 0;
	for (size_t i = before; i < c.n; i++)
		seen += c.recs[i]->type == FS_REC_FORK;
	seen += c.lost_by_type[FS_REC_FORK];
	/* This test's forks all fall between the flushes; others may not. */
	EXPECT_EQ(200, forks_between(&ref, t0, t1, getpid(), true));
	certain = 200 + forks_between(&ref, t0 + EDGE_NS, t1 - EDGE_NS,
				      getpid(), false);
	edges = forks_between(&ref, e0 - EDGE_NS, e1 + EDGE_NS, getpid(),
			      false) + 200 - certain;

	TH_LOG("reference saw %zu forks (%zu more near the edges); the one-page ring delivered %zu, reported %llu lost",
	       certain, edges, seen - (size_t)c.lost_by_type[FS_REC_FORK],
	       (unsigned long long)c.lost_by_type[FS_REC_FORK]);
	EXPECT_LT(0, c.lost_by_type[FS_REC_FORK]);
	EXPECT_GT(200, forks);
	EXPECT_EQ(0, ref.lost);
	EXPECT_LE(certain, seen);
	EXPECT_GE(certain + edges, seen);
	collect_close(&c);
	collect_close(&ref);
}

/* IRQ work interrupts so far, all CPUs: how ring buffer wakeups arrive. */
static long long irq_work_interrupts(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096], *p, *end;
	long long sum = -1;

	while (f && fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "IWI:", 4))
			continue;
		sum = 0;
		for (p += 4;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	if (f)
		fclose(f);
	return sum;
}

/*
 * A reader that falls behind must not make every record pay for a wakeup
 * (an interrupt each: 8 us in a VM): one wakeup when the unread bytes pass
 * the mark, none after.
 */
/* Forks and reaps n children; returns the IRQ work interrupts meanwhile. */
static long long irq_work_over_children(int n)
{
	long long before = irq_work_interrupts();
	int status;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			return -1;
	}
	return irq_work_interrupts() - before;
}

TEST(a_lagging_reader_is_woken_once_not_per_record)
{
	/*
	 * Half in an emulated guest, where 2 x 2,000 forks took the whole 30 s
	 * once (6.1): 1,000 still leave 420 KiB unread, past the mark.
	 */
	const int n = getenv("FORKSCOPE_EMULATED") ? 1000 : 2000;
	long long untraced, unread;
	struct collect c;
	size_t forks;

	if (irq_work_interrupts() < 0)
		SKIP(return, "no IWI line in /proc/interrupts");
	/* The kernel's own IRQ work (a guest has more) is the baseline. */
	untraced = irq_work_over_children(n);
	ASSERT_LE(0, untraced);
	/*
	 * The default ring: the machine's other processes write into it too
	 * while nobody reads (a 2 MiB one overflowed on a busy machine).
	 */
	ASSERT_EQ(0, collect_open(&c)) {
		TH_LOG("%s", fs_last_error());
	}
	if (strncmp(fs_source_describe(c.src), "bpf", 3)) {
		collect_close(&c);
		SKIP(return, "the module wakes its reader its own way");
	}
	fs_source_poll(c.src, 0);
	/* ~420 bytes a child: 420-840 KiB unread, past the 256 KiB mark. */
	unread = irq_work_over_children(n);
	ASSERT_LE(0, unread);
	fs_source_poll(c.src, 0);
	fs_source_flush_losses(c.src);
	forks = collect_count(&c, is_fork_by, getpid());
	TH_LOG("IRQ work interrupts over %d children: %lld untraced, %lld traced and unread",
	       n, untraced, unread);
	EXPECT_EQ(n, forks);
	EXPECT_EQ(0, c.lost);
	/*
	 * A wakeup per record past the mark was ~3.4 per child. Other IRQ
	 * work comes with tracing in the 6.12 guest (131-135; 1 on 6.1 and
	 * here): most likely bpf_mem_alloc refilling for the group-dead
	 * claims' task storage (kernels before 6.16), not confirmed.
	 */
	EXPECT_GT(untraced + n / 2, unread);
	collect_close(&c);
}

/* Container identity, checked against what /proc and cgroupfs say. */
/* pid's cgroup path in the hierarchy whose /proc/PID/cgroup line has tag. */
static bool cgroup_of(pid_t pid, const char *tag, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, tag);

		if (p && (p == line || strstr(tag, "::") == NULL)) {
			p += strlen(tag);
			p[strcspn(p, "\n")] = 0;
			snprintf(out, len, "%s", p);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static bool is_cgroup_move_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_CGROUP && r->pid == pid;
}

/*
 * A child that waits, doing nothing, until *release is closed; then it
 * exits 0. -1 when it cannot be made.
 */
static pid_t parked_child(int *release)
{
	int go[2];
	pid_t kid;
	char c;

	if (pipe(go))
		return -1;
	kid = fork();
	if (kid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	*release = go[1];
	return kid;
}

TEST_F(bpf, fork_names_the_childs_container)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const struct fs_rec_fork *f;
	char cg[PATH_MAX];
	int release, st;
	pid_t kid;

	kid = parked_child(&release);
	ASSERT_LT(0, kid);
	ASSERT_TRUE(collect_until(&self->c, is_fork_of, kid, 1, WAIT_TIMEOUT_MS));
	f = (const void *)collect_find(&self->c, is_fork_of, kid);
	EXPECT_EQ(inode_of("/proc/%d/ns/pid", kid), f->child.pidns);
	/* This test runs in the initial pid namespace. */
	EXPECT_EQ(kid, f->child.ns_pid);
	EXPECT_EQ(kid, f->child.ns_tgid);
	EXPECT_EQ(0, f->child.flags);
	if (mnt->v2[0] && cgroup_of(kid, "0::", cg, sizeof(cg))) {
		char dir[2 * PATH_MAX];

		EXPECT_EQ(inode_of("%s%s", mnt->v2, cg), f->child.cgroup);
		/* Named before the first record naming it, or at the snapshot. */
		ASSERT_NE(NULL, told_path(&self->c, FS_CGROUP_V2, f->child.cgroup));
		EXPECT_STREQ(cg, told_path(&self->c, FS_CGROUP_V2, f->child.cgroup));
		snprintf(dir, sizeof(dir), "%s%s", mnt->v2, cg);
		if (!mnt->pids_v1[0] && mnt->v2_pids)
			EXPECT_EQ(fs_cgroup_v2_pids(dir), f->child.pids_cgroup);
	} else {
		TH_LOG("cgroup v2 is not mounted: its id is not checked");
	}
	if (mnt->pids_v1[0] && cgroup_of(kid, ":pids:", cg, sizeof(cg))) {
		EXPECT_EQ(inode_of("%s%s", mnt->pids_v1, cg), f->child.pids_cgroup);
		ASSERT_NE(NULL, told_path(&self->c, FS_CGROUP_PIDS,
					  f->child.pids_cgroup));
		EXPECT_STREQ(cg, told_path(&self->c, FS_CGROUP_PIDS,
					   f->child.pids_cgroup));
	}
	close(release);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(0, st);
	ASSERT_NO_LOSS(&self->c);
}

TEST_F(bpf, pid_namespace_init_is_flagged)
{
	const struct fs_rec_fork *f;
	int report[2], st;
	pid_t mid, init = 0;
	uint64_t ns;

	ASSERT_EQ(0, pipe(report));
	mid = fork();
	if (mid == 0) {
		/* Told from here: a zombie's /proc/PID/ns cannot be read. */
		uint64_t inode;
		pid_t in;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		in = fork();
		if (in == 0)
			_exit(0);	/* pid 1 of the new namespace */
		/* Its link leads nowhere until the first child is made. */
		inode = inode_of("/proc/self/ns/pid_for_children");
		if (write(report[1], &in, sizeof(in)) != sizeof(in) ||
		    write(report[1], &inode, sizeof(inode)) != sizeof(inode))
			_exit(12);
		_exit(waitpid(in, NULL, 0) == in ? 0 : 11);
	}
	close(report[1]);
	ASSERT_EQ(sizeof(init), read(report[0], &init, sizeof(init)));
	ASSERT_EQ(sizeof(ns), read(report[0], &ns, sizeof(ns)));
	close(report[0]);
	ASSERT_NE(0, ns);
	ASSERT_EQ(mid, waitpid(mid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_TRUE(collect_until(&self->c, is_fork_of, init, 1, WAIT_TIMEOUT_MS));
	f = (const void *)collect_find(&self->c, is_fork_of, init);
	EXPECT_EQ(1, f->child.ns_pid);
	EXPECT_EQ(1, f->child.ns_tgid);
	EXPECT_EQ(FS_IDENT_NS_INIT, f->child.flags);
	EXPECT_EQ(ns, f->child.pidns);
	EXPECT_NE(inode_of("/proc/self/ns/pid"), f->child.pidns);
	ASSERT_NO_LOSS(&self->c);
}

TEST_F(bpf, cgroup_move_is_recorded)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const struct fs_rec_cgroup *r;
	char dir[PATH_MAX + 64], procs[PATH_MAX + 96], home[PATH_MAX];
	char back[2 * PATH_MAX + 32];
	int release, st;
	pid_t kid;
	FILE *f;

	if (!mnt->v2[0])
		SKIP(return, "cgroup v2 is not mounted");
	ASSERT_TRUE(cgroup_of(getpid(), "0::", home, sizeof(home)));
	snprintf(dir, sizeof(dir), "%s/forkscope-test-%d", mnt->v2, getpid());
	ASSERT_EQ(0, mkdir(dir, 0755));
	kid = parked_child(&release);
	ASSERT_LT(0, kid);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	f = fopen(procs, "we");
	ASSERT_NE(NULL, f);
	fprintf(f, "%d\n", kid);
	EXPECT_EQ(0, fclose(f));
	ASSERT_TRUE(collect_until(&self->c, is_cgroup_move_of, kid, 1,
				  WAIT_TIMEOUT_MS));
	r = (const void *)collect_find(&self->c, is_cgroup_move_of, kid);
	EXPECT_EQ(inode_of("%s", dir), r->id.cgroup);
	ASSERT_NE(NULL, told_path(&self->c, FS_CGROUP_V2, r->id.cgroup));
	EXPECT_STREQ(dir + strlen(mnt->v2),
		     told_path(&self->c, FS_CGROUP_V2, r->id.cgroup));
	EXPECT_EQ(kid, r->hdr.tgid);
	EXPECT_EQ(kid, r->id.ns_tgid);
	/* Home again, so that the test's cgroup can go. */
	snprintf(back, sizeof(back), "%s%s/cgroup.procs", mnt->v2,
		 strcmp(home, "/") ? home : "");
	f = fopen(back, "we");
	if (f) {
		fprintf(f, "%d\n", kid);
		fclose(f);
	}
	close(release);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, rmdir(dir));
	ASSERT_NO_LOSS(&self->c);
}

TEST_HARNESS_MAIN
