/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every command does with its command line: one parser, driven by a
 * table each command declares, so every wrong line is told one way; and
 * one way to open the session the line asks for.
 */
#ifndef FS_CMDLINE_H
#define FS_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commands.h"
#include "recorder.h"
#include "session.h"

/* The options commands share, filled from the global ones and the line. */
struct fs_cmd_opts {
	bool json;		/* -j, --json */
	bool verbose;		/* -v, --verbose */
	int source;		/* the global -s: enum fs_source_kind */
	int32_t pid;		/* -p, --pid PID */
	const char *cgroup;	/* --cgroup PATH */
	const char *container;	/* --container ID */
	double interval_s;	/* -I, --interval SECS (default 1) */
	const char *input;	/* -i, --input FILE: a recording to read */
	/*
	 * --record FILE (record: -o FILE): keep what the session applies,
	 * all of it unless rec says (record's filters).
	 */
	const char *record;
	struct fs_recorder_opts rec;	/* record's filters, size, rotation */
	char **command;		/* the command run (stat, record), for it */
	bool record_json;	/* record -j: its report as JSON on stdout */
	struct fs_recorder *recorder;	/* fs_cmd_open_session() made it */
};

/* What an option's value is, and the type of the field it goes in. */
enum fs_opt_kind {
	FS_OPT_FLAG,		/* bool, set when given; no value */
	FS_OPT_LONG,		/* long: a whole number in [min, max] */
	FS_OPT_DOUBLE,		/* double: a number in [min, max] */
	FS_OPT_PID,		/* int32_t: a process id */
	FS_OPT_MIB,		/* size_t bytes: a power of 2 of MiB in [min, max] */
	FS_OPT_STRING,		/* const char *: min to max characters (max 0: any) */
	FS_OPT_CUSTOM,		/* whatever parse() makes of it */
	FS_OPT_HELP,		/* -h: prints the usage, exits 0 */
};

/* One option of a command's table; a table ends with an empty entry. */
struct fs_opt {
	const char *name;	/* --name */
	char letter;		/* -l; 0: a long option only */
	enum fs_opt_kind kind;
	size_t off;		/* offsetof the field in the command's options */
	double min, max;
	/* A wrong value is told as "<wants>, not 'VALUE'". */
	const char *wants;
	/* FS_OPT_CUSTOM: stores arg at dest, or fs_usage_error()s. */
	int (*parse)(const char *cmd, const char *arg, void *dest);
};

/* The shared options a command takes besides -j, -v and -h. */
#define FS_CMD_PID		(1U << 0)	/* -p */
#define FS_CMD_INTERVAL		(1U << 1)	/* -i */
#define FS_CMD_CONTAINER	(1U << 2)	/* --cgroup, --container */
#define FS_CMD_INPUT		(1U << 3)	/* -i: read a recording */
#define FS_CMD_RECORD		(1U << 4)	/* --record FILE: keep one */

struct fs_cmd_spec {
	const char *name;
	void (*usage)(FILE *f);
	unsigned int shared;		/* FS_CMD_* */
	const struct fs_opt *opts;	/* its own */
	/* What follows the options is a command to run (stat). */
	bool runs_command;
	/* ... which may be left out (record; stat -i). */
	bool command_optional;
};

/*
 * Parses argv (argv[0] is the command's name) as spec says: the shared
 * options into c, first filled from g, the command's own into the struct
 * at own. Returns the index of the first argument after the options (the
 * command to run), or -EINVAL with the one line told.
 */
int fs_cmd_parse(const struct fs_cmd_spec *spec, int argc, char **argv,
		 const struct fs_global_opts *g, struct fs_cmd_opts *c,
		 void *own);

/*
 * Opens a session as so (NULL: nothing more) and the shared options in c
 * say (source, -v, -p, --cgroup, --container), stopping on SIGINT/SIGTERM
 * from then on. When it cannot be opened, or -p's process does not exist,
 * tells why and returns fail, the command's exit status for it; when
 * --container's prefix names two containers, says so and returns
 * FS_EXIT_USAGE; else 0 with *s open.
 */
int fs_cmd_open_session(struct fs_session **s, struct fs_cmd_opts *c,
			const struct fs_session_opts *so, int fail);
/*
 * Closes what fs_cmd_open_session() opened. A recording kept (--record,
 * record -o) is finished first, its END saying why it stopped (FS_END_*)
 * and the command's wait status, and told in one line (record -j: JSON
 * on stdout). Returns status, or fail when the recording could not be
 * finished (told).
 */
int fs_cmd_close_session(struct fs_session *s, struct fs_cmd_opts *c,
			 uint32_t reason, int command_status, const char *why,
			 int status, int fail);

/*
 * --at TIME in a recording, as its CLOCK_BOOTTIME ns: seconds from its
 * start ("12.5", "+12.5") or the wall-clock time it was then ("21:14:55",
 * "21:14:55.25", local time, on the day the recording started or the
 * next). Without -i, or before the recording started: the one line told
 * and -EINVAL.
 */
int fs_cmd_at(const char *cmd, const char *at, const struct fs_session *s,
	      uint64_t *ns);

/* -e LIST: an fs_opt parse function into a mask of FS_ALL_EVENTS. */
int fs_parse_events(const char *cmd, const char *list, void *dest);

/*
 * The table entries of -c, -e and --no-threads, into the struct
 * fs_event_filter at offset where in a command's options.
 */
#define FS_EVENT_FILTER_OPTS(where)					\
	{ .name = "comm", .letter = 'c', .kind = FS_OPT_STRING,		\
	  .off = (where) + offsetof(struct fs_event_filter, comm),	\
	  .min = 1, .max = FS_COMM_LEN - 1,				\
	  .wants = "-c wants a command name of 1 to 15 characters" },	\
	{ .name = "events", .letter = 'e', .kind = FS_OPT_CUSTOM,	\
	  .off = (where) + offsetof(struct fs_event_filter, events),	\
	  .parse = fs_parse_events },					\
	{ .name = "no-threads", .kind = FS_OPT_FLAG,			\
	  .off = (where) + offsetof(struct fs_event_filter, no_threads) }

/* fs_fail()s "<message> (see forkscope CMD --help)"; returns -EINVAL. */
int fs_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
