// SPDX-License-Identifier: GPL-2.0-only
/* forkscope trace: every fork, exec, exit, wait and reap, live. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "decode.h"
#include "event_view.h"
#include "event_filter.h"
#include "explain.h"
#include "lint.h"
#include "lint_view.h"
#include "session.h"
#include "stack_view.h"
#include "recording_view.h"
#include "summary_view.h"

#define POLL_MS		100
#define POLL_NS		(POLL_MS * NSEC_PER_MSEC)

struct trace_opts {
	struct fs_cmd_opts c;	/* -p, -j, -v */
	struct fs_event_filter f;	/* -e, -c, --no-threads */
	bool explain;
	bool cow;
	bool stacks;
	double duration_s;
	size_t ring_bytes;
};

struct trace {
	struct trace_opts o;
	struct fs_session *s;
	uint64_t shown[FS_REC_TYPE_MAX];
	struct fs_lint lint;	/* --explain: the findings events show */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope trace [OPTIONS]\n"
"Print every fork, exec, exit, wait and reap on this machine as it happens,\n"
"and every fork and exec that failed.\n"
"\n"
"  -p, --pid PID        only PID and its descendants, including later ones\n"
"      --cgroup PATH    only tasks in cgroup PATH or below (v2 or pids)\n"
"      --container ID   only tasks of container ID (an id, a unique prefix\n"
"                       of one, or a systemd unit such as foo.service)\n"
"  -c, --comm COMM      only tasks whose command name is COMM\n"
"  -e, --events LIST    only these events: fork,exec,exit,wait,reap,cgroup,\n"
"                       fork-failed,exec-failed (wait shows both the wait\n"
"                       and its result)\n"
"      --no-threads     leave out thread creation, exit and release\n"
"  -x, --explain        add a line on what the kernel just did, and the\n"
"                       fork/exec mistake an event shows (forkscope lint)\n"
"      --cow            count COW faults: each process's exit shows its own\n"
"      --stacks         show the user stack each selected process forked\n"
"                       from: function, file and line (BPF source only)\n"
"  -d, --duration SECS  stop after SECS seconds (default: until Ctrl-C)\n"
"  -j, --json           JSON lines (schema: docs/json.md)\n"
"  -i, --input FILE     read a recording (forkscope record) instead\n"
"      --record FILE    also keep what is traced in FILE, for -i later\n"
"      --ring-size MB   kernel ring buffer size (default 16)\n"
"  -v, --verbose        show libbpf and verifier messages\n"
"  -h, --help           this help\n"
"\n"
"EXAMPLES\n"
"  forkscope trace                  # every process started and ended, live\n"
"  forkscope trace -p $$ -x         # what this shell starts, step by step\n"
"  forkscope trace -e fork-failed,exec-failed\n"
"                                   # which forks and execs fail, and why\n"
"  forkscope trace -d 60 -j > t.json  # a minute of it as JSON lines\n"
"  forkscope trace -p 4242 --stacks -e fork\n"
"                                   # which lines of 4242's code fork\n");
}

#define OPT(field)	offsetof(struct trace_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "trace",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_CONTAINER | FS_CMD_INPUT | FS_CMD_RECORD,
	.opts = (const struct fs_opt[]){
		FS_EVENT_FILTER_OPTS(OPT(f)),
		{ .name = "explain", .letter = 'x', .kind = FS_OPT_FLAG,
		  .off = OPT(explain) },
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{ .name = "stacks", .kind = FS_OPT_FLAG, .off = OPT(stacks) },
		{ .name = "duration", .letter = 'd', .kind = FS_OPT_DOUBLE,
		  .off = OPT(duration_s), .min = 0.001, .max = 1e7,
		  .wants = "--duration wants seconds > 0" },
		{ .name = "ring-size", .kind = FS_OPT_MIB, .off = OPT(ring_bytes),
		  .min = 1, .max = 1024,
		  .wants = "--ring-size wants a power of 2 from 1 to 1024 (MB)" },
		{}
	},
};

/*
 * Each record is shown as itself, but for sched_process_free: the reap
 * line comes from whichever record first showed the task released.
 */
static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	struct trace *t = ctx;
	const struct fs_finding *fd = NULL;
	char why_buf[256];

	if (t->o.explain)
		fd = fs_lint_event(&t->lint, fs_session_model(s), rec, n);
	/* The same descriptors inherited again: counted, not repeated. */
	if (fd && fd->kind == FS_LINT_EXEC_FDS && fd->count > 1)
		fd = NULL;
	if (rec->type == FS_REC_FORK_STACK && n->site &&
	    fs_event_wanted(&t->o.f, rec, n)) {
		if (t->o.c.json)
			fs_event_json(stdout, fs_session_model(s), rec, n, NULL);
		else
			fs_site_text(stdout, n->site, "    ");
	}
	if (rec->type != FS_REC_REAP && (FS_ALL_EVENTS & (1U << rec->type)) &&
	    fs_event_wanted(&t->o.f, rec, n)) {
		const char *why = t->o.explain ?
			fs_explain(why_buf, sizeof(why_buf), fs_session_model(s), rec,
				   n) : NULL;

		t->shown[rec->type]++;
		if (t->o.c.json)
			fs_event_json(stdout, fs_session_model(s), rec, n, why);
		else
			fs_event_text(stdout, fs_session_model(s), rec, n, why);
	}
	if (fs_release_wanted(&t->o.f, n)) {
		const char *why = t->o.explain ?
			fs_explain_release(why_buf, sizeof(why_buf), n) : NULL;

		t->shown[FS_REC_REAP]++;
		if (t->o.c.json)
			fs_release_json(stdout, rec->ts_ns, n, why);
		else
			fs_release_text(stdout, fs_session_model(s),
					rec->ts_ns, n, why);
	}
	/* Under the event that showed it (exec-fds: under its exec). */
	if (fd && fs_event_wanted(&t->o.f, rec, n)) {
		if (t->o.c.json)
			fs_lint_inline_json(stdout, fs_session_model(s),
					    rec->ts_ns, fd);
		else
			fs_lint_inline_text(stdout, fd);
	}
}

