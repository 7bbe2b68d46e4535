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
#include "session.h"
#include "stat_view.h"

struct stat_run {
	struct fs_cmd_opts c;	/* -j, -v */
	const char *output;	/* -o: where the report goes; else stderr */
	FILE *out;
	char **cmd;
	pid_t child;
	struct fs_lifestat st;
};

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	struct stat_run *r = ctx;

	fs_lifestat_event(&r->st, rec, n);
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
"      --cgroup PATH  count only CMD's processes in cgroup PATH or below\n"
"      --container ID count only CMD's processes in container ID (an id,\n"
"                  a unique prefix of one, or a systemd unit); with\n"
"                  either, CMD itself is not counted as created\n"
"  -j, --json      one JSON object\n"
"  -o, --output FILE  write the report to FILE (default: stderr, as the\n"
"                  command's own output goes to stdout)\n"
"  -v, --verbose   show libbpf and verifier messages\n"
"  -h, --help      this help\n");
}

#define OPT(field)	offsetof(struct stat_run, field)

static const struct fs_cmd_spec spec = {
	.name = "stat",
	.usage = usage,
	.shared = FS_CMD_CONTAINER,
	.runs_command = true,
	.opts = (const struct fs_opt[]){
		{ .name = "output", .letter = 'o', .kind = FS_OPT_STRING,
		  .off = OPT(output) },
		{}
	},
};

/*
 * The child waits on the pipe until the tracer is attached, then execs.
 * -errno (with fs_last_error()) when it cannot be started.
 */
static pid_t start_command(char **cmd, int *go)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return fs_error(errno, "cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		return fs_error(err, "cannot fork: %s", strerror(err));
	}
	if (pid == 0) {
		char c;
		int err;

		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(126);	/* the tracer failed: do not run */
		execvp(cmd[0], cmd);
		err = errno;
		fs_fail(err == ENOENT ? 127 : 126, "cannot run %s: %s", cmd[0],
			strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

/* The command's status as a shell reports it: 128 + signal if killed. */
static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

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

int cmd_stat(int argc, char **argv, const struct fs_global_opts *g)
{
	struct stat_run r = {};
	struct fs_session_opts so = {
		.source.cow = true,
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
	r.cmd = argv + err;
	err = 0;
	r.out = r.output ? fopen(r.output, "we") : stderr;
	if (!r.out)
		return fs_fail(FS_EXIT_FAIL, "cannot write %s: %s", r.output,
			       strerror(errno));
	r.child = start_command(r.cmd, &go);
	if (r.child < 0) {
		if (r.out != stderr)
			fclose(r.out);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	/* What stat watches is the command's subtree, as -p would. */
	r.c.pid = r.child;
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
	if (write(go, "g", 1) != 1)
		err = fs_error(errno, "cannot start %s: %s", r.cmd[0],
			       strerror(errno));
	close(go);

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
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	fs_session_drain(s);
	if (r.child > 0 && waitpid(r.child, &status, WNOHANG) != r.child)
		status = 0;
	fs_model_selected_left(fs_session_model(s), &zombies);
	fs_lifestat_finish(&r.st);
	err = report(&r, status, zombies, fs_boot_ns() - t0, s);
	fs_session_close(s);
	fs_lifestat_free(&r.st);
	/* The report is what stat is for: not delivered, stat failed. */
	if (err)
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	return exit_code_of(status);
}
