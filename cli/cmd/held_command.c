// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "held_command.h"

pid_t fs_spawn_held(char **cmd, int *go)
{
	int fds[2];
	pid_t pid;

	/* Close-on-exec: the command must not inherit it (lint found it). */
	if (pipe2(fds, O_CLOEXEC))
		return fs_error(errno, "cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		return fs_error(err, "cannot fork: %s", strerror(err));
	}
	if (pid == 0) {
		char c;
		int err;

		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(126);	/* the tracer failed: do not run */
		execvp(cmd[0], cmd);
		err = errno;
		fs_fail(err == ENOENT ? 127 : 126, "cannot run %s: %s", cmd[0],
			strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

int fs_spawn_go(int go, const char *name)
{
	int err = 0;

	if (write(go, "g", 1) != 1)
		err = fs_error(errno, "cannot start %s: %s", name,
			       strerror(errno));
	close(go);
	return err;
}

int fs_exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}
