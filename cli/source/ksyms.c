// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/kallsyms' text symbols, sorted by address, in one block of names:
 * read once, at the first kernel address a session names (~10 MB of
 * text parsed in tens of ms), and searched by bisection after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
};

struct fs_ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *names;
	size_t names_len, names_cap;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int add(struct fs_ksyms *k, uint64_t addr, const char *name)
{
	size_t len = strlen(name) + 1;

	if (k->nr == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 65536;
		struct ksym *s = realloc(k->syms, cap * sizeof(*s));

		if (!s)
			return -1;
		k->syms = s;
		k->cap = cap;
	}
	if (k->names_len + len > k->names_cap) {
		size_t cap = k->names_cap ? 2 * k->names_cap : 1 << 20;
		char *n = realloc(k->names, cap);

		if (!n)
			return -1;
		k->names = n;
		k->names_cap = cap;
	}
	memcpy(k->names + k->names_len, name, len);
	k->syms[k->nr].addr = addr;
	k->syms[k->nr++].name = k->names_len;
	k->names_len += len;
	return 0;
}

struct fs_ksyms *fs_ksyms_load(void)
{
	struct fs_ksyms *k = calloc(1, sizeof(*k));
	FILE *f = fopen("/proc/kallsyms", "re");
	unsigned long long addr;
	char type, name[256];
	int bad = 0;

	if (!k || !f)
		goto fail;
	/* "ffffffff81000000 T _stext [module]": modules' too. */
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T')
			continue;
		/* kptr_restrict shows zeros: nothing to name by. */
		if (!addr)
			continue;
		if (add(k, addr, name)) {
			bad = 1;
			break;
		}
	}
	fclose(f);
	f = NULL;
	if (bad || !k->nr)
		goto fail;
	qsort(k->syms, k->nr, sizeof(*k->syms), by_addr);
	return k;
fail:
	if (f)
		fclose(f);
	fs_ksyms_free(k);
	return NULL;
}

const char *fs_ksyms_name(const struct fs_ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!k || !k->nr || addr < k->syms[0].addr)
		return NULL;
	hi = k->nr;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return k->names + k->syms[lo].name;
}

void fs_ksyms_free(struct fs_ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->names);
	free(k);
}
