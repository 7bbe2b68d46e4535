/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process model: applies records, in stream order, to the process
 * table and says what each one meant (struct fs_note) for the views.
 *
 * It follows the kernel's rules (shared/notes/kernel-facts.md): a task is
 * running, then exited (a zombie until released), then reaped; threads
 * belong to their leader's process; when a process's last thread exits its
 * children go to the heir the kernel picks (subreaper or init), zombies
 * included; a snapshot (FS_REC_SYNC/TASK) adds what existed before and,
 * after losses, drops what died unseen.
 */
#ifndef FS_MODEL_H
#define FS_MODEL_H

#include <stdbool.h>
#include "forkscope/record.h"
#include "callsites.h"
#include "idmap.h"
#include "pids_readings.h"
#include "proctab.h"
#include "runtime.h"
#include "task_now.h"

struct fs_model {
	struct fs_proctab tab;
	int32_t select_pid;	/* -p: 0 selects everything */
	const char *select_cgroup;	/* --cgroup: this path and below */
	const char *select_container;	/* --container: id prefix, unit */
	uint32_t gen;		/* generation of the snapshot being applied */
	bool synced;		/* a snapshot has ended: the table is whole */
	bool need_resync;	/* records were lost: take a new snapshot */
	uint64_t watch_start_ns;/* since when events have been seen */
	uint64_t lost;		/* lifecycle records lost, in total */
	uint64_t resyncs;	/* snapshots taken after losses */
	uint64_t swept;		/* entries a resync found dead */
	uint64_t cmd_bytes;	/* exec command lines held */
	/* Cgroup paths by id, by FS_CGROUP_* - 1, from FS_REC_CGROUP_PATH. */
	struct fs_idmap cgroup_paths[2];
	uint64_t cgroup_bytes;	/* paths held */
	/* A recording's PID budget readings (FS_REC_PIDS). */
	struct fs_pids_readings pids;
	/* Fork call sites (FS_REC_FORK_STACK), resolved by the session. */
	struct fs_callsites sites;
	/* What target processes were doing when last looked at. */
	struct fs_task_nows nows;
};

/* How a task was released (stopped being a zombie). */
enum fs_release {
	FS_RELEASE_NONE,
	FS_RELEASE_WAIT,	/* its parent's wait4/waitid reaped it */
	FS_RELEASE_AUTO,	/* at exit: a thread, or SIGCHLD ignored */
	FS_RELEASE_EXEC,	/* an old leader, replaced by an exec'ing thread */
	FS_RELEASE_FREE,	/* seen only when the kernel freed it */
};

/*
 * What the model learnt from one record. A record can also reveal that a
 * task was released (the reap): then released names how, and gone is that
 * task as it was. sched_process_free comes late (RCU, lazily), so a reap is
 * told from the first sign: the wait result, the autoreap at exit, or the
 * exec; the free only tells one no earlier record did.
 */
struct fs_note {
	struct fs_task task;	/* the subject after the record (a copy: a
				 * free removes the entry) */
	uint64_t runtime_ns;	/* exit: time since start, when known */
	uint64_t fork_to_exec_ns;	/* exec: a process's first exec since
					 * it was forked, when seen */
	bool selected;		/* the subject is selected: inside the -p
				 * subtree, in the --cgroup/--container (a
				 * fork also when its child is) */
	bool stale;		/* about an older task that had this pid */
	bool reaped;		/* waited: this result released the child */
	int32_t reparented;	/* exit: children moved to this tgid, or 0 */
	uint32_t nr_reparented;
	bool heir_subreaper;	/* reparented to a subreaper, not init */

	enum fs_release released;
	struct fs_task gone;	/* the released task */
	bool gone_selected;
	uint64_t zombie_ns;	/* exit to release, when both are known */
	int32_t reaper;		/* tgid that waited, 0: none */
	char reaper_comm[FS_COMM_LEN];
	/* fork-stack: the child's call site, as the session resolved it */
	const struct fs_site *site;
	/*
	 * fork-stack and task-now: the user stack resolved, and a look's
	 * SIGCHLD handler named (NULL: none), for a recording to keep.
	 */
	const struct fs_stack *stack;
	const struct fs_stack *handler;
	const struct fs_stack *kernel;	/* task-now: its kernel functions */
};

int fs_model_init(struct fs_model *m, int32_t select_pid);
/*
 * Selects, besides -p, only tasks in cgroup PATH or below it, and only
 * tasks of container ID (an id's prefix, or a systemd unit's name), by
 * their v2 or pids cgroup; NULL: any. Before the first record; the
 * strings must outlive the model.
 */
void fs_model_filter(struct fs_model *m, const char *cgroup,
		     const char *container);
void fs_model_free(struct fs_model *m);
/* Applies one checked record; fills *note. */
void fs_model_apply(struct fs_model *m, const struct fs_hdr *rec,
		    struct fs_note *note);


/* Bytes the model holds: table slots and command lines (not malloc's
 * own overhead: measure RSS for that). */
uint64_t fs_model_bytes(const struct fs_model *m);
/*
 * The path of a cgroup the stream named (FS_CGROUP_*, id), "" when its
 * path was not found, NULL when the stream never named it.
 */
const char *fs_model_cgroup_path(const struct fs_model *m, uint32_t hierarchy,
				 uint64_t id);

/* A cgroup the stream named, and what its path says (runtime.h). */
struct fs_cgroup {
	const char *path;	/* "" when it was not found */
	const char *id;		/* the container's id; NULL: none */
	const char *unit;	/* its systemd unit; NULL: none */
	enum fs_runtime runtime;
	bool selected;		/* matches --cgroup and --container */
	uint32_t bytes;		/* held for it */
};

/* Cgroup id of hierarchy (FS_CGROUP_*) as named; NULL when never named. */
const struct fs_cgroup *fs_model_cgroup(const struct fs_model *m,
					uint32_t hierarchy, uint64_t id);
/*
 * The cgroup that tells most of a task's container: its v2 cgroup,
 * unless its pids cgroup names a container or unit the v2 path does not
 * (hybrid hosts). NULL when neither was named.
 */
const struct fs_cgroup *fs_model_container(const struct fs_model *m,
					   const struct fs_ident *id);
/* Whether a task with this identity passes --cgroup and --container. */
bool fs_model_ident_selected(const struct fs_model *m,
			     const struct fs_ident *id);
/*
 * Whether --container's prefix names two containers (a and b), as a
 * docker short id must not: checked once the snapshot named them.
 */
bool fs_model_container_ambiguous(const struct fs_model *m, const char **a,
				  const char **b);
/* Whether a task is selected: -p, --cgroup and --container. */
bool fs_model_task_selected(const struct fs_model *m, const struct fs_task *t);

/* A zombie: exited, not released. */
bool fs_task_is_zombie(const struct fs_task *t);
/* A leader that exited while other threads of its process still run. */
bool fs_task_leader_waits(const struct fs_task *t);
/* A real, current task: not a placeholder, not released. */
bool fs_task_is_live(const struct fs_task *t);

#endif
