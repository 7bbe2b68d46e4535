// SPDX-License-Identifier: GPL-2.0-only
/*
 * The timeline from synthetic records, through the model as a session
 * applies them: tasks found by the snapshot, forks, execs (argv, failed
 * ones), exits, deaths, reaps and who reaped, autoreaped threads, a
 * thread's exec, waits, COW samples, tasks lost to a resync, the limits
 * on what a task keeps, and the end of the stream.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "common.h"
#include "idmap.h"
#include "model.h"
#include "synth.h"
#include "timeline.h"

#define MAX_EVENTS	256

struct seen {
	enum fs_tl_kind kind;
	int32_t pid;
	int32_t other;		/* other's pid, 0: none */
	uint64_t ts;
	uint32_t flags;		/* the task's at the event */
};

FIXTURE(tl) {
	struct fs_model m;
	struct fs_timeline *tl;
	struct seen ev[MAX_EVENTS];
	int n;
	uint64_t now;
	char argv0[64];		/* the last exec event's argv[0] */
	uint32_t argc;
	int32_t exec_err;
};

static void on_event(void *ctx, const struct fs_tl_event *e)
{
	FIXTURE_DATA(tl) *self = ctx;

	if (e->kind == FS_TL_EXEC) {
		snprintf(self->argv0, sizeof(self->argv0), "%s", e->exec->argv);
		self->argc = e->exec->argc;
		self->exec_err = e->exec->err;
	}
	if (self->n == MAX_EVENTS)
		return;
	self->ev[self->n++] = (struct seen){
		.kind = e->kind, .pid = e->task->pid,
		.other = e->other ? e->other->pid : 0, .ts = e->ts,
		.flags = e->task->flags,
	};
}

static int setup(FIXTURE_DATA(tl) *self, bool keep, int32_t select_pid)
{
	struct fs_timeline_opts o = { .on_event = on_event, .ctx = self,
				      .keep = keep };

	self->now = 1000;
	if (fs_model_init(&self->m, select_pid))
		return -1;
	self->tl = fs_timeline_new(&o);
	return self->tl ? 0 : -1;
}

FIXTURE_SETUP(tl)
{
	ASSERT_EQ(0, setup(self, false, 0));
}

FIXTURE_TEARDOWN(tl)
{
	fs_timeline_free(self->tl);
	fs_model_free(&self->m);
}

/* What a session does with a record: the model, then its consumer. */
static void feed(FIXTURE_DATA(tl) *self, const struct fs_hdr *rec)
{
	struct fs_note note;

	fs_model_apply(&self->m, rec, &note);
	fs_timeline_apply(self->tl, &self->m, rec, &note);
}

static void sync_(FIXTURE_DATA(tl) *self, uint32_t phase, uint32_t gen)
{
	struct fs_rec_sync s;

	synth_hdr(&s.hdr, FS_REC_SYNC, sizeof(s), 0, 0, 0, ++self->now, 0, "");
	s.phase = phase;
	s.generation = gen;
	feed(self, &s.hdr);
}

static void task_(FIXTURE_DATA(tl) *self, int pid, int tgid, int ppid,
		  uint64_t start, uint32_t flags, uint32_t status)
{
	struct fs_rec_task t;

	synth_hdr(&t.hdr, FS_REC_TASK, sizeof(t), pid, tgid, ppid, ++self->now,
		  start, "old");
	t.flags = flags;
	t.status = status;
	feed(self, &t.hdr);
}

/* A snapshot of init (1), a shell (100, start 10) and a zombie (150). */
static void snapshot(FIXTURE_DATA(tl) *self)
{
	sync_(self, FS_SYNC_BEGIN, 1);
	task_(self, 1, 1, 0, 1, 0, 0);
	task_(self, 100, 100, 1, 10, 0, 0);
	task_(self, 150, 150, 100, 15, FS_SNAP_ZOMBIE, 7 << 8);
	sync_(self, FS_SYNC_END, 1);
}

