#!/bin/sh
# `make run` without any display: scripts/run-session starts tinct headless
# with wayvnc on loopback, and a VNC client gets the RFB greeting.
. "$(dirname "$0")/lib.sh"
need wayvnc foot python3

port=$((20000 + $$ % 20000))
TINCT_VNC_PORT=$port setsid "$TINCT_SOURCE_ROOT/scripts/run-session" "$TINCT_BUILD_ROOT" \
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
kill -TERM "$session"
wait_for 10 not_running "$session" || fail "session did not stop on SIGTERM"
TINCT_PID=
