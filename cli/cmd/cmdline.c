// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmdline.h"
#include "decode.h"
#include "event_filter.h"
#include "recording_view.h"
#include "common.h"
#include "forkscope/record.h"

#define MAX_OPTS	24	/* shared and own; a longer table is a bug */
#define LONG_ONLY	0x100	/* getopt's value for a long-only option */
#define OPT(field)	offsetof(struct fs_cmd_opts, field)

/*
 * --cgroup: a path below the hierarchy's root, as /proc/PID/cgroup shows
 * it; no "." or ".." parts, nothing a terminal would act on.
 */
static int parse_cgroup(const char *cmd, const char *arg, void *dest)
{
	size_t len = strlen(arg);

	if (arg[0] != '/' || len >= FS_CGROUP_PATH_LEN || strstr(arg, "/./") ||
	    strstr(arg, "/../") || (len >= 2 && !strcmp(arg + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(arg + len - 3, "/..")))
		goto bad;
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			goto bad;
	*(const char **)dest = arg;
	return 0;
bad:
	return fs_usage_error(cmd, "--cgroup wants a cgroup path as /proc/PID/cgroup shows it (/system.slice/foo.service), not '%s'",
			      arg);
}

/*
 * --container: a container id or its prefix (hex), or a systemd unit
 * (letters, digits and ._-@:\, as systemd escapes unit names).
 */
static int parse_container(const char *cmd, const char *arg, void *dest)
{
	size_t len = strlen(arg);

	if (!len || len > 255 ||
	    arg[strspn(arg, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@:\\")])
		return fs_usage_error(cmd, "--container wants a container id, a prefix of one or a systemd unit (docker-3f4a.scope), not '%s'",
				      arg);
	*(const char **)dest = arg;
	return 0;
}

/* -e: a comma-separated list of events, into a mask of record types. */
int fs_parse_events(const char *cmd, const char *list, void *dest)
{
	unsigned int *mask = dest, type;
	char name[16];
	size_t len;

	*mask = 1U << FS_REC_LOST;	/* losses are never filtered out */
	for (const char *tok = list; *tok; tok += len + !!tok[len]) {
		len = strcspn(tok, ",");
		if (!len)
			continue;	/* "fork,,exec" is fork and exec */
		type = 0;
		if (len < sizeof(name)) {
			memcpy(name, tok, len);
			name[len] = 0;
			type = fs_record_type(name);
		}
		if (!type || !(FS_ALL_EVENTS & (1U << type)) ||
		    type == FS_REC_WAIT_RESULT || type == FS_REC_LOST)
			return fs_usage_error(cmd, "unknown event '%.*s': use " FS_EVENT_NAMES,
					      (int)len, tok);
		*mask |= 1U << type;
		if (type == FS_REC_WAIT)
			*mask |= 1U << FS_REC_WAIT_RESULT;
	}
	return 0;
}

/* The options every command shares; needs: the FS_CMD_* that asks for one. */
static const struct {
	struct fs_opt opt;
	unsigned int needs;
} shared[] = {
	{ .needs = FS_CMD_PID,
	  .opt = { .name = "pid", .letter = 'p', .kind = FS_OPT_PID,
		   .off = OPT(pid), .wants = "-p wants a process id" } },
	{ .needs = FS_CMD_INTERVAL,
	  .opt = { .name = "interval", .letter = 'I', .kind = FS_OPT_DOUBLE,
		   .off = OPT(interval_s), .min = 0.05, .max = 3600,
		   .wants = "--interval wants seconds from 0.05 to 3600" } },
	{ .needs = FS_CMD_INPUT,
	  .opt = { .name = "input", .letter = 'i', .kind = FS_OPT_STRING,
		   .off = OPT(input), .min = 1,
		   .wants = "-i wants a recording's file name" } },
	{ .needs = FS_CMD_RECORD,
	  .opt = { .name = "record", .kind = FS_OPT_STRING,
		   .off = OPT(record), .min = 1,
		   .wants = "--record wants a file name" } },
	{ .needs = FS_CMD_CONTAINER,
	  .opt = { .name = "cgroup", .kind = FS_OPT_CUSTOM,
		   .off = OPT(cgroup), .parse = parse_cgroup } },
	{ .needs = FS_CMD_CONTAINER,
	  .opt = { .name = "container", .kind = FS_OPT_CUSTOM,
		   .off = OPT(container), .parse = parse_container } },
	{ .opt = { .name = "json", .letter = 'j', .kind = FS_OPT_FLAG,
		   .off = OPT(json) } },
	{ .opt = { .name = "verbose", .letter = 'v', .kind = FS_OPT_FLAG,
		   .off = OPT(verbose) } },
	{ .opt = { .name = "help", .letter = 'h', .kind = FS_OPT_HELP } },
};

/* A command's table turned into what getopt_long wants. */
struct parser {
	const struct fs_opt *opts[MAX_OPTS];
	void *dest[MAX_OPTS];		/* where each one's value goes */
	struct option longopts[MAX_OPTS + 1];
	char optstring[3 + 2 * MAX_OPTS];
	size_t n;
};

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

/* A number in [min, max]; -EINVAL otherwise. */
static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= min) || *out > max)
		return -EINVAL;
	return 0;
}

/* A process id: a whole number from 1 to 2^31-1. */
static int parse_pid(const char *s, int32_t *out)
{
	double v;

	if (parse_double(s, 1, 0x7fffffff, &v) || v != (int32_t)v)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool takes_value(const struct fs_opt *o)
{
	return o->kind != FS_OPT_FLAG && o->kind != FS_OPT_HELP;
}

static void add(struct parser *p, const struct fs_opt *o, void *base)
{
	char *s = p->optstring + strlen(p->optstring);
	int has_arg = takes_value(o) ? required_argument : no_argument;

	assert(p->n < MAX_OPTS);
	p->opts[p->n] = o;
	p->dest[p->n] = (char *)base + o->off;
	p->longopts[p->n] = (struct option){
		.name = o->name,
		.has_arg = has_arg,
		.val = o->letter ? o->letter : LONG_ONLY + (int)p->n,
	};
	if (o->letter) {
		*s++ = o->letter;
		if (has_arg)
			*s = ':';
	}
	p->n++;
}

static void build(struct parser *p, const struct fs_cmd_spec *spec,
		  struct fs_cmd_opts *c, void *own)
{
	/* '+': stop at the command to run, whose options are its own. */
	strcpy(p->optstring, spec->runs_command ? "+:" : ":");
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		if (!shared[i].needs || (spec->shared & shared[i].needs))
			add(p, &shared[i].opt, c);
	for (const struct fs_opt *o = spec->opts; o && o->name; o++)
		add(p, o, own);
}

/* Which option getopt_long returned as val; -1: none of ours. */
static int find(const struct parser *p, int val)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->longopts[i].val == val)
			return i;
	return -1;
}

