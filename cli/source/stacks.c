// SPDX-License-Identifier: GPL-2.0-only
/*
 * User stacks resolved: a FS_REC_FORK_STACK or FS_REC_TASK_NOW record's
 * registers and stack copy unwound by libdw (over .eh_frame/.debug_frame), or its
 * frame-pointer addresses where those go deeper, then named: functions
 * from .symtab or .dynsym, files and lines from DWARF, separate debug
 * files by build-id (/usr/lib/debug/.build-id, and the directories of
 * FORKSCOPE_DEBUGINFO_PATH first). A process's mappings are read from
 * /proc when its first stack is resolved and kept (one Dwfl per process)
 * until it execs or exits: the session says when (fs_source_forget_stacks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>

#include "common.h"
#include "core.h"
#include "stack.h"
#include "stacks.h"

#define MAX_FRAMES	FS_STACK_MAX_IPS
/* Processes whose mappings are kept at once; more clears them all. */
#define MAX_PROCS	256

struct proc {
	Dwfl *dwfl;
	const struct fs_ustack *u;	/* being unwound */
	/*
	 * Frames named before, by pc << 1 | activation: libdw finds a
	 * symbol by a scan of the whole table, which a warm cache skips.
	 */
	struct fs_idmap named;
};

/* A named frame kept; its strings are the Dwfl's, its build-id its own. */
struct named_frame {
	struct fs_frame f;
	char build_id[41];
};

struct fs_stacks {
	struct fs_idmap procs;		/* tgid -> struct proc */
	Dwfl_Callbacks cb;
	char *debuginfo_path;
	struct fs_stack out;
	struct fs_frame frames[MAX_FRAMES];
	char build_ids[MAX_FRAMES][41];
	uint64_t pcs[MAX_FRAMES];
	bool activation[MAX_FRAMES];
	uint32_t nr_pcs;
};

/* Answers the unwinder from the copy of the stack the record carries. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			void *arg)
{
	const struct fs_ustack *u = ((struct proc *)arg)->u;
	uint64_t sp = u->regs[FS_STACK_REG_SP];

	if (addr < sp || addr - sp > u->copy_len ||
	    u->copy_len - (addr - sp) < sizeof(*result))
		return false;
	memcpy(result, u->copy + (addr - sp), sizeof(*result));
	return true;
}

/* The one thread to unwind: the record's. */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
	if (*thread_arg)
		return 0;
	*thread_arg = arg;
	return ((struct proc *)arg)->u->hdr->pid;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct fs_ustack *u = ((struct proc *)thread_arg)->u;

	/* x86-64's DWARF numbering: rax..r15 are 0..15, the pc 16. */
	return dwfl_thread_state_registers(thread, 0, FS_STACK_NR_REGS,
					   (const Dwarf_Word *)u->regs);
}

static const Dwfl_Thread_Callbacks thread_cb = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

struct fs_stacks *fs_stacks_new(void)
{
	struct fs_stacks *s = calloc(1, sizeof(*s));
	const char *env = getenv("FORKSCOPE_DEBUGINFO_PATH");

	if (!s)
		return NULL;
	/* libdw's default, after the directories asked for. */
	if (asprintf(&s->debuginfo_path, "%s%s:.debug:/usr/lib/debug",
		     env && *env ? env : "", env && *env ? ":" : "") < 0) {
		free(s);
		return NULL;
	}
	s->cb.find_elf = dwfl_linux_proc_find_elf;
	s->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	s->cb.debuginfo_path = &s->debuginfo_path;
	s->out.frames = s->frames;
	return s;
}

static void proc_free(void *value)
{
	struct proc *p = value;

	if (p) {
		fs_idmap_clear(&p->named, free);
		dwfl_end(p->dwfl);
	}
	free(p);
}

void fs_stacks_forget(struct fs_stacks *s, int32_t tgid)
{
	struct fs_idmap_slot *slot;

	if (!s || tgid <= 0)
		return;
	slot = fs_idmap_get(&s->procs, tgid);
	if (!slot)
		return;
	proc_free(slot->value);
	fs_idmap_del(&s->procs, tgid);
}

