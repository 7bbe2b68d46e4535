/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fork call sites: the resolved stack each child was forked from
 * (FS_REC_FORK_STACK), interned (one copy per distinct stack), and per
 * parent and site how many children it forked and how many it reaped,
 * so a report can name the site that leaks and the one that waits.
 */
#ifndef FS_CALLSITES_H
#define FS_CALLSITES_H

#include <stddef.h>
#include <stdint.h>
#include "forkscope/record.h"
#include "idmap.h"
#include "stack.h"

/* An interned stack. */
struct fs_site {
	struct fs_stack stack;	/* its own copy, strings and all */
	uint32_t frame;		/* the call site: fs_stack_site_frame() */
	uint64_t hash;
};

/* One parent's use of one site. */
struct fs_site_use {
	int32_t parent;		/* tgid */
	uint32_t site;		/* index in sites */
	uint32_t forked;	/* children forked there while watched */
	uint32_t reaped;	/* of them, released */
	uint64_t last_fork_ns;
};

struct fs_callsites {
	struct fs_site **sites;
	uint32_t nr_sites, cap_sites;
	struct fs_idmap by_hash;	/* hash -> site index + 1 */
	struct fs_site_use *uses;
	uint32_t nr_uses, cap_uses;
	struct fs_idmap use_of;		/* parent << 32 | site + 1 -> use + 1 */
	struct fs_idmap children;	/* child pid -> struct fs_child_site */
	uint64_t bytes;			/* held */
};

/*
 * The child's fork was from stack s (its parent: the record's subject):
 * interns s and counts the fork. Returns the site, or NULL (no memory).
 */
const struct fs_site *fs_callsites_add(struct fs_callsites *c,
				       const struct fs_rec_fork_stack *r,
				       const struct fs_stack *s);
/* The child was released: its site's reaped count goes up. */
void fs_callsites_released(struct fs_callsites *c, int32_t pid,
			   uint64_t start_ns);
/* The site a live or zombie child was forked from, or NULL. */
const struct fs_site *fs_callsites_of(const struct fs_callsites *c,
				      int32_t pid, uint64_t start_ns);
void fs_callsites_free(struct fs_callsites *c);
/*
 * A stack of one's own, not interned (one allocation: free() it), and
 * its size in *bytes.
 */
struct fs_site *fs_site_new(const struct fs_stack *s, size_t *bytes);

#endif
