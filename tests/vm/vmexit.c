// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of the result hand-back: writes a byte to QEMU's
 * isa-debug-exit port, which makes QEMU exit with (byte << 1) | 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT	0xf4

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;

	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		perror("vmexit: ioperm");
		return 1;
	}
	outb(code & 0x7f, DEBUG_EXIT_PORT);
	return 0;
}
