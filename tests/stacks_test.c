// SPDX-License-Identifier: GPL-2.0-only
/*
 * --stacks: the fork call sites of real processes, named. The Makefile
 * builds tests/progs/fork_sites.c the ways binaries ship (frame pointers
 * or none, a stripped binary with its debug file found by build-id, a
 * call site in a shared library) into progs/ beside this suite, which
 * runs each: it leaves one zombie, then forks N
 * children from leak_site(), which never waits, and N from wait_site(),
 * which does. zombies --stacks must name leak_site and its line for
 * exactly N zombies, and wait_site as the site that waits; a parent gone
 * before its stacks are resolved gets "exited", not a guess. And the
 * parent's side: its SIGCHLD handler named, how often it waited, and
 * what it is doing now (blocked in epoll_wait, spinning, stopped).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "json_get.h"

#define N		5
#define REPORT_MS	20000	/* a bound on a failure, never a wait */

/* progs/NAME beside this suite's binary: the guests have it there too. */
static void prog_path(char *buf, size_t len, const char *name)
{
	char self[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	self[n > 0 ? n : 0] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, len, "%s/progs/%s", self, name);
}

/* The program under test, reading its go line from a pipe. */
struct prog {
	pid_t pid;
	int go;			/* write end of its stdin */
	FILE *out;		/* its stdout */
	int leak_line, wait_line, lib_line;	/* where it forks */
	int handler_line, epoll_line, spin_line;
};

