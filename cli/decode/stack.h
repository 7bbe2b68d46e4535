/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fork's user stack resolved: what a FS_REC_FORK_STACK record's
 * addresses name. The source resolves (it reads the process's mappings
 * and its files), the model interns, views print: the one shape all three
 * share, here because each of them sees this layer.
 */
#ifndef FS_STACK_H
#define FS_STACK_H

#include <stdbool.h>
#include <stdint.h>

/* How a stack was had. */
enum fs_stack_method {
	FS_STACK_NONE,		/* nothing to unwind (no regs) */
	FS_STACK_DWARF,		/* libdw's unwinder over the copied stack */
	FS_STACK_FP,		/* the kernel's frame-pointer walk */
	FS_STACK_EXITED,	/* the process exited or exec'd before its
				 * mappings were read: nothing is named */
};

struct fs_frame {
	uint64_t addr;		/* the pc as the process saw it */
	uint64_t offset;	/* from the function's start */
	const char *module;	/* the mapped file's path; NULL: unknown */
	const char *build_id;	/* hex; NULL: none */
	const char *function;	/* NULL: no symbol covers it */
	const char *file;	/* source file; NULL: no DWARF lines */
	uint32_t line;
};

struct fs_stack {
	enum fs_stack_method method;
	bool partial;		/* the walk stopped before the outermost
				 * frame (the copy's bound, a frame without
				 * CFI or frame pointer) */
	uint32_t nr;
	struct fs_frame *frames;	/* innermost first */
};

/* "dwarf", "fp", "none", "exited". */
const char *fs_stack_method_name(enum fs_stack_method m);
/*
 * The frame a fork's call site is: the first one outside the C library's
 * fork wrappers (fork, _Fork, __libc_fork, vfork, clone...), or 0.
 */
uint32_t fs_stack_site_frame(const struct fs_stack *s);

#endif
