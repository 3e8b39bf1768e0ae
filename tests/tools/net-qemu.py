#!/usr/bin/env python3
"""A stand-in QEMU for the network tests: no guest, only what tinct gives a
QEMU of a network VM or of an app VM on one.

It takes QEMU's command line (as vm-def's `vmm-binary`), listens on the
serial and QMP sockets, says "tinct-guest: ready" on the serial console and
answers every QMP command ({"return": {}}; system_powerdown exits). For each
`-netdev dgram,id=ID,local.type=fd,local.str=N` it has descriptor N. What it
does with them depends on the VM's name (tinct.name= of -append):

  netvm*    appends "ID: FRAME" to <runtime dir>/frames for each frame
  hostile*  spoils its link the ways a hostile QEMU can for the next one
            (shut down for writing, a locked filter dropping everything),
            then writes <runtime dir>/spoiled and idles
  other     sends "frame from NAME" on its link every 0.2 s

The runtime directory is the serial socket's.
"""
import os
import select
import signal
import socket
import struct
import sys
import time


def options(text):
    """'kind,key=value,...' -> (kind, {key: value})."""
    parts = text.split(",")
    return parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)


def listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s.bind(path)
    s.listen(4)
    return s


def spoil(fd):
    s = socket.socket(fileno=os.dup(fd))
    s.shutdown(socket.SHUT_WR)
    # SO_ATTACH_FILTER with "return 0" (drop), then SO_LOCK_FILTER.
    insn = struct.pack("HBBI", 0x06, 0, 0, 0)
    buf = __import__("ctypes").create_string_buffer(insn)
    addr = __import__("ctypes").addressof(buf)
    prog = struct.pack("HL", 1, addr)
    s.setsockopt(socket.SOL_SOCKET, 26, prog)  # SO_ATTACH_FILTER
    s.setsockopt(socket.SOL_SOCKET, 44, 1)  # SO_LOCK_FILTER
    s.detach()


def main():
    args = sys.argv[1:]
    serial = qmp = name = None
    links = []
    for flag, value in zip(args, args[1:]):
        if flag == "-chardev":
            kind, opts = options(value)
            if opts.get("id") == "serial0":
                serial = opts["path"]
            elif opts.get("id") == "qmp":
                qmp = opts["path"]
        elif flag == "-append":
            for word in value.split():
                if word.startswith("tinct.name="):
                    name = word.split("=", 1)[1]
        elif flag == "-netdev":
            kind, opts = options(value)
            if kind == "dgram" and opts.get("local.type") == "fd":
                links.append((opts["id"], int(opts["local.str"])))
    if serial is None or qmp is None or name is None:
        sys.exit("net-qemu.py: no serial, QMP or name on the command line")
    runtime = os.path.dirname(serial)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listeners = [listen(serial), listen(qmp)]
    link_socks = {}
    if name.startswith("hostile"):
        for _, fd in links:
            spoil(fd)
        open(os.path.join(runtime, "spoiled"), "w").close()
    else:
        for link_id, fd in links:
            s = socket.socket(fileno=fd)
            s.setblocking(False)
            link_socks[s] = link_id
    clients = {}
    next_send = time.monotonic()
    while True:
        timeout = max(0.0, next_send - time.monotonic())
        ready, _, _ = select.select(listeners + list(clients) + list(link_socks), [], [], timeout)
        for s in ready:
            if s in listeners:
                conn, _ = s.accept()
                if s is listeners[0]:
                    conn.sendall(b"tinct-guest: ready\r\n")
                    clients[conn] = "serial"
                else:
                    conn.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
                    clients[conn] = "qmp"
            elif s in clients:
                data = s.recv(4096)
                if not data:
                    del clients[s]
                    s.close()
                elif clients[s] == "qmp":
                    for line in data.splitlines():
                        if line.strip():
                            s.sendall(b'{"return": {}}\r\n')
                        if b"system_powerdown" in line:
                            sys.exit(0)
            else:
                try:
                    frame = s.recv(65536)
                except BlockingIOError:
                    continue
                with open(os.path.join(runtime, "frames"), "a") as f:
                    f.write("%s: %s\n" % (link_socks[s], frame.decode(errors="replace")))
        if time.monotonic() >= next_send:
            next_send = time.monotonic() + 0.2
            if not name.startswith("netvm"):
                for s in link_socks:
                    try:
                        s.send(b"frame from " + name.encode())
                    except OSError:
                        pass


if __name__ == "__main__":
    main()