/* Stores arg at dest as o says, or tells what o wants. */
static int set_value(const char *cmd, const struct fs_opt *o, void *dest,
		     const char *arg)
{
	double v;

	switch (o->kind) {
	case FS_OPT_FLAG:
		*(bool *)dest = true;
		return 0;
	case FS_OPT_LONG:
		if (parse_double(arg, o->min, o->max, &v) || v != (long)v)
			break;
		*(long *)dest = v;
		return 0;
	case FS_OPT_DOUBLE:
		if (parse_double(arg, o->min, o->max, &v))
			break;
		*(double *)dest = v;
		return 0;
	case FS_OPT_PID:
		if (parse_pid(arg, dest))
			break;
		return 0;
	case FS_OPT_MIB:
		if (parse_double(arg, o->min, o->max, &v) ||
		    v != (size_t)v || ((size_t)v & ((size_t)v - 1)))
			break;
		*(size_t *)dest = (size_t)v << 20;
		return 0;
	case FS_OPT_STRING:
		if (strlen(arg) < o->min || (o->max && strlen(arg) > o->max))
			break;
		*(const char **)dest = arg;
		return 0;
	case FS_OPT_CUSTOM:
		return o->parse(cmd, arg, dest) ? -EINVAL : 0;
	case FS_OPT_HELP:
		break;
	}
	return fs_usage_error(cmd, "%s, not '%s'", o->wants, arg);
}

