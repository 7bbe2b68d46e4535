/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel addresses named from /proc/kallsyms: where a task sleeps in the
 * kernel (FS_REC_TASK_NOW's return addresses). For the source only.
 */
#ifndef FS_SOURCE_KSYMS_H
#define FS_SOURCE_KSYMS_H

#include <stdint.h>

struct fs_ksyms;

/* The text symbols as read now; NULL when unreadable or all hidden. */
struct fs_ksyms *fs_ksyms_load(void);
/* The function addr is in, or NULL. */
const char *fs_ksyms_name(const struct fs_ksyms *k, uint64_t addr);
void fs_ksyms_free(struct fs_ksyms *k);

#endif
