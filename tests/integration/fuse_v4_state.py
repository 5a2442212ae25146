#!/usr/bin/env python3
"""fuse_v4_state.py MOUNT EXPORT: NFSv4 open state shared by several
opens of one file on one connection: each step prints "ok - what" or
"not ok - what: why", the way fuse_fsx.sh reports it."""
import os
import sys

mnt, export = sys.argv[1], sys.argv[2]
failed = 0


def check(what, cond, why=""):
    global failed
    if cond:
        print("ok - %s" % what)
    else:
        failed += 1
        print("not ok - %s%s" % (what, ": " + why if why else ""))


def step(what, fn):
    try:
        r = fn()
    except OSError as e:
        check(what, False, str(e))
        return None
    check(what, True)
    return r


path = os.path.join(mnt, "shared")
a = step("open for writing", lambda: os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
b = step("the same file again, read-only",
         lambda: os.open(path, os.O_RDONLY))
step("write through the first", lambda: os.pwrite(a, b"first" * 1000, 0))
check("read through the second",
      step("pread", lambda: os.pread(b, 5, 0)) == b"first")
check("read through the first",
      step("pread", lambda: os.pread(a, 5, 4995)) == b"first")
c = step("a third open, write-only", lambda: os.open(path, os.O_WRONLY))
step("write through the third", lambda: os.pwrite(c, b"third", 0))
step("fsync the third", lambda: os.fsync(c))
check("the second reads what the third wrote",
      step("pread", lambda: os.pread(b, 5, 0)) == b"third")
step("close the first", lambda: os.close(a))
check("the second still reads",
      step("pread", lambda: os.pread(b, 5, 5)) == b"first")
step("write through the third after the first closed",
     lambda: os.pwrite(c, b"again", 5))
step("close the third", lambda: os.close(c))
step("set the times by path while the second is open",
     lambda: os.utime(path, (1000000000, 1000000000)))
check("the second still reads after that",
      step("pread", lambda: os.pread(b, 5, 5)) == b"again")
step("close the second", lambda: os.close(b))
for i in range(20):
    p = os.path.join(mnt, "after%d" % i)
    fd = step("open a new file (%d)" % i,
              lambda: os.open(p, os.O_RDWR | os.O_CREAT, 0o600))
    if fd is None:
        continue
    step("and write it", lambda: os.write(fd, b"x" * i))
    os.close(fd)
with open(os.path.join(export, "shared"), "rb") as f:
    data = f.read()
check("the server has every write", data[:10] == b"thirdagain"
      and data[10:] == b"first" * 998, repr(data[:16]))
sys.exit(1 if failed else 0)
