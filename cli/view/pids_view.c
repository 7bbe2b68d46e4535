// SPDX-License-Identifier: GPL-2.0-only
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "common.h"
#include "escape.h"
#include "json.h"
#include "pids_view.h"

/* Room for an escaped cgroup path. */
#define PATH_TEXT	(4 * PATH_MAX)

/* "1,812": counts people read at a glance. */
static const char *count_text(char *buf, size_t len, int64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%lld",
			 (long long)(v < 0 ? -v : v));
	size_t o = 0;

	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

/* "1 h 18 min": how long until a budget runs out, in two units at most. */
static const char *eta_text(char *buf, size_t len, double s)
{
	static const struct { unsigned long long s; const char *name; } u[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" },
	};
	unsigned long long t = llround(s);
	size_t i = 0;
	int n;

	while (i + 1 < ARRAY_SIZE(u) && t < u[i].s)
		i++;
	n = snprintf(buf, len, "%llu %s", t / u[i].s, u[i].name);
	if (i + 1 < ARRAY_SIZE(u) && t % u[i].s / u[i + 1].s && n > 0 &&
	    (size_t)n < len)
		snprintf(buf + n, len - n, " %llu %s", t % u[i].s / u[i + 1].s,
			 u[i + 1].name);
	return buf;
}

static const char *rate_text(char *buf, size_t len, double r)
{
	double a = fabs(r);

	snprintf(buf, len, a >= 10 || a == floor(a) ? "%.0f" : "%.1f", a);
	return buf;
}

/* ", 1,650 of them zombies of PID 1" and the like. */
static void zombies_text(FILE *f, const struct fs_pids_point *p)
{
	char a[32], b[32];

	if (!p->zombies)
		fprintf(f, ", no zombies");
	else if (p->zombies_of_init == p->zombies)
		fprintf(f, ", %s of them zombies of PID 1",
			count_text(a, sizeof(a), p->zombies));
	else if (!p->zombies_of_init)
		fprintf(f, ", %s of them zombies",
			count_text(a, sizeof(a), p->zombies));
	else
		fprintf(f, ", %s of them zombies (%s of PID 1)",
			count_text(a, sizeof(a), p->zombies),
			count_text(b, sizeof(b), p->zombies_of_init));
}

/* ", growing 3/min (zombies +3, live +0): full in 1 h 18 min". */
static void growth_text(FILE *f, const struct fs_pids_row *r)
{
	char a[32], b[32], c[32];

	if (r->used_per_min == 0) {
		fprintf(f, ", steady");
		return;
	}
	fprintf(f, ", %s %s/min (zombies %s%s, live %s%s)",
		r->used_per_min > 0 ? "growing" : "shrinking",
		rate_text(a, sizeof(a), r->used_per_min),
		r->zombies_per_min < 0 ? "-" : "+",
		rate_text(b, sizeof(b), r->zombies_per_min),
		r->live_per_min < 0 ? "-" : "+",
		rate_text(c, sizeof(c), r->live_per_min));
	if (r->full_in_s >= 0)
		fprintf(f, ": full in %s", eta_text(a, sizeof(a), r->full_in_s));
}

static void verdict_text(FILE *f, const struct fs_pids_budget *b,
			 const struct fs_pids_row *r)
{
	char a[32];

	if (r->over_warn)
		fprintf(f, "\n  WARNING: %.0f%% of the limit used (--warn %g%%)",
			r->used_pct, b->warn_pct);
	if (r->runs_out)
		fprintf(f, "\n  WARNING: runs out within --horizon %s",
			eta_text(a, sizeof(a), b->horizon_s));
}

static void machine_text(FILE *f, const struct fs_pids_budget *b)
{
	const struct fs_pids_row *r = &b->machine;
	char a[32], c[32];

	fprintf(f, "machine: %s tasks of %s (%s)",
		count_text(a, sizeof(a), r->last.used),
		count_text(c, sizeof(c), r->limit), r->limit_by);
	zombies_text(f, &r->last);
	fprintf(f, ", %s left", count_text(a, sizeof(a), r->headroom));
	growth_text(f, r);
	verdict_text(f, b, r);
	fputc('\n', f);
}

