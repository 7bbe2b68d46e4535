/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What lifecycle.bpf.c's fork stacks and their loader share: a target's
 * value in the stack_targets map, whether its forks take the kernel's
 * frame-pointer walk besides the copy of the stack.
 */
#ifndef FS_FORK_STACK_H
#define FS_FORK_STACK_H

/*
 * Every target starts with the walk (~6 us a fork here). Once libdw
 * unwound one of its stacks whole from the copy, the walk is dropped:
 * the copy is enough; a partial unwind later takes it back.
 */
#define FS_TARGET_FP		1	/* the walk and the copy */
#define FS_TARGET_COPY_ONLY	2	/* the copy alone */

#endif
