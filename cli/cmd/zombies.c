// SPDX-License-Identifier: GPL-2.0-only
/* forkscope zombies: who leaves zombies behind, and who never reaps. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "session.h"
#include "zombie_report.h"

struct zombies_opts {
	struct fs_cmd_opts c;	/* -i, -j, -v */
	bool watch;
	bool stacks;
	double min_age_s;
	const char *at;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope zombies [OPTIONS]\n"
"List un-reaped zombies older than --min-age, grouped by container (cgroup\n"
"and pid namespace), then by the parent that should reap them, with a\n"
"verdict; a container's PID 1 that never reaps the orphans it adopts is\n"
"named as such. Watches --min-age seconds first, so a child reaped in\n"
"time is not reported.\n"
"Exit status: 0 none, 1 found, 2 wrong usage, 3 could not check,\n"
"128 + the signal's number (130 for Ctrl-C) when stopped before the first\n"
"report: a check that did not finish says neither none nor found.\n"
"\n"
"      --cgroup PATH      only zombies in cgroup PATH or below (v2 or pids)\n"
"      --container ID     only zombies of container ID (an id, a unique\n"
"                         prefix of one, or a systemd unit: foo.service)\n"
"  -m, --min-age SECS     report zombies at least this old (default 1)\n"
"  -w, --watch            keep reporting (with -i: every interval of the\n"
"                         recording, from its start)\n"
"      --stacks           capture the user stack of each leaking parent's\n"
"                         forks from when it is found: zombies grouped by\n"
"                         the line that forked them; and show what the\n"
"                         parent does: its SIGCHLD handler, its waits, where\n"
"                         each thread is now (BPF source only)\n"
"  -i, --input FILE       the zombies in a recording (forkscope record): at\n"
"                         its end, or --at TIME\n"
"      --record FILE      keep what was watched in FILE, for -i later\n"
"      --at TIME          with -i: TIME into the recording (12.5: seconds\n"
"                         from its start; 21:14:55: when it was)\n"
"  -I, --interval SECS    between reports with --watch (default 1)\n"
"  -j, --json             one JSON object per report\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n"
"\n"
"EXAMPLES\n"
"  forkscope zombies                # any zombies? which parent leaks them?\n"
"  forkscope zombies -m 30 -j       # a health check: exit 1 if any >= 30 s\n"
"  forkscope zombies --container 3f4a  # does this container's PID 1 reap?\n"
"  forkscope zombies -w -I 60       # a report a minute: is the pile growing?\n"
"  forkscope zombies -w --stacks    # which line forks the zombies?\n");
}

#define OPT(field)	offsetof(struct zombies_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "zombies",
	.usage = usage,
	.shared = FS_CMD_INTERVAL | FS_CMD_CONTAINER | FS_CMD_INPUT |
		  FS_CMD_RECORD,
	.opts = (const struct fs_opt[]){
		{ .name = "min-age", .letter = 'm', .kind = FS_OPT_DOUBLE,
		  .off = OPT(min_age_s), .min = 0, .max = 86400,
		  .wants = "--min-age wants seconds >= 0" },
		{ .name = "watch", .letter = 'w', .kind = FS_OPT_FLAG,
		  .off = OPT(watch) },
		{ .name = "stacks", .kind = FS_OPT_FLAG, .off = OPT(stacks) },
		{ .name = "at", .kind = FS_OPT_STRING, .off = OPT(at), .min = 1,
		  .wants = "--at wants a time" },
		{}
	},
};

/* Said once: the reports go on without the parents' side. */
static void look_at_parents(struct fs_session *s)
{
	static bool said;

	if (fs_session_look_at_targets(s) < 0 && !said) {
		said = true;
		fprintf(stderr, "forkscope: zombies: %s; reported without what the parents are doing\n",
			fs_last_error());
	}
}

/* Prints one report; returns whether it found zombies. */
static int report(const struct zombies_opts *o, struct fs_session *s,
		  bool *found)
{
	struct fs_zombie_report r;
	int err;

	/* Dispositions change (signal(SIGCHLD, ...)): read them afresh. */
	err = fs_session_refresh(s);
	if (err < 0)
		return err;
	/* What each leaking parent is doing now: its side of the story. */
	if (o->stacks && !o->c.input)
		look_at_parents(s);
	/* Once: as of the end of the watch, as a recording of it ends. */
	if (!o->watch)
		fs_session_drain(s);
	err = fs_zombie_report_build(&r, fs_session_model(s), fs_session_now(s),
				     o->min_age_s * NSEC_PER_SEC);
	if (err)
		return err;
	if (o->c.json)
		fs_zombie_report_json(stdout, &r);
	else
		fs_zombie_report_text(stdout, &r);
	*found = r.nr_zombies > 0;
	fs_zombie_report_free(&r);
	return fs_output_check(stdout, "standard output");
}

int cmd_zombies(int argc, char **argv, const struct fs_global_opts *g)
{
	struct zombies_opts o = { .min_age_s = 1 };
	struct fs_session_opts so = { 0 };
	struct fs_session *s;
	bool found = false, reported = false;
	uint64_t at = UINT64_MAX;
	int err, cut = 0;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	/* A zombie as old as --min-age (250 ms at least) names a leak. */
	so.stacks = o.stacks ? FS_STACKS_ZOMBIE_PARENTS : FS_STACKS_OFF;
	so.stacks_zombie_ns = o.min_age_s * NSEC_PER_SEC;
	if (so.stacks_zombie_ns < 250 * NSEC_PER_MSEC)
		so.stacks_zombie_ns = 250 * NSEC_PER_MSEC;
	err = fs_cmd_open_session(&s, &o.c, &so, FS_EXIT_NOCHECK);
	if (err)
		return err;
	/* A first look: CPU shares at the report are since this one. */
	if (o.stacks && !o.c.input)
		look_at_parents(s);
	if (o.at && fs_cmd_at("zombies", o.at, s, &at)) {
		fs_session_close(s);
		return FS_EXIT_USAGE;
	}
	/*
	 * Watch min-age first: a child reaped within it is no zombie leak.
	 * A recording knows: it is read to --at, or to its end.
	 */
	if (!o.c.input)
		err = fs_session_run_for(s, o.min_age_s * 1000);
	else if (!o.watch)
		cut = fs_session_run_until(s, at);
	else
		err = fs_session_run_for(s, o.c.interval_s * 1000);
	while (!err && !fs_stop_requested()) {
		err = report(&o, s, &found);
		reported = !err;
		if (err || !o.watch || fs_session_done(s))
			break;
		err = fs_session_run_for(s, o.c.interval_s * 1000);
	}
	if (err || cut)
		err = fs_fail(FS_EXIT_NOCHECK, "%s", fs_last_error());
	else if (!reported)	/* as a shell's status for a signal */
		err = 128 + fs_stop_requested();
	else
		err = found ? FS_EXIT_FOUND : FS_EXIT_OK;
	return fs_cmd_close_session(s, &o.c, FS_END_STOPPED, 0,
				    "the zombies were reported", err,
				    FS_EXIT_NOCHECK);
}
