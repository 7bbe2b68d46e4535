// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recordings on real kernel events. A command that keeps a recording of
 * what it watched (--record) and the same command reading it back (-i)
 * print the same bytes: trace, stat, tree and zombies, as JSON. record -o
 * keeps a workload that --at then shows at two moments; a recorder killed
 * by SIGKILL leaves a file read up to its last block, which says it was
 * cut; --rotate starts a file anew that reads on its own and keeps no
 * more than asked.
 *
 * The workload: a parent held on a pipe until the watch began, which
 * forks A (execs /bin/true x y), B (exits 3) and C (exits 0), reaps A and
 * B at once, C 300 ms later, then exits; it tells the test their pids.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "json_get.h"

#define C_ZOMBIE_MS	300

struct workload {
	pid_t parent, a, b, c;
	int go;			/* write a byte: it runs */
	int pids;		/* it writes a, b, c here */
};

static void workload_body(int go, int pids)
{
	pid_t kid[3];
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);
	kid[0] = fork();
	if (!kid[0]) {
		execl("/bin/true", "true", "x", "y", (char *)NULL);
		_exit(127);
	}
	kid[1] = fork();
	if (!kid[1])
		_exit(3);
	kid[2] = fork();
	if (!kid[2])
		_exit(0);
	if (write(pids, kid, sizeof(kid)) != sizeof(kid))
		_exit(1);
	waitpid(kid[0], NULL, 0);
	waitpid(kid[1], NULL, 0);
	usleep(C_ZOMBIE_MS * 1000);
	waitpid(kid[2], NULL, 0);
	_exit(0);
}

static int workload_start(struct workload *w)
{
	int go[2], pids[2];

	if (pipe(go) || pipe(pids))
		return -1;
	w->parent = fork();
	if (w->parent < 0)
		return -1;
	if (!w->parent) {
		close(go[1]);
		close(pids[0]);
		workload_body(go[0], pids[1]);
	}
	close(go[0]);
	close(pids[1]);
	w->go = go[1];
	w->pids = pids[0];
	return 0;
}

/* Lets it run to its end; the test reaps it. */
static int workload_run(struct workload *w)
{
	pid_t kid[3];
	int st;

	if (write(w->go, "g", 1) != 1 ||
	    read(w->pids, kid, sizeof(kid)) != sizeof(kid))
		return -1;
	w->a = kid[0];
	w->b = kid[1];
	w->c = kid[2];
	close(w->go);
	close(w->pids);
	if (waitpid(w->parent, &st, 0) != w->parent || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return -1;
	return 0;
}

/* A command run to its end: exit status, stdout and stderr. */
struct done {
	int status;
	char *out, *err;
};

static struct done run_all(const char *const args[])
{
	struct done d = { .out = NULL, .err = NULL };

	d.status = run_to_end(args, &d.out, &d.err);
	return d;
}

static void done_free(struct done *d)
{
	free(d->out);
	free(d->err);
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/forkscope-record-test-%d-%s", getpid(), name);
}

/* The lines of text holding every needle; count. */
static int lines_with(const char *text, const char *n1, const char *n2)
{
	int count = 0;

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, len);

		count += strstr(line, n1) && (!n2 || strstr(line, n2));
		free(line);
		l = nl ? nl + 1 : NULL;
	}
	return count;
}

/* The first line of s, in buf. */
static const char *first_line(char *buf, size_t len, const char *s)
{
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
	return buf;
}

FIXTURE(rec) {
	char file[128];
	struct workload w;
};

FIXTURE_SETUP(rec)
{
	tmp_path(self->file, sizeof(self->file), "a.fsr");
	unlink(self->file);
	ASSERT_EQ(0, workload_start(&self->w));
}

FIXTURE_TEARDOWN(rec)
{
	char part[160];

	if (self->w.parent > 0 && !kill(self->w.parent, SIGKILL))
		waitpid(self->w.parent, NULL, 0);
	unlink(self->file);
	for (int i = 1; i <= 3; i++) {
		snprintf(part, sizeof(part), "%s.%d", self->file, i);
		unlink(part);
	}
}

