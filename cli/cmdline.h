/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line parsing shared by the commands: one wording for errors. */
#ifndef FS_CMDLINE_H
#define FS_CMDLINE_H

#include <stdint.h>

/* Prints "forkscope CMD: <message> (see forkscope CMD --help)"; -EINVAL. */
int fs_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The error for getopt's ':' (missing value) or '?' (unknown option). */
int fs_getopt_error(const char *cmd, int c, char **argv);
/* -EINVAL (with the message) when arguments are left over. */
int fs_no_more_args(const char *cmd, int argc, char **argv);

/* A number in [min, max]; -EINVAL otherwise. */
int fs_parse_double(const char *s, double min, double max, double *out);
/* A process id: a whole number from 1 to 2^31-1. */
int fs_parse_pid(const char *s, int32_t *out);

#endif
