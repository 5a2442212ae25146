/*
 * triton_volume.c: triton-volume, the user command line for shared volumes.  Not built yet: it answers --help and
 * --version and says so for anything else.
 */
#include <stdio.h>
#include <string.h>

#include "version.h"

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("triton-volume %s\n", TNFS_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: triton-volume [--help] [--version]\n"
		       "the user command line for shared volumes (not "
		       "implemented in this build)\n");
		return 0;
	}
	fprintf(stderr, "triton-volume: not implemented in this build\n");
	return 2;
}
