#!/bin/sh
# Keys go where tinct says they go. A VM menu may grab the keyboard only
# with the serial of a press its client really got (a made-up serial gets
# the popup dismissed); and whatever grab a client holds, when the user
# moves focus (click, Alt+Tab, the panel) the grab ends, the focused window
# tinct reports (tinctctl windows, the frame, the panel's "keys ->") is the
# one that receives the next key, and no other window does.
. "$(dirname "$0")/lib.sh"
need wtype python3

fake_vm sly red
start_tinct --vms "$TEST_DIR/vms"
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
vm_running() {
	"$TINCTCTL" list --json | python3 -c '
import json, sys
sys.exit(0 if any(v["name"] == sys.argv[1] and v["state"] == "running" for v in json.load(sys.stdin)) else 1)' "$1"
}
wait_for 20 vm_running sly || fail "sly did not start"
sock=$("$TINCTCTL" socket sly)

# focused_title: the title of the window tinct says has the keyboard.
focused_title() {
	"$TINCTCTL" windows --json | python3 -c '
import json, sys
print("".join(w["title"] for w in json.load(sys.stdin) if w["focused"]))'
}
focused_is() {
	[ "$(focused_title)" = "$1" ]
}
# more_than N CMD...: CMD prints a number greater than N.
more_than() {
	n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}
grabs_in() {
	grep -c "popup grabbed" "$TEST_DIR/$1.out" || true
}
# keys_in NAME: key presses NAME's client has received so far.
keys_in() {
	grep -c '^key [0-9]* 1$' "$TEST_DIR/$1.out" || true
}
# type_and_check NAME OTHER: one key; the window tinct names must be NAME's,
# it gets the key and OTHER gets none.
type_and_check() {
	want_title=$1
	before=$(keys_in "$2")
	before_other=$(keys_in "$3")
	[ "$(focused_title)" = "$want_title" ] || fail "tinct says $(focused_title) has the keys, expected $want_title"
	wtype -k x
	wait_for 5 more_than "$before" keys_in "$2" || fail "the key did not reach $want_title"
	# Both clients are flushed in order: a roundtrip on each socket first.
	"$TINCTCTL" list >/dev/null
	[ "$(keys_in "$3")" = "$before_other" ] || fail "a key reached $3 while tinct showed $want_title"
}

# A hostile menu: a grab with a serial the client never got is refused.
WAYLAND_DISPLAY="$sock" start_client bogus toplevel --title bogus --grab-popup bogus --size 160x100
wait_for 10 grep -q "popup grabbed" "$TEST_DIR/bogus.out" || fail "bogus did not grab"
wait_for 5 grep -q "popup done" "$TEST_DIR/bogus.out" || fail "a grab with a made-up serial was honoured"
kill "$LAST_PID"
wait_for 10 no_window sly "" || fail "bogus did not go"

# A menu from the background: a VM window that had the keyboard (and a key)
# tries to grab with that key's serial once the user has moved on.
WAYLAND_DISPLAY="$sock" start_client stale toplevel --title stale --grab-popup stale --size 160x100
stale_pid=$LAST_PID
wait_for 10 focused_is "[sly] stale" || fail "stale did not get the keys"
wtype -k s
wait_for 5 grep -q "^key" "$TEST_DIR/stale.out" || fail "stale got no key"
start_client other toplevel --title other --size 100x80
wait_for 10 grep -q "popup grabbed" "$TEST_DIR/stale.out" || fail "stale did not try to grab"
wait_for 5 grep -q "popup done" "$TEST_DIR/stale.out" || fail "a grab from a client without focus was honoured"
kill "$stale_pid" "$LAST_PID"
wait_for 10 no_window "" "" || fail "stale and other did not go"

# A host window and a VM window with an honest menu.
start_client host toplevel --title host --size 300x200 --colour 203040
wait_for 10 focused_is host || fail "the host window did not get the keys (tinct says: $(focused_title); $("$TINCTCTL" windows))"
WAYLAND_DISPLAY="$sock" start_client vm toplevel --title vm --grab-popup on-key --size 300x200 --colour 405060
wait_for 10 grep -q "configured" "$TEST_DIR/vm.out" || fail "the VM window did not draw"
# The VM window opened without the keyboard: the user clicks it.
click_on() {
	corner=$2
	screenshot "$TEST_DIR/click.ppm"
	set -- $(bbox "$TEST_DIR/click.ppm" "$1")
	# Windows cascade down and right: the host window (first) shows at its
	# top-left, the VM window (second) at its bottom-right.
	if [ "$corner" = tl ]; then
		"$TEST_CLIENT" pointer move $(($1 + 10)) $(($2 + 10)) down up || fail "pointer"
	else
		"$TEST_CLIENT" pointer move $(($1 + $3 - 10)) $(($2 + $4 - 10)) down up || fail "pointer"
	fi
}
click_on 405060 br
wait_for 5 focused_is "[sly] vm" || fail "a click did not focus the VM window"

# grab_menu: a key opens the VM's menu, which grabs with that key's serial.
grab_menu() {
	n=$(grep -c "popup grabbed" "$TEST_DIR/vm.out" || true)
	wtype -k m
	wait_for 5 more_than "$n" grabs_in vm || fail "the VM menu did not open"
	"$TINCTCTL" list >/dev/null
	done_before=$(grep -c "popup done" "$TEST_DIR/vm.out" || true)
	[ "$done_before" -lt "$(grep -c "popup grabbed" "$TEST_DIR/vm.out")" ] || fail "an honest grab was refused"
}

# 1. A click on the host window while the VM's menu holds the grab.
grab_menu
click_on 203040 tl
wait_for 5 focused_is host || fail "a click did not move the keys to the host window"
type_and_check host host vm

# 2. Alt+Tab while the VM's menu holds the grab.
click_on 405060 br
wait_for 5 focused_is "[sly] vm" || fail "a click did not focus the VM window"
# The VM's menu is dismissed with its grab; reopen it.
"$TEST_CLIENT" pointer move 5 700 >/dev/null 2>&1 || true
grab_menu
wtype -M alt -k tab -m alt
wait_for 5 focused_is host || fail "Alt+Tab did not move the keys to the host window"
type_and_check host host vm

# 3. The panel menu while the VM's menu holds the grab: the menu takes the
# keys, Escape closes it, and keys go to the focused window again.
click_on 405060 br
wait_for 5 focused_is "[sly] vm" || fail "a click did not focus the VM window"
grab_menu
wtype -M logo -k space -m logo
wtype -k Escape
wait_for 5 log_count_at_least 1 'panel: menu closed' || fail "the panel menu did not close"
type_and_check "[sly] vm" vm host
tinct_alive
stop_tinct
