/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lifecycle statistics of a selected subtree (forkscope stat): counted
 * from the model's notes as records arrive, like perf stat's counters.
 */
#ifndef FS_LIFESTAT_H
#define FS_LIFESTAT_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"

#define FS_TALLY_KEYS	64	/* distinct keys a tally lists */

/* A small counted set of strings: binaries exec'd, exit statuses. */
struct fs_tally {
	struct {
		char key[FS_FILENAME_LEN];
		uint64_t n;
	} e[FS_TALLY_KEYS];
	size_t n;
	uint64_t other;		/* past FS_TALLY_KEYS distinct keys */
};

struct fs_cow_line {
	int32_t pid;
	char comm[FS_COMM_LEN];
	uint64_t faults, copies;
	struct fs_ident id;	/* its container */
};

#define FS_SPAWN_GROUPS	32	/* command names a summary groups under */
#define FS_SPAWN_COMMS	16	/* command names counted in a group */

/*
 * The processes one command name started, as a group: every child of the
 * traced command, with all its descendants, is counted under the child's
 * command name, by the command name each process had when it ended.
 */
struct fs_spawn_group {
	char name[FS_COMM_LEN];
	uint64_t processes;
	struct {
		char comm[FS_COMM_LEN];
		uint64_t n;
	} e[FS_SPAWN_COMMS];
	size_t n;
	uint64_t other;		/* processes of names past FS_SPAWN_COMMS */
};

struct fs_lifestat {
	uint64_t processes, threads, execs, zombie_ns;
	uint64_t cow_faults, cow_copies;
	struct fs_tally binaries, statuses;
	/* Failed forks by the limit that refused them (else the errno),
	 * failed execs by errno. */
	uint64_t fork_failures, exec_failures;
	struct fs_tally fork_refusals, exec_errors;
	uint64_t *latency;	/* fork-to-exec, ns; sorted by finish */
	size_t nlat, caplat;
	struct fs_cow_line *cow;
	size_t ncow, capcow;
	/*
	 * Who started whom: a process's entry has in ppid the child of a
	 * root (a process forking and not seen forked) it descends from;
	 * 0 in a root's own entry.
	 */
	struct fs_proctab family;
	struct fs_spawn_group spawned[FS_SPAWN_GROUPS];
	size_t nspawned;
	uint64_t spawned_other;	/* processes in groups past FS_SPAWN_GROUPS */
	int failed;		/* an allocation failed: the report lacks it */
};

/* Counts one record the model has applied, if its subject is selected. */
void fs_lifestat_event(struct fs_lifestat *st, const struct fs_hdr *rec,
		       const struct fs_note *n);
/*
 * Sorts what percentiles need, and the spawned groups (and names in
 * them) by processes, most first; call once, when the records are in.
 */
void fs_lifestat_finish(struct fs_lifestat *st);
/* Nearest-rank percentile p of the fork-to-exec latencies (nlat > 0). */
uint64_t fs_lifestat_pct(const struct fs_lifestat *st, double p);
void fs_lifestat_free(struct fs_lifestat *st);

/*
 * Live tasks of the -p subtree (what stat waits for), and how many of its
 * processes are zombies that --cgroup and --container select.
 */
size_t fs_model_selected_left(const struct fs_model *m, size_t *zombies);

#endif
