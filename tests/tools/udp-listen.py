#!/usr/bin/env python3
"""udp-listen.py FIRST COUNT OUT: listens for UDP on 127.0.0.1 ports FIRST ..
FIRST+COUNT-1 and appends the port of each datagram that arrives, one per
line, to OUT (the netvm test watches what reaches the host's loopback)."""
import select
import socket
import sys

first, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", first + i))
    socks.append(s)
open(out, "w").close()
while True:
    ready, _, _ = select.select(socks, [], [])
    for s in ready:
        s.recvfrom(65536)
        with open(out, "a") as f:
            f.write("%d\n" % s.getsockname()[1])
