// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope stat -- CMD: run a command and, once its whole process subtree
 * has ended, report its lifecycles like `perf stat` reports counters.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "escape.h"
#include "json.h"
#include "session.h"
#include "status.h"

#define MAX_KEYS	64	/* distinct binaries or statuses listed */

/* A small counted set of strings: binaries exec'd, exit statuses. */
struct tally {
	struct {
		char key[FS_FILENAME_LEN];
		uint64_t n;
	} e[MAX_KEYS];
	size_t n;
	uint64_t other;		/* past MAX_KEYS distinct keys */
};

struct cow_line {
	int32_t pid;
	char comm[FS_COMM_LEN];
	uint64_t faults, copies;
};

struct stat_run {
	struct fs_cmd_opts c;	/* -j, -v */
	const char *output;	/* -o: where the report goes; else stderr */
	FILE *out;
	char **cmd;
	pid_t child;
	uint64_t processes, threads, execs, zombie_ns;
	uint64_t cow_faults, cow_copies;
	struct tally binaries, statuses;
	uint64_t *latency;	/* fork-to-exec, ns */
	size_t nlat, caplat;
	struct cow_line *cow;
	size_t ncow, capcow;
	int failed;		/* an allocation failed: report it */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope stat [OPTIONS] -- CMD [ARGS...]\n"
"Run CMD; when it and every process it started have ended, report the\n"
"processes and threads created, execs by binary, exit statuses, zombies\n"
"left behind and zombie-seconds, COW faults per process, and fork-to-exec\n"
"latency percentiles. Exits with CMD's own status.\n"
"\n"
"  -j, --json      one JSON object\n"
"  -o, --output FILE  write the report to FILE (default: stderr, as the\n"
"                  command's own output goes to stdout)\n"
"  -v, --verbose   show libbpf and verifier messages\n"
"  -h, --help      this help\n");
}

static int parse_opts(int argc, char **argv, struct stat_run *o)
{
	static const struct option longopts[] = {
		FS_CMD_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{},
	};
	int c, done;

	opterr = 0;
	optind = 1;
	/* '+': stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:jo:vh", longopts, NULL)) != -1) {
		done = fs_cmd_opt("stat", c, argv, &o->c, usage);
		if (done < 0)
			return done;
		if (c == 'o')
			o->output = optarg;
	}
	if (optind >= argc)
		return fs_usage_error("stat", "wants a command to run, as in: forkscope stat -- make");
	o->cmd = argv + optind;
	return 0;
}

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!strcmp(t->e[i].key, key)) {
			t->e[i].n++;
			return;
		}
	}
	if (t->n == MAX_KEYS) {
		t->other++;
		return;
	}
	snprintf(t->e[t->n].key, sizeof(t->e[t->n].key), "%s", key);
	t->e[t->n++].n = 1;
}

/* Grows *arr (of size elem) to hold one more; false when out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*arr, (*cap ? *cap * 2 : 64) * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = *cap ? *cap * 2 : 64;
	return true;
}

static void on_exit_record(struct stat_run *r, const struct fs_rec_exit *x)
{
	char buf[64];

	if (!(x->flags & FS_EXIT_GROUP_DEAD))
		return;
	tally_add(&r->statuses, fs_status_str(buf, sizeof(buf), x->status));
	r->cow_faults += x->cow_faults;
	r->cow_copies += x->cow_copies;
	if (!x->cow_faults && !x->cow_copies)
		return;
	if (!grow((void **)&r->cow, &r->capcow, r->ncow, sizeof(*r->cow))) {
		r->failed = ENOMEM;
		return;
	}
	r->cow[r->ncow].pid = x->hdr.tgid;
	r->cow[r->ncow].faults = x->cow_faults;
	r->cow[r->ncow].copies = x->cow_copies;
	memcpy(r->cow[r->ncow++].comm, x->hdr.comm, FS_COMM_LEN);
}

static void on_event(void *ctx, const struct fs_hdr *rec,
		     const struct fs_note *n)
{
	struct stat_run *r = ctx;

	if (n->released && n->gone_selected && n->gone.pid == n->gone.tgid)
		r->zombie_ns += n->zombie_ns;
	if (!n->selected)
		return;
	switch (rec->type) {
	case FS_REC_FORK:
		if (((const struct fs_rec_fork *)rec)->flags & FS_FORK_THREAD)
			r->threads++;
		else
			r->processes++;
		break;
	case FS_REC_EXEC:
		r->execs++;
		tally_add(&r->binaries, ((const struct fs_rec_exec *)rec)->filename);
		if (!n->fork_to_exec_ns)
			break;
		if (!grow((void **)&r->latency, &r->caplat, r->nlat,
			  sizeof(*r->latency))) {
			r->failed = ENOMEM;
			break;
		}
		r->latency[r->nlat++] = n->fork_to_exec_ns;
		break;
	case FS_REC_EXIT:
		on_exit_record(r, (const void *)rec);
		break;
	}
}

/* Live tasks of the command's subtree, and how many are zombies. */
static size_t subtree_left(const struct fs_model *m, size_t *zombies)
{
	const struct fs_task *e;
	size_t live = 0;

	*zombies = 0;
	fs_proctab_for_each(&m->tab, e) {
		if (!fs_task_is_live(e) || !(e->flags & FS_TASK_SELECTED))
			continue;
		if (fs_task_is_zombie(e))
			*zombies += e->pid == e->tgid;
		else
			live++;
	}
	return live;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * n);

	return v[rank ? rank - 1 : 0];
}

