#!/usr/bin/env python3
"""Linux-side TCP peers for the interop tests (stdlib only; runs inside the test namespace).

Usage:
  linux-peer.py send-close ADDR PORT MESSAGE   accept one connection, send MESSAGE, close first
  linux-peer.py sink ADDR PORT                 accept one connection, read to EOF, then close
Prints "listening" (stderr) once bound, and on stdout one JSON line per connection:
{"peerPort": N, "bytes": N, "sha256": "..."} (bytes/sha256 of what was received).
"""
import hashlib
import json
import socket
import sys


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(30)
    sys.stderr.write("listening\n")
    sys.stderr.flush()
    conn, peer = srv.accept()
    srv.close()
    conn.settimeout(30)
    h = hashlib.sha256()
    total = 0
    if mode == "send-close":
        conn.sendall(sys.argv[4].encode())
    elif mode == "sink":
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            h.update(chunk)
    else:
        sys.stderr.write("unknown mode %s\n" % mode)
        return 2
    conn.close()
    print(json.dumps({"peerPort": peer[1], "bytes": total, "sha256": h.hexdigest()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
