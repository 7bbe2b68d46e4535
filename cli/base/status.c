// SPDX-License-Identifier: GPL-2.0-only
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "status.h"

const char *fs_signal_name(char *buf, size_t len, int sig)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", sig);
	return buf;
}

char *fs_status_str(char *buf, size_t len, uint32_t st)
{
	char sig[16];

	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s%s",
			 fs_signal_name(sig, sizeof(sig), WTERMSIG(st)),
			 WCOREDUMP(st) ? " (core dumped)" : "");
	else if (WIFSTOPPED(st))
		snprintf(buf, len, "stopped by %s",
			 fs_signal_name(sig, sizeof(sig), WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		snprintf(buf, len, "continued");
	else
		snprintf(buf, len, "status %#x", st);
	return buf;
}