static void cgroup_text(FILE *f, const struct fs_pids_budget *b,
			const struct fs_pids_row *r)
{
	char path[PATH_TEXT], by[PATH_TEXT], a[32], c[32];

	fs_escape(path, sizeof(path), r->path, FS_ESC_TERMINAL);
	if (r->limit < 0)
		fprintf(f, "no pids.max over %s: %s used", path,
			count_text(a, sizeof(a), r->last.used));
	else if (r->max == r->limit)
		fprintf(f, "pids.max %s in %s: %s used",
			count_text(a, sizeof(a), r->limit), path,
			count_text(c, sizeof(c), r->last.used));
	else
		fprintf(f, "pids.max %s in %s, over %s: %s used",
			count_text(a, sizeof(a), r->limit),
			fs_escape(by, sizeof(by), r->limit_by, FS_ESC_TERMINAL),
			path, count_text(c, sizeof(c), r->last.used));
	zombies_text(f, &r->last);
	if (r->headroom >= 0)
		fprintf(f, ", %s left", count_text(a, sizeof(a), r->headroom));
	growth_text(f, r);
	if (r->last.refused)
		fprintf(f, "; %s forks refused at pids.max so far",
			count_text(a, sizeof(a), r->last.refused));
	verdict_text(f, b, r);
	fputc('\n', f);
}

void fs_pids_text(FILE *f, const struct fs_pids_budget *b)
{
	char d[32];

	fprintf(f, "PID budget, growth over %s; pids controller: %s\n",
		fs_fmt_duration(d, sizeof(d), b->last_ns - b->first_ns),
		!b->hierarchy ? "none" : b->hierarchy[1] == '1' ?
		"cgroup v1 hierarchy" : "cgroup v2");
	machine_text(f, b);
	for (size_t i = 0; i < b->n; i++)
		if (b->rows[i].shown)
			cgroup_text(f, b, &b->rows[i]);
	if (!b->nr_shown && b->hierarchy)
		fprintf(f, "no pids cgroup has a limit or holds zombies\n");
	fprintf(f, "%s\n", b->nr_unhealthy ? "UNHEALTHY" : "healthy");
}

/* A rate, a share: exact decimals, never a double's binary noise. */
static void json_fixed(struct fs_json *j, const char *key, double v,
		       unsigned int decimals)
{
	fs_json_fixed(j, key, llround(v * pow(10, decimals)), decimals);
}

static void json_row(struct fs_json *j, const struct fs_pids_row *r)
{
	fs_json_int(j, "used", r->last.used);
	fs_json_int(j, "zombies", r->last.zombies);
	fs_json_int(j, "zombies_of_ns_init", r->last.zombies_of_init);
	fs_json_int(j, "live", r->last.used - r->last.zombies);
	if (r->limit >= 0) {
		fs_json_int(j, "limit", r->limit);
		fs_json_str(j, "limit_by", r->limit_by);
		fs_json_int(j, "headroom", r->headroom);
		json_fixed(j, "used_pct", r->used_pct, 1);
	} else {
		fs_json_null(j, "limit");
		fs_json_null(j, "limit_by");
		fs_json_null(j, "headroom");
		fs_json_null(j, "used_pct");
	}
	fs_json_int(j, "used_at_start", r->first.used);
	fs_json_int(j, "zombies_at_start", r->first.zombies);
	json_fixed(j, "used_per_min", r->used_per_min, 2);
	json_fixed(j, "zombies_per_min", r->zombies_per_min, 2);
	json_fixed(j, "live_per_min", r->live_per_min, 2);
	if (r->full_in_s >= 0)
		json_fixed(j, "full_in_s", r->full_in_s, 1);
	else
		fs_json_null(j, "full_in_s");
	fs_json_bool(j, "over_warn", r->over_warn);
	fs_json_bool(j, "runs_out", r->runs_out);
}

void fs_pids_json(FILE *f, const struct fs_pids_budget *b)
{
	const struct fs_pids_row *m = &b->machine;
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "pids");
	fs_json_u64(&j, "ts_ns", b->last_ns);
	fs_json_u64(&j, "window_ns", b->last_ns - b->first_ns);
	json_fixed(&j, "warn_pct", b->warn_pct, 1);
	json_fixed(&j, "horizon_s", b->horizon_s, 0);
	fs_json_bool(&j, "healthy", !b->nr_unhealthy);
	fs_json_str(&j, "pids_controller", b->hierarchy);
	fs_json_object(&j, "machine");
	fs_json_int(&j, "pid_max", b->pid_max);
	fs_json_int(&j, "threads_max", b->threads_max);
	json_row(&j, m);
	fs_json_close(&j);
	fs_json_array(&j, "cgroups");
	for (size_t i = 0; i < b->n; i++) {
		const struct fs_pids_row *r = &b->rows[i];

		if (!r->shown)
			continue;
		fs_json_object(&j, NULL);
		fs_json_str(&j, "path", r->path);
		if (r->max >= 0)
			fs_json_int(&j, "pids_max", r->max);
		else
			fs_json_null(&j, "pids_max");
		json_row(&j, r);
		fs_json_u64(&j, "refused", r->last.refused);
		fs_json_close(&j);
	}
	fs_json_close(&j);
	fs_json_close(&j);
	fs_json_end(&j);
}
