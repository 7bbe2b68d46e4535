// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copy-on-write accounting: per-process counters in a per-CPU hash, no
 * record per fault. The loader enables the most exact set of hooks the
 * kernel allows: do_wp_page() (COW faults) and wp_page_copy() (pages
 * copied) by fentry or kprobe; else the x86 page-fault tracepoints, where
 * a write to a present, write-protected page, (error_code & 3) == 3, is a
 * write-protect fault.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cow.bpf.h"

#define PF_PROT		0x1
#define PF_WRITE	0x2

char LICENSE[] SEC("license") = "GPL";

/* Faults not counted: the map was full. Read by userspace. */
__u64 cow_drops;

static __always_inline void count(bool copy)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fs_cow_count *c, zero = {};

	if (!tgid)
		return;
	c = bpf_map_lookup_elem(&cow_counts, &tgid);
	if (!c) {
		bpf_map_update_elem(&cow_counts, &tgid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&cow_counts, &tgid);
		if (!c) {
			__sync_fetch_and_add(&cow_drops, 1);
			return;
		}
	}
	/* Per-CPU values: no other CPU writes this one. */
	if (copy)
		c->copies++;
	else
		c->faults++;
}

static __always_inline void count_wp(unsigned long error_code)
{
	if ((error_code & (PF_PROT | PF_WRITE)) == (PF_PROT | PF_WRITE))
		count(false);
}

SEC("fentry/do_wp_page")
int BPF_PROG(fentry_do_wp_page)
{
	count(false);
	return 0;
}

SEC("fentry/wp_page_copy")
int BPF_PROG(fentry_wp_page_copy)
{
	count(true);
	return 0;
}

SEC("kprobe/do_wp_page")
int BPF_KPROBE(kprobe_do_wp_page)
{
	count(false);
	return 0;
}

SEC("kprobe/wp_page_copy")
int BPF_KPROBE(kprobe_wp_page_copy)
{
	count(true);
	return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(btf_fault_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	count_wp(error_code);
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(btf_fault_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	count_wp(error_code);
	return 0;
}

SEC("raw_tp/page_fault_user")
int BPF_PROG(raw_fault_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	count_wp(error_code);
	return 0;
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(raw_fault_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	count_wp(error_code);
	return 0;
}
