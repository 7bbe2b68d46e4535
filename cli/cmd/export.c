// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope export: a recording's timeline in another tool's format.
 * --perfetto OUT: a Perfetto trace; --html OUT: one page to open in any
 * browser. Each format is an output file and a view fed the timeline's
 * events (Perfetto) or handed it kept whole at the end (HTML).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "html_view.h"
#include "perfetto_view.h"
#include "session.h"
#include "timeline.h"

struct export_opts {
	struct fs_cmd_opts c;	/* -i, -p, --cgroup, --container */
	const char *perfetto;	/* --perfetto OUT */
	const char *html;	/* --html OUT */
};

/* An output file: "-" is standard output. */
struct output {
	const char *name;
	const char *path;	/* NULL: standard output */
	FILE *f;
};

struct export {
	struct export_opts o;
	struct fs_timeline *tl;
	struct output perfetto_out;
	struct fs_perfetto *perfetto;
	struct output html_out;
	struct fs_html *html;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope export -i FILE {--perfetto OUT | --html OUT} [OPTIONS]\n"
"Write a recording's timeline (forkscope record -o FILE) for another tool:\n"
"every process and thread, when it ran, exec'd, exited, was a zombie and\n"
"who reaped it, who forked whom.\n"
"\n"
"  -i, --input FILE       the recording to read (required)\n"
"      --perfetto OUT     a Perfetto trace (open it in ui.perfetto.dev);\n"
"                         - for standard output\n"
"      --html OUT         one HTML page, self-contained: a lane per process\n"
"                         over time, zoomable, what the kernel did on hover\n"
"                         (open it in any browser, offline); - for stdout\n"
"  -p, --pid PID          only PID and its descendants (default: what the\n"
"                         recording selected)\n"
"      --cgroup PATH      only tasks in cgroup PATH or below (v2 or pids)\n"
"      --container ID     only tasks of container ID (an id, a unique\n"
"                         prefix of one, or a systemd unit: foo.service)\n"
"  -j, --json             a failure's line as JSON\n"
"  -h, --help             this help\n"
"\n"
"EXAMPLES\n"
"  forkscope export -i build.fsr --perfetto build.pftrace\n"
"                                   # who forked whom, when: a timeline\n"
"  forkscope export -i leak.fsr -p 1234 --perfetto 1234.pftrace\n"
"                                   # only 1234 and its descendants\n"
"  forkscope export -i build.fsr --html build.html\n"
"                                   # the same as one page, for any browser\n");
}

#define OPT(field)	offsetof(struct export_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "export",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_CONTAINER | FS_CMD_INPUT,
	.opts = (const struct fs_opt[]){
		{ .name = "perfetto", .kind = FS_OPT_STRING,
		  .off = OPT(perfetto), .min = 1,
		  .wants = "--perfetto wants a file name" },
		{ .name = "html", .kind = FS_OPT_STRING, .off = OPT(html),
		  .min = 1, .wants = "--html wants a file name" },
		{}
	},
};

static int open_output(struct output *out, const char *name)
{
	out->name = name;
	if (!strcmp(name, "-")) {
		out->name = "standard output";
		out->f = stdout;
		return 0;
	}
	out->path = name;
	out->f = fopen(name, "w");
	if (!out->f)
		return fs_error(-errno, "cannot write %s: %s", name,
				strerror(errno));
	return 0;
}

/* Flushes and closes; 0, or a negative errno with the reason set. */
static int close_output(struct output *out, int err)
{
	if (!out->f)
		return err;
	if (!err)
		err = fs_output_check(out->f, out->name);
	if (out->f != stdout && fclose(out->f) && !err)
		err = fs_error(-errno, "cannot write %s: %s", out->name,
			       strerror(errno));
	out->f = NULL;
	return err;
}

/* The timeline's events, to every format asked for. */
static void on_timeline(void *ctx, const struct fs_tl_event *ev)
{
	struct export *x = ctx;

	if (x->perfetto)
		fs_perfetto_event(x->perfetto, ev);
}

/* The session's records, to the timeline. */
static void on_record(void *ctx, const struct fs_session *s,
		      const struct fs_hdr *rec, const struct fs_note *note)
{
	struct export *x = ctx;

	fs_timeline_apply(x->tl, fs_session_model(s), rec, note);
	if (x->html)
		fs_html_capture(x->html, fs_session_model(s), rec, note);
}