/* mode: "" or "exit"; doing: what it does after forking (fork_sites.c). */
static int prog_start_doing(struct prog *p, const char *bin, const char *mode,
			    const char *doing)
{
	int in[2], out[2];
	char line[32];

	if (pipe(in) || pipe(out))
		return -1;
	p->pid = fork();
	if (p->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(bin, bin, "5", mode, doing, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->go = in[1];
	p->out = fdopen(out[0], "r");
	/* Its first zombie is there once it says ready. */
	return p->out && fgets(line, sizeof(line), p->out) &&
	       !strcmp(line, "ready\n") ? 0 : -1;
}

static int prog_start(struct prog *p, const char *bin, const char *mode)
{
	return prog_start_doing(p, bin, mode, "read");
}

/* Tells it to fork; returns once it has, with its lines of fork. */
static int prog_fork(struct prog *p)
{
	char line[128];

	if (write(p->go, "go\n", 3) != 3)
		return -1;
	return fgets(line, sizeof(line), p->out) &&
	       sscanf(line, "forked leak=%d wait=%d lib=%d handler=%d epoll=%d spin=%d",
		      &p->leak_line, &p->wait_line, &p->lib_line,
		      &p->handler_line, &p->epoll_line, &p->spin_line) == 6 ?
	       0 : -1;
}

static void prog_end(struct prog *p)
{
	if (p->go >= 0)
		close(p->go);
	p->go = -1;
	if (p->out)
		fclose(p->out);
	p->out = NULL;
	if (p->pid > 0)
		waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

/* progs/NAME started with mode, under trace --stacks -j -p it. */
static int trace_prog(struct prog *p, struct run *r, const char *name,
		      const char *mode)
{
	const char *args[] = { "trace", "--stacks", "-e", "fork", "-j", "-p",
			       NULL, NULL };
	char bin[512], pid[16];

	prog_path(bin, sizeof(bin), name);
	if (prog_start(p, bin, mode))
		return -1;
	snprintf(pid, sizeof(pid), "%d", p->pid);
	args[6] = pid;
	return start_trace(r, args);
}

/* The site in parent whose call-site frame is function, or NULL. */
static struct json_object *site_of(struct json_object *parent,
				   const char *function)
{
	struct json_object *sites = get(parent, "sites");

	for (size_t i = 0; sites && i < json_object_array_length(sites); i++) {
		struct json_object *s = json_object_array_get_idx(sites, i);
		struct json_object *frames = get(s, "stack.frames");
		int64_t at = get_int(s, "stack.site_frame");
		struct json_object *f;

		if (!frames || at < 0 ||
		    (size_t)at >= json_object_array_length(frames))
			continue;
		f = json_object_array_get_idx(frames, at);
		if (!strcmp(get_text(f, "function"), function))
			return s;
	}
	return NULL;
}

static struct json_object *site_frame(struct json_object *site)
{
	return json_object_array_get_idx(get(site, "stack.frames"),
					 get_int(site, "stack.site_frame"));
}

/* The parent pid in the last report line of out, or NULL. */
static struct json_object *last_parent(const char *out, pid_t pid,
				       struct json_object **root)
{
	const char *line = out, *nl;
	struct json_object *parents;

	*root = NULL;
	for (const char *p = out; (nl = strchr(p, '\n')) && nl[1]; p = nl + 1)
		line = nl + 1;
	*root = json_tokener_parse(line);
	parents = *root ? get(*root, "parents") : NULL;
	for (size_t i = 0; parents && i < json_object_array_length(parents);
	     i++) {
		struct json_object *p = json_object_array_get_idx(parents, i);

		if (get_int(p, "pid") == pid)
			return p;
	}
	return NULL;
}

/*
 * Waits for a report whose site of function holds want zombies: reports
 * come every interval; the bound is for a run that never gets there.
 */
static int wait_report(struct run *r, pid_t pid, const char *function,
		       int want)
{
	uint64_t end = fs_boot_ns() + REPORT_MS * NSEC_PER_MSEC;

	while (fs_boot_ns() < end) {
		char *out = slurp(r->out);
		struct json_object *root, *p = last_parent(out, pid, &root);
		struct json_object *s = p ? site_of(p, function) : NULL;
		bool done = s && get_int(s, "nr_zombies") == want;

		json_object_put(root);
		free(out);
		if (done)
			return 0;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			return -1;
		usleep(50000);
	}
	return -1;
}


/*
 * Runs bin under zombies --stacks until the report names leak_site's N
 * zombies; checks both sites and, with lib, lib_leak's. Returns the
 * method of leak_site's stack in method.
 */
static void check_sites(struct __test_metadata *_metadata, const char *name,
			bool lib, char *method, size_t len)
{
	const char *const args[] = { "zombies", "--stacks", "-w", "-I", "0.2",
				     "-m", "0.3", "-j", NULL };
	struct json_object *root, *p, *leak, *wait, *f;
	struct prog prog = { .go = -1 };
	struct run r;
	char bin[512], *out;

	prog_path(bin, sizeof(bin), name);
	ASSERT_EQ(0, prog_start(&prog, bin, ""));
	ASSERT_EQ(0, start(&r, args, -1));
	/* Polling: it has snapshotted and made the leaking parent a target. */
	ASSERT_EQ(0, wait_polling(&r));
	ASSERT_EQ(0, prog_fork(&prog));
	EXPECT_EQ(0, wait_report(&r, prog.pid, "leak_site", N));
	if (lib)
		EXPECT_EQ(0, wait_report(&r, prog.pid, "lib_leak", N));
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));	/* zombies found */
	out = slurp(r.out);
	p = last_parent(out, prog.pid, &root);
	ASSERT_NE(NULL, p);
	/* One zombie forked before the parent was a target, N after. */
	EXPECT_EQ(N + 1 + (lib ? N : 0), get_int(p, "nr_zombies"));
	leak = site_of(p, "leak_site");
	ASSERT_NE(NULL, leak);
	EXPECT_EQ(N, get_int(leak, "nr_zombies"));
	EXPECT_EQ(N, get_int(leak, "forked"));
	EXPECT_EQ(0, get_int(leak, "reaped"));
	EXPECT_STREQ("false", get_text(leak, "waits"));
	EXPECT_STREQ("false", get_text(leak, "stack.partial"));
	f = site_frame(leak);
	EXPECT_EQ(prog.leak_line, get_int(f, "line"));
	EXPECT_NE(NULL, strstr(get_text(f, "file"), "fork_sites.c"));
	EXPECT_STREQ(bin, get_text(f, "module"));
	EXPECT_EQ(40, strlen(get_text(f, "build_id")));
	snprintf(method, len, "%s", get_text(leak, "stack.method"));
	/* The waiting site: all its children reaped, none blamed. */
	wait = site_of(p, "wait_site");
	ASSERT_NE(NULL, wait);
	EXPECT_EQ(0, get_int(wait, "nr_zombies"));
	EXPECT_EQ(N, get_int(wait, "forked"));
	EXPECT_EQ(N, get_int(wait, "reaped"));
	EXPECT_STREQ("true", get_text(wait, "waits"));
	EXPECT_EQ(prog.wait_line, get_int(site_frame(wait), "line"));
	if (lib) {
		struct json_object *l = site_of(p, "lib_leak");

		ASSERT_NE(NULL, l);
		EXPECT_EQ(N, get_int(l, "nr_zombies"));
		f = site_frame(l);
		EXPECT_EQ(prog.lib_line, get_int(f, "line"));
		EXPECT_NE(NULL, strstr(get_text(f, "module"),
				       "/libforksite.so"));
		/* Its caller, in the executable: the stack goes on. */
		f = json_object_array_get_idx(get(l, "stack.frames"),
				get_int(l, "stack.site_frame") + 1);
		EXPECT_STREQ("forks", get_text(f, "function"));
	}
	json_object_put(root);
	free(out);
	/* The text says the same in words. */
	prog_end(&prog);
	release(&r);
}

TEST(no_frame_pointers_unwound_by_dwarf)
{
	char method[16];

	check_sites(_metadata, "nofp", false, method, sizeof(method));
	/* The frame-pointer walk stops short here: DWARF gave it. */
	EXPECT_STREQ("dwarf", method);
}

TEST(frame_pointers)
{
	char method[16];

	check_sites(_metadata, "fp", false, method, sizeof(method));
	EXPECT_TRUE(!strcmp(method, "dwarf") || !strcmp(method, "fp"));
}

/*
 * Stripped of every symbol (the Makefile's strip --strip-all), its debug
 * file where Debian's -dbgsym packages put them, by build-id, under a
 * directory FORKSCOPE_DEBUGINFO_PATH names.
 */
TEST(stripped_with_a_debug_file_by_build_id)
{
	char method[16], debug[512];

	prog_path(debug, sizeof(debug), "debug");
	setenv("FORKSCOPE_DEBUGINFO_PATH", debug, 1);
	check_sites(_metadata, "stripped", false, method, sizeof(method));
	unsetenv("FORKSCOPE_DEBUGINFO_PATH");
	EXPECT_STREQ("dwarf", method);
}

TEST(a_call_site_in_a_shared_library)
{
	char method[16];

	check_sites(_metadata, "withlib", true, method, sizeof(method));
}

/*
 * The parent forks and exits while forkscope is stopped: when it reads
 * the stacks the process is gone, and they say so.
 */
TEST(a_parent_gone_before_resolving_is_exited)
{
	struct prog prog = { .go = -1 };
	char *out, *line, *save;
	int stacks = 0, exited = 0;
	struct run r;

	ASSERT_EQ(0, trace_prog(&prog, &r, "nofp", "exit"));
	ASSERT_EQ(0, kill(r.pid, SIGSTOP));
	ASSERT_EQ(0, prog_fork(&prog));
	prog_end(&prog);		/* exited and reaped */
	/* Stopping, it drains the ring: every stack is read after the exit. */
	ASSERT_EQ(0, kill(r.pid, SIGCONT));
	kill(r.pid, SIGINT);
	EXPECT_EQ(0, finish(&r));
	out = slurp(r.out);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);

		if (o && !strcmp(get_text(o, "event"), "fork-stack")) {
			stacks++;
			exited += !strcmp(get_text(o, "stack.method"),
					  "exited") &&
				  json_object_array_length(
					get(o, "stack.frames")) == 0;
		}
		json_object_put(o);
	}
	/* N from each site; the first zombie's fork was before tracing. */
	EXPECT_EQ(2 * N, stacks);
	EXPECT_EQ(2 * N, exited);
	free(out);
	release(&r);
}