static void fork_(FIXTURE_DATA(tl) *self, int parent, int pid, int tgid,
		  uint64_t start)
{
	const struct fs_task *p = fs_proctab_get(&self->m.tab, parent);
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), parent, parent, 1,
		  ++self->now, p ? p->start_ns : 10, "sh");
	f.child_pid = pid;
	f.child_tgid = tgid;
	f.child_ppid = pid == tgid ? parent : 1;
	f.child_start_ns = start;
	f.flags = pid == tgid ? 0 : FS_FORK_THREAD;
	feed(self, &f.hdr);
}

static void exit_(FIXTURE_DATA(tl) *self, int pid, int tgid, uint64_t start,
		  uint32_t flags, uint32_t status)
{
	struct fs_rec_exit x;

	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), pid, tgid, 100, ++self->now,
		  start, "c");
	x.flags = flags;
	x.status = x.exit_code = status;
	x.heir = 1;
	feed(self, &x.hdr);
}

static void waited_(FIXTURE_DATA(tl) *self, int waiter, int pid,
		    uint32_t status)
{
	struct fs_rec_wait_result w;

	synth_hdr(&w.hdr, FS_REC_WAIT_RESULT, sizeof(w), waiter, waiter, 1,
		  ++self->now, 10, "sh");
	w.syscall = FS_WAIT_SYS_WAIT4;
	w.ret = w.pid = pid;
	w.status = status;
	w.flags = FS_WAITR_STATUS;
	feed(self, &w.hdr);
}

static const struct seen *last(FIXTURE_DATA(tl) *self, int back)
{
	return self->n > back ? &self->ev[self->n - 1 - back] : NULL;
}

static const struct fs_tl_task *find(FIXTURE_DATA(tl) *self, int pid)
{
	return fs_timeline_find(self->tl, pid);
}

TEST_F(tl, snapshot_tasks_begin_seen_and_its_zombie_is_dead_already)
{
	const struct fs_tl_task *t;

	snapshot(self);
	/* init, the shell, the zombie: by start; then the zombie's death. */
	ASSERT_EQ(4, self->n);
	EXPECT_EQ(FS_TL_BEGIN, self->ev[0].kind);
	EXPECT_EQ(1, self->ev[0].pid);
	EXPECT_EQ(100, self->ev[1].pid);
	EXPECT_EQ(150, self->ev[2].pid);
	EXPECT_TRUE(self->ev[2].flags & FS_TL_DEAD);
	EXPECT_EQ(FS_TL_DEATH, self->ev[3].kind);
	EXPECT_EQ(150, self->ev[3].pid);
	t = find(self, 150);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(FS_TL_SEEN | FS_TL_EXITED | FS_TL_EXIT_UNKNOWN | FS_TL_DEAD,
		  t->flags);
	EXPECT_EQ(7 << 8, t->status);
	EXPECT_EQ(100, t->ppid);
	EXPECT_EQ(15, t->start_ns);
	/* Seen at the snapshot's end, not at the kernel's start time. */
	EXPECT_EQ(self->now, t->begin_ns);
	EXPECT_EQ(3, fs_timeline_stats(self->tl)->live);
}

