// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "common.h"
#include "decode.h"
#include "escape.h"
#include "stack_view.h"
#include "task_now_view.h"

static const struct {
	uint64_t bit;
	const char *name;
} sa_names[] = {
	{ SA_RESTART, "SA_RESTART" },
	{ SA_NOCLDWAIT, "SA_NOCLDWAIT" },
	{ SA_NOCLDSTOP, "SA_NOCLDSTOP" },
	{ SA_SIGINFO, "SA_SIGINFO" },
	{ SA_NODEFER, "SA_NODEFER" },
	{ SA_RESETHAND, "SA_RESETHAND" },
};

static const char *const state_names[] = {
	[FS_NOW_RUNNING] = "running",
	[FS_NOW_SLEEPING] = "sleeping",
	[FS_NOW_DISK] = "uninterruptible",
	[FS_NOW_STOPPED] = "stopped",
	[FS_NOW_TRACED] = "traced",
	[FS_NOW_ZOMBIE] = "zombie",
	[FS_NOW_DEAD] = "dead",
	[FS_NOW_IDLE] = "idle",
};

static const char *disposition(const struct fs_proc_now *n)
{
	return n->handler == 0 ? "default" : n->handler == 1 ? "ignored" :
	       "handler";
}

/* Threads that block SIGCHLD: a handler runs in none of them. */
static uint32_t blocking(const struct fs_proc_now *n)
{
	uint32_t b = 0;

	for (uint32_t i = 0; i < n->nr; i++)
		b += !!(n->threads[i].flags & FS_NOW_SIGCHLD_BLOCKED);
	return b;
}

static void sigchld_line(FILE *f, const struct fs_proc_now *n,
			 const struct fs_now_context *c, const char *indent)
{
	char d[32];
	uint32_t b = blocking(n);

	fprintf(f, "%sSIGCHLD: ", indent);
	if (n->handler > 1) {
		fputs("handler ", f);
		if (n->handler_site && n->handler_site->stack.nr)
			fs_frame_text(f, &n->handler_site->stack.frames[0]);
		else
			fprintf(f, "0x%" PRIx64, n->handler);
	} else {
		fputs(n->handler ? "ignored" : "default (no handler)", f);
	}
	for (size_t i = 0; i < sizeof(sa_names) / sizeof(sa_names[0]); i++)
		if (n->sa_flags & sa_names[i].bit)
			fprintf(f, ", %s", sa_names[i].name);
	fprintf(f, "; %u wait%s in %s", c->nr_waits,
		c->nr_waits == 1 ? "" : "s",
		fs_fmt_duration(d, sizeof(d), c->watched_ns));
	if (n->handler > 1 && b && b == n->nr && (!c->nr_threads ||
						  c->nr_threads <= n->nr))
		fputs("; blocked in every thread: the handler never runs", f);
	else if (b)
		fprintf(f, "; blocked in %u thread%s", b, b == 1 ? "" : "s");
	fputc('\n', f);
}

/* "sleeping in epoll_wait (kernel: ep_poll)", "in a busy loop: ...". */
static void doing(FILE *f, const struct fs_thread_now *t)
{
	const char *sc = t->flags & FS_NOW_IN_SYSCALL ?
			 fs_syscall_name(t->syscall) : NULL;
	/* On a CPU, its kernel stack is not a sleep's: no fault claimed. */
	bool fault = t->in_fault && !(t->flags & FS_NOW_ON_CPU);
	bool user = t->state == FS_NOW_RUNNING &&
		    !(t->flags & FS_NOW_IN_SYSCALL) && !fault;

	if (user && t->cpu_permille >= 900)
		fputs("in a busy loop: ", f);
	switch (t->state) {
	case FS_NOW_STOPPED:
		fputs("stopped by a signal", f);
		break;
	case FS_NOW_TRACED:
		fputs("stopped by its tracer", f);
		break;
	case FS_NOW_ZOMBIE:
		fputs("exited (its other threads run on)", f);
		return;
	default:
		fputs(t->state == FS_NOW_DISK ? "in uninterruptible sleep" :
		      state_names[t->state], f);
	}
	if (sc)
		fprintf(f, " in %s", sc);
	else if (t->flags & FS_NOW_IN_SYSCALL)
		fprintf(f, " in syscall %d", t->syscall);
	else if (fault)
		fputs(" in a page fault", f);
	else if (t->state == FS_NOW_RUNNING)
		fputs(" in user space", f);
	if (t->nr_kernel && t->state != FS_NOW_RUNNING)
		fprintf(f, " (kernel: %s)", t->kernel[0]);
	if (t->cpu_permille >= 0)
		fprintf(f, ", %d%% of a CPU", (t->cpu_permille + 5) / 10);
}

static bool in_library(const struct fs_frame *fr)
{
	const char *base = fr->module ? strrchr(fr->module, '/') : NULL;

	return base && strstr(base, ".so");
}

/*
 * Where it is, then where in its own code: the innermost frame (the C
 * library's call, most often), then up to 3 frames of the program, to
 * where a library (the C library's start) called it.
 */