/* Runs bin, doing what it is told after its forks, under zombies --stacks. */
static int look_start(struct prog *prog, struct run *r, const char *name,
		      const char *doing)
{
	const char *const args[] = { "zombies", "--stacks", "-w", "-I", "0.2",
				     "-m", "0.3", "-j", NULL };
	char bin[512];

	prog_path(bin, sizeof(bin), name);
	if (prog_start_doing(prog, bin, "", doing) || start(r, args, -1) ||
	    wait_polling(r))
		return -1;
	return prog_fork(prog);
}

/*
 * The parent object of the first report whose look at prog passes
 * done() (*root to put), or NULL when none did in time.
 */
static struct json_object *wait_look(struct prog *prog, struct run *r,
				     bool (*done)(struct json_object *now),
				     struct json_object **root)
{
	uint64_t end = fs_boot_ns() + REPORT_MS * NSEC_PER_MSEC;

	*root = NULL;
	while (fs_boot_ns() < end) {
		char *out = slurp(r->out);
		struct json_object *p = last_parent(out, prog->pid, root);
		struct json_object *now = p ? get(p, "now") : NULL;

		free(out);
		if (now && json_object_get_type(now) == json_type_object &&
		    done(now))
			return p;
		json_object_put(*root);
		*root = NULL;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			return NULL;
		usleep(50000);
	}
	return NULL;
}

