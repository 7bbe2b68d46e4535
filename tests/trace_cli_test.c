// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the forkscope binary as users run it: wrong command lines and
 * missing privileges give one line and a non-zero exit; `trace --json`
 * during 2,000 fork+exec+exit+wait cycles shows every child's fork, exec,
 * exit and reap exactly once, with nothing lost.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "cli.h"
#include "json_get.h"

#define CYCLES		2000	/* on the host; a quarter in a guest */

/* Runs to completion; checks status and that stderr is one line. */
static void expect_failure(struct __test_metadata *_metadata,
			   const char *const args[], int uid, int status,
			   const char *says)
{
	struct run r;
	char *err;

	ASSERT_EQ(0, start(&r, args, uid));
	ASSERT_EQ(status, finish(&r));
	err = slurp(r.err);
	EXPECT_EQ(1, count_lines(err)) {
		TH_LOG("stderr: %s", err);
	}
	EXPECT_NE(NULL, strstr(err, says)) {
		TH_LOG("stderr lacks '%s': %s", says, err);
	}
	free(err);
	release(&r);
}

/*
 * The same under --json: stderr is one line holding one JSON object,
 * {"event":"error","command":cmd,"error":"...says..."}; stdout is empty.
 */
static void expect_json_failure(struct __test_metadata *_metadata,
				const char *const args[], int uid, int status,
				const char *cmd, const char *says)
{
	struct json_object *o, *v;
	struct run r;
	char *err, *out;

	ASSERT_EQ(0, start(&r, args, uid));
	ASSERT_EQ(status, finish(&r));
	err = slurp(r.err);
	out = slurp(r.out);
	EXPECT_STREQ("", out);
	EXPECT_EQ(1, count_lines(err)) {
		TH_LOG("stderr: %s", err);
	}
	o = json_tokener_parse(err);
	ASSERT_NE(NULL, o) {
		TH_LOG("not JSON: %s", err);
	}
	ASSERT_TRUE(json_object_object_get_ex(o, "event", &v));
	EXPECT_STREQ("error", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "command", &v));
	/* A line wrong before any command was named has no command. */
	if (cmd) {
		EXPECT_STREQ(cmd, json_object_get_string(v));
	} else {
		EXPECT_EQ(NULL, v);
	}
	ASSERT_TRUE(json_object_object_get_ex(o, "error", &v));
	EXPECT_NE(NULL, strstr(json_object_get_string(v), says)) {
		TH_LOG("error lacks '%s': %s", says, err);
	}
	json_object_put(o);
	free(out);
	free(err);
	release(&r);
}

static const char *const commands[] = { "trace", "tree", "zombies", "cow",
					"stat" };

TEST(every_command_reports_a_wrong_flag_in_one_line_or_json)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *c = commands[i];
		char says[64];

		snprintf(says, sizeof(says), "forkscope: %s: unknown option '--bogus'", c);
		expect_failure(_metadata, (const char *[]){ c, "--bogus", NULL },
			       -1, 2, says);
		/* -j before the command, after it, or after the bad flag. */
		expect_json_failure(_metadata,
				    (const char *[]){ "-j", c, "--bogus", NULL },
				    -1, 2, c, "unknown option '--bogus'");
		expect_json_failure(_metadata,
				    (const char *[]){ c, "--json", "--bogus", NULL },
				    -1, 2, c, "unknown option '--bogus'");
		expect_json_failure(_metadata,
				    (const char *[]){ c, "--bogus", "-j", NULL },
				    -1, 2, c, "unknown option '--bogus'");
	}
	expect_json_failure(_metadata, (const char *[]){ "-j", "nosuch", NULL },
			    -1, 2, NULL, "unknown command 'nosuch'");
	expect_json_failure(_metadata, (const char *[]){ "--bogus", "-j", NULL },
			    -1, 2, NULL, "unknown option '--bogus'");
	expect_failure(_metadata, (const char *[]){ NULL }, -1, 2,
		       "forkscope: no command given");
}

