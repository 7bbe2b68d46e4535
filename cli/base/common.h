/* SPDX-License-Identifier: GPL-2.0-only */
/* Small things every part of the CLI uses: errors, time, sizes. */
#ifndef FS_COMMON_H
#define FS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL

/*
 * The last error, one line, for the command to print before it exits
 * non-zero. Library code sets it and returns a negative errno: whatever
 * hands a negative errno to a command has set it, so the command can
 * print it without knowing where it came from.
 */
int fs_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *fs_last_error(void);

/*
 * The one way a command tells why it stops. Says who is talking and
 * whether as JSON: main sets it before the command runs (cmd NULL: no
 * command yet).
 */
void fs_fail_setup(const char *cmd, bool json);
/*
 * One line on stderr: "forkscope: CMD: message", or under --json
 * {"event":"error","command":CMD,"error":message} (docs/json.md).
 * Stderr, not stdout: stdout carries the data (stat's belongs to the
 * command it runs), and a script reading it must never mistake an error
 * for data. Returns status, the exit status to return.
 */
int fs_fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Flushes f and checks that every write to it so far succeeded; sets the
 * last error ("cannot write NAME: ...") when one did not. A report that
 * did not reach its file is a failure, not a success with nothing shown.
 */
int fs_output_check(FILE *f, const char *name);
/*
 * Remembers errno for f, right after a write to it failed: stdio may drop
 * the bytes, and fs_output_check() would then find the error flag but no
 * reason.
 */
void fs_output_failed(FILE *f);

/*
 * FORKSCOPE_VERSION, a string, comes from the Makefile, which reads it
 * from debian/changelog: the version has one source.
 */

/* CLOCK_BOOTTIME now, in ns: the clock every record carries. */
uint64_t fs_boot_ns(void);
/* Add to a boot-time ns stamp to get a CLOCK_REALTIME ns stamp. */
int64_t fs_boot_to_real_ns(void);
/* A recording's: its stamps are shown at the wall time they were made. */
void fs_set_boot_to_real_ns(int64_t offset);
/*
 * A boot-time stamp as CLOCK_REALTIME ns, given the offset between the
 * clocks: from 0 to INT64_MAX whatever a recording says, so that no view
 * formats a time before 1970 or past 2262 (or overflows getting there).
 */
int64_t fs_wall_ns(uint64_t boot_ns, int64_t offset);

/* Mounts tracefs at /sys/kernel/tracing when nothing is mounted there. */
int fs_ensure_tracefs(void);

/* "1.234 ms", "12.0 s": a duration for people. */
char *fs_fmt_duration(char *buf, size_t len, uint64_t ns);
/* "512 B", "4.8 MiB", "37 GiB": a size for people, at most 8 columns. */
char *fs_fmt_bytes(char *buf, size_t len, uint64_t bytes);
/* "950", "12.3k", "4.1M": a count for people, at most 6 columns. */
char *fs_fmt_count(char *buf, size_t len, uint64_t n);

#endif