/* trace --json --record, then trace -i: the same lines, byte for byte. */
TEST_F(rec, trace_reads_back_what_it_showed)
{
	char pid[16], needle[64];
	struct run r;
	struct done d;
	char *live;

	snprintf(pid, sizeof(pid), "%d", self->w.parent);
	ASSERT_EQ(0, start_trace(&r, (const char *[]){ "trace", "--json",
		  "-p", pid, "--record", self->file, NULL }));
	ASSERT_EQ(0, wait_polling(&r));
	ASSERT_EQ(0, workload_run(&self->w));
	/* Our reap of the parent is the last of it. */
	snprintf(needle, sizeof(needle), "\"event\":\"reap\",");
	snprintf(needle, sizeof(needle), "\"pid\":%d,\"tid\":%d,\"ppid\":%d",
		 self->w.parent, self->w.parent, getpid());
	for (int i = 0; i < 500; i++) {
		char *out = slurp(r.out);
		int n = lines_with(out, "\"event\":\"reap\"", needle);

		free(out);
		if (n)
			break;
		usleep(10000);
	}
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	live = slurp(r.out);
	release(&r);
	self->w.parent = 0;

	/* What it was: A's exec with its argv, B's exit 3, four reaps. */
	snprintf(needle, sizeof(needle), "\"pid\":%d,", self->w.a);
	EXPECT_EQ(1, lines_with(live, "\"event\":\"exec\"", needle));
	EXPECT_EQ(1, lines_with(live, "\"event\":\"exec\"", "\"x\",\"y\""));
	snprintf(needle, sizeof(needle), "\"pid\":%d,", self->w.b);
	EXPECT_EQ(1, lines_with(live, "\"event\":\"exit\"", needle));
	EXPECT_EQ(1, lines_with(live, "\"event\":\"exit\"", "\"code\":3}"));
	EXPECT_EQ(4, lines_with(live, "\"event\":\"reap\"", NULL));
	EXPECT_EQ(3, lines_with(live, "\"event\":\"fork\"", NULL));

	d = run_all((const char *[]){ "trace", "-i", self->file, "--json",
				      NULL });
	EXPECT_EQ(0, d.status);
	EXPECT_STREQ(live, d.out);
	EXPECT_NE(NULL, strstr(d.err, "forkscope: reading "));
	free(live);
	done_free(&d);
}

/* stat --record, then stat -i: the same report, the command's status. */
TEST_F(rec, stat_reads_back_its_report)
{
	char a[2048], b[2048];
	struct done live, again;

	live = run_all((const char *[]){ "stat", "-j", "--record", self->file,
		"--", "/bin/sh", "-c",
		"/bin/true x; (exit 3); sleep 0.2 & exit 5", NULL });
	ASSERT_EQ(5, live.status);
	again = run_all((const char *[]){ "stat", "-j", "-i", self->file,
					  NULL });
	EXPECT_EQ(5, again.status);
	first_line(a, sizeof(a), live.err);
	first_line(b, sizeof(b), again.err);
	EXPECT_STREQ(a, b);
	/* sleep is where PATH finds it (a guest's busybox: itself). */
	EXPECT_NE(NULL, strstr(a, "\"execs\":3,\"execs_by_binary\":{\"/bin/sh\":1,\"/bin/true\":1,\""))
		TH_LOG("%s", a);
	/* What record says it kept is stat's second line. */
	EXPECT_NE(NULL, strstr(live.err, "forkscope: recorded "));
	done_free(&live);
	done_free(&again);
}

