// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "common.h"
#include "json.h"

#define TRACEFS_DIR	"/sys/kernel/tracing"

static char last_error[512];

int fs_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err > 0 ? -err : err;
}

const char *fs_last_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

static const char *fail_cmd;
static bool fail_json;

void fs_fail_setup(const char *cmd, bool json)
{
	fail_cmd = cmd;
	fail_json = json;
}

int fs_fail(int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote the kernel and libbpf: keep them to one line. */
	for (char *c = msg; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	if (fail_json) {
		struct fs_json j;

		fs_json_begin(&j, stderr);
		fs_json_object(&j, NULL);
		fs_json_str(&j, "event", "error");
		fs_json_str(&j, "command", fail_cmd);
		fs_json_str(&j, "error", msg);
		fs_json_close(&j);
		fs_json_end(&j);
	} else if (fail_cmd) {
		fprintf(stderr, "forkscope: %s: %s\n", fail_cmd, msg);
	} else {
		fprintf(stderr, "forkscope: %s\n", msg);
	}
	return status;
}

/* Why the last failed write to a stream failed, for the one stream. */
static struct {
	FILE *f;
	int err;
} write_failure;

void fs_output_failed(FILE *f)
{
	if (errno) {
		write_failure.f = f;
		write_failure.err = errno;
	}
}

int fs_output_check(FILE *f, const char *name)
{
	errno = 0;
	if (!fflush(f) && !ferror(f))
		return 0;
	/* No errno: the write that failed was an earlier one. */
	if (!errno && write_failure.f == f)
		errno = write_failure.err;
	if (!errno)
		return fs_error(EIO, "cannot write %s: a write failed", name);
	return fs_error(errno, "cannot write %s: %s", name, strerror(errno));
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t fs_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static int64_t boot_to_real;

int64_t fs_boot_to_real_ns(void)
{
	/* Fixed for the run: a wall-clock step must not reorder output. */
	if (!boot_to_real)
		boot_to_real = (int64_t)clock_ns(CLOCK_REALTIME) -
			       (int64_t)clock_ns(CLOCK_BOOTTIME);
	return boot_to_real;
}

void fs_set_boot_to_real_ns(int64_t offset)
{
	boot_to_real = offset;
}

int64_t fs_wall_ns(uint64_t boot_ns, int64_t offset)
{
	int64_t real;

	if (boot_ns > INT64_MAX)
		boot_ns = INT64_MAX;
	if (__builtin_add_overflow((int64_t)boot_ns, offset, &real))
		return INT64_MAX;	/* only a positive offset overflows */
	return real < 0 ? 0 : real;
}

int fs_ensure_tracefs(void)
{
	struct statfs sfs;

	if (!statfs(TRACEFS_DIR, &sfs) && sfs.f_type == TRACEFS_MAGIC)
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL))
		return fs_error(errno, "tracefs is not mounted and mounting it at %s failed: %s",
				TRACEFS_DIR, strerror(errno));
	return 0;
}

char *fs_fmt_duration(char *buf, size_t len, uint64_t ns)
{
	unsigned long long s = ns / NSEC_PER_SEC, n = ns;

	/* Rounded in integers: printf's %f was a tenth of trace's time. */
	if (n < 10 * NSEC_PER_MSEC - 500)
		snprintf(buf, len, "%llu.%03llu ms", (n + 500) / 1000000ULL,
			 (n + 500) / 1000 % 1000);
	else if (n < NSEC_PER_SEC - 50000)
		snprintf(buf, len, "%llu.%llu ms", (n + 50000) / 1000000ULL,
			 (n + 50000) / 100000 % 10);
	else if (n < 100 * NSEC_PER_SEC - 5000000)
		snprintf(buf, len, "%llu.%02llu s", (n + 5000000) / NSEC_PER_SEC,
			 (n + 5000000) / 10000000 % 100);
	else if (s < 2 * 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
	return buf;
}

/*
 * n / 1024^k (or 1000^k) in the largest unit that leaves at least 1: one
 * decimal below 10, none above, so a column of them stays narrow.
 */
static char *fmt_scaled(char *buf, size_t len, uint64_t n, unsigned int base,
			const char *const *units, size_t nunits)
{
	double v = n;
	size_t u = 0;

	while (v >= base - 0.5 && u + 1 < nunits) {
		v /= base;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu%s", (unsigned long long)n, units[0]);
	else if (v < 9.95)
		snprintf(buf, len, "%.1f%s", v, units[u]);
	else
		snprintf(buf, len, "%.0f%s", v, units[u]);
	return buf;
}

char *fs_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {
		" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB"
	};

	return fmt_scaled(buf, len, bytes, 1024, units, ARRAY_SIZE(units));
}

char *fs_fmt_count(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P", "E" };

	/* Below 10000 every digit fits: people count those exactly. */
	if (n < 10000) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	return fmt_scaled(buf, len, n, 1000, units, ARRAY_SIZE(units));
}
