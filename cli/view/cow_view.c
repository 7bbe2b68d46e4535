// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "container.h"
#include "cow_view.h"
#include "escape.h"
#include "json.h"

#define WIDTH	80	/* a terminal's: every line fits in it */

/* One process: its counts in people's units, cut to the width. */
static void text_row(FILE *f, const struct fs_cow_report *r,
		     const struct fs_cow_row *w)
{
	static char where[FS_CGROUP_PATH_LEN + 64], esc[4 * sizeof(where)];
	char name[4 * FS_COMM_LEN], rate[16], total[16], size[16];
	char line[4 * WIDTH];

	fs_container_text(where, sizeof(where), r->m, &w->id, w->pid, true);
	snprintf(line, sizeof(line), "%7d %7d %-15s %8s %8s %9s %s%s%s",
		 w->pid, w->ppid,
		 fs_escape(name, sizeof(name), w->comm, FS_ESC_TERMINAL),
		 fs_fmt_count(rate, sizeof(rate), llround(w->rate)),
		 fs_fmt_count(total, sizeof(total), w->faults),
		 fs_fmt_bytes(size, sizeof(size), w->faults * r->page),
		 w->exited ? "exited" : "", w->exited && *where ? " " : "",
		 fs_escape(esc, sizeof(esc), where, FS_ESC_TERMINAL));
	fs_cut_columns(line, WIDTH - 1);
	for (size_t n = strlen(line); n && line[n - 1] == ' '; n--)
		line[n - 1] = 0;	/* no state, no container */
	fprintf(f, "%s\n", line);
}

void fs_cow_text(FILE *f, const struct fs_cow_report *r)
{
	char head[4 * WIDTH], size[16];
	uint64_t faults = 0;

	for (size_t i = 0; i < r->total; i++)
		faults += r->rows[i].faults;
	/* What is counted, how often, in what order: the lines top has. */
	snprintf(head, sizeof(head), "%s", r->method);
	fs_cut_columns(head, WIDTH - 1);
	fprintf(f, "\n%s\n", head);
	fprintf(f, "every %.1f s, by %s: %zu processes, %zu shown; est. %s copied in all\n",
		r->interval_s, r->sort ? r->sort : "rate", r->total, r->n,
		fs_fmt_bytes(size, sizeof(size), faults * r->page));
	fprintf(f, "%7s %7s %-15s %8s %8s %9s\n", "PID", "PPID", "COMM",
		"FAULTS/s", "FAULTS", "COPIED");
	for (size_t i = 0; i < r->n; i++)
		text_row(f, r, &r->rows[i]);
}

void fs_cow_json(FILE *f, const struct fs_cow_report *r)
{
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "cow");
	fs_json_u64(&j, "ts_ns", r->now_ns);
	fs_json_str(&j, "method", r->method);
	fs_json_fixed(&j, "interval_s", llround(r->interval_s * 1e3), 3);
	fs_json_int(&j, "page_size", r->page);
	fs_json_array(&j, "processes");
	for (size_t i = 0; i < r->n; i++) {
		const struct fs_cow_row *w = &r->rows[i];

		fs_json_object(&j, NULL);
		fs_json_int(&j, "pid", w->pid);
		fs_json_int(&j, "ppid", w->ppid);
		fs_json_str(&j, "comm", w->comm);
		fs_json_u64(&j, "faults", w->faults);
		fs_json_u64(&j, "copies", w->copies);
		fs_json_fixed(&j, "rate", llround(w->rate * 1e3), 3);
		fs_json_u64(&j, "est_bytes", w->faults * r->page);
		fs_json_bool(&j, "exited", w->exited);
		fs_json_container(&j, "container", r->m, &w->id);
		fs_json_close(&j);
	}
	fs_json_close(&j);
	fs_json_close(&j);
	fs_json_end(&j);
}
