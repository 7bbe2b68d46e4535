// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope record -o FILE: the stream a session applies, kept in a file
 * (include/forkscope/file.h) that every command reads back with -i.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "events.h"
#include "lifestat.h"
#include "recfile.h"
#include "recording_view.h"
#include "session.h"
#include "spawn.h"

#define POLL_MS		100
#define COW_SAMPLE_MS	1000

struct record_opts {
	struct fs_cmd_opts c;	/* -p, --cgroup, --container, -j, -v */
	struct fs_event_filter f;	/* -e, -c, --no-threads */
	const char *output;
	double duration_s;
	bool cow;
	size_t ring_bytes;
	long max_mb;
	long rotate;
};

struct recorder {
	struct record_opts o;
	char **cmd;
	pid_t child;
	int status;		/* the command's, once reaped */
	bool filtered;
	struct fs_file_meta meta;
	struct fs_recw *w;
	int err;		/* the first failure to write */
	bool full;		/* --max-size reached */
	uint32_t parts;
	uint64_t bytes_done, records_done;	/* of the closed parts */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope record -o FILE [OPTIONS] [-- CMD [ARGS...]]\n"
"Record every fork, exec, exit, wait and reap (and the process table they\n"
"started from) into FILE, compressed, for any command to read later with\n"
"-i FILE, here or on another machine. With CMD: run it and record exactly\n"
"its lifetime, as stat does. A recording cut short (killed, disk full) is\n"
"readable up to its last whole second.\n"
"\n"
"  -o, --output FILE    the recording to write (replaced if it exists)\n"
"  -d, --duration SECS  stop after SECS seconds (default: Ctrl-C, or CMD's end)\n"
"  -p, --pid PID        only PID and its descendants, including later ones\n"
"      --cgroup PATH    only tasks in cgroup PATH or below (v2 or pids)\n"
"      --container ID   only tasks of container ID\n"
"  -c, --comm COMM      only events of tasks whose command name is COMM\n"
"  -e, --events LIST    only these events: " FS_EVENT_NAMES "\n"
"      --no-threads     leave out thread creation, exit and release\n"
"      --cow            count COW faults, sampled every second\n"
"      --max-size MB    stop when FILE reaches MB megabytes...\n"
"      --rotate N       ...or, with --rotate, start FILE anew and keep the\n"
"                       N before it as FILE.1 (newest) to FILE.N\n"
"      --ring-size MB   kernel ring buffer size (default 16)\n"
"  -j, --json           the closing report as JSON on stdout\n"
"  -v, --verbose        show libbpf and verifier messages\n"
"  -h, --help           this help\n"
"\n"
"The process table at the start is always recorded whole; the filters\n"
"choose the events kept after it.\n"
"\n"
"Examples:\n"
"  forkscope record -o boot.fsr -d 60      the next minute of this machine\n"
"  forkscope record -o make.fsr -- make -j8  everything make started\n"
"  forkscope record -o leak.fsr --max-size 100 --rotate 5 -p 1234\n"
"                                          a week of one server, in 600 MB\n"
"  forkscope tree -i make.fsr --at 2.5     the tree 2.5 s into it\n");
}

#define OPT(field)	offsetof(struct record_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "record",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_CONTAINER,
	.runs_command = true,
	.command_optional = true,
	.opts = (const struct fs_opt[]){
		{ .name = "output", .letter = 'o', .kind = FS_OPT_STRING,
		  .off = OPT(output), .min = 1,
		  .wants = "-o wants a file name" },
		{ .name = "duration", .letter = 'd', .kind = FS_OPT_DOUBLE,
		  .off = OPT(duration_s), .min = 0.001, .max = 1e7,
		  .wants = "--duration wants seconds > 0" },
		{ .name = "comm", .letter = 'c', .kind = FS_OPT_STRING,
		  .off = OPT(f.comm), .min = 1, .max = FS_COMM_LEN - 1,
		  .wants = "-c wants a command name of 1 to 15 characters" },
		{ .name = "events", .letter = 'e', .kind = FS_OPT_CUSTOM,
		  .off = OPT(f.events), .parse = fs_parse_events },
		{ .name = "no-threads", .kind = FS_OPT_FLAG,
		  .off = OPT(f.no_threads) },
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{ .name = "max-size", .kind = FS_OPT_LONG, .off = OPT(max_mb),
		  .min = 1, .max = 1 << 20,
		  .wants = "--max-size wants megabytes from 1 to 1048576" },
		{ .name = "rotate", .kind = FS_OPT_LONG, .off = OPT(rotate),
		  .min = 1, .max = 1000,
		  .wants = "--rotate wants a number of files from 1 to 1000" },
		{ .name = "ring-size", .kind = FS_OPT_MIB, .off = OPT(ring_bytes),
		  .min = 1, .max = 1024,
		  .wants = "--ring-size wants a power of 2 from 1 to 1024 (MB)" },
		{}
	},
};

