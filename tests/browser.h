/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: a real headless Chromium (Debian's chromium, new headless
 * mode), driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: its fd 3 reads commands, fd 4 writes
 * answers, each a JSON text ending in a NUL). No port, no network: the
 * page is a file. Header-only so each suite stays one file.
 *
 *	browser_open(&b, 1280, 720, log);
 *	browser_load(&b, "/abs/page.html");
 *	v = browser_eval(&b, "document.title");	// json-c, or NULL
 *	browser_mouse(&b, "mouseMoved", x, y, 0, 0);
 *	browser_screenshot(&b, "page.png");
 *	browser_close(&b);
 *
 * Chromium runs in a process group of its own, so that everything it
 * started ends with it; every wait has one deadline for the whole
 * session (BROWSER_MS), generous for a 2-core machine, never retried.
 */
#ifndef FS_TEST_BROWSER_H
#define FS_TEST_BROWSER_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"

#define BROWSER_MS	60000

struct browser {
	pid_t pid;		/* chromium, leader of its process group */
	int to, from;		/* its fd 3 and fd 4 */
	char *buf;		/* what it wrote that was not read yet */
	size_t len, cap;
	int id;			/* of the last command */
	char session[128];	/* the page's: commands for the page */
	uint64_t deadline;	/* CLOCK_BOOTTIME ns */
	char profile[64];	/* its own profile directory */
	char error[256];	/* why the last call failed */
};

static inline const char *browser_bin(void)
{
	const char *p = getenv("CHROMIUM");

	return p && *p ? p : "chromium";
}

/* fd at exactly want in the child, whatever number it has now. */
static inline int browser_fd_to(int fd, int want)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);

	return high < 0 || dup2(high, want) < 0 ? -1 : 0;
}

static inline void browser_exec(struct browser *b, int cmd_rd, int ans_wr,
				int width, int height, const char *log)
{
	char size[64], dir[96];
	int fd = open(log ? log : "/dev/null",
		      O_WRONLY | O_CREAT | O_TRUNC, 0644);

	setpgid(0, 0);
	/* A test killed at its timeout has no teardown: go with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
	    browser_fd_to(cmd_rd, 3) || browser_fd_to(ans_wr, 4))
		_exit(126);
	snprintf(size, sizeof(size), "--window-size=%d,%d", width, height);
	snprintf(dir, sizeof(dir), "--user-data-dir=%s", b->profile);
	/* Root needs --no-sandbox; there is no GPU to use. */
	execlp(browser_bin(), browser_bin(), "--headless", "--no-sandbox",
	       "--disable-gpu", "--remote-debugging-pipe", dir, size,
	       "--hide-scrollbars", "--no-first-run", "--mute-audio",
	       "about:blank", (char *)NULL);
	_exit(127);
}

