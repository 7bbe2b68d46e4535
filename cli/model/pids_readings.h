/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PID budget readings: what the pids cgroups and the machine held at a
 * moment, as the source read them live or a recording kept them
 * (FS_REC_PIDS). The model keeps a recording's first and latest.
 */
#ifndef FS_PIDS_READINGS_H
#define FS_PIDS_READINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "forkscope/record.h"

/* One pids cgroup as its files read (the source's counters, copied). */
struct fs_pids_input {
	const char *path;	/* below the pids hierarchy's root */
	int64_t current;	/* pids.current */
	int64_t max;		/* pids.max; -1: no limit */
	uint64_t refused;	/* pids.events max */
};

/* The machine as /proc/sys/kernel reads. */
struct fs_pids_machine {
	int64_t tasks, pid_max, threads_max;
};

/* One reading: every pids cgroup, then the machine. */
struct fs_pids_reading {
	struct fs_pids_input *v;	/* paths owned */
	size_t n, cap;
	struct fs_pids_machine mach;
	uint64_t ts_ns;
	uint16_t hierarchy;	/* FS_PIDS_V1, FS_PIDS_V2, 0: none */
};

struct fs_pids_readings {
	struct fs_pids_reading building;	/* records of one moment */
	struct fs_pids_reading first, last;	/* whole ones */
	uint64_t count;		/* whole readings seen */
	uint64_t dropped;	/* cgroups past MAX_PIDS_CGROUPS */
};

/* Takes one record of a reading; the machine's ends it. */
void fs_pids_readings_apply(struct fs_pids_readings *r,
			    const struct fs_rec_pids *rec);
void fs_pids_readings_free(struct fs_pids_readings *r);

#endif
