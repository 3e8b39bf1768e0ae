#!/bin/sh
# The mouse, through a real virtual pointer: focus follows click (and
# raises), the title bar moves a window, the border resizes it.
. "$(dirname "$0")/lib.sh"
need grim

start_tinct
start_client a toplevel --size 300x200 --colour 2040c0 --title A
wait_mapped 1
start_client b toplevel --size 200x100 --colour c04020 --title B
wait_mapped 2
# A's content is at (490, 284); B, on top and focused, at (540, 334).
pointer() {
	"$TEST_CLIENT" pointer "$@" || fail "virtual pointer failed"
}

# Click on A where B does not cover it: A is focused and raised over B.
pointer move 500 300 down up
screenshot "$TEST_DIR/click.ppm"
expect_pixel "$TEST_DIR/click.ppm" 488 300 6b6f76 # A's border, focused
[ "$(count_colour "$TEST_DIR/click.ppm" c04020)" = 0 ] || fail "B still drawn above A"

# Drag A by its title bar by (100, 100).
pointer move 600 273 down move 650 323 move 700 373 up
screenshot "$TEST_DIR/moved.ppm"
[ "$(bbox "$TEST_DIR/moved.ppm" 2040c0)" = "590 384 300 200" ] ||
	fail "A not moved by the title bar: $(bbox "$TEST_DIR/moved.ppm" 2040c0)"

# Drag A's right border 100 px to the right: the client is asked for 400x200.
pointer move 891 450 down move 941 450 move 991 450 up
wait_for 10 client_configured "$TEST_DIR/a.out" 400x200 || fail "border drag did not resize: $(tail -n3 "$TEST_DIR/a.out")"
screenshot "$TEST_DIR/resized.ppm"
[ "$(bbox "$TEST_DIR/resized.ppm" 2040c0)" = "590 384 400 200" ] ||
	fail "resized A is at $(bbox "$TEST_DIR/resized.ppm" 2040c0)"
tinct_alive
stop_tinct
