/* SPDX-License-Identifier: GPL-2.0-only */
/* What the parts of the module share. */
#ifndef FORKSCOPE_KMOD_INTERNAL_H
#define FORKSCOPE_KMOD_INTERNAL_H

#include <linux/ring_buffer.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/version.h>
#include "forkscope/record.h"
#include "forkscope/kmod.h"

/* Before 6.16, sched_process_exit has no group_dead argument. */
#define FS_EXIT_HAS_GROUP_DEAD	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0))

/*
 * Names that later kernels removed, poisoned wherever their successors
 * exist: building for the test guests' kernels then fails on a use that
 * would not build on the kernels that dropped them (del_timer_sync(),
 * gone in 6.15; timer_delete_sync() since 6.2).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#pragma GCC poison del_timer_sync
#endif

/* main.c: the ring buffer every record goes through */
extern struct trace_buffer *fs_buffer;
void *fs_reserve(struct ring_buffer_event **ev, u16 type, u32 size);
void fs_commit(struct ring_buffer_event *ev);
void fs_fill_hdr(struct fs_hdr *h, u16 type, u16 size, struct task_struct *t,
		 bool with_parent);
/* A header with no subject task (a loss, a snapshot's bounds), stamped now. */
void fs_synth_hdr(struct fs_hdr *h, u16 type, u16 size);
/* t's container identity, as bpf/task.bpf.h's read_ident() reads it. */
void fs_read_ident(struct task_struct *t, struct fs_ident *id);
u64 fs_drops(unsigned int type);

/* probes.c: the tracepoints */
int fs_probes_register(void);
void fs_probes_unregister(void);
int fs_wait_probe_register(void);
void fs_wait_probe_unregister(void);
void fs_emit_snapshot(u32 generation);

/* failures.c: failed forks and execs, at their syscall's exit */
void fs_fork_failed(struct pt_regs *regs, long nr, long ret);
void fs_exec_failed(struct pt_regs *regs, long nr, long ret);

/* cow.c: exact COW counting and per-process state */
int fs_cow_register(void);
void fs_cow_unregister(void);
u32 fs_cow_kind(void);
bool fs_cow_copies(void);
void fs_cow_take(struct task_struct *leader, u64 *faults, u64 *copies);
bool fs_claim_group_dead(struct task_struct *leader);
void fs_proc_forget(struct task_struct *leader);
void fs_emit_cow_sample(void);
void fs_procs_free(void);

/* device.c: /dev/forkscope; records are made only while it is open */
bool fs_reader_attached(void);
int fs_device_register(void);
void fs_device_unregister(void);

#endif