TEST(bad_command_lines_exit_2_with_one_line)
{
	expect_failure(_metadata, (const char *[]){ "nosuch", NULL }, -1, 2,
		       "unknown command");
	expect_failure(_metadata, (const char *[]){ "--bogus", NULL }, -1, 2,
		       "unknown option");
	expect_failure(_metadata, (const char *[]){ "trace", "--bogus", NULL },
		       -1, 2, "unknown option");
	expect_failure(_metadata, (const char *[]){ "trace", "-p", "abc", NULL },
		       -1, 2, "process id");
	expect_failure(_metadata, (const char *[]){ "trace", "-p", NULL },
		       -1, 2, "needs a value");
	expect_failure(_metadata,
		       (const char *[]){ "trace", "-e", "fork,bogus", NULL },
		       -1, 2, "unknown event 'bogus'");
	expect_failure(_metadata, (const char *[]){ "trace", "-d", "-1", NULL },
		       -1, 2, "--duration");
	expect_failure(_metadata,
		       (const char *[]){ "trace", "-c", "a-name-longer-than-15", NULL },
		       -1, 2, "1 to 15");
	expect_failure(_metadata,
		       (const char *[]){ "trace", "--ring-size", "3", NULL },
		       -1, 2, "power of 2");
	expect_failure(_metadata, (const char *[]){ "trace", "extra", NULL },
		       -1, 2, "unexpected argument");
	expect_failure(_metadata, (const char *[]){ "tree", "-p", "0", NULL },
		       -1, 2, "process id");
	expect_failure(_metadata, (const char *[]){ "tree", "-I", "0", NULL },
		       -1, 2, "--interval");
	expect_failure(_metadata, (const char *[]){ "zombies", "-m", "x", NULL },
		       -1, 2, "--min-age");
	expect_failure(_metadata, (const char *[]){ "zombies", "--bogus", NULL },
		       -1, 2, "unknown option");
}

/*
 * One parser reads every command's line: each wrong line, whatever the
 * command, is told as exactly this one line, with exit status 2.
 */
static const struct {
	const char *args[6];
	const char *says;	/* after "forkscope: CMD: " */
} wrong_lines[] = {
	{ { "trace", "-p", NULL }, "-p needs a value" },
	{ { "trace", "-p", "1.5", NULL }, "-p wants a process id, not '1.5'" },
	{ { "trace", "-d", "x", NULL }, "--duration wants seconds > 0, not 'x'" },
	{ { "trace", "--ring-size", "2.5", NULL },
	  "--ring-size wants a power of 2 from 1 to 1024 (MB), not '2.5'" },
	{ { "trace", "-c", "", NULL },
	  "-c wants a command name of 1 to 15 characters, not ''" },
	{ { "trace", "-e", "fork,,averyveryverylongevent", NULL },
	  "unknown event 'averyveryverylongevent': use fork, exec, exit, wait, reap, cgroup, fork-failed, exec-failed" },
	/* A shared option the command does not take is not one of its own. */
	{ { "trace", "--interval", "1", NULL }, "unknown option '--interval'" },
	{ { "trace", "-x", "extra", NULL }, "unexpected argument 'extra'" },
	{ { "tree", "-I", NULL }, "-I needs a value" },
	{ { "tree", "--interval", "0.01", NULL },
	  "--interval wants seconds from 0.05 to 3600, not '0.01'" },
	{ { "tree", "--dot", "x", NULL }, "unexpected argument 'x'" },
	{ { "tree", "-m", "1", NULL }, "unknown option '-m'" },
	{ { "zombies", "--min-age", NULL }, "--min-age needs a value" },
	{ { "zombies", "-m", "-1", NULL }, "--min-age wants seconds >= 0, not '-1'" },
	{ { "zombies", "--pid", "1", NULL }, "unknown option '--pid'" },
	{ { "zombies", "-w", "x", NULL }, "unexpected argument 'x'" },
	{ { "cow", "-n", NULL }, "-n needs a value" },
	{ { "cow", "-n", "0", NULL }, "-n wants a whole number >= 1, not '0'" },
	{ { "cow", "--count=1.5", NULL }, "-c wants a whole number >= 1, not '1.5'" },
	{ { "cow", "-p", "x", NULL }, "-p wants a process id, not 'x'" },
	{ { "cow", "x", NULL }, "unexpected argument 'x'" },
	{ { "stat", "-o", NULL }, "-o needs a value" },
	{ { "stat", "--pid", "1", "--", "/bin/true", NULL },
	  "unknown option '--pid'" },
	{ { "stat", "-v", "--", NULL },
	  "wants a command to run, as in: forkscope stat -- make" },
	{ { "stat", NULL }, "wants a command to run, as in: forkscope stat -- make" },
};

