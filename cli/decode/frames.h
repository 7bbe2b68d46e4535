/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * FS_REC_FRAMES: a resolved stack written into a recording and read back
 * as it was (record.h says why). Both ways here, beside the decoder that
 * checks the record.
 */
#ifndef FS_FRAMES_H
#define FS_FRAMES_H

#include <stddef.h>
#include "decode.h"
#include "stack.h"

/* A name kept at most (NUL included): a record's size is 16 bits. */
#define FS_FRAMES_STR_MAX	200
/* The most a frames record takes: 53,832 bytes. */
#define FS_FRAMES_MAX_SIZE						\
	(sizeof(struct fs_rec_frames) +					\
	 FS_STACK_MAX_IPS * (sizeof(struct fs_rec_frame) +		\
			     4 * FS_FRAMES_STR_MAX))

/*
 * Writes into buf (FS_FRAMES_MAX_SIZE bytes) the frames record of st,
 * resolved for the stack record rec (what: FS_FRAMES_*). Returns its
 * size; 0 when st has more frames than a record holds.
 */
size_t fs_frames_build(void *buf, const struct fs_hdr *rec, unsigned int what,
		       const struct fs_stack *st);
/*
 * The stack a checked frames record holds, into st, its frames into
 * frames[FS_STACK_MAX_IPS], their strings the record's own.
 */
void fs_frames_stack(const struct fs_rec_frames *r, struct fs_stack *st,
		     struct fs_frame *frames);

#endif