/*
 * Filtered, a recording keeps the snapshots whole (the replay's model
 * needs them), every loss and cgroup name, and the events asked for.
 */
static bool keep(const struct recorder *r, const struct fs_hdr *rec,
		 const struct fs_note *n)
{
	if (!r->filtered)
		return true;
	switch (rec->type) {
	case FS_REC_SYNC:
	case FS_REC_TASK:
	case FS_REC_LOST:
	case FS_REC_CGROUP_PATH:
		return true;
	case FS_REC_COW:
		return n->selected;
	case FS_REC_REAP:
		return n->selected || n->gone_selected;
	default:
		return fs_event_wanted(&r->o.f, rec, n);
	}
}

/* The first record opens the file: the source is known by then. */
static int start_part(struct recorder *r, const struct fs_session *s)
{
	r->meta.start_ns = fs_boot_ns();
	r->meta.part = r->parts;
	fs_session_fill_meta(s, &r->meta);
	r->w = fs_recw_open(r->o.output, &r->meta);
	if (!r->w)
		return -EIO;
	r->parts++;
	return 0;
}

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	struct recorder *r = ctx;

	if (r->err || r->full || !keep(r, rec, n))
		return;
	if (!r->w && (r->err = start_part(r, s)))
		return;
	r->err = fs_recw_add(r->w, rec);
}

/* Closes the part being written; its END says why. */
static int end_part(struct recorder *r, uint32_t reason)
{
	struct fs_file_end end = {
		.end_ns = fs_boot_ns(),
		.reason = reason,
		.command_status = r->status,
	};
	uint64_t bytes;
	int err;

	if (!r->w)
		return r->err;
	err = fs_recw_close(r->w, &end, &bytes);
	r->w = NULL;
	r->bytes_done += bytes;
	r->records_done += end.records;
	return r->err ? r->err : err;
}

/* FILE -> FILE.1 -> ... -> FILE.N; the oldest goes. */
static int shift_parts(const struct recorder *r)
{
	size_t len = strlen(r->o.output) + 16;
	char from[len], to[len];

	for (long i = r->o.rotate; i >= 1; i--) {
		if (i > 1)
			snprintf(from, len, "%s.%ld", r->o.output, i - 1);
		else
			snprintf(from, len, "%s", r->o.output);
		snprintf(to, len, "%s.%ld", r->o.output, i);
		if (rename(from, to) && errno != ENOENT)
			return fs_error(errno, "cannot rename %s to %s: %s",
					from, to, strerror(errno));
	}
	return 0;
}

/* A new part holds a new snapshot, so that it reads on its own. */
static int rotate(struct recorder *r, struct fs_session *s)
{
	int err = end_part(r, FS_END_ROTATED);

	if (!err)
		err = shift_parts(r);
	if (!err)
		err = start_part(r, s);
	if (!err)
		err = fs_session_refresh(s) < 0 ? -EIO : 0;
	return err ? err : r->err;
}

/* What to do when the file reached --max-size: rotate, or stop. */
static int check_size(struct recorder *r, struct fs_session *s)
{
	uint64_t max = (uint64_t)r->o.max_mb << 20;

	if (!max || !r->w ||
	    fs_recw_bytes(r->w) + fs_recw_buffered(r->w) / 8 < max)
		return 0;
	if (r->o.rotate)
		return rotate(r, s);
	r->full = true;
	return 0;
}

/* The command's subtree has ended (record -- CMD), or it was not asked. */
static bool command_ended(struct recorder *r, const struct fs_session *s)
{
	size_t zombies;

	if (!r->cmd)
		return false;
	if (r->child > 0 && waitpid(r->child, &r->status, WNOHANG) == r->child)
		r->child = 0;
	return !r->child && !fs_model_selected_left(fs_session_model(s),
						    &zombies);
}

static const char *watch(struct recorder *r, struct fs_session *s)
{
	uint64_t start = fs_session_start_ns(s), flushed = start, cowed = start;
	uint64_t end = r->o.duration_s ?
		start + r->o.duration_s * NSEC_PER_SEC : 0;

	while (!r->err && !fs_stop_requested()) {
		uint64_t now = fs_session_now(s);
		uint64_t until = now + POLL_MS * NSEC_PER_MSEC;

		if (fs_session_run_until(s, end && end < until ? end : until) < 0)
			return NULL;
		now = fs_session_now(s);
		if (r->o.cow && now - cowed >= COW_SAMPLE_MS * NSEC_PER_MSEC) {
			fs_session_cow_sample(s);
			cowed = now;
		}
		if (now - flushed >= FS_FILE_FLUSH_MS * NSEC_PER_MSEC) {
			if (r->w && (r->err = fs_recw_flush(r->w)))
				break;
			flushed = now;
		}
		if ((r->err = check_size(r, s)))
			return NULL;
		if (r->full)
			return "stopped at --max-size";
		if (command_ended(r, s))
			return "the command ended";
		if (end && now >= end)
			return "the duration ended";
	}
	return r->err ? NULL : "stopped by a signal";
}

