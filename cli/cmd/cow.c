// SPDX-License-Identifier: GPL-2.0-only
/* forkscope cow: who pays for copy-on-write, like top. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "cow_rates.h"
#include "cow_view.h"
#include "screen.h"
#include "session.h"

struct cow_opts {
	struct fs_cmd_opts c;	/* -p, -i, -j, -v */
	long top;
	long count;		/* reports to print; 0: until stopped */
	bool batch;		/* -b: one report after another, as written */
	enum fs_cow_sort sort;	/* --sort KEY */
};

/* --sort KEY: one of fs_cow_sort_keys. */
static int parse_sort(const char *cmd, const char *arg, void *dest)
{
	for (int i = 0; fs_cow_sort_keys[i]; i++) {
		if (!strcmp(arg, fs_cow_sort_keys[i])) {
			*(enum fs_cow_sort *)dest = i;
			return 0;
		}
	}
	return fs_usage_error(cmd, "--sort wants rate, faults or pid, not '%s'",
			      arg);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope cow [OPTIONS]\n"
"Processes by copy-on-write faults, like top: rate, total, estimated bytes\n"
"copied (faults x page size). Every output says what is counted: exact COW\n"
"faults where the kernel lets do_wp_page be hooked, else x86 write-protect\n"
"faults (which also count uffd-wp, soft-dirty and reuse faults).\n"
"\n"
"  -p, --pid PID          only PID and its descendants\n"
"      --cgroup PATH      only processes in cgroup PATH or below (v2 or pids)\n"
"      --container ID     only processes of container ID (an id, a unique\n"
"                         prefix of one, or a systemd unit: foo.service)\n"
"  -I, --interval SECS    between reports (default 1)\n"
"  -i, --input FILE       a recording made with --cow (forkscope record):\n"
"                         a report every interval of it, to its end\n"
"  -n, --top N            rows per report (default 20)\n"
"  -c, --count N          stop after N reports\n"
"      --sort KEY         rate (faults/s now, the default), faults (in all)\n"
"                         or pid\n"
"  -b, --batch            one report after another, as top -b does; the\n"
"                         default when the output is no terminal (on one,\n"
"                         each report redraws the screen in place)\n"
"  -j, --json             one JSON object per report\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n"
"\n"
"EXAMPLES\n"
"  forkscope cow                    # who copies most memory after fork?\n"
"  forkscope cow -p 4242 -I 5       # 4242 and its children, every 5 s\n"
"  forkscope cow -n 5 --container 3f4a  # the top five of one container\n"
"  forkscope cow -c 10 -j > cow.json  # ten reports as JSON, then stop\n"
"  forkscope cow --sort faults -b -c 3  # who copied most so far, 3 times\n");
}

#define OPT(field)	offsetof(struct cow_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "cow",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_INTERVAL | FS_CMD_CONTAINER |
		  FS_CMD_INPUT,
	.opts = (const struct fs_opt[]){
		{ .name = "top", .letter = 'n', .kind = FS_OPT_LONG,
		  .off = OPT(top), .min = 1, .max = 1e9,
		  .wants = "-n wants a whole number >= 1" },
		{ .name = "count", .letter = 'c', .kind = FS_OPT_LONG,
		  .off = OPT(count), .min = 1, .max = 1e9,
		  .wants = "-c wants a whole number >= 1" },
		{ .name = "sort", .kind = FS_OPT_CUSTOM, .off = OPT(sort),
		  .parse = parse_sort },
		{ .name = "batch", .letter = 'b', .kind = FS_OPT_FLAG,
		  .off = OPT(batch) },
		{}
	},
};

/* The last sample, in --sort's order, as text (a screen) or JSON. */
static int show(const struct cow_opts *o, const struct fs_cow_rates *st,
		const struct fs_session *s, long page, struct fs_screen *scr)
{
	const struct fs_model *m = fs_session_model(s);
	struct fs_cow_row *rows = fs_cow_rates_sorted(st, o->sort);
	struct fs_cow_report r = {
		.rows = rows,
		.n = st->nprev < (size_t)o->top ? st->nprev : (size_t)o->top,
		.total = st->nprev,
		.sort = fs_cow_sort_keys[o->sort],
		.method = fs_session_cow_method(s),
		.interval_s = o->c.interval_s,
		.now_ns = fs_session_now(s),
		.page = page,
		.m = m,
	};
	FILE *f;

	if (!rows)
		return -ENOMEM;
	f = fs_screen_begin(scr);
	if (!f) {
		free(rows);
		return fs_error(ENOMEM, "out of memory for a report");
	}
	if (o->c.json)
		fs_cow_json(f, &r);
	else
		fs_cow_text(f, &r);
	free(rows);
	return fs_screen_end(scr, "standard output");
}

int cmd_cow(int argc, char **argv, const struct fs_global_opts *g)
{
	struct cow_opts o = { .top = 20 };
	struct fs_session_opts so = { .source.cow = true };
	struct fs_cow_rates st = {};
	long page = sysconf(_SC_PAGESIZE);
	struct fs_screen scr;
	struct fs_session *s;
	int err = 0;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	/* Redrawn in place only for a person: on a terminal, as text. */
	fs_screen_init(&scr, stdout, o.batch || o.c.json ||
		       !isatty(STDOUT_FILENO));
	err = fs_cmd_open_session(&s, &o.c, &so, FS_EXIT_FAIL);
	if (err)
		return err;
	if (o.c.input && !fs_session_cow_method(s)) {
		fs_session_close(s);
		return fs_fail(FS_EXIT_FAIL, "%s was recorded without --cow: it holds no COW faults",
			       o.c.input);
	}
	err = fs_session_cow_sample(s);
	if (err >= 0)	/* the baseline */
		err = fs_cow_rates_update(&st, fs_session_model(s),
					  o.c.interval_s);
	for (long n = 0; err >= 0 && (!o.count || n < o.count); n++) {
		uint64_t t0 = fs_session_now(s);

		if (fs_session_done(s))
			break;
		err = fs_session_run_for(s, o.c.interval_s * 1000);
		if (err || fs_stop_requested())
			break;
		err = fs_session_cow_sample(s);
		if (err >= 0)
			err = fs_cow_rates_update(&st, fs_session_model(s),
						  (fs_session_now(s) - t0) / 1e9);
		if (err < 0)
			break;
		err = show(&o, &st, s, page, &scr);
	}
	fs_screen_free(&scr);
	fs_cow_rates_free(&st);
	fs_session_close(s);
	return err < 0 ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) : FS_EXIT_OK;
}
