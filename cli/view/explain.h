/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One sentence on what the kernel just did, for `trace --explain`: for
 * people learning how processes live and die. Correct to the kernel's
 * code (kernel/fork.c, fs/exec.c, kernel/exit.c), short.
 */
#ifndef FS_EXPLAIN_H
#define FS_EXPLAIN_H

#include <stddef.h>
#include "forkscope/record.h"
#include "model.h"

/* The sentence for a record, "" when there is nothing to add. */
const char *fs_explain(char *buf, size_t len, const struct fs_model *m,
		       const struct fs_hdr *rec, const struct fs_note *note);
/* The sentence for the reap a record revealed (note->released). */
const char *fs_explain_release(char *buf, size_t len,
			       const struct fs_note *note);

#endif
