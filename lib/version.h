/* version.h: the version every program prints. */
#ifndef TNFS_VERSION_H
#define TNFS_VERSION_H

#include "config.h"

#define TNFS_VERSION PACKAGE_VERSION

#endif
