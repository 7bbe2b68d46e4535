// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdio.h>

#include "common.h"
#include "cow_view.h"
#include "escape.h"
#include "json.h"

void fs_cow_text(FILE *f, const struct fs_cow_report *r)
{
	char name[4 * FS_COMM_LEN];

	fprintf(f, "\n%s, every %.1f s\n", r->method, r->interval_s);
	fprintf(f, "%7s %7s %-16s %10s %12s %12s %s\n", "PID", "PPID", "COMM",
		"FAULTS/s", "TOTAL", "EST_BYTES", "");
	for (size_t i = 0; i < r->n; i++) {
		const struct fs_cow_row *w = &r->rows[i];

		fprintf(f, "%7d %7d %-16s %10.0f %12llu %12llu %s\n", w->pid,
			w->ppid, fs_escape(name, sizeof(name), w->comm,
					   FS_ESC_TERMINAL),
			w->rate, (unsigned long long)w->faults,
			(unsigned long long)w->faults * r->page,
			w->exited ? "exited" : "");
	}
}

void fs_cow_json(FILE *f, const struct fs_cow_report *r)
{
	struct json_object *top = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	fs_json_add_str(top, "event", "cow");
	fs_json_add_u64(top, "ts_ns", fs_boot_ns());
	fs_json_add_str(top, "method", r->method);
	fs_json_add_fixed(top, "interval_s", llround(r->interval_s * 1e3), 3);
	fs_json_add_int(top, "page_size", r->page);
	for (size_t i = 0; i < r->n; i++) {
		const struct fs_cow_row *w = &r->rows[i];
		struct json_object *o = json_object_new_object();

		fs_json_add_int(o, "pid", w->pid);
		fs_json_add_int(o, "ppid", w->ppid);
		fs_json_add_str(o, "comm", w->comm);
		fs_json_add_u64(o, "faults", w->faults);
		fs_json_add_u64(o, "copies", w->copies);
		fs_json_add_fixed(o, "rate", llround(w->rate * 1e3), 3);
		fs_json_add_u64(o, "est_bytes", w->faults * r->page);
		fs_json_add_bool(o, "exited", w->exited);
		json_object_array_add(arr, o);
	}
	json_object_object_add(top, "processes", arr);
	fs_json_emit(f, top);
}
