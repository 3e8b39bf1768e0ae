#!/bin/sh
# The trusted panel: a chip per active VM in its colour, updated in the frame
# after a state change; the VM menu started and stopped entirely from the
# keyboard (wtype); while the menu is open no key reaches a client; the
# focused-VM indicator follows the keyboard.
. "$(dirname "$0")/lib.sh"
need grim wtype python3

mkdir -p "$TEST_DIR/vms"
# Sorted by name in the menu: alpha (autostart), beta (stopped).
fake_vm alpha green true
fake_vm beta purple false

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is alpha running || fail "alpha did not start"

panel_has() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" "$1")" -gt "$2" ]
}
panel_lacks() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" "$1")" = 0 ]
}
wait_for 5 panel_has 73d216 100 || fail "no green chip for running alpha"
panel_lacks 75507b || fail "stopped beta has a chip"
# Host has the keys: the indicator is in the host colour.
panel_has 6b6f76 100 || fail "indicator does not show host"

# Start beta from the menu: Super+Space opens it on the first VM that can
# start (beta, as alpha runs); Down, Up come back to it; Enter starts it.
wtype -M logo -k space -m logo
wait_for 5 log_has "panel: menu open" || fail "Super+Space did not open the menu"
wtype -k Down -k Up
wtype -k Return
wait_for 5 log_has "panel: Start beta" || fail "the menu did not start beta"
wait_for 20 vm_is beta running || fail "beta did not start"
# The state change is drawn in the next frame: the very next screenshot.
screenshot "$TEST_DIR/after.ppm"
[ "$(panel_count "$TEST_DIR/after.ppm" 75507b)" -gt 100 ] || fail "beta's chip not drawn in the next frame"

# A window of beta gets the keys: the indicator turns purple, and typing
# reaches it.
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/beta/wayland" start_client win toplevel --title typing
wait_mapped 1
wait_for 5 panel_has 75507b 400 || fail "indicator does not show beta"
wtype -k a
wait_for 5 grep -q "^key " "$TEST_DIR/win.out" || fail "typing did not reach beta's window"
: >"$TEST_DIR/win.out"

# While the menu is open, keys go to the menu, not to the window.
wtype -M logo -k space -m logo
wait_for 5 log_count_at_least 2 'panel: menu open' || fail "menu did not reopen"
wtype -k Right # Stop
wtype -k Return
wait_for 5 log_has "panel: Stop beta" || fail "the menu did not stop beta ($(grep panel: "$TINCT_LOG"))"
wait_for 20 vm_is beta stopped || fail "beta did not stop"
grep -q "^key" "$TEST_DIR/win.out" && fail "a key reached the window while the menu was open"
wait_for 10 no_app test-client || fail "beta's window stayed"
screenshot "$TEST_DIR/stopped.ppm"
[ "$(panel_count "$TEST_DIR/stopped.ppm" 75507b)" = 0 ] || fail "beta's chip not removed"

# Escape closes the menu without doing anything.
wtype -M logo -k space -m logo
wtype -k Escape
wait_for 5 log_count_at_least 3 'panel: menu closed' || fail "Escape did not close the menu"
tinct_alive
stop_tinct
