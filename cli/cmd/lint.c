// SPDX-License-Identifier: GPL-2.0-only
/* forkscope lint: the classic fork/exec mistakes, on live processes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "lint.h"
#include "lint_view.h"
#include "session.h"

#define POLL_NS		(100 * NSEC_PER_MSEC)

struct lint_opts {
	struct fs_cmd_opts c;	/* -p, -i, -j, -v */
	double duration_s;
	int severity;
	double mt_fork_ms;
	double zombie_age_s;
	long exec_repeat;
	double cow_min_mib;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope lint [OPTIONS]\n"
"Watch the machine for the classic fork/exec mistakes, from the kernel's\n"
"events, and report them by process and kind, with the evidence, why each\n"
"matters and the usual fix: a threaded process whose child runs on\n"
"without exec (mt-fork), children never reaped (zombies), SIGCHLD ignored\n"
"while children fail (autoreap), the same exec failing again and again\n"
"(exec-loop), forks refused by a limit (fork-failed).\n"
"Exit status: 0 nothing at or above --severity, 1 found, 2 wrong usage,\n"
"3 could not check.\n"
"\n"
"  -p, --pid PID          only PID and its descendants\n"
"      --cgroup PATH      only processes in cgroup PATH or below (v2 or pids)\n"
"      --container ID     only processes of container ID (an id, a unique\n"
"                         prefix of one, or a systemd unit: foo.service)\n"
"  -d, --duration SECS    watch SECS seconds (default: until Ctrl-C)\n"
"  -i, --input FILE       the findings in a recording (forkscope record)\n"
"      --record FILE      keep what was watched in FILE, for -i later\n"
"      --severity LEVEL   report and fail on info, warning (default) or error\n"
"      --mt-fork-ms MS    a threaded parent's child may run MS before exec\n"
"                         (default 50)\n"
"      --zombie-age SECS  a zombie this old is a finding (default 1)\n"
"      --exec-repeat N    the same exec failing N times is a loop (default 3)\n"
"      --cow-min MIB      a worker forked without exec copying this much of\n"
"                         its parent's memory (default 1)\n"
"  -j, --json             one JSON object\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n"
"\n"
"EXAMPLES\n"
"  forkscope lint -d 60             # any fork/exec mistakes in a minute?\n"
"  forkscope lint -p 4242 -d 30     # what does 4242's process tree get wrong?\n"
"  forkscope lint -d 300 --severity error -j  # a canary's gate: exit 1 if so\n"
"  forkscope lint -i make.fsr       # the mistakes in a recording\n");
}

static int parse_severity(const char *cmd, const char *arg, void *dest)
{
	int s = fs_lint_severity_parse(arg);

	if (s < 0)
		return fs_usage_error(cmd, "--severity wants info, warning or error, not '%s'",
				      arg);
	*(int *)dest = s;
	return 0;
}

#define OPT(field)	offsetof(struct lint_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "lint",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_CONTAINER | FS_CMD_INPUT | FS_CMD_RECORD,
	.opts = (const struct fs_opt[]){
		{ .name = "duration", .letter = 'd', .kind = FS_OPT_DOUBLE,
		  .off = OPT(duration_s), .min = 0.001, .max = 1e7,
		  .wants = "--duration wants seconds > 0" },
		{ .name = "severity", .kind = FS_OPT_CUSTOM,
		  .off = OPT(severity), .parse = parse_severity },
		{ .name = "mt-fork-ms", .kind = FS_OPT_DOUBLE,
		  .off = OPT(mt_fork_ms), .min = 0, .max = 86400000,
		  .wants = "--mt-fork-ms wants milliseconds >= 0" },
		{ .name = "zombie-age", .kind = FS_OPT_DOUBLE,
		  .off = OPT(zombie_age_s), .min = 0, .max = 86400,
		  .wants = "--zombie-age wants seconds >= 0" },
		{ .name = "cow-min", .kind = FS_OPT_DOUBLE,
		  .off = OPT(cow_min_mib), .min = 0, .max = 1e7,
		  .wants = "--cow-min wants MiB >= 0" },
		{ .name = "exec-repeat", .kind = FS_OPT_LONG,
		  .off = OPT(exec_repeat), .min = 2, .max = 1e9,
		  .wants = "--exec-repeat wants a whole number >= 2" },
		{}
	},
};

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	fs_lint_event(ctx, fs_session_model(s), rec, n);
}

