#!/usr/bin/env python3
"""A stand-in VMM taken over by its guest: before it serves its serial
console (like fake-vmm.py), it tries to reach what a VMM must not, and
writes one line per attempt to REPORT (in its own runtime directory), also
sent to whoever attaches to its console:

  reached KIND PATH
  reached list PATH: ENTRY...      (what the directory holds, sorted)
  blocked KIND PATH: WHY

KIND=PATH targets: socket (connect to a Unix socket), list (a directory),
read (open a file), write (create or append to a file). Then a line
`status NoNewPrivs=N Seccomp=N Uid=N pids=N` (pids it can see in /proc)
and `done`.

  escape-vmm.py SERIAL_SOCKET NAME REPORT KIND=PATH...
"""
import os
import signal
import socket
import sys


def attempt(kind, path):
    try:
        if kind == "socket":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect(path)
            s.close()
        elif kind == "list":
            return f"reached list {path}: {' '.join(sorted(os.listdir(path)))}"
        elif kind == "read":
            with open(path, "rb") as f:
                f.read(1)
        elif kind == "plant":
            # LINK:TARGET: a symbolic link where tinct keeps a file.
            link, target = path.split(":", 1)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(target, link)
        elif kind == "write":
            with open(path, "ab") as f:
                f.write(b"escaped\n")
        else:
            return f"blocked {kind} {path}: unknown kind"
    except OSError as e:
        return f"blocked {kind} {path}: {e.strerror or e}"
    return f"reached {kind} {path}"


def status():
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else ""
    pids = sum(1 for e in os.listdir("/proc") if e.isdigit())
    return (f"status NoNewPrivs={fields.get('NoNewPrivs')} "
            f"Seccomp={fields.get('Seccomp')} Uid={fields.get('Uid')} pids={pids}")


def main():
    path, name, report = sys.argv[1], sys.argv[2], sys.argv[3]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lines = []
    for target in sys.argv[4:]:
        kind, _, where = target.partition("=")
        lines.append(attempt(kind, where))
    lines.append(status())
    lines.append("done")
    text = "".join(line + "\n" for line in lines)
    with open(report, "w") as f:
        f.write(text)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    while True:
        conn, _ = server.accept()
        conn.sendall(f"escape-vmm: console of {name}\r\n".encode() +
                     text.replace("\n", "\r\n").encode())
        while conn.recv(4096):
            pass


if __name__ == "__main__":
    main()
