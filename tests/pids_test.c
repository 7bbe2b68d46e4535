// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope pids on real kernel counters: a pids cgroup of our own with a
 * small pids.max (v1 pids on hybrid hosts, v2 where cgroup2 has pids),
 * a process in it leaking zombies when told, and the budget, forecast
 * and exit status checked against what the test made.
 *
 * No timing luck: forkscope is stopped (SIGSTOP) while the zombies are
 * made, after its first reading and before its window can end, so they
 * fall inside its window whatever the machine's load; the forecast is
 * checked against the window forkscope reports and the test's own clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "cli.h"
#include "json_get.h"

#define PIDS_MAX	64
#define ZOMBIES0	10	/* made before forkscope starts */
#define ZOMBIES1	10	/* made inside its window */
#define WINDOW_S	3

FIXTURE(pids) {
	char dir[PATH_MAX];
	char path[64];		/* below the pids root */
	pid_t leaker;
	int cmd, done;		/* pipes to and from the leaker */
	struct run r;
	bool running;
};

/* n children that exit at once, each a zombie (waited WNOWAIT) on return. */
static int make_zombies(int n)
{
	for (int i = 0; i < n; i++) {
		siginfo_t si;
		pid_t z = fork();

		if (z == 0)
			_exit(0);
		if (z < 0 || waitid(P_PID, z, &si, WEXITED | WNOWAIT))
			return -1;
	}
	return 0;
}

/*
 * Joins the cgroup, leaks ZOMBIES0, says 'r'; then for each byte N read
 * leaks N more and says 'k'. Never reaps: its zombies go when it dies.
 */
static pid_t spawn_leaker(const char *dir, int cmd, int done)
{
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char n;

		if (write_file(dir, "cgroup.procs", "0") || make_zombies(ZOMBIES0))
			_exit(1);
		write(done, "r", 1);
		while (read(cmd, &n, 1) == 1) {
			if (make_zombies(n))
				_exit(2);
			write(done, "k", 1);
		}
		_exit(0);
	}
	return pid;
}

FIXTURE_SETUP(pids)
{
	const char *root = fs_cgroup_pids_root();
	int cmd[2], done[2];
	char c;

	self->leaker = -1;
	if (!root)
		SKIP(return, "no pids controller mounted");
	snprintf(self->path, sizeof(self->path), "/forkscope-pids-test-%d",
		 getpid());
	snprintf(self->dir, sizeof(self->dir), "%s%s", root, self->path);
	/* v2: the root must hand pids down (a guest's cgroup2). */
	if (!fs_cgroup_mounts()->pids_v1[0])
		write_file(root, "cgroup.subtree_control", "+pids");
	ASSERT_EQ(0, mkdir(self->dir, 0755)) TH_LOG("%s: %m", self->dir);
	ASSERT_EQ(0, write_file(self->dir, "pids.max", "64"));
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	self->leaker = spawn_leaker(self->dir, cmd[0], done[1]);
	close(cmd[0]);
	close(done[1]);
	self->cmd = cmd[1];
	self->done = done[0];
	ASSERT_LT(0, self->leaker);
	ASSERT_EQ(1, read(self->done, &c, 1)) TH_LOG("the leaker failed");
}

FIXTURE_TEARDOWN(pids)
{
	if (self->running) {
		kill(self->r.pid, SIGCONT);
		kill(self->r.pid, SIGKILL);
		finish(&self->r);
		release(&self->r);
	}
	if (self->leaker > 0) {
		kill(self->leaker, SIGKILL);
		waitpid(self->leaker, NULL, 0);
		close(self->cmd);
		close(self->done);
	}
	/* Its zombies died with it; the cgroup is empty. */
	if (self->dir[0])
		for (int i = 0; i < 100 && rmdir(self->dir) && errno == EBUSY; i++)
			usleep(10000);
}

static double get_double(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_double(v) : -1;
}

static bool get_bool(struct json_object *o, const char *key)
{
	return json_object_get_boolean(get(o, key));
}

/* The one cgroup row at path, or NULL. */
static struct json_object *row_of(struct json_object *rep, const char *path)
{
	struct json_object *cg = get(rep, "cgroups");

	for (size_t i = 0; cg && i < json_object_array_length(cg); i++) {
		struct json_object *r = json_object_array_get_idx(cg, i);

		if (!strcmp(json_object_get_string(get(r, "path")), path))
			return r;
	}
	return NULL;
}

/* Runs forkscope pids to its end; its JSON report, status in *st. */
static struct json_object *run_pids(FIXTURE_DATA(pids) *self,
				    const char *const args[], int *st)
{
	struct json_object *o;
	char *out;

	if (start(&self->r, args, -1))
		return NULL;
	self->running = true;
	*st = finish(&self->r);
	self->running = false;
	out = slurp(self->r.out);
	o = json_parse_deep(out);
	free(out);
	release(&self->r);
	return o;
}

