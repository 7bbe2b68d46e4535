// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "event_view.h"
#include "explain.h"
#include "html_assets.h"
#include "html_view.h"
#include "idmap.h"
#include "json.h"
#include "status.h"

/* What trace --explain printed for one event: where it is in the text. */
struct said {
	uint64_t ts;
	int32_t pid;		/* the record's; a reap's: the reaped one */
	uint32_t type;		/* FS_REC_*; FS_REC_REAP: the release */
	size_t line, why;	/* offsets of NUL-ended strings */
};

struct fs_html {
	FILE *text;		/* every line and sentence, in a row */
	char *buf;
	size_t len;
	struct said *said;
	size_t n, cap;
};

/* A lane: a process of the timeline, and where it sits in the tree. */
struct lane {
	const struct fs_tl_task *t;
	int32_t parent;		/* lane of the one that forked it; -1 */
	int32_t reaper;		/* lane of the one that reaped it; -1 */
	int32_t same_pid;	/* the lane that had its pid before, or -1 */
	int32_t first_child, last_child, next_sibling;
	uint32_t threads;
};

struct page {
	const struct fs_html *h;
	struct lane *lanes;
	int32_t n;
	struct fs_idmap last;	/* pid -> its latest lane, plus 1 */
	uint64_t origin;	/* times are written as ns since this */
	char buf[FS_ARGS_LEN * 4 + FS_FILENAME_LEN * 4 + 64];
};

struct fs_html *fs_html_new(void)
{
	struct fs_html *h = calloc(1, sizeof(*h));

	if (h)
		h->text = open_memstream(&h->buf, &h->len);
	if (!h || !h->text) {
		free(h);
		fs_error(ENOMEM, "out of memory for the HTML page");
		return NULL;
	}
	return h;
}

void fs_html_free(struct fs_html *h)
{
	if (!h)
		return;
	if (h->text)
		fclose(h->text);
	free(h->buf);
	free(h->said);
	free(h);
}

/*
 * Ends what was just written to the text (from offset from) with a NUL,
 * in place of a line's "\n". A memstream can be written back over, not
 * read: its buffer is, once flushed.
 */
static void end_string(struct fs_html *h, long from)
{
	long at;

	fflush(h->text);
	at = ftell(h->text);
	if (at > from && h->buf[at - 1] == '\n')
		fseek(h->text, at - 1, SEEK_SET);
	fputc(0, h->text);
}

static void keep(struct fs_html *h, uint64_t ts, int32_t pid, uint32_t type,
		 long line, long why)
{
	struct said *s;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;

		s = realloc(h->said, cap * sizeof(*s));
		if (!s)
			return;	/* the page shows it without words */
		h->said = s;
		h->cap = cap;
	}
	h->said[h->n++] = (struct said){
		.ts = ts, .pid = pid, .type = type, .line = line, .why = why,
	};
}

/* Only what the page draws: no thread's fork or exit, no cgroup moves. */
static bool drawn(const struct fs_hdr *rec)
{
	switch (rec->type) {
	case FS_REC_FORK:
		return !(((const struct fs_rec_fork *)rec)->flags &
			 FS_FORK_THREAD);
	case FS_REC_EXIT:
		return rec->pid == rec->tgid;
	case FS_REC_EXEC:
	case FS_REC_EXEC_FAIL:
	case FS_REC_FORK_FAIL:
	case FS_REC_WAIT:
	case FS_REC_WAIT_RESULT:
		return true;
	default:
		return false;
	}
}

void fs_html_capture(struct fs_html *h, const struct fs_model *m,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	char why[512];
	long line, said;

	if (!h->text)
		return;
	if (n->selected && drawn(rec)) {
		line = ftell(h->text);
		fs_event_text(h->text, m, rec, n, NULL);
		end_string(h, line);
		said = ftell(h->text);
		fputs(fs_explain(why, sizeof(why), m, rec, n), h->text);
		end_string(h, said);
		keep(h, rec->ts_ns, rec->pid, rec->type, line, said);
	}
	if (n->released && n->gone_selected && n->gone.pid == n->gone.tgid) {
		line = ftell(h->text);
		fs_release_text(h->text, m, rec->ts_ns, n, NULL);
		end_string(h, line);
		said = ftell(h->text);
		fputs(fs_explain_release(why, sizeof(why), n), h->text);
		end_string(h, said);
		keep(h, rec->ts_ns, n->gone.pid, FS_REC_REAP, line, said);
	}
}