TEST_F(tl, a_forked_child_lives_dies_and_is_reaped_by_its_parent)
{
	const struct fs_tl_task *c;
	struct synth_exec x;
	uint64_t fork_ts, exit_ts;

	snapshot(self);
	self->n = 0;
	fork_(self, 100, 200, 200, 500);
	fork_ts = self->now;
	ASSERT_EQ(1, self->n);
	EXPECT_EQ(FS_TL_BEGIN, self->ev[0].kind);
	EXPECT_EQ(200, self->ev[0].pid);
	EXPECT_EQ(100, self->ev[0].other);	/* the forking parent */
	c = find(self, 200);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(FS_TL_BORN, c->flags);
	EXPECT_EQ(fork_ts, c->begin_ns);
	EXPECT_EQ(500, c->start_ns);
	EXPECT_EQ(100, c->ppid);
	EXPECT_EQ(100, c->forker);
	EXPECT_EQ(1, find(self, 100)->nr_forks);

	synth_exec(&x, 200, 200, 100, ++self->now, 500, "true", 200,
		   "/bin/true", "/bin/true\0a\0b c", 15);
	feed(self, &x.r.hdr);
	EXPECT_EQ(FS_TL_EXEC, last(self, 0)->kind);
	ASSERT_EQ(1, c->nr_execs);
	EXPECT_STREQ("/bin/true", c->execs[0].filename);
	EXPECT_EQ(3, c->execs[0].argc);
	EXPECT_STREQ("b c", c->execs[0].argv + 12);
	EXPECT_STREQ("true", c->comm);
	EXPECT_STREQ("sh", c->first_comm);
	EXPECT_EQ(3, self->argc);

	exit_(self, 200, 200, 500, FS_EXIT_GROUP_DEAD, 3 << 8);
	exit_ts = self->now;
	EXPECT_EQ(FS_TL_EXIT, last(self, 1)->kind);
	/* Told with the whole record applied: the process is dead. */
	EXPECT_TRUE(last(self, 1)->flags & FS_TL_DEAD);
	EXPECT_EQ(FS_TL_DEATH, last(self, 0)->kind);
	EXPECT_EQ(exit_ts, c->dead_ns);
	EXPECT_EQ(3 << 8, c->status);

	self->now += 100;	/* a zombie for a while */
	waited_(self, 100, 200, 3 << 8);
	ASSERT_EQ(7, self->n);
	EXPECT_EQ(FS_TL_WAIT, last(self, 2)->kind);
	EXPECT_EQ(100, last(self, 2)->pid);
	EXPECT_EQ(200, last(self, 2)->other);
	EXPECT_EQ(FS_TL_REAP, last(self, 1)->kind);
	EXPECT_EQ(200, last(self, 1)->pid);
	EXPECT_EQ(100, last(self, 1)->other);	/* the reaper */
	EXPECT_EQ(FS_TL_END, last(self, 0)->kind);
	/* Streaming: the child is gone once its story is told. */
	EXPECT_EQ(NULL, find(self, 200));
	ASSERT_EQ(1, find(self, 100)->nr_waits);
	EXPECT_TRUE(find(self, 100)->waits[0].reaped);
	EXPECT_EQ(3 << 8, find(self, 100)->waits[0].status);
}

TEST(kept_tasks_tell_the_whole_story_at_the_end)
{
	struct fs_timeline_opts o = { .keep = true };
	struct fs_timeline *tl = fs_timeline_new(&o);
	struct fs_note note;
	struct fs_model m;
	struct fs_rec_fork f;
	struct fs_rec_exit x;
	struct fs_rec_wait_result w;
	const struct fs_tl_task *t;
	int n = 0;

	ASSERT_NE(NULL, tl);
	ASSERT_EQ(0, fs_model_init(&m, 0));
	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 100, 100, 1, 10, 5, "sh");
	f.child_pid = f.child_tgid = 200;
	f.child_ppid = 100;
	f.child_start_ns = 9;
	fs_model_apply(&m, &f.hdr, &note);
	fs_timeline_apply(tl, &m, &f.hdr, &note);
	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), 200, 200, 100, 20, 9, "sh");
	x.flags = FS_EXIT_GROUP_DEAD;
	x.status = SIGKILL;
	fs_model_apply(&m, &x.hdr, &note);
	fs_timeline_apply(tl, &m, &x.hdr, &note);
	synth_hdr(&w.hdr, FS_REC_WAIT_RESULT, sizeof(w), 100, 100, 1, 50, 5,
		  "sh");
	w.ret = w.pid = 200;
	w.status = SIGKILL;
	w.flags = FS_WAITR_STATUS;
	fs_model_apply(&m, &w.hdr, &note);
	fs_timeline_apply(tl, &m, &w.hdr, &note);
	fs_timeline_finish(tl, 60);

	/* The parent was seen by its first record; the child born. */
	for (t = fs_timeline_first(tl); t; t = t->next, n++) {
		if (t->pid != 200)
			continue;
		EXPECT_EQ(FS_TL_BORN | FS_TL_EXITED | FS_TL_DEAD | FS_TL_REAPED,
			  t->flags & ~(1U << 31));
		EXPECT_EQ(10, t->begin_ns);
		EXPECT_EQ(20, t->dead_ns);
		EXPECT_EQ(50, t->reap_ns);
		EXPECT_EQ(FS_RELEASE_WAIT, t->released);
		EXPECT_EQ(100, t->reaper);
		EXPECT_STREQ("sh", t->reaper_comm);
		EXPECT_EQ(SIGKILL, t->status);
	}
	EXPECT_EQ(2, n);
	EXPECT_EQ(2, fs_timeline_stats(tl)->tasks);
	EXPECT_EQ(0, fs_timeline_stats(tl)->live);
	EXPECT_EQ(60, fs_timeline_stats(tl)->end_ns);
	fs_timeline_free(tl);
	fs_model_free(&m);
}

