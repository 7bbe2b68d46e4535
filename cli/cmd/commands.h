/* SPDX-License-Identifier: GPL-2.0-only */
/* The forkscope commands; each returns the process exit status. */
#ifndef FS_COMMANDS_H
#define FS_COMMANDS_H

#include <stdbool.h>

/* Options that go before the command, as in `forkscope -j trace`. */
struct fs_global_opts {
	bool json;
	bool verbose;
	int source;		/* enum fs_source_kind */
};

/* Exit statuses shared by all commands. */
#define FS_EXIT_OK	0
#define FS_EXIT_FAIL	1	/* could not do the job (no BPF, no root...) */
#define FS_EXIT_USAGE	2	/* wrong command line */
#define FS_EXIT_FOUND	1	/* zombies: found some; pids: a budget
				 * is short (health checks) */
#define FS_EXIT_NOCHECK	3	/* zombies, pids: could not check */

int cmd_trace(int argc, char **argv, const struct fs_global_opts *g);
int cmd_tree(int argc, char **argv, const struct fs_global_opts *g);
int cmd_zombies(int argc, char **argv, const struct fs_global_opts *g);
int cmd_pids(int argc, char **argv, const struct fs_global_opts *g);
int cmd_cow(int argc, char **argv, const struct fs_global_opts *g);
int cmd_stat(int argc, char **argv, const struct fs_global_opts *g);
int cmd_record(int argc, char **argv, const struct fs_global_opts *g);
int cmd_lint(int argc, char **argv, const struct fs_global_opts *g);
int cmd_export(int argc, char **argv, const struct fs_global_opts *g);
int cmd_exporter(int argc, char **argv, const struct fs_global_opts *g);

#endif
