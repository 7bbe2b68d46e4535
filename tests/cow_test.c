// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copy-on-write accounting on real writes: a child writing N pages of an
 * inherited buffer is charged N (within 2%), a parent writing after fork
 * is charged its own writes, a process that never forks about nothing;
 * and `stat -- sh -c ...` counts the processes and execs it made exactly
 * and charges COW faults to them alone, its total their sum.
 */
#include <json-c/json.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "collect.h"

#define BUF_PAGES	16384		/* 64 MiB of 4 KiB pages */
#define CHILD_PAGES	8192
#define PARENT_PAGES	4096
#define NOISE_PAGES	64		/* stack, libc data: a handful */
#define TIMEOUT_MS	15000

FIXTURE(cow) {
	struct collect c;
	char *buf;
	size_t page;
};

FIXTURE_SETUP(cow)
{
	self->page = getpagesize();
	ASSERT_EQ(0, collect_open_with(&self->c, 0, true)) {
		TH_LOG("cannot open the BPF source: %s", fs_last_error());
	}
	TH_LOG("counting %s", fs_source_cow_method(self->c.src));
	self->buf = mmap(NULL, BUF_PAGES * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	/* Present before any fork, so a later write is a COW write. */
	memset(self->buf, 1, BUF_PAGES * self->page);
}

FIXTURE_TEARDOWN(cow)
{
	munmap(self->buf, BUF_PAGES * self->page);
	collect_close(&self->c);
}

static void write_pages(char *buf, size_t page, int n)
{
	for (int i = 0; i < n; i++)
		buf[(size_t)i * page] = 2;
}

static const struct fs_rec_exit *exit_of(struct collect *c, pid_t pid)
{
	return (const void *)collect_find(c, is_exit_of, pid);
}

/* |got - want| <= 2% of want */
#define EXPECT_WITHIN_2PCT(want, got) do {				\
	EXPECT_LE((want) * 98 / 100, (got));				\
	EXPECT_GE((want) * 102 / 100, (got));				\
} while (0)

TEST_F(cow, child_writing_inherited_pages_is_charged_for_them)
{
	const struct fs_rec_exit *x;
	pid_t kid = fork();
	int st;

	if (kid == 0) {
		write_pages(self->buf, self->page, CHILD_PAGES);
		_exit(0);
	}
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_TRUE(collect_until(&self->c, is_exit_of, kid, 1, TIMEOUT_MS));
	x = exit_of(&self->c, kid);
	TH_LOG("child wrote %d pages, charged %llu faults, %llu copies",
	       CHILD_PAGES, (unsigned long long)x->cow_faults,
	       (unsigned long long)x->cow_copies);
	EXPECT_WITHIN_2PCT((uint64_t)CHILD_PAGES, x->cow_faults);
	/* The parent still maps every page: each write made a copy. */
	if (fs_source_cow_copies(self->c.src)) {
		EXPECT_WITHIN_2PCT((uint64_t)CHILD_PAGES, x->cow_copies);
	} else {
		EXPECT_EQ(0, x->cow_copies);
	}
	EXPECT_EQ(0, self->c.lost);
}

TEST_F(cow, parent_writing_after_fork_is_charged_its_own)
{
	const struct fs_rec_exit *px, *cx;
	int go[2], pfd[2], st;
	pid_t mid, kid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(pfd));
	mid = fork();
	if (mid == 0) {
		char c;

		kid = fork();
		if (kid == 0) {
			read(go[0], &c, 1);	/* hold the pages shared */
			_exit(0);
		}
		write(pfd[1], &kid, sizeof(kid));
		write_pages(self->buf, self->page, PARENT_PAGES);
		write(go[1], "g", 1);
		waitpid(kid, NULL, 0);
		_exit(0);
	}
	ASSERT_EQ(sizeof(kid), read(pfd[0], &kid, sizeof(kid)));
	ASSERT_EQ(mid, waitpid(mid, &st, 0));
	ASSERT_TRUE(collect_until(&self->c, is_exit_of, mid, 1, TIMEOUT_MS));
	px = exit_of(&self->c, mid);
	cx = exit_of(&self->c, kid);
	ASSERT_NE(NULL, cx);
	TH_LOG("parent wrote %d pages, charged %llu; its idle child %llu",
	       PARENT_PAGES, (unsigned long long)px->cow_faults,
	       (unsigned long long)cx->cow_faults);
	/* Its own writes, and the pages it shares with the test process. */
	EXPECT_WITHIN_2PCT((uint64_t)PARENT_PAGES, px->cow_faults);
	EXPECT_GT(NOISE_PAGES, cx->cow_faults);
}

TEST_F(cow, a_process_that_never_forks_is_charged_about_nothing)
{
	const struct fs_rec_exit *x;
	pid_t kid = fork();
	int st;

	if (kid == 0) {
		/* Fresh memory: first touches are not COW faults. */
		char *mem = mmap(NULL, BUF_PAGES * self->page,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED)
			_exit(1);
		write_pages(mem, self->page, BUF_PAGES);
		_exit(0);
	}
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_TRUE(collect_until(&self->c, is_exit_of, kid, 1, TIMEOUT_MS));
	x = exit_of(&self->c, kid);
	TH_LOG("wrote %d fresh pages, charged %llu", BUF_PAGES,
	       (unsigned long long)x->cow_faults);
	EXPECT_GT(NOISE_PAGES, x->cow_faults);
}

