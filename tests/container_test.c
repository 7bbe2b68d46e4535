// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containers on real kernel events: cgroups named as runtimes name them
 * (docker-<id>.scope in cgroup v2, a kubepods pod's container in the v1
 * pids hierarchy) are made on this machine, test children are moved into
 * them by writing cgroup.procs, and the binary is run as users run it:
 * trace --container and --cgroup show exactly those children's events,
 * tree --containers draws them under their container's heading, zombies
 * --container counts only theirs, and JSON names runtime and id.
 * Every cgroup is removed by the fixture's teardown, whatever failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "cli.h"
#include "json_get.h"

#define MAX_DIRS	8
#define MAX_KIDS	4

/* Hex digits shared by the two ids of a test: a prefix of both. */
#define SHARED		12

FIXTURE(containers) {
	/* Made, in order; removed deepest (last) first. */
	char dirs[MAX_DIRS][PATH_MAX + 512];
	int ndirs;
	pid_t kids[MAX_KIDS];
	int gates[MAX_KIDS];	/* write a byte: the kid goes on */
	int nkids;
	struct run trace;	/* a forkscope still running, pid 0: none */
	char id[2][65];		/* container ids: SHARED digits alike */
	char prefix[2][SHARED + 2];	/* a unique prefix of each */
	char top[64];		/* the test's own cgroup below each root */
};

/* Makes the cgroup mount + path, and remembers it for the teardown. */
static int make_cgroup(FIXTURE_DATA(containers) *self, const char *mount,
		       const char *path)
{
	if (self->ndirs == MAX_DIRS)
		return -1;
	snprintf(self->dirs[self->ndirs], sizeof(self->dirs[0]), "%s%s", mount,
		 path);
	if (mkdir(self->dirs[self->ndirs], 0755))
		return -1;
	self->ndirs++;
	return 0;
}

/* Writes the number v into file of the cgroup mount + path. */
static int cgroup_write(const char *mount, const char *path,
			const char *file, long v)
{
	char name[2 * PATH_MAX];
	FILE *f;

	snprintf(name, sizeof(name), "%s%s/%s", mount, path, file);
	f = fopen(name, "we");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", v);
	return fclose(f);
}

/* Moves pid into the cgroup mount + path. */
static int move_to(const char *mount, const char *path, pid_t pid)
{
	return cgroup_write(mount, path, "cgroup.procs", pid);
}

/*
 * A kid that waits at its gate, then forks a grandchild. Without hold it
 * reaps the grandchild and execs /bin/true. With hold it stays, and so
 * does the grandchild (running, or a zombie with zombie), until the gate
 * closes: for tree and zombies to look at.
 */
static pid_t spawn(FIXTURE_DATA(containers) *self, bool hold, bool zombie)
{
	int gate[2];
	pid_t pid;
	char c;

	if (self->nkids == MAX_KIDS || pipe2(gate, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		pid_t gc;

		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(10);
		gc = fork();
		if (gc == 0) {
			if (hold && !zombie)
				read(gate[0], &c, 1);	/* EOF: the end */
			_exit(0);
		}
		if (hold) {
			read(gate[0], &c, 1);
			_exit(0);
		}
		if (waitpid(gc, NULL, 0) != gc)
			_exit(11);
		execl("/bin/true", "true", NULL);
		_exit(12);
	}
	close(gate[0]);
	if (pid < 0) {
		close(gate[1]);
		return -1;
	}
	self->kids[self->nkids] = pid;
	self->gates[self->nkids++] = gate[1];
	return pid;
}

/* Lets kid i go on; with wait, waits for its end: its status. */
static int go(FIXTURE_DATA(containers) *self, int i, bool wait)
{
	int st;

	if (write(self->gates[i], "g", 1) != 1)
		return -1;
	if (!wait)
		return 0;
	close(self->gates[i]);
	self->gates[i] = -1;
	if (waitpid(self->kids[i], &st, 0) != self->kids[i])
		return -1;
	self->kids[i] = 0;
	return st;
}

/* State letter of pid from /proc, '?' when gone. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] ? p[2] : '?';
}

/* The grandchild of a held kid once it is forked and in state want. */
static pid_t grandchild(pid_t kid, char want)
{
	uint64_t end = fs_boot_ns() + STARTUP_MS * NSEC_PER_MSEC;
	char path[64];
	pid_t gc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", kid, kid);
	while (fs_boot_ns() < end) {
		f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%d", &gc) != 1)
				gc = 0;
			fclose(f);
		}
		if (gc > 0 && state_of(gc) == want)
			return gc;
		usleep(2000);
	}
	return 0;
}

