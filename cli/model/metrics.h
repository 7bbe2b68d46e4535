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
#include "model.h"
#include "runtime.h"

#define FS_METRICS_TOP_MAX	1000
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

struct fs_metrics {
	uint64_t now_ns;
	bool have_counters;
	uint64_t counters[FS_CNT_MAX];
	uint64_t lost_ringbuf, lost_recursion, lost_cow, malformed;
	uint32_t zombies;		/* every process zombie the model has */
	uint32_t nr_top;
	struct fs_metrics_parent top[FS_METRICS_TOP_MAX];
	uint32_t parents_left_out, zombies_left_out;
	bool have_oldest;
	uint64_t oldest_age_ns;		/* of the oldest zombie whose exit
					 * was seen */
};

/*
 * Fills m's zombie part from the model as of now_ns, the top parents by
 * zombies (ties: the oldest first), at most top of them. Uses scratch
 * memory kept in *scratch between calls (free it with free()); -ENOMEM.
 */
int fs_metrics_take_zombies(struct fs_metrics *m, const struct fs_model *model,
			    uint64_t now_ns, uint32_t top, void **scratch,
			    size_t *scratch_n);

#endif