static bool is_cow_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_COW && r->tgid == pid;
}

TEST_F(cow, live_samples_count_a_running_process)
{
	const struct fs_rec_cow *c;
	int go[2], ready[2], st;
	pid_t kid;
	char ch;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	kid = fork();
	if (kid == 0) {
		write_pages(self->buf, self->page, CHILD_PAGES);
		/* After its faults: a sample names the process as it is. */
		prctl(PR_SET_NAME, "cow-renamed");
		write(ready[1], "r", 1);
		read(go[0], &ch, 1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &ch, 1));
	ASSERT_LE(1, fs_source_cow_sample(self->c.src));
	ASSERT_EQ(1, collect_count(&self->c, is_cow_of, kid));
	c = (const void *)collect_find(&self->c, is_cow_of, kid);
	EXPECT_WITHIN_2PCT((uint64_t)CHILD_PAGES, c->faults);
	EXPECT_EQ(fs_source_cow_kind(self->c.src), c->method);
	EXPECT_STREQ("cow-renamed", c->hdr.comm);
	EXPECT_EQ(kid, c->hdr.pid);
	EXPECT_EQ(getpid(), c->hdr.ppid);
	write(go[1], "g", 1);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
}

static int64_t jint(struct json_object *o, const char *path)
{
	struct json_object *v = o;
	char key[64], *save = NULL;

	snprintf(key, sizeof(key), "%s", path);
	for (char *k = strtok_r(key, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(v, k, &v))
			return -1;
	return json_object_get_int64(v);
}

/*
 * The COW part of stat's report on sh -c '...; /bin/true & wait; ...':
 * charged to the command's four processes only, adding up to the total.
 * sh fork()s the background child (the others are vforked): both then
 * write stack pages the fork write-protected, so each is charged. Four
 * small programs stay under NOISE_PAGES each.
 */
static void expect_cow_of_sh(struct __test_metadata *_metadata,
			     struct json_object *o)
{
	struct json_object *procs;
	int64_t sum = 0, sh = 0, true_max = 0;
	size_t n;

	ASSERT_TRUE(json_object_object_get_ex(o, "cow", &o));
	ASSERT_TRUE(json_object_object_get_ex(o, "per_process", &procs));
	n = json_object_array_length(procs);
	EXPECT_GE(4, n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(procs, i), *c;
		int64_t faults = jint(p, "faults");
		const char *comm;

		ASSERT_TRUE(json_object_object_get_ex(p, "comm", &c));
		comm = json_object_get_string(c);
		EXPECT_TRUE(!strcmp(comm, "sh") || !strcmp(comm, "true")) {
			TH_LOG("charged to %s, outside the command", comm);
		}
		if (!strcmp(comm, "sh"))
			sh = faults;
		else if (faults > true_max)
			true_max = faults;
		sum += faults;
	}
	EXPECT_EQ(jint(o, "faults"), sum);
	EXPECT_LE(1, sh);
	EXPECT_LE(1, true_max);
	EXPECT_GT(4 * NOISE_PAGES, jint(o, "faults"));
}

TEST(stat_counts_processes_and_execs_exactly)
{
	const char *args[] = { "stat", "-j", "-o", "/tmp/forkscope-stat.json",
			       "--", "/bin/sh", "-c",
			       "/bin/true; /bin/true; /bin/true & wait; exit 3",
			       NULL };
	struct json_object *o;
	struct run r;

	ASSERT_EQ(0, start(&r, args, -1));
	EXPECT_EQ(3, finish(&r));	/* the command's own status */
	release(&r);
	o = json_object_from_file("/tmp/forkscope-stat.json");
	ASSERT_NE(NULL, o);
	/* sh, and three children each exec'ing /bin/true */
	EXPECT_EQ(4, jint(o, "processes"));
	EXPECT_EQ(0, jint(o, "threads"));
	EXPECT_EQ(4, jint(o, "execs"));
	EXPECT_EQ(1, jint(o, "execs_by_binary./bin/sh"));
	EXPECT_EQ(3, jint(o, "execs_by_binary./bin/true"));
	EXPECT_EQ(3, jint(o, "exit_statuses.exit 0"));
	EXPECT_EQ(1, jint(o, "exit_statuses.exit 3"));
	EXPECT_EQ(3, jint(o, "status.code"));
	EXPECT_EQ(0, jint(o, "zombies_left"));
	EXPECT_EQ(3, jint(o, "fork_to_exec.count"));
	expect_cow_of_sh(_metadata, o);
	json_object_put(o);
	unlink("/tmp/forkscope-stat.json");
}

TEST(stat_reports_a_command_that_cannot_run)
{
	const char *args[] = { "stat", "--", "/nonexistent/cmd", NULL };
	struct run r;

	ASSERT_EQ(0, start(&r, args, -1));
	EXPECT_EQ(127, finish(&r));
	release(&r);
}

TEST_HARNESS_MAIN