FIXTURE_SETUP(containers)
{
	unsigned long long r = (unsigned long long)getpid() << 20 ^ fs_boot_ns();

	memset(self, 0, sizeof(*self));
	/* Orphaned grandchildren come back here, to be waited for. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	/* Two ids alike in their first SHARED digits, as a prefix finds. */
	for (int i = 0; i < 2; i++) {
		snprintf(self->id[i], 65, "%012llx%c%051x",
			 r & 0xffffffffffffULL, 'a' + i, 0);
		memcpy(self->prefix[i], self->id[i], SHARED + 1);
	}
	snprintf(self->top, sizeof(self->top), "/forkscope-ct-%d", getpid());
}

FIXTURE_TEARDOWN(containers)
{
	if (self->trace.pid > 0) {
		kill(self->trace.pid, SIGKILL);
		waitpid(self->trace.pid, NULL, 0);
		release(&self->trace);
	}
	/* Held kids and grandchildren end at their gate's EOF. */
	for (int i = 0; i < self->nkids; i++)
		if (self->gates[i] > 0)
			close(self->gates[i]);
	while (waitpid(-1, NULL, 0) > 0)
		;
	/* Reaped, the tasks have left their cgroups: rmdir works. */
	for (int i = self->ndirs - 1; i >= 0; i--)
		if (rmdir(self->dirs[i]))
			TH_LOG("cannot remove %s: %s", self->dirs[i],
			       strerror(errno));
}

static const char *const names[] = { "fork", "exec", "exit", "wait",
				     "waited", "reap", "cgroup", NULL };

/* Events of one trace --json by name: of our pids, and of any other. */
struct seen {
	int ours[8], others;
	int moves;		/* our cgroup events naming the container */
	pid_t grandchild;	/* the child our kid forked */
	char other[512];	/* the first line that should not be there */
};

static void tally_line(struct seen *s, struct json_object *o, pid_t kid,
		       const char *runtime, const char *id)
{
	const char *ev = get_str(o, "event");
	int64_t pid = get_int(o, "pid");
	bool mine = pid == kid || (s->grandchild && pid == s->grandchild);

	if (mine && !strcmp(ev, "fork"))
		s->grandchild = atoi(get_str(o, "child.pid") ?: "0");
	for (int i = 0; names[i]; i++) {
		if (strcmp(ev, names[i]))
			continue;
		if (mine)
			s->ours[i]++;
		else if (!s->others++)
			snprintf(s->other, sizeof(s->other), "%s",
				 json_object_to_json_string(o));
	}
	if (mine && !strcmp(ev, "cgroup") &&
	    !strcmp(runtime, get_str(o, "container.runtime") ?: "") &&
	    !strcmp(id, get_str(o, "container.id") ?: ""))
		s->moves++;
}

/* Reads a trace --json of kid's container; false on a line not JSON. */
static bool tally(struct seen *s, char *out, pid_t kid, const char *runtime,
		  const char *id)
{
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_parse_deep(l);

		if (!o || !get_str(o, "event"))
			return false;
		tally_line(s, o, kid, runtime, id);
		json_object_put(o);
	}
	return true;
}

/* Stops the trace (SIGINT: it drains what the kernel wrote) and reads it. */
static char *stop_trace(FIXTURE_DATA(containers) *self, int *status)
{
	char *out;

	kill(self->trace.pid, SIGINT);
	*status = finish(&self->trace);
	out = slurp(self->trace.out);
	release(&self->trace);
	self->trace.pid = 0;
	return out;
}

/* Each of the kid's and grandchild's events, once; nobody else's. */
static void expect_kid_events(struct __test_metadata *_metadata,
			      const struct seen *s)
{
	/* fork exec exit wait waited reap cgroup */
	static const int want[] = { 1, 1, 2, 1, 1, 2, 1 };

	EXPECT_NE(0, s->grandchild);
	for (int i = 0; names[i]; i++) {
		EXPECT_EQ(want[i], s->ours[i]) TH_LOG("%s", names[i]);
	}
	EXPECT_EQ(1, s->moves);
	EXPECT_EQ(0, s->others) TH_LOG("first: %s", s->other);
}