static void summary(const struct trace *t)
{
	struct fs_trace_summary sum = {
		.ns = fs_session_now(t->s) - fs_session_start_ns(t->s),
		.source = fs_session_describe(t->s),
		.stats = fs_session_stats(t->s),
		.shown = t->shown,
		.types = FS_ALL_EVENTS,
		.cow = fs_session_cow_method(t->s) != NULL,
		.model = fs_session_model(t->s),
	};

	if (t->o.c.json)
		fs_summary_json(stdout, &sum);
	else
		fs_summary_text(stderr, &sum);
}

/* Records were lost: the table was rebuilt from a snapshot; say so. */
static void on_resync(void *ctx, const struct fs_session *s, uint64_t swept)
{
	struct trace *t = ctx;
	uint64_t lost = fs_session_model(s)->lost;

	if (t->o.c.json)
		fs_resync_json(stdout, fs_session_now(s), lost, swept);
	else
		fs_resync_text(stdout, lost, swept);
}

/*
 * stdout is flushed after every batch of records anyway, so a batch can
 * go out in one write: with stdio's own buffer (st_blksize, 4 KiB) a fork
 * storm cost a write per 3 children under --json. glibc ignores
 * setvbuf's size without a buffer. A terminal stays line-buffered.
 */
static char out_buf[64 << 10];

static int run(struct trace *t)
{
	struct fs_session_opts so = {
		.source = {
			.ring_bytes = t->o.ring_bytes,
			.cow = t->o.cow,
			.exec_fds = t->o.explain,
		},
		.stacks = t->o.stacks ? FS_STACKS_SELECTED : FS_STACKS_OFF,
		.on_event = on_event,
		.on_resync = on_resync,
		.ctx = t,
	};
	const struct fs_stream_stats *st;
	uint64_t end;
	int n;

	n = fs_cmd_open_session(&t->s, &t->o.c, &so, FS_EXIT_FAIL);
	if (n)
		return n;
	st = fs_session_stats(t->s);
	if (fs_session_meta(t->s))
		fs_recording_text(stderr, t->o.c.input, fs_session_meta(t->s));
	else
		fprintf(stderr, "forkscope: tracing with %s; Ctrl-C to stop\n",
			fs_session_describe(t->s));
	if (st->snapshot_filled)
		fprintf(stderr, "forkscope: the kernel's task iterator skipped %llu tasks; /proc supplied them\n",
			(unsigned long long)st->snapshot_filled);
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	if (!t->o.c.json)
		fs_event_text_header(stdout);
	/* Checked here too: a failed flush's errno is gone by the next one. */
	n = fs_output_check(stdout, "standard output");

	end = t->o.duration_s ?
		fs_session_start_ns(t->s) + t->o.duration_s * NSEC_PER_SEC : 0;
	/*
	 * Every POLL_MS, from the next record on: replaying, a stretch of
	 * the recording without one is skipped (a damaged file stamped a
	 * century ahead took a loop per POLL_MS of it).
	 */
	while (n >= 0 && !fs_stop_requested() && !fs_session_done(t->s)) {
		uint64_t from = fs_session_next_ns(t->s), until;

		if (from < fs_session_now(t->s))
			from = fs_session_now(t->s);
		until = from > UINT64_MAX - POLL_NS ? UINT64_MAX : from + POLL_NS;

		n = fs_session_run_until(t->s, end && end < until ? end : until);
		/* Nobody reads what cannot be written: stop tracing. */
		if (n >= 0)
			n = fs_output_check(stdout, "standard output");
		if (n < 0 || (end && fs_session_now(t->s) >= end))
			break;
	}
	/* Whatever the kernel wrote before we stopped is still ours. */
	fs_session_drain(t->s);
	summary(t);
	if (n >= 0)
		n = fs_output_check(stdout, "standard output");
	n = n < 0 ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) : FS_EXIT_OK;
	return fs_cmd_close_session(t->s, &t->o.c, FS_END_STOPPED, 0,
				    "tracing stopped", n, FS_EXIT_FAIL);
}

int cmd_trace(int argc, char **argv, const struct fs_global_opts *g)
{
	struct trace t = { .o.f.events = FS_ALL_EVENTS };

	int status;

	if (fs_cmd_parse(&spec, argc, argv, g, &t.o.c, &t.o) < 0)
		return FS_EXIT_USAGE;
	fs_lint_init(&t.lint, &fs_lint_defaults);
	status = run(&t);
	fs_lint_free(&t.lint);
	return status;
}