/* Starts Chromium; its stdout and stderr go to log (NULL: nowhere). */
static inline int browser_start(struct browser *b, int width, int height,
				const char *log)
{
	int cmd[2], ans[2];

	memset(b, 0, sizeof(*b));
	b->pid = -1;
	b->to = b->from = -1;
	b->deadline = fs_boot_ns() + BROWSER_MS * NSEC_PER_MSEC;
	snprintf(b->profile, sizeof(b->profile), "%s",
		 "/tmp/forkscope-chromium-XXXXXX");
	if (!mkdtemp(b->profile) || pipe2(cmd, O_CLOEXEC) ||
	    pipe2(ans, O_CLOEXEC))
		return -1;
	b->pid = fork();
	if (b->pid == 0)
		browser_exec(b, cmd[0], ans[1], width, height, log);
	close(cmd[0]);
	close(ans[1]);
	b->to = cmd[1];
	b->from = ans[0];
	/* Chromium gone: a write fails with EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return b->pid > 0 ? 0 : -1;
}

static inline int browser_fail(struct browser *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int browser_fail(struct browser *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* Sends method(params) (params is consumed), to the page if page. */
static inline int browser_send(struct browser *b, const char *method,
			       struct json_object *params, bool page)
{
	struct json_object *m = json_object_new_object();
	const char *s;
	size_t len, off = 0;

	json_object_object_add(m, "id", json_object_new_int(++b->id));
	json_object_object_add(m, "method", json_object_new_string(method));
	json_object_object_add(m, "params",
			       params ? params : json_object_new_object());
	if (page)
		json_object_object_add(m, "sessionId",
				       json_object_new_string(b->session));
	s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	len = strlen(s) + 1;	/* the NUL ends the message */
	while (off < len) {
		ssize_t n = write(b->to, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			json_object_put(m);
			return browser_fail(b, "%s: write to chromium: %s",
					    method, strerror(errno));
		}
		off += n;
	}
	json_object_put(m);
	return b->id;
}

/* The next message from Chromium; NULL at the deadline or its end. */
static inline struct json_object *browser_next(struct browser *b)
{
	for (;;) {
		char *nul = memchr(b->buf, 0, b->len);
		struct pollfd p = { .fd = b->from, .events = POLLIN };
		int64_t left = (int64_t)(b->deadline - fs_boot_ns()) / 1000000;
		ssize_t n;

		if (b->len && nul) {
			struct json_object *o = json_tokener_parse(b->buf);
			size_t used = nul - b->buf + 1;

			memmove(b->buf, nul + 1, b->len - used);
			b->len -= used;
			if (!o)
				browser_fail(b, "chromium wrote no JSON");
			return o;
		}
		if (left <= 0 || poll(&p, 1, left) == 0) {
			browser_fail(b, "chromium did not answer within %d ms",
				     BROWSER_MS);
			return NULL;
		}
		if (b->cap - b->len < 65536) {
			b->cap = b->cap ? b->cap * 2 : 1 << 20;
			b->buf = realloc(b->buf, b->cap);
			if (!b->buf)
				abort();
		}
		n = read(b->from, b->buf + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			browser_fail(b, "chromium closed its pipe (it exited)");
			return NULL;
		}
		b->len += n;
	}
}

/*
 * Runs method(params) and returns its answer's "result" (the caller
 * puts it), NULL when it failed (b->error says why). Events that come
 * meanwhile are dropped: wait for one before the command that causes it
 * could miss it, so browser_load() asks for the page's load first.
 */
static inline struct json_object *browser_call(struct browser *b,
					       const char *method,
					       struct json_object *params,
					       bool page)
{
	int id = browser_send(b, method, params, page);
	struct json_object *m, *v, *r;

	while (id > 0 && (m = browser_next(b))) {
		if (!json_object_object_get_ex(m, "id", &v) ||
		    json_object_get_int(v) != id) {
			json_object_put(m);
			continue;
		}
		if (json_object_object_get_ex(m, "error", &v)) {
			browser_fail(b, "%s: %s", method,
				     json_object_to_json_string(v));
			json_object_put(m);
			return NULL;
		}
		r = json_object_object_get_ex(m, "result", &v) ?
			json_object_get(v) : json_object_new_object();
		json_object_put(m);
		return r;
	}
	return NULL;
}

/* Waits for the page's event method (e.g. "Page.loadEventFired"). */
static inline int browser_event(struct browser *b, const char *method)
{
	struct json_object *m, *v;

	while ((m = browser_next(b))) {
		bool it = json_object_object_get_ex(m, "method", &v) &&
			  !strcmp(json_object_get_string(v), method);

		json_object_put(m);
		if (it)
			return 0;
	}
	return -1;
}

static inline const char *browser_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
		json_object_get_string(v) : NULL;
}

/* A page of its own, attached: every later command goes to it. */
static inline int browser_page(struct browser *b)
{
	struct json_object *p = json_object_new_object(), *r;

	json_object_object_add(p, "url", json_object_new_string("about:blank"));
	r = browser_call(b, "Target.createTarget", p, false);
	if (!r)
		return -1;
	p = json_object_new_object();
	json_object_object_add(p, "targetId", json_object_new_string(
				       browser_str(r, "targetId")));
	json_object_object_add(p, "flatten", json_object_new_boolean(1));
	json_object_put(r);
	r = browser_call(b, "Target.attachToTarget", p, false);
	if (!r || !browser_str(r, "sessionId"))
		return -1;
	snprintf(b->session, sizeof(b->session), "%s",
		 browser_str(r, "sessionId"));
	json_object_put(r);
	r = browser_call(b, "Page.enable", NULL, true);
	json_object_put(r);
	return r ? 0 : -1;
}

static inline int browser_open(struct browser *b, int width, int height,
			       const char *log)
{
	if (browser_start(b, width, height, log))
		return browser_fail(b, "cannot start %s: %s", browser_bin(),
				    strerror(errno));
	return browser_page(b);
}

/* Loads file path (absolute) and returns once its load event fired. */
static inline int browser_load(struct browser *b, const char *path)
{
	struct json_object *p = json_object_new_object(), *r;
	char url[4200];

	snprintf(url, sizeof(url), "file://%s", path);
	json_object_object_add(p, "url", json_object_new_string(url));
	r = browser_call(b, "Page.navigate", p, true);
	if (!r)
		return -1;
	if (browser_str(r, "errorText")) {
		browser_fail(b, "cannot load %s: %s", url,
			     browser_str(r, "errorText"));
		json_object_put(r);
		return -1;
	}
	json_object_put(r);
	return browser_event(b, "Page.loadEventFired");
}

/*
 * The value of a JavaScript expression in the page (awaited if it is a
 * promise), as JSON; the caller puts it. NULL when it threw.
 */