/*
 * A kid moved into docker-<id>.scope (cgroup v2) forks, reaps and execs
 * there; a sibling left outside does the same. trace --container with a
 * 13-digit prefix shows the kid's and its child's events, every one, and
 * none of the sibling's or anyone else's.
 */
TEST_F(containers, trace_container_shows_exactly_its_tasks)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const char *args[] = { "trace", "-j", "--container", self->prefix[0],
			       NULL };
	char path[256], unit[128];
	struct seen s = {};
	pid_t kid, sib;
	int status;
	char *out;

	if (!mnt->v2[0])
		SKIP(return, "cgroup v2 is not mounted");
	snprintf(unit, sizeof(unit), "docker-%s.scope", self->id[0]);
	snprintf(path, sizeof(path), "%s/%s", self->top, unit);
	ASSERT_EQ(0, make_cgroup(self, mnt->v2, self->top));
	ASSERT_EQ(0, make_cgroup(self, mnt->v2, path));
	ASSERT_EQ(0, start_trace(&self->trace, args));
	kid = spawn(self, false, false);
	sib = spawn(self, false, false);
	ASSERT_LT(0, kid);
	ASSERT_LT(0, sib);
	ASSERT_EQ(0, move_to(mnt->v2, path, kid));
	ASSERT_EQ(0, go(self, 0, true));
	ASSERT_EQ(0, go(self, 1, true));
	out = stop_trace(self, &status);
	ASSERT_EQ(0, status);
	EXPECT_NE(NULL, strstr(out, unit));	/* "unit" */
	ASSERT_TRUE(tally(&s, out, kid, "docker", self->id[0])) TH_LOG("%s", out);
	expect_kid_events(_metadata, &s);
	free(out);
}

/*
 * The same in the v1 pids hierarchy of hybrid hosts, with --cgroup: a kid
 * in a kubepods-shaped cgroup is selected by a cgroup above it, a sibling
 * in a cgroup beside that subtree ("kubepodsx") is not; JSON names the
 * pod's container (runtime "cri") from the pids path.
 */
TEST_F(containers, trace_cgroup_selects_a_subtree_of_the_pids_hierarchy)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	char kube[96], qos[128], pod[192], ctr[288], beside[96];
	const char *args[] = { "trace", "-j", "--cgroup", kube, NULL };
	struct seen s = {};
	pid_t kid, sib;
	int status;
	char *out;

	if (!mnt->pids_v1[0])
		SKIP(return, "no v1 pids hierarchy here");
	snprintf(kube, sizeof(kube), "%s/kubepods", self->top);
	snprintf(beside, sizeof(beside), "%s/kubepodsx", self->top);
	snprintf(qos, sizeof(qos), "%s/burstable", kube);
	snprintf(pod, sizeof(pod), "%s/pod0f3b6b5e-1c3a-4f0e-9a62-2b1c3d4e5f60",
		 qos);
	snprintf(ctr, sizeof(ctr), "%s/%s", pod, self->id[1]);
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, self->top));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, kube));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, qos));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, pod));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, ctr));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, beside));
	ASSERT_EQ(0, start_trace(&self->trace, args));
	kid = spawn(self, false, false);
	sib = spawn(self, false, false);
	ASSERT_LT(0, kid);
	ASSERT_LT(0, sib);
	ASSERT_EQ(0, move_to(mnt->pids_v1, ctr, kid));
	ASSERT_EQ(0, move_to(mnt->pids_v1, beside, sib));
	ASSERT_EQ(0, go(self, 0, true));
	ASSERT_EQ(0, go(self, 1, true));
	out = stop_trace(self, &status);
	ASSERT_EQ(0, status);
	ASSERT_TRUE(tally(&s, out, kid, "cri", self->id[1])) TH_LOG("%s", out);
	expect_kid_events(_metadata, &s);
	free(out);
}


/* Two held kids, each in its docker-<id>.scope with a grandchild. */
static void hold_two(struct __test_metadata *_metadata,
		     FIXTURE_DATA(containers) *self, bool zombie,
		     pid_t kid[2], pid_t gc[2], char paths[2][256])
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();

	ASSERT_EQ(0, make_cgroup(self, mnt->v2, self->top));
	for (int i = 0; i < 2; i++) {
		snprintf(paths[i], 256, "%s/docker-%s.scope", self->top,
			 self->id[i]);
		ASSERT_EQ(0, make_cgroup(self, mnt->v2, paths[i]));
		kid[i] = spawn(self, true, zombie && !i);
		ASSERT_LT(0, kid[i]);
		ASSERT_EQ(0, move_to(mnt->v2, paths[i], kid[i]));
		ASSERT_EQ(0, go(self, i, false));
		gc[i] = grandchild(kid[i], zombie && !i ? 'Z' : 'S');
		ASSERT_NE(0, gc[i]);
	}
}

