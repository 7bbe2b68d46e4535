/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user-stack resolver behind fs_source_resolve_stack(): for the
 * source core only (stacks.c says how).
 */
#ifndef FS_SOURCE_STACKS_H
#define FS_SOURCE_STACKS_H

#include <stdint.h>
#include "decode.h"
#include "stack.h"

struct fs_stacks;

struct fs_stacks *fs_stacks_new(void);
/*
 * The record's stack (see fs_ustack_of()), valid until the next call or a forget of its
 * process: method FS_STACK_EXITED when the process is gone or exec'd
 * and its mappings were not kept.
 */
const struct fs_stack *fs_stacks_resolve(struct fs_stacks *s,
					 const struct fs_ustack *u);
/* One address of h's process named: a stack of one frame. */
const struct fs_stack *fs_stacks_name(struct fs_stacks *s,
				      const struct fs_hdr *h, uint64_t addr);
/* The process exec'd or exited: its mappings are no longer its own. */
void fs_stacks_forget(struct fs_stacks *s, int32_t tgid);
void fs_stacks_free(struct fs_stacks *s);

#endif