static void where(FILE *f, const struct fs_site *site)
{
	const struct fs_stack *st = &site->stack;
	const char *lib = st->nr && in_library(&st->frames[0]) ?
			  st->frames[0].module : NULL;
	uint32_t k = 1, end;

	if (!st->nr) {
		fs_site_line(f, site, 5);
		return;
	}
	while (lib && k < st->nr && st->frames[k].module &&
	       !strcmp(st->frames[k].module, lib))
		k++;
	fs_frame_text(f, &st->frames[0]);
	if (k > 1)
		fputs(" <- ...", f);
	end = k;
	while (end < st->nr && end < k + 3 && !in_library(&st->frames[end]))
		end++;
	for (uint32_t i = k; i < end; i++) {
		fputs(" <- ", f);
		fs_frame_text(f, &st->frames[i]);
	}
	if (end < st->nr && end == k + 3)
		fputs(" <- ...", f);
	else if (end == st->nr && st->partial)
		fputs(" <- [partial]", f);
}

void fs_now_text(FILE *f, const struct fs_proc_now *n,
		 const struct fs_now_context *c, const char *indent)
{
	char name[4 * FS_COMM_LEN];

	sigchld_line(f, n, c, indent);
	for (uint32_t i = 0; i < n->nr; i++) {
		const struct fs_thread_now *t = &n->threads[i];

		if (n->nr == 1)
			fprintf(f, "%snow: ", indent);
		else
			fprintf(f, "%snow, thread %d %s: ", indent, t->pid,
				fs_escape(name, sizeof(name), t->comm,
					  FS_ESC_TERMINAL));
		doing(f, t);
		if (t->flags & FS_NOW_MM_BUSY)
			fputs(", its memory map busy: no stack read", f);
		else if (t->stack) {
			fputs(", at ", f);
			where(f, t->stack);
		}
		fputc('\n', f);
	}
	if (c->nr_threads > n->nr)
		fprintf(f, "%s(%u of its %u threads looked at)\n", indent,
			n->nr, c->nr_threads);
}

void fs_now_json(struct fs_json *j, const struct fs_proc_now *n,
		 const struct fs_now_context *c)
{
	fs_json_object(j, "sigchld_action");
	fs_json_str(j, "disposition", disposition(n));
	if (n->handler > 1)
		fs_json_u64(j, "handler_address", n->handler);
	else
		fs_json_null(j, "handler_address");
	if (n->handler_site && n->handler_site->stack.nr)
		fs_frame_json(j, "handler", &n->handler_site->stack.frames[0]);
	else
		fs_json_null(j, "handler");
	fs_json_array(j, "sa_flags");
	for (size_t i = 0; i < sizeof(sa_names) / sizeof(sa_names[0]); i++)
		if (n->sa_flags & sa_names[i].bit)
			fs_json_str(j, NULL, sa_names[i].name);
	fs_json_close(j);
	fs_json_int(j, "threads_blocking", blocking(n));
	fs_json_close(j);
	fs_json_int(j, "nr_waits", c->nr_waits);
	fs_json_array(j, "threads_now");
	for (uint32_t i = 0; i < n->nr; i++) {
		const struct fs_thread_now *t = &n->threads[i];
		const char *sc = t->flags & FS_NOW_IN_SYSCALL ?
				 fs_syscall_name(t->syscall) : NULL;

		fs_json_object(j, NULL);
		fs_json_int(j, "pid", t->pid);
		fs_json_str(j, "comm", t->comm);
		fs_json_str(j, "state", state_names[t->state]);
		fs_json_bool(j, "on_cpu", t->flags & FS_NOW_ON_CPU);
		if (t->flags & FS_NOW_IN_SYSCALL) {
			fs_json_int(j, "syscall_nr", t->syscall);
			fs_json_str(j, "syscall", sc);
		} else {
			fs_json_null(j, "syscall_nr");
			fs_json_null(j, "syscall");
		}
		fs_json_bool(j, "in_page_fault", t->in_fault);
		fs_json_str(j, "wchan", t->nr_kernel ? t->kernel[0] : NULL);
		fs_json_array(j, "kernel_stack");
		for (uint32_t k = 0; k < t->nr_kernel; k++)
			fs_json_str(j, NULL, t->kernel[k]);
		fs_json_close(j);
		fs_json_bool(j, "mm_busy", t->flags & FS_NOW_MM_BUSY);
		if (t->cpu_permille >= 0)
			fs_json_fixed(j, "cpu_percent", t->cpu_permille, 1);
		else
			fs_json_null(j, "cpu_percent");
		fs_json_bool(j, "sigchld_blocked",
			     t->flags & FS_NOW_SIGCHLD_BLOCKED);
		fs_json_bool(j, "sigchld_pending",
			     t->flags & FS_NOW_SIGCHLD_PENDING);
		if (t->stack)
			fs_site_json(j, "stack", t->stack);
		else
			fs_json_null(j, "stack");
		fs_json_close(j);
	}
	fs_json_close(j);
}