TEST(every_wrong_line_is_told_one_way)
{
	for (size_t i = 0; i < ARRAY_SIZE(wrong_lines); i++) {
		const char *c = wrong_lines[i].args[0];
		char line[256];

		snprintf(line, sizeof(line), "forkscope: %s: %s (see forkscope %s --help)\n",
			 c, wrong_lines[i].says, c);
		expect_failure(_metadata, wrong_lines[i].args, -1, 2, line);
	}
}

TEST(every_command_prints_its_help)
{
	const char *const flags[] = { "-h", "--help" };

	for (size_t i = 0; i < ARRAY_SIZE(commands) * 2; i++) {
		const char *c = commands[i / 2];
		char usage[64], *out, *err;
		struct run r;

		snprintf(usage, sizeof(usage), "Usage: forkscope %s ", c);
		ASSERT_EQ(0, start(&r, (const char *[]){ c, flags[i % 2], NULL }, -1));
		ASSERT_EQ(0, finish(&r));
		out = slurp(r.out);
		err = slurp(r.err);
		EXPECT_EQ(0, strncmp(out, usage, strlen(usage))) TH_LOG("%s", out);
		EXPECT_STREQ("", err);
		free(out);
		free(err);
		release(&r);
	}
}

TEST(missing_things_exit_1_with_one_line)
{
	expect_failure(_metadata,
		       (const char *[]){ "trace", "-p", "2147483000", NULL },
		       -1, 1, "no process 2147483000");
	expect_failure(_metadata, (const char *[]){ "trace", NULL }, 65534, 1,
		       "run as root");
	expect_failure(_metadata, (const char *[]){ "tree", "-p", "2147483000", NULL },
		       -1, 1, "no process 2147483000");
	/* zombies keeps 1 for "found": failing to check is 3. */
	expect_failure(_metadata, (const char *[]){ "zombies", NULL }, 65534, 3,
		       "run as root");
}

TEST(zombies_stopped_by_ctrl_c_is_not_healthy)
{
	const char *args[] = { "zombies", "--min-age", "5", NULL };
	struct run r;
	uint64_t t0;
	char *out;
	int st;

	ASSERT_EQ(0, start(&r, args, -1));
	/* Into the --min-age watch: attached, snapshot taken, polling. */
	ASSERT_EQ(0, wait_polling(&r));
	t0 = fs_boot_ns();
	kill(r.pid, SIGINT);
	ASSERT_EQ(r.pid, waitpid(r.pid, &st, 0));
	/* It exited, by its own choice of status: the signal did not kill it. */
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(128 + SIGINT, WEXITSTATUS(st));
	EXPECT_GT(NSEC_PER_SEC, fs_boot_ns() - t0);
	out = slurp(r.out);
	EXPECT_STREQ("", out);
	free(out);
	release(&r);
}

/* The last of the lines in s (cut in place), and how many there were. */
static const char *last_line(char *s, int *lines)
{
	const char *last = "";

	*lines = 0;
	for (char *save = NULL, *l = strtok_r(s, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save), (*lines)++)
		last = l;
	return last;
}

