#!/bin/sh
# A layer-shell panel with an exclusive zone goes right below tinct's own
# panel (26 px), and a maximised window fills exactly the rest of the output.
. "$(dirname "$0")/lib.sh"
need grim

start_tinct
start_client panel layer --anchor top --size 0x30 --exclusive 30 --colour c00000
wait_for 10 client_configured "$TEST_DIR/panel.out" 1280x30 || fail "panel not configured"
start_client win toplevel --maximized --colour 00c000
wait_for 10 client_configured "$TEST_DIR/win.out" 1276x638 ||
	fail "maximised size: $(cat "$TEST_DIR/win.out")"
screenshot "$TEST_DIR/shot.ppm"
[ "$(bbox "$TEST_DIR/shot.ppm" c00000)" = "0 26 1280 30" ] ||
	fail "layer panel at $(bbox "$TEST_DIR/shot.ppm" c00000)"
[ "$(bbox "$TEST_DIR/shot.ppm" 00c000)" = "2 80 1276 638" ] ||
	fail "window box $(bbox "$TEST_DIR/shot.ppm" 00c000)"
expect_pixel "$TEST_DIR/shot.ppm" 0 57 6b6f76

# Closing the panel gives the space back.
kill "$(echo $BACKGROUND_PIDS | cut -d' ' -f1)"
wait_for 10 client_configured "$TEST_DIR/win.out" 1276x668 || fail "window did not grow back"
stop_tinct
