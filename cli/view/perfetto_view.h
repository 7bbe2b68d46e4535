/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The timeline as a Perfetto trace: Perfetto's native protobuf format
 * (proto/perfetto_trimmed.proto keeps its field numbers), which
 * ui.perfetto.dev and trace_processor open.
 *
 * Written as the timeline tells its events (fs_perfetto_event is an
 * fs_tl_event_fn), packet by packet, holding nothing but a few bits per
 * task (in fs_tl_task.view) and one packet's buffer. In the trace:
 *  - a process track per process (ProcessDescriptor: pid, name, start)
 *    and a thread track per other thread (ThreadDescriptor), and a
 *    ProcessTree packet per process and thread (pid, ppid, cmdline), so
 *    trace_processor knows who forked whom;
 *  - slices "running" (fork, or first seen, to the process's last exit;
 *    a thread's to its exit) and "zombie" (the last exit to the reap; it
 *    ends annotated with who reaped it, and how);
 *  - instants: "fork" (a flow from it to the child's "running"), "exec"
 *    (filename, argv), "exec failed", "fork failed", "wait" (what it
 *    returned), "leader exited" (its threads run on);
 *  - a "COW faults" counter track per process, when the stream counts
 *    them.
 * Timestamps are CLOCK_BOOTTIME (clock id 6), all on one packet sequence.
 */
#ifndef FS_PERFETTO_VIEW_H
#define FS_PERFETTO_VIEW_H

#include <stdint.h>
#include <stdio.h>
#include "timeline.h"

struct fs_perfetto;

/* Writes to f; NULL when out of memory (fs_last_error()). */
struct fs_perfetto *fs_perfetto_new(FILE *f);
/* The timeline's on_event, ctx the fs_perfetto: one event's packets. */
void fs_perfetto_event(void *ctx, const struct fs_tl_event *ev);
/*
 * Flushes the file and checks that every packet reached it (name: the
 * file's, for the error): 0, or a negative errno with fs_error() set.
 */
int fs_perfetto_flush(struct fs_perfetto *p, const char *name);
/* Packets written so far. */
uint64_t fs_perfetto_packets(const struct fs_perfetto *p);
void fs_perfetto_free(struct fs_perfetto *p);

#endif
