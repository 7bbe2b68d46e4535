/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The /proc walker, on the source core alone. Snapshots: every task that exists now, as FS_REC_TASK records between
 * FS_REC_SYNC begin and end, delivered into a source's stream. Sources
 * with a kernel-side walk (the BPF task iterator, the module) use it;
 * /proc is the fallback that works everywhere.
 */
#ifndef FS_SOURCE_PROCFS_H
#define FS_SOURCE_PROCFS_H

#include <stdint.h>
#include "core.h"

/* Delivers the records of one /proc walk. Returns the task count. */
int fs_snapshot_procfs(struct fs_source *s, uint32_t generation);
/* Delivers the records read from a BPF task iterator's fd. */
int fs_snapshot_from_fd(struct fs_source *s, int fd, uint32_t generation);

/* Reads the machine's task limits from /proc/sys/kernel. */
void fs_read_kernel_limits(struct fs_kernel_limits *l);

#endif
