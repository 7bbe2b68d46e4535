// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live tests of the process model, through a session and through the
 * binary: zombies, orphans, a double-fork daemon and a subreaper made for
 * real, checked in `zombies --json` and `tree --json` against what the
 * kernel says in /proc.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <pthread.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "json_get.h"
#include "session.h"

#define NLEAK		50
#define NIGNORED	10

/*
 * Every process a test makes is tracked and killed in the teardown, which
 * the harness runs even after a failed ASSERT: nothing is left behind.
 */
FIXTURE(live) {
	pid_t pids[16];
	int npids;
	struct run r;
	bool running;
};

FIXTURE_SETUP(live)
{
}

FIXTURE_TEARDOWN(live)
{
	if (self->running) {
		kill(self->r.pid, SIGKILL);
		finish(&self->r);
		release(&self->r);
	}
	for (int i = 0; i < self->npids; i++)
		kill(self->pids[i], SIGKILL);
	for (int i = 0; i < self->npids; i++)
		waitpid(self->pids[i], NULL, WNOHANG);
}

static pid_t track(FIXTURE_DATA(live) *self, pid_t pid)
{
	if (pid > 0 && self->npids < (int)ARRAY_SIZE(self->pids))
		self->pids[self->npids++] = pid;
	return pid;
}

static int run_forkscope(FIXTURE_DATA(live) *self, const char *const args[])
{
	if (start(&self->r, args, -1))
		return -1;
	self->running = true;
	return 0;
}

static int stop_forkscope(FIXTURE_DATA(live) *self, int sig)
{
	int st;

	if (sig)
		kill(self->r.pid, sig);
	st = finish(&self->r);
	self->running = false;
	return st;
}

/* Every JSON line of s, parsed; the caller frees with json_object_put. */
static int parse_lines(char *s, struct json_object **objs, int max)
{
	int n = 0;

	for (char *save = NULL, *l = strtok_r(s, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_parse_deep(l);

		if (o)
			objs[n++] = o;
	}
	return n;
}

/* The parent entry for pid in a zombies report, or NULL. */
static struct json_object *report_parent(struct json_object *rep, pid_t pid)
{
	struct json_object *ps = get(rep, "parents");

	for (size_t i = 0; ps && i < json_object_array_length(ps); i++) {
		struct json_object *p = json_object_array_get_idx(ps, i);

		if (get_int(p, "pid") == pid)
			return p;
	}
	return NULL;
}

/* A process whose children exit at once and are never waited for. */
static pid_t spawn_leaker(int nkids, int go_reap, int ready)
{
	pid_t pid = fork();

	if (pid == 0) {
		char c;

		for (int i = 0; i < nkids; i++)
			if (fork() == 0)
				_exit(0);
		write(ready, "r", 1);
		read(go_reap, &c, 1);	/* reap only when told */
		while (wait(NULL) > 0)
			;
		write(ready, "d", 1);
		pause();
		_exit(0);
	}
	return pid;
}

/* A process ignoring SIGCHLD: its children never become zombies. */
static pid_t spawn_ignorer(int ready)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		for (int i = 0; i < NIGNORED; i++)
			if (fork() == 0)
				_exit(0);
		write(ready, "i", 1);
		pause();
		_exit(0);
	}
	return pid;
}

static void *sleep_forever(void *arg)
{
	pause();
	return arg;
}

/* A leader that exits while its other thread runs on. */
static pid_t spawn_leader_exit(int ready)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, sleep_forever, NULL);
		write(ready, "l", 1);
		pthread_exit(NULL);
	}
	return pid;
}

/* Reads reports until pred holds for one; returns it (caller puts). */
static struct json_object *next_report(struct run *r, size_t *seen,
				       bool (*pred)(struct json_object *, pid_t),
				       pid_t pid, int timeout_ms)
{
	uint64_t end = fs_boot_ns() + timeout_ms * NSEC_PER_MSEC;

	while (fs_boot_ns() < end) {
		struct json_object *objs[256];
		char *out = slurp(r->out);
		int n = parse_lines(out, objs, 256);
		struct json_object *hit = NULL;

		for (int i = 0; i < n; i++) {
			if (!hit && (size_t)i >= *seen && pred(objs[i], pid)) {
				hit = objs[i];
				*seen = i + 1;
				continue;
			}
			json_object_put(objs[i]);
		}
		free(out);
		if (hit)
			return hit;
		usleep(50000);
	}
	return NULL;
}