static void report_text(const struct stat_run *r, int status, size_t zombies,
			uint64_t ns, const char *method, long page)
{
	char buf[64], esc[4 * FS_FILENAME_LEN];
	FILE *f = r->out;

	fprintf(f, "\n Lifecycle stats for '");
	for (char **a = r->cmd; *a; a++)
		fprintf(f, "%s%s", a == r->cmd ? "" : " ",
			fs_escape(esc, sizeof(esc), *a, FS_ESC_SHELL));
	fprintf(f, "': %s\n\n", fs_status_str(buf, sizeof(buf), status));
	fprintf(f, "%12llu  processes created (the command included)\n",
		(unsigned long long)r->processes);
	fprintf(f, "%12llu  threads created\n", (unsigned long long)r->threads);
	fprintf(f, "%12llu  execs", (unsigned long long)r->execs);
	for (size_t i = 0; i < r->binaries.n; i++)
		fprintf(f, "%s %s x%llu", i ? "," : ":",
			fs_escape(esc, sizeof(esc), r->binaries.e[i].key,
				  FS_ESC_TERMINAL),
			(unsigned long long)r->binaries.e[i].n);
	fprintf(f, "\n%12s  exit statuses", "");
	for (size_t i = 0; i < r->statuses.n; i++)
		fprintf(f, "%s %s x%llu", i ? "," : ":", r->statuses.e[i].key,
			(unsigned long long)r->statuses.e[i].n);
	fprintf(f, "\n%12zu  zombies left behind\n", zombies);
	fprintf(f, "%12.6f  zombie-seconds (time exited children waited to be reaped)\n",
		r->zombie_ns / 1e9);
	if (method) {
		fprintf(f, "%12llu  %s, est. %.1f MiB copied\n",
			(unsigned long long)r->cow_faults, method,
			r->cow_faults * (double)page / (1 << 20));
		for (size_t i = 0; i < r->ncow; i++)
			fprintf(f, "%12llu    pid %d %s\n",
				(unsigned long long)r->cow[i].faults, r->cow[i].pid,
				fs_escape(esc, sizeof(esc), r->cow[i].comm,
					  FS_ESC_TERMINAL));
	}
	if (r->nlat)
		fprintf(f, "%12s  fork-to-exec: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%zu)\n",
			"", pct(r->latency, r->nlat, 50) / 1e6,
			pct(r->latency, r->nlat, 90) / 1e6,
			pct(r->latency, r->nlat, 99) / 1e6,
			r->latency[r->nlat - 1] / 1e6, r->nlat);
	fprintf(f, "\n%12.6f  seconds elapsed\n", ns / 1e9);
}

static void add_tally(struct json_object *o, const char *key,
		      const struct tally *t)
{
	struct json_object *m = json_object_new_object();

	for (size_t i = 0; i < t->n; i++)
		fs_json_add_u64(m, t->e[i].key, t->e[i].n);
	if (t->other)
		fs_json_add_u64(m, "(other)", t->other);
	json_object_object_add(o, key, m);
}