TEST_F(pids, budget_counts_and_forecast_match_the_workload)
{
	char pid[16];
	const char *args[] = { "pids", "--json", "-d", "3", "--warn", "90",
			       "--horizon", "1h", "-p", pid, NULL };
	struct json_object *rep, *row, *mach;
	uint64_t t0, t1, window;
	unsigned char n = ZOMBIES1;
	double full, expect;
	char *out, c;
	int st;

	snprintf(pid, sizeof(pid), "%d", self->leaker);
	t0 = fs_boot_ns();
	ASSERT_EQ(0, start(&self->r, args, -1));
	self->running = true;
	/* Polling: its first reading is taken. Hold it while we leak. */
	ASSERT_EQ(0, wait_polling(&self->r));
	ASSERT_EQ(0, kill(self->r.pid, SIGSTOP));
	ASSERT_EQ(1, write(self->cmd, &n, 1));
	ASSERT_EQ(1, read(self->done, &c, 1));
	ASSERT_EQ(0, kill(self->r.pid, SIGCONT));
	st = finish(&self->r);
	self->running = false;
	t1 = fs_boot_ns();
	out = slurp(self->r.out);
	rep = json_parse_deep(out);
	ASSERT_NE(NULL, rep) TH_LOG("not JSON: %s", out);
	free(out);
	release(&self->r);

	window = get_int(rep, "window_ns");
	TH_LOG("window %.3f s", window / 1e9);
	EXPECT_LE(WINDOW_S * NSEC_PER_SEC, window);
	EXPECT_GE(t1 - t0, window);
	/* -p: only the leaker's cgroup. */
	EXPECT_EQ(1, json_object_array_length(get(rep, "cgroups")));
	row = row_of(rep, self->path);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(PIDS_MAX, get_int(row, "pids_max"));
	EXPECT_EQ(PIDS_MAX, get_int(row, "limit"));
	EXPECT_EQ(1 + ZOMBIES0 + ZOMBIES1, get_int(row, "used"));
	EXPECT_EQ(ZOMBIES0 + ZOMBIES1, get_int(row, "zombies"));
	EXPECT_EQ(1, get_int(row, "live"));
	EXPECT_EQ(0, get_int(row, "zombies_of_ns_init"));
	EXPECT_EQ(1 + ZOMBIES0, get_int(row, "used_at_start"));
	EXPECT_EQ(ZOMBIES0, get_int(row, "zombies_at_start"));
	EXPECT_EQ(PIDS_MAX - 1 - ZOMBIES0 - ZOMBIES1, get_int(row, "headroom"));
	EXPECT_EQ(0, get_int(row, "refused"));
	/* The forecast: the room left at the window's growth. */
	full = get_double(row, "full_in_s");
	expect = (PIDS_MAX - 1.0 - ZOMBIES0 - ZOMBIES1) * window / 1e9 /
		 ZOMBIES1;
	TH_LOG("full in %.1f s", full);
	EXPECT_GE(0.05, fabs(full - expect));
	EXPECT_LE((PIDS_MAX - 1 - ZOMBIES0 - ZOMBIES1) * WINDOW_S / ZOMBIES1,
		  full);
	EXPECT_GE((PIDS_MAX - 1.0 - ZOMBIES0 - ZOMBIES1) * (t1 - t0) / 1e9 /
		  ZOMBIES1, full);
	EXPECT_GE(0.005, fabs(get_double(row, "zombies_per_min") -
			       ZOMBIES1 * 60e9 / window));
	EXPECT_GE(0.005, fabs(get_double(row, "used_per_min") -
			       ZOMBIES1 * 60e9 / window));
	/* 33% used is under --warn 90, but it runs out within the hour. */
	EXPECT_FALSE(get_bool(row, "over_warn"));
	EXPECT_TRUE(get_bool(row, "runs_out"));
	EXPECT_FALSE(get_bool(rep, "healthy"));
	EXPECT_EQ(1, st);
	mach = get(rep, "machine");
	EXPECT_LE(ZOMBIES0 + ZOMBIES1, get_int(mach, "zombies"));
	EXPECT_LT(0, get_int(mach, "pid_max"));
	json_object_put(rep);
}

/*
 * forkscope record reads the budget every second: pids -i judges the
 * recording from its first reading to its last, the leak in between.
 */