/* A parent that never reaps: zombies and tree, live and read back. */
TEST_F(rec, zombies_and_tree_read_back_the_same)
{
	char pid[16];
	struct done live, again;
	pid_t z;

	/* The workload's parent stays held: fork a leaker of our own. */
	z = fork();
	ASSERT_LE(0, z);
	if (!z) {
		if (!fork())
			_exit(7);
		pause();
		_exit(0);
	}
	snprintf(pid, sizeof(pid), "%d", z);
	usleep(100000);
	live = run_all((const char *[]){ "zombies", "--json", "-m", "0",
		"--record", self->file, NULL });
	again = run_all((const char *[]){ "zombies", "--json", "-m", "0",
		"-i", self->file, NULL });
	EXPECT_EQ(1, live.status);
	EXPECT_EQ(1, again.status);
	EXPECT_STREQ(live.out, again.out);
	EXPECT_EQ(1, lines_with(live.out, "\"verdict\":\"leaking\"", NULL));
	done_free(&live);
	done_free(&again);

	live = run_all((const char *[]){ "tree", "--json", "-p", pid,
		"--record", self->file, NULL });
	again = run_all((const char *[]){ "tree", "--json", "-i", self->file,
		NULL });
	EXPECT_EQ(0, live.status);
	EXPECT_EQ(0, again.status);
	EXPECT_STREQ(live.out, again.out);
	EXPECT_NE(NULL, strstr(live.out, "\"state\":\"zombie\""));
	done_free(&live);
	done_free(&again);
	kill(z, SIGKILL);
	waitpid(z, NULL, 0);
}

/* Local wall-clock time of a realtime ns stamp, as --at takes it. */
static void wall(char *buf, size_t len, int64_t real_ns)
{
	time_t secs = real_ns / 1000000000;
	struct tm tm;
	size_t n;

	localtime_r(&secs, &tm);
	n = strftime(buf, len, "%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06lld",
		 (long long)(real_ns % 1000000000 / 1000));
}

/* time_ns of the first line holding both needles; 0 when none. */
static int64_t time_of(const char *text, const char *n1, const char *n2)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		char *line = strndup(l, nl ? (size_t)(nl - l) : strlen(l));
		const char *t = strstr(line, n1) && strstr(line, n2) ?
				strstr(line, "\"time_ns\":") : NULL;
		int64_t v = t ? strtoll(t + 10, NULL, 10) : 0;

		free(line);
		if (v)
			return v;
		l = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* record -o FILE -p the workload, run to its end; r still records. */
static int record_workload(struct run *r, const char *file,
			   struct workload *w)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", w->parent);
	if (start(r, (const char *[]){ "record", "-o", file, "-p", pid, NULL },
		  -1) || wait_polling(r) || workload_run(w))
		return -1;
	w->parent = 0;
	return 0;
}

/* record -o keeps the workload; --at shows C a zombie, then gone. */
TEST_F(rec, tree_at_shows_each_moment)
{
	pid_t parent = self->w.parent;
	char cpid[32], at[64];
	int64_t exited, reaped;
	struct done d;
	struct run r;

	ASSERT_EQ(0, record_workload(&r, self->file, &self->w));
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	release(&r);

	d = run_all((const char *[]){ "trace", "-i", self->file, "--json",
				      NULL });
	ASSERT_EQ(0, d.status);
	snprintf(cpid, sizeof(cpid), "\"pid\":%d,", self->w.c);
	exited = time_of(d.out, "\"event\":\"exit\"", cpid);
	reaped = time_of(d.out, "\"event\":\"reap\"", cpid);
	done_free(&d);
	ASSERT_LT(0, exited);
	ASSERT_LT(exited + (C_ZOMBIE_MS - 50) * 1000000LL, reaped);

	snprintf(cpid, sizeof(cpid), "\"pid\":%d,\"ppid\":%d,", self->w.c,
		 parent);
	wall(at, sizeof(at), exited + (reaped - exited) / 2);
	d = run_all((const char *[]){ "tree", "-i", self->file, "--at", at,
				      "--json", NULL });
	EXPECT_EQ(0, d.status);
	EXPECT_EQ(1, lines_with(d.out, cpid, NULL));
	EXPECT_NE(NULL, strstr(strstr(d.out, cpid) ?: "", "\"state\":\"zombie\""));
	EXPECT_NE(NULL, strstr(d.out, "\"zombies\":1,"));
	done_free(&d);

	/*
	 * A moment is where the stream reaches it: records of two CPUs may
	 * be stamped a little out of their order in it. 5 ms past the reap;
	 * the parent may be a zombie by then, C is gone.
	 */
	wall(at, sizeof(at), reaped + 5000000);
	d = run_all((const char *[]){ "tree", "-i", self->file, "--at", at,
				      "--json", NULL });
	EXPECT_EQ(0, d.status);
	EXPECT_EQ(0, lines_with(d.out, cpid, NULL));
	done_free(&d);
}