/* One text report of zombies --stacks: it found zombies (exit 1). */
static char *one_report(struct __test_metadata *_metadata)
{
	const char *const args[] = { "zombies", "--stacks", "-m", "0.3", NULL };
	char *out = NULL, *err = NULL;

	EXPECT_EQ(1, run_to_end(args, &out, &err));
	free(err);
	return out ? out : strdup("");
}

static struct json_object *thread0(struct json_object *now)
{
	return json_object_array_get_idx(get(now, "threads_now"), 0);
}

/* The frame of function in a thread's stack, or NULL. */
static struct json_object *frame_of(struct json_object *t, const char *fn)
{
	struct json_object *frames = get(t, "stack.frames");

	for (size_t i = 0; frames && i < json_object_array_length(frames); i++) {
		struct json_object *f = json_object_array_get_idx(frames, i);

		if (!strcmp(get_text(f, "function"), fn))
			return f;
	}
	return NULL;
}

static bool in_epoll(struct json_object *now)
{
	return !strcmp(get_text(thread0(now), "syscall"), "epoll_wait");
}

/*
 * A handler that never waits: named with its line, and the parent seen
 * blocked in epoll_wait() in idle_in_epoll(), the line named too.
 */
TEST(the_parent_side_a_handler_that_never_waits)
{
	struct prog prog = { .go = -1 };
	struct json_object *root, *p, *t, *f;
	char debug[512];
	struct run r;

	prog_path(debug, sizeof(debug), "debug");
	setenv("FORKSCOPE_DEBUGINFO_PATH", debug, 1);
	ASSERT_EQ(0, look_start(&prog, &r, "stripped", "epoll"));
	p = wait_look(&prog, &r, in_epoll, &root);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("handler", get_text(p, "now.sigchld_action.disposition"));
	EXPECT_STREQ("on_sigchld",
		     get_text(p, "now.sigchld_action.handler.function"));
	EXPECT_EQ(prog.handler_line,
		  get_int(p, "now.sigchld_action.handler.line"));
	EXPECT_STREQ("SA_RESTART", json_object_get_string(
		json_object_array_get_idx(get(p, "now.sigchld_action.sa_flags"),
					  0)));
	EXPECT_EQ(0, get_int(p, "now.sigchld_action.threads_blocking"));
	/*
	 * wait_site's N waits, watched; a leaked child's SIGCHLD during
	 * one restarts it (SA_RESTART), a second call.
	 */
	EXPECT_GE(get_int(p, "now.nr_waits"), N);
	EXPECT_LE(get_int(p, "now.nr_waits"), 2 * N);
	t = thread0(get(p, "now"));
	EXPECT_EQ(1, json_object_array_length(get(p, "now.threads_now")));
	EXPECT_EQ(prog.pid, get_int(t, "pid"));
	EXPECT_STREQ("sleeping", get_text(t, "state"));
	EXPECT_STRNE("", get_text(t, "wchan"));
	EXPECT_STREQ("false", get_text(t, "in_page_fault"));
	f = frame_of(t, "idle_in_epoll");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(prog.epoll_line, get_int(f, "line"));
	EXPECT_NE(NULL, frame_of(t, "main"));
	EXPECT_STREQ("dwarf", get_text(t, "stack.method"));
	json_object_put(root);
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));
	release(&r);
	/* In words: one report, as the issue asks it said. */
	{
		char want[128], *out = one_report(_metadata);

		snprintf(want, sizeof(want),
			 "SIGCHLD: handler on_sigchld (fork_sites.c:%d), SA_RESTART; 0 waits in",
			 prog.handler_line);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
		snprintf(want, sizeof(want),
			 "idle_in_epoll (fork_sites.c:%d) <- main (fork_sites.c:",
			 prog.epoll_line);
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "now: sleeping in epoll_wait (kernel: "));
		free(out);
	}
	unsetenv("FORKSCOPE_DEBUGINFO_PATH");
	prog_end(&prog);
}

