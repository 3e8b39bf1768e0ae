#!/usr/bin/env python3
"""Posts one message to an IRC channel once a given nick has joined it.

  irc-post.py PORT CHANNEL NICK TEXT [--timeout SECONDS]

Connects with TLS (certificate not checked: the test's server is
self-signed) to 127.0.0.1:PORT as "poster", joins CHANNEL, asks for its
names every second until NICK is among them, then says TEXT there.
Exits 0 once the server has taken it, 1 on timeout.
"""
import argparse
import socket
import ssl
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("channel")
    parser.add_argument("nick")
    parser.add_argument("text")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", args.port), timeout=10))
    sock.settimeout(0.5)
    sock.sendall(b"NICK poster\r\nUSER poster 0 * :tinct test\r\n")
    buffer = b""
    joined = False
    said = False
    last_names = 0.0
    while time.monotonic() < deadline:
        try:
            data = sock.recv(4096)
            if not data:
                return 1
            buffer += data
        except socket.timeout:
            pass
        while b"\r\n" in buffer:
            line, buffer = buffer.split(b"\r\n", 1)
            words = line.decode(errors="replace").split(" ")
            if words[0] == "PING":
                sock.sendall(("PONG " + " ".join(words[1:]) + "\r\n").encode())
            elif len(words) > 1 and words[1] == "001":
                sock.sendall(("JOIN " + args.channel + "\r\n").encode())
                joined = True
            elif len(words) > 5 and words[1] == "353":
                names = [n.lstrip("@+") for n in " ".join(words[5:]).lstrip(":").split()]
                if args.nick in names and not said:
                    # The server delays the commands of a client that sent
                    # many (NAMES) and drops them when it hangs up: its
                    # PONG says the message went out.
                    sock.sendall(("PRIVMSG %s :%s\r\nPING :said\r\n" % (args.channel, args.text)).encode())
                    said = True
            elif len(words) > 3 and words[1] == "PONG" and words[-1].lstrip(":") == "said":
                sock.sendall(b"QUIT\r\n")
                print("posted to %s, where %s is" % (args.channel, args.nick))
                return 0
        if joined and not said and time.monotonic() - last_names > 1:
            sock.sendall(("NAMES " + args.channel + "\r\n").encode())
            last_names = time.monotonic()
    sys.stderr.write("timeout: %s never joined %s\n" % (args.nick, args.channel))
    return 1


if __name__ == "__main__":
    sys.exit(main())
