#!/bin/sh
# A VM cannot crash tinct by shrinking shared memory under it: a client on a
# VM socket maps a window from an unsealed memfd pool, destroys the
# wl_buffer (wlroots 0.15 keeps reading the pool), truncates the file to
# zero and asks for a redraw. tinct must survive, keep drawing the window
# (framed, its lost pixels as zeros) and keep serving host clients.
. "$(dirname "$0")/lib.sh"
need grim wayland-info python3

HOSTILE="$TINCT_BUILD_ROOT/tests/tools/hostile-client"
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"

fake_vm red red
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 log_has "VM red: starting -> running" || fail "red did not start"
red_socket=$("$TINCTCTL" socket red) || fail "tinctctl socket red"

client_says() {
	grep -q "^$2\$" "$TEST_DIR/$1.out"
}

survived_or_tinct_dead() {
	client_says "$1" survived || ! kill -0 "$TINCT_PID" 2>/dev/null
}

# shrink NAME ARGS...: runs the hostile client until tinct drew again after
# the shrink, or fails (tinct dead, or no redraw within the bound).
shrink() {
	name=$1
	shift
	WAYLAND_DISPLAY="$red_socket" background_out "$name" "$HOSTILE" shrink-pool "$@"
	wait_for 20 client_says "$name" drawn || fail "$name: window not drawn: $(cat "$TEST_DIR/$name.out")"
	wait_for 20 client_says "$name" shrunk || fail "$name: pool not shrunk"
	wait_for 20 survived_or_tinct_dead "$name" ||
		fail "$name: no redraw after the pool shrank: $(cat "$TEST_DIR/$name.out")"
	kill -0 "$TINCT_PID" 2>/dev/null || fail "$name: tinct died after the pool shrank"
	tinct_alive
}

background_out() {
	out=$1
	shift
	"$@" >"$TEST_DIR/$out.out" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	LAST_PID=$!
}

# The wl_buffer gone: only wlroots' saved pool reference is left to read.
shrink destroyed --size 200x120 --colour 102030
shot="$TEST_DIR/destroyed.ppm"
screenshot "$shot" || fail "grim after the shrink"
tinct_alive
# The window is still drawn: its frame in red (focused or not) and the title
# bar; the content it took away reads as zeros (black).
frame=$(($(count_colour "$shot" cc0000) + $(count_colour "$shot" 700000)))
[ "$frame" -gt 500 ] || fail "the shrunk window has no red frame ($frame pixels)"
[ "$(count_colour "$shot" 102030)" = 0 ] || fail "the truncated pixels are still shown"
[ "$(count_colour "$shot" 000000)" -ge $((200 * 120)) ] ||
	fail "the window's content is not drawn as zeros"

# The buffer kept: libwayland's own guard and tinct's must not fight.
shrink kept --keep-buffer --size 160x100 --colour 203040
screenshot "$TEST_DIR/kept.ppm" || fail "grim after the second shrink"
tinct_alive

# Host clients are served as before.
"$TINCTCTL" list >"$TEST_DIR/list" || fail "tinctctl list after the shrinks"
grep -q red "$TEST_DIR/list" || fail "tinctctl list lost red: $(cat "$TEST_DIR/list")"
wayland-info >/dev/null 2>&1 || fail "wayland-info on the host socket"
stop_tinct
