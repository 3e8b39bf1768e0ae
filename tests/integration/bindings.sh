#!/bin/sh
# Key bindings through a real virtual keyboard (wtype): Super+Shift+Return
# opens foot, a configured binding runs, Super+Q closes the focused window,
# Alt+Tab moves focus. Regression: a new virtual keyboard must not break the
# focused client's connection (it has no keymap yet).
. "$(dirname "$0")/lib.sh"
need wtype foot

cat >"$TEST_DIR/tinct.ini" <<INI
[bindings]
Super+T = exec $TEST_CLIENT toplevel --title from-binding --colour 00ff00
INI
start_tinct -c "$TEST_DIR/tinct.ini"

wtype -M logo -M shift -k Return -m shift -m logo
wait_mapped 1
has_app foot || fail "Super+Shift+Return did not open foot"

wtype -M logo -k t -m logo
wait_mapped 2
has_window "" from-binding || fail "the configured Super+T binding did not run"

wtype -M logo -k q -m logo
wait_for 10 no_app test-client || fail "Super+Q did not close"
no_app foot && fail "Super+Q closed the wrong window"

# Alt+Tab moves focus back to foot, Super+Q closes it.
wtype -M logo -k t -m logo
wait_mapped 3
wtype -M alt -k Tab -m alt
wtype -M logo -k q -m logo
wait_for 10 no_app foot || fail "Alt+Tab did not focus foot"
tinct_alive
stop_tinct
