#!/bin/sh
# Two outputs side by side both render; a window lands on one of them.
. "$(dirname "$0")/lib.sh"
need grim wayland-info

# Configured modes, scale and position; the second output is left of the first.
cat >"$TEST_DIR/tinct.ini" <<INI
[output HEADLESS-1]
mode = 1024x768
position = 1280,0
[output HEADLESS-2]
scale = 2
position = 0,0
INI
WLR_HEADLESS_OUTPUTS=2 start_tinct -c "$TEST_DIR/tinct.ini"
wayland-info >"$TEST_DIR/info"
[ "$(grep -c "interface: 'wl_output'" "$TEST_DIR/info")" = 2 ] || fail "expected two wl_outputs"
start_client win toplevel --size 200x100 --colour ff8000
wait_mapped 1
for output in HEADLESS-1:1024x768 HEADLESS-2:1280x720; do
	size=${output#*:}
	output=${output%%:*}
	screenshot -o "$output" "$TEST_DIR/$output.ppm" || fail "cannot capture $output"
	[ "$(python3 "$PIXELS" size "$TEST_DIR/$output.ppm" | tr ' ' x)" = "$size" ] ||
		fail "$output is not $size: $(python3 "$PIXELS" size "$TEST_DIR/$output.ppm")"
	expect_pixel "$TEST_DIR/$output.ppm" 5 120 000000
	[ "$(panel_count "$TEST_DIR/$output.ppm" 101213)" -gt 10000 ] || fail "no panel on $output"
done
grep -q "output HEADLESS-2: 1280x720 scale 2.00" "$TINCT_LOG" || fail "scale not applied"
# Layout: HEADLESS-2 (640x360 logical at 0,0), HEADLESS-1 (1024x768 at
# 1280,0): 2304x768 logical, captured at the highest scale (2).
screenshot "$TEST_DIR/all.ppm"
[ "$(python3 "$PIXELS" size "$TEST_DIR/all.ppm")" = "4608 1536" ] ||
	fail "layout is $(python3 "$PIXELS" size "$TEST_DIR/all.ppm"), expected 2 x 2304x768"
# The window opened where the cursor is (0,0: HEADLESS-2), whole, at scale 2.
[ "$(count_colour "$TEST_DIR/all.ppm" ff8000)" = 80000 ] || fail "window not fully on HEADLESS-2"
stop_tinct
