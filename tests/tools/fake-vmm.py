#!/usr/bin/env python3
"""A stand-in VMM for tests that need a VM but no guest: it listens on the
serial socket tinct connects to (like QEMU's server=on chardev), greets,
echoes what it receives, and runs until SIGTERM/SIGINT.

  fake-vmm.py SERIAL_SOCKET NAME
"""
import os
import signal
import socket
import sys


def main():
    path, name = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    while True:
        conn, _ = server.accept()
        conn.sendall(f"fake-vmm: console of {name}\r\n".encode())
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)


if __name__ == "__main__":
    main()
