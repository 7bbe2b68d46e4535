/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A leaking parent's side of the story (fs_task_now.h): its SIGCHLD
 * handler, how often it waited, and what each thread is doing now.
 */
#ifndef FS_TASK_NOW_VIEW_H
#define FS_TASK_NOW_VIEW_H

#include <stdio.h>
#include "json.h"
#include "task_now.h"

/* What the report knows of the parent besides its look. */
struct fs_now_context {
	uint32_t nr_waits;	/* waits seen while watched */
	uint64_t watched_ns;
	uint32_t nr_threads;	/* the process's, when known; 0: unknown */
};

/*
 * "SIGCHLD: handler on_sigchld (server.c:88), SA_RESTART; 0 waits in 1m"
 * then a line per thread: "now: sleeping in epoll_wait (kernel:
 * ep_poll), at event_loop (server.c:201) <- main (server.c:300)".
 */
void fs_now_text(FILE *f, const struct fs_proc_now *n,
		 const struct fs_now_context *c, const char *indent);
/*
 * "sigchld_action": {...}, "nr_waits": N, "threads_now": [...], in the
 * object open.
 */
void fs_now_json(struct fs_json *j, const struct fs_proc_now *n,
		 const struct fs_now_context *c);

#endif
