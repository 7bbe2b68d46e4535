// SPDX-License-Identifier: GPL-2.0-only
/* forkscope: see every process born, exec'd, dying and reaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "forkscope/record.h"
#include "source.h"


static const struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct fs_global_opts *g);
	const char *help;
} commands[] = {
	{ "trace", cmd_trace, "print fork, exec, exit, wait and reap live" },
	{ "tree", cmd_tree, "the process tree, zombies marked (--follow: live)" },
	{ "zombies", cmd_zombies, "un-reaped zombies and the parents that leak them" },
	{ "pids", cmd_pids, "the PID budget: limits, zombies, when fork fails" },
	{ "cow", cmd_cow, "processes by copy-on-write faults, like top" },
	{ "lint", cmd_lint, "the classic fork/exec mistakes, on live processes" },
	{ "stat", cmd_stat, "run a command, then report its processes' lifecycles" },
	{ "record", cmd_record, "record lifecycles to a file, for -i FILE later" },
	{ "export", cmd_export, "a recording's timeline for Perfetto (ui.perfetto.dev)" },
	{ "exporter", cmd_exporter, "serve /metrics for Prometheus: counts, zombies" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: forkscope [-j] [-v] COMMAND [OPTIONS]\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nGlobal options:\n"
		   "  -j, --json     JSON output (every command)\n"
		   "  -v, --verbose  show libbpf and verifier messages\n"
		   "  -s, --source S where records come from: auto (BPF if it loads,\n"
		   "                 else the kernel module), bpf or kmod;\n"
		   "                 default $FORKSCOPE_SOURCE or auto\n"
		   "  -V, --version  version and record ABI version\n"
		   "  -h, --help     this help (forkscope COMMAND --help: a command's)\n"
		   "\nEXAMPLES\n"
		   "  forkscope trace -p $$            # what this shell starts, live\n"
		   "  forkscope tree                   # every process, zombies marked\n"
		   "  forkscope zombies                # who leaks zombies?\n"
		   "  forkscope stat -- make           # what a build runs, in figures\n"
		   "  forkscope -s kmod trace          # the same through the module\n");
}

/*
 * Whether -j is anywhere on the line, before "--": a wrong option before
 * it must still be reported as JSON to the script that asked for JSON.
 */
static bool wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct fs_global_opts g = { .source = FS_SOURCE_AUTO };
	const char *src = getenv("FORKSCOPE_SOURCE");
	bool json = wants_json(argc, argv);
	int i = 1;

	fs_fail_setup(NULL, json);
	if (src && *src && (g.source = fs_source_kind(src)) < 0)
		return fs_fail(FS_EXIT_USAGE, "FORKSCOPE_SOURCE=%s: use auto, bpf or kmod",
			       src);

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			g.json = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			g.verbose = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--source")) {
			if (i + 1 == argc ||
			    (g.source = fs_source_kind(argv[++i])) < 0)
				return fs_fail(FS_EXIT_USAGE, "--source wants auto, bpf or kmod (see forkscope --help)");
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return FS_EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("forkscope %s (record ABI %d)\n",
			       FORKSCOPE_VERSION, FS_ABI_VERSION);
			return FS_EXIT_OK;
		} else {
			return fs_fail(FS_EXIT_USAGE, "unknown option '%s' (see forkscope --help)",
				       a);
		}
	}
	if (i == argc)
		return fs_fail(FS_EXIT_USAGE, "no command given (see forkscope --help)");
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		if (!strcmp(argv[i], commands[c].name)) {
			fs_fail_setup(commands[c].name, json);
			return commands[c].run(argc - i, argv + i, &g);
		}
	}
	return fs_fail(FS_EXIT_USAGE, "unknown command '%s' (see forkscope --help)",
		       argv[i]);
}
