// SPDX-License-Identifier: GPL-2.0-only
#include <time.h>

#include "common.h"
#include "json.h"
#include "recording_view.h"

void fs_recording_text(FILE *f, const char *name, const struct fs_file_meta *m)
{
	time_t secs = fs_wall_ns(m->start_ns, m->boot_to_real_ns) / NSEC_PER_SEC;
	char when[64] = "?";
	struct tm tm;

	if (localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	fprintf(f, "forkscope: reading %s: recorded with %s on %s (kernel %s) from %s\n",
		name, m->source, m->hostname, m->kernel, when);
}

void fs_record_report_text(FILE *f, const struct fs_record_report *r)
{
	char dur[32], size[16];

	fprintf(f, "forkscope: recorded %llu records in %s to %s: %s (%.1f bytes a record)",
		(unsigned long long)r->records,
		fs_fmt_duration(dur, sizeof(dur), r->ns), r->path,
		fs_fmt_bytes(size, sizeof(size), r->bytes),
		r->records ? (double)r->bytes / r->records : 0.0);
	if (r->parts > 1)
		fprintf(f, " in %u files", r->parts);
	if (r->lost)
		fprintf(f, "; the kernel lost %llu records",
			(unsigned long long)r->lost);
	fprintf(f, "; %s\n", r->stopped);
}

void fs_record_report_json(FILE *f, const struct fs_record_report *r)
{
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "recorded");
	fs_json_str(&j, "file", r->path);
	fs_json_fixed(&j, "duration_s", r->ns, 9);
	fs_json_u64(&j, "records", r->records);
	fs_json_u64(&j, "bytes", r->bytes);
	fs_json_u64(&j, "files", r->parts);
	fs_json_u64(&j, "lost", r->lost);
	fs_json_str(&j, "stopped", r->stopped);
	fs_json_close(&j);
	fs_json_end(&j);
}
