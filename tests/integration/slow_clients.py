#!/usr/bin/env python3
"""slow_clients.py: hostile HTTP clients for the denial-of-service tests.

  hold    open COUNT connections, each sending a partial request header and
          then one more byte every few seconds (enough to defeat an idle
          timeout), until killed.  Once every connection is attempted it
          writes "open=N busy=M other=K" to OUT: still open, answered 503,
          and closed or reset without an answer.
  trickle one connection sending a request one byte a second; prints
          "closed" when the server closes it before the request is whole,
          "open" when the whole request went through without that.

  slow_clients.py hold (--tcp HOST:PORT [--source ADDR] | --unix PATH) COUNT OUT
  slow_clients.py trickle (--tcp HOST:PORT [--source ADDR] | --unix PATH)
"""
import argparse
import resource
import select
import socket
import sys
import time

PARTIAL = b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: "
WHOLE = b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"


def connect(args):
    if args.unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(args.unix)
        return s
    host, port = args.tcp.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args.source:
        s.bind((args.source, 0))
    s.connect((host, int(port)))
    return s


def readable(s, timeout_ms):
    p = select.poll()
    p.register(s, select.POLLIN)
    return bool(p.poll(timeout_ms))


def hold(args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.count + 64)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks, failed = [], 0
    for _ in range(args.count):
        try:
            s = connect(args)
        except OSError:
            failed += 1
            continue
        s.setblocking(False)
        try:
            s.send(PARTIAL)
        except OSError:
            # Refused before the header went out: the server's 503 and
            # close can beat the send, and the 503 is still there to read.
            pass
        socks.append(s)
    time.sleep(1)
    open_socks = []
    busy, other = 0, failed
    for s in socks:
        if not readable(s, 0):
            open_socks.append(s)
            continue
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 503 "):
            busy += 1
        else:
            other += 1
        s.close()
    with open(args.out, "w") as f:
        f.write("open=%d busy=%d other=%d\n" % (len(open_socks), busy, other))
    while True:
        time.sleep(5)
        for s in open_socks:
            try:
                s.send(b"a")
            except OSError:
                pass


def trickle(args):
    s = connect(args)
    for i in range(len(WHOLE)):
        try:
            s.send(WHOLE[i:i + 1])
        except OSError:
            print("closed")
            return
        if readable(s, 1000):
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                print("closed")
                return
            if i < len(WHOLE) - 1:
                print("answered before the request was whole")
                return
    print("open")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["hold", "trickle"])
    p.add_argument("--tcp")
    p.add_argument("--source")
    p.add_argument("--unix")
    p.add_argument("count", nargs="?", type=int, default=1)
    p.add_argument("out", nargs="?")
    args = p.parse_intermixed_args()
    if bool(args.tcp) == bool(args.unix):
        sys.exit("give --tcp or --unix")
    if args.mode == "hold":
        hold(args)
    else:
        trickle(args)


if __name__ == "__main__":
    main()
