// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "json.h"
#include "lint_view.h"
#include "stat_view.h"
#include "status.h"

#define WIDTH		80	/* a terminal's: every line fits in it */
#define TOP		10	/* rows of a list before "N others" */
#define SPAWN_LINES	3	/* lines of what was spawned */

/* A line built in pieces, cut to WIDTH columns when printed. */
struct line {
	char s[4 * WIDTH * 8];
	size_t n;
};

static void add(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->n = l->n + n < sizeof(l->s) ? l->n + n : sizeof(l->s) - 1;
}

static void put(FILE *f, struct line *l)
{
	fs_cut_columns(l->s, WIDTH - 1);
	fprintf(f, "%s\n", l->s);
	l->n = 0;
	l->s[0] = 0;
}

/* "key xN, key xN" into l, as the tally keeps them. */
static void add_tally(struct line *l, const struct fs_tally *t)
{
	char esc[4 * FS_FILENAME_LEN];

	for (size_t i = 0; i < t->n; i++)
		add(l, "%s%s x%llu", i ? ", " : "",
		    fs_escape(esc, sizeof(esc), t->e[i].key, FS_ESC_TERMINAL),
		    (unsigned long long)t->e[i].n);
	if (t->other)
		add(l, ", others x%llu", (unsigned long long)t->other);
}

/* Indexes of t's keys, most counted first (ties: as counted). */
static size_t tally_order(const struct fs_tally *t, size_t *idx)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t j = i;

		while (j && t->e[idx[j - 1]].n < t->e[i].n) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return t->n;
}

/* The end of s in width columns: a path's file name matters most. */
static const char *tail(char *buf, size_t len, const char *s, size_t width)
{
	size_t cols = fs_columns(s);

	if (cols <= width)
		return s;
	while (cols-- > width - 1) {
		s++;
		while (((unsigned char)*s & 0xc0) == 0x80)
			s++;
	}
	snprintf(buf, len, "\u2026%s", s);
	return buf;
}

