// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "proctab.h"

/*
 * Grow at 7/8 full. Linear probing that full would mean long chains for
 * random keys, but pids come in dense runs, and the multiplier is odd, so
 * a run of up to (mask + 1) consecutive pids lands in distinct slots.
 * At 3/4, 100,000 processes took 262,144 slots: 272 bytes a process.
 */
#define LOAD_NUM	7
#define LOAD_DEN	8

static uint32_t slot_of(const struct fs_proctab *t, int32_t pid)
{
	return ((uint32_t)pid * 2654435761U) & t->mask;
}

static int alloc_slots(struct fs_proctab *t, uint32_t cap)
{
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return fs_error(ENOMEM, "out of memory for a %u-entry process table",
				cap);
	t->mask = cap - 1;
	t->count = 0;
	return 0;
}

int fs_proctab_init(struct fs_proctab *t, uint32_t hint)
{
	uint32_t cap = 64;

	while (cap < hint * LOAD_DEN / LOAD_NUM)
		cap <<= 1;
	return alloc_slots(t, cap);
}

void fs_proctab_free(struct fs_proctab *t)
{
	struct fs_task *e;

	if (t->slots)
		fs_proctab_for_each(t, e)
			free(e->cmd);
	free(t->slots);
	t->slots = NULL;
	t->count = 0;
}

struct fs_task *fs_proctab_get(struct fs_proctab *t, int32_t pid)
{
	/* 0 marks a free slot: no pid, and no lookup, may find one. */
	if (pid <= 0)
		return NULL;
	for (uint32_t i = slot_of(t, pid);; i = (i + 1) & t->mask) {
		if (t->slots[i].pid == pid)
			return &t->slots[i];
		if (!t->slots[i].pid)
			return NULL;
	}
}

static int grow(struct fs_proctab *t)
{
	struct fs_task *old = t->slots;
	uint32_t cap = t->mask + 1;

	if (alloc_slots(t, cap * 2)) {
		t->slots = old;
		t->mask = cap - 1;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cap; i++)
		if (old[i].pid)
			*fs_proctab_put(t, old[i].pid) = old[i];
	free(old);
	return 0;
}

int fs_proctab_reserve(struct fs_proctab *t, uint32_t n)
{
	while ((uint64_t)(t->count + n) * LOAD_DEN >
	       (uint64_t)(t->mask + 1) * LOAD_NUM)
		if (grow(t))
			return -ENOMEM;
	return 0;
}

struct fs_task *fs_proctab_put(struct fs_proctab *t, int32_t pid)
{
	uint32_t i;

	if (pid <= 0 || fs_proctab_reserve(t, 1))
		return NULL;
	for (i = slot_of(t, pid); t->slots[i].pid; i = (i + 1) & t->mask)
		if (t->slots[i].pid == pid)
			return &t->slots[i];
	t->slots[i].pid = pid;
	t->count++;
	return &t->slots[i];
}

void fs_proctab_del(struct fs_proctab *t, int32_t pid)
{
	struct fs_task *e = fs_proctab_get(t, pid);
	uint32_t hole, i;

	if (!e)
		return;
	hole = e - t->slots;
	/* Pull later members of the probe chain back over the hole. */
	for (i = (hole + 1) & t->mask; t->slots[i].pid; i = (i + 1) & t->mask) {
		uint32_t home = slot_of(t, t->slots[i].pid);

		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			hole = i;
		}
	}
	memset(&t->slots[hole], 0, sizeof(t->slots[hole]));
	t->count--;
}
