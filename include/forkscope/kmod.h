/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel module's device, /dev/forkscope: read() returns whole records
 * of record.h (never part of one; a buffer too small for the next record
 * gets -EINVAL), poll() and O_NONBLOCK work as usual, and these ioctls ask
 * for more records in the same stream.
 */
#ifndef FORKSCOPE_KMOD_H
#define FORKSCOPE_KMOD_H

#ifndef __KERNEL__
#include <sys/ioctl.h>
#endif
#include <linux/ioctl.h>
#include <linux/types.h>

#define FS_KMOD_DEVICE		"/dev/forkscope"

struct fs_kmod_info {
	__u32 abi;		/* FS_ABI_VERSION the module writes */
	__u32 cow_kind;		/* FS_COW_*, 0: no exact COW counting */
	__u32 cow_copies;	/* wp_page_copy() is hooked too */
	__u32 exact_group_dead;	/* the exit tracepoint passes group_dead */
	__u64 buffer_bytes;	/* per CPU */
};

/*
 * Not 'F': fbdev's, whose FBIOPUT_VSCREENINFO was our snapshot. 0xB9 is
 * free in Documentation/userspace-api/ioctl/ioctl-number.rst (6.12).
 */
#define FS_IOC_MAGIC		0xB9

/*
 * A snapshot: FS_REC_SYNC begin, one FS_REC_TASK per task, SYNC end.
 * arg: the generation.
 */
#define FS_IOC_SNAPSHOT		_IO(FS_IOC_MAGIC, 1)
/* One FS_REC_COW per process with COW counters. */
#define FS_IOC_COW_SAMPLE	_IO(FS_IOC_MAGIC, 2)
#define FS_IOC_INFO		_IOR(FS_IOC_MAGIC, 3, struct fs_kmod_info)

#endif