void fs_stacks_free(struct fs_stacks *s)
{
	if (!s)
		return;
	fs_idmap_clear(&s->procs, proc_free);
	free(s->debuginfo_path);
	free(s);
}

/*
 * Whether the record's task still runs the image it forked from: the
 * same start time (ticks: what /proc says) and command name. A process
 * gone, or one that exec'd (a new comm), is not guessed at.
 */
static bool still_there(const struct fs_hdr *h)
{
	char path[64], buf[1024], comm[FS_COMM_LEN + 1] = "", *p;
	unsigned long long start = 0;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", h->tgid, h->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* starttime is field 22; p points at the end of field 2. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1 || tck <= 0)
		return false;
	if (start != h->start_ns / (NSEC_PER_SEC / tck))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", h->tgid, h->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(comm, 1, FS_COMM_LEN, f);
	fclose(f);
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
	return !strncmp(comm, h->comm, FS_COMM_LEN);
}

/* The process's modules as mapped now, ready to unwind; NULL: gone. */
static struct proc *proc_open(struct fs_stacks *s, const struct fs_hdr *h)
{
	struct proc *p;

	/* Cheap first: a recording's long-gone parent reads no maps. */
	if (!still_there(h))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->dwfl = dwfl_begin(&s->cb);
	if (!p->dwfl)
		goto fail;
	dwfl_report_begin(p->dwfl);
	if (dwfl_linux_proc_report(p->dwfl, h->tgid) ||
	    dwfl_report_end(p->dwfl, NULL, NULL))
		goto fail;
	/* Read after the maps: a process gone meanwhile told no lies. */
	if (!still_there(h))
		goto fail;
	if (!dwfl_attach_state(p->dwfl, NULL, h->tgid, &thread_cb, p))
		goto fail;
	return p;
fail:
	proc_free(p);
	return NULL;
}

static struct proc *proc_get(struct fs_stacks *s, const struct fs_hdr *h)
{
	struct fs_idmap_slot *slot = fs_idmap_get(&s->procs, h->tgid);
	struct proc *p;
	bool added;

	if (slot)
		return slot->value;
	p = proc_open(s, h);
	if (!p)
		return NULL;
	if (s->procs.count >= MAX_PROCS)
		fs_idmap_clear(&s->procs, proc_free);
	slot = fs_idmap_put(&s->procs, h->tgid, &added);
	if (!slot) {
		proc_free(p);
		return NULL;
	}
	slot->value = p;
	return p;
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct fs_stacks *s = arg;
	Dwarf_Addr pc;
	bool act;

	if (!dwfl_frame_pc(state, &pc, &act))
		return DWARF_CB_ABORT;
	s->pcs[s->nr_pcs] = pc;
	s->activation[s->nr_pcs] = act;
	return ++s->nr_pcs < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* Where a pc's code is: a return address is past its call. */
static Dwarf_Addr lookup_pc(uint64_t pc, bool activation)
{
	return activation || !pc ? pc : pc - 1;
}

static const char *function_at(Dwfl *dwfl, uint64_t pc, bool activation)
{
	Dwarf_Addr at = lookup_pc(pc, activation);
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, at);
	GElf_Off off;
	GElf_Sym sym;

	return mod ? dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL,
					  NULL) : NULL;
}

/* Where every walk ends: the program's or a thread's first frame. */
static bool outermost(const char *fn)
{
	return fn && (!strcmp(fn, "_start") ||
		      !strcmp(fn, "__libc_start_main") ||
		      !strcmp(fn, "__libc_start_call_main") ||
		      !strcmp(fn, "start_thread") || !strcmp(fn, "clone3") ||
		      !strcmp(fn, "__clone3") || !strcmp(fn, "clone"));
}

static void name_frame(struct fs_stacks *s, Dwfl *dwfl, uint32_t i);