/* getopt's ':' (a value missing) or '?' (not an option of this command). */
static int getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return fs_usage_error(cmd, "%s needs a value", argv[optind - 1]);
	return fs_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* What is left after the options: a command to run, or nothing. */
static int rest(const struct fs_cmd_spec *spec, int argc, char **argv)
{
	if (spec->runs_command && !spec->command_optional && optind >= argc)
		return fs_usage_error(spec->name, "wants a command to run, as in: forkscope %s -- make",
				      spec->name);
	if (!spec->runs_command && optind < argc)
		return fs_usage_error(spec->name, "unexpected argument '%s'",
				      argv[optind]);
	return optind;
}

int fs_cmd_parse(const struct fs_cmd_spec *spec, int argc, char **argv,
		 const struct fs_global_opts *g, struct fs_cmd_opts *c,
		 void *own)
{
	struct parser p = {};
	int ch, i, err;

	*c = (struct fs_cmd_opts){ .json = g->json, .verbose = g->verbose,
				   .source = g->source, .interval_s = 1 };
	build(&p, spec, c, own);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, p.optstring, p.longopts,
				 NULL)) != -1) {
		i = find(&p, ch);
		if (i < 0)
			return getopt_error(spec->name, ch, argv);
		if (p.opts[i]->kind == FS_OPT_HELP) {
			spec->usage(stdout);
			exit(FS_EXIT_OK);
		}
		err = set_value(spec->name, p.opts[i], p.dest[i], optarg);
		if (err)
			return err;
	}
	return rest(spec, argc, argv);
}

/* A prefix that names two containers is a wrong command line. */
static int check_container(struct fs_session **s, const struct fs_cmd_opts *c)
{
	const char *a, *b;

	if (!fs_model_container_ambiguous(fs_session_model(*s), &a, &b))
		return 0;
	fs_fail(FS_EXIT_USAGE, "--container %s names more than one container (%.12s, %.12s): give more of the id",
		c->container, a, b);
	fs_session_close(*s);
	*s = NULL;
	return FS_EXIT_USAGE;
}

/* "HH:MM:SS[.frac]" on the recording's first day (or the next): ns. */
static int wall_at(const char *at, const struct fs_file_meta *m, uint64_t *ns)
{
	int64_t start_real = fs_wall_ns(m->start_ns, m->boot_to_real_ns);
	time_t secs = start_real / (int64_t)NSEC_PER_SEC;
	unsigned int h, min, sec;
	double frac = 0;
	int64_t real;
	struct tm tm;
	int used = 0;

	if (sscanf(at, "%2u:%2u:%2u%n", &h, &min, &sec, &used) != 3 ||
	    h > 23 || min > 59 || sec > 60 ||
	    (at[used] && (at[used] != '.' ||
			  parse_double(at + used, 0, 0.9999999999, &frac))))
		return -EINVAL;
	localtime_r(&secs, &tm);
	tm.tm_hour = h;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	real = (int64_t)mktime(&tm) * NSEC_PER_SEC + (int64_t)(frac * 1e9);
	if (real < start_real - (int64_t)NSEC_PER_SEC)
		real += 86400 * NSEC_PER_SEC;	/* past midnight */
	/* Unsigned: a damaged file's offset wraps rather than overflows. */
	*ns = (uint64_t)real - (uint64_t)m->boot_to_real_ns;
	return 0;
}

