/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The forkscope recording (`forkscope record -o FILE`): the records a
 * session applied, in order, so that any command can read them again
 * (`-i FILE`) on any machine. docs/file-format.md says it in prose.
 *
 * A file is a header, then blocks. Each block is a block header and a
 * zstd frame (with its content checksum) holding raw_len bytes: for
 * FS_BLOCK_RECORDS, whole records (struct fs_hdr and what follows, each
 * 8-aligned, as record.h lays them out); for FS_BLOCK_META, one struct
 * fs_file_meta; for FS_BLOCK_END, one struct fs_file_end. The first
 * block is META; the last, in a file that was closed, is END. A file cut
 * short (SIGKILL, a full disk, a crash) is read up to its last whole
 * block, and the reader says where it was cut. Blocks are written whole
 * with one write(2) each, at most every FS_FILE_FLUSH_MS, so a kill loses
 * at most that much.
 *
 * All integers are little-endian (the records are the machine's own; a
 * file from a big-endian machine is refused by its magic).
 */
#ifndef FORKSCOPE_FILE_H
#define FORKSCOPE_FILE_H

#include <stdint.h>

#define FS_FILE_MAGIC		"\x7f" "FRKSCP\n"	/* 8 bytes */
#define FS_FILE_VERSION		1
#define FS_BLOCK_MAGIC		0x4b425346U	/* "FSBK" */
#define FS_FILE_FLUSH_MS	1000
/* A reader refuses larger blocks: bounded memory for any file. */
#define FS_BLOCK_RAW_MAX	(1U << 20)

struct fs_file_header {
	char magic[8];		/* FS_FILE_MAGIC */
	uint16_t version;	/* FS_FILE_VERSION: the layout of this file */
	uint16_t abi;		/* FS_ABI_VERSION of the records */
	uint32_t header_size;	/* sizeof(struct fs_file_header) */
	uint32_t block_raw_max;	/* no block holds more raw bytes */
	uint32_t flags;		/* 0 */
	uint64_t reserved[2];
};

enum fs_block_kind {
	FS_BLOCK_META = 1,
	FS_BLOCK_RECORDS = 2,
	FS_BLOCK_END = 3,
};

struct fs_block_header {
	uint32_t magic;		/* FS_BLOCK_MAGIC */
	uint32_t kind;		/* enum fs_block_kind */
	uint32_t seq;		/* 0, 1, 2, ... in the file */
	uint32_t comp_len;	/* bytes of zstd frame that follow */
	uint32_t raw_len;	/* bytes it holds, <= block_raw_max */
	uint32_t records;	/* FS_BLOCK_RECORDS: how many */
	uint64_t first_ns;	/* CLOCK_BOOTTIME of its first record */
	uint64_t last_ns;	/* and of its last */
	uint32_t check;		/* fs_block_check() of the fields above */
	uint32_t pad;
};

#define FS_META_STR	256

/* Who recorded, where, how: the first block. Strings end in a 0. */
struct fs_file_meta {
	uint64_t start_ns;	/* CLOCK_BOOTTIME when watching began */
	int64_t boot_to_real_ns;	/* add to a record's ts_ns: realtime */
	uint32_t source_kind;	/* 1: BPF, 2: the kernel module, 0: untold */
	uint32_t cow_kind;	/* FS_COW_*, 0: COW faults not counted */
	uint32_t flags;		/* FS_META_* */
	int32_t command_pid;	/* record -- CMD: CMD's pid, else 0 */
	int32_t select_pid;	/* -p, else 0 */
	uint32_t part;		/* --rotate: 0 for the first file */
	char hostname[FS_META_STR];
	char kernel[FS_META_STR];	/* uname -r */
	char boot_id[40];	/* /proc/sys/kernel/random/boot_id */
	char source[FS_META_STR];	/* "bpf (tp_btf)": the hooks in use */
	char cow_method[FS_META_STR];	/* what the COW counters count */
	char select_cgroup[FS_META_STR];	/* --cgroup, else "" */
	char select_container[FS_META_STR];	/* --container, else "" */
	char command[FS_META_STR];	/* record -- CMD: CMD as one line */
	char forkscope[64];	/* the version that recorded */
};

#define FS_META_EXACT_GROUP_DEAD	(1U << 0)	/* see fs_source */
#define FS_META_COW_COPIES		(1U << 1)

/* The last block of a file that was closed. */
struct fs_file_end {
	uint64_t end_ns;	/* CLOCK_BOOTTIME when recording stopped */
	uint64_t records;	/* in the file's RECORDS blocks */
	uint32_t blocks;	/* before this one */
	uint32_t reason;	/* FS_END_* */
	int32_t command_status;	/* record -- CMD: its wait status */
	uint32_t pad;
};

enum fs_end_reason {
	FS_END_STOPPED = 1,	/* -d, Ctrl-C, the command ended */
	FS_END_ROTATED = 2,	/* the next part follows in FILE.1, ... */
	FS_END_MAX_SIZE = 3,	/* --max-size reached */
};

/* FNV-1a over the block header up to its check field. */
static inline uint32_t fs_block_check(const struct fs_block_header *b)
{
	const unsigned char *p = (const unsigned char *)b;
	uint32_t h = 2166136261U;

	for (unsigned long i = 0;
	     i < __builtin_offsetof(struct fs_block_header, check); i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

#endif
