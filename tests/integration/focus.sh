#!/bin/sh
# Keys go where the user put them: a VM's first window after the user
# started it takes the keyboard, but a later window of a VM that does not
# have the keyboard opens without it, below the focused window.
. "$(dirname "$0")/lib.sh"
need grim foot

fake_vm sly red
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is sly running || fail "sly did not start"
sock="$XDG_RUNTIME_DIR/tinct/sly/wayland"

# Its first window: the user just started sly, so it gets the keys.
WAYLAND_DISPLAY="$sock" start_client first toplevel --size 200x120 --colour 203040
wait_mapped 1
screenshot "$TEST_DIR/first.ppm"
[ "$(count_colour "$TEST_DIR/first.ppm" cc0000)" -gt 500 ] || fail "first window not focused"

# The user moves to a host terminal.
background foot
wait_mapped 2
# sly pops up a window while the user types in foot: no keys for sly.
WAYLAND_DISPLAY="$sock" start_client sneaky toplevel --size 900x560 --colour 405060 --title sneaky
wait_mapped 3
wait_for 10 has_window sly "[sly] sneaky" || fail "the sneaky window is not shown"
case $(focused_title) in "[sly]"*) fail "the VM window took the keyboard" ;; esac
screenshot "$TEST_DIR/after.ppm"
[ "$(count_colour "$TEST_DIR/after.ppm" 6b6f76)" -gt 1000 ] || fail "foot lost focus"
[ "$(count_colour "$TEST_DIR/after.ppm" cc0000)" = 0 ] || fail "a sly window is drawn focused"
# Below foot: foot's frame is whole, the sneaky window only peeks out.
[ "$(count_colour "$TEST_DIR/after.ppm" 405060)" -lt 504000 ] || fail "the VM window covers foot"

# Asking for activation does not help a VM that lacks the keyboard...
WAYLAND_DISPLAY="$sock" start_client pushy toplevel --size 100x60 --title pushy --activate-after 300
wait_for 10 grep -q "activation requested" "$TEST_DIR/pushy.out" || fail "pushy did not ask"
wait_for 10 has_window sly "[sly] pushy" || fail "pushy is not shown"
"$TINCTCTL" list >/dev/null # pushy's request is handled by now
case $(focused_title) in "[sly]"*) fail "a VM's activation was honoured" ;; esac
# ... while a host window may raise itself that way (its own token).
start_client hosty toplevel --size 120x80 --title hosty --colour 102010 --activate-after 1500
wait_for 10 has_window "" hosty || fail "hosty not mapped"
background foot
wait_for 10 has_app foot 2 || fail "second foot not mapped"
wait_for 10 grep -q "activation requested" "$TEST_DIR/hosty.out" || fail "hosty did not ask"
hosty_focused() {
	screenshot "$TEST_DIR/hosty.ppm" && set -- $(bbox "$TEST_DIR/hosty.ppm" 102010) &&
		[ "$(pixel "$TEST_DIR/hosty.ppm" $(($1 - 1)) $(($2 + 5)))" = 6b6f76 ]
}
wait_for 10 hosty_focused || fail "a host window's activation was refused"

# Clicking it is how the user gives it the keys.
set -- $(bbox "$TEST_DIR/after.ppm" 405060)
"$TEST_CLIENT" pointer move $(($1 + 2)) $(($2 + 2)) down up || fail "pointer"
screenshot "$TEST_DIR/clicked.ppm"
[ "$(count_colour "$TEST_DIR/clicked.ppm" cc0000)" -gt 500 ] || fail "a click did not focus it"
stop_tinct