static int said_cmp(const void *a, const void *b)
{
	const struct said *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

/* What was said of the event (ts, pid, type), or NULL. */
static const struct said *said_of(const struct fs_html *h, uint64_t ts,
				  int32_t pid, uint32_t type)
{
	struct said key = { .ts = ts, .pid = pid, .type = type };

	return h->n ? bsearch(&key, h->said, h->n, sizeof(key), said_cmp) :
		      NULL;
}

/* ---- lanes ---- */

/* The lane that had pid at ts (the latest to begin by then), or -1. */
static int32_t lane_at(const struct page *pg, int32_t pid, uint64_t ts)
{
	struct fs_idmap_slot *s = pid > 0 ? fs_idmap_get(&pg->last, pid) :
					    NULL;
	int32_t i = s ? (int32_t)(uintptr_t)s->value - 1 : -1;

	while (i >= 0 && pg->lanes[i].t->begin_ns > ts)
		i = pg->lanes[i].same_pid;
	return i;
}

static int add_lane(struct page *pg, const struct fs_tl_task *t)
{
	struct lane *l = &pg->lanes[pg->n];
	bool added;
	struct fs_idmap_slot *s = fs_idmap_put(&pg->last, t->pid, &added);

	if (!s)
		return -ENOMEM;
	*l = (struct lane){
		.t = t, .parent = -1, .reaper = -1, .first_child = -1,
		.last_child = -1, .next_sibling = -1,
		.same_pid = s->value ? (int32_t)(uintptr_t)s->value - 1 : -1,
	};
	s->value = (void *)(uintptr_t)++pg->n;
	return 0;
}

/* Parents, reapers, children (in order of their forks), threads. */
static void link_lanes(struct page *pg, const struct fs_timeline *tl)
{
	const struct fs_tl_task *t;

	for (int32_t i = 0; i < pg->n; i++) {
		struct lane *l = &pg->lanes[i], *p;

		l->parent = lane_at(pg, l->t->ppid, l->t->begin_ns);
		if (l->parent == i)
			l->parent = -1;
		if (l->t->flags & FS_TL_REAPED)
			l->reaper = lane_at(pg, l->t->reaper, l->t->reap_ns);
		if (l->parent < 0)
			continue;
		p = &pg->lanes[l->parent];
		if (p->last_child >= 0)
			pg->lanes[p->last_child].next_sibling = i;
		else
			p->first_child = i;
		p->last_child = i;
	}
	for (t = fs_timeline_first(tl); t; t = t->next) {
		int32_t i;

		if (!(t->flags & FS_TL_THREAD))
			continue;
		i = lane_at(pg, t->tgid, t->begin_ns);
		if (i >= 0)
			pg->lanes[i].threads++;
	}
}

static int make_lanes(struct page *pg, const struct fs_timeline *tl)
{
	const struct fs_tl_stats *st = fs_timeline_stats(tl);
	const struct fs_tl_task *t;

	pg->lanes = calloc(st->processes + 1, sizeof(*pg->lanes));
	if (!pg->lanes)
		return -ENOMEM;
	for (t = fs_timeline_first(tl); t; t = t->next) {
		if (t->flags & FS_TL_THREAD)
			continue;
		if ((uint64_t)pg->n == st->processes || add_lane(pg, t))
			return -ENOMEM;
	}
	link_lanes(pg, tl);
	return 0;
}

/* ---- the data ---- */

static void json_at(struct fs_json *j, const char *key, const struct page *pg,
		    uint64_t ts)
{
	fs_json_int(j, key, (int64_t)(ts - pg->origin));
}

/* A field of the recording's header: NUL-ended unless the file lied. */
static void json_meta_str(struct fs_json *j, const char *key, const char *s,
			  size_t size)
{
	char buf[FS_META_STR + 1];
	size_t n = strnlen(s, size < FS_META_STR ? size : FS_META_STR);

	memcpy(buf, s, n);
	buf[n] = 0;
	fs_json_str(j, key, n ? buf : NULL);
}

#define META_STR(j, key, meta, field) \
	json_meta_str(j, key, (meta)->field, sizeof((meta)->field))

static void json_meta(struct fs_json *j, const struct page *pg,
		      const struct fs_file_meta *meta, uint64_t end)
{
	int64_t real = meta ? fs_wall_ns(meta->start_ns, meta->boot_to_real_ns) :
			      0;
	time_t secs = real / (int64_t)NSEC_PER_SEC;
	char when[64] = "";
	struct tm tm;

	fs_json_object(j, "meta");
	fs_json_u64(j, "start_ns", pg->origin);
	fs_json_u64(j, "end_ns", end);
	if (meta) {
		META_STR(j, "hostname", meta, hostname);
		META_STR(j, "kernel", meta, kernel);
		META_STR(j, "boot_id", meta, boot_id);
		META_STR(j, "command", meta, command);
		META_STR(j, "source", meta, source);
		META_STR(j, "forkscope", meta, forkscope);
		fs_json_int(j, "select_pid", meta->select_pid);
		fs_json_int(j, "time_ns", real);
		if (gmtime_r(&secs, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
				 &tm);
		fs_json_str(j, "recorded_at", when);
	}
	fs_json_close(j);
}

/* The words said of an event: "line" and "why", when there are any. */
static void json_said(struct fs_json *j, const struct page *pg, uint64_t ts,
		      int32_t pid, uint32_t type, const char *line_key,
		      const char *why_key)
{
	const struct said *s = said_of(pg->h, ts, pid, type);

	if (!s)
		return;
	fs_json_str(j, line_key, pg->h->buf + s->line);
	if (pg->h->buf[s->why])
		fs_json_str(j, why_key, pg->h->buf + s->why);
}

static void json_event(struct fs_json *j, const struct page *pg,
		       const char *kind, uint64_t ts, int32_t pid,
		       uint32_t type)
{
	fs_json_object(j, NULL);
	fs_json_str(j, "kind", kind);
	json_at(j, "t", pg, ts);
	json_said(j, pg, ts, pid, type, "line", "why");
}

static void json_forks(struct fs_json *j, const struct page *pg,
		       const struct lane *l)
{
	for (int32_t c = l->first_child; c >= 0;
	     c = pg->lanes[c].next_sibling) {
		const struct fs_tl_task *t = pg->lanes[c].t;

		if (!(t->flags & FS_TL_BORN))
			continue;
		json_event(j, pg, "fork", t->begin_ns, t->forker, FS_REC_FORK);
		fs_json_int(j, "child", c);
		fs_json_close(j);
	}
}

static void json_execs(struct fs_json *j, const struct page *pg,
		       const struct fs_tl_task *t)
{
	for (uint32_t i = 0; i < t->nr_execs; i++) {
		const struct fs_tl_exec *e = &t->execs[i];

		json_event(j, pg, e->err ? "exec-failed" : "exec", e->ts,
			   t->pid, e->err ? FS_REC_EXEC_FAIL : FS_REC_EXEC);
		fs_json_close(j);
	}
	for (uint32_t i = 0; i < t->nr_fork_fails; i++) {
		json_event(j, pg, "fork-failed", t->fork_fails[i].ts, t->pid,
			   FS_REC_FORK_FAIL);
		fs_json_close(j);
	}
}

/* What each wait returned; the wait itself began at "begin". */
static void json_waits(struct fs_json *j, const struct page *pg,
		       const struct fs_tl_task *t)
{
	for (uint32_t i = 0; i < t->nr_waits; i++) {
		const struct fs_tl_wait *w = &t->waits[i];

		json_event(j, pg, "waited", w->ts, w->waiter,
			   FS_REC_WAIT_RESULT);
		if (w->begin_ns) {
			json_at(j, "begin", pg, w->begin_ns);
			json_said(j, pg, w->begin_ns, w->waiter, FS_REC_WAIT,
				  "wait_line", "wait_why");
		}
		fs_json_int(j, "child_pid", w->pid);
		fs_json_bool(j, "reaped", w->reaped);
		fs_json_close(j);
	}
}

static void json_events(struct fs_json *j, const struct page *pg,
			const struct lane *l)
{
	const struct fs_tl_task *t = l->t;

	fs_json_array(j, "events");
	json_forks(j, pg, l);
	json_execs(j, pg, t);
	json_waits(j, pg, t);
	if ((t->flags & FS_TL_EXITED) && !(t->flags & FS_TL_EXIT_UNKNOWN)) {
		json_event(j, pg, "exit", t->exit_ns, t->pid, FS_REC_EXIT);
		fs_json_close(j);
	}
	if ((t->flags & FS_TL_REAPED) && !(t->flags & FS_TL_VANISHED)) {
		json_event(j, pg, "reap", t->reap_ns, t->pid, FS_REC_REAP);
		fs_json_close(j);
	}
	fs_json_close(j);
}

/* The last program it ran, as trace shows an argv; null: none seen. */
static void json_cmd(struct fs_json *j, struct page *pg,
		     const struct fs_tl_task *t)
{
	const struct fs_tl_exec *e = NULL;
	size_t n = 0, len = sizeof(pg->buf);
	const char *a;

	for (uint32_t i = 0; i < t->nr_execs; i++)
		if (!t->execs[i].err)
			e = &t->execs[i];
	if (!e) {
		fs_json_null(j, "cmd");
		return;
	}
	a = e->argv;
	for (uint32_t i = 0; i < e->argc && n + 1 < len; i++) {
		if (n)
			pg->buf[n++] = ' ';
		fs_escape(pg->buf + n, len - n, a, FS_ESC_SHELL);
		n += strlen(pg->buf + n);
		a += strlen(a) + 1;
	}
	if (!e->argc)
		fs_escape(pg->buf, len, e->filename, FS_ESC_TERMINAL);
	fs_json_str(j, "cmd", pg->buf);
}

static const char *released_name(const struct fs_tl_task *t)
{
	if (t->flags & FS_TL_VANISHED)
		return "vanished";
	switch (t->released) {
	case FS_RELEASE_WAIT:
		return "wait";
	case FS_RELEASE_AUTO:
		return "auto";
	case FS_RELEASE_EXEC:
		return "exec";
	case FS_RELEASE_FREE:
		return "free";
	default:
		return NULL;
	}
}

static void json_container(struct fs_json *j, struct page *pg,
			   const struct fs_tl_container *c)
{
	struct fs_cgroup cg;

	if (!c || (!c->id && !c->unit)) {
		fs_json_null(j, "container");
		return;
	}
	cg = (struct fs_cgroup){ .path = c->path, .id = c->id,
				 .unit = c->unit, .runtime = c->runtime };
	fs_json_str(j, "container",
		    fs_container_name(pg->buf, sizeof(pg->buf), &cg));
}

/* Its life: begun (forked, or seen running), dead, reaped. */
static void json_life(struct fs_json *j, struct page *pg,
		      const struct lane *l)
{
	const struct fs_tl_task *t = l->t;
	char st[64];

	if (t->flags & FS_TL_BORN)
		json_at(j, "start", pg, t->begin_ns);
	else if (t->start_ns)
		json_at(j, "start", pg, t->start_ns);
	else
		fs_json_null(j, "start");
	fs_json_bool(j, "seen", !(t->flags & FS_TL_BORN));
	if (t->flags & FS_TL_DEAD) {
		json_at(j, "exit", pg, t->dead_ns);
		fs_json_str(j, "status",
			    fs_status_str(st, sizeof(st), t->status));
		fs_json_bool(j, "exit_unknown",
			     t->flags & FS_TL_EXIT_UNKNOWN);
	} else {
		fs_json_null(j, "exit");
	}
	if (!(t->flags & FS_TL_REAPED)) {
		fs_json_null(j, "reap");
		return;
	}
	json_at(j, "reap", pg, t->reap_ns);
	fs_json_str(j, "released", released_name(t));
	fs_json_int(j, "reaper", t->reaper);
	fs_json_str(j, "reaper_comm", t->reaper ? t->reaper_comm : NULL);
	fs_json_int(j, "reaper_id", l->reaper);
}

static void json_lane(struct fs_json *j, struct page *pg, int32_t i)
{
	const struct lane *l = &pg->lanes[i];
	const struct fs_tl_task *t = l->t;

	fs_json_object(j, NULL);
	fs_json_int(j, "pid", t->pid);
	fs_json_int(j, "ppid", t->ppid);
	fs_json_int(j, "parent", l->parent);
	fs_json_str(j, "comm", t->comm);
	json_cmd(j, pg, t);
	json_life(j, pg, l);
	json_container(j, pg, t->container);
	fs_json_u64(j, "threads", l->threads);
	json_events(j, pg, l);
	fs_json_close(j);
}

static void json_data(FILE *f, struct page *pg, const struct fs_timeline *tl,
		      const struct fs_file_meta *meta)
{
	const struct fs_tl_stats *st = fs_timeline_stats(tl);
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "format", "forkscope-timeline");
	fs_json_int(&j, "version", 1);
	json_meta(&j, pg, meta, st->end_ns ? st->end_ns : st->last_ns);
	fs_json_array(&j, "procs");
	for (int32_t i = 0; i < pg->n; i++)
		json_lane(&j, pg, i);
	fs_json_close(&j);
	fs_json_close(&j);
	fs_json_end(&j);
}

/* ---- the page ---- */

/*
 * Inside <script> the HTML parser looks for "</script" and "<!--", so
 * no '<' may reach it: the JSON says \u003c instead, which is the same
 * string to JSON.parse. Traced strings are the traced program's.
 */
static ssize_t script_safe_write(void *cookie, const char *buf, size_t n)
{
	FILE *f = cookie;
	const char *p = buf, *end = buf + n, *lt;

	while ((lt = memchr(p, '<', end - p))) {
		fwrite_unlocked(p, 1, lt - p, f);
		fputs_unlocked("\\u003c", f);
		p = lt + 1;
	}
	fwrite_unlocked(p, 1, end - p, f);
	return ferror(f) ? -1 : (ssize_t)n;
}

static int write_data(FILE *f, struct page *pg, const struct fs_timeline *tl,
		      const struct fs_file_meta *meta)
{
	cookie_io_functions_t io = { .write = script_safe_write };
	FILE *safe = fopencookie(f, "w", io);

	if (!safe)
		return fs_error(ENOMEM, "out of memory for the HTML page");
	json_data(safe, pg, tl, meta);
	fclose(safe);
	return 0;
}

/* The template up to each marker, then what goes there. */
static int write_page(FILE *f, struct page *pg, const struct fs_timeline *tl,
		      const struct fs_file_meta *meta)
{
	static const char *const markers[] = {
		"<!--@css-->", "<!--@data-->", "<!--@js-->",
	};
	const char *p = (const char *)fs_html_page_html, *m;

	for (size_t i = 0; i < ARRAY_SIZE(markers); i++) {
		m = strstr(p, markers[i]);
		if (!m)
			return fs_error(EINVAL, "bug: the page has no %s",
					markers[i]);
		fwrite_unlocked(p, 1, m - p, f);
		p = m + strlen(markers[i]);
		if (i == 0)
			fputs_unlocked((const char *)fs_html_timeline_css, f);
		else if (i == 2)
			fputs_unlocked((const char *)fs_html_timeline_js, f);
		else if (write_data(f, pg, tl, meta))
			return -ENOMEM;
	}
	fputs_unlocked(p, f);
	return 0;
}

int fs_html_write(FILE *f, struct fs_html *h, const struct fs_timeline *tl,
		  const struct fs_file_meta *meta)
{
	const struct fs_tl_stats *st = fs_timeline_stats(tl);
	struct page *pg = calloc(1, sizeof(*pg));
	int err = -ENOMEM;

	if (!pg || fflush(h->text))
		goto out;
	if (h->n)
		qsort(h->said, h->n, sizeof(*h->said), said_cmp);
	pg->h = h;
	pg->origin = meta ? meta->start_ns : st->first_ns;
	err = make_lanes(pg, tl);
	if (!err)
		err = write_page(f, pg, tl, meta);
	fs_idmap_clear(&pg->last, NULL);
	free(pg->lanes);
out:
	free(pg);
	if (err == -ENOMEM)
		fs_error(ENOMEM, "out of memory for the HTML page");
	return err;
}
