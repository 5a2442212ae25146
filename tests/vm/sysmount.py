#!/usr/bin/env python3
"""sysmount.py: one mount(2) call, reporting the kernel's errno by name.

    sysmount.py TYPE SOURCE TARGET OPTIONS [ro]

Used in the VM guest for the failure cases: util-linux rewords errors (an
EACCES becomes a retry read-only and "cannot mount ... read-only"), while the
plugin's kernel backend sees the raw errno.  Prints "OK" or "ERRNO_NAME
message" and exits 0 or 1.
"""
import ctypes
import errno
import os
import sys

MS_RDONLY = 1


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    fstype, source, target, options = sys.argv[1:5]
    flags = MS_RDONLY if len(sys.argv) == 6 and sys.argv[5] == "ro" else 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                           ctypes.c_ulong, ctypes.c_char_p]
    rc = libc.mount(source.encode(), target.encode(), fstype.encode(), flags,
                    options.encode())
    if rc == 0:
        print("OK")
        return 0
    e = ctypes.get_errno()
    print("%s %s" % (errno.errorcode.get(e, str(e)), os.strerror(e)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
