// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmdline.h"

int fs_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "forkscope %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see forkscope %s --help)\n", cmd);
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

int fs_parse_pid(const char *s, int32_t *out)
{
	double v;

	if (fs_parse_double(s, 1, 0x7fffffff, &v) || v != (int32_t)v)
		return -EINVAL;
	*out = v;
	return 0;
}
