/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The COW counters, shared by cow.bpf.c (which counts) and lifecycle.bpf.c
 * (which reads a process's counters out at its exit): one map, created by
 * the first object loaded and reused by the other.
 */
#ifndef FS_COW_BPF_H
#define FS_COW_BPF_H

#include "cow.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);	/* resized by the loader */
	__type(key, __u32);		/* tgid */
	__type(value, struct fs_cow_count);
} cow_counts SEC(".maps");

#endif
