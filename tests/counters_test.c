// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporter's in-kernel counters (forkscope/counters.h), from real
 * processes. The counters are the machine's, so other work on it adds to
 * them: each test checks them against the workload's own events as a
 * floor, and, with the stream on, against the records of the same
 * session, which see the same events: counters read before a full drain
 * of the ring can be no more than the records, and read after it no less.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "collect.h"
#include "decode.h"
#include "forkscope/rules.h"

#define N	20	/* of each kind of event */

static int open_counting(struct collect *c, uint32_t no_stream)
{
	struct fs_source_opts o = {
		.kind = FS_SOURCE_BPF,
		.counters = true,
		.no_stream = no_stream,
	};

	memset(c, 0, sizeof(*c));
	c->src = fs_source_open(&o, collect_record, c);
	return c->src ? 0 : -1;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* A child that does what = 0: exit, 1: exec true, 2: fail an exec. */
static int child(int what)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (what == 1)
			execl("/bin/true", "true", (char *)NULL);
		if (what == 2)
			execl("/nonexistent/forkscope", "x", (char *)NULL);
		_exit(what == 1 ? 127 : 0);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* One child killed by SIGKILL, never dumping core. */
static int killed_child(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) ? 0 : -1;
}

/* N of each: process forks, threads, execs, failed execs; one killed. */
static int workload(void)
{
	for (int i = 0; i < N; i++) {
		pthread_t t;

		if (child(0) || child(1) || child(2) ||
		    pthread_create(&t, NULL, thread_fn, NULL) ||
		    pthread_join(t, NULL))
			return -1;
	}
	return killed_child();
}

/* Which counter a record adds to; FS_CNT_MAX for none. */
static uint32_t counter_of(const struct fs_hdr *h)
{
	switch (h->type) {
	case FS_REC_FORK:
		return fs_fork_counter(((const struct fs_rec_fork *)h)->flags);
	case FS_REC_EXEC:
		return FS_CNT_EXEC;
	case FS_REC_EXIT: {
		const struct fs_rec_exit *r = (const void *)h;

		return r->flags & FS_EXIT_GROUP_DEAD ?
		       fs_exit_counter(r->status) : FS_CNT_MAX;
	}
	case FS_REC_FORK_FAIL:
		return fs_fork_fail_counter(
			((const struct fs_rec_fork_fail *)h)->err);
	case FS_REC_EXEC_FAIL:
		return fs_exec_fail_counter(
			((const struct fs_rec_exec_fail *)h)->err);
	default:
		return FS_CNT_MAX;
	}
}

/*
 * Delivers what was submitted before now: until a poll finds nothing, or
 * a record stamped DRAIN_PAST_NS after now is in (the ring hands records
 * over in the order they were reserved, each stamped as it was). Not
 * until the machine is quiet: other work may never let it be.
 */
#define DRAIN_PAST_NS	(10 * NSEC_PER_MSEC)

static void drain(struct collect *c)
{
	uint64_t now = fs_boot_ns();

	while (fs_source_poll(c->src, 100) > 0)
		if (c->n && c->recs[c->n - 1]->ts_ns > now + DRAIN_PAST_NS)
			break;
	fs_source_flush_losses(c->src);
}

TEST(counters_match_records)
{
	uint64_t before[FS_CNT_MAX], after[FS_CNT_MAX], recs[FS_CNT_MAX] = {};
	struct collect c;

	ASSERT_EQ(0, open_counting(&c, 0)) {
		TH_LOG("cannot open the source: %s", fs_last_error());
	}
	ASSERT_EQ(0, workload());
	ASSERT_EQ(0, fs_source_counters(c.src, before));
	drain(&c);
	ASSERT_EQ(0, fs_source_counters(c.src, after));
	ASSERT_NO_LOSS(&c);
	for (size_t i = 0; i < c.n; i++) {
		uint32_t k = counter_of(c.recs[i]);

		if (k < FS_CNT_MAX)
			recs[k]++;
	}
	for (int k = 0; k < FS_CNT_MAX; k++) {
		EXPECT_LE(before[k], recs[k]) TH_LOG("counter %d", k);
		EXPECT_LE(recs[k], after[k]) TH_LOG("counter %d", k);
	}
	EXPECT_LE(3 * N + 1, before[FS_CNT_FORK_PROCESS]);
	EXPECT_LE(N, before[FS_CNT_FORK_THREAD]);
	EXPECT_LE(N, before[FS_CNT_EXEC]);
	EXPECT_LE(N, before[FS_CNT_EXEC_FAIL_ENOENT]);
	EXPECT_LE(3 * N, before[FS_CNT_EXIT_EXITED]);
	EXPECT_LE(1, before[FS_CNT_EXIT_SIGNALED]);
	collect_close(&c);
}

/* With every record type left out, the counters alone see the events. */
TEST(counting_without_stream)
{
	uint64_t cnt[FS_CNT_MAX];
	struct collect c;

	ASSERT_EQ(0, open_counting(&c, ~0U)) {
		TH_LOG("cannot open the source: %s", fs_last_error());
	}
	ASSERT_EQ(0, workload());
	drain(&c);
	ASSERT_EQ(0, fs_source_counters(c.src, cnt));
	EXPECT_EQ(0, c.n);
	ASSERT_NO_LOSS(&c);
	EXPECT_LE(3 * N + 1, cnt[FS_CNT_FORK_PROCESS]);
	EXPECT_LE(N, cnt[FS_CNT_FORK_THREAD]);
	EXPECT_LE(N, cnt[FS_CNT_EXEC]);
	EXPECT_LE(N, cnt[FS_CNT_EXEC_FAIL_ENOENT]);
	EXPECT_LE(1, cnt[FS_CNT_EXIT_SIGNALED]);
	collect_close(&c);
}

/* Without counters asked for, there are none to read. */
TEST(no_counters_unless_asked)
{
	uint64_t cnt[FS_CNT_MAX];
	struct collect c;

	ASSERT_EQ(0, collect_open(&c));
	EXPECT_EQ(-ENOTSUP, fs_source_counters(c.src, cnt));
	collect_close(&c);
}

TEST_HARNESS_MAIN