/* Killed by SIGKILL: read to the last whole block, then told where. */
TEST_F(rec, a_killed_recording_reads_to_its_cut)
{
	char needle[32];
	struct done d = {};
	struct run r;

	ASSERT_EQ(0, record_workload(&r, self->file, &self->w));
	/* Until a block holding C's reap is in the file: a second or so. */
	snprintf(needle, sizeof(needle), "\"pid\":%d,", self->w.c);
	for (int i = 0; i < 100; i++) {
		d = run_all((const char *[]){ "trace", "-i", self->file,
					      "--json", NULL });
		if (lines_with(d.out, "\"event\":\"reap\"", needle))
			break;
		done_free(&d);
		d = (struct done){};
		usleep(50000);
	}
	done_free(&d);
	kill(r.pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, finish(&r));
	release(&r);

	d = run_all((const char *[]){ "trace", "-i", self->file, "--json",
				      NULL });
	EXPECT_EQ(1, d.status);
	EXPECT_EQ(1, lines_with(d.out, "\"event\":\"reap\"", needle));
	EXPECT_EQ(1, lines_with(d.err, "cut short", self->file));
	/* The summary, then one line saying why no more. */
	EXPECT_EQ(1, lines_with(d.out, "\"event\":\"summary\"", NULL));
	done_free(&d);
	d = run_all((const char *[]){ "tree", "-i", self->file, NULL });
	EXPECT_EQ(1, d.status);
	EXPECT_EQ(1, count_lines(d.err));
	EXPECT_EQ(1, lines_with(d.err, "cut short", NULL));
	done_free(&d);
}

/* Forks and reaps n children at once. */
static void storm(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (!p)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

static ino_t inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* --max-size 64K --rotate 1: FILE anew, FILE.1 the one before, no FILE.2. */
TEST_F(rec, rotation_keeps_parts_that_read_alone)
{
	char one[160], two[160], pid[16];
	ino_t first = 0;
	int rotations = 0;
	struct done d;
	struct run r;

	snprintf(one, sizeof(one), "%s.1", self->file);
	snprintf(two, sizeof(two), "%s.2", self->file);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, start(&r, (const char *[]){ "record", "-o", self->file,
		  "-p", pid, "--max-size", "64K", "--rotate", "1", NULL }, -1));
	ASSERT_EQ(0, wait_polling(&r));
	/* Storms until FILE.1 has been replaced once: two rotations. */
	for (int i = 0; i < 200 && rotations < 2; i++) {
		ino_t now;

		storm(200);
		now = inode(one);
		if (now && now != first) {
			rotations++;
			first = now;
		}
	}
	kill(r.pid, SIGINT);
	EXPECT_EQ(0, finish(&r));
	release(&r);
	ASSERT_EQ(2, rotations);
	EXPECT_EQ(0, inode(two));

	/* The part before reads alone: its own snapshot, a clean end. */
	d = run_all((const char *[]){ "stat", "-j", "-i", one, NULL });
	EXPECT_EQ(0, d.status);
	EXPECT_NE(NULL, strstr(d.err, "\"processes\":"));
	done_free(&d);
	d = run_all((const char *[]){ "tree", "-i", one, "-p", pid, NULL });
	EXPECT_EQ(0, d.status);
	EXPECT_EQ(0, count_lines(d.err));
	done_free(&d);
	d = run_all((const char *[]){ "trace", "-i", self->file, "--json",
				      NULL });
	EXPECT_EQ(0, d.status);
	done_free(&d);
}

