// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "event_filter.h"

static bool is_thread_event(const struct fs_hdr *rec)
{
	switch (rec->type) {
	case FS_REC_FORK:
		return ((const struct fs_rec_fork *)rec)->flags & FS_FORK_THREAD;
	case FS_REC_EXIT:
		return rec->pid != rec->tgid;
	default:
		return false;
	}
}

bool fs_event_wanted(const struct fs_event_filter *f, const struct fs_hdr *rec,
		     const struct fs_note *note)
{
	/* A fork's stack goes with the fork, an exec's inherited
	 * descriptors with the exec. */
	unsigned int type = rec->type == FS_REC_FORK_STACK ? FS_REC_FORK :
			    rec->type == FS_REC_EXEC_FDS ? FS_REC_EXEC :
							    rec->type;

	if (rec->type == FS_REC_LOST)
		return true;
	if (!(f->events & (1U << type)) || !note->selected)
		return false;
	if (f->no_threads && is_thread_event(rec))
		return false;
	return !f->comm || !strcmp(f->comm, rec->comm);
}

bool fs_release_wanted(const struct fs_event_filter *f,
		       const struct fs_note *note)
{
	const struct fs_task *g = &note->gone;

	if (!note->released || !(f->events & (1U << FS_REC_REAP)) ||
	    !note->gone_selected)
		return false;
	if (f->no_threads && g->pid != g->tgid)
		return false;
	return !f->comm || !strcmp(f->comm, g->comm);
}
