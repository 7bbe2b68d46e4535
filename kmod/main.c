// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope.ko: the process-lifecycle records of include/forkscope/record.h
 * from the sched_process_* tracepoints, with exact copy-on-write counts
 * from kprobes, through /dev/forkscope, for machines without BPF.
 */
#include <linux/cgroup.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>

#include "forkscope.h"
#include "forkscope/rules.h"

static unsigned int buffer_kb = 4096;
module_param(buffer_kb, uint, 0444);
MODULE_PARM_DESC(buffer_kb, "ring buffer size per CPU, KiB (default 4096)");

static bool cow = true;
module_param(cow, bool, 0444);
MODULE_PARM_DESC(cow, "count COW faults exactly with kprobes (default on)");

struct trace_buffer *fs_buffer;
static atomic64_t drops[FS_REC_TYPE_MAX];

u64 fs_drops(unsigned int type)
{
	return type < FS_REC_TYPE_MAX ? atomic64_read(&drops[type]) : 0;
}

/* Room for one record; NULL (and a counted drop) when the buffer is full. */
void *fs_reserve(struct ring_buffer_event **ev, u16 type, u32 size)
{
	if (!fs_reader_attached())
		return NULL;	/* nobody to read it: no record, no loss */
	*ev = ring_buffer_lock_reserve(fs_buffer, size);
	if (!*ev) {
		atomic64_inc(&drops[type]);
		return NULL;
	}
	return ring_buffer_event_data(*ev);
}

void fs_commit(struct ring_buffer_event *ev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	ring_buffer_unlock_commit(fs_buffer, ev);
#else
	ring_buffer_unlock_commit(fs_buffer);
#endif
}

void fs_fill_hdr(struct fs_hdr *h, u16 type, u16 size, struct task_struct *t,
		 bool with_parent)
{
	h->type = type;
	h->size = size;
	h->fixed = size;
	h->cpu = raw_smp_processor_id();
	h->ts_ns = ktime_get_boot_fast_ns();
	h->pid = t->pid;
	h->tgid = t->tgid;
	h->ppid = 0;
	if (with_parent) {
		rcu_read_lock();
		h->ppid = rcu_dereference(t->real_parent)->tgid;
		rcu_read_unlock();
	}
	h->reserved = 0;
	h->start_ns = t->start_boottime;
	strscpy(h->comm, t->comm, sizeof(h->comm));
}

void fs_synth_hdr(struct fs_hdr *h, u16 type, u16 size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->fixed = size;
	h->cpu = raw_smp_processor_id();
	h->ts_ns = ktime_get_boot_fast_ns();
}

void fs_read_ident(struct task_struct *t, struct fs_ident *id)
{
	struct pid_namespace *ns;
	struct css_set *cset;

	memset(id, 0, sizeof(*id));
	rcu_read_lock();
	cset = rcu_dereference(t->cgroups);
	id->cgroup = cgroup_id(cset->dfl_cgrp);
#ifdef CONFIG_CGROUP_PIDS
	id->pids_cgroup = cgroup_id(cset->subsys[pids_cgrp_id]->cgroup);
#endif
	ns = task_active_pid_ns(t);
	if (ns) {
		id->pidns = ns->ns.inum;
		id->ns_pid = task_pid_nr_ns(t, ns);
		id->ns_tgid = task_tgid_nr_ns(t, ns);
	}
	rcu_read_unlock();
	id->flags = fs_ident_flags(id->ns_tgid);
}

static int __init forkscope_init(void)
{
	int err;

	/* Not overwriting: a full buffer drops new records, counted. */
	fs_buffer = ring_buffer_alloc((unsigned long)buffer_kb << 10, 0);
	if (!fs_buffer)
		return -ENOMEM;
	err = fs_probes_register();
	if (err)
		goto free_buffer;
	if (cow && fs_cow_register())
		pr_info("forkscope: no exact COW counting: do_wp_page cannot be probed\n");
	/*
	 * Last: a reader may open the device the moment it exists, and open()
	 * registers the sys_exit probe that fs_probes_register() looked up.
	 */
	err = fs_device_register();
	if (err)
		goto unregister_probes;
	pr_info("forkscope: loaded, %u KiB per CPU, COW %s\n", buffer_kb,
		fs_cow_kind() ? (fs_cow_copies() ? "faults and copies" : "faults") :
				"off");
	return 0;

unregister_probes:
	fs_cow_unregister();
	fs_probes_unregister();
	tracepoint_synchronize_unregister();
	fs_procs_free();
free_buffer:
	ring_buffer_free(fs_buffer);
	return err;
}

static void __exit forkscope_exit(void)
{
	fs_cow_unregister();
	fs_probes_unregister();
	/* No probe runs any more once this returns. */
	tracepoint_synchronize_unregister();
	fs_device_unregister();
	fs_procs_free();
	ring_buffer_free(fs_buffer);
}

module_init(forkscope_init);
module_exit(forkscope_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("forkscope: process lifecycle records for machines without BPF");