/*
 * tree --containers: each kid heads its container's tree, its running
 * grandchild below it; --container draws one container's processes
 * alone; a prefix both ids share is refused with exit 2.
 */
TEST_F(containers, tree_groups_processes_by_container)
{
	const char *grouped[] = { "tree", "--containers", "-j", NULL };
	const char *text[] = { "tree", "--containers", NULL };
	const char *one[] = { "tree", "--container", self->prefix[1], NULL };
	char shared[SHARED + 1], paths[2][256], want[512], *out, *err;
	const char *both[] = { "tree", "--container", shared, NULL };
	struct json_object *o, *list;
	pid_t kid[2], gc[2];
	int found = 0;

	if (!fs_cgroup_mounts()->v2[0])
		SKIP(return, "cgroup v2 is not mounted");
	hold_two(_metadata, self, false, kid, gc, paths);

	ASSERT_EQ(0, run_to_end(grouped, &out, &err)) TH_LOG("%s", err);
	o = json_parse_deep(out);
	ASSERT_NE(NULL, o);
	ASSERT_TRUE(json_object_object_get_ex(o, "containers", &list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *c = json_object_array_get_idx(list, i), *t;
		const char *id = get_str(c, "id");
		int k = id && !strcmp(id, self->id[0]) ? 0 :
			id && !strcmp(id, self->id[1]) ? 1 : -1;

		if (k < 0)
			continue;
		found++;
		EXPECT_STREQ("docker", get_str(c, "runtime"));
		EXPECT_STREQ(paths[k], get_str(c, "cgroup"));
		EXPECT_EQ(2, get_int(c, "processes"));
		ASSERT_TRUE(json_object_object_get_ex(c, "tree", &t));
		ASSERT_EQ(1, json_object_array_length(t));
		t = json_object_array_get_idx(t, 0);
		EXPECT_EQ(kid[k], get_int(t, "pid"));
		ASSERT_TRUE(json_object_object_get_ex(t, "children", &t));
		ASSERT_EQ(1, json_object_array_length(t));
		EXPECT_EQ(gc[k], get_int(json_object_array_get_idx(t, 0), "pid"));
	}
	EXPECT_EQ(2, found) TH_LOG("%s", out);
	json_object_put(o);
	free(out);
	free(err);

	ASSERT_EQ(0, run_to_end(text, &out, &err)) TH_LOG("%s", err);
	snprintf(want, sizeof(want), "container docker %s in cgroup %s: pid namespace ",
		 self->id[0], paths[0]);
	ASSERT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), ", 2 processes\n%d ", kid[0]);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	free(out);
	free(err);

	ASSERT_EQ(0, run_to_end(one, &out, &err)) TH_LOG("%s", err);
	EXPECT_EQ(2, count_lines(out)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "%d ", kid[1]);
	EXPECT_EQ(0, strncmp(out, want, strlen(want))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "└─ %d ", gc[1]);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "@docker:%.12s\n", self->id[1]);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	free(out);
	free(err);

	snprintf(shared, sizeof(shared), "%.*s", SHARED, self->id[0]);
	EXPECT_EQ(2, run_to_end(both, &out, &err));
	EXPECT_EQ(1, count_lines(err));
	EXPECT_NE(NULL, strstr(err, "names more than one container")) TH_LOG("%s", err);
	EXPECT_STREQ("", out);
	free(out);
	free(err);
}

/* zombies --container counts the zombie in that container, not others. */
TEST_F(containers, zombies_of_one_container)
{
	const char *zombies0[] = { "zombies", "-m", "0", "--container",
				   self->prefix[0], NULL };
	const char *zombies1[] = { "zombies", "-m", "0", "--container",
				   self->prefix[1], NULL };
	char paths[2][256], want[64], *out, *err;
	pid_t kid[2], gc[2];

	if (!fs_cgroup_mounts()->v2[0])
		SKIP(return, "cgroup v2 is not mounted");
	hold_two(_metadata, self, true, kid, gc, paths);
	EXPECT_EQ(1, run_to_end(zombies0, &out, &err)) TH_LOG("%s", err);
	EXPECT_EQ(0, strncmp(out, "1 zombie ", 9)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "\n    %7d ", gc[0]);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	/* Its heading names the container by the runtime's id. */
	snprintf(want, sizeof(want), "\ncontainer docker:%.12s: ",
		 self->prefix[0]);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	free(out);
	free(err);
	EXPECT_EQ(0, run_to_end(zombies1, &out, &err)) TH_LOG("%s %s", out, err);
	free(out);
	free(err);
}

