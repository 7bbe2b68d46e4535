// SPDX-License-Identifier: GPL-2.0-only
/* forkscope tree: the process tree, zombies marked, once or live. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "session.h"
#include "tree_view.h"

enum tree_format { TREE_TEXT, TREE_JSON, TREE_DOT };

struct tree_opts {
	struct fs_cmd_opts c;	/* -p, -i, -j, -v */
	enum tree_format format;
	bool follow;
	bool cow;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope tree [OPTIONS]\n"
"Draw the process tree like pstree: pid, command, age, threads; zombies\n"
"with their exit status and how long they have waited to be reaped.\n"
"\n"
"  -p, --pid PID          only PID's subtree\n"
"  -f, --follow           redraw live, like top\n"
"  -i, --interval SECS    redraw every SECS seconds (default 1)\n"
"  -j, --json             one JSON object per drawing\n"
"      --dot              Graphviz DOT\n"
"      --cow              a column of copy-on-write faults per process\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n");
}

static int parse_opts(int argc, char **argv, struct tree_opts *o)
{
	static const struct option longopts[] = {
		FS_CMD_LONGOPTS,
		{ "follow", no_argument, NULL, 'f' },
		{ "dot", no_argument, NULL, 'D' },
		{ "cow", no_argument, NULL, 'C' },
		{},
	};
	int c, done;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:fi:jvh", longopts, NULL)) != -1) {
		done = fs_cmd_opt("tree", c, argv, &o->c, usage);
		if (done < 0)
			return done;
		if (c == 'f')
			o->follow = true;
		else if (c == 'D')
			o->format = TREE_DOT;
		else if (c == 'C')
			o->cow = true;
	}
	if (o->c.json)
		o->format = TREE_JSON;
	return fs_no_more_args("tree", argc, argv);
}

static int draw(const struct tree_opts *o, const struct fs_session *s,
		bool clear)
{
	struct fs_tree_opts to = { .root = o->c.pid, .now_ns = fs_boot_ns() };

	switch (o->format) {
	case TREE_JSON:
		return fs_tree_json(stdout, &s->model, &to);
	case TREE_DOT:
		return fs_tree_dot(stdout, &s->model, &to);
	default:
		if (clear)
			fputs("\033[H\033[2J", stdout);
		return fs_tree_text(stdout, &s->model, &to);
	}
}

int cmd_tree(int argc, char **argv, const struct fs_global_opts *g)
{
	struct tree_opts o = {
		.c = { .json = g->json, .verbose = g->verbose, .interval_s = 1 },
	};
	struct fs_session_opts so = { .source.kind = g->source };
	bool tty = isatty(STDOUT_FILENO);
	struct fs_session s;
	int err = 0;

	if (parse_opts(argc, argv, &o))
		return FS_EXIT_USAGE;
	so.source.verbose = o.c.verbose;
	so.source.cow = o.cow;
	fs_stop_on_signals();
	if (fs_session_open(&s, &so))
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	if (o.cow && o.format == TREE_TEXT)
		printf("cow: %s\n", fs_source_cow_method(s.src));
	do {
		if (o.cow && (err = fs_source_cow_sample(s.src)) < 0)
			break;
		err = draw(&o, &s, o.follow && tty);
		if (!err)
			err = fs_output_check(stdout, "standard output");
		if (err || !o.follow)
			break;
		if (!tty && o.format == TREE_TEXT)
			fputs("\n", stdout);
		err = fs_session_run_for(&s, o.c.interval_s * 1000);
	} while (!err && !fs_stop_requested());
	fs_session_close(&s);
	return err ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) : FS_EXIT_OK;
}