TEST(every_command_without_privilege_says_so_in_one_line)
{
	const char *const *argv[] = {
		(const char *[]){ "trace", NULL },
		(const char *[]){ "tree", NULL },
		(const char *[]){ "zombies", NULL },
		(const char *[]){ "cow", "-c", "1", NULL },
		(const char *[]){ "stat", "--", "/bin/true", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(argv); i++) {
		const char *c = argv[i][0];
		int status = strcmp(c, "zombies") ? 1 : 3;
		const char *args[8] = { "-j" };
		char says[64];

		snprintf(says, sizeof(says), "forkscope: %s: ", c);
		expect_failure(_metadata, argv[i], 65534, status, says);
		expect_failure(_metadata, argv[i], 65534, status, "run as root");
		for (int a = 0; argv[i][a]; a++)
			args[a + 1] = argv[i][a];
		expect_json_failure(_metadata, args, 65534, status, c,
				    "run as root");
	}
}

/*
 * Runs forkscope with stdout on /dev/full; checks the exit status and
 * that stderr's last line (trace first says it is tracing) is the error.
 */
static void expect_full_stdout(struct __test_metadata *_metadata,
			       const char *const args[], int status)
{
	const char *argv[16] = { "forkscope" }, *line;
	int n = 1, lines, full, err = memfd_create("err", 0);
	char *text;
	pid_t pid;
	int st;

	while (*args)
		argv[n++] = *args++;
	argv[n] = NULL;
	full = open("/dev/full", O_WRONLY);
	ASSERT_LE(0, full);
	ASSERT_LE(0, err);
	pid = fork();
	if (pid == 0) {
		dup2(full, 1);
		dup2(err, 2);
		execv(forkscope_bin(), (char **)argv);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(status, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	text = slurp(err);
	line = last_line(text, &lines);
	EXPECT_NE(NULL, strstr(line, "cannot write standard output: No space left on device")) {
		TH_LOG("%s: stderr: %s", argv[1], line);
	}
	free(text);
	close(err);
	close(full);
}

TEST(output_that_cannot_be_written_is_an_error)
{
	struct run r;
	char *err;

	/* stat's report goes to -o FILE, or stderr. */
	expect_failure(_metadata,
		       (const char *[]){ "stat", "-o", "/dev/full", "--", "/bin/true", NULL },
		       -1, 1, "forkscope: stat: cannot write /dev/full: No space left on device");
	expect_json_failure(_metadata,
			    (const char *[]){ "-j", "stat", "-o", "/dev/full", "--", "/bin/true", NULL },
			    -1, 1, "stat", "cannot write /dev/full");
	/* A failed command's own status is no excuse either. */
	ASSERT_EQ(0, start(&r, (const char *[]){ "stat", "-o", "/dev/full", "--",
						 "/bin/false", NULL }, -1));
	EXPECT_EQ(1, finish(&r));
	err = slurp(r.err);
	EXPECT_EQ(1, count_lines(err));
	free(err);
	release(&r);
}

/*
 * One command start per line: under the guests' TCG each start takes
 * seconds (loading and attaching the BPF programs), so the commands are
 * split over three tests to stay within the harness's 30 s each.
 */
TEST(full_stdout_of_a_snapshot_command_is_an_error)
{
	expect_full_stdout(_metadata, (const char *[]){ "tree", NULL }, 1);
	expect_full_stdout(_metadata, (const char *[]){ "-j", "tree", NULL }, 1);
	expect_full_stdout(_metadata,
			   (const char *[]){ "zombies", "-m", "0", NULL }, 3);
	expect_full_stdout(_metadata,
			   (const char *[]){ "cow", "-c", "1", "-I", "0.1", NULL }, 1);
}

TEST(full_stdout_stops_trace)
{
	/* Not tracing on into the void: trace stops at the first failure. */
	expect_full_stdout(_metadata,
			   (const char *[]){ "trace", "-d", "30", NULL }, 1);
	/* Nothing shown after the header: its failed flush must be the one told. */
	expect_full_stdout(_metadata,
			   (const char *[]){ "trace", "-c", "no-such-comm", "-d", "30", NULL }, 1);
	expect_full_stdout(_metadata,
			   (const char *[]){ "-j", "trace", "-d", "0.5", NULL }, 1);
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/*
 * Under QEMU's TCG the same cycles take 4x the host's time (measured:
 * 2,000 took 25.3 of the harness's 30 s in the 6.12 guest, 6.2 s here),
 * and the reader shares the one emulating thread: size the workload to
 * the machine, as the guests' other storms are.
 */
static int cycles(void)
{
	return getenv("FORKSCOPE_EMULATED") ? CYCLES / 4 : CYCLES;
}

struct tally {
	int n;
	pid_t kids[CYCLES];
	int fork[CYCLES], exec[CYCLES], exit[CYCLES], reap[CYCLES];
	int reaped_by_us, bad_lines;
	int64_t lost;
	bool summary;
};

static int kid_index(const struct tally *t, int64_t pid)
{
	pid_t key = pid;
	const pid_t *hit = bsearch(&key, t->kids, t->n, sizeof(pid_t),
				   cmp_pid);

	return hit ? hit - t->kids : -1;
}

static void tally_line(struct tally *t, const char *line)
{
	struct json_object *o = json_tokener_parse(line), *ev;
	const char *name;
	int i;

	if (!o || !json_object_object_get_ex(o, "event", &ev)) {
		t->bad_lines++;
		json_object_put(o);
		return;
	}
	name = json_object_get_string(ev);
	if (!strcmp(name, "summary")) {
		t->summary = true;
		t->lost = get_int(o, "lost") + get_int(o, "malformed");
	} else if (!strcmp(name, "fork")) {
		if ((i = kid_index(t, get_int(o, "child.tid"))) >= 0)
			t->fork[i]++;
	} else if ((i = kid_index(t, get_int(o, "tid"))) >= 0) {
		if (!strcmp(name, "exec"))
			t->exec[i]++;
		else if (!strcmp(name, "exit"))
			t->exit[i]++;
		else if (!strcmp(name, "reap")) {
			t->reap[i]++;
			t->reaped_by_us += get_int(o, "reaper.pid") == getpid();
		}
	}
	json_object_put(o);
}

static void tally_output(struct tally *t, char *out)
{
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		tally_line(t, l);
}

TEST(json_shows_each_child_once_through_fork_exec_cycles)
{
	char pid[16];
	const char *args[] = { "trace", "--json", "-p", pid, NULL };
	struct tally *t = calloc(1, sizeof(*t));
	struct run r;
	char *out;

	ASSERT_NE(NULL, t);
	t->n = cycles();
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, start_trace(&r, args));
	for (int i = 0; i < t->n; i++) {
		char *argv[] = { "true", NULL };
		int st;

		t->kids[i] = fork();
		if (t->kids[i] == 0) {
			execv("/bin/true", argv);
			_exit(127);
		}
		ASSERT_LT(0, t->kids[i]);
		ASSERT_EQ(t->kids[i], waitpid(t->kids[i], &st, 0));
		ASSERT_EQ(0, st);
	}
	/* Frees run from RCU callbacks: give the last ones a moment. */
	usleep(500000);
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	qsort(t->kids, t->n, sizeof(pid_t), cmp_pid);
	out = slurp(r.out);
	tally_output(t, out);
	free(out);
	release(&r);

	ASSERT_TRUE(t->summary);
	EXPECT_EQ(0, t->bad_lines);
	EXPECT_EQ(0, t->lost);
	for (int i = 0; i < t->n; i++) {
		ASSERT_EQ(1, t->fork[i]) TH_LOG("child %d", t->kids[i]);
		ASSERT_EQ(1, t->exec[i]) TH_LOG("child %d", t->kids[i]);
		ASSERT_EQ(1, t->exit[i]) TH_LOG("child %d", t->kids[i]);
		ASSERT_EQ(1, t->reap[i]) TH_LOG("child %d", t->kids[i]);
	}
	EXPECT_EQ(t->n, t->reaped_by_us);
	free(t);
}

TEST(text_filters_pick_events_and_commands)
{
	char pid[16];
	const char *args[] = { "trace", "-p", pid, "-e", "exit", "-c", "sh",
			       NULL };
	const char *line;
	struct run r;
	int lines, st;
	pid_t kid;
	char *out;

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, start_trace(&r, args));
	kid = fork();
	if (kid == 0) {
		execl("/bin/sh", "sh", "-c", "/bin/true; exit 3", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_EQ(3 << 8, st);
	usleep(300000);
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	out = slurp(r.out);
	/* Header, then only sh's exit: not true's, not fork/exec/reap. */
	line = last_line(out, &lines);
	EXPECT_EQ(2, lines);
	EXPECT_NE(NULL, strstr(line, " exit ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " sh ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "exit 3")) TH_LOG("%s", line);
	free(out);
	release(&r);
}

/*
 * A child moved to a new cgroup and the init of a new pid namespace, as
 * trace --json shows them: by path, id and namespace pid.
 */
TEST(json_names_containers_of_moved_and_namespaced_children)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	char self[16], dir[PATH_MAX + 128], procs[PATH_MAX + 160], want[96];
	const char *args[] = { "trace", "-j", "-p", self, "-e", "fork,cgroup",
			       NULL };
	int go[2], report[2], moved = 0, inits = 0, st;
	pid_t kid, mid, init = 0;
	struct stat sb;
	struct run r;
	char *out, c;
	FILE *f;

	if (!mnt->v2[0])
		SKIP(return, "cgroup v2 is not mounted");
	snprintf(self, sizeof(self), "%d", getpid());
	snprintf(want, sizeof(want), "/forkscope-cli-%d", getpid());
	snprintf(dir, sizeof(dir), "%s%s", mnt->v2, want);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, stat(dir, &sb));
	ASSERT_EQ(0, start_trace(&r, args));
	ASSERT_EQ(0, pipe(go));
	kid = fork();
	if (kid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1));
	}
	close(go[0]);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	f = fopen(procs, "we");
	ASSERT_NE(NULL, f);
	fprintf(f, "%d\n", kid);
	EXPECT_EQ(0, fclose(f));
	close(go[1]);
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_EQ(0, pipe(report));
	mid = fork();
	if (mid == 0) {
		pid_t in;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		in = fork();
		if (in == 0)
			_exit(0);
		write(report[1], &in, sizeof(in));
		_exit(waitpid(in, NULL, 0) == in ? 0 : 11);
	}
	close(report[1]);
	ASSERT_EQ(sizeof(init), read(report[0], &init, sizeof(init)));
	close(report[0]);
	ASSERT_EQ(mid, waitpid(mid, &st, 0));
	ASSERT_EQ(0, st);
	usleep(300000);
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	out = slurp(r.out);
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(l);
		const char *ev = o ? get_str(o, "event") : NULL;

		ASSERT_NE(NULL, ev) TH_LOG("not JSON: %s", l);
		if (!strcmp(ev, "cgroup") && get_int(o, "pid") == kid) {
			moved++;
			EXPECT_STREQ(want, get_str(o, "container.cgroup"));
			EXPECT_EQ(sb.st_ino, get_int(o, "container.cgroup_id"));
			EXPECT_EQ(kid, get_int(o, "container.ns_pid"));
		}
		if (!strcmp(ev, "fork") && get_int(o, "child.pid") == init) {
			inits++;
			EXPECT_EQ(1, get_int(o, "child.container.ns_pid"));
			EXPECT_STREQ("true", get_str(o, "child.container.ns_init"));
		}
		json_object_put(o);
	}
	EXPECT_EQ(1, moved) TH_LOG("%s", out);
	EXPECT_EQ(1, inits);
	free(out);
	release(&r);
	EXPECT_EQ(0, rmdir(dir));
}