#define THREADS 8	/* fork_sites' blocked mode: main and 7 nappers */

static bool all_in_epoll(struct json_object *now)
{
	return in_epoll(now) &&
	       json_object_array_length(get(now, "threads_now")) == THREADS;
}

/*
 * A handler that can never run: SIGCHLD blocked in every thread, so it
 * stays pending; each of the 8 threads told (their stacks take more than
 * one read of the iterator), the nappers asleep in their own code.
 */
TEST(the_parent_side_sigchld_blocked_in_every_thread)
{
	struct prog prog = { .go = -1 };
	struct json_object *root, *p, *t;
	struct run r;

	ASSERT_EQ(0, look_start(&prog, &r, "nofp", "blocked"));
	p = wait_look(&prog, &r, all_in_epoll, &root);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(THREADS, get_int(p, "now.sigchld_action.threads_blocking"));
	t = thread0(get(p, "now"));
	EXPECT_EQ(prog.pid, get_int(t, "pid"));
	EXPECT_STREQ("true", get_text(t, "sigchld_blocked"));
	EXPECT_STREQ("true", get_text(t, "sigchld_pending"));
	for (int i = 1; i < THREADS; i++) {
		t = json_object_array_get_idx(get(p, "now.threads_now"), i);
		EXPECT_STREQ("fs-napper", get_text(t, "comm"));
		EXPECT_NE(prog.pid, get_int(t, "pid"));
		EXPECT_STREQ("sleeping", get_text(t, "state"));
		EXPECT_STREQ("clock_nanosleep", get_text(t, "syscall"));
		EXPECT_NE(NULL, frame_of(t, "napper")) {
			TH_LOG("thread %d", i);
		}
		EXPECT_STREQ("true", get_text(t, "sigchld_blocked"));
	}
	json_object_put(root);
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));
	release(&r);
	{
		char *out = one_report(_metadata);

		EXPECT_NE(NULL, strstr(out, "; blocked in every thread: the handler never runs\n"))
			TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "now, thread "));
		free(out);
	}
	prog_end(&prog);
}

static bool busy(struct json_object *now)
{
	struct json_object *t = thread0(now);

	return !strcmp(get_text(t, "state"), "running") &&
	       get_int(t, "cpu_percent") >= 50;
}

/* Spinning: running in user space, most of a CPU, in spin(). */
TEST(the_parent_side_a_busy_loop)
{
	struct prog prog = { .go = -1 };
	struct json_object *root, *p, *t, *f;
	struct run r;

	ASSERT_EQ(0, look_start(&prog, &r, "nofp", "spin"));
	p = wait_look(&prog, &r, busy, &root);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("default", get_text(p, "now.sigchld_action.disposition"));
	t = thread0(get(p, "now"));
	{
		struct json_object *sc = t;

		EXPECT_TRUE(json_object_object_get_ex(t, "syscall", &sc));
		EXPECT_EQ(NULL, sc);	/* JSON null: in no syscall */
	}
	f = frame_of(t, "spin");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(prog.spin_line, get_int(f, "line"));
	json_object_put(root);
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));
	kill(prog.pid, SIGKILL);
	prog_end(&prog);
	release(&r);
}

