// SPDX-License-Identifier: GPL-2.0-only
/*
 * export --html, looked at in a real headless Chromium (tests/browser.h):
 * a parent forks three children, one execs /bin/true with arguments, one
 * exits 3, one stays a zombie for 300 ms before its parent reaps it.
 * The page must load with no script error and nothing blocked, hold a
 * lane for each process under its parent, with the spans drawn for it
 * (the zombie's as long as it was one), its exec and its exit status;
 * hovering the zombie with a real mouse must show what trace --explain
 * says of its exit and its reap, and Ctrl+wheel and a drag must zoom and
 * pan. Once from synthetic records (exact times, an argv holding
 * "</script>"), once recorded live (record -p, then export -i).
 *
 * Each test leaves what it saw beside this binary for people to look
 * at: html_test.NAME.html (the page), .png (the screenshot, with the
 * zombie hovered), .dom.html (the DOM after the scripts ran) and
 * .chromium.log. Chromium runs once per test.
 */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "browser.h"
#include "cli.h"
#include "html_view.h"
#include "model.h"
#include "synth.h"
#include "timeline.h"

#define ZOMBIE_MS	300	/* how long the late child stays a zombie */
#define PAGE_W		1280
#define PAGE_H		720

/* The workload's processes, and what the page must say of them. */
struct workload {
	int parent, exec_child, exit3_child, zombie_child;
	const char *parent_comm;
	int lanes;		/* processes the page must show */
	int odd_pid;		/* one whose argv holds this, if not 0 */
	const char *odd_arg;
};

FIXTURE(html) {
	struct browser b;	/* ended by the teardown, whatever failed */
	struct run rec;		/* forkscope record, while it runs */
	pid_t work;		/* the live workload's parent, until reaped */
};

FIXTURE_SETUP(html)
{
	self->b.pid = -1;
	self->rec.pid = -1;
	self->work = -1;
}

FIXTURE_TEARDOWN(html)
{
	if (self->b.pid > 0)
		browser_close(&self->b);
	if (self->rec.pid > 0) {
		kill(self->rec.pid, SIGKILL);
		finish(&self->rec);
		release(&self->rec);
	}
	if (self->work > 0) {
		kill(self->work, SIGKILL);
		waitpid(self->work, NULL, 0);
	}
}

/* Where a test leaves what it saw: beside this binary, NAME suffixed. */
static void out_path(char *buf, size_t len, const char *test,
		     const char *what)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = 0;
	snprintf(buf, len, "%s/html_test.%s%s", dirname(exe), test, what);
}

/* The lane of pid as the DOM has it: [ppid, depth, spans, end text]. */
static struct json_object *lane(struct browser *b, int pid)
{
	char js[256];

	snprintf(js, sizeof(js),
		 "(e => e ? [+e.dataset.ppid, +e.dataset.depth, e.dataset.spans,"
		 " e.querySelector('.end').textContent] : null)"
		 "(document.querySelector('.lane[data-pid=\"%d\"]'))", pid);
	return browser_eval(b, js);
}

static int lane_count(struct browser *b)
{
	return browser_eval_num(b, "document.querySelectorAll('.lane').length");
}

static const char *lane_str(struct json_object *l, int i)
{
	return json_object_get_string(json_object_array_get_idx(l, i));
}