static bool has_leak_of(struct json_object *rep, pid_t pid)
{
	struct json_object *p = report_parent(rep, pid);

	return p && get_int(p, "nr_zombies") == NLEAK;
}

static bool lacks_parent(struct json_object *rep, pid_t pid)
{
	return !report_parent(rep, pid);
}

static bool lists_leader(struct json_object *rep, pid_t pid)
{
	struct json_object *ls = get(rep, "leaders_waiting_for_threads");

	for (size_t i = 0; ls && i < json_object_array_length(ls); i++)
		if (get_int(json_object_array_get_idx(ls, i), "pid") == pid)
			return true;
	return false;
}

/* The session a command opens: this process selected, a missing one refused. */
TEST(session_selects_this_process_and_refuses_a_missing_one)
{
	struct fs_session_opts o = { .select_pid = getpid() };
	const struct fs_task *e, *me = NULL;
	const struct fs_model *m;
	struct fs_session *s;

	s = fs_session_open(&o);
	ASSERT_NE(NULL, s) TH_LOG("%s", fs_last_error());
	m = fs_session_model(s);
	fs_proctab_for_each(&m->tab, e)
		if (e->pid == getpid())
			me = e;
	ASSERT_NE(NULL, me);
	EXPECT_TRUE(me->flags & FS_TASK_SELECTED);
	EXPECT_LE(fs_session_start_ns(s), fs_boot_ns());
	EXPECT_NE(NULL, strstr(fs_session_describe(s), "bpf") ?:
		  strstr(fs_session_describe(s), "kmod"));
	EXPECT_EQ(NULL, fs_session_cow_method(s));
	EXPECT_EQ(-ENOTSUP, fs_session_cow_sample(s));
	EXPECT_EQ(0, fs_session_stats(s)->malformed);
	fs_session_close(s);

	o.select_pid = 2147483000;
	EXPECT_EQ(NULL, fs_session_open(&o));
	EXPECT_STREQ("no process 2147483000", fs_last_error());
}

