/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter's metrics snapshot: what one scrape shows, taken from the
 * model (zombies by parent) and handed the source's in-kernel counters by
 * the command. Plain numbers and names, no text format: the view
 * (prom_view.h) renders it. Bounded: at most FS_METRICS_TOP_MAX parents.
 */
#ifndef FS_METRICS_H
#define FS_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include "forkscope/counters.h"
#include "decode.h"
#include "model.h"
#include "pids_budget.h"
#include "runtime.h"

#define FS_METRICS_TOP_MAX	1000
/*
 * A parent shown with zombies is shown with 0 for this long after its
 * last one is reaped, so a graph goes to 0 rather than stopping, and
 * delta() sees the fall; then its series ends.
 */
#define FS_METRICS_ZERO_HOLD_NS	(300ULL * 1000000000ULL)
#define FS_METRICS_LABEL_LEN	128	/* a container's id or unit, cut */

/* The zombies of one (container, parent command). */
struct fs_metrics_parent {
	/* Its container, as fs_cgroup says it; neither id nor unit: host. */
	enum fs_runtime runtime;
	char id[FS_METRICS_LABEL_LEN];
	char unit[FS_METRICS_LABEL_LEN];
	char comm[FS_COMM_LEN];
	uint32_t zombies;
	uint64_t oldest_exit_ns;	/* 0: a zombie from before watching */
};

/* One PID budget: a pids cgroup's, or the machine's (path ""). */
struct fs_metrics_pids {
	char path[FS_METRICS_LABEL_LEN];
	int64_t used, zombies;
	int64_t limit;		/* effective (the smallest over its
				 * ancestors); -1: none */
	int64_t refused;	/* forks its pids.max refused (pids.events);
				 * -1 for the machine */
};

struct fs_metrics {
	uint64_t now_ns;
	bool have_counters;
	uint64_t counters[FS_CNT_MAX];
	uint64_t lost_ringbuf, lost_recursion, lost_cow, malformed;
	uint32_t zombies;		/* every process zombie the model has */
	uint32_t nr_top;
	struct fs_metrics_parent top[FS_METRICS_TOP_MAX];
	/* Parents shown with zombies lately, until when to show them. */
	uint32_t nr_held;
	struct fs_metrics_parent held[FS_METRICS_TOP_MAX];
	uint64_t held_until_ns[FS_METRICS_TOP_MAX];
	uint32_t parents_left_out, zombies_left_out;
	bool have_oldest;
	uint64_t oldest_age_ns;		/* of the oldest zombie whose exit
					 * was seen */
	/* Failed forks by the limit that refused them (the records). */
	uint64_t fork_refusals[FS_LIMIT_COUNT];
	/* The PID budgets: the machine's first, then the top cgroups. */
	bool have_pids;
	uint32_t nr_pids, pids_left_out;
	struct fs_metrics_pids pids[FS_METRICS_TOP_MAX + 1];
	/* COW faults (with --cow): of processes gone, and in all. */
	bool have_cow;
	uint64_t cow_faults_gone, cow_faults;
	uint64_t census_ns;		/* what the last census took */
	uint64_t censuses;
};

/*
 * Counts what a record applied tells: failed forks by limit, the COW
 * faults of a process that ended (its exit record carries them).
 */
void fs_metrics_event(struct fs_metrics *m, const struct fs_hdr *rec);

/*
 * The COW faults so far: those of processes gone plus the live ones' as
 * last sampled into the model. Monotonic: a process's count only moves
 * from the live sum to the gone one, grown, at its exit.
 */
void fs_metrics_take_cow(struct fs_metrics *m, const struct fs_model *model);

/*
 * Fills m's PID budgets from a budget sampled once: the machine, then at
 * most top pids cgroups that have a limit or zombies, the fullest first
 * (used over limit; unlimited ones by zombies).
 */
void fs_metrics_take_pids(struct fs_metrics *m, const struct fs_pids_budget *b,
			  uint32_t top);

/*
 * Fills m's zombie part from the model as of now_ns, the top parents by
 * zombies (ties: the oldest first), at most top of them, then, room
 * left, those shown with zombies within FS_METRICS_ZERO_HOLD_NS with 0. Uses scratch
 * memory kept in *scratch between calls (free it with free()); -ENOMEM.
 */
int fs_metrics_take_zombies(struct fs_metrics *m, const struct fs_model *model,
			    uint64_t now_ns, uint32_t top, void **scratch,
			    size_t *scratch_n);

#endif
