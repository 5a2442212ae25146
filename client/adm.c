/*
 * adm.c: tritonnfs-adm, the operator command line.  Not built yet: it answers --help and
 * --version and says so for anything else.
 */
#include <stdio.h>
#include <string.h>

#include "version.h"

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("tritonnfs-adm %s\n", TNFS_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: tritonnfs-adm [--help] [--version]\n"
		       "the operator command line (not implemented in this "
		       "build)\n");
		return 0;
	}
	fprintf(stderr, "tritonnfs-adm: not implemented in this build\n");
	return 2;
}