/* Names frame i from the process's cache, filling it on a miss. */
static void name_cached(struct fs_stacks *s, struct proc *p, uint32_t i)
{
	uint64_t key = s->pcs[i] << 1 | s->activation[i];
	struct fs_idmap_slot *slot;
	struct named_frame *n;
	bool added;

	slot = key ? fs_idmap_put(&p->named, key, &added) : NULL;
	n = slot ? slot->value : NULL;
	if (n) {
		s->frames[i] = n->f;
		if (n->f.build_id)
			s->frames[i].build_id = n->build_id;
		return;
	}
	name_frame(s, p->dwfl, i);
	if (!slot)
		return;
	n = malloc(sizeof(*n));
	if (!n) {
		fs_idmap_del(&p->named, key);
		return;
	}
	n->f = s->frames[i];
	snprintf(n->build_id, sizeof(n->build_id), "%s",
		 n->f.build_id ? n->f.build_id : "");
	slot->value = n;
}

static void name_frame(struct fs_stacks *s, Dwfl *dwfl, uint32_t i)
{
	struct fs_frame *f = &s->frames[i];
	Dwarf_Addr at = lookup_pc(s->pcs[i], s->activation[i]);
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, at);
	const unsigned char *bits;
	GElf_Addr vaddr;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0, n;

	memset(f, 0, sizeof(*f));
	f->addr = s->pcs[i];
	if (!mod)
		return;
	f->module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL,
				     NULL);
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	if (n > 0 && n <= 20) {
		for (int b = 0; b < n; b++)
			sprintf(s->build_ids[i] + 2 * b, "%02x", bits[b]);
		f->build_id = s->build_ids[i];
	}
	f->function = dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL,
					   NULL);
	/* The return address's own offset: what a disassembly shows. */
	f->offset = f->function ? off + (s->pcs[i] - at) : 0;
	line = dwfl_module_getsrc(mod, at);
	if (line) {
		f->file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		f->line = lineno > 0 ? lineno : 0;
	}
}

/*
 * DWARF's walk, unless the frame pointers reached further: where both
 * end short, the deeper one, partial.
 */
static void pick_walk(struct fs_stacks *s, Dwfl *dwfl,
		      const struct fs_ustack *u)
{
	const uint64_t *ips = u->ips;
	uint32_t nr_dw = s->nr_pcs;
	bool dw_done = nr_dw && outermost(function_at(dwfl,
				s->pcs[nr_dw - 1], s->activation[nr_dw - 1]));
	bool fp_done = u->nr_ips && outermost(function_at(dwfl,
				ips[u->nr_ips - 1], u->nr_ips == 1));

	s->out.method = FS_STACK_DWARF;
	s->out.partial = !dw_done;
	if (dw_done || (!fp_done && nr_dw >= u->nr_ips))
		return;
	s->out.method = FS_STACK_FP;
	s->out.partial = !fp_done;
	s->nr_pcs = u->nr_ips;
	for (uint32_t i = 0; i < u->nr_ips; i++) {
		s->pcs[i] = ips[i];
		s->activation[i] = i == 0;	/* the rest return addresses */
	}
}

const struct fs_stack *fs_stacks_resolve(struct fs_stacks *s,
					 const struct fs_ustack *u)
{
	struct proc *p;

	s->out.nr = 0;
	s->out.partial = false;
	s->nr_pcs = 0;
	if (!u->regs) {
		s->out.method = FS_STACK_NONE;
		return &s->out;
	}
	p = proc_get(s, u->hdr);
	if (!p) {
		s->out.method = FS_STACK_EXITED;
		return &s->out;
	}
	p->u = u;
	dwfl_getthread_frames(p->dwfl, u->hdr->pid, on_frame, s);
	pick_walk(s, p->dwfl, u);
	for (uint32_t i = 0; i < s->nr_pcs; i++)
		name_cached(s, p, i);
	s->out.nr = s->nr_pcs;
	return &s->out;
}

const struct fs_stack *fs_stacks_name(struct fs_stacks *s,
				      const struct fs_hdr *h, uint64_t addr)
{
	struct proc *p = proc_get(s, h);

	s->out.nr = 0;
	s->out.partial = false;
	s->out.method = p ? FS_STACK_DWARF : FS_STACK_EXITED;
	if (!p || !addr)
		return &s->out;
	/* An entry point, not a return address: named as it is. */
	s->pcs[0] = addr;
	s->activation[0] = true;
	name_cached(s, p, 0);
	s->out.nr = 1;
	return &s->out;
}
