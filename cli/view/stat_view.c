// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "escape.h"
#include "json.h"
#include "stat_view.h"
#include "status.h"

void fs_stat_text(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	char buf[64], esc[4 * FS_FILENAME_LEN];

	fprintf(f, "\n Lifecycle stats for '");
	for (char *const *a = rep->cmd; *a; a++)
		fprintf(f, "%s%s", a == rep->cmd ? "" : " ",
			fs_escape(esc, sizeof(esc), *a, FS_ESC_SHELL));
	fprintf(f, "': %s\n\n", fs_status_str(buf, sizeof(buf), rep->status));
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
	fprintf(f, "\n%12zu  zombies left behind\n", rep->zombies);
	fprintf(f, "%12.6f  zombie-seconds (time exited children waited to be reaped)\n",
		r->zombie_ns / 1e9);
	if (rep->method) {
		fprintf(f, "%12llu  %s, est. %.1f MiB copied\n",
			(unsigned long long)r->cow_faults, rep->method,
			r->cow_faults * (double)rep->page / (1 << 20));
		for (size_t i = 0; i < r->ncow; i++)
			fprintf(f, "%12llu    pid %d %s\n",
				(unsigned long long)r->cow[i].faults, r->cow[i].pid,
				fs_escape(esc, sizeof(esc), r->cow[i].comm,
					  FS_ESC_TERMINAL));
	}
	if (r->nlat)
		fprintf(f, "%12s  fork-to-exec: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%zu)\n",
			"", fs_lifestat_pct(r, 50) / 1e6,
			fs_lifestat_pct(r, 90) / 1e6,
			fs_lifestat_pct(r, 99) / 1e6,
			r->latency[r->nlat - 1] / 1e6, r->nlat);
	fprintf(f, "\n%12.6f  seconds elapsed\n", rep->ns / 1e9);
}

static void add_tally(struct json_object *o, const char *key,
		      const struct fs_tally *t)
{
	struct json_object *m = json_object_new_object();

	for (size_t i = 0; i < t->n; i++)
		fs_json_add_u64(m, t->e[i].key, t->e[i].n);
	if (t->other)
		fs_json_add_u64(m, "(other)", t->other);
	json_object_object_add(o, key, m);
}

void fs_stat_json(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	struct json_object *o = json_object_new_object();
	struct json_object *cmd = json_object_new_array();
	struct json_object *lat = json_object_new_object();

	for (char *const *a = rep->cmd; *a; a++)
		json_object_array_add(cmd, json_object_new_string(*a));
	fs_json_add_str(o, "event", "stat");
	json_object_object_add(o, "command", cmd);
	fs_json_add_status(o, "status", rep->status);
	fs_json_add_fixed(o, "elapsed_s", rep->ns, 9);
	fs_json_add_u64(o, "processes", r->processes);
	fs_json_add_u64(o, "threads", r->threads);
	fs_json_add_u64(o, "execs", r->execs);
	add_tally(o, "execs_by_binary", &r->binaries);
	add_tally(o, "exit_statuses", &r->statuses);
	fs_json_add_u64(o, "zombies_left", rep->zombies);
	fs_json_add_fixed(o, "zombie_seconds", r->zombie_ns, 9);
	if (rep->method) {
		struct json_object *c = json_object_new_object();
		struct json_object *per = json_object_new_array();

		fs_json_add_str(c, "method", rep->method);
		fs_json_add_u64(c, "faults", r->cow_faults);
		fs_json_add_u64(c, "copies", r->cow_copies);
		fs_json_add_u64(c, "est_bytes", r->cow_faults * rep->page);
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
		fs_json_add_u64(lat, "p50_ns", fs_lifestat_pct(r, 50));
		fs_json_add_u64(lat, "p90_ns", fs_lifestat_pct(r, 90));
		fs_json_add_u64(lat, "p99_ns", fs_lifestat_pct(r, 99));
		fs_json_add_u64(lat, "max_ns", r->latency[r->nlat - 1]);
	}
	json_object_object_add(o, "fork_to_exec", lat);
	fs_json_emit(f, o);
}