/*
 * A full disk: record stops with one line saying so, and the file reads
 * up to its last whole block, its cut told.
 */
TEST(a_full_disk_stops_the_recording_and_leaves_it_readable)
{
	char dir[64], file[96], pid[16];
	struct done d;
	struct run r;
	char *err;
	int st = -1;

	snprintf(dir, sizeof(dir), "/tmp/forkscope-record-test-%d-full",
		 getpid());
	snprintf(file, sizeof(file), "%s/a.fsr", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, mount("forkscope-test", dir, "tmpfs", 0, "size=128k"))
		TH_LOG("mount tmpfs: %m");
	ASSERT_EQ(0, start(&r, (const char *[]){ "record", "-o", file, "-p",
		  pid, NULL }, -1));
	ASSERT_EQ(0, wait_polling(&r));
	/* Until the recorder gives up: a few thousand children. */
	for (int i = 0; i < 400; i++) {
		storm(100);
		if (waitpid(r.pid, &st, WNOHANG) == r.pid)
			break;
	}
	if (!WIFEXITED(st)) {
		kill(r.pid, SIGKILL);
		waitpid(r.pid, &st, 0);
	}
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(1, WEXITSTATUS(st));
	err = slurp(r.err);
	EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "No space left on device")) TH_LOG("%s", err);
	free(err);
	release(&r);

	d = run_all((const char *[]){ "stat", "-j", "-i", file, NULL });
	EXPECT_EQ(1, d.status);
	/* The report of what was kept, then where it was cut. */
	EXPECT_NE(NULL, strstr(d.err, "\"event\":\"stat\""));
	EXPECT_NE(NULL, strstr(d.err, "cut short")) TH_LOG("%s", d.err);
	EXPECT_LT(100, strtol(strstr(d.err, "\"processes\":") ?
			       strstr(d.err, "\"processes\":") + 12 : "0",
			       NULL, 10));
	done_free(&d);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

TEST(wrong_command_lines_are_told)
{
	static const struct {
		const char *args[8];
		int status;
		const char *says;
	} cases[] = {
		{ { "record", NULL }, 2, "-o FILE is needed" },
		{ { "record", "-o", "/tmp/x.fsr", "--rotate", "2", NULL }, 2,
		  "--rotate needs --max-size" },
		{ { "record", "-o", "/tmp/x.fsr", "-p", "1", "--", "true",
		    NULL }, 2, "give one" },
		{ { "tree", "--at", "3", NULL }, 2, "give -i FILE too" },
		{ { "trace", "-i", "/nonexistent/x.fsr", NULL }, 1,
		  "cannot read /nonexistent/x.fsr" },
		{ { "trace", "-i", "/proc/version", NULL }, 1,
		  "not a forkscope recording" },
		{ { "stat", "-i", "/proc/version", "--", "true", NULL }, 2,
		  "no command to run" },
		{ { "record", "-o", "/nonexistent/x.fsr", "-d", "1", NULL }, 1,
		  "cannot create /nonexistent/x.fsr" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct done d = run_all(cases[i].args);

		EXPECT_EQ(cases[i].status, d.status)
			TH_LOG("%s %s: %s", cases[i].args[0],
			       cases[i].args[1], d.err);
		EXPECT_EQ(1, count_lines(d.err)) TH_LOG("%s", d.err);
		EXPECT_NE(NULL, strstr(d.err, cases[i].says))
			TH_LOG("%s", d.err);
		done_free(&d);
	}
}

TEST_HARNESS_MAIN
