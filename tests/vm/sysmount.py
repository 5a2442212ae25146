#!/usr/bin/env python3
"""sysmount.py: mount(2) calls, reporting the kernel's errno by name.

    sysmount.py TYPE SOURCE TARGET OPTIONS [ro]
    sysmount.py --batch < LINES

The first form makes one call and prints "OK" or "ERRNO_NAME message",
exiting 0 or 1.  The second reads lines "KEY TYPE SOURCE TARGET OPTIONS"
(tab-separated) and prints, for each, KEY.rc=0|1, KEY.msg=... and
KEY.ms=MILLISECONDS; a mount that succeeds is unmounted at once.  One
interpreter for every case: starting Python costs seconds under emulation.

Used in the VM guest for the failure cases: util-linux rewords errors (an
EACCES becomes a retry read-only and "cannot mount ... read-only"), while the
plugin's kernel backend sees the raw errno.
"""
import ctypes
import errno
import os
import sys
import time

MS_RDONLY = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                       ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def do_mount(fstype, source, target, options, flags=0):
    """Return None on success, else "ERRNO_NAME message"."""
    rc = libc.mount(source.encode(), target.encode(), fstype.encode(), flags,
                    options.encode())
    if rc == 0:
        return None
    e = ctypes.get_errno()
    return "%s %s" % (errno.errorcode.get(e, str(e)), os.strerror(e))


def batch():
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 5:
            print("sysmount.py: bad line: %r" % line, file=sys.stderr)
            return 2
        key, fstype, source, target, options = fields
        t0 = time.monotonic()
        err = do_mount(fstype, source, target, options)
        ms = int((time.monotonic() - t0) * 1000)
        if err is None:
            libc.umount2(target.encode(), 0)
        print("%s.rc=%d" % (key, 0 if err is None else 1))
        print("%s.msg=%s" % (key, "OK" if err is None else err))
        print("%s.ms=%d" % (key, ms), flush=True)
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--batch":
        return batch()
    if len(sys.argv) not in (5, 6):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    flags = MS_RDONLY if len(sys.argv) == 6 and sys.argv[5] == "ro" else 0
    err = do_mount(*sys.argv[1:5], flags=flags)
    print("OK" if err is None else err)
    return 0 if err is None else 1


if __name__ == "__main__":
    sys.exit(main())