static inline struct json_object *browser_eval(struct browser *b,
					       const char *expr)
{
	struct json_object *p = json_object_new_object(), *r, *res, *v;

	json_object_object_add(p, "expression", json_object_new_string(expr));
	json_object_object_add(p, "returnByValue", json_object_new_boolean(1));
	json_object_object_add(p, "awaitPromise", json_object_new_boolean(1));
	r = browser_call(b, "Runtime.evaluate", p, true);
	if (!r)
		return NULL;
	if (json_object_object_get_ex(r, "exceptionDetails", &v)) {
		browser_fail(b, "%s threw: %.200s", expr,
			     json_object_to_json_string(v));
		json_object_put(r);
		return NULL;
	}
	v = NULL;
	if (json_object_object_get_ex(r, "result", &res))
		json_object_object_get_ex(res, "value", &v);
	v = v ? json_object_get(v) : NULL;
	if (!v)
		browser_fail(b, "%s has no value", expr);
	json_object_put(r);
	return v;
}

/* The expression's value as a string (a copy; NULL when it failed). */
static inline char *browser_eval_str(struct browser *b, const char *expr)
{
	struct json_object *v = browser_eval(b, expr);
	char *s = v ? strdup(json_object_get_string(v)) : NULL;

	json_object_put(v);
	return s;
}

static inline double browser_eval_num(struct browser *b, const char *expr)
{
	struct json_object *v = browser_eval(b, expr);
	double d = v ? json_object_get_double(v) : -1e300;

	json_object_put(v);
	return d;
}

/*
 * A real mouse event at page coordinates: "mouseMoved", "mousePressed",
 * "mouseReleased" or "mouseWheel" (delta_y), with modifiers (2: Ctrl).
 */
static inline int browser_mouse(struct browser *b, const char *type, double x,
				double y, double delta_y, int modifiers)
{
	struct json_object *p = json_object_new_object(), *r;

	json_object_object_add(p, "type", json_object_new_string(type));
	json_object_object_add(p, "x", json_object_new_double(x));
	json_object_object_add(p, "y", json_object_new_double(y));
	json_object_object_add(p, "modifiers", json_object_new_int(modifiers));
	if (!strcmp(type, "mouseWheel")) {
		json_object_object_add(p, "deltaX", json_object_new_double(0));
		json_object_object_add(p, "deltaY",
				       json_object_new_double(delta_y));
	} else if (strcmp(type, "mouseMoved")) {
		json_object_object_add(p, "button",
				       json_object_new_string("left"));
		json_object_object_add(p, "clickCount", json_object_new_int(1));
	}
	r = browser_call(b, "Input.dispatchMouseEvent", p, true);
	json_object_put(r);
	return r ? 0 : -1;
}

static inline int browser_b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes base64 s into out (room for 3/4 of it); returns its length. */
static inline size_t browser_unbase64(const char *s, unsigned char *out)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0, v;

	for (; *s; s++) {
		if ((v = browser_b64(*s)) < 0)
			continue;	/* '=' and line breaks */
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = acc >> bits;
		}
	}
	return n;
}

/* The page as it shows now, into a PNG file; its size, or -1. */
static inline long browser_screenshot(struct browser *b, const char *path)
{
	struct json_object *p = json_object_new_object(), *r;
	const char *data;
	unsigned char *png;
	size_t n = 0;
	FILE *f;

	json_object_object_add(p, "format", json_object_new_string("png"));
	r = browser_call(b, "Page.captureScreenshot", p, true);
	data = browser_str(r, "data");
	png = data ? malloc(strlen(data) * 3 / 4 + 3) : NULL;
	if (png)
		n = browser_unbase64(data, png);
	json_object_put(r);
	f = png ? fopen(path, "w") : NULL;
	if (!f || fwrite(png, 1, n, f) != n || fclose(f)) {
		free(png);
		return browser_fail(b, "no screenshot written to %s", path);
	}
	free(png);
	return n;
}

static inline int browser_rm(const char *path, const struct stat *st,
			     int type, struct FTW *ftw)
{
	return remove(path);
}

/*
 * Asks Chromium to close, then ends its process group whatever it did;
 * removes its profile. Returns its exit status (-1: it had to be killed).
 */
static inline int browser_close(struct browser *b)
{
	uint64_t end = fs_boot_ns() + 10000 * NSEC_PER_MSEC;
	int st = -1;

	if (b->pid > 0) {
		json_object_put(browser_call(b, "Browser.close", NULL, false));
		while (waitpid(b->pid, &st, WNOHANG) == 0) {
			if (fs_boot_ns() > end) {
				st = -1;
				break;
			}
			usleep(20000);
		}
		/* Its helpers, if any outlived it; then it, if it did. */
		kill(-b->pid, SIGKILL);
		if (st == -1)
			waitpid(b->pid, NULL, 0);
	}
	if (b->to >= 0)
		close(b->to);
	if (b->from >= 0)
		close(b->from);
	free(b->buf);
	if (b->profile[0])
		nftw(b->profile, browser_rm, 16, FTW_DEPTH | FTW_PHYS);
	b->pid = -1;
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