/*
 * pids --container: of two pids cgroups with a pids.max, each holding a
 * kid and its grandchild, only the container's is shown, with its use.
 * Forecasts off (-H 0): the machine's budget is the container's too, and
 * other work's forks over the 0.2 s window made it "full within the
 * hour" (exit 1) one run in four beside other suites.
 */
TEST_F(containers, pids_of_one_container)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const char *args[] = { "pids", "-d", "0.2", "-H", "0", "-j",
			       "--container", self->prefix[1], NULL };
	char kube[96], pod[160], ctr[256], beside[96], *out, *err;
	struct json_object *o, *rows, *row;
	pid_t kid, sib;

	if (!mnt->pids_v1[0])
		SKIP(return, "no v1 pids hierarchy here");
	snprintf(kube, sizeof(kube), "%s/kubepods", self->top);
	snprintf(pod, sizeof(pod), "%s/pod0f3b6b5e-1c3a-4f0e-9a62-2b1c3d4e5f60",
		 kube);
	snprintf(ctr, sizeof(ctr), "%s/%s", pod, self->id[1]);
	snprintf(beside, sizeof(beside), "%s/kubepodsx", self->top);
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, self->top));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, kube));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, pod));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, ctr));
	ASSERT_EQ(0, make_cgroup(self, mnt->pids_v1, beside));
	ASSERT_EQ(0, cgroup_write(mnt->pids_v1, ctr, "pids.max", 50));
	ASSERT_EQ(0, cgroup_write(mnt->pids_v1, beside, "pids.max", 50));
	kid = spawn(self, true, false);
	sib = spawn(self, true, false);
	ASSERT_LT(0, kid);
	ASSERT_LT(0, sib);
	ASSERT_EQ(0, move_to(mnt->pids_v1, ctr, kid));
	ASSERT_EQ(0, move_to(mnt->pids_v1, beside, sib));
	ASSERT_EQ(0, go(self, 0, false));
	ASSERT_EQ(0, go(self, 1, false));
	ASSERT_NE(0, grandchild(kid, 'S'));
	ASSERT_NE(0, grandchild(sib, 'S'));
	EXPECT_EQ(0, run_to_end(args, &out, &err)) TH_LOG("%s", err);
	o = json_parse_deep(out);
	ASSERT_NE(NULL, o) TH_LOG("%s", out);
	rows = get(o, "cgroups");
	ASSERT_NE(NULL, rows) TH_LOG("%s", out);
	ASSERT_EQ(1, json_object_array_length(rows)) TH_LOG("%s", out);
	row = json_object_array_get_idx(rows, 0);
	EXPECT_STREQ(ctr, get_text(row, "path"));
	EXPECT_EQ(50, get_int(row, "pids_max"));
	EXPECT_EQ(2, get_int(row, "used"));
	json_object_put(o);
	free(out);
	free(err);
}

/* Wrong values: one line, exit 2, on every command. */
TEST(wrong_filters_are_refused_in_one_line)
{
	static const char *const cmds[] = { "trace", "tree", "zombies", "cow",
					    "stat", "pids" };
	static const char *const bad[][2] = {
		{ "--container", "" },
		{ "--container", "a/b" },
		{ "--container", "docker id" },
		{ "--cgroup", "" },
		{ "--cgroup", "system.slice" },
		{ "--cgroup", "/a/../b" },
		{ "--cgroup", "/a\nb" },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
		for (size_t b = 0; b < ARRAY_SIZE(bad); b++) {
			const char *args[] = { cmds[c], bad[b][0], bad[b][1],
					       "--", "true", NULL };
			char *out, *err;

			if (strcmp(cmds[c], "stat"))
				args[3] = NULL;
			EXPECT_EQ(2, run_to_end(args, &out, &err));
			EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
			EXPECT_NE(NULL, strstr(err, bad[b][0])) TH_LOG("%s", err);
			free(out);
			free(err);
		}
	}
}

TEST_HARNESS_MAIN
