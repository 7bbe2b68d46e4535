/* SPDX-License-Identifier: GPL-2.0-only */
/* Fork call sites as people and scripts read them. */
#ifndef FS_STACK_VIEW_H
#define FS_STACK_VIEW_H

#include <stdio.h>
#include "callsites.h"
#include "json.h"

/* "name (file.c:12)", "name+0x1c [libfoo.so]", or the bare address. */
void fs_frame_text(FILE *f, const struct fs_frame *fr);
/* {"address":..,"module":..,...,"line":..}, as key (NULL in an array). */
void fs_frame_json(struct fs_json *j, const char *key,
		   const struct fs_frame *fr);
/*
 * "spawn_worker (worker.c:118) <- handle_job (jobs.c:301) <- main": the
 * call site and up to max callers (0: all), for one line; "[exited]"
 * when nothing could be named, and what partial and the method say.
 */
void fs_site_line(FILE *f, const struct fs_site *s, uint32_t max);
/* One frame a line, indented, from the call site out; a heading first. */
void fs_site_text(FILE *f, const struct fs_site *s, const char *indent);
/*
 * {"method":"dwarf","partial":false,"site_frame":2,"frames":[{"address":
 * ..,"module":..,"build_id":..,"function":..,"offset":..,"file":..,
 * "line":..}]}, as key (NULL inside an array).
 */
void fs_site_json(struct fs_json *j, const char *key, const struct fs_site *s);

#endif
