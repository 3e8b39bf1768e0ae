#!/usr/bin/env python3
"""A stand-in VMM whose guest attacks the terminal of whoever attaches to
its serial console: it listens on the serial socket (like fake-vmm.py) and
greets every connection with OSC 52 clipboard writes and a query, OSC 0/2
titles, DA1/DA2, DSR, XTGETTCAP, DECRQSS, OSC 11 and window-op queries,
mixed with text and colours that should pass. Then a block of magenta
background (so a screenshot shows that a terminal got that far) and the
line "hostile-done". Every byte it receives back is appended to RECEIVED;
the first input (the user typed, so the terminal has a fresh input serial
to set the clipboard with) gets another clipboard write and title, then a
cyan block.

  hostile-vmm.py SERIAL_SOCKET NAME RECEIVED
"""
import os
import signal
import socket
import sys

ESC = b"\x1b"
BEL = b"\x07"
ST = ESC + b"\\"

PAYLOAD = b"".join([
    b"hostile-start\r\n",
    ESC + b"]52;c;cHduZWQ=" + BEL,  # clipboard := "pwned"
    ESC + b"]52;c;cHduZWQy" + ST,  # clipboard := "pwned2"
    ESC + b"]52;c;?" + BEL,  # read the clipboard back
    ESC + b"]2;pwned-title" + BEL,
    ESC + b"]0;pwned-title" + ST,
    ESC + b"[c",  # DA1
    ESC + b"[>c",  # DA2
    ESC + b"[6n",  # cursor position report
    ESC + b"P+q544e" + ST,  # XTGETTCAP TN
    ESC + b"P$qm" + ST,  # DECRQSS SGR
    ESC + b"]11;?" + BEL,  # background colour
    ESC + b"[21t",  # report the title
    ESC + b"[?1000h",  # mouse reporting
    b"visible-text ",
    ESC + b"[1;31mred" + ESC + b"[0m\r\n",
    ESC + b"[48;2;255;0;255m" + b" " * 400 + ESC + b"[0m\r\n",
    b"hostile-done\r\n",
])

AFTER_INPUT = b"".join([
    ESC + b"]52;c;cHduZWQz" + BEL,  # clipboard := "pwned3"
    ESC + b"]2;pwned-title" + ST,
    ESC + b"[48;2;0;255;255m" + b" " * 400 + ESC + b"[0m\r\n",
])


def main():
    path, name, received = sys.argv[1], sys.argv[2], sys.argv[3]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    with open(received, "ab", buffering=0) as log:
        while True:
            conn, _ = server.accept()
            conn.sendall(f"hostile-vmm: console of {name}\r\n".encode() + PAYLOAD)
            answered = False
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                log.write(data)
                if not answered:
                    conn.sendall(AFTER_INPUT)
                    answered = True


if __name__ == "__main__":
    main()
