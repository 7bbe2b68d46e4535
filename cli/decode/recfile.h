/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recordings (include/forkscope/file.h): the one writer and the one
 * reader of the block format. The writer is handed records and writes
 * whole zstd blocks; the reader hands back records it has checked, and
 * says in one line what is wrong with a file it cannot read further.
 */
#ifndef FS_RECFILE_H
#define FS_RECFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "forkscope/file.h"
#include "forkscope/record.h"

struct fs_recw;

/*
 * Creates path (truncating it) and writes the header and meta. NULL on
 * failure, with fs_last_error() saying why.
 */
struct fs_recw *fs_recw_open(const char *path, const struct fs_file_meta *m);
/* Adds a record; writes a block when the buffer is full. */
int fs_recw_add(struct fs_recw *w, const struct fs_hdr *rec);
/* Writes what is buffered as a block (a kill loses no more than that). */
int fs_recw_flush(struct fs_recw *w);
/* Bytes in the file so far, and what is buffered, before compression. */
uint64_t fs_recw_bytes(const struct fs_recw *w);
uint64_t fs_recw_buffered(const struct fs_recw *w);
uint64_t fs_recw_records(const struct fs_recw *w);
/*
 * Flushes, writes the END block and closes; the writer is freed even on
 * failure. end's records and blocks are filled in here; *bytes gets the
 * file's size.
 */
int fs_recw_close(struct fs_recw *w, struct fs_file_end *end,
		  uint64_t *bytes);
/* Closes without an END block, as a kill would (tests, errors). */
void fs_recw_abandon(struct fs_recw *w);

struct fs_recr;

/*
 * Reads f's header and meta; name is what messages call it. Takes f and
 * closes it. NULL on failure, with fs_last_error() saying why.
 */
struct fs_recr *fs_recr_open(FILE *f, const char *name);
const struct fs_file_meta *fs_recr_meta(const struct fs_recr *r);
/*
 * The next record, checked by the decoder and valid until the next call:
 * 1 with *rec set; 0 at a clean end (the END block); a negative errno
 * where the file is cut short or damaged, with fs_last_error() saying
 * where. After that, always the same.
 */
int fs_recr_next(struct fs_recr *r, const struct fs_hdr **rec);
/* The END block, once read; NULL before that or when the file was cut. */
const struct fs_file_end *fs_recr_end(const struct fs_recr *r);
/* The timestamp of the last record handed out, or of the end. */
uint64_t fs_recr_last_ns(const struct fs_recr *r);
void fs_recr_close(struct fs_recr *r);

#endif