static bool stopped(struct json_object *now)
{
	return !strcmp(get_text(thread0(now), "state"), "stopped");
}

static bool in_read(struct json_object *now)
{
	return !strcmp(get_text(thread0(now), "syscall"), "read");
}

/* SIGSTOP: stopped, where it was (in read(), from main). */
TEST(the_parent_side_stopped)
{
	struct prog prog = { .go = -1 };
	struct json_object *root, *p;
	struct run r;

	ASSERT_EQ(0, look_start(&prog, &r, "fp", "read"));
	p = wait_look(&prog, &r, in_read, &root);
	ASSERT_NE(NULL, p);
	json_object_put(root);
	ASSERT_EQ(0, kill(prog.pid, SIGSTOP));
	p = wait_look(&prog, &r, stopped, &root);
	ASSERT_NE(NULL, p);
	EXPECT_NE(NULL, frame_of(thread0(get(p, "now")), "main"));
	json_object_put(root);
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));
	kill(prog.pid, SIGCONT);
	prog_end(&prog);
	release(&r);
}

/* fork-stack events in out: their fp_ips, in order, into ips[]. */
static int fork_stacks(const char *out, int64_t *ips, int max)
{
	char *copy = strdup(out), *line, *save;
	int n = 0;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);

		if (o && !strcmp(get_text(o, "event"), "fork-stack") &&
		    n < max)
			ips[n++] = get_int(o, "fp_ips");
		json_object_put(o);
	}
	free(copy);
	return n;
}

/* Waits until trace printed want fork stacks; their count. */
static int wait_stacks(struct run *r, int64_t *ips, int max, int want)
{
	uint64_t end = fs_boot_ns() + REPORT_MS * NSEC_PER_MSEC;
	int n = 0;

	while (fs_boot_ns() < end) {
		char *out = slurp(r->out);

		n = fork_stacks(out, ips, max);
		free(out);
		if (n >= want)
			break;
		usleep(50000);
	}
	return n;
}

/*
 * The kernel's frame-pointer walk is taken until the copy unwound one
 * stack whole; a target's later forks go without it (it costs ~6 us).
 */
TEST(the_walk_is_dropped_once_the_copy_unwinds_whole)
{
	struct prog prog = { .go = -1 };
	int64_t ips[4 * N];
	struct run r;

	ASSERT_EQ(0, trace_prog(&prog, &r, "nofp", ""));
	ASSERT_EQ(0, prog_fork(&prog));
	/* Printed: resolved, so the walk is off before the next round. */
	ASSERT_EQ(2 * N, wait_stacks(&r, ips, 4 * N, 2 * N));
	EXPECT_GT(ips[0], 0);
	ASSERT_EQ(0, prog_fork(&prog));
	ASSERT_EQ(4 * N, wait_stacks(&r, ips, 4 * N, 4 * N));
	for (int i = 2 * N; i < 4 * N; i++) {
		EXPECT_EQ(0, ips[i]) {
			TH_LOG("fork stack %d", i);
		}
	}
	kill(r.pid, SIGINT);
	EXPECT_EQ(0, finish(&r));
	prog_end(&prog);
	release(&r);
}

/*
 * A recording keeps each stack named as it was resolved while recording:
 * read back after the parent is gone, leak_site is still named.
 */