/*
 * sh reaps both trues before it exits: only the background sleep is still
 * its child then. This process is made the subreaper so the heir is known.
 */
TEST(explain_counts_only_the_children_left_at_exit)
{
	char pid[16], comm[32] = "", head[128], want[512];
	const char *args[] = { "trace", "--explain", "-e", "exit", "-p", pid,
			       NULL };
	const char *line, *next;
	struct run r;
	FILE *f;
	pid_t kid;
	int st;
	char *out;

	snprintf(pid, sizeof(pid), "%d", getpid());
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, start_trace(&r, args));
	kid = fork();
	if (kid == 0) {
		execl("/bin/sh", "sh", "-c",
		      "/bin/true; /bin/true; sleep 0.1 & exit 3", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(kid, waitpid(kid, &st, 0));
	ASSERT_EQ(3 << 8, st);
	/* The sleep, now ours. */
	ASSERT_LT(0, waitpid(-1, &st, 0));
	usleep(300000);
	kill(r.pid, SIGINT);
	ASSERT_EQ(0, finish(&r));
	out = slurp(r.out);
	/* The EVENT column is 11 wide (fork-failed). */
	snprintf(head, sizeof(head), " %-11s %7d %7d sh ", "exit", kid,
		 getpid());
	snprintf(want, sizeof(want), "%15s `- now a zombie: only its pid and exit status remain, until parent %d (%s) waits for it; SIGCHLD tells the parent; its 1 child was reparented to the subreaper %d\n",
		 "", getpid(), comm, getpid());
	line = strstr(out, head);
	ASSERT_NE(NULL, line) TH_LOG("no '%s' in:\n%s", head, out);
	next = strchr(line, '\n');
	ASSERT_NE(NULL, next);
	EXPECT_EQ(0, strncmp(want, next + 1, strlen(want))) {
		TH_LOG("want: %s", want);
		TH_LOG("got:  %.*s", (int)strcspn(next + 1, "\n"), next + 1);
	}
	free(out);
	release(&r);
}

/*
 * JSON numbers: counts and nanoseconds are integers; the few decimals
 * (seconds, rates) are written with a fixed number of decimals, never
 * through a double's %.17g (0.050249062999999997, 141956.0).
 */
static const struct {
	const char *key;
	int decimals;
} decimal_keys[] = {
	{ "elapsed_s", 9 }, { "zombie_seconds", 9 }, { "duration_s", 9 },
	{ "interval_s", 3 }, { "rate", 3 }, { "zombies_per_min", 2 },
	{ "used_per_min", 2 }, { "live_per_min", 2 }, { "used_pct", 1 },
	{ "warn_pct", 1 }, { "full_in_s", 1 },
};

/* Whether text is [-]DIGITS.DIGITS with exactly decimals after the dot. */
static bool is_fixed(const char *text, int decimals)
{
	const char *dot;

	if (*text == '-')
		text++;
	dot = strchr(text, '.');
	if (!dot || dot == text || (int)strlen(dot + 1) != decimals)
		return false;
	for (const char *c = text; *c; c++)
		if (c != dot && (*c < '0' || *c > '9'))
			return false;
	return true;
}

/* Numbers in o (json-c keeps each parsed number's text) that break the rule. */
static int bad_numbers(struct json_object *o, const char *key, char *why,
		       size_t len)
{
	int bad = 0;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v)
			bad += bad_numbers(v, k, why, len);
		return bad;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			bad += bad_numbers(json_object_array_get_idx(o, i), key,
					   why, len);
		return bad;
	case json_type_double:
		for (size_t i = 0; i < ARRAY_SIZE(decimal_keys); i++)
			if (key && !strcmp(key, decimal_keys[i].key) &&
			    is_fixed(json_object_to_json_string(o),
				     decimal_keys[i].decimals))
				return 0;
		snprintf(why, len, "\"%s\":%s", key ? key : "",
			 json_object_to_json_string(o));
		return 1;
	default:
		return 0;
	}
}

