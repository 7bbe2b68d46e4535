/* SPDX-License-Identifier: GPL-2.0-only */
/* What cow.bpf.c and its loader share: the per-CPU counter value. */
#ifndef FS_COW_H
#define FS_COW_H

struct fs_cow_count {
	__u64 faults;	/* COW (or write-protect) faults */
	__u64 copies;	/* pages copied, where wp_page_copy() is hooked */
};

#endif
