#!/bin/sh
# Windows of real clients are framed: a 2 px border and a 22 px title bar in
# the host colour, the client's pixels inside, centred on the output.
. "$(dirname "$0")/lib.sh"
need grim foot weston-simple-shm

start_tinct

# foot first: it is centred, and later covered in part by the next window.
background foot
wait_mapped 1

# A client with known size and colour: exact geometry and content checks.
start_client exact toplevel --size 300x200 --colour 2040c0 --title "exact frame test"
wait_mapped 2
shot="$TEST_DIR/exact.ppm"
screenshot "$shot"
# Centred in the area below the 26 px panel: content 300x200, frame 304x226.
# Content top-left = ((1280-300)/2, 26 + (694-200+22)/2) = (490, 284).
[ "$(bbox "$shot" 2040c0)" = "490 284 300 200" ] || fail "content box is $(bbox "$shot" 2040c0)"
expect_pixel "$shot" 488 300 6b6f76 # left border
expect_pixel "$shot" 791 300 6b6f76 # right border
expect_pixel "$shot" 600 485 6b6f76 # bottom border
expect_pixel "$shot" 600 260 6b6f76 # top border
# Just outside the frame is foot's window behind it, not more frame.
[ "$(pixel "$shot" 487 300)" != 6b6f76 ] || fail "frame wider than 2 px on the left"
[ "$(pixel "$shot" 792 300)" != 6b6f76 ] || fail "frame wider than 2 px on the right"
[ "$(pixel "$shot" 600 486)" != 6b6f76 ] || fail "frame taller than 2 px at the bottom"
# Title bar: host colour with light text in it.
text=$(python3 "$PIXELS" differ "$shot" 490 262 300 22 6b6f76)
[ "$text" -gt 40 ] || fail "no title text drawn ($text text pixels)"
[ "$(python3 "$PIXELS" count "$shot" ffffff)" -gt 0 ] || fail "title text is not white"

# foot lost focus: its frame is the same hue, dimmed as far as 3:1 on black.
set -- $(bbox "$shot" 575a5f)
[ "$3" -gt 700 ] && [ "$4" -gt 500 ] || fail "unfocused foot frame is $3x$4"

# weston-simple-shm has no decorations of its own and still gets a frame.
background weston-simple-shm
wait_mapped 3
shot="$TEST_DIR/shm.ppm"
screenshot "$shot"
box=$(bbox "$shot" 6b6f76)
[ "$box" != none ] || fail "no focused frame"
set -- $box
# simple-shm is 250x250: frame 254x276.
[ "$3" = 254 ] && [ "$4" = 276 ] || fail "simple-shm frame is $3x$4, expected 254x276"
tinct_alive
stop_tinct