/* Every line of text is a JSON object whose numbers keep the rule. */
static void expect_json_numbers(struct __test_metadata *_metadata,
				const char *what, char *text)
{
	char why[256] = "";
	int lines = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save), lines++) {
		struct json_object *o = json_parse_deep(l);

		ASSERT_NE(NULL, o) TH_LOG("%s: not JSON: %.300s", what, l);
		EXPECT_EQ(0, bad_numbers(o, NULL, why, sizeof(why))) {
			TH_LOG("%s: %s", what, why);
		}
		json_object_put(o);
	}
	EXPECT_LT(0, lines) TH_LOG("%s printed nothing", what);
}

static int64_t jint(struct __test_metadata *_metadata, struct json_object *o,
		    const char *key, int64_t min)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		TH_LOG("no %s", key);
		return -1;
	}
	EXPECT_EQ(json_type_int, json_object_get_type(v)) TH_LOG("%s", key);
	EXPECT_LE(min, json_object_get_int64(v)) TH_LOG("%s", key);
	return json_object_get_int64(v);
}

/* fork_to_exec's percentiles: whole numbers, each at least the last. */
static void check_percentiles(struct __test_metadata *_metadata,
			      struct json_object *lat)
{
	int64_t p50 = jint(_metadata, lat, "p50_ns", 1);
	int64_t p90 = jint(_metadata, lat, "p90_ns", p50);
	int64_t p99 = jint(_metadata, lat, "p99_ns", p90);

