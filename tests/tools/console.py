#!/usr/bin/env python3
"""Reads a VM's console relay socket (protocol in vmm/console.h).

  console.py SOCKET OUTFILE [--until TEXT] [--timeout SECONDS] [--send TEXT]

Attaches, writes everything the guest prints to OUTFILE (backlog first) and
exits 0 as soon as TEXT has appeared, or, without --until, when the server
closes the connection (the VM stopped). Exits 1 on timeout, 2 when refused.
--send writes TEXT to the guest after attaching.
"""
import argparse
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("outfile")
    parser.add_argument("--until")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--send")
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.socket)
    status = sock.recv(1)
    if status != b"\x06":
        sys.stderr.write("refused: " + sock.recv(4096).decode(errors="replace"))
        return 2
    if args.send:
        sock.sendall(args.send.encode())
    seen = b""
    with open(args.outfile, "wb") as out:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return 1
            sock.settimeout(left)
            try:
                data = sock.recv(65536)
            except socket.timeout:
                return 1
            if not data:
                return 0 if args.until is None else 1
            out.write(data)
            out.flush()
            seen += data
            if args.until is not None and args.until.encode() in seen:
                return 0


if __name__ == "__main__":
    sys.exit(main())
