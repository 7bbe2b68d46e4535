// SPDX-License-Identifier: GPL-2.0-only
/* A fork call site in a shared library: stacks_test. */
#include <unistd.h>

int lib_site_line;

__attribute__((noinline)) pid_t lib_leak(void)
{
	pid_t pid = fork(); lib_site_line = __LINE__;

	if (pid == 0)
		_exit(0);
	return pid;
}