static int open_all(struct export *x)
{
	/* The page is drawn at the end, from every task kept. */
	struct fs_timeline_opts to = { .on_event = on_timeline, .ctx = x,
				       .keep = x->o.html != NULL };
	int err;

	if (x->o.perfetto) {
		err = open_output(&x->perfetto_out, x->o.perfetto);
		if (err)
			return err;
		x->perfetto = fs_perfetto_new(x->perfetto_out.f);
		if (!x->perfetto)
			return -ENOMEM;
	}
	if (x->o.html) {
		err = open_output(&x->html_out, x->o.html);
		if (err)
			return err;
		x->html = fs_html_new();
		if (!x->html)
			return -ENOMEM;
	}
	x->tl = fs_timeline_new(&to);
	return x->tl ? 0 : -ENOMEM;
}

/*
 * The recording, a second of it at a time from the next record on (a
 * stretch without one, a damaged stamp centuries ahead, is one step);
 * stops where a write failed.
 */
static int replay(struct export *x, struct fs_session *s)
{
	int n = 0;

	while (n >= 0 && !fs_session_done(s) && !fs_stop_requested()) {
		uint64_t next = fs_session_next_ns(s);

		n = fs_session_run_until(s, next > UINT64_MAX - NSEC_PER_SEC ?
					    UINT64_MAX : next + NSEC_PER_SEC);
		if (n >= 0 && x->perfetto && ferror(x->perfetto_out.f))
			n = fs_perfetto_flush(x->perfetto,
					      x->perfetto_out.name);
	}
	return n < 0 ? n : 0;
}

static void summary(const struct export *x)
{
	const struct fs_tl_stats *st = fs_timeline_stats(x->tl);
	double secs = st->end_ns > st->first_ns ?
		(st->end_ns - st->first_ns) / 1e9 : 0.0;

	if (x->perfetto)
		fprintf(stderr, "forkscope: export: %s: %llu packets, %llu processes and %llu threads over %.3f s\n",
			x->perfetto_out.name,
			(unsigned long long)fs_perfetto_packets(x->perfetto),
			(unsigned long long)st->processes,
			(unsigned long long)(st->tasks - st->processes), secs);
	if (x->html)
		fprintf(stderr, "forkscope: export: %s: a page of %llu processes over %.3f s\n",
			x->html_out.name, (unsigned long long)st->processes,
			secs);
}

/* The whole recording through the timeline, then its end. */
static int export(struct export *x, struct fs_session *s)
{
	const struct fs_file_end *end;
	int cut = replay(x, s), err;

	end = fs_session_end(s);
	/* What was read of a cut recording is written, then why no more. */
	fs_timeline_finish(x->tl, end ? end->end_ns : fs_session_now(s));
	err = x->perfetto ?
		fs_perfetto_flush(x->perfetto, x->perfetto_out.name) : 0;
	if (!err && x->html)
		err = fs_html_write(x->html_out.f, x->html, x->tl,
				    fs_session_meta(s));
	return err ? err : cut;
}

static int run(struct export *x)
{
	struct fs_session_opts so = { .on_event = on_record, .ctx = x };
	struct fs_session *s = NULL;
	int status = 0, err;

	err = open_all(x);
	if (!err) {
		status = fs_cmd_open_session(&s, &x->o.c, &so, FS_EXIT_FAIL);
		if (!status)
			err = export(x, s);
	}
	err = close_output(&x->perfetto_out, err);
	err = close_output(&x->html_out, err);
	/* Nothing was read: leave no empty trace or page behind. */
	if (status && x->perfetto_out.path)
		unlink(x->perfetto_out.path);
	if (status && x->html_out.path)
		unlink(x->html_out.path);
	if (!status && err)
		status = fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	else if (!status)
		summary(x);
	fs_session_close(s);
	fs_perfetto_free(x->perfetto);
	fs_html_free(x->html);
	fs_timeline_free(x->tl);
	return status;
}

int cmd_export(int argc, char **argv, const struct fs_global_opts *g)
{
	struct export x = {};

	if (fs_cmd_parse(&spec, argc, argv, g, &x.o.c, &x.o) < 0)
		return FS_EXIT_USAGE;
	if (!x.o.c.input) {
		fs_usage_error("export", "wants a recording to read: -i FILE, made by forkscope record -o FILE");
		return FS_EXIT_USAGE;
	}
	if (!x.o.perfetto && !x.o.html) {
		fs_usage_error("export", "wants a format to write: --perfetto OUT or --html OUT");
		return FS_EXIT_USAGE;
	}
	if (x.o.perfetto && x.o.html && !strcmp(x.o.perfetto, "-") &&
	    !strcmp(x.o.html, "-")) {
		fs_usage_error("export", "--perfetto and --html cannot both write to standard output");
		return FS_EXIT_USAGE;
	}
	return run(&x);
}
