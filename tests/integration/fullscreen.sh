#!/bin/sh
# Fullscreen covers the whole output (and the panel) without a frame; the
# Super+F binding toggles it back to a framed window, and its key never
# reaches the window.
. "$(dirname "$0")/lib.sh"
need grim wtype

start_tinct
start_client win toplevel --size 300x200 --fullscreen --colour 4080ff
wait_for 10 client_configured "$TEST_DIR/win.out" 1280x720 || fail "not fullscreen"
screenshot "$TEST_DIR/full.ppm"
[ "$(count_colour "$TEST_DIR/full.ppm" 4080ff 0)" = 921600 ] || fail "fullscreen does not cover the whole output and panel"
wtype -M logo -k f -m logo
wait_for 10 client_configured "$TEST_DIR/win.out" 300x200 || fail "Super+F did not restore"
# Bindings are never forwarded: the window saw neither press nor release.
grep -q "^key " "$TEST_DIR/win.out" && fail "the binding's key reached the window"
screenshot "$TEST_DIR/restored.ppm"
[ "$(count_colour "$TEST_DIR/restored.ppm" 4080ff)" = 60000 ] || fail "restored size wrong"
[ "$(count_colour "$TEST_DIR/restored.ppm" 6b6f76)" -gt 1000 ] || fail "frame not back"
stop_tinct
