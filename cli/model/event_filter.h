/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which events a user asked for (-e, -c, --no-threads): one rule for
 * trace, which shows them, and recordings, which keep them.
 */
#ifndef FS_EVENT_FILTER_H
#define FS_EVENT_FILTER_H

#include <stdbool.h>
#include "model.h"

/* The record types -e can name, and the losses always shown. */
#define FS_ALL_EVENTS	((1U << FS_REC_FORK) | (1U << FS_REC_EXEC) |	\
			 (1U << FS_REC_EXIT) | (1U << FS_REC_WAIT) |	\
			 (1U << FS_REC_WAIT_RESULT) | (1U << FS_REC_REAP) | \
			 (1U << FS_REC_CGROUP) | (1U << FS_REC_FORK_FAIL) | \
			 (1U << FS_REC_EXEC_FAIL) | (1U << FS_REC_LOST))
#define FS_EVENT_NAMES	"fork, exec, exit, wait, reap, cgroup, fork-failed, exec-failed"

struct fs_event_filter {
	unsigned int events;	/* bit per record type: FS_ALL_EVENTS */
	const char *comm;	/* -c: only tasks named so */
	bool no_threads;	/* --no-threads */
};

/* Whether rec, as the model noted it, is one the user asked for. */
bool fs_event_wanted(const struct fs_event_filter *f, const struct fs_hdr *rec,
		     const struct fs_note *note);
/* Whether the release the note tells of is one the user asked for. */
bool fs_release_wanted(const struct fs_event_filter *f,
		       const struct fs_note *note);

#endif