TEST_F(tl, an_autoreaped_thread_exits_already_released)
{
	const struct fs_tl_task *t;

	snapshot(self);
	fork_(self, 100, 101, 100, 600);
	t = find(self, 101);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(FS_TL_BORN | FS_TL_THREAD, t->flags);
	self->n = 0;
	exit_(self, 101, 100, 600, FS_EXIT_THREAD | FS_EXIT_AUTOREAP, 0);
	ASSERT_EQ(3, self->n);
	EXPECT_EQ(FS_TL_EXIT, self->ev[0].kind);
	EXPECT_TRUE(self->ev[0].flags & FS_TL_REAPED);
	EXPECT_EQ(FS_TL_REAP, self->ev[1].kind);
	EXPECT_EQ(0, self->ev[1].other);	/* nobody waited */
	EXPECT_EQ(FS_TL_END, self->ev[2].kind);
	EXPECT_EQ(NULL, find(self, 101));
	/* A thread's exit is not its process's death. */
	EXPECT_FALSE(find(self, 100)->flags & FS_TL_DEAD);
}

TEST_F(tl, a_threads_exec_ends_the_thread_and_the_process_goes_on)
{
	struct synth_exec e;

	snapshot(self);
	fork_(self, 100, 300, 300, 700);
	fork_(self, 300, 301, 300, 701);
	/* The leader is killed by de_thread(), then the thread takes over. */
	exit_(self, 300, 300, 700, 0, SIGKILL);
	self->n = 0;
	synth_exec(&e, 300, 300, 100, ++self->now, 700, "new", 301, "/bin/new",
		   "new", 4);
	feed(self, &e.r.hdr);
	ASSERT_EQ(3, self->n);
	EXPECT_EQ(FS_TL_EXEC, self->ev[0].kind);
	EXPECT_EQ(300, self->ev[0].pid);
	EXPECT_EQ(FS_TL_REAP, self->ev[1].kind);
	EXPECT_EQ(301, self->ev[1].pid);
	EXPECT_EQ(FS_TL_END, self->ev[2].kind);
	EXPECT_FALSE(find(self, 300)->flags & FS_TL_EXITED);
	EXPECT_STREQ("new", find(self, 300)->comm);
	EXPECT_EQ(NULL, find(self, 301));
}