/* Until -d, Ctrl-C or the recording's end. */
static int watch(const struct lint_opts *o, struct fs_session *s)
{
	uint64_t end = o->duration_s ? fs_session_start_ns(s) +
				       o->duration_s * NSEC_PER_SEC : UINT64_MAX;
	int n = 0;

	uint64_t sample = fs_session_now(s) + NSEC_PER_SEC;

	while (n >= 0 && !fs_stop_requested() && !fs_session_done(s)) {
		uint64_t from = fs_session_next_ns(s), until;

		/* Workers' COW counts, every second: is the copy growing? */
		if (fs_session_now(s) >= sample) {
			fs_session_cow_sample(s);
			sample = fs_session_now(s) + NSEC_PER_SEC;
		}

		if (from < fs_session_now(s))
			from = fs_session_now(s);
		until = from > UINT64_MAX - POLL_NS ? UINT64_MAX : from + POLL_NS;
		n = fs_session_run_until(s, end < until ? end : until);
		if (fs_session_now(s) >= end)
			break;
	}
	fs_session_cow_sample(s);
	fs_session_drain(s);
	return n < 0 ? n : 0;
}

/* What the worker that copied most still shares with its parent. */
static void read_shared(struct fs_lint *l, const struct fs_session *s)
{
	for (uint32_t i = 0; !fs_session_meta(s) && i < l->n; i++) {
		struct fs_finding *f = &l->f[i];

		if (f->kind == FS_LINT_PREFORK_COW &&
		    fs_source_smaps_rollup(f->child, &f->shared_bytes,
					   &f->private_bytes))
			f->shared_bytes = f->private_bytes = -1;
	}
}

static int report(const struct lint_opts *o, struct fs_session *s,
		  struct fs_lint *l)
{
	struct fs_lint_report r = {
		.l = l,
		.m = fs_session_model(s),
		.watched_ns = fs_session_now(s) - fs_session_start_ns(s),
		.min_sev = o->severity,
		.unavailable = fs_session_exec_fds(s) ? NULL :
			       "descriptors inherited across exec (exec-fds): this source does not list them",
	};

	fs_lint_finish(l, r.m, fs_session_now(s));
	read_shared(l, s);
	fs_lint_sort(l);
	if (o->c.json)
		fs_lint_json(stdout, &r);
	else
		fs_lint_text(stdout, &r);
	return fs_output_check(stdout, "standard output");
}

int cmd_lint(int argc, char **argv, const struct fs_global_opts *g)
{
	struct lint_opts o = {
		.severity = FS_SEV_WARNING,
		.mt_fork_ms = 50,
		.zombie_age_s = 1,
		.exec_repeat = 3,
		.cow_min_mib = 1,
	};
	struct fs_session_opts so = {
		.source.exec_fds = true,
		.source.cow = true,
		.on_event = on_event,
	};
	struct fs_lint l;
	struct fs_session *s;
	int err;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	fs_lint_init(&l, &(struct fs_lint_opts){
		.mt_fork_ns = o.mt_fork_ms * NSEC_PER_MSEC,
		.zombie_ns = o.zombie_age_s * NSEC_PER_SEC,
		.exec_repeat = o.exec_repeat,
		.exec_window_ns = 10 * NSEC_PER_SEC,
		.cow_min_bytes = o.cow_min_mib * 1024 * 1024,
		.page_bytes = sysconf(_SC_PAGESIZE),
	});
	so.ctx = &l;
	err = fs_cmd_open_session(&s, &o.c, &so, FS_EXIT_NOCHECK);
	if (err) {
		fs_lint_free(&l);
		return err;
	}
	err = watch(&o, s);
	if (!err)
		err = report(&o, s, &l);
	if (err < 0)
		err = fs_fail(FS_EXIT_NOCHECK, "%s", fs_last_error());
	else
		err = fs_lint_worst(&l) >= o.severity ? FS_EXIT_FOUND :
							FS_EXIT_OK;
	fs_lint_free(&l);
	return fs_cmd_close_session(s, &o.c, FS_END_STOPPED, 0,
				    "the findings were reported", err,
				    FS_EXIT_NOCHECK);
}
