// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unwinding and naming fork stacks with warm caches: a FS_REC_FORK_STACK
 * record made from this process's own registers and stack (as the BPF
 * program copies them at a fork, three calls deep), resolved N times
 * through the source's resolver. Prints stacks_per_s=... frames=N.
 * Usage: stacks_bench [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "common.h"
#include "stacks.h"

static union {
	struct fs_rec_fork_stack r;
	char buf[FS_FORK_STACK_MAX_SIZE];
} rec;

/* This thread's start time as the kernel gives it, in ns. */
static uint64_t start_ns(void)
{
	char buf[1024], *p;
	unsigned long long t = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		       &t);
	return t * (NSEC_PER_SEC / sysconf(_SC_CLK_TCK));
}

__attribute__((noinline)) static void capture(void)
{
	static const int map[FS_STACK_NR_REGS] = {
		REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP,
		REG_RSP, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
		REG_R14, REG_R15, REG_RIP,
	};
	ucontext_t uc;
	FILE *f;

	getcontext(&uc);
	for (int i = 0; i < FS_STACK_NR_REGS; i++)
		rec.r.regs[i] = uc.uc_mcontext.gregs[map[i]];
	rec.r.stack_len = 4096;	/* this far up is mapped: main's frames */
	memcpy((char *)&rec.r + sizeof(rec.r),
	       (void *)rec.r.regs[FS_STACK_REG_SP], rec.r.stack_len);
	rec.r.hdr.type = FS_REC_FORK_STACK;
	rec.r.hdr.fixed = sizeof(rec.r);
	rec.r.hdr.size = FS_FORK_STACK_SIZE(0, rec.r.stack_len);
	rec.r.hdr.pid = rec.r.hdr.tgid = getpid();
	rec.r.hdr.start_ns = start_ns();
	f = fopen("/proc/self/comm", "r");
	if (f && fgets(rec.r.hdr.comm, sizeof(rec.r.hdr.comm), f))
		rec.r.hdr.comm[strcspn(rec.r.hdr.comm, "\n")] = 0;
	if (f)
		fclose(f);
}

__attribute__((noinline)) static void two(void)
{
	capture();
	asm volatile("");
}

__attribute__((noinline)) static void one(void)
{
	two();
	asm volatile("");
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct fs_stacks *s = fs_stacks_new();
	const struct fs_stack *st;
	struct fs_ustack u;
	struct timespec a, b;
	double secs;

	one();
	fs_ustack_of(&rec.r.hdr, &u);
	st = fs_stacks_resolve(s, &u);	/* the caches warm */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++)
		st = fs_stacks_resolve(s, &u);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("stacks_per_s=%.0f frames=%u method=%s partial=%d first=%s\n",
	       n / secs, st->nr, fs_stack_method_name(st->method), st->partial,
	       st->nr && st->frames[0].function ? st->frames[0].function : "?");
	fs_stacks_free(s);
	return 0;
}
