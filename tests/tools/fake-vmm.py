#!/usr/bin/env python3
"""A stand-in VMM for tests that need a VM but no guest: it listens on the
serial socket tinct connects to (like QEMU's server=on chardev), greets,
echoes what it receives, and runs until SIGTERM/SIGINT.

  fake-vmm.py SERIAL_SOCKET NAME [--guest] [--crash STATUS]

--guest: behaves like a guest that reports when it is up: it prints
"tinct-guest: ready" only once it has received the line "go".
--crash STATUS: on the line "die" it prints an oops on the serial
console, a last words line on stderr (its vmm.log) and exits with STATUS.
"""
import os
import signal
import socket
import sys


def main():
    path, name = sys.argv[1], sys.argv[2]
    guest = "--guest" in sys.argv[3:]
    crash = None
    if "--crash" in sys.argv[3:]:
        crash = int(sys.argv[sys.argv.index("--crash") + 1])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    print(f"fake-vmm: serving {name}", file=sys.stderr, flush=True)
    while True:
        conn, _ = server.accept()
        conn.sendall(f"fake-vmm: console of {name}\r\n".encode())
        if guest:
            conn.sendall(b"fake-vmm: booting\r\n")
        line = b""
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
            line += data
            while b"\n" in line or b"\r" in line:
                cut = min(i for i in (line.find(b"\n"), line.find(b"\r")) if i >= 0)
                word, line = line[:cut].strip(), line[cut + 1:]
                if word == b"go" and guest:
                    conn.sendall(b"\r\ntinct-guest: ready\r\n")
                elif word == b"die" and crash is not None:
                    conn.sendall(b"\r\nOops: fake-vmm was told to die\r\n")
                    print("fake-vmm: fatal: the disk is on fire", file=sys.stderr, flush=True)
                    print("", file=sys.stderr, flush=True)
                    os._exit(crash)


if __name__ == "__main__":
    main()
