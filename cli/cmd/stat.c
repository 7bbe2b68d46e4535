// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope stat -- CMD: run a command and, once its whole process subtree
 * has ended, report its lifecycles like `perf stat` reports counters.
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
#include "lifestat.h"
#include "lint.h"
#include "session.h"
#include "held_command.h"
#include "stat_view.h"

struct stat_run {
	struct fs_cmd_opts c;	/* -j, -v */
	const char *output;	/* -o: where the report goes; else stderr */
	bool cow;		/* --cow: taken, as stat always counts them */
	FILE *out;
	char **cmd;
	pid_t child;
	struct fs_lifestat st;
	struct fs_lint lint;	/* the tree's fork/exec mistakes */
};

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	struct stat_run *r = ctx;

	fs_lifestat_event(&r->st, rec, n);
	fs_lint_event(&r->lint, fs_session_model(s), rec, n);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope stat [OPTIONS] -- CMD [ARGS...]\n"
"Run CMD; when it and every process it started have ended, report the\n"
"processes and threads created, execs by binary, exit statuses, zombies\n"
"left behind and zombie-seconds, COW faults per process, and fork-to-exec\n"
"latency percentiles. Exits with CMD's own status.\n"
"\n"
"  -i, --input FILE  report on a recording (forkscope record -- CMD: CMD's\n"
"                  lifetime; else all it holds), not on a command run now\n"
"      --record FILE  also keep CMD's lifetime in FILE (as forkscope\n"
"                  record -o FILE -- CMD would), for -i later\n"
"      --cgroup PATH  count only CMD's processes in cgroup PATH or below\n"
"      --container ID count only CMD's processes in container ID (an id,\n"
"                  a unique prefix of one, or a systemd unit); with\n"
"                  either, CMD itself is not counted as created\n"
"      --cow       COW faults per process (always counted in stat: the\n"
"                  option is taken as record and tree take it)\n"
"  -j, --json      one JSON object\n"
"  -o, --output FILE  write the report to FILE (default: stderr, as the\n"
"                  command's own output goes to stdout)\n"
"  -v, --verbose   show libbpf and verifier messages\n"
"  -h, --help      this help\n"
"\n"
"EXAMPLES\n"
"  forkscope stat -- make -j4       # what does a build start, and run?\n"
"  forkscope stat -- ./test.sh      # does it leave zombies? fork-to-exec?\n"
"  forkscope stat --cow -- python3 pool.py  # what do its workers copy?\n"
"  forkscope stat -j -o ci.json -- ./ci.sh  # the same as JSON, to a file\n"
"  forkscope stat -i make.fsr       # the report on a recorded run\n");
}

#define OPT(field)	offsetof(struct stat_run, field)

static const struct fs_cmd_spec spec = {
	.name = "stat",
	.usage = usage,
	.shared = FS_CMD_CONTAINER | FS_CMD_INPUT | FS_CMD_RECORD,
	.runs_command = true,
	.command_optional = true,
	.opts = (const struct fs_opt[]){
		{ .name = "output", .letter = 'o', .kind = FS_OPT_STRING,
		  .off = OPT(output) },
		/* As tree and record take it: a line moved over still runs. */
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{}
	},
};

/* Writes the report where -o said; an error when it did not get there. */
static int report(const struct stat_run *r, int status, size_t zombies,
		  uint64_t ns, const struct fs_session *s)
{
	const char *name = r->output ? r->output : "standard error";
	struct fs_stat_report rep = {
		.cmd = r->cmd,
		.status = status,
		.zombies = zombies,
		.ns = ns,
		.method = fs_session_cow_method(s),
		.page = sysconf(_SC_PAGESIZE),
		.st = &r->st,
		.lint = &r->lint,
		.m = fs_session_model(s),
		.filtered = r->c.cgroup || r->c.container,
	};
	int err;

	if (r->c.json)
		fs_stat_json(r->out, &rep);
	else
		fs_stat_text(r->out, &rep);
	err = fs_output_check(r->out, name);
	if (r->out != stderr && fclose(r->out) && !err)
		err = fs_error(errno, "cannot write %s: %s", name, strerror(errno));
	if (!err && r->st.failed)
		err = fs_error(r->st.failed, "out of memory: the report lacks details");
	return err;
}

/* The recorded command line, NUL-separated in the meta, as an argv. */
static void recorded_command(const struct fs_file_meta *m, char **argv,
			     size_t max)
{
	const char *p = m->command, *end = m->command + sizeof(m->command);
	size_t n = 0;

	while (p < end && *p && n + 1 < max) {
		argv[n++] = (char *)p;
		p += strnlen(p, end - p) + 1;
	}
	argv[n] = NULL;
}

