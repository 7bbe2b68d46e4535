/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Views of the process tree the model holds: pstree-like text, nested
 * JSON, Graphviz DOT. Processes only (threads are counted on their
 * process); zombies stay under the parent that has to reap them.
 */
#ifndef FS_TREE_VIEW_H
#define FS_TREE_VIEW_H

#include <stdint.h>
#include <stdio.h>
#include "model.h"

/* The order of a node's children (tree --sort). */
enum fs_tree_sort {
	FS_TREE_BY_PID,		/* ascending, like pstree */
	FS_TREE_BY_AGE,		/* the youngest first: what just started */
	FS_TREE_BY_COW,		/* the most COW faults first, like top */
};
/* Their names, as --sort takes them, by enum fs_tree_sort; NULL-ended. */
extern const char *const fs_tree_sort_keys[];

struct fs_tree_opts {
	int32_t root;		/* draw only this subtree; 0: everything */
	uint64_t now_ns;	/* CLOCK_BOOTTIME "now" for ages */
	bool containers;	/* a tree per container under a heading
				 * (text, JSON); dot ignores it */
	enum fs_tree_sort sort;	/* siblings' order */
};

/* 0, or -ENOENT when opts->root is not a live process (fs_last_error()). */
int fs_tree_text(FILE *f, const struct fs_model *m,
		 const struct fs_tree_opts *o);
int fs_tree_json(FILE *f, const struct fs_model *m,
		 const struct fs_tree_opts *o);
int fs_tree_dot(FILE *f, const struct fs_model *m,
		const struct fs_tree_opts *o);

#endif
