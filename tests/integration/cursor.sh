#!/bin/sh
# A VM's cursor image stays a cursor: its hotspot must lie inside the image
# (else tinct shows its own), and it never covers the panel (near the panel
# tinct shows its own cursor). Screenshots include the cursor (grim -c).
. "$(dirname "$0")/lib.sh"
need grim python3

fake_vm sly red
start_tinct --vms "$TEST_DIR/vms"
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
wait_for 20 "$TINCTCTL" socket sly >/dev/null 2>&1 || fail "sly has no socket"
sock=$("$TINCTCTL" socket sly)
magenta_count() {
	grim -c -t ppm "$TEST_DIR/c.ppm" && python3 "$PIXELS" count "$TEST_DIR/c.ppm" ff00ff 0
}
panel_magenta() {
	grim -c -t ppm "$TEST_DIR/c.ppm" && panel_count "$TEST_DIR/c.ppm" ff00ff
}
cursor_sets() {
	grep -c "cursor set" "$TEST_DIR/$1.out" || true
}
# window_mapped: tinct lists the VM's window (drawn, at its place).
window_mapped() {
	"$TINCTCTL" windows --json | grep -q '"vm": "sly"'
}
more_than() {
	n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}

# An honest VM cursor (hotspot inside) is shown: the check can see it.
WAYLAND_DISPLAY="$sock" start_client honest toplevel --maximized --colour 203040 \
	--cursor 32x32:ff00ff:0,31
wait_for 10 grep -q "configured 12" "$TEST_DIR/honest.out" || fail "honest was not maximised"
wait_for 10 window_mapped || fail "honest is not mapped"
"$TEST_CLIENT" pointer move 640 400 || fail "pointer"
wait_for 5 more_than 0 cursor_sets honest || fail "honest was not asked for a cursor: $(cat "$TEST_DIR/honest.out")"
wait_for 5 more_than 500 magenta_count || fail "an honest VM cursor is not shown"

# Just below the panel, the same image (hotspot at its bottom) would cover
# the panel: tinct's cursor instead, and no magenta in the panel strip.
"$TEST_CLIENT" pointer move 640 52 || fail "pointer"
screenshot "$TEST_DIR/top.ppm"
[ "$(panel_magenta)" = 0 ] || fail "a VM cursor covers the panel"
kill "$LAST_PID"
wait_for 10 sh -c "! \"$TINCTCTL\" windows --json | grep -q sly" || fail "honest did not go"

# A hotspot outside the image: never shown.
WAYLAND_DISPLAY="$sock" start_client liar toplevel --maximized --colour 203040 \
	--cursor 32x32:ff00ff:-40,0
wait_for 10 grep -q "configured 12" "$TEST_DIR/liar.out" || fail "liar was not maximised"
wait_for 10 window_mapped || fail "liar is not mapped"
"$TEST_CLIENT" pointer move 300 300 || fail "pointer"
"$TEST_CLIENT" pointer move 640 400 || fail "pointer"
wait_for 5 more_than 0 cursor_sets liar || fail "liar was not asked for a cursor"
"$TINCTCTL" list >/dev/null
[ "$(magenta_count)" = 0 ] || fail "a VM cursor with its hotspot outside the image is shown"
tinct_alive
stop_tinct