	jint(_metadata, lat, "max_ns", p99);
}

TEST(stat_json_numbers_are_integers_or_exact_decimals)
{
	char path[] = "/tmp/forkscope-stat-XXXXXX";
	const char *args[] = { "-j", "stat", "-o", path, "--", "/bin/sh", "-c",
			       "/bin/true; /bin/true & wait; exit 3", NULL };
	struct json_object *o, *v, *lat;
	int fd = mkstemp(path);
	struct run r;
	char *text;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start(&r, args, -1));
	ASSERT_EQ(3, finish(&r));
	text = slurp(fd);
	close(fd);
	unlink(path);
	release(&r);
	o = json_tokener_parse(text);
	ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", text);

	EXPECT_EQ(3, jint(_metadata, o, "processes", 0));
	EXPECT_EQ(0, jint(_metadata, o, "threads", 0));
	EXPECT_EQ(3, jint(_metadata, o, "execs", 0));
	EXPECT_EQ(0, jint(_metadata, o, "zombies_left", 0));
	ASSERT_TRUE(json_object_object_get_ex(o, "elapsed_s", &v));
	EXPECT_EQ(json_type_double, json_object_get_type(v));
	EXPECT_TRUE(is_fixed(json_object_to_json_string(v), 9))
		TH_LOG("elapsed_s %s", json_object_to_json_string(v));
	EXPECT_LT(0, json_object_get_double(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "zombie_seconds", &v));
	EXPECT_TRUE(is_fixed(json_object_to_json_string(v), 9))
		TH_LOG("zombie_seconds %s", json_object_to_json_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "fork_to_exec", &lat));
	EXPECT_EQ(2, jint(_metadata, lat, "count", 0));
	check_percentiles(_metadata, lat);
	json_object_put(o);
	/* And nothing else in it is a float. */
	expect_json_numbers(_metadata, "stat", text);
	free(text);
}