TEST_F(tl, failed_execs_and_forks_are_kept_with_their_errno)
{
	struct synth_exec e;
	struct fs_rec_fork_fail f;
	const struct fs_tl_task *t;

	snapshot(self);
	synth_exec(&e, 100, 100, 1, ++self->now, 10, "old", 0, "/nope",
		   "/nope\0x", 7);
	e.r.hdr.type = FS_REC_EXEC_FAIL;
	((struct fs_rec_exec_fail *)&e.r)->err = ENOENT;
	feed(self, &e.r.hdr);
	t = find(self, 100);
	ASSERT_EQ(1, t->nr_execs);
	EXPECT_EQ(ENOENT, t->execs[0].err);
	EXPECT_STREQ("/nope", t->execs[0].filename);
	EXPECT_EQ(2, t->execs[0].argc);
	EXPECT_STREQ("old", t->comm);	/* the old program goes on */
	EXPECT_FALSE(t->flags & FS_TL_EXECED);
	EXPECT_EQ(ENOENT, self->exec_err);

	synth_hdr(&f.hdr, FS_REC_FORK_FAIL, sizeof(f), 100, 100, 1, ++self->now,
		  10, "old");
	f.err = EAGAIN;
	f.flags = FS_FFAIL_PRIVILEGED;
	f.syscall = FS_FORK_SYS_CLONE;
	f.pids_cgroup = 5;
	f.pids_current = f.pids_max = 10;
	feed(self, &f.hdr);
	ASSERT_EQ(1, t->nr_fork_fails);
	EXPECT_EQ(EAGAIN, t->fork_fails[0].err);
	EXPECT_EQ(FS_LIMIT_PIDS_CGROUP, t->fork_fails[0].limit);
	EXPECT_EQ(FS_TL_FORK_FAIL, last(self, 0)->kind);
}

TEST_F(tl, a_task_keeps_its_first_waits_and_counts_the_rest)
{
	const struct fs_tl_task *t;

	snapshot(self);
	self->n = 0;
	for (int i = 0; i < FS_TL_MAX_WAITS + 8; i++)
		waited_(self, 100, 0, 0);	/* WNOHANG: nothing ready */
	t = find(self, 100);
	EXPECT_EQ(FS_TL_MAX_WAITS, t->nr_waits);
	EXPECT_EQ(8, t->dropped.waits);
	EXPECT_EQ(8, fs_timeline_stats(self->tl)->dropped);
	/* A streaming consumer still saw every one. */
	EXPECT_EQ(FS_TL_MAX_WAITS + 8, self->n);
}

TEST_F(tl, cow_samples_are_a_process_series_ending_at_its_death)
{
	struct fs_rec_cow c;
	struct fs_rec_exit x;
	const struct fs_tl_task *t;

	snapshot(self);
	fork_(self, 100, 400, 400, 800);
	for (int i = 1; i <= 3; i++) {
		synth_hdr(&c.hdr, FS_REC_COW, sizeof(c), 400, 400, 100,
			  ++self->now, 800, "c");
		c.faults = 10 * i;
		c.method = FS_COW_WP_FAULTS;
		feed(self, &c.hdr);
	}
	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), 400, 400, 100, ++self->now,
		  800, "c");
	x.flags = FS_EXIT_GROUP_DEAD;
	x.cow_faults = 42;
	feed(self, &x.hdr);
	t = find(self, 400);
	ASSERT_EQ(4, t->nr_cow);
	EXPECT_EQ(20, t->cow[1].faults);
	EXPECT_EQ(42, t->cow[3].faults);
	EXPECT_EQ(self->now, t->cow[3].ts);
	EXPECT_EQ(4, fs_timeline_stats(self->tl)->cow_samples);
}

