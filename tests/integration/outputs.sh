#!/bin/sh
# Two outputs side by side both render; a window lands on one of them.
. "$(dirname "$0")/lib.sh"
need grim wayland-info

WLR_HEADLESS_OUTPUTS=2 start_tinct
wayland-info >"$TEST_DIR/info"
[ "$(grep -c "interface: 'wl_output'" "$TEST_DIR/info")" = 2 ] || fail "expected two wl_outputs"
start_client win toplevel --size 200x100 --colour ff8000
wait_mapped 1
for output in HEADLESS-1 HEADLESS-2; do
	screenshot -o "$output" "$TEST_DIR/$output.ppm" || fail "cannot capture $output"
	[ "$(python3 "$PIXELS" size "$TEST_DIR/$output.ppm")" = "1280 720" ] ||
		fail "$output is not 1280x720"
	expect_pixel "$TEST_DIR/$output.ppm" 5 40 1d1f21
	[ "$(panel_count "$TEST_DIR/$output.ppm" 101213)" -gt 10000 ] || fail "no panel on $output"
done
screenshot "$TEST_DIR/all.ppm"
[ "$(python3 "$PIXELS" size "$TEST_DIR/all.ppm")" = "2560 720" ] || fail "layout is not 2560x720"
[ "$(count_colour "$TEST_DIR/all.ppm" ff8000)" = 20000 ] || fail "window not fully on screen"
stop_tinct