static int lane_int(struct json_object *l, int i)
{
	return json_object_get_int(json_object_array_get_idx(l, i));
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/* The page loaded, its script ran to the end, nothing went wrong. */
static void check_loaded(struct __test_metadata *_metadata, struct browser *b)
{
	char *ready = browser_eval_str(b, "document.body.dataset.ready || ''");
	char *errors = browser_eval_str(b, "document.body.dataset.errors");

	ASSERT_NE(NULL, ready) TH_LOG("%s", b->error);
	EXPECT_STREQ("1", ready);
	ASSERT_NE(NULL, errors) TH_LOG("%s", b->error);
	EXPECT_STREQ("", errors);
	free(ready);
	free(errors);
}

static void check_lanes(struct __test_metadata *_metadata, struct browser *b,
			const struct workload *w)
{
	const int kids[] = { w->exec_child, w->exit3_child, w->zombie_child };
	struct json_object *p = lane(b, w->parent), *l;
	char js[256];

	/* The parent and its children: exactly, nothing else. */
	EXPECT_EQ(w->lanes, lane_count(b));
	ASSERT_NE(NULL, p) TH_LOG("no lane for the parent %d", w->parent);
	for (int i = 0; i < 3; i++) {
		l = lane(b, kids[i]);
		ASSERT_NE(NULL, l) TH_LOG("no lane for child %d", kids[i]);
		EXPECT_EQ(w->parent, lane_int(l, 0));
		EXPECT_EQ(lane_int(p, 1) + 1, lane_int(l, 1));
		EXPECT_TRUE(has_word(lane_str(l, 2), "running"))
			TH_LOG("%d: spans '%s'", kids[i], lane_str(l, 2));
		/* Every child was a zombie, if only until its reap. */
		EXPECT_TRUE(has_word(lane_str(l, 2), "zombie"))
			TH_LOG("%d: spans '%s'", kids[i], lane_str(l, 2));
		EXPECT_STREQ(kids[i] == w->exit3_child ? "exit 3" : "exit 0",
			     lane_str(l, 3));
		json_object_put(l);
	}
	/* The parent waited: its lane shows the waits. */
	EXPECT_TRUE(has_word(lane_str(p, 2), "wait"))
		TH_LOG("parent: spans '%s'", lane_str(p, 2));
	json_object_put(p);

	snprintf(js, sizeof(js),
		 "forkscope.lanes.find(l => l.pid == %d).spans"
		 ".filter(s => s.kind == 'zombie').map(s => s.b - s.a)[0]",
		 w->zombie_child);
	EXPECT_TRUE(browser_eval_num(b, js) >= ZOMBIE_MS * 1e6)
		TH_LOG("zombie for %.0f ns", browser_eval_num(b, js));
	snprintf(js, sizeof(js),
		 "forkscope.lanes.find(l => l.pid == %d).marks"
		 ".filter(m => m.kind == 'exec').map(m => m.ev.line).join('|')",
		 w->exec_child);
	char *exec = browser_eval_str(b, js);

	ASSERT_NE(NULL, exec) TH_LOG("%s", b->error);
	/* One exec, worded as trace words it. */
	EXPECT_NE(NULL, strstr(exec, "/bin/true [ /bin/true a b ]"))
		TH_LOG("exec: %s", exec);
	EXPECT_EQ(NULL, strchr(exec, '|')) TH_LOG("exec: %s", exec);
	free(exec);
	if (!w->odd_pid)
		return;
	/* Shown as it was, not parsed: the JSON kept no '<' for HTML. */
	snprintf(js, sizeof(js),
		 "forkscope.lanes.find(l => l.pid == %d).cmd", w->odd_pid);
	char *cmd = browser_eval_str(b, js);

	ASSERT_NE(NULL, cmd) TH_LOG("%s", b->error);
	EXPECT_NE(NULL, strstr(cmd, w->odd_arg)) TH_LOG("cmd: %s", cmd);
	free(cmd);
}

/* A real mouse over the zombie span: the tooltip explains it. */
static void check_hover(struct __test_metadata *_metadata, struct browser *b,
			const struct workload *w)
{
	struct json_object *at;
	char js[160], want[200], *tip, *kind;

	snprintf(js, sizeof(js), "forkscope.point(%d, 'zombie')",
		 w->zombie_child);
	at = browser_eval(b, js);
	ASSERT_NE(NULL, at) TH_LOG("%s", b->error);
	ASSERT_EQ(0, browser_mouse(b, "mouseMoved",
		json_object_get_double(json_object_object_get(at, "x")),
		json_object_get_double(json_object_object_get(at, "y")), 0, 0))
		TH_LOG("%s", b->error);
	json_object_put(at);
	kind = browser_eval_str(b, "tip.hidden ? 'hidden' : tip.dataset.kind + ' ' + tip.dataset.pid");
	tip = browser_eval_str(b, "tip.textContent");
	ASSERT_NE(NULL, kind);
	ASSERT_NE(NULL, tip);
	snprintf(want, sizeof(want), "zombie %d", w->zombie_child);
	EXPECT_STREQ(want, kind);
	/* explain.c's sentences for the exit and for the reap. */
	snprintf(want, sizeof(want),
		 "now a zombie: only its pid and exit status remain, until parent %d (%s) waits for it",
		 w->parent, w->parent_comm);
	EXPECT_NE(NULL, strstr(tip, want)) TH_LOG("tooltip: %s", tip);
	snprintf(want, sizeof(want),
		 "release_task() in %d's wait freed the pid and the task",
		 w->parent);
	EXPECT_NE(NULL, strstr(tip, want)) TH_LOG("tooltip: %s", tip);
	free(kind);
	free(tip);
}

/* got within tol of want; the harness compares integers only. */
#define EXPECT_CLOSE(want, got, tol) do {				\
	double w_ = (want), g_ = (got);					\
									\
	EXPECT_TRUE(fabs(w_ - g_) <= (tol))				\
		TH_LOG("%s: want %.0f, got %.0f", #got, w_, g_);	\
} while (0)

static double view_span(struct browser *b)
{
	return browser_eval_num(b, "forkscope.view()[1] - forkscope.view()[0]");
}

/* Ctrl+wheel zooms around the mouse, a drag pans, "fit" goes back. */
static void check_zoom(struct __test_metadata *_metadata, struct browser *b)
{
	double fit = view_span(b), x, y, w, v0;

	x = browser_eval_num(b, "canvas.getBoundingClientRect().left + canvas.clientWidth / 2");
	y = browser_eval_num(b, "canvas.getBoundingClientRect().top + 40");
	w = browser_eval_num(b, "canvas.clientWidth");
	ASSERT_LT(100, w);
	/* deltaY -300: the span times exp(-0.6), by timeline.js. */
	ASSERT_EQ(0, browser_mouse(b, "mouseWheel", x, y, -300, 2));
	EXPECT_CLOSE(fit * 0.5488, view_span(b), fit * 0.005);
	v0 = browser_eval_num(b, "forkscope.view()[0]");
	ASSERT_EQ(0, browser_mouse(b, "mousePressed", x, y, 0, 0));
	ASSERT_EQ(0, browser_mouse(b, "mouseMoved", x - 100, y, 0, 0));
	ASSERT_EQ(0, browser_mouse(b, "mouseReleased", x - 100, y, 0, 0));
	EXPECT_CLOSE(v0 + 100 / w * view_span(b),
		    browser_eval_num(b, "forkscope.view()[0]"),
		    view_span(b) * 0.01);
	x = browser_eval_num(b, "(r => r.left + r.width / 2)"
			     "(document.getElementById('zoom-fit')"
			     ".getBoundingClientRect())");
	y = browser_eval_num(b, "(r => r.top + r.height / 2)"
			     "(document.getElementById('zoom-fit')"
			     ".getBoundingClientRect())");
	ASSERT_EQ(0, browser_mouse(b, "mousePressed", x, y, 0, 0));
	ASSERT_EQ(0, browser_mouse(b, "mouseReleased", x, y, 0, 0));
	EXPECT_CLOSE(fit, view_span(b), fit * 1e-9);
}

static void save_dom(struct browser *b, const char *path)
{
	char *dom = browser_eval_str(b, "document.documentElement.outerHTML");
	FILE *f = dom ? fopen(path, "w") : NULL;

	if (f) {
		fputs(dom, f);
		fclose(f);
	}
	free(dom);
}

/* Everything a page of the workload must show, in one Chromium. */
static void check_page(struct __test_metadata *_metadata, struct browser *b,
		       const char *test, const char *page,
		       const struct workload *w)
{
	char path[PATH_MAX], log[PATH_MAX], abs[PATH_MAX];
	unsigned char magic[8] = "";
	long png;
	FILE *f;

	ASSERT_NE(NULL, realpath(page, abs));
	out_path(log, sizeof(log), test, ".chromium.log");
	ASSERT_EQ(0, browser_open(b, PAGE_W, PAGE_H, log))
		TH_LOG("%s (see %s)", b->error, log);
	ASSERT_EQ(0, browser_load(b, abs)) TH_LOG("%s", b->error);
	check_loaded(_metadata, b);
	check_lanes(_metadata, b, w);
	/* Hovered for the screenshot: people see the explanation too. */
	check_hover(_metadata, b, w);
	out_path(path, sizeof(path), test, ".png");
	png = browser_screenshot(b, path);
	EXPECT_LT(10000, png) TH_LOG("%s", b->error);
	out_path(path, sizeof(path), test, ".dom.html");
	save_dom(b, path);
	check_zoom(_metadata, b);
	/* Nothing the mouse did threw. */
	check_loaded(_metadata, b);
	EXPECT_EQ(0, browser_close(b));
	out_path(path, sizeof(path), test, ".png");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(8, fread(magic, 1, 8, f));
	fclose(f);
	EXPECT_EQ(0, memcmp(magic, "\x89PNG\r\n\x1a\n", 8));
}

/* ---- from synthetic records ---- */

struct synth {
	struct fs_model m;
	struct fs_timeline *tl;
	struct fs_html *h;
	uint64_t t0;		/* the recording's start */
};

/* What export does with a record: model, timeline, the page's words. */
static void feed(struct synth *s, const struct fs_hdr *rec)
{
	struct fs_note note;

	fs_model_apply(&s->m, rec, &note);
	fs_timeline_apply(s->tl, &s->m, rec, &note);
	fs_html_capture(s->h, &s->m, rec, &note);
}

static uint64_t at_ms(struct synth *s, double ms)
{
	return s->t0 + (uint64_t)(ms * 1e6);
}

static void snap(struct synth *s)
{
	struct fs_rec_sync y;
	struct fs_rec_task t;
	const int tasks[][3] = { { 1, 0, 1 }, { 100, 1, 50 }, { 200, 100, 90 } };
	const char *comms[] = { "init", "bash", "workload" };

	synth_hdr(&y.hdr, FS_REC_SYNC, sizeof(y), 0, 0, 0, s->t0 - 10, 0, "");
	y.phase = FS_SYNC_BEGIN;
	y.generation = 1;
	feed(s, &y.hdr);
	for (int i = 0; i < 3; i++) {
		synth_hdr(&t.hdr, FS_REC_TASK, sizeof(t), tasks[i][0],
			  tasks[i][0], tasks[i][1], s->t0 - 5,
			  tasks[i][2] * 1000000ULL, comms[i]);
		t.flags = 0;
		t.status = 0;
		feed(s, &t.hdr);
	}
	synth_hdr(&y.hdr, FS_REC_SYNC, sizeof(y), 0, 0, 0, s->t0, 0, "");
	y.phase = FS_SYNC_END;
	y.generation = 1;
	feed(s, &y.hdr);
}

/* A record's header about pid at ms, as the model knows pid. */
static void hdr_of(struct synth *s, struct fs_hdr *h, unsigned int type,
		   size_t size, int pid, double ms)
{
	const struct fs_task *t = fs_proctab_get(&s->m.tab, pid);

	synth_hdr(h, type, size, pid, pid, t->ppid, at_ms(s, ms), t->start_ns,
		  t->comm);
}

static void fork_at(struct synth *s, double ms, int parent, int child)
{
	struct fs_rec_fork f;

	hdr_of(s, &f.hdr, FS_REC_FORK, sizeof(f), parent, ms);
	f.child_pid = f.child_tgid = child;
	f.child_ppid = parent;
	f.child_start_ns = at_ms(s, ms);
	feed(s, &f.hdr);
}

static void exec_at(struct synth *s, double ms, int pid, const char *comm,
		    const char *file, const char *args, size_t args_len)
{
	const struct fs_task *t = fs_proctab_get(&s->m.tab, pid);
	struct synth_exec x;

	synth_exec(&x, pid, pid, t->ppid, at_ms(s, ms), t->start_ns, comm, pid,
		   file, args, args_len);
	feed(s, &x.r.hdr);
}

static void exit_at(struct synth *s, double ms, int pid, int code)
{
	struct fs_rec_exit x;

	hdr_of(s, &x.hdr, FS_REC_EXIT, sizeof(x), pid, ms);
	x.flags = FS_EXIT_GROUP_DEAD;
	x.status = x.exit_code = code << 8;
	x.heir = 1;
	feed(s, &x.hdr);
}

/* waiter's wait, from its start to what it returned: child, reaped. */
static void wait_at(struct synth *s, double from, double to, int waiter,
		    int child)
{
	struct fs_rec_wait_result r;
	struct fs_rec_wait w;

	hdr_of(s, &w.hdr, FS_REC_WAIT, sizeof(w), waiter, from);
	feed(s, &w.hdr);
	hdr_of(s, &r.hdr, FS_REC_WAIT_RESULT, sizeof(r), waiter, to);
	r.ret = r.pid = child;
	r.status = fs_proctab_get(&s->m.tab, child)->status;
	r.syscall = FS_WAIT_SYS_WAIT4;
	r.flags = FS_WAITR_STATUS;
	feed(s, &r.hdr);
}

static const char true_args[] = "/bin/true\0a\0b";
/* A traced argv the page must show as it is, not parse. */
#define ODD_ARG	"</script><script>document.body.dataset.errors=" \
		"\"injected\"</script><!--"
static const char sh_args[] = "sh\0-c\0echo " ODD_ARG;

/*
 * The workload of the live test, as records with exact times: 200 forks
 * 201 (execs /bin/true a b), 202 (exits 3), 203 (a zombie from 22 ms to
 * 22 + ZOMBIE_MS + 8 ms) and 204 (whose argv holds "</script>").
 */
static void workload(struct synth *s)
{
	snap(s);
	fork_at(s, 10, 200, 201);
	exec_at(s, 11, 201, "true", "/bin/true", true_args, sizeof(true_args));
	fork_at(s, 12, 200, 202);
	fork_at(s, 13, 200, 203);
	fork_at(s, 14, 200, 204);
	exec_at(s, 14.5, 204, "sh", "/bin/sh", sh_args, sizeof(sh_args));
	exit_at(s, 15, 201, 0);
	wait_at(s, 16, 16.1, 200, 201);
	exit_at(s, 20, 202, 3);
	wait_at(s, 21, 21.05, 200, 202);
	exit_at(s, 22, 203, 0);
	exit_at(s, 25, 204, 0);
	wait_at(s, 26, 26.02, 200, 204);
	wait_at(s, 30, 22 + ZOMBIE_MS + 8, 200, 203);
}

TEST_F_TIMEOUT(html, page_from_synthetic_records, 120)
{
	struct fs_timeline_opts o = { .keep = true };
	struct fs_file_meta meta = {
		.select_pid = 200,
		.boot_to_real_ns = 1795000000LL * 1000000000LL,
		.hostname = "synthetic-host", .kernel = "6.18.0-test",
		.source = "synthetic records", .forkscope = "test",
	};
	struct workload w = { 200, 201, 202, 203, "workload", 5, 204, ODD_ARG };
	struct synth s = { .t0 = 5000000000ULL };
	char page[PATH_MAX];
	FILE *f;

	meta.start_ns = s.t0;
	/* As replaying does: the lines show the recording's wall time. */
	fs_set_boot_to_real_ns(meta.boot_to_real_ns);
	ASSERT_EQ(0, fs_model_init(&s.m, 200));
	s.tl = fs_timeline_new(&o);
	s.h = fs_html_new();
	ASSERT_NE(NULL, s.tl);
	ASSERT_NE(NULL, s.h);
	workload(&s);
	fs_timeline_finish(s.tl, at_ms(&s, 400));
	out_path(page, sizeof(page), "synthetic", ".html");
	f = fopen(page, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fs_html_write(f, s.h, s.tl, &meta));
	ASSERT_EQ(0, fclose(f));
	fs_html_free(s.h);
	fs_timeline_free(s.tl);
	fs_model_free(&s.m);
	check_page(_metadata, &self->b, "synthetic", page, &w);
}

#define SHELLS		40	/* children of 200 */
#define PER_SHELL	74	/* children of each, exec'd and reaped */
#define CHAIN		200	/* and a fork chain this deep */

/* Thousands of processes: every lane there, the last one hoverable. */
TEST_F_TIMEOUT(html, page_of_thousands, 120)
{
	struct fs_timeline_opts o = { .keep = true };
	struct fs_file_meta meta = {
		.select_pid = 200, .hostname = "synthetic-host",
		.boot_to_real_ns = 1795000000LL * 1000000000LL,
	};
	struct synth s = { .t0 = 5000000000ULL };
	char page[PATH_MAX], log[PATH_MAX], js[128], *tip;
	int lanes = 1 + SHELLS * (1 + PER_SHELL) + CHAIN, last = 0;
	struct json_object *at;
	struct browser *b = &self->b;
	struct stat st;
	FILE *f;

	meta.start_ns = s.t0;
	fs_set_boot_to_real_ns(meta.boot_to_real_ns);
	ASSERT_EQ(0, fs_model_init(&s.m, 200));
	s.tl = fs_timeline_new(&o);
	s.h = fs_html_new();
	ASSERT_NE(NULL, s.tl);
	ASSERT_NE(NULL, s.h);
	snap(&s);
	for (int i = 0; i < SHELLS; i++) {
		int sh = 1000 + i * (PER_SHELL + 1);

		fork_at(&s, i * 10, 200, sh);
		for (int k = 1; k <= PER_SHELL; k++) {
			double t = i * 10 + k * 0.1;

			fork_at(&s, t, sh, sh + k);
			exec_at(&s, t + 0.01, sh + k, "true", "/bin/true",
				true_args, sizeof(true_args));
			exit_at(&s, t + 0.05, sh + k, k % 3);
			wait_at(&s, t + 0.02, t + 0.06, sh, sh + k);
		}
		exit_at(&s, i * 10 + 9, sh, 0);
		wait_at(&s, i * 10 + 8.9, i * 10 + 9.1, 200, sh);
	}
	for (int i = 0; i < CHAIN; i++) {
		last = 20000 + i;
		fork_at(&s, 500 + i * 0.5, i ? last - 1 : 200, last);
	}
	fs_timeline_finish(s.tl, at_ms(&s, 700));
	out_path(page, sizeof(page), "thousands", ".html");
	f = fopen(page, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fs_html_write(f, s.h, s.tl, &meta));
	ASSERT_EQ(0, fclose(f));
	fs_html_free(s.h);
	fs_timeline_free(s.tl);
	fs_model_free(&s.m);
	ASSERT_EQ(0, stat(page, &st));

	out_path(log, sizeof(log), "thousands", ".chromium.log");
	ASSERT_EQ(0, browser_open(b, PAGE_W, PAGE_H, log))
		TH_LOG("%s", b->error);
	ASSERT_EQ(0, browser_load(b, page)) TH_LOG("%s", b->error);
	check_loaded(_metadata, b);
	EXPECT_EQ(lanes, lane_count(b));
	/* The chain nests all the way down, under 200 (depth 0). */
	snprintf(js, sizeof(js),
		 "+document.querySelector('.lane[data-pid=\"%d\"]').dataset.depth",
		 last);
	EXPECT_EQ(CHAIN, browser_eval_num(b, js));
	snprintf(js, sizeof(js), "forkscope.point(%d, 'running')",
		 1000 + PER_SHELL);
	at = browser_eval(b, js);
	ASSERT_NE(NULL, at) TH_LOG("%s", b->error);
	ASSERT_EQ(0, browser_mouse(b, "mouseMoved",
		json_object_get_double(json_object_object_get(at, "x")),
		json_object_get_double(json_object_object_get(at, "y")), 0, 0));
	json_object_put(at);
	tip = browser_eval_str(b, "tip.hidden ? '' : tip.dataset.pid + ' ' + tip.textContent");
	ASSERT_NE(NULL, tip);
	snprintf(js, sizeof(js), "%d ", 1000 + PER_SHELL);
	EXPECT_EQ(0, strncmp(tip, js, strlen(js))) TH_LOG("tooltip: %s", tip);
	free(tip);
	out_path(log, sizeof(log), "thousands", ".png");
	EXPECT_LT(10000, browser_screenshot(b, log)) TH_LOG("%s", b->error);
	/* Figures, for people: not asserted, this machine is shared. */
	TH_LOG("%d lanes, page %lld bytes, init %.0f ms, one drawing %.1f ms",
	       lanes, (long long)st.st_size,
	       browser_eval_num(b, "+document.body.dataset.initMs"),
	       browser_eval_num(b, "(t => (forkscope.draw(), performance.now() - t))(performance.now())"));
	check_loaded(_metadata, b);
	EXPECT_EQ(0, browser_close(b));
}

/* ---- recorded live ---- */

/*
 * The workload: on a byte from go, forks a child that execs /bin/true a
 * b, one that exits 3 and one that exits 0; tells their pids on told;
 * reaps the first two, then leaves the third a zombie for ZOMBIE_MS (a
 * zombie for sure: WNOWAIT saw it exited and left it one) and reaps it.
 */
static void __attribute__((noreturn)) workload_main(int go, int told)
{
	pid_t kids[3];
	siginfo_t si;
	int st;
	char c;

	if (read(go, &c, 1) != 1)
		_exit(10);
	kids[0] = fork();
	if (kids[0] == 0) {
		execl("/bin/true", "/bin/true", "a", "b", (char *)NULL);
		_exit(127);
	}
	kids[1] = fork();
	if (kids[1] == 0)
		_exit(3);
	kids[2] = fork();
	if (kids[2] == 0)
		_exit(0);
	if (kids[0] < 0 || kids[1] < 0 || kids[2] < 0 ||
	    write(told, kids, sizeof(kids)) != sizeof(kids))
		_exit(11);
	if (waitpid(kids[0], &st, 0) != kids[0] || st != 0 ||
	    waitpid(kids[1], &st, 0) != kids[1] || st != 3 << 8)
		_exit(12);
	if (waitid(P_PID, kids[2], &si, WEXITED | WNOWAIT))
		_exit(13);
	usleep(ZOMBIE_MS * 1000);
	_exit(waitpid(kids[2], &st, 0) == kids[2] && st == 0 ? 0 : 14);
}


TEST_F_TIMEOUT(html, page_of_a_recorded_workload, 120)
{
	char rec[PATH_MAX], page[PATH_MAX], pid[16], *err;
	int go[2], told[2], st;
	struct workload w = { .parent_comm = "html_test", .lanes = 4 };
	pid_t kids[3];

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(told));
	self->work = fork();
	ASSERT_LE(0, self->work);
	if (self->work == 0) {
		close(go[1]);
		close(told[0]);
		workload_main(go[0], told[1]);
	}
	close(go[0]);
	close(told[1]);
	out_path(rec, sizeof(rec), "recorded", ".fsr");
	out_path(page, sizeof(page), "recorded", ".html");
	snprintf(pid, sizeof(pid), "%d", self->work);

	const char *record[] = { "record", "-o", rec, "-p", pid, NULL };

	ASSERT_EQ(0, start(&self->rec, record, -1));
	ASSERT_EQ(0, wait_polling(&self->rec));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(sizeof(kids), read(told[0], kids, sizeof(kids)));
	ASSERT_EQ(self->work, waitpid(self->work, &st, 0));
	w.parent = self->work;
	self->work = -1;
	ASSERT_EQ(0, st) TH_LOG("the workload failed: status %#x", st);
	/* What the kernel wrote until now is drained before record stops. */
	kill(self->rec.pid, SIGINT);
	st = finish(&self->rec);
	err = slurp(self->rec.err);
	release(&self->rec);
	self->rec.pid = -1;
	ASSERT_EQ(0, st) TH_LOG("record: %s", err);
	free(err);

	const char *export[] = { "export", "-i", rec, "--html", page, NULL };

	ASSERT_EQ(0, run_to_end(export, NULL, &err)) TH_LOG("export: %s", err);
	EXPECT_NE(NULL, strstr(err, "a page of 4 processes")) TH_LOG("%s", err);
	free(err);
	w.exec_child = kids[0];
	w.exit3_child = kids[1];
	w.zombie_child = kids[2];
	check_page(_metadata, &self->b, "recorded", page, &w);
}

/* Told in one line, never a page half written and a success. */
TEST(export_html_refuses_what_it_cannot_do)
{
	const char *no_input[] = { "export", "--html", "x.html", NULL };
	const char *no_dir[] = { "export", "-i", "/proc/self/status", "--html",
				 "/nonexistent/x.html", NULL };
	const char *two[] = { "export", "-i", "x", "--html", "-",
			      "--perfetto", "-", NULL };
	char *err;

	EXPECT_EQ(2, run_to_end(no_input, NULL, &err));
	EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "wants a recording to read"))
		TH_LOG("%s", err);
	free(err);
	EXPECT_EQ(1, run_to_end(no_dir, NULL, &err));
	EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "cannot write /nonexistent/x.html"))
		TH_LOG("%s", err);
	free(err);
	EXPECT_EQ(2, run_to_end(two, NULL, &err));
	EXPECT_EQ(1, count_lines(err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "cannot both write to standard output"))
		TH_LOG("%s", err);
	free(err);
}

TEST_HARNESS_MAIN