TEST_F(tl, a_resync_ends_the_tasks_that_died_unseen)
{
	struct fs_rec_lost l;
	const struct fs_tl_task *t;

	snapshot(self);
	fork_(self, 100, 500, 500, 900);
	synth_hdr(&l.hdr, FS_REC_LOST, sizeof(l), 0, 0, 0, ++self->now, 0, "");
	l.count = 3;
	l.reason = FS_LOST_RINGBUF;
	feed(self, &l.hdr);
	self->n = 0;
	/* 500 died and was reaped unseen; 501 was born unseen. */
	sync_(self, FS_SYNC_BEGIN, 2);
	task_(self, 1, 1, 0, 1, 0, 0);
	task_(self, 100, 100, 1, 10, 0, 0);
	task_(self, 150, 150, 100, 15, FS_SNAP_ZOMBIE, 7 << 8);
	task_(self, 501, 501, 100, 950, 0, 0);
	sync_(self, FS_SYNC_END, 2);
	ASSERT_EQ(2, self->n);
	EXPECT_EQ(FS_TL_END, self->ev[0].kind);
	EXPECT_EQ(500, self->ev[0].pid);
	EXPECT_TRUE(self->ev[0].flags & FS_TL_VANISHED);
	EXPECT_EQ(FS_TL_BEGIN, self->ev[1].kind);
	EXPECT_EQ(501, self->ev[1].pid);
	t = find(self, 501);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(FS_TL_SEEN, t->flags);
	EXPECT_EQ(1, fs_timeline_stats(self->tl)->vanished);
}

TEST_F(tl, pid_reuse_ends_the_old_task_and_begins_the_new)
{
	snapshot(self);
	fork_(self, 100, 600, 600, 1000);
	/* Reaped unseen (no records lost: a free never delivered)... */
	self->n = 0;
	fork_(self, 100, 600, 600, 2000);
	ASSERT_EQ(2, self->n);
	EXPECT_EQ(FS_TL_END, self->ev[0].kind);
	EXPECT_EQ(FS_TL_BEGIN, self->ev[1].kind);
	EXPECT_EQ(2000, find(self, 600)->start_ns);
	EXPECT_NE(self->ev[0].flags, self->ev[1].flags);
}

TEST_F(tl, only_the_selected_subtree_is_kept)
{
	fs_timeline_free(self->tl);
	fs_model_free(&self->m);
	ASSERT_EQ(0, setup(self, false, 100));
	snapshot(self);
	/* 100 and its zombie child; not init. */
	EXPECT_EQ(NULL, find(self, 1));
	EXPECT_NE(NULL, find(self, 100));
	EXPECT_NE(NULL, find(self, 150));
	fork_(self, 1, 700, 700, 3000);
	EXPECT_EQ(NULL, find(self, 700));
	fork_(self, 100, 701, 701, 3001);
	EXPECT_NE(NULL, find(self, 701));
}

TEST_F(tl, finishing_ends_every_task_still_there)
{
	snapshot(self);
	self->n = 0;
	fs_timeline_finish(self->tl, 5000);
	EXPECT_EQ(3, self->n);
	for (int i = 0; i < self->n; i++) {
		EXPECT_EQ(FS_TL_END, self->ev[i].kind);
		EXPECT_EQ(5000, self->ev[i].ts);
	}
	EXPECT_EQ(0, fs_timeline_stats(self->tl)->live);
	EXPECT_EQ(NULL, fs_timeline_first(self->tl));
	/* Streaming: nothing is held once every task ended. */
	EXPECT_EQ(0, fs_timeline_stats(self->tl)->bytes);
}

/* The timeline's pid index deletes: every other id survives churn. */
TEST(idmap_deletes_keep_the_others_reachable)
{
	struct fs_idmap m = {};
	bool added;

	for (int round = 0; round < 3; round++) {
		for (uint64_t id = 1; id <= 5000; id++)
			ASSERT_NE(NULL, fs_idmap_put(&m, id * 7919, &added));
		for (uint64_t id = 1; id <= 5000; id += 2)
			fs_idmap_del(&m, id * 7919);
		EXPECT_EQ(2500, m.count);
		for (uint64_t id = 1; id <= 5000; id++)
			EXPECT_EQ(id % 2 == 0,
				  fs_idmap_get(&m, id * 7919) != NULL);
		for (uint64_t id = 2; id <= 5000; id += 2)
			fs_idmap_del(&m, id * 7919);
		EXPECT_EQ(0, m.count);
	}
	fs_idmap_clear(&m, NULL);
}

TEST_HARNESS_MAIN
