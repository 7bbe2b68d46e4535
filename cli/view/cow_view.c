// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdio.h>

#include "common.h"
#include "container.h"
#include "cow_view.h"
#include "escape.h"
#include "json.h"

void fs_cow_text(FILE *f, const struct fs_cow_report *r)
{
	static char where[FS_CGROUP_PATH_LEN + 64], esc[4 * sizeof(where)];
	char name[4 * FS_COMM_LEN];

	fprintf(f, "\n%s, every %.1f s\n", r->method, r->interval_s);
	fprintf(f, "%7s %7s %-16s %10s %12s %12s %s\n", "PID", "PPID", "COMM",
		"FAULTS/s", "TOTAL", "EST_BYTES", "");
	for (size_t i = 0; i < r->n; i++) {
		const struct fs_cow_row *w = &r->rows[i];

		fs_container_text(where, sizeof(where), r->m, &w->id, w->pid,
				  true);
		fprintf(f, "%7d %7d %-16s %10.0f %12llu %12llu %s%s%s\n", w->pid,
			w->ppid, fs_escape(name, sizeof(name), w->comm,
					   FS_ESC_TERMINAL),
			w->rate, (unsigned long long)w->faults,
			(unsigned long long)w->faults * r->page,
			w->exited ? "exited" : "", w->exited && *where ? " " : "",
			fs_escape(esc, sizeof(esc), where, FS_ESC_TERMINAL));
	}
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