TEST(a_recording_names_its_stacks_after_the_parent_is_gone)
{
	const char *args[] = { "record", "--stacks", "-o", NULL, "-p", NULL,
			       NULL };
	struct prog prog = { .go = -1 };
	char bin[512], pid[16], file[] = "/tmp/forkscope-stacks-XXXXXX";
	char *out = NULL, *err = NULL, *line, *save;
	int fd = mkstemp(file), named = 0, stacks = 0, leak_line;
	struct run r;

	ASSERT_LE(0, fd);
	close(fd);
	prog_path(bin, sizeof(bin), "nofp");
	ASSERT_EQ(0, prog_start(&prog, bin, ""));
	snprintf(pid, sizeof(pid), "%d", prog.pid);
	args[3] = file;
	args[5] = pid;
	ASSERT_EQ(0, start(&r, args, -1));
	ASSERT_EQ(0, wait_polling(&r));
	ASSERT_EQ(0, prog_fork(&prog));
	leak_line = prog.leak_line;
	/* Stopping, it drains and names every stack: the parent is there. */
	kill(r.pid, SIGINT);
	EXPECT_EQ(0, finish(&r));
	release(&r);
	prog_end(&prog);		/* gone before the recording is read */
	{
		const char *const back[] = { "trace", "-i", file, "-j", NULL };

		EXPECT_EQ(0, run_to_end(back, &out, &err));
	}
	ASSERT_NE(NULL, out);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);
		struct json_object *f;

		if (o && !strcmp(get_text(o, "event"), "fork-stack")) {
			stacks++;
			f = json_object_array_get_idx(get(o, "stack.frames"),
					get_int(o, "stack.site_frame"));
			named += !strcmp(get_text(f, "function"), "leak_site") &&
				 get_int(f, "line") == leak_line;
		}
		json_object_put(o);
	}
	EXPECT_EQ(2 * N, stacks);
	EXPECT_EQ(N, named);
	free(out);
	free(err);
	unlink(file);
}

/*
 * A look recorded reads back as it was seen: the handler, the kernel
 * function and the user stack named, the parent long gone.
 */
TEST(a_recorded_look_reads_back_named)
{
	const char *args[] = { "zombies", "--stacks", "-w", "-I", "0.2", "-m",
			       "0.3", "-j", "--record", NULL, NULL };
	char file[] = "/tmp/forkscope-looks-XXXXXX", bin[512];
	struct prog prog = { .go = -1 };
	struct json_object *root, *p, *t;
	char *out = NULL, *err = NULL;
	int fd = mkstemp(file), epoll_line;
	pid_t pid;
	struct run r;

	ASSERT_LE(0, fd);
	close(fd);
	args[9] = file;
	prog_path(bin, sizeof(bin), "nofp");
	ASSERT_EQ(0, prog_start_doing(&prog, bin, "", "epoll"));
	ASSERT_EQ(0, start(&r, args, -1));
	ASSERT_EQ(0, wait_polling(&r));
	ASSERT_EQ(0, prog_fork(&prog));
	p = wait_look(&prog, &r, in_epoll, &root);
	ASSERT_NE(NULL, p);
	json_object_put(root);
	kill(r.pid, SIGINT);
	EXPECT_EQ(1, finish(&r));
	release(&r);
	pid = prog.pid;
	epoll_line = prog.epoll_line;
	prog_end(&prog);		/* gone before the recording is read */
	{
		const char *const back[] = { "zombies", "-i", file, "-j", "-m",
					     "0.3", NULL };

		EXPECT_EQ(1, run_to_end(back, &out, &err));
	}
	ASSERT_NE(NULL, out);
	p = last_parent(out, pid, &root);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("on_sigchld",
		     get_text(p, "now.sigchld_action.handler.function"));
	t = thread0(get(p, "now"));
	EXPECT_STREQ("epoll_wait", get_text(t, "syscall"));
	EXPECT_STRNE("", get_text(t, "wchan"));
	EXPECT_EQ(epoll_line, get_int(frame_of(t, "idle_in_epoll"), "line"));
	json_object_put(root);
	free(out);
	free(err);
	unlink(file);
}

/* The module captures no stacks: one line, and no trace. */
TEST(kmod_source_refuses_stacks)
{
	const char *const args[] = { "-s", "kmod", "trace", "--stacks", "-d",
				     "0.1", NULL };
	char *err;
	int st;

	st = run_to_end(args, NULL, &err);
	EXPECT_NE(0, st);
	EXPECT_NE(NULL, strstr(err, "captures no fork stacks"));
	EXPECT_EQ(1, count_lines(err));
	free(err);
}

TEST_HARNESS_MAIN
