/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line parsing shared by the commands: one wording for errors. */
#ifndef FS_CMDLINE_H
#define FS_CMDLINE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The options commands share; each takes the ones its optstring names. */
struct fs_cmd_opts {
	bool json;		/* -j, --json */
	bool verbose;		/* -v, --verbose */
	int32_t pid;		/* -p, --pid PID */
	double interval_s;	/* -i, --interval SECS */
};

#define FS_CMD_LONGOPTS							\
	{ "pid", required_argument, NULL, 'p' },			\
	{ "interval", required_argument, NULL, 'i' },			\
	{ "json", no_argument, NULL, 'j' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "help", no_argument, NULL, 'h' }

/*
 * Handles option c if it is a shared one (-h prints usage and exits 0).
 * Returns 1 when handled, 0 when c is the command's own, -EINVAL (with the
 * message printed) when its value is wrong or c is not an option at all.
 */
int fs_cmd_opt(const char *cmd, int c, char **argv, struct fs_cmd_opts *o,
	       void (*usage)(FILE *f));

/* fs_fail()s "<message> (see forkscope CMD --help)"; returns -EINVAL. */
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
