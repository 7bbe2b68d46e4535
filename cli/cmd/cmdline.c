// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"

int fs_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fs_fail(FS_EXIT_USAGE, "%s (see forkscope %s --help)", msg, cmd);
	return -EINVAL;
}

int fs_getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return fs_usage_error(cmd, "%s needs a value", argv[optind - 1]);
	return fs_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int fs_no_more_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return fs_usage_error(cmd, "unexpected argument '%s'",
				      argv[optind]);
	return 0;
}

int fs_parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= min) || *out > max)
		return -EINVAL;
	return 0;
}

int fs_cmd_opt(const char *cmd, int c, char **argv, struct fs_cmd_opts *o,
	       void (*usage)(FILE *f))
{
	switch (c) {
	case 'p':
		if (fs_parse_pid(optarg, &o->pid))
			return fs_usage_error(cmd, "-p wants a process id, not '%s'",
					      optarg);
		return 1;
	case 'i':
		if (fs_parse_double(optarg, 0.05, 3600, &o->interval_s))
			return fs_usage_error(cmd, "--interval wants seconds from 0.05 to 3600, not '%s'",
					      optarg);
		return 1;
	case 'j':
		o->json = true;
		return 1;
	case 'v':
		o->verbose = true;
		return 1;
	case 'h':
		usage(stdout);
		exit(0);
	case ':':
	case '?':
		return fs_getopt_error(cmd, c, argv);
	default:
		return 0;
	}
}

int fs_parse_pid(const char *s, int32_t *out)
{
	double v;

	if (fs_parse_double(s, 1, 0x7fffffff, &v) || v != (int32_t)v)
		return -EINVAL;
	*out = v;
	return 0;
}
