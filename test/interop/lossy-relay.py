#!/usr/bin/env python3
"""A lossy link for VM tests (issue 10): relays Ethernet frames between a QEMU socket netdev
(UDP, one frame per datagram) and a Linux tap device, and on the way drops, duplicates,
reorders and delays them, decided by a seeded PRNG (the same seed gives the same decisions
for the same frame sequence).

Usage: lossy-relay.py TAP LISTEN_PORT QEMU_PORT [--seed N] [--loss P] [--dup P]
                      [--reorder P] [--delay MS] [--stats FILE]

QEMU runs with `-netdev socket,id=n0,udp=127.0.0.1:LISTEN_PORT,localaddr=127.0.0.1:QEMU_PORT`:
it sends to LISTEN_PORT and receives on QEMU_PORT. Each impairment applies per frame and per
direction: dropped with probability P (loss), sent twice (dup), held back and sent after the
frames behind it (reorder: held 4 ms), and every frame waits DELAY ms. Counters (JSON, per direction) go to
FILE on SIGTERM/SIGINT and every second. Stdlib only; needs the tap to exist (or
CAP_NET_ADMIN).
"""
import argparse
import fcntl
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_FRAME = 65536
REORDER_HOLD = 0.004  # s


class Direction:
    """One direction's impairments and counters."""

    def __init__(self, name, rng, args):
        self.name = name
        self.rng = rng
        self.args = args
        self.stats = {"in": 0, "out": 0, "dropped": 0, "duplicated": 0, "reordered": 0}

    def decide(self, frame):
        """(frame, extra delay in s) pairs to send for one frame in."""
        a = self.args
        self.stats["in"] += 1
        if self.rng.random() < a.loss:
            self.stats["dropped"] += 1
            return []
        out = [(frame, 0.0)]
        if self.rng.random() < a.dup:
            self.stats["duplicated"] += 1
            out.append((frame, 0.0))
        if self.rng.random() < a.reorder:
            # Held back REORDER_HOLD: the frames behind it overtake it.
            self.stats["reordered"] += 1
            out[0] = (frame, REORDER_HOLD)
        return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tap")
    p.add_argument("listen_port", type=int)
    p.add_argument("qemu_port", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--loss", type=float, default=0.0)
    p.add_argument("--dup", type=float, default=0.0)
    p.add_argument("--reorder", type=float, default=0.0)
    p.add_argument("--delay", type=float, default=0.0, help="ms")
    p.add_argument("--stats")
    a = p.parse_args()

    tap = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", a.tap.encode(), IFF_TAP | IFF_NO_PI))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", a.listen_port))
    udp.setblocking(False)
    qemu = ("127.0.0.1", a.qemu_port)

    # Two generators from one seed: each direction's decisions do not depend on the other's traffic.
    to_tap = Direction("to-tap", random.Random(a.seed * 2 + 1), a)
    to_vm = Direction("to-vm", random.Random(a.seed * 2 + 2), a)
    pending = []  # (due, order, direction, frame): delayed and held-back frames
    order = 0

    def write_stats():
        if not a.stats:
            return
        tmp = a.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"to-tap": to_tap.stats, "to-vm": to_vm.stats}, f)
        os.replace(tmp, a.stats)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))

    def send(direction, frame):
        try:
            if direction is to_tap:
                os.write(tap, frame)
            else:
                udp.sendto(frame, qemu)
            direction.stats["out"] += 1
        except (BlockingIOError, ConnectionRefusedError):
            direction.stats["dropped"] += 1  # the receiver is not there or full: a real loss

    def take(direction, frame):
        nonlocal order
        due = time.monotonic() + a.delay / 1000.0
        for f, extra in direction.decide(frame):
            if a.delay <= 0 and extra == 0:
                send(direction, f)
            else:
                order += 1
                heapq.heappush(pending, (due + extra, order, direction, f))

    last_stats = 0.0
    while not stopping:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, d, f = heapq.heappop(pending)
            send(d, f)
        timeout = 0.2
        if pending:
            timeout = max(0.0, min(timeout, pending[0][0] - now))
        try:
            r, _, _ = select.select([tap, udp], [], [], timeout)
        except InterruptedError:
            continue
        if tap in r:
            for _ in range(256):
                try:
                    frame = os.read(tap, MAX_FRAME)
                except BlockingIOError:
                    break
                take(to_vm, frame)
        if udp in r:
            for _ in range(256):
                try:
                    frame, _addr = udp.recvfrom(MAX_FRAME)
                except BlockingIOError:
                    break
                take(to_tap, frame)
        if now - last_stats >= 1.0:
            last_stats = now
            write_stats()
    write_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