/* Faults of the line at a, b: costliest first, then by pid. */
static int by_faults(const void *a, const void *b)
{
	const struct fs_cow_line *x = *(const struct fs_cow_line *const *)a;
	const struct fs_cow_line *y = *(const struct fs_cow_line *const *)b;

	if (x->faults != y->faults)
		return x->faults < y->faults ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

#define BIN_COLS	30	/* a binary's path in the table */

/*
 * Two lists side by side, TOP rows each and the rest summed: binaries by
 * execs (left), processes by COW faults (right). Side by side so that a
 * run with many of both still fits on one screen.
 */
struct table {
	size_t bin[FS_TALLY_KEYS], nbin;
	const struct fs_cow_line **cow;
	size_t ncow;
	uint64_t bin_rest, cow_rest;
};

static void table_left(struct line *l, const struct fs_lifestat *r,
		       const struct table *t, size_t i)
{
	char esc[4 * FS_FILENAME_LEN], cut[4 * FS_FILENAME_LEN];

	if (i < t->nbin && i < TOP)
		add(l, "%6llu %-*s", (unsigned long long)r->binaries.e[t->bin[i]].n,
		    BIN_COLS, tail(cut, sizeof(cut),
				   fs_escape(esc, sizeof(esc),
					     r->binaries.e[t->bin[i]].key,
					     FS_ESC_TERMINAL), BIN_COLS));
	else if (i == TOP && t->nbin > TOP)
		add(l, "%6llu %-*s", (unsigned long long)t->bin_rest, BIN_COLS,
		    t->nbin - TOP == 1 ? "1 other binary" : "other binaries");
	else
		add(l, "%*s", 7 + BIN_COLS, "");
}

static void table_right(struct line *l, const struct fs_stat_report *rep,
			const struct table *t, size_t i)
{
	char esc[4 * FS_COMM_LEN], n[16], size[16];
	const struct fs_cow_line *c;

	if (i < t->ncow && i < TOP) {
		c = t->cow[i];
		add(l, "  %7s %8s %7d %s", fs_fmt_count(n, sizeof(n), c->faults),
		    fs_fmt_bytes(size, sizeof(size), c->faults * rep->page),
		    c->pid, fs_escape(esc, sizeof(esc), c->comm,
				      FS_ESC_TERMINAL));
	} else if (i == TOP && t->ncow > TOP) {
		add(l, "  %7s %8s %7zu others",
		    fs_fmt_count(n, sizeof(n), t->cow_rest),
		    fs_fmt_bytes(size, sizeof(size), t->cow_rest * rep->page),
		    t->ncow - TOP);
	}
}

static void text_table(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	struct table t = { .bin_rest = r->binaries.other };
	size_t rows;
	struct line l = {};

	t.nbin = tally_order(&r->binaries, t.bin);
	for (size_t i = TOP; i < t.nbin; i++)
		t.bin_rest += r->binaries.e[t.bin[i]].n;
	if (rep->method && r->ncow) {
		t.cow = calloc(r->ncow, sizeof(*t.cow));
		if (t.cow) {
			for (size_t i = 0; i < r->ncow; i++)
				t.cow[i] = &r->cow[i];
			qsort(t.cow, r->ncow, sizeof(*t.cow), by_faults);
			t.ncow = r->ncow;
		}
		for (size_t i = TOP; i < t.ncow; i++)
			t.cow_rest += t.cow[i]->faults;
	}
	rows = t.nbin > t.ncow ? t.nbin : t.ncow;
	if (!rows)
		return;
	add(&l, " %5s %-*s", "EXECS", BIN_COLS, "BINARY");
	if (t.ncow)
		add(&l, "  %7s %8s %7s %s", "FAULTS", "COPIED", "PID", "COMM");
	put(f, &l);
	for (size_t i = 0; i < rows && i <= TOP; i++) {
		table_left(&l, r, &t, i);
		table_right(&l, rep, &t, i);
		/* No trailing blanks where the right side has no row. */
		while (l.n && l.s[l.n - 1] == ' ')
			l.s[--l.n] = 0;
		put(f, &l);
	}
	free(t.cow);
}

/* "bash: 40 processes (bash x34, readlink x5)"; "(...)" if it says more. */
static void add_group(struct line *l, const struct fs_spawn_group *g)
{
	char esc[4 * FS_COMM_LEN];

	add(l, "%s: %llu process%s",
	    fs_escape(esc, sizeof(esc), g->name, FS_ESC_TERMINAL),
	    (unsigned long long)g->processes, g->processes == 1 ? "" : "es");
	if (g->n < 2 && !g->other && !strcmp(g->e[0].comm, g->name))
		return;
	for (size_t k = 0; k < g->n; k++)
		add(l, "%s%s x%llu", k ? ", " : " (",
		    fs_escape(esc, sizeof(esc), g->e[k].comm, FS_ESC_TERMINAL),
		    (unsigned long long)g->e[k].n);
	if (g->other)
		add(l, ", others x%llu", (unsigned long long)g->other);
	add(l, ")");
}

/*
 * What the command started, by name, most first, as many groups as
 * SPAWN_LINES lines hold; the rest summed at the end of the last.
 */
static void text_spawned(FILE *f, const struct fs_lifestat *r)
{
	struct line l = {}, item;
	uint64_t rest = r->spawned_other;
	size_t lines = 0, names = 0, i;

	for (i = 0; i < r->nspawned; i++) {
		item = (struct line){};
		add_group(&item, &r->spawned[i]);
		/*
		 * "; ", the item, and a ";" when it ends its line; the last
		 * line keeps room to say how many more.
		 */
		if (l.n && fs_columns(l.s) + 3 + fs_columns(item.s) >
			   WIDTH - 1 - (lines + 1 == SPAWN_LINES ? 32 : 0)) {
			if (++lines == SPAWN_LINES)
				break;
			add(&l, ";");
			put(f, &l);
		}
		add(&l, "%s%s", l.n ? "; " : lines ? "          " : " spawned: ",
		    item.s);
	}
	for (; i < r->nspawned; i++, names++)
		rest += r->spawned[i].processes;
	if (rest && !l.n)
		add(&l, " spawned: ");
	if (rest)
		add(&l, "%s%llu more under %s", l.n > 10 ? "; " : "",
		    (unsigned long long)rest,
		    names == 1 ? "another name" : "other names");
	if (l.n)
		put(f, &l);
}

/* The command line, then how it ended and what it created. */
static void text_title(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	char buf[64], took[32], cmd[4 * WIDTH * 8];
	struct line l = {};

	fprintf(f, "\n");
	fs_fmt_duration(took, sizeof(took), rep->ns);
	if (!rep->cmd[0]) {	/* a recording of the machine: no command */
		add(&l, " the recording, %s", took);
	} else {
		/* The command line alone on its line: as much as fits. */
		add(&l, " %s", fs_escape_cmdline(cmd, sizeof(cmd), rep->cmd,
						 WIDTH - 2));
		put(f, &l);
		add(&l, " %s after %s", fs_status_str(buf, sizeof(buf),
						     rep->status), took);
	}
	add(&l, "; %llu process%s %s, %llu thread%s, %llu exec%s",
	    (unsigned long long)r->processes, r->processes == 1 ? "" : "es",
	    rep->filtered ? "(in --cgroup/--container)" : "(the command too)",
	    (unsigned long long)r->threads, r->threads == 1 ? "" : "s",
	    (unsigned long long)r->execs, r->execs == 1 ? "" : "s");
	put(f, &l);
}

static void text_failures(struct line *l, const struct fs_lifestat *r)
{
	add(l, " failed: %llu fork%s", (unsigned long long)r->fork_failures,
	    r->fork_failures == 1 ? "" : "s");
	if (r->fork_refusals.n) {
		add(l, " (");
		add_tally(l, &r->fork_refusals);
		add(l, ")");
	}
	add(l, ", %llu exec%s", (unsigned long long)r->exec_failures,
	    r->exec_failures == 1 ? "" : "s");
	if (r->exec_errors.n) {
		add(l, " (");
		add_tally(l, &r->exec_errors);
		add(l, ")");
	}
}

void fs_stat_text(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	char took[32], n[16], size[16];
	struct line l = {};

	text_title(f, rep);
	if (r->nlat) {
		char p50[32], p90[32], p99[32], max[32];

		add(&l, " fork-to-exec p50 %s, p90 %s, p99 %s, max %s",
		    fs_fmt_duration(p50, sizeof(p50), fs_lifestat_pct(r, 50)),
		    fs_fmt_duration(p90, sizeof(p90), fs_lifestat_pct(r, 90)),
		    fs_fmt_duration(p99, sizeof(p99), fs_lifestat_pct(r, 99)),
		    fs_fmt_duration(max, sizeof(max),
				    r->latency[r->nlat - 1]));
		put(f, &l);
	}
	add(&l, " exits: ");
	add_tally(&l, &r->statuses);
	put(f, &l);
	text_failures(&l, r);
	put(f, &l);
	add(&l, " %zu zombie%s left behind; children waited %s in all to be reaped",
	    rep->zombies, rep->zombies == 1 ? "" : "s",
	    fs_fmt_duration(took, sizeof(took), r->zombie_ns));
	put(f, &l);
	if (rep->method) {
		add(&l, " COW: %s faults, est. %s copied",
		    fs_fmt_count(n, sizeof(n), r->cow_faults),
		    fs_fmt_bytes(size, sizeof(size), r->cow_faults * rep->page));
		/* What is counted: on a line of its own when it is long. */
		if (l.n + strlen(rep->method) + 2 > WIDTH - 1) {
			put(f, &l);
			add(&l, "      counted:");
		} else {
			add(&l, ";");
		}
		add(&l, " %s", rep->method);
		put(f, &l);
	}
	text_table(f, rep);
	text_spawned(f, r);
	if (rep->lint) {
		struct fs_lint_report lr = { .l = rep->lint, .m = rep->m,
					     .width = WIDTH - 1 };
		uint32_t found = fs_lint_nr_shown(&lr);

		if (found) {
			fprintf(f, " %u finding%s (forkscope lint):\n", found,
				found == 1 ? "" : "s");
			fs_lint_text_lines(f, "   ", &lr);
		}
	}
}

static void json_tally(struct fs_json *j, const char *key,
		       const struct fs_tally *t)
{
	fs_json_object(j, key);
	for (size_t i = 0; i < t->n; i++)
		fs_json_u64(j, t->e[i].key, t->e[i].n);
	if (t->other)
		fs_json_u64(j, "(other)", t->other);
	fs_json_close(j);
}

/* "spawned": [{"name", "processes", "by_comm": {...}}], most first. */
static void json_spawned(struct fs_json *j, const struct fs_lifestat *r)
{
	fs_json_array(j, "spawned");
	for (size_t i = 0; i < r->nspawned; i++) {
		const struct fs_spawn_group *g = &r->spawned[i];

		fs_json_object(j, NULL);
		fs_json_str(j, "name", g->name);
		fs_json_u64(j, "processes", g->processes);
		fs_json_object(j, "by_comm");
		for (size_t k = 0; k < g->n; k++)
			fs_json_u64(j, g->e[k].comm, g->e[k].n);
		if (g->other)
			fs_json_u64(j, "(other)", g->other);
		fs_json_close(j);
		fs_json_close(j);
	}
	fs_json_close(j);
	fs_json_u64(j, "spawned_other", r->spawned_other);
}

void fs_stat_json(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "stat");
	fs_json_array(&j, "command");
	for (char *const *a = rep->cmd; *a; a++)
		fs_json_str(&j, NULL, *a);
	fs_json_close(&j);
	fs_json_status(&j, "status", rep->status);
	fs_json_fixed(&j, "elapsed_s", rep->ns, 9);
	fs_json_u64(&j, "processes", r->processes);
	fs_json_u64(&j, "threads", r->threads);
	fs_json_u64(&j, "execs", r->execs);
	json_tally(&j, "execs_by_binary", &r->binaries);
	json_tally(&j, "exit_statuses", &r->statuses);
	fs_json_u64(&j, "fork_failures", r->fork_failures);
	json_tally(&j, "fork_failures_by_limit", &r->fork_refusals);
	fs_json_u64(&j, "exec_failures", r->exec_failures);
	json_tally(&j, "exec_failures_by_errno", &r->exec_errors);
	fs_json_u64(&j, "zombies_left", rep->zombies);
	fs_json_fixed(&j, "zombie_seconds", r->zombie_ns, 9);
	if (rep->method) {
		fs_json_object(&j, "cow");
		fs_json_str(&j, "method", rep->method);
		fs_json_u64(&j, "faults", r->cow_faults);
		fs_json_u64(&j, "copies", r->cow_copies);
		fs_json_u64(&j, "est_bytes", r->cow_faults * rep->page);
		fs_json_array(&j, "per_process");
		for (size_t i = 0; i < r->ncow; i++) {
			fs_json_object(&j, NULL);
			fs_json_int(&j, "pid", r->cow[i].pid);
			fs_json_str(&j, "comm", r->cow[i].comm);
			fs_json_u64(&j, "faults", r->cow[i].faults);
			fs_json_u64(&j, "copies", r->cow[i].copies);
			fs_json_u64(&j, "est_bytes",
				    r->cow[i].faults * rep->page);
			fs_json_container(&j, "container", rep->m,
					  &r->cow[i].id);
			fs_json_close(&j);
		}
		fs_json_close(&j);
		fs_json_close(&j);
	}
	fs_json_object(&j, "fork_to_exec");
	fs_json_u64(&j, "count", r->nlat);
	if (r->nlat) {
		fs_json_u64(&j, "p50_ns", fs_lifestat_pct(r, 50));
		fs_json_u64(&j, "p90_ns", fs_lifestat_pct(r, 90));
		fs_json_u64(&j, "p99_ns", fs_lifestat_pct(r, 99));
		fs_json_u64(&j, "max_ns", r->latency[r->nlat - 1]);
	}
	fs_json_close(&j);
	json_spawned(&j, r);
	if (rep->lint) {
		struct fs_lint_report lr = { .l = rep->lint, .m = rep->m };

		fs_lint_json_findings(&j, "findings", &lr);
	}
	fs_json_close(&j);
	fs_json_end(&j);
}