TEST_F(live, zombies_names_the_leaking_parent_and_clears)
{
	const char *args[] = { "zombies", "--watch", "--json", "-I", "0.25",
			       "-m", "1", NULL };
	int go[2], ready[2];
	pid_t leaker, ignorer, leader;
	struct json_object *rep, *p, *zs;
	uint64_t leaked_ns;
	struct json_object *objs[256];
	size_t seen = 0;
	int n, st;
	char *out, c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, run_forkscope(self, args));
	/* Zombies made before the snapshot would have no known age. */
	ASSERT_EQ(0, wait_polling(&self->r));

	ignorer = track(self, spawn_ignorer(ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	leader = track(self, spawn_leader_exit(ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	leaker = track(self, spawn_leaker(NLEAK, go[0], ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	leaked_ns = fs_boot_ns();

	rep = next_report(&self->r, &seen, has_leak_of, leaker, 5000);
	ASSERT_NE(NULL, rep);
	TH_LOG("50 zombies reported %.2f s after they were made",
	       (get_int(rep, "ts_ns") - (int64_t)leaked_ns) / 1e9);
	EXPECT_GE(2 * NSEC_PER_SEC, get_int(rep, "ts_ns") - (int64_t)leaked_ns);
	p = report_parent(rep, leaker);
	EXPECT_STREQ("leaking", get_text(p, "verdict"));
	EXPECT_STREQ("never waits", get_text(p, "reason"));
	EXPECT_STREQ("SIGCHLD default", get_text(p, "sigchld"));
	EXPECT_EQ(NULL, get(p, "last_wait_ago_ns"));	/* JSON null */
	zs = get(p, "zombies");
	ASSERT_EQ(NLEAK, json_object_array_length(zs));
	for (int i = 0; i < NLEAK; i++) {
		struct json_object *z = json_object_array_get_idx(zs, i);

		EXPECT_EQ(leaker, get_int(z, "ppid"));
		EXPECT_EQ(0, get_int(get(z, "status"), "raw"));
		EXPECT_TRUE(json_object_get_boolean(get(z, "age_known")));
		EXPECT_LE(NSEC_PER_SEC, get_int(z, "age_ns"));
	}
	/* SIG_IGN children were autoreaped; the leader is no leak. */
	EXPECT_EQ(NULL, report_parent(rep, ignorer));
	EXPECT_EQ(NULL, report_parent(rep, leader));
	EXPECT_TRUE(lists_leader(rep, leader));
	/* The test itself reaps at once: never a parent in the report. */
	EXPECT_EQ(NULL, report_parent(rep, getpid()));
	json_object_put(rep);

	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	rep = next_report(&self->r, &seen, lacks_parent, leaker, 3000);
	EXPECT_NE(NULL, rep) TH_LOG("the report did not clear");
	json_object_put(rep);
	/* The watch ends with the status of its last report. */
	st = stop_forkscope(self, SIGINT);
	out = slurp(self->r.out);
	n = parse_lines(out, objs, 256);
	free(out);
	ASSERT_LT(0, n);
	EXPECT_EQ(get_int(objs[n - 1], "nr_zombies") > 0, st);
	for (int i = 0; i < n; i++)
		json_object_put(objs[i]);
}

TEST_F(live, zombies_exit_status_is_a_health_check)
{
	const char *args[] = { "zombies", "-m", "0.3", NULL };
	int go[2], ready[2];
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	track(self, spawn_leaker(3, go[0], ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, run_forkscope(self, args));
	EXPECT_EQ(1, stop_forkscope(self, 0));
}

#define NORPHANS	5

/*
 * mid -> (unshare CLONE_NEWPID) init, PID 1 of a new pid namespace, that
 * never waits -> M -> NORPHANS children that exit; M waits until they
 * are zombies (WNOWAIT) and exits: its zombies go to init, adopted, and
 * M is init's zombie too. Reports init's pid; mid waits for init.
 */
static pid_t spawn_namespace(int report)
{
	pid_t mid = fork();

	if (mid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		init = fork();
		if (init == 0) {
			if (fork() == 0) {
				for (int i = 0; i < NORPHANS; i++) {
					siginfo_t si;
					pid_t z = fork();

					if (z == 0)
						_exit(0);
					waitid(P_PID, z, &si, WEXITED | WNOWAIT);
				}
				_exit(0);
			}
			for (;;)
				pause();	/* PID 1 that never waits */
		}
		write(report, &init, sizeof(init));
		_exit(waitpid(init, NULL, 0) == init ? 0 : 11);
	}
	return mid;
}

static bool has_ns_leak_of(struct json_object *rep, pid_t pid)
{
	struct json_object *p = report_parent(rep, pid);

	return p && get_int(p, "nr_zombies") == NORPHANS + 1 &&
	       get_int(p, "nr_adopted") == NORPHANS;
}

TEST_F(live, zombies_names_a_namespace_init_that_never_reaps)
{
	const char *args[] = { "zombies", "--watch", "--json", "-I", "0.25",
			       "-m", "0.5", NULL };
	const char *once[] = { "zombies", "-m", "0.2", NULL };
	struct json_object *rep, *p, *cs, *c = NULL, *zs;
	size_t seen = 0;
	int report[2], adopted = 0;
	double rate;
	pid_t init;
	char *out;

	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, run_forkscope(self, args));
	ASSERT_EQ(0, wait_polling(&self->r));
	track(self, spawn_namespace(report[1]));
	ASSERT_EQ(sizeof(init), read(report[0], &init, sizeof(init)));
	track(self, init);

	rep = next_report(&self->r, &seen, has_ns_leak_of, init, 5000);
	ASSERT_NE(NULL, rep);
	p = report_parent(rep, init);
	EXPECT_STREQ("leaking", get_text(p, "verdict"));
	EXPECT_TRUE(json_object_get_boolean(get(p, "ns_init_never_reaps")));
	EXPECT_STREQ("the container's PID 1 never reaps the orphans it adopts",
		     get_text(p, "reason"));
	EXPECT_NE(NULL, strstr(get_text(p, "advice"), "tini"));
	EXPECT_TRUE(json_object_get_boolean(get(get(p, "container"),
						"ns_init")));
	EXPECT_EQ(1, get_int(get(p, "container"), "ns_pid"));
	/* Every one exited while watched: the rate is theirs. */
	EXPECT_EQ(NORPHANS + 1, get_int(p, "nr_new"));
	rate = json_object_get_double(get(p, "zombies_per_min"));
	EXPECT_GE(0.005, fabs(rate - (NORPHANS + 1) * 60e9 /
				     get_int(rep, "watched_ns")));
	zs = get(p, "zombies");
	ASSERT_EQ(NORPHANS + 1, json_object_array_length(zs));
	for (int i = 0; i < NORPHANS + 1; i++)
		adopted += json_object_get_boolean(
			get(json_object_array_get_idx(zs, i), "adopted"));
	EXPECT_EQ(NORPHANS, adopted);
	/* Its container holds it, its pid namespace not the host's. */
	cs = get(rep, "containers");
	for (size_t i = 0; cs && i < json_object_array_length(cs); i++) {
		struct json_object *k = json_object_array_get_idx(cs, i);

		if (get_int(get(k, "container"), "pid_ns") ==
		    get_int(get(p, "container"), "pid_ns"))
			c = k;
	}
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(json_object_get_boolean(get(c, "host")));
	EXPECT_EQ(NORPHANS + 1, get_int(c, "nr_zombies"));
	EXPECT_EQ(init, json_object_get_int(
				json_object_array_get_idx(get(c, "parents"), 0)));
	json_object_put(rep);
	stop_forkscope(self, SIGINT);
	release(&self->r);

	/* Text, from a snapshot alone: the verdict in plain words. */
	ASSERT_EQ(0, run_forkscope(self, once));
	EXPECT_EQ(1, stop_forkscope(self, 0));
	out = slurp(self->r.out);
	EXPECT_NE(NULL, strstr(out, "this container's PID 1 never reaps the orphans it adopts"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "tini, dumb-init or `docker run --init`"))
		TH_LOG("%s", out);
	free(out);
}

struct proc_view {
	int ppid;
	char comm[16];
	char state;
};

/* /proc/PID/stat: ppid, comm, state; -1 when gone. */
static int read_proc(pid_t pid, struct proc_view *v)
{
	char path[64], buf[512], *lp, *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp - lp - 1 >= (int)sizeof(v->comm))
		return -1;
	memset(v->comm, 0, sizeof(v->comm));
	memcpy(v->comm, lp + 1, rp - lp - 1);
	return sscanf(rp + 2, "%c %d", &v->state, &v->ppid) == 2 ? 0 : -1;
}

/* Each node of a tree, by pid (below PID_MAX_LIMIT), for lookups. */
struct flat {
	struct json_object *node[1 << 22];
	int count;
};

static void flatten(struct flat *fl, struct json_object *nodes)
{
	for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i);
		int64_t pid = get_int(n, "pid");

		if (pid > 0 && pid < (int64_t)ARRAY_SIZE(fl->node)) {
			fl->node[pid] = n;
			fl->count++;
		}
		flatten(fl, get(n, "children"));
	}
}

static void expect_matches_proc(struct __test_metadata *_metadata,
				struct flat *fl, pid_t pid)
{
	struct json_object *n = fl->node[pid];
	struct proc_view v;

	ASSERT_EQ(0, read_proc(pid, &v)) TH_LOG("pid %d is not in /proc", pid);
	ASSERT_NE(NULL, n) TH_LOG("pid %d is not in the tree", pid);
	EXPECT_EQ(v.ppid, get_int(n, "ppid")) TH_LOG("pid %d", pid);
	EXPECT_STREQ(v.comm, get_text(n, "comm")) TH_LOG("pid %d", pid);
	EXPECT_STREQ(v.state == 'Z' ? "zombie" : "running",
		     get_text(n, "state")) TH_LOG("pid %d", pid);
}

TEST_F(live, tree_json_agrees_with_proc)
{
	const char *args[] = { "tree", "--json", NULL };
	struct flat *fl = calloc(1, sizeof(*fl));
	struct json_object *objs[4];
	struct proc_view before[1024];
	pid_t pids[1024];
	int n = 0, checked = 0, go[2], ready[2];
	char *out, c;
	DIR *d;
	struct dirent *e;

	/* Something to find: a parent with zombies. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	track(self, spawn_leaker(3, go[0], ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));

	d = opendir("/proc");
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)) && n < 1024)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    !read_proc(atoi(e->d_name), &before[n]))
			pids[n++] = atoi(e->d_name);
	closedir(d);

	ASSERT_EQ(0, run_forkscope(self, args));
	ASSERT_EQ(0, stop_forkscope(self, 0));
	out = slurp(self->r.out);
	ASSERT_EQ(1, parse_lines(out, objs, 4));
	free(out);
	ASSERT_NE(NULL, fl);
	flatten(fl, get(objs[0], "tree"));

	/* Every process alive and unchanged across the run must agree. */
	for (int i = 0; i < n; i++) {
		struct proc_view after;

		if (read_proc(pids[i], &after) || after.ppid != before[i].ppid ||
		    after.state != before[i].state ||
		    strcmp(after.comm, before[i].comm))
			continue;
		expect_matches_proc(_metadata, fl, pids[i]);
		checked++;
	}
	TH_LOG("%d processes checked against /proc", checked);
	EXPECT_LT(n / 2, checked);
	EXPECT_EQ(get_int(objs[0], "processes"), fl->count);
	json_object_put(objs[0]);
	free(fl);
}

/*
 * S (subreaper) -> M -> { G1 sleeps, G2 exits }; M exits without waiting:
 * G1 and zombie G2 move to S, and M is S's zombie. A double fork A -> D,
 * A exits: the daemon D moves to the heir above it.
 */
static pid_t spawn_family(int report)
{
	pid_t s = fork();

	if (s == 0) {
		pid_t m;

		prctl(PR_SET_CHILD_SUBREAPER, 1);
		m = fork();
		if (m == 0) {
			pid_t g1 = fork(), g2;

			if (g1 == 0) {
				pause();
				_exit(0);
			}
			g2 = fork();
			if (g2 == 0)
				_exit(7);
			m = getpid();
			write(report, &m, sizeof(m));
			write(report, &g1, sizeof(g1));
			write(report, &g2, sizeof(g2));
			usleep(100000);	/* let g2 become a zombie first */
			_exit(0);
		}
		pause();
		_exit(0);
	}
	return s;
}

static pid_t spawn_daemon(int report)
{
	pid_t a = fork();

	if (a == 0) {
		pid_t d = fork();

		if (d == 0) {
			setsid();
			pause();
			_exit(0);
		}
		write(report, &d, sizeof(d));
		_exit(0);
	}
	return a;
}

TEST_F(live, tree_follow_moves_orphans_to_subreaper_and_init)
{
	const char *args[] = { "tree", "--follow", "--json", "-I", "0.2", NULL };
	struct json_object *objs[256], *last;
	struct flat *fl = calloc(1, sizeof(*fl));
	pid_t s, m, g1, g2, a, d;
	int pfd[2], n;
	char *out;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, run_forkscope(self, args));
	ASSERT_EQ(0, wait_for(&self->r, self->r.out, "\"tree\""));

	s = track(self, spawn_family(pfd[1]));
	ASSERT_EQ(sizeof(m), read(pfd[0], &m, sizeof(m)));
	ASSERT_EQ(sizeof(g1), read(pfd[0], &g1, sizeof(g1)));
	track(self, g1);
	ASSERT_EQ(sizeof(g2), read(pfd[0], &g2, sizeof(g2)));
	a = spawn_daemon(pfd[1]);
	ASSERT_EQ(sizeof(d), read(pfd[0], &d, sizeof(d)));
	track(self, d);
	ASSERT_EQ(a, waitpid(a, NULL, 0));
	usleep(700000);		/* M has exited; a few redraws since */

	ASSERT_EQ(0, stop_forkscope(self, SIGINT));
	out = slurp(self->r.out);
	n = parse_lines(out, objs, 256);
	free(out);
	ASSERT_LT(2, n);
	last = objs[n - 1];
	ASSERT_NE(NULL, fl);
	flatten(fl, get(last, "tree"));

	expect_matches_proc(_metadata, fl, s);
	expect_matches_proc(_metadata, fl, m);
	expect_matches_proc(_metadata, fl, g1);
	expect_matches_proc(_metadata, fl, g2);
	expect_matches_proc(_metadata, fl, d);
	EXPECT_EQ(s, get_int(fl->node[g1], "ppid"));
	EXPECT_EQ(s, get_int(fl->node[g2], "ppid"));
	EXPECT_STREQ("zombie", get_text(fl->node[g2], "state"));
	EXPECT_EQ(7 << 8, get_int(get(fl->node[g2], "status"), "raw"));
	EXPECT_STREQ("zombie", get_text(fl->node[m], "state"));
	EXPECT_TRUE(json_object_get_boolean(get(fl->node[s], "subreaper")));
	for (int i = 0; i < n; i++)
		json_object_put(objs[i]);
	free(fl);
}

TEST_HARNESS_MAIN
