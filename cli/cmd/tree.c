// SPDX-License-Identifier: GPL-2.0-only
/* forkscope tree: the process tree, zombies marked, once or live. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "screen.h"
#include "session.h"
#include "tree_view.h"

enum tree_format { TREE_TEXT, TREE_JSON, TREE_DOT };

struct tree_opts {
	struct fs_cmd_opts c;	/* -p, -i, -j, -v */
	enum tree_format format;
	bool follow;
	bool dot;
	bool cow;
	bool containers;
	bool batch;		/* -b: drawings one after another */
	enum fs_tree_sort sort;	/* --sort KEY: siblings' order */
	const char *at;
};

/* --sort KEY: one of fs_tree_sort_keys. */
static int parse_sort(const char *cmd, const char *arg, void *dest)
{
	for (int i = 0; fs_tree_sort_keys[i]; i++) {
		if (!strcmp(arg, fs_tree_sort_keys[i])) {
			*(enum fs_tree_sort *)dest = i;
			return 0;
		}
	}
	return fs_usage_error(cmd, "--sort wants pid, age or cow, not '%s'",
			      arg);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope tree [OPTIONS]\n"
"Draw the process tree like pstree: pid, command, age, threads; zombies\n"
"with their exit status and how long they have waited to be reaped.\n"
"\n"
"  -p, --pid PID          only PID's subtree\n"
"      --cgroup PATH      only processes in cgroup PATH or below (v2 or pids)\n"
"      --container ID     only processes of container ID (an id, a unique\n"
"                         prefix of one, or a systemd unit: foo.service)\n"
"      --containers       a tree per container, under a heading for it\n"
"  -f, --follow           redraw live, like top (with -i: every interval of\n"
"                         the recording, from its start)\n"
"  -i, --input FILE       the tree in a recording (forkscope record): at its\n"
"                         end, or --at TIME\n"
"      --record FILE      keep what was watched in FILE, for -i later\n"
"      --at TIME          with -i: the tree TIME into the recording (12.5:\n"
"                         seconds from its start; 21:14:55: when it was)\n"
"  -I, --interval SECS    redraw every SECS seconds (default 1)\n"
"      --sort KEY         siblings by pid (the default), age (the youngest\n"
"                         first) or cow (the most COW faults first)\n"
"  -b, --batch            with -f: one drawing after another, as top -b\n"
"                         does; the default when the output is no terminal\n"
"                         (on one, each drawing redraws the screen in place,\n"
"                         cut to its size)\n"
"  -j, --json             one JSON object per drawing\n"
"      --dot              Graphviz DOT\n"
"      --cow              a column of copy-on-write faults per process\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n"
"\n"
"EXAMPLES\n"
"  forkscope tree                   # every process, zombies marked\n"
"  forkscope tree -p 4242 -f --cow --sort cow  # live, costliest first\n"
"  forkscope tree -f -b -I 5 > log  # a drawing every 5 s, kept in a file\n"
"  forkscope tree --containers      # which processes each container runs\n"
"  forkscope tree --dot | dot -Tsvg > tree.svg  # the tree as a picture\n");
}

#define OPT(field)	offsetof(struct tree_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "tree",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_INTERVAL | FS_CMD_CONTAINER |
		  FS_CMD_INPUT | FS_CMD_RECORD,
	.opts = (const struct fs_opt[]){
		{ .name = "follow", .letter = 'f', .kind = FS_OPT_FLAG,
		  .off = OPT(follow) },
		{ .name = "dot", .kind = FS_OPT_FLAG, .off = OPT(dot) },
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{ .name = "containers", .kind = FS_OPT_FLAG,
		  .off = OPT(containers) },
		{ .name = "batch", .letter = 'b', .kind = FS_OPT_FLAG,
		  .off = OPT(batch) },
		{ .name = "sort", .kind = FS_OPT_CUSTOM, .off = OPT(sort),
		  .parse = parse_sort },
		{ .name = "at", .kind = FS_OPT_STRING, .off = OPT(at), .min = 1,
		  .wants = "--at wants a time" },
		{}
	},
};

static int draw(const struct tree_opts *o, const struct fs_session *s,
		struct fs_screen *scr)
{
	struct fs_tree_opts to = { .root = o->c.pid, .now_ns = fs_session_now(s),
				   .containers = o->containers, .sort = o->sort };
	const struct fs_model *m = fs_session_model(s);
	FILE *f = fs_screen_begin(scr);
	int err, out;

	if (!f)
		return fs_error(ENOMEM, "out of memory for a drawing");
	switch (o->format) {
	case TREE_JSON:
		err = fs_tree_json(f, m, &to);
		break;
	case TREE_DOT:
		err = fs_tree_dot(f, m, &to);
		break;
	default:
		if (o->cow && !scr->batch)
			fprintf(f, "cow: %s\n", fs_session_cow_method(s));
		err = fs_tree_text(f, m, &to);
	}
	out = fs_screen_end(scr, "standard output");
	return err ? err : out;
}

int cmd_tree(int argc, char **argv, const struct fs_global_opts *g)
{
	struct tree_opts o = {};
	struct fs_session_opts so = {};
	bool tty = isatty(STDOUT_FILENO);
	struct fs_screen scr;
	struct fs_session *s;
	uint64_t at = UINT64_MAX;
	int err = 0, cut = 0;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	/* -j wins over --dot. */
	o.format = o.c.json ? TREE_JSON : o.dot ? TREE_DOT : TREE_TEXT;
	/* Redrawn in place only live, for a person: -f, text, a terminal. */
	fs_screen_init(&scr, stdout, !o.follow || o.batch || !tty ||
		       o.format != TREE_TEXT);
	so.source.cow = o.cow;
	err = fs_cmd_open_session(&s, &o.c, &so, FS_EXIT_FAIL);
	if (err)
		return err;
	if (o.at && fs_cmd_at("tree", o.at, s, &at)) {
		fs_session_close(s);
		return FS_EXIT_USAGE;
	}
	/* A recording is drawn where --at says, else where it ends. */
	if (o.c.input && !o.follow)
		cut = fs_session_run_until(s, at);
	/* Once above the drawings, unless each screen says it again. */
	if (o.cow && o.format == TREE_TEXT && scr.batch)
		printf("cow: %s\n", fs_session_cow_method(s));
	do {
		if (o.cow && (err = fs_session_cow_sample(s)) < 0)
			break;
		/* Once: as of the end of the watch, as a recording of it ends. */
		if (!o.follow)
			fs_session_drain(s);
		err = draw(&o, s, &scr);
		if (err || !o.follow)
			break;
		if (scr.batch && o.format == TREE_TEXT)
			fputs("\n", stdout);
		err = fs_session_run_for(s, o.c.interval_s * 1000);
	} while (!err && !fs_stop_requested() && !fs_session_done(s));
	fs_screen_free(&scr);
	/* What was read of a damaged recording was drawn; then why no more. */
	err = err || cut ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) :
			   FS_EXIT_OK;
	return fs_cmd_close_session(s, &o.c, FS_END_STOPPED, 0,
				    "the tree was drawn", err, FS_EXIT_FAIL);
}
