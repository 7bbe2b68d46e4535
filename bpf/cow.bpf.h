/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The COW counters, shared by cow.bpf.c (which counts and samples) and
 * lifecycle.bpf.c (which reads a process's counters out at its exit): one
 * map, created by the first object loaded and reused by the other.
 *
 * Task-local storage on the group leader: a fault finds its counter
 * through the task, with no hash lookup (measured: 159 ns a fault with a
 * per-CPU hash), and the storage goes when the task does.
 */
#ifndef FS_COW_BPF_H
#define FS_COW_BPF_H

#include "cow.h"

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fs_cow_count);
} cow_counts SEC(".maps");

#endif
