// SPDX-License-Identifier: GPL-2.0-only
/* forkscope pids: the PID budget, and when fork starts failing. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "pids_budget.h"
#include "pids_view.h"
#include "session.h"

#define DEFAULT_HORIZON_S	3600

struct pids_opts {
	struct fs_cmd_opts c;	/* -p, -j, -v */
	double window_s;
	double warn_pct;
	double horizon_s;
	const char *at;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope pids [OPTIONS]\n"
"The PID budget: for the machine (kernel.pid_max, kernel.threads-max) and\n"
"every pids cgroup with a pids.max or zombies, the tasks in use (zombies\n"
"counted apart), the limit (pids.max is hierarchical: the smallest over a\n"
"cgroup and its ancestors applies), the room left, how fast use grew over\n"
"the window, and when fork starts failing at that rate.\n"
"Exit status: 0 healthy, 1 a budget is --warn used or runs out within\n"
"--horizon, 2 wrong usage, 3 could not check.\n"
"\n"
"  -d, --duration SECS    watch this long for the rates (default 3)\n"
"  -w, --warn PCT         unhealthy from this share of a limit used\n"
"                         (default 80%%)\n"
"  -H, --horizon DURATION unhealthy when a budget runs out within it:\n"
"                         90s, 30m, 1h, 2d (default 1h; 0: never)\n"
"  -p, --pid PID          only the cgroups PID and its descendants are in\n"
"      --cgroup PATH      only the pids cgroups that hold processes in cgroup\n"
"                         PATH or below (v2 or pids)\n"
"      --container ID     only those of container ID (an id's prefix, or a\n"
"                         systemd unit)\n"
"  -i, --input FILE       the budget a recording (forkscope record) kept:\n"
"                         growth from its first reading to its last, or\n"
"                         over the -d before --at TIME\n"
"      --at TIME          with -i: when (12.5: seconds into it; 21:14:55)\n"
"  -j, --json             one JSON object\n"
"  -v, --verbose          show libbpf and verifier messages\n"
"  -h, --help             this help\n"
"\n"
"A short window takes a burst of forks for a trend: watch longer (-d 60)\n"
"for a forecast worth a page.\n"
"\n"
"EXAMPLES\n"
"  forkscope pids                   # how close is each PID budget to full?\n"
"  forkscope pids -d 60 --warn 90   # when does fork fail, at a minute's rate?\n"
"  forkscope pids -H 10m -j         # a health check: exit 1 if full in 10m\n"
"  forkscope pids -p 4242           # the budgets process 4242 draws from\n");
}

/* "80" or "80%": a share of a limit, above 0 and at most 100. */
static int parse_pct(const char *cmd, const char *arg, void *dest)
{
	char *end;
	double v = strtod(arg, &end);

	if (end != arg && *end == '%')
		end++;
	if (end == arg || *end || !(v > 0) || v > 100)
		return fs_usage_error(cmd, "--warn wants a percentage above 0 and at most 100, not '%s'",
				      arg);
	*(double *)dest = v;
	return 0;
}

/* "90s", "30m", "1h", "2d", or seconds: 0 turns forecasts off. */
static int parse_duration(const char *cmd, const char *arg, void *dest)
{
	static const struct { const char *unit; double s; } units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "min", 60 },
		{ "h", 3600 }, { "d", 86400 },
	};
	char *end;
	double v = strtod(arg, &end);

	for (size_t i = 0; end != arg && v >= 0 && isfinite(v) &&
	     i < ARRAY_SIZE(units); i++) {
		if (!strcmp(end, units[i].unit) && v * units[i].s <= 1e9) {
			*(double *)dest = v * units[i].s;
			return 0;
		}
	}
	return fs_usage_error(cmd, "--horizon wants a duration such as 90s, 30m, 1h or 2d, not '%s'",
			      arg);
}

#define OPT(field)	offsetof(struct pids_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "pids",
	.usage = usage,
	.shared = FS_CMD_PID | FS_CMD_CONTAINER | FS_CMD_INPUT,
	.opts = (const struct fs_opt[]){
		{ .name = "duration", .letter = 'd', .kind = FS_OPT_DOUBLE,
		  .off = OPT(window_s), .min = 0.1, .max = 86400,
		  .wants = "-d wants seconds from 0.1 to 86400" },
		{ .name = "warn", .letter = 'w', .kind = FS_OPT_CUSTOM,
		  .off = OPT(warn_pct), .parse = parse_pct },
		{ .name = "horizon", .letter = 'H', .kind = FS_OPT_CUSTOM,
		  .off = OPT(horizon_s), .parse = parse_duration },
		{ .name = "at", .kind = FS_OPT_STRING, .off = OPT(at), .min = 1,
		  .wants = "--at wants a time" },
		{}
	},
};

