/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the command a command watches (stat -- CMD, record -- CMD):
 * forked first, held until the session is watching, then exec'd.
 */
#ifndef FS_HELD_COMMAND_H
#define FS_HELD_COMMAND_H

#include <sys/types.h>

/*
 * Forks CMD, held on a pipe: writing a byte to *go lets it exec, closing
 * *go unwritten makes it exit 126 without running CMD. -errno (with
 * fs_last_error()) when it cannot be started.
 */
pid_t fs_spawn_held(char **cmd, int *go);
/* Lets the held command run; -errno when it cannot be told. */
int fs_spawn_go(int go, const char *name);
/* A wait status as a shell reports it: 128 + signal if killed. */
int fs_exit_code_of(int status);

#endif
