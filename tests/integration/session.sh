#!/bin/sh
# `make run` without any display: scripts/run-session starts tinct headless
# with wayvnc on loopback, and a VNC client gets the RFB greeting; a user
# without VM definitions of their own gets the demo VMs; the WAYLAND_DISPLAY
# and runtime directory for tinctctl are printed; and when wayvnc cannot
# listen, the session stops with a clear message instead of running unseen.
. "$(dirname "$0")/lib.sh"
need wayvnc foot python3

port=$((20000 + $$ % 20000))
TINCT_DEMO_SERVERS=0 TINCT_VNC_PORT=$port setsid "$TINCT_SOURCE_ROOT/scripts/run-session" "$TINCT_BUILD_ROOT" \
	>"$TEST_DIR/session.out" 2>&1 </dev/null &
session=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $session"
TINCT_PID=$session # run-session execs tinct

rfb_greeting() {
	python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
greeting = s.recv(12)
sys.exit(0 if greeting.startswith(b"RFB ") else 1)
PY
}
wait_for 20 rfb_greeting || fail "no VNC server on 127.0.0.1:$port: $(cat "$TEST_DIR/session.out")"
grep -q "127.0.0.1:$port" "$TEST_DIR/session.out" || fail "no connection instructions printed"
if command -v ss >/dev/null; then
	ss -ltn | grep -q "127.0.0.1:$port" || fail "wayvnc is not bound to loopback"
fi
# What to point tinctctl at is printed, and it reaches the session.
wl=$(sed -n 's/.*WAYLAND_DISPLAY=\([^ ]*\).*/\1/p' "$TEST_DIR/session.out" | head -n1)
rt=$(sed -n 's/.*XDG_RUNTIME_DIR=\([^ ]*\).*/\1/p' "$TEST_DIR/session.out" | head -n1)
[ -n "$wl" ] && [ -n "$rt" ] || fail "WAYLAND_DISPLAY and XDG_RUNTIME_DIR not printed: $(cat "$TEST_DIR/session.out")"
# No definitions of the user's own: the demo VMs are in the menu.
demo_vms() {
	WAYLAND_DISPLAY=$wl XDG_RUNTIME_DIR=$rt "$TINCTCTL" list --json | python3 -c '
import json, sys
names = {v["name"] for v in json.load(sys.stdin)}
sys.exit(0 if {"appvm-lynx", "appvm-catgirl"} <= names else 1)'
}
wait_for 10 demo_vms || fail "the demo VMs are not offered: $(WAYLAND_DISPLAY=$wl XDG_RUNTIME_DIR=$rt "$TINCTCTL" list 2>&1)"
kill -TERM "$session"
wait_for 10 not_running "$session" || fail "session did not stop on SIGTERM"
TINCT_PID=

# The port is taken: the session must stop and say why.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(120)' "$port" &
BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
port_taken() {
	ss -ltn | grep -q "127.0.0.1:$port"
}
wait_for 10 port_taken || fail "could not occupy port $port"
TINCT_DEMO_SERVERS=0 TINCT_VNC_PORT=$port setsid "$TINCT_SOURCE_ROOT/scripts/run-session" "$TINCT_BUILD_ROOT" \
	>"$TEST_DIR/taken.out" 2>&1 </dev/null &
session=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $session"
wait_for 20 not_running "$session" || fail "the session runs on although wayvnc cannot listen"
grep -q "wayvnc cannot listen on 127.0.0.1:$port" "$TEST_DIR/taken.out" ||
	fail "no clear message: $(tail -5 "$TEST_DIR/taken.out")"
