/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * forkscope lint's findings engine: the classic fork/exec mistakes, told
 * from the kernel's records as the model applies them (never guessed from
 * /proc), grouped by process (tgid and start time) and kind, counted,
 * with the evidence. Never formats text: lint_view.c does.
 *
 * Fed like lifestat: fs_lint_event() for each record after the model
 * applied it, then fs_lint_finish() once when the watch ends (what is
 * still pending then: zombies, children of threaded parents still not
 * exec'd).
 */
#ifndef FS_LINT_H
#define FS_LINT_H

#include <stdbool.h>
#include <stdint.h>
#include "decode.h"
#include "idmap.h"
#include "model.h"

enum fs_lint_kind {
	FS_LINT_MT_FORK,	/* fork from a threaded process, the child
				 * running on without exec */
	FS_LINT_ZOMBIES,	/* children never reaped */
	FS_LINT_AUTOREAP,	/* SIGCHLD ignored while children fail */
	FS_LINT_EXEC_LOOP,	/* the same exec failing again and again */
	FS_LINT_FORK_FAIL,	/* forks refused by a limit */
	FS_LINT_EXEC_FDS,	/* descriptors inherited across exec */
	FS_LINT_PREFORK_COW,	/* fork-without-exec workers copying their
				 * parent's memory */
	FS_LINT_KINDS,
};

enum fs_lint_severity {
	FS_SEV_INFO,
	FS_SEV_WARNING,
	FS_SEV_ERROR,
};

/* Findings kept at most; more are counted in fs_lint.dropped. */
#define FS_LINT_MAX	1024

/*
 * One finding: a process, a kind, how often, and the evidence of its
 * worst (or latest) occurrence. Which evidence fields a kind fills is
 * said next to each.
 */
struct fs_finding {
	enum fs_lint_kind kind;
	enum fs_lint_severity sev;
	int32_t tgid;		/* the process that made the mistake */
	int32_t ppid;
	uint64_t start_ns;
	char comm[FS_COMM_LEN];
	struct fs_ident id;	/* its container */
	uint64_t count;		/* occurrences: children, zombies, failures */
	uint64_t first_ns, last_ns;
	/* MT_FORK: most threads the parent had at such a fork; the child
	 * that ran longest without exec, for how long, and whether it
	 * exec'd then (else it exited, or still ran at the end). */
	uint32_t threads;
	int32_t child;
	uint64_t ran_ns;
	bool execd;
	bool still_running;
	/* ZOMBIES: the oldest one's age (0: older than the watch). */
	uint64_t oldest_ns;
	/* AUTOREAP: children autoreaped in all, a failing one's status. */
	uint64_t autoreaped;
	uint32_t status;
	/* EXEC_LOOP, FORK_FAIL: the errno; EXEC_LOOP: in the process
	 * itself, or its children failing it one after another. */
	int err;
	bool by_children;
	char filename[FS_FILENAME_LEN];	/* EXEC_LOOP; MT_FORK: exec'd */
	/* FORK_FAIL: the limit that refused it, and what it stood at. */
	enum fs_fork_limit limit;
	int64_t used, max;
	/* EXEC_FDS: the descriptors a program exec'd by a child of this
	 * process inherited (the first child's; the same set again is
	 * counted), how many were open in all, the record's FS_EXECFD_*. */
	struct fs_exec_fd *fds;
	uint16_t nr_fds;
	uint16_t fds_flags;
	uint32_t fds_open;
	/* PREFORK_COW: workers (count) forked without exec that copied
	 * their parent's pages; bytes copied by all, by the one that
	 * copied most (child) and its rate over the samples; steady: its
	 * copy grew at each of the last FS_LINT_STEADY samples. What it
	 * still shares (smaps_rollup) is the command's to fill, from the
	 * source: -1 when not read. */
	uint64_t cow_bytes;
	uint64_t worker_bytes;
	double worker_rate;	/* bytes per second */
	bool steady;
	int64_t shared_bytes, private_bytes;
};

/* Samples in a row a worker's copy must grow at to be "steady". */
#define FS_LINT_STEADY	3

struct fs_lint_opts {
	uint64_t mt_fork_ns;	/* a threaded parent's child may run this
				 * long before exec (default 50 ms) */
	uint64_t zombie_ns;	/* a zombie this old is a finding (1 s) */
	uint32_t exec_repeat;	/* the same failing exec this often (3) */
	uint64_t exec_window_ns;/* ... each within this of the last (10 s) */
	uint64_t cow_min_bytes;	/* a worker copying this much (1 MiB) */
	uint64_t page_bytes;	/* bytes a COW fault copies */
};

/* lint's defaults, for stat and trace --explain (page size: 4096). */
extern const struct fs_lint_opts fs_lint_defaults;

struct fs_lint {
	struct fs_lint_opts o;
	struct fs_finding *f;
	uint32_t n, cap;
	uint64_t dropped;	/* findings past FS_LINT_MAX */
	struct fs_idmap mt_children;	/* child pid: its pending fork */
	struct fs_idmap exec_fails;	/* tgid: its failing execs */
	struct fs_idmap child_fails;	/* parent tgid: children that
					 * exited after failed execs */
	struct fs_idmap cow_workers;	/* pid: a worker's COW samples */
	struct fs_idmap fd_files;	/* an inherited open file (inode,
					 * dev): its finding's index + 1 */
	int failed;		/* out of memory: findings may be missing */
};

void fs_lint_init(struct fs_lint *l, const struct fs_lint_opts *o);
/*
 * Judges one record the model applied (selected subjects only). Returns
 * the finding the record made or added to, else NULL: valid until the
 * next call (trace --explain shows it with the event).
 */
const struct fs_finding *fs_lint_event(struct fs_lint *l,
				       const struct fs_model *m,
				       const struct fs_hdr *rec,
				       const struct fs_note *n);
/* The watch ended at now_ns: zombies left, children still not exec'd. */
void fs_lint_finish(struct fs_lint *l, const struct fs_model *m,
		    uint64_t now_ns);
/* Sorts by process, then severity (worst first), then kind. */
void fs_lint_sort(struct fs_lint *l);
/* The worst severity found; -1 when none. */
int fs_lint_worst(const struct fs_lint *l);
void fs_lint_free(struct fs_lint *l);

const char *fs_lint_kind_name(enum fs_lint_kind k);
const char *fs_lint_severity_name(enum fs_lint_severity s);
/* The severity named s, or -1. */
int fs_lint_severity_parse(const char *s);

#endif
