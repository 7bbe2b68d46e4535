// SPDX-License-Identifier: GPL-2.0-only
/* forkscope cow: who pays for copy-on-write, like top. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "escape.h"
#include "json.h"
#include "session.h"

struct cow_opts {
	struct fs_cmd_opts c;	/* -p, -i, -j, -v */
	long top;
	long count;		/* reports to print; 0: until stopped */
};

/* One process's counters at a sample, and what changed since the last. */
struct cow_row {
	int32_t pid, ppid;
	uint64_t start_ns;
	uint64_t faults, copies;
	double rate;		/* faults per second over the interval */
	bool exited;
	char comm[FS_COMM_LEN];
};

struct cow_state {
	struct cow_row *prev, *cur;
	size_t nprev, ncur;
};

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
"  -i, --interval SECS    between reports (default 1)\n"
"  -n, --top N            rows per report (default 20)\n"
"  -c, --count N          stop after N reports\n"
"  -j, --json             one JSON object per report\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n");
}

static int parse_opts(int argc, char **argv, struct cow_opts *o)
{
	static const struct option longopts[] = {
		FS_CMD_LONGOPTS,
		{ "top", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{},
	};
	int c, done;
	double v;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:i:n:c:jvh", longopts, NULL)) != -1) {
		done = fs_cmd_opt("cow", c, argv, &o->c, usage);
		if (done < 0)
			return done;
		if (done)
			continue;
		if (fs_parse_double(optarg, 1, 1e9, &v) || v != (long)v)
			return fs_usage_error("cow", "-%c wants a whole number >= 1, not '%s'",
					      c, optarg);
		*(c == 'n' ? &o->top : &o->count) = v;
	}
	return fs_no_more_args("cow", argc, argv);
}