static void report_json(const struct stat_run *r, int status, size_t zombies,
			uint64_t ns, const char *method, long page)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cmd = json_object_new_array();
	struct json_object *lat = json_object_new_object();

	for (char **a = r->cmd; *a; a++)
		json_object_array_add(cmd, json_object_new_string(*a));
	fs_json_add_str(o, "event", "stat");
	json_object_object_add(o, "command", cmd);
	fs_json_add_status(o, "status", status);
	fs_json_add_fixed(o, "elapsed_s", ns, 9);
	fs_json_add_u64(o, "processes", r->processes);
	fs_json_add_u64(o, "threads", r->threads);
	fs_json_add_u64(o, "execs", r->execs);
	add_tally(o, "execs_by_binary", &r->binaries);
	add_tally(o, "exit_statuses", &r->statuses);
	fs_json_add_u64(o, "zombies_left", zombies);
	fs_json_add_fixed(o, "zombie_seconds", r->zombie_ns, 9);
	if (method) {
		struct json_object *c = json_object_new_object();
		struct json_object *per = json_object_new_array();

		fs_json_add_str(c, "method", method);
		fs_json_add_u64(c, "faults", r->cow_faults);
		fs_json_add_u64(c, "copies", r->cow_copies);
		fs_json_add_u64(c, "est_bytes", r->cow_faults * page);
		for (size_t i = 0; i < r->ncow; i++) {
			struct json_object *p = json_object_new_object();

			fs_json_add_int(p, "pid", r->cow[i].pid);
			fs_json_add_str(p, "comm", r->cow[i].comm);
			fs_json_add_u64(p, "faults", r->cow[i].faults);
			fs_json_add_u64(p, "copies", r->cow[i].copies);
			json_object_array_add(per, p);
		}
		json_object_object_add(c, "per_process", per);
		json_object_object_add(o, "cow", c);
	}
	fs_json_add_u64(lat, "count", r->nlat);
	if (r->nlat) {
		fs_json_add_u64(lat, "p50_ns", pct(r->latency, r->nlat, 50));
		fs_json_add_u64(lat, "p90_ns", pct(r->latency, r->nlat, 90));
		fs_json_add_u64(lat, "p99_ns", pct(r->latency, r->nlat, 99));
		fs_json_add_u64(lat, "max_ns", r->latency[r->nlat - 1]);
	}
	json_object_object_add(o, "fork_to_exec", lat);
	fs_json_emit(r->out, o);
}

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
		  uint64_t ns, const struct fs_source *src)
{
	const char *name = r->output ? r->output : "standard error";
	int err;

	if (r->c.json)
		report_json(r, status, zombies, ns, fs_source_cow_method(src),
			    sysconf(_SC_PAGESIZE));
	else
		report_text(r, status, zombies, ns, fs_source_cow_method(src),
			    sysconf(_SC_PAGESIZE));
	err = fs_output_check(r->out, name);
	if (r->out != stderr && fclose(r->out) && !err)
		err = fs_error(errno, "cannot write %s: %s", name, strerror(errno));
	if (!err && r->failed)
		err = fs_error(r->failed, "out of memory: the report lacks details");
	return err;
}

int cmd_stat(int argc, char **argv, const struct fs_global_opts *g)
{
	struct stat_run r = { .c = { .json = g->json, .verbose = g->verbose } };
	struct fs_session_opts so = {
		.source = { .kind = g->source, .cow = true },
		.on_event = on_event,
		.ctx = &r,
	};
	size_t zombies = 0;
	struct fs_session s;
	bool said = false;
	int go = -1, err = 0, status = 0;
	uint64_t t0;

	if (parse_opts(argc, argv, &r))
		return FS_EXIT_USAGE;
	r.out = r.output ? fopen(r.output, "we") : stderr;
	if (!r.out)
		return fs_fail(FS_EXIT_FAIL, "cannot write %s: %s", r.output,
			       strerror(errno));
	so.source.verbose = r.c.verbose;
	r.child = start_command(r.cmd, &go);
	if (r.child < 0) {
		if (r.out != stderr)
			fclose(r.out);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	so.select_pid = r.child;
	fs_stop_on_signals();
	if (fs_session_open(&s, &so)) {
		close(go);	/* the child exits without running CMD */
		waitpid(r.child, NULL, 0);
		if (r.out != stderr)
			fclose(r.out);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	r.processes = 1;	/* the command: forked before tracing began */
	t0 = fs_boot_ns();
	if (write(go, "g", 1) != 1)
		err = fs_error(errno, "cannot start %s: %s", r.cmd[0],
			       strerror(errno));
	close(go);

	/* Until the command is reaped and nothing it started lives on. */
	while (!err && !fs_stop_requested()) {
		err = fs_session_poll(&s, 50);
		if (err < 0)
			break;
		err = 0;
		if (r.child > 0 && waitpid(r.child, &status, WNOHANG) == r.child)
			r.child = 0;
		if (!r.child && !subtree_left(&s.model, &zombies))
			break;
		if (!r.child && !said && fs_boot_ns() - t0 > NSEC_PER_SEC) {
			fprintf(stderr, "forkscope: stat: waiting for processes the command left running (Ctrl-C to stop)\n");
			said = true;
		}
	}
	if (err) {
		/* No report from a broken trace, but CMD is not left behind. */
		fs_session_close(&s);
		if (r.child > 0)
			waitpid(r.child, NULL, 0);
		if (r.out != stderr)
			fclose(r.out);
		free(r.latency);
		free(r.cow);
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	fs_session_drain(&s);
	if (r.child > 0 && waitpid(r.child, &status, WNOHANG) != r.child)
		status = 0;
	subtree_left(&s.model, &zombies);
	if (r.nlat)
		qsort(r.latency, r.nlat, sizeof(*r.latency), cmp_u64);
	err = report(&r, status, zombies, fs_boot_ns() - t0, s.src);
	fs_session_close(&s);
	free(r.latency);
	free(r.cow);
	/* The report is what stat is for: not delivered, stat failed. */
	if (err)
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	return exit_code_of(status);
}
