/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copy-on-write rates: the model's COW counters at successive samples,
 * each process with its faults per second since the previous sample.
 */
#ifndef FS_COW_RATES_H
#define FS_COW_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

/* One process's counters at a sample, and what changed since the last. */
struct fs_cow_row {
	int32_t pid, ppid;
	uint64_t start_ns;
	uint64_t faults, copies;
	double rate;		/* faults per second over the interval */
	bool exited;
	char comm[FS_COMM_LEN];
	struct fs_ident id;	/* its container */
};

struct fs_cow_rates {
	struct fs_cow_row *prev, *cur;	/* sorted by pid */
	size_t nprev, ncur;
};

/*
 * Takes a sample of m's selected processes with counters (-p, --cgroup,
 * --container), rates over secs. -ENOMEM with fs_last_error().
 */
int fs_cow_rates_update(struct fs_cow_rates *r, const struct fs_model *m,
			double secs);
/*
 * The last sample, costliest first, in a new array the caller frees;
 * NULL (with fs_last_error()) when out of memory.
 */
struct fs_cow_row *fs_cow_rates_by_cost(const struct fs_cow_rates *r);

/* What a report is sorted by (cow --sort): the first, most, first. */
enum fs_cow_sort {
	FS_COW_BY_RATE,		/* faults per second now, like top's %CPU */
	FS_COW_BY_FAULTS,	/* faults in all */
	FS_COW_BY_PID,		/* ascending */
};
/* Their names, as --sort takes them, by enum fs_cow_sort; NULL-ended. */
extern const char *const fs_cow_sort_keys[];
/* As fs_cow_rates_by_cost(), sorted by key. */
struct fs_cow_row *fs_cow_rates_sorted(const struct fs_cow_rates *r,
				       enum fs_cow_sort key);
void fs_cow_rates_free(struct fs_cow_rates *r);

#endif