int fs_cmd_at(const char *cmd, const char *at, const struct fs_session *s,
	      uint64_t *ns)
{
	const struct fs_file_meta *m = fs_session_meta(s);
	double secs;

	if (!m)
		return fs_usage_error(cmd, "--at is a time in a recording: give -i FILE too");
	if (!parse_double(at + (at[0] == '+'), 0, 1e9, &secs)) {
		*ns = m->start_ns + (uint64_t)(secs * 1e9);
		return 0;
	}
	if (!wall_at(at, m, ns) && *ns >= m->start_ns)
		return 0;
	return fs_usage_error(cmd, "--at wants seconds into the recording (12.5) or a time of day while it ran (21:14:55), not '%s'",
			      at);
}

/* --record: the recording says what it was made of. */
static struct fs_recorder *make_recorder(const struct fs_cmd_opts *c)
{
	struct fs_recorder_opts o = c->rec;
	struct fs_recorder *r = malloc(sizeof(*r));
	struct fs_file_meta *m;
	size_t off = 0;

	if (!r)
		return NULL;
	o.path = c->record;
	fs_recorder_init(r, &o);
	m = &r->meta;
	m->select_pid = c->pid;
	snprintf(m->select_cgroup, sizeof(m->select_cgroup), "%s",
		 c->cgroup ? c->cgroup : "");
	snprintf(m->select_container, sizeof(m->select_container), "%s",
		 c->container ? c->container : "");
	m->command_pid = c->command ? c->pid : 0;
	/* NUL-separated, cut to fit. */
	for (char **a = c->command; a && *a; a++) {
		size_t len = strlen(*a) + 1;

		if (off + len + 1 > sizeof(m->command))
			break;
		memcpy(m->command + off, *a, len);
		off += len;
	}
	return r;
}

static void drop_recorder(struct fs_cmd_opts *c)
{
	if (!c->recorder)
		return;
	fs_recorder_abandon(c->recorder);
	free(c->recorder);
	c->recorder = NULL;
}

int fs_cmd_open_session(struct fs_session **s, struct fs_cmd_opts *c,
			const struct fs_session_opts *so, int fail)
{
	struct fs_session_opts o = so ? *so : (struct fs_session_opts){};
	int err;

	if (c->record) {
		c->recorder = o.recorder = make_recorder(c);
		if (!c->recorder)
			return fs_fail(fail, "out of memory for a recording");
	}

	o.source.kind = c->source;
	o.source.input = c->input;
	o.source.verbose = c->verbose;
	o.select_pid = c->pid;
	o.select_cgroup = c->cgroup;
	o.select_container = c->container;
	fs_stop_on_signals();
	*s = fs_session_open(&o);
	/* The first snapshot has been kept: the file was made, or not. */
	if (*s && c->recorder && c->recorder->err) {
		fs_session_close(*s);
		*s = NULL;
	}
	if (!*s) {
		drop_recorder(c);
		return fs_fail(fail, "%s", fs_last_error());
	}
	err = check_container(s, c);
	if (err)
		drop_recorder(c);
	return err;
}

static void report_recording(const struct fs_cmd_opts *c,
			     const struct fs_session *s, const char *why)
{
	const struct fs_recorder *r = c->recorder;
	struct fs_record_report rep = {
		.path = c->record,
		.ns = fs_session_now(s) - fs_session_start_ns(s),
		.records = r->records_done,
		.bytes = r->bytes_done,
		.lost = fs_session_model(s)->lost,
		.parts = r->parts,
		.stopped = r->full ? "stopped keeping at --max-size" : why,
	};

	if (c->record_json)
		fs_record_report_json(stdout, &rep);
	else
		fs_record_report_text(stderr, &rep);
}

int fs_cmd_close_session(struct fs_session *s, struct fs_cmd_opts *c,
			 uint32_t reason, int command_status, const char *why,
			 int status, int fail)
{
	int err = 0;

	if (s && c->recorder) {
		err = fs_recorder_finish(c->recorder, reason, command_status,
					 fs_session_now(s));
		if (!err)
			report_recording(c, s, why);
		else
			status = fs_fail(fail, "%s", fs_last_error());
	}
	fs_session_close(s);
	drop_recorder(c);
	return status;
}
