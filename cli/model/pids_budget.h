/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PID budget (forkscope pids): how many tasks the machine and each
 * pids cgroup may hold, how many they hold (zombies counted apart, from
 * the model), and, from two readings a window apart, how fast that grows
 * and when fork starts failing at that rate.
 */
#ifndef FS_PIDS_BUDGET_H
#define FS_PIDS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

/* A budget at one reading. */
struct fs_pids_point {
	uint64_t ts_ns;
	int64_t used;		/* tasks counted, zombies included */
	int64_t zombies;	/* processes exited and not reaped */
	int64_t zombies_of_init;/* of them, children of their pid
				 * namespace's init (PID 1 in a container) */
	uint64_t refused;	/* forks refused so far (pids.events) */
};

/* One budget: the machine's, or a pids cgroup's and its ancestors'. */
struct fs_pids_row {
	char *path;		/* the cgroup; NULL for the machine */
	int64_t max;		/* its own pids.max; -1: none */
	int64_t limit;		/* effective: the smallest max over it and
				 * its ancestors; -1: none */
	char *limit_by;		/* where limit is set: a cgroup path, or
				 * "kernel.pid_max" / "kernel.threads-max" */
	int64_t headroom;	/* forks left before one is refused: the
				 * smallest max - current over it and its
				 * ancestors; -1: no limit */
	struct fs_pids_point first, last;
	bool selected;		/* holds a -p process (all do without -p) */
	/* From fs_pids_budget_judge(): */
	double used_per_min, zombies_per_min, live_per_min;
	double full_in_s;	/* at used_per_min; -1: not growing, no limit */
	double used_pct;	/* of limit; -1: no limit */
	bool over_warn;		/* used_pct >= warn */
	bool runs_out;		/* full_in_s within the horizon */
	bool shown;		/* a limit or zombies, and selected */
};

struct fs_pids_budget {
	struct fs_pids_row machine;
	struct fs_pids_row *rows;	/* every pids cgroup, by path */
	size_t n, cap;
	int64_t pid_max, threads_max;	/* the machine's, as read */
	const char *hierarchy;	/* "v1" or "v2", NULL: no pids controller */
	uint64_t first_ns, last_ns;	/* the window */
	double warn_pct, horizon_s;	/* as judged */
	size_t nr_shown, nr_unhealthy;
};

/*
 * A reading from the kernel (the machine, every pids cgroup) and the
 * model (zombies by pids cgroup): the first one opens the window, each
 * later one moves its end. 0 or -errno with fs_last_error().
 */
int fs_pids_budget_sample(struct fs_pids_budget *b, const struct fs_model *m,
			  uint64_t now_ns);
/*
 * The same from a reading a recording kept (the model's pids.first or
 * pids.last), at its time.
 */
int fs_pids_budget_sample_recorded(struct fs_pids_budget *b,
				   const struct fs_model *m,
				   const struct fs_pids_reading *g);
/* The same from readings given: what fs_pids_budget_sample() reads. */
int fs_pids_budget_feed(struct fs_pids_budget *b, const struct fs_model *m,
			uint64_t now_ns, const struct fs_pids_machine *mach,
			const struct fs_pids_input *in, size_t n);
/*
 * Rates over the window, forecasts, and the verdict: a budget is
 * unhealthy when warn_pct of its limit is used, or it runs out within
 * horizon_s (0: no forecast counts). Returns how many are unhealthy.
 */
size_t fs_pids_budget_judge(struct fs_pids_budget *b, double warn_pct,
			    double horizon_s);
void fs_pids_budget_free(struct fs_pids_budget *b);

/*
 * Seconds until headroom is used up, at the growth from used0 to used1
 * over window_ns; -1 when it does not grow (or no window, no limit).
 */
double fs_pids_full_in_s(int64_t headroom, int64_t used0, int64_t used1,
			 uint64_t window_ns);

#endif
