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
#include "event_filter.h"
#include "lifestat.h"
#include "session.h"
#include "held_command.h"

#define POLL_MS		100
#define COW_SAMPLE_MS	1000
#define PIDS_SAMPLE_MS	1000	/* the PID budget, for pids -i */

struct record_opts {
	struct fs_cmd_opts c;	/* -p, --cgroup, --container, -j, -v */
	struct fs_event_filter f;	/* -e, -c, --no-threads */
	const char *output;
	double duration_s;
	bool cow;
	bool stacks;
	size_t ring_bytes;
	uint64_t max_bytes;
	long rotate;
};

struct recorder {
	struct record_opts o;
	char **cmd;
	pid_t child;
	int status;		/* the command's, once reaped */
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
"      --stacks         capture the user stack of each selected process's\n"
"                       forks, named as recorded (BPF source only)\n"
"      --max-size SIZE  stop when FILE reaches SIZE (100M, 2G, 512K; a bare\n"
"                       number is megabytes)...\n"
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
"EXAMPLES\n"
"  forkscope record -o boot.fsr -d 60  # the next minute of this machine\n"
"  forkscope record -o make.fsr -- make -j8  # everything make started\n"
"  forkscope record -o leak.fsr --max-size 100M --rotate 5 -p 1234\n"
"                                   # a week of one server, in 600 MB\n"
"  forkscope tree -i make.fsr --at 2.5  # then: the tree 2.5 s into it\n"
"  forkscope record -o srv.fsr -p 1234 --stacks\n"
"                                   # with the line each fork came from\n");
}

/* --max-size: 64K to 1T, in K, M, G or T (powers of 1024); bare: M. */
static int parse_size(const char *cmd, const char *arg, void *dest)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	u = *end ? strchr(units, *end) : strchr(units, 'M');
	if (errno || end == arg || !u || (*end && end[1]) ||
	    v > (1ULL << 40) >> (10 * (u - units + 1)) ||
	    (v << (10 * (u - units + 1))) < (64 << 10))
		return fs_usage_error(cmd, "--max-size wants a size from 64K to 1T (100M, 2G), not '%s'",
				      arg);
	*(uint64_t *)dest = v << (10 * (u - units + 1));
	return 0;
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
		FS_EVENT_FILTER_OPTS(OPT(f)),
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{ .name = "stacks", .kind = FS_OPT_FLAG, .off = OPT(stacks) },
		{ .name = "max-size", .kind = FS_OPT_CUSTOM,
		  .off = OPT(max_bytes), .parse = parse_size },
		{ .name = "rotate", .kind = FS_OPT_LONG, .off = OPT(rotate),
		  .min = 1, .max = 1000,
		  .wants = "--rotate wants a number of files from 1 to 1000" },
		{ .name = "ring-size", .kind = FS_OPT_MIB, .off = OPT(ring_bytes),
		  .min = 1, .max = 1024,
		  .wants = "--ring-size wants a power of 2 from 1 to 1024 (MB)" },
		{}
	},
};

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

/* Until -d, a signal, CMD's end, or the file filled; why, or NULL. */
static const char *watch(struct recorder *r, struct fs_session *s)
{
	uint64_t start = fs_session_start_ns(s), cowed = start, pidsed = start;
	uint64_t end = r->o.duration_s ?
		start + r->o.duration_s * NSEC_PER_SEC : 0;

	while (!fs_stop_requested()) {
		uint64_t now = fs_session_now(s);
		uint64_t until = now + POLL_MS * NSEC_PER_MSEC;

		if (fs_session_run_until(s, end && end < until ? end : until) < 0)
			return NULL;
		now = fs_session_now(s);
		if (r->o.cow && now - cowed >= COW_SAMPLE_MS * NSEC_PER_MSEC) {
			fs_session_cow_sample(s);
			cowed = now;
		}
		if (now - pidsed >= PIDS_SAMPLE_MS * NSEC_PER_MSEC) {
			fs_session_pids_sample(s);
			pidsed = now;
		}
		if (r->o.c.recorder->full)
			return "stopped at --max-size";
		if (command_ended(r, s))
			return "the command ended";
		if (end && now >= end)
			return "the duration ended";
	}
	return "stopped by a signal";
}

static int run(struct recorder *r)
{
	struct fs_session_opts so = {
		.source = { .ring_bytes = r->o.ring_bytes, .cow = r->o.cow },
		.stacks = r->o.stacks ? FS_STACKS_SELECTED : FS_STACKS_OFF,
	};
	struct fs_session *s = NULL;
	const char *why;
	int go = -1, err;

	if (r->cmd) {
		r->child = fs_spawn_held(r->cmd, &go);
		if (r->child < 0)
			return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
		r->o.c.pid = r->child;	/* its subtree, as stat watches */
		r->o.c.command = r->cmd;
	}
	r->o.c.record = r->o.output;
	r->o.c.record_json = r->o.c.json;
	r->o.c.rec = (struct fs_recorder_opts){
		.max_bytes = r->o.max_bytes,
		.rotate = r->o.rotate,
		.selected_only = r->o.c.pid || r->o.c.cgroup || r->o.c.container,
		.filter = r->o.f.comm || r->o.f.no_threads ||
			  r->o.f.events != FS_ALL_EVENTS ? &r->o.f : NULL,
	};
	err = fs_cmd_open_session(&s, &r->o.c, &so, FS_EXIT_FAIL);
	if (err) {
		if (r->child > 0) {
			close(go);	/* it exits without running CMD */
			waitpid(r->child, NULL, 0);
		}
		return err;
	}
	/* A PID budget reading at each end, and every second between. */
	fs_session_pids_sample(s);
	if (r->cmd && fs_spawn_go(go, r->cmd[0]))
		why = NULL;
	else
		why = watch(r, s);
	/* What the kernel did up to now, in the recording before it. */
	fs_session_poll(s, 0);
	fs_session_pids_sample(s);
	fs_session_drain(s);
	if (r->child > 0 && waitpid(r->child, &r->status, 0) != r->child)
		r->status = 0;
	if (!why && r->o.c.recorder->err)	/* told by the close */
		return fs_cmd_close_session(s, &r->o.c, FS_END_STOPPED,
					    r->status, NULL, FS_EXIT_FAIL,
					    FS_EXIT_FAIL);
	if (!why) {	/* reading failed: what was read is kept, then why */
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", fs_last_error());
		fs_cmd_close_session(s, &r->o.c, FS_END_STOPPED, r->status,
				     "reading records failed", FS_EXIT_FAIL,
				     FS_EXIT_FAIL);
		return fs_fail(FS_EXIT_FAIL, "%s", msg);
	}
	return fs_cmd_close_session(s, &r->o.c, FS_END_STOPPED, r->status, why,
				    r->cmd ? fs_exit_code_of(r->status) :
					     FS_EXIT_OK, FS_EXIT_FAIL);
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
	if (r.o.rotate && !r.o.max_bytes)
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