/* stat -i FILE: the report the recorded run would have given. */
static int replay(struct stat_run *r, struct fs_session_opts *so)
{
	const struct fs_file_end *end;
	char *argv[64];
	struct fs_session *s;
	size_t zombies = 0;
	int err, cut;

	err = fs_cmd_open_session(&s, &r->c, so, FS_EXIT_FAIL);
	if (err) {
		if (r->out != stderr)
			fclose(r->out);
		return err;
	}
	recorded_command(fs_session_meta(s), argv, ARRAY_SIZE(argv));
	r->cmd = argv;
	r->st.processes = argv[0] && !r->c.cgroup && !r->c.container;
	cut = fs_session_run_until(s, UINT64_MAX);
	end = fs_session_end(s);
	fs_model_selected_left(fs_session_model(s), &zombies);
	fs_lifestat_finish(&r->st);
	fs_lint_finish(&r->lint, fs_session_model(s), fs_session_now(s));
	fs_lint_sort(&r->lint);
	err = report(r, end ? end->command_status : 0, zombies,
		     fs_session_now(s) - fs_session_start_ns(s), s);
	fs_session_close(s);
	fs_lifestat_free(&r->st);
	fs_lint_free(&r->lint);
	if (err || cut)
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	return argv[0] && end ? fs_exit_code_of(end->command_status) :
				FS_EXIT_OK;
}

int cmd_stat(int argc, char **argv, const struct fs_global_opts *g)
{
	struct stat_run r = {};
	struct fs_session_opts so = {
		.source.cow = true,
		.source.exec_fds = true,
		.on_event = on_event,
		.ctx = &r,
	};
	size_t zombies = 0;
	struct fs_session *s;
	bool said = false;
	int go = -1, err, status = 0;
	uint64_t t0;

	err = fs_cmd_parse(&spec, argc, argv, g, &r.c, &r);
	if (err < 0)
		return FS_EXIT_USAGE;
	fs_lint_init(&r.lint, &fs_lint_defaults);
	if (r.c.input && err < argc)
		return fs_usage_error("stat", "-i reads a recording: no command to run with it"),
		       FS_EXIT_USAGE;
	if (!r.c.input && err >= argc)
		return fs_usage_error("stat", "wants a command to run, as in: forkscope stat -- make"),
		       FS_EXIT_USAGE;
	r.cmd = argv + err;
	err = 0;
	r.out = r.output ? fopen(r.output, "we") : stderr;
	if (!r.out)
		return fs_fail(FS_EXIT_FAIL, "cannot write %s: %s", r.output,
			       strerror(errno));
	if (r.c.input)
		return replay(&r, &so);
	r.child = fs_spawn_held(r.cmd, &go);
	if (r.child < 0) {
		if (r.out != stderr)
			fclose(r.out);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	/* What stat watches is the command's subtree, as -p would. */
	r.c.pid = r.child;
	r.c.command = r.cmd;
	err = fs_cmd_open_session(&s, &r.c, &so, FS_EXIT_FAIL);
	if (err) {
		close(go);	/* the child exits without running CMD */
		waitpid(r.child, NULL, 0);
		if (r.out != stderr)
			fclose(r.out);
		return err;
	}
	/* The command, forked before tracing began: in, unless filtered. */
	r.st.processes = !r.c.cgroup && !r.c.container;
	t0 = fs_boot_ns();
	err = fs_spawn_go(go, r.cmd[0]);

	/* Until the command is reaped and nothing it started lives on. */
	while (!err && !fs_stop_requested()) {
		err = fs_session_poll(s, 50);
		if (err < 0)
			break;
		err = 0;
		if (r.child > 0 && waitpid(r.child, &status, WNOHANG) == r.child)
			r.child = 0;
		if (!r.child &&
		    !fs_model_selected_left(fs_session_model(s), &zombies))
			break;
		if (!r.child && !said && fs_boot_ns() - t0 > NSEC_PER_SEC) {
			fprintf(stderr, "forkscope: stat: waiting for processes the command left running (Ctrl-C to stop)\n");
			said = true;
		}
	}
	if (err) {
		/* No report from a broken trace, but CMD is not left behind. */
		fs_session_close(s);
		if (r.child > 0)
			waitpid(r.child, NULL, 0);
		if (r.out != stderr)
			fclose(r.out);
		fs_lifestat_free(&r.st);
	fs_lint_free(&r.lint);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	fs_session_drain(s);
	if (r.child > 0 && waitpid(r.child, &status, WNOHANG) != r.child)
		status = 0;
	fs_model_selected_left(fs_session_model(s), &zombies);
	fs_lifestat_finish(&r.st);
	fs_lint_finish(&r.lint, fs_session_model(s), fs_session_now(s));
	fs_lint_sort(&r.lint);
	/* From when the watch began, as a recording of it says too. */
	err = report(&r, status, zombies,
		     fs_session_now(s) - fs_session_start_ns(s), s);
	/* The report is what stat is for: not delivered, stat failed. */
	err = err ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) :
		    fs_exit_code_of(status);
	err = fs_cmd_close_session(s, &r.c, FS_END_STOPPED, status,
				   "the command ended", err, FS_EXIT_FAIL);
	fs_lifestat_free(&r.st);
	fs_lint_free(&r.lint);
	return err;
}