static int by_pid(const void *a, const void *b)
{
	const struct cow_row *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_cost(const void *a, const void *b)
{
	const struct cow_row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	return by_pid(a, b);
}

/* The processes with counters now, each with its rate since last time. */
static int collect(struct cow_state *st, const struct fs_model *m,
		   const struct cow_opts *o, double secs)
{
	const struct fs_task *e;
	struct cow_row *tmp;

	st->cur = calloc(m->tab.count + 1, sizeof(*st->cur));
	if (!st->cur)
		return fs_error(ENOMEM, "out of memory for the report");
	st->ncur = 0;
	fs_proctab_for_each(&m->tab, e) {
		struct cow_row *r = &st->cur[st->ncur], key = { .pid = e->pid }, *old;

		if (!e->tgid || e->pid != e->tgid || !e->cow_faults ||
		    (o->c.pid && !(e->flags & FS_TASK_SELECTED)))
			continue;
		r->pid = e->pid;
		r->ppid = e->ppid;
		r->start_ns = e->start_ns;
		r->faults = e->cow_faults;
		r->copies = e->cow_copies;
		r->exited = e->flags & FS_TASK_EXITED;
		memcpy(r->comm, e->comm, sizeof(r->comm));
		old = st->nprev ? bsearch(&key, st->prev, st->nprev,
					  sizeof(*st->prev), by_pid) : NULL;
		/* A reused pid starts from zero, not from the old task. */
		if (old && old->start_ns == r->start_ns)
			r->rate = (r->faults - old->faults) / secs;
		else
			r->rate = r->faults / secs;
		st->ncur++;
	}
	qsort(st->cur, st->ncur, sizeof(*st->cur), by_pid);
	tmp = st->prev;
	st->prev = st->cur;
	st->nprev = st->ncur;
	free(tmp);
	return 0;
}

static void print_text(const struct cow_opts *o, const struct cow_row *rows,
		       size_t n, const char *method, long page)
{
	char name[4 * FS_COMM_LEN];

	printf("\n%s, every %.1f s\n", method, o->c.interval_s);
	printf("%7s %7s %-16s %10s %12s %12s %s\n", "PID", "PPID", "COMM",
	       "FAULTS/s", "TOTAL", "EST_BYTES", "");
	for (size_t i = 0; i < n && (long)i < o->top; i++)
		printf("%7d %7d %-16s %10.0f %12llu %12llu %s\n", rows[i].pid,
		       rows[i].ppid, fs_escape(name, sizeof(name), rows[i].comm,
					       FS_ESC_TERMINAL),
		       rows[i].rate, (unsigned long long)rows[i].faults,
		       (unsigned long long)rows[i].faults * page,
		       rows[i].exited ? "exited" : "");
}

static void print_json(const struct cow_opts *o, const struct cow_row *rows,
		       size_t n, const char *method, long page)
{
	struct json_object *top = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	fs_json_add_str(top, "event", "cow");
	fs_json_add_u64(top, "ts_ns", fs_boot_ns());
	fs_json_add_str(top, "method", method);
	fs_json_add_fixed(top, "interval_s", llround(o->c.interval_s * 1e3), 3);
	fs_json_add_int(top, "page_size", page);
	for (size_t i = 0; i < n && (long)i < o->top; i++) {
		struct json_object *r = json_object_new_object();

		fs_json_add_int(r, "pid", rows[i].pid);
		fs_json_add_int(r, "ppid", rows[i].ppid);
		fs_json_add_str(r, "comm", rows[i].comm);
		fs_json_add_u64(r, "faults", rows[i].faults);
		fs_json_add_u64(r, "copies", rows[i].copies);
		fs_json_add_fixed(r, "rate", llround(rows[i].rate * 1e3), 3);
		fs_json_add_u64(r, "est_bytes", rows[i].faults * page);
		fs_json_add_bool(r, "exited", rows[i].exited);
		json_object_array_add(arr, r);
	}
	json_object_object_add(top, "processes", arr);
	fs_json_emit(stdout, top);
}

int cmd_cow(int argc, char **argv, const struct fs_global_opts *g)
{
	struct cow_opts o = {
		.c = { .json = g->json, .verbose = g->verbose, .interval_s = 1 },
		.top = 20,
	};
	struct fs_session_opts so = { .source = { .kind = g->source,
						  .cow = true } };
	struct cow_state st = {};
	long page = sysconf(_SC_PAGESIZE);
	struct fs_session s;
	int err = 0;

	if (parse_opts(argc, argv, &o))
		return FS_EXIT_USAGE;
	so.source.verbose = o.c.verbose;
	so.select_pid = o.c.pid;
	fs_stop_on_signals();
	if (fs_session_open(&s, &so))
		return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	if (o.c.pid && !fs_proctab_get(&s.model.tab, o.c.pid)) {
		fs_session_close(&s);
		return fs_fail(FS_EXIT_FAIL, "no process %d", o.c.pid);
	}
	err = fs_source_cow_sample(s.src);
	if (err >= 0)	/* the baseline */
		err = collect(&st, &s.model, &o, o.c.interval_s);
	for (long n = 0; err >= 0 && (!o.count || n < o.count); n++) {
		uint64_t t0 = fs_boot_ns();

		err = fs_session_run_for(&s, o.c.interval_s * 1000);
		if (err || fs_stop_requested())
			break;
		err = fs_source_cow_sample(s.src);
		if (err >= 0)
			err = collect(&st, &s.model, &o, (fs_boot_ns() - t0) / 1e9);
		if (err < 0)
			break;
		/* Sorted by pid for the next lookup: show a sorted copy. */
		{
			struct cow_row *view = malloc((st.ncur + 1) * sizeof(*view));

			if (!view) {
				err = fs_error(ENOMEM, "out of memory for the report");
				break;
			}
			memcpy(view, st.cur, st.ncur * sizeof(*view));
			qsort(view, st.ncur, sizeof(*view), by_cost);
			if (o.c.json)
				print_json(&o, view, st.ncur,
					   fs_source_cow_method(s.src), page);
			else
				print_text(&o, view, st.ncur,
					   fs_source_cow_method(s.src), page);
			free(view);
		}
		err = fs_output_check(stdout, "standard output");
	}
	free(st.prev);
	fs_session_close(&s);
	return err < 0 ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) : FS_EXIT_OK;
}
