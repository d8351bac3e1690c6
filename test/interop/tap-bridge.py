#!/usr/bin/env python3
"""Relay Ethernet frames between a Linux tap device and stdin/stdout.

Usage: tap-bridge.py IFNAME
Framing on both pipes: 2-byte big-endian length, then the frame. Stdlib only; needs
CAP_NET_ADMIN (or an existing tap owned by the user). Exits when stdin closes.

Throughput: every wake-up drains the tap (non-blocking, up to MAX_BATCH frames) into one
write to stdout, and reads stdin in large chunks that may hold many frames, so a bulk
transfer costs a few system calls per batch rather than per frame.
"""
import errno
import fcntl
import os
import select
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_BATCH = 256
STDIN_CHUNK = 1 << 18


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: tap-bridge.py IFNAME\n")
        return 2
    name = sys.argv[1].encode()
    tap = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", name, IFF_TAP | IFF_NO_PI))
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    sys.stderr.write("ready\n")
    sys.stderr.flush()
    pending = b""
    while True:
        readable, _, _ = select.select([tap, stdin], [], [])
        if tap in readable:
            out = []
            for _ in range(MAX_BATCH):
                try:
                    frame = os.read(tap, 65536)
                except BlockingIOError:
                    break
                except OSError as e:  # e.g. EIO while the interface is down
                    if e.errno in (errno.EAGAIN, errno.EIO):
                        break
                    raise
                out.append(struct.pack(">H", len(frame)))
                out.append(frame)
            if out:
                write_all(stdout, b"".join(out))
        if stdin in readable:
            chunk = os.read(stdin, STDIN_CHUNK)
            if not chunk:
                return 0
            pending += chunk
            off = 0
            while len(pending) - off >= 2:
                (length,) = struct.unpack_from(">H", pending, off)
                if len(pending) - off - 2 < length:
                    break
                frame = pending[off + 2:off + 2 + length]
                off += 2 + length
                try:
                    os.write(tap, frame)
                except OSError as e:  # interface down or queue full: drop the frame, as a wire would
                    sys.stderr.write("tap write failed: %s\n" % e)
            pending = pending[off:]


if __name__ == "__main__":
    sys.exit(main())
