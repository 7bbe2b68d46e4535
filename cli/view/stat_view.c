// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "container.h"
#include "escape.h"
#include "json.h"
#include "stat_view.h"
#include "status.h"

/* "pid 123 comm", and its container when not the host's. */
static void text_cow_line(FILE *f, const struct fs_stat_report *rep,
			  const struct fs_cow_line *c)
{
	static char where[FS_CGROUP_PATH_LEN + 64], esc[4 * sizeof(where)];

	fprintf(f, "%12llu    pid %d %s", (unsigned long long)c->faults, c->pid,
		fs_escape(esc, sizeof(esc), c->comm, FS_ESC_TERMINAL));
	fs_container_text(where, sizeof(where), rep->m, &c->id, c->pid, true);
	if (*where)
		fprintf(f, " %s", fs_escape(esc, sizeof(esc), where,
					    FS_ESC_TERMINAL));
	fputc('\n', f);
}

/* ": key xN, key xN" */
static void text_tally(FILE *f, const struct fs_tally *t)
{
	char esc[4 * FS_FILENAME_LEN];

	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%s %s x%llu", i ? "," : ":",
			fs_escape(esc, sizeof(esc), t->e[i].key,
				  FS_ESC_TERMINAL),
			(unsigned long long)t->e[i].n);
	if (t->other)
		fprintf(f, ", others x%llu", (unsigned long long)t->other);
}

void fs_stat_text(FILE *f, const struct fs_stat_report *rep)
{
	const struct fs_lifestat *r = rep->st;
	char buf[64], esc[4 * FS_FILENAME_LEN];

	if (!rep->cmd[0]) {	/* a recording of the machine: no command */
		fprintf(f, "\n Lifecycle stats of the recording\n\n");
	} else {
		fprintf(f, "\n Lifecycle stats for '");
		for (char *const *a = rep->cmd; *a; a++)
			fprintf(f, "%s%s", a == rep->cmd ? "" : " ",
				fs_escape(esc, sizeof(esc), *a, FS_ESC_SHELL));
		fprintf(f, "': %s\n\n",
			fs_status_str(buf, sizeof(buf), rep->status));
	}
	fprintf(f, "%12llu  processes created %s\n",
		(unsigned long long)r->processes,
		rep->filtered ? "in the cgroup or container asked for" :
				"(the command included)");
	fprintf(f, "%12llu  threads created\n", (unsigned long long)r->threads);
	fprintf(f, "%12llu  execs", (unsigned long long)r->execs);
	text_tally(f, &r->binaries);
	fprintf(f, "\n%12s  exit statuses", "");
	text_tally(f, &r->statuses);
	fprintf(f, "\n%12llu  forks failed", (unsigned long long)r->fork_failures);
	text_tally(f, &r->fork_refusals);
	fprintf(f, "\n%12llu  execs failed", (unsigned long long)r->exec_failures);
	text_tally(f, &r->exec_errors);
	fprintf(f, "\n%12zu  zombies left behind\n", rep->zombies);
	fprintf(f, "%12.6f  zombie-seconds (time exited children waited to be reaped)\n",
		r->zombie_ns / 1e9);
	if (rep->method) {
		fprintf(f, "%12llu  %s, est. %.1f MiB copied\n",
			(unsigned long long)r->cow_faults, rep->method,
			r->cow_faults * (double)rep->page / (1 << 20));
		for (size_t i = 0; i < r->ncow; i++)
			text_cow_line(f, rep, &r->cow[i]);
	}
	if (r->nlat)
		fprintf(f, "%12s  fork-to-exec: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%zu)\n",
			"", fs_lifestat_pct(r, 50) / 1e6,
			fs_lifestat_pct(r, 90) / 1e6,
			fs_lifestat_pct(r, 99) / 1e6,
			r->latency[r->nlat - 1] / 1e6, r->nlat);
	fprintf(f, "\n%12.6f  seconds elapsed\n", rep->ns / 1e9);
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
	fs_json_close(&j);
	fs_json_end(&j);
}