/*
 * Runs forkscope to the end and checks every number it printed; status -1:
 * 0 or 1 (zombies: none or found).
 */
static void expect_command_json_numbers(struct __test_metadata *_metadata,
					const char *const args[], int status)
{
	struct run r;
	char *out;
	int st;

	ASSERT_EQ(0, start(&r, args, -1));
	st = finish(&r);
	if (status < 0) {
		ASSERT_TRUE(st == 0 || st == 1) TH_LOG("exit %d", st);
	} else {
		ASSERT_EQ(status, st);
	}
	out = slurp(r.out);
	expect_json_numbers(_metadata, args[1], out);
	free(out);
	release(&r);
}

TEST(every_command_json_numbers_are_integers_or_exact_decimals)
{
	pid_t leaker;

	expect_command_json_numbers(_metadata,
				    (const char *[]){ "-j", "trace", "-d", "0.3", NULL }, 0);
	expect_command_json_numbers(_metadata, (const char *[]){ "-j", "tree", NULL }, 0);
	/* A zombie of our own, so that zombies has rates to print. */
	leaker = fork();
	if (leaker == 0) {
		if (fork() == 0)
			_exit(0);
		pause();
		_exit(0);
	}
	ASSERT_LT(0, leaker);
	expect_command_json_numbers(_metadata,
				    (const char *[]){ "-j", "zombies", "-m", "0", NULL }, -1);
	kill(leaker, SIGKILL);
	waitpid(leaker, NULL, 0);
	expect_command_json_numbers(_metadata,
				    (const char *[]){ "-j", "cow", "-c", "2", "-I", "0.1", NULL }, 0);
	expect_command_json_numbers(_metadata,
				    (const char *[]){ "-j", "pids", "-d", "0.3", NULL }, -1);
}

TEST_HARNESS_MAIN