TEST_F(pids, a_recording_is_judged_from_its_readings)
{
	char pid[16], file[64];
	const char *args[] = { "record", "-o", file, "-p", pid, NULL };
	struct json_object *rep, *row;
	unsigned char n = ZOMBIES1;
	struct run again;
	char *out, c;

	snprintf(pid, sizeof(pid), "%d", self->leaker);
	snprintf(file, sizeof(file), "/tmp/forkscope-pids-test-%d.fsr",
		 getpid());
	ASSERT_EQ(0, start(&self->r, args, -1));
	self->running = true;
	/* Polling: its first reading is in. */
	ASSERT_EQ(0, wait_polling(&self->r));
	ASSERT_EQ(1, write(self->cmd, &n, 1));
	ASSERT_EQ(1, read(self->done, &c, 1));
	ASSERT_EQ(0, kill(self->r.pid, SIGINT));
	EXPECT_EQ(0, finish(&self->r));
	self->running = false;
	release(&self->r);

	ASSERT_EQ(0, start(&again, (const char *[]){ "pids", "-j", "-i", file,
		  "-H", "1h", NULL }, -1));
	EXPECT_EQ(1, finish(&again));	/* it runs out within the hour */
	out = slurp(again.out);
	rep = json_parse_deep(out);
	ASSERT_NE(NULL, rep) TH_LOG("not JSON: %s", out);
	free(out);
	release(&again);
	unlink(file);
	/* The recording's -p: only the leaker's cgroup. */
	EXPECT_EQ(1, json_object_array_length(get(rep, "cgroups")));
	row = row_of(rep, self->path);
	ASSERT_NE(NULL, row);
	EXPECT_EQ(PIDS_MAX, get_int(row, "limit"));
	EXPECT_EQ(1 + ZOMBIES0, get_int(row, "used_at_start"));
	EXPECT_EQ(ZOMBIES0, get_int(row, "zombies_at_start"));
	EXPECT_EQ(1 + ZOMBIES0 + ZOMBIES1, get_int(row, "used"));
	EXPECT_EQ(ZOMBIES0 + ZOMBIES1, get_int(row, "zombies"));
	EXPECT_TRUE(get_bool(row, "runs_out"));
	EXPECT_LT(0, get_int(rep, "window_ns"));
	json_object_put(rep);
}

TEST_F(pids, warn_threshold_sets_the_exit_status)
{
	char pid[16];
	/* Nothing grows now: only the share used can make it unhealthy. */
	const char *below[] = { "pids", "-j", "-d", "0.3", "--warn", "15%",
				"-H", "1s", "-p", pid, NULL };
	const char *above[] = { "pids", "-j", "-d", "0.3", "--warn", "50",
				"-H", "1s", "-p", pid, NULL };
	struct json_object *rep, *row;
	int st;

	snprintf(pid, sizeof(pid), "%d", self->leaker);
	rep = run_pids(self, below, &st);
	ASSERT_NE(NULL, rep);
	row = row_of(rep, self->path);
	ASSERT_NE(NULL, row);
	/* 11 of 64: 17.2% */
	EXPECT_EQ(172, llround(get_double(row, "used_pct") * 10));
	EXPECT_TRUE(get_bool(row, "over_warn"));
	EXPECT_EQ(NULL, get(row, "full_in_s"));	/* null: not growing */
	EXPECT_EQ(1, st);
	json_object_put(rep);

	rep = run_pids(self, above, &st);
	ASSERT_NE(NULL, rep);
	EXPECT_FALSE(get_bool(row_of(rep, self->path), "over_warn"));
	EXPECT_TRUE(get_bool(rep, "healthy"));
	EXPECT_EQ(0, st);
	json_object_put(rep);
}

TEST_F(pids, text_names_the_limit_the_use_and_the_zombies)
{
	char pid[16], want[160];
	const char *args[] = { "pids", "-d", "0.2", "-p", pid, NULL };
	char *out;

	snprintf(pid, sizeof(pid), "%d", self->leaker);
	ASSERT_EQ(0, start(&self->r, args, -1));
	self->running = true;
	finish(&self->r);
	self->running = false;
	out = slurp(self->r.out);
	release(&self->r);
	snprintf(want, sizeof(want), "pids.max 64 in %s: 11 used, 10 of them zombies, 53 left, steady",
		 self->path);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "machine: ")) TH_LOG("%s", out);
	free(out);
}

/* Wrong lines: one line, status 2; no kernel needed for that. */
TEST(wrong_command_lines_are_usage_errors)
{
	static const char *const bad[][4] = {
		{ "pids", "--warn", "0", NULL },
		{ "pids", "--warn", "101%", NULL },
		{ "pids", "--horizon", "soon", NULL },
		{ "pids", "--horizon", "-1h", NULL },
		{ "pids", "-d", "0", NULL },
		{ "pids", "extra", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct run r;
		char *err;

		ASSERT_EQ(0, start(&r, bad[i], -1));
		EXPECT_EQ(2, finish(&r)) TH_LOG("%s %s", bad[i][1], bad[i][2]);
		err = slurp(r.err);
		EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "forkscope: pids: ")) TH_LOG("%s", err);
		free(err);
		release(&r);
	}
}

TEST_HARNESS_MAIN
