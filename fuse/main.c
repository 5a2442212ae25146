/*
 * main.c: tritonnfs-fuse, the user-space NFS client.  Not built yet: it answers --help and
 * --version and says so for anything else.
 */
#include <stdio.h>
#include <string.h>

#include "version.h"

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("tritonnfs-fuse %s\n", TNFS_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: tritonnfs-fuse [--help] [--version]\n"
		       "the user-space NFS client (not implemented in this "
		       "build)\n");
		return 0;
	}
	fprintf(stderr, "tritonnfs-fuse: not implemented in this build\n");
	return 2;
}