/* The command line, as the meta keeps it: NUL-separated, cut to fit. */
static void keep_command(struct fs_file_meta *m, char **cmd)
{
	size_t off = 0;

	for (; *cmd; cmd++) {
		size_t len = strlen(*cmd) + 1;

		if (off + len + 1 > sizeof(m->command))
			break;
		memcpy(m->command + off, *cmd, len);
		off += len;
	}
}

static void fill_selection(struct recorder *r)
{
	struct fs_file_meta *m = &r->meta;

	m->select_pid = r->o.c.pid;
	m->command_pid = r->cmd ? r->child : 0;
	if (r->o.c.cgroup)
		snprintf(m->select_cgroup, sizeof(m->select_cgroup), "%s",
			 r->o.c.cgroup);
	if (r->o.c.container)
		snprintf(m->select_container, sizeof(m->select_container),
			 "%s", r->o.c.container);
	if (r->cmd)
		keep_command(m, r->cmd);
}

static int report(const struct recorder *r, const struct fs_session *s,
		  const char *why)
{
	struct fs_record_report rep = {
		.path = r->o.output,
		.ns = fs_session_now(s) - fs_session_start_ns(s),
		.records = r->records_done,
		.bytes = r->bytes_done,
		.lost = fs_session_model(s)->lost,
		.parts = r->parts,
		.stopped = why,
	};

	if (r->o.c.json)
		fs_record_report_json(stdout, &rep);
	else
		fs_record_report_text(stderr, &rep);
	return fs_output_check(r->o.c.json ? stdout : stderr,
			       r->o.c.json ? "standard output" :
					     "standard error");
}

static int run(struct recorder *r)
{
	struct fs_session_opts so = {
		.source = { .ring_bytes = r->o.ring_bytes, .cow = r->o.cow },
		.on_event = on_event,
		.ctx = r,
	};
	struct fs_session *s = NULL;
	const char *why;
	int go = -1, err;

	if (r->cmd) {
		r->child = fs_spawn_held(r->cmd, &go);
		if (r->child < 0)
			return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
		r->o.c.pid = r->child;	/* its subtree, as stat watches */
	}
	r->filtered = r->o.c.pid || r->o.c.cgroup || r->o.c.container ||
		      r->o.f.comm || r->o.f.no_threads ||
		      r->o.f.events != FS_ALL_EVENTS;
	fill_selection(r);
	err = fs_cmd_open_session(&s, &r->o.c, &so, FS_EXIT_FAIL);
	if (!err && r->err)	/* the file could not be created */
		err = fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	if (err) {
		fs_session_close(s);
		if (r->child > 0) {
			close(go);	/* it exits without running CMD */
			waitpid(r->child, NULL, 0);
		}
		fs_recw_abandon(r->w);
		return err;
	}
	if (r->cmd && (r->err = fs_spawn_go(go, r->cmd[0])))
		why = NULL;
	else
		why = watch(r, s);
	fs_session_drain(s);
	if (r->child > 0 && waitpid(r->child, &r->status, 0) != r->child)
		r->status = 0;
	err = end_part(r, r->full ? FS_END_MAX_SIZE : FS_END_STOPPED);
	if (!err && why)
		err = report(r, s, why);
	fs_session_close(s);
	if (err || !why)
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	return r->cmd ? fs_exit_code_of(r->status) : FS_EXIT_OK;
}

int cmd_record(int argc, char **argv, const struct fs_global_opts *g)
{
	struct recorder r = { .o.f.events = FS_ALL_EVENTS };
	int first;

	first = fs_cmd_parse(&spec, argc, argv, g, &r.o.c, &r.o);
	if (first < 0)
		return FS_EXIT_USAGE;
	if (!r.o.output)
		return fs_usage_error("record", "-o FILE is needed: where to record"),
		       FS_EXIT_USAGE;
	if (r.o.rotate && !r.o.max_mb)
		return fs_usage_error("record", "--rotate needs --max-size: when to start a new file"),
		       FS_EXIT_USAGE;
	if (first < argc) {
		if (r.o.c.pid)
			return fs_usage_error("record", "-p and a command to run both say what to record: give one"),
			       FS_EXIT_USAGE;
		r.cmd = argv + first;
	}
	return run(&r);
}
