#!/usr/bin/env python3
"""Relay Ethernet frames between a Linux tap device and stdin/stdout.

Usage: tap-bridge.py IFNAME
Framing on both pipes: 2-byte big-endian length, then the frame. Stdlib only; needs
CAP_NET_ADMIN (or an existing tap owned by the user). Exits when stdin closes.
"""
import fcntl
import os
import select
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def read_exact(fd, n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: tap-bridge.py IFNAME\n")
        return 2
    name = sys.argv[1].encode()
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", name, IFF_TAP | IFF_NO_PI))
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    sys.stderr.write("ready\n")
    sys.stderr.flush()
    while True:
        readable, _, _ = select.select([tap, stdin], [], [])
        if tap in readable:
            frame = os.read(tap, 65536)
            out = struct.pack(">H", len(frame)) + frame
            view = memoryview(out)
            while view:
                view = view[os.write(stdout, view):]
        if stdin in readable:
            header = read_exact(stdin, 2)
            if header is None:
                return 0
            (length,) = struct.unpack(">H", header)
            frame = read_exact(stdin, length)
            if frame is None:
                return 0
            try:
                os.write(tap, frame)
            except OSError as e:  # e.g. the interface is down: drop the frame, keep going
                sys.stderr.write("tap write failed: %s\n" % e)


if __name__ == "__main__":
    sys.exit(main())