/* Reads, watches the window, reads again, judges. */
static int measure(const struct pids_opts *o, struct fs_session *s,
		   struct fs_pids_budget *b)
{
	const struct fs_model *m = fs_session_model(s);
	int err = fs_pids_budget_sample(b, m, fs_boot_ns());

	if (!err)
		err = fs_session_run_for(s, o->window_s * 1000);
	if (!err && fs_stop_requested())
		return -EINTR;
	/* What the kernel did up to now, in the model before the reading. */
	if (!err)
		err = fs_session_poll(s, 0) < 0 ? -EIO : 0;
	if (!err)
		err = fs_pids_budget_sample(b, m, fs_boot_ns());
	if (!err)
		fs_pids_budget_judge(b, o->warn_pct, o->horizon_s);
	return err;
}

/* Replaying: the readings in [from, to] go into the budget. */
struct replay {
	struct fs_pids_budget *b;
	uint64_t from, to;
	int err;
};

/*
 * Each reading as it ends (its machine record): the model stands where
 * it stood when the reading was taken, zombies and all.
 */
static void on_record(void *ctx, const struct fs_session *s,
		      const struct fs_hdr *rec, const struct fs_note *n)
{
	const struct fs_rec_pids *p = (const void *)rec;
	const struct fs_model *m = fs_session_model(s);
	struct replay *r = ctx;

	(void)n;
	if (rec->type != FS_REC_PIDS || !(p->flags & FS_PIDS_MACHINE) ||
	    rec->ts_ns < r->from || rec->ts_ns > r->to || r->err)
		return;
	r->err = fs_pids_budget_sample_recorded(r->b, m, m->pids.count > 1 ?
						&m->pids.last : &m->pids.first);
}

/*
 * A recording: from its first reading to its last, or over the -d
 * before --at. A damaged recording is judged as far as it reads, then
 * that is said.
 */
static int measure_recorded(const struct pids_opts *o, struct fs_session *s,
			    struct replay *r, uint64_t at)
{
	int cut;

	if (at != UINT64_MAX) {
		r->to = at;
		r->from = at > o->window_s * NSEC_PER_SEC ?
			  at - o->window_s * NSEC_PER_SEC : 0;
	}
	cut = fs_session_run_until(s, at);
	if (!r->err && !r->b->last_ns)
		r->err = fs_error(ENODATA, "the recording holds no PID budget readings%s (forkscope record takes one every second; --record does not)",
				  at != UINT64_MAX ? " in that window" : "");
	if (!r->err)
		fs_pids_budget_judge(r->b, o->warn_pct, o->horizon_s);
	return r->err ? r->err : cut;
}

int cmd_pids(int argc, char **argv, const struct fs_global_opts *g)
{
	struct pids_opts o = { .window_s = 3, .warn_pct = 80,
			       .horizon_s = DEFAULT_HORIZON_S };
	struct fs_pids_budget b = {};
	struct replay replay = { .b = &b, .to = UINT64_MAX };
	struct fs_session_opts so = { .on_event = on_record, .ctx = &replay };
	struct fs_session *s;
	uint64_t at = UINT64_MAX;
	size_t unhealthy;
	int err;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	err = fs_cmd_open_session(&s, &o.c, o.c.input ? &so : NULL,
				  FS_EXIT_NOCHECK);
	if (err)
		return err;
	if (o.at && fs_cmd_at("pids", o.at, s, &at)) {
		fs_session_close(s);
		return FS_EXIT_USAGE;
	}
	err = o.c.input ? measure_recorded(&o, s, &replay, at) :
			  measure(&o, s, &b);
	if (!err) {
		if (o.c.json)
			fs_pids_json(stdout, &b);
		else
			fs_pids_text(stdout, &b);
		err = fs_output_check(stdout, "standard output");
	}
	fs_session_close(s);
	unhealthy = b.nr_unhealthy;
	fs_pids_budget_free(&b);
	if (err == -EINTR)	/* stopped before it could judge */
		return 128 + fs_stop_requested();
	if (err)
		return fs_fail(FS_EXIT_NOCHECK, "%s", fs_last_error());
	return unhealthy ? FS_EXIT_FOUND : FS_EXIT_OK;
}
