#!/usr/bin/env python3
"""notify_harness: plays the service manager's side for one daemon.

It binds the NOTIFY_SOCKET datagram socket (a path, or "@name" for the
abstract namespace), optionally a pre-bound Unix stream socket passed as
fd 3 with LISTEN_FDS=1 (socket activation), sets WATCHDOG_USEC and the
*_PID variables to the daemon's own pid, and runs the daemon.  Every
datagram becomes one line on stdout ("READY=1|STATUS=serving"); when a
READY=1 arrives and --check is given, the harness at once sends that
request to the daemon's socket and writes "ANSWERED <status>" or
"NOT-ANSWERED <why>": READY must mean the daemon answers.  "EXIT <code>"
ends the output when the daemon exits.  SIGTERM is passed on.
"""
import argparse
import os
import select
import signal
import socket
import sys


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def check(path, method, url):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        s.sendall(("%s %s HTTP/1.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                   % (method, url)).encode())
        line = s.makefile("rb").readline().decode(errors="replace").split()
        return "ANSWERED %s" % (line[1] if len(line) > 1 else "?")
    except OSError as e:
        return "NOT-ANSWERED %s" % e
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notify", required=True)
    ap.add_argument("--listen-unix")
    ap.add_argument("--no-listen", action="store_true",
                    help="pass the socket bound but not listening")
    ap.add_argument("--watchdog-usec", type=int, default=0)
    ap.add_argument("--log", help="the daemon's stdout and stderr")
    ap.add_argument("--check", nargs=3, metavar=("SOCKET", "METHOD", "PATH"))
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.argv[1:] if a.argv[:1] == ["--"] else a.argv

    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = "\0" + a.notify[1:] if a.notify.startswith("@") else a.notify
    if not a.notify.startswith("@") and os.path.exists(a.notify):
        os.unlink(a.notify)
    ns.bind(addr)
    ls = None
    if a.listen_unix:
        if os.path.exists(a.listen_unix):
            os.unlink(a.listen_unix)
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(a.listen_unix)
        if not a.no_listen:
            ls.listen(16)

    pid = os.fork()
    if pid == 0:
        me = str(os.getpid())
        os.environ["NOTIFY_SOCKET"] = a.notify
        if a.watchdog_usec:
            os.environ["WATCHDOG_USEC"] = str(a.watchdog_usec)
            os.environ["WATCHDOG_PID"] = me
        if ls is not None:
            os.dup2(ls.fileno(), 3, inheritable=True)
            os.environ["LISTEN_FDS"] = "1"
            os.environ["LISTEN_PID"] = me
        ns.close()
        if a.log:
            fd = os.open(a.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
        os.execvp(argv[0], argv)

    def forward(sig, _frame):
        try:
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    say("PID %d" % pid)
    if ls is not None:
        ls.close()
    while True:
        try:
            r, _, _ = select.select([ns], [], [], 0.2)
        except InterruptedError:
            continue
        if r:
            msg = ns.recv(4096).decode(errors="replace")
            say(msg.strip("\n").replace("\n", "|"))
            if "READY=1" in msg.split("\n") and a.check:
                say(check(*a.check))
            continue
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            # Datagrams sent just before the exit.
            while select.select([ns], [], [], 0)[0]:
                say(ns.recv(4096).decode(errors="replace")
                    .strip("\n").replace("\n", "|"))
            say("EXIT %d" % (os.waitstatus_to_exitcode(status)))
            break
    if not a.notify.startswith("@"):
        os.unlink(a.notify)


if __name__ == "__main__":
    main()
