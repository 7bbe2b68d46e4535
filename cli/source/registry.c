// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registry: which producer a source reads (BPF, else the kernel
 * module), and the public calls, each handed to the producer that was
 * picked or to the /proc walker where the producer has no walk of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "common.h"
#include "forkscope/kmod.h"
#include "backends.h"
#include "core.h"
#include "procfs.h"
#include "stacks.h"

int fs_source_kind(const char *name)
{
	static const char *const names[] = {
		[FS_SOURCE_AUTO] = "auto",
		[FS_SOURCE_BPF] = "bpf",
		[FS_SOURCE_KMOD] = "kmod",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* BPF first; the module where BPF will not load and the device is there. */
static struct fs_source *open_auto(const struct fs_source_opts *opts)
{
	char bpf_error[512];
	struct fs_source *s = fs_source_bpf_open(opts);

	if (s || access(FS_KMOD_DEVICE, F_OK)) {
		if (s)
			s->kind = FS_SOURCE_BPF;
		return s;
	}
	snprintf(bpf_error, sizeof(bpf_error), "%s", fs_last_error());
	s = fs_source_kmod_open(opts);
	if (!s)
		fs_error(EINVAL, "BPF: %s; kernel module: %s", bpf_error,
			 fs_last_error());
	else
		s->kind = FS_SOURCE_KMOD;
	return s;
}

struct fs_source *fs_source_open(const struct fs_source_opts *opts,
				 fs_record_fn fn, void *ctx)
{
	struct fs_source *s;

	if (opts->input)
		s = fs_source_file_open(opts);
	else switch (opts->kind) {
	case FS_SOURCE_AUTO:
		s = open_auto(opts);
		break;
	case FS_SOURCE_BPF:
		s = fs_source_bpf_open(opts);
		break;
	case FS_SOURCE_KMOD:
		s = fs_source_kmod_open(opts);
		break;
	default:
		fs_error(EINVAL, "unknown record source");
		return NULL;
	}
	if (s) {
		s->fn = fn;
		s->ctx = ctx;
		if (opts->kind != FS_SOURCE_AUTO && !opts->input)
			s->kind = opts->kind;
	}
	return s;
}

int fs_source_poll(struct fs_source *s, int timeout_ms)
{
	return s->ops->poll(s, timeout_ms);
}

void fs_source_flush_losses(struct fs_source *s)
{
	s->ops->losses(s);
}

int fs_source_snapshot(struct fs_source *s)
{
	uint32_t gen = ++s->generation;
	int n = -ENOTSUP;

	fs_source_forget_names(s);
	if (s->ops->snapshot)
		n = s->ops->snapshot(s, gen);
	/* A recording holds its own snapshots; this machine is not it. */
	if (n < 0 && !s->replay)
		n = fs_snapshot_procfs(s, gen);
	return n;
}

int fs_source_cow_sample(struct fs_source *s)
{
	return s->ops->cow_sample && s->cow_kind ? s->ops->cow_sample(s) :
						   -ENOTSUP;
}

int fs_source_counters(struct fs_source *s, uint64_t *out)
{
	return s->ops->counters ? s->ops->counters(s, out) : -ENOTSUP;
}

int fs_source_poll_until(struct fs_source *s, uint64_t ns)
{
	uint64_t now = fs_boot_ns();

	if (s->ops->poll_until)
		return s->ops->poll_until(s, ns);
	if (ns <= now)
		return s->ops->poll(s, 0);
	return s->ops->poll(s, (ns - now) / NSEC_PER_MSEC > 100 ? 100 :
			    (int)((ns - now) / NSEC_PER_MSEC) + 1);
}

/* A line of a /proc file, its newline dropped; "" when unreadable. */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (f && fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

/* A recording recorded again is still of the machine it was made on. */
static void copy_machine(const struct fs_file_meta *from,
			 struct fs_file_meta *m)
{
	memcpy(m->hostname, from->hostname, sizeof(m->hostname));
	memcpy(m->kernel, from->kernel, sizeof(m->kernel));
	memcpy(m->boot_id, from->boot_id, sizeof(m->boot_id));
	memcpy(m->source, from->source, sizeof(m->source));
	memcpy(m->cow_method, from->cow_method, sizeof(m->cow_method));
	m->boot_to_real_ns = from->boot_to_real_ns;
	m->source_kind = from->source_kind;
	m->cow_kind = from->cow_kind;
	m->flags = from->flags;
}

void fs_source_fill_meta(const struct fs_source *s, struct fs_file_meta *m)
{
	struct utsname u;

	snprintf(m->forkscope, sizeof(m->forkscope), "%s", FORKSCOPE_VERSION);
	if (s->ops->meta) {
		copy_machine(s->ops->meta(s), m);
		return;
	}
	if (!uname(&u)) {
		snprintf(m->hostname, sizeof(m->hostname), "%s", u.nodename);
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	}
	read_line("/proc/sys/kernel/random/boot_id", m->boot_id,
		  sizeof(m->boot_id));
	m->boot_to_real_ns = fs_boot_to_real_ns();
	snprintf(m->source, sizeof(m->source), "%s", s->describe);
	m->source_kind = s->kind;
	m->cow_kind = s->cow_kind;
	if (s->cow_kind)
		snprintf(m->cow_method, sizeof(m->cow_method), "%s",
			 s->cow_method);
	m->flags = (s->exact_group_dead ? FS_META_EXACT_GROUP_DEAD : 0) |
		   (s->cow_copies ? FS_META_COW_COPIES : 0);
}

const struct fs_file_meta *fs_source_meta(const struct fs_source *s)
{
	return s->ops->meta ? s->ops->meta(s) : NULL;
}

uint64_t fs_source_now(const struct fs_source *s)
{
	return s->ops->now ? s->ops->now(s) : fs_boot_ns();
}

uint64_t fs_source_next_ns(struct fs_source *s)
{
	return s->ops->next_ns ? s->ops->next_ns(s) : fs_boot_ns();
}

const struct fs_file_end *fs_source_end(const struct fs_source *s)
{
	return s->ops->end ? s->ops->end(s) : NULL;
}

bool fs_source_done(const struct fs_source *s)
{
	return s->ops->done && s->ops->done(s);
}

int fs_source_stack_target(struct fs_source *s, int32_t tgid, bool on)
{
	return s->ops->stack_target ? s->ops->stack_target(s, tgid, on) :
				      -ENOTSUP;
}

int fs_source_task_now(struct fs_source *s, int32_t tgid)
{
	return s->ops->task_now ? s->ops->task_now(s, tgid) : -ENOTSUP;
}

/*
 * The kernel's frame-pointer walk costs a target's every fork ~6 us:
 * dropped once the copy unwound whole without it, taken back when an
 * unwind without it comes out partial. Changed only when it changes.
 */
static void adapt_walk(struct fs_source *s, const struct fs_ustack *u,
		       const struct fs_stack *st)
{
	bool whole = st->method == FS_STACK_DWARF && !st->partial;
	int32_t tgid = u->hdr->tgid;
	bool added;

	if (u->nr_ips && whole && !s->ops->stack_walk(s, tgid, false)) {
		fs_idmap_put(&s->walk_off, tgid, &added);
	} else if (!u->nr_ips && st->method == FS_STACK_DWARF && st->partial &&
		   fs_idmap_get(&s->walk_off, tgid)) {
		fs_idmap_del(&s->walk_off, tgid);
		s->ops->stack_walk(s, tgid, true);
	}
}

static struct fs_stacks *stacks_of(struct fs_source *s)
{
	if (!s->stacks)
		s->stacks = fs_stacks_new();
	return s->stacks;
}

const struct fs_stack *fs_source_resolve_stack(struct fs_source *s,
					       const struct fs_hdr *rec)
{
	static const struct fs_stack none = { .method = FS_STACK_EXITED };
	const struct fs_stack *st;
	struct fs_ustack u;

	if (fs_ustack_of(rec, &u) || !stacks_of(s))
		return &none;
	st = fs_stacks_resolve(s->stacks, &u);
	if (rec->type == FS_REC_FORK_STACK && s->ops->stack_walk)
		adapt_walk(s, &u, st);
	return st;
}

const struct fs_stack *fs_source_name_address(struct fs_source *s,
					      const struct fs_hdr *rec,
					      uint64_t addr)
{
	static const struct fs_stack none = { .method = FS_STACK_EXITED };

	return stacks_of(s) ? fs_stacks_name(s->stacks, rec, addr) : &none;
}

const char *fs_source_kernel_symbol(struct fs_source *s, uint64_t addr)
{
	/* A recording's addresses are its boot's: its names come with it. */
	if (s->replay)
		return NULL;
	/* Read once: a failure (kptr_restrict, no file) is not retried. */
	if (!s->ksyms && !s->ksyms_failed) {
		s->ksyms = fs_ksyms_load();
		s->ksyms_failed = !s->ksyms;
	}
	return fs_ksyms_name(s->ksyms, addr);
}

void fs_source_forget_stacks(struct fs_source *s, int32_t tgid)
{
	fs_stacks_forget(s->stacks, tgid);
	/* A new image, or a pid for another process: the walk again. */
	if (tgid > 0 && fs_idmap_get(&s->walk_off, tgid)) {
		fs_idmap_del(&s->walk_off, tgid);
		s->ops->stack_walk(s, tgid, true);
	}
}

void fs_source_close(struct fs_source *s)
{
	if (!s)
		return;
	fs_stacks_free(s->stacks);
	fs_ksyms_free(s->ksyms);
	fs_idmap_clear(&s->walk_off, NULL);
	fs_source_forget_names(s);
	s->ops->close(s);
}
