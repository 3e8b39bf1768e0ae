#!/bin/sh
# tinct's render pass (compositor/render.c) draws what the scene would:
# overlapping opaque and translucent windows, subsurfaces, popups and frames,
# an opaque region, damage under a translucent window, and scaled outputs.
# Windows are centred below the 26 px panel: content of WxH at
# ((1280-W)/2, 26 + (694-H+22)/2), with a 2 px border and a 22 px title bar.
. "$(dirname "$0")/lib.sh"
need grim

PAINT="$TINCT_BUILD_ROOT/tests/tools/paint-client"

# paint NAME ARGS...: a paint-client, waited for until it drew and tinct
# shows its window, so that windows map (and so are placed) in call order.
paint() {
	name=$1
	shift
	"$PAINT" --title "$name" "$@" >"$TEST_DIR/$name.out" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	LAST_PID=$!
	wait_for 30 client_configured "$TEST_DIR/$name.out" "" || fail "$name did not draw"
	wait_for 30 has_window host "$name" || fail "$name is not shown"
}

# near FILE X Y RRGGBB: the pixel is within 2 of RRGGBB in every channel
# (blending may round either way).
near() {
	got=$(python3 "$PIXELS" near "$1" "$2" "$3" "$4" 2)
	[ "$got" = ok ] || fail "pixel ($2, $3) of $(basename "$1") is $got, expected about $4"
}

# A window's first buffer comes with its mapping: once wait_mapped returns,
# the next frame, which a screenshot waits for, shows it.
shoot() {
	screenshot "$1"
}

# popup_shown FILE: a screenshot into FILE shows C's popup (its commit may
# reach tinct after the client said it drew).
popup_shown() {
	screenshot "$1" && [ "$(bbox "$1" c0c020)" != none ]
}

# shot_size_is FILE "W H": a screenshot into FILE has that size.
shot_size_is() {
	screenshot "$1" && [ "$(python3 "$PIXELS" size "$1")" = "$2" ]
}

# stop_clients: every client of this part of the test is gone.
stop_clients() {
	for pid in $BACKGROUND_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	BACKGROUND_PIDS=
}

start_tinct

# A: a large opaque window. B over it: opaque, with an opaque subsurface and
# a translucent one reaching out of B's own surface (B's frame grows to
# 350x250 around both: content at (465, 259)).
paint A --size 600x400 --colour 2040c0
wait_mapped 1
shoot "$TEST_DIR/a.ppm"
paint B --size 300x200 --colour c04020 \
	--subsurface 20,20,100x50:20c040 --subsurface 250,150,100x100:8000ff00
wait_mapped 2
shoot "$TEST_DIR/ab.ppm"
shot="$TEST_DIR/ab.ppm"
[ "$(bbox "$shot" 2040c0)" = "340 184 600 400" ] || fail "A is at $(bbox "$shot" 2040c0)"
[ "$(bbox "$shot" 20c040)" = "485 279 100 50" ] || fail "B's subsurface is at $(bbox "$shot" 20c040)"
expect_pixel "$shot" 470 400 c04020 # B
expect_pixel "$shot" 790 300 2040c0 # inside B's frame, beside B's surface: A shows
expect_pixel "$shot" 463 300 6b6f76 # B's frame, focused
expect_pixel "$shot" 339 300 575a5f # A's frame, unfocused (3:1 on black)
# The translucent subsurface (green, alpha 1/2) over B and, outside B, over A.
near "$shot" 730 420 60a010
near "$shot" 790 480 10a060
# Over the opaque ones only what they cover is drawn: B is exactly its
# visible pixels (300x200 minus its opaque subsurface, minus the translucent
# one's corner over it).
[ "$(count_colour "$shot" c04020)" = $((300 * 200 - 100 * 50 - 50 * 50)) ] ||
	fail "B shows $(count_colour "$shot" c04020) pixels"

# C: translucent white (alpha 1/2) across A and B, with an opaque popup.
paint C --size 400x100 --colour 80ffffff --popup 10,10,80x60:c0c020
c_pid=$LAST_PID
wait_mapped 3
# D: a translucent red that declares its left half opaque. There tinct shows
# the client's own pixels, copied, whatever is below: never blended.
paint D --size 200x60 --colour 40ff0000 --opaque 0,0,100x60
d_pid=$LAST_PID
wait_mapped 4
shot="$TEST_DIR/abcd.ppm"
wait_for 10 popup_shown "$shot" || fail "C's popup was not drawn"
# C's content is at (440, 334), its popup at (450, 344).
[ "$(bbox "$shot" c0c020)" = "450 344 80 60" ] || fail "C's popup is at $(bbox "$shot" c0c020)"
near "$shot" 445 420 90a0e0 # C over A
near "$shot" 600 420 e0a090 # C over B
expect_pixel "$shot" 830 320 575a5f # C's title bar, over all that
# D's content is at (540, 354): its opaque half exactly the client's pixels,
# the other half blended over C over B.
[ "$(bbox "$shot" 400000)" = "540 354 100 60" ] || fail "D's opaque half is at $(bbox "$shot" 400000)"
[ "$(count_colour "$shot" 400000)" = $((100 * 60)) ] ||
	fail "D's opaque half shows $(count_colour "$shot" 400000) pixels of its colour"
near "$shot" 700 380 e8786c

# Closing C and D redraws what they covered: the screen is as it was.
kill "$c_pid" "$d_pid"
wait_for 10 no_window host C || fail "C did not close"
wait_for 10 no_window host D || fail "D did not close"
shoot "$TEST_DIR/ab-again.ppm"
changed=$(python3 "$PIXELS" same "$TEST_DIR/ab.ppm" "$TEST_DIR/ab-again.ppm" "$PANEL_HEIGHT")
[ "$changed" = 0 ] || fail "$changed pixels differ after C and D closed"
stop_tinct
stop_clients

# Damage under a translucent window: E repaints itself every frame, blue and
# red in turn; F (white, alpha 1/2) over it is blended anew each frame, never
# over its own last frame.
start_tinct
paint E --size 500x300 --colour 2040c0 --animate c04020
paint F --size 300x100 --colour 80ffffff
wait_mapped 2
for i in 1 2 3; do
	shoot "$TEST_DIR/anim$i.ppm"
	set -- $(printf 'near 640 400 90a0e0 2\nnear 640 400 e0a090 2\nat 400 300\n' |
		python3 "$PIXELS" batch "$TEST_DIR/anim$i.ppm")
	[ "$1" = ok ] || [ "$2" = ok ] || fail "F over E is $1 in shot $i"
	[ "$3" = 2040c0 ] || [ "$3" = c04020 ] || fail "E is $3 in shot $i"
done
stop_tinct
stop_clients

# Scaled outputs: the same windows at scale 2 (640x360 logical) and 1.5.
for scale in 2 1.5; do
	printf '[output HEADLESS-1]\nscale = %s\n' "$scale" >"$TEST_DIR/tinct.ini"
	start_tinct -c "$TEST_DIR/tinct.ini"
	paint G --size 200x100 --colour 2040c0
	paint H --size 100x50 --colour 80ffffff
	wait_mapped 2
	shot="$TEST_DIR/scale$scale.ppm"
	shoot "$shot"
	set -- $(bbox "$shot" 2040c0)
	if [ "$scale" = 2 ]; then
		# G at (220, 154) logical, H at (270, 179): twice that in pixels.
		[ "$*" = "440 308 400 200" ] || fail "G is at $* at scale 2"
		near "$shot" 640 408 90a0e0
		# All of G but H's frame (104x76 logical) over it.
		[ "$(count_colour "$shot" 2040c0)" = $((400 * 200 - 208 * 152)) ] ||
			fail "G shows $(count_colour "$shot" 2040c0) pixels at scale 2"
	else
		# 300x150, give or take the rounding of an edge at a half pixel.
		[ "$3" -ge 299 ] && [ "$3" -le 301 ] && [ "$4" -ge 149 ] && [ "$4" -le 151 ] ||
			fail "G is $3x$4 at scale 1.5"
		# No seam or hole: G's left strip is all G, H's middle all blended.
		[ "$(python3 "$PIXELS" differ "$shot" "$1" "$2" 20 "$4" 2040c0)" = 0 ] ||
			fail "G has holes at scale 1.5"
		near "$shot" $(($1 + 150)) $(($2 + 80)) 90a0e0
	fi
	stop_tinct
	stop_clients
done

# A client that grows its wl_shm pool after drawing moves its pixels in
# tinct's memory (the pool is remapped): they are drawn from where they are.
start_tinct
paint I --size 300x200 --colour 2040c0 --grow-pool
wait_mapped 1
wait_for 10 grep -q "pool grown" "$TEST_DIR/I.out" || fail "I did not grow its pool"
screenshot "$TEST_DIR/grown.ppm"
[ "$(count_colour "$TEST_DIR/grown.ppm" 2040c0)" = $((300 * 200)) ] ||
	fail "I shows $(count_colour "$TEST_DIR/grown.ppm" 2040c0) pixels after growing its pool"
tinct_alive
stop_tinct
stop_clients

# A transformed output is drawn by the scene (wlr_scene_output_commit);
# turned back, tinct's pass draws all of it again, leaving nothing of the
# turned frames behind.
if command -v wlr-randr >/dev/null 2>&1; then
	start_tinct
	paint G --size 200x100 --colour 2040c0
	wait_mapped 1
	wlr-randr --output HEADLESS-1 --transform 90 || fail "wlr-randr cannot turn the output"
	wait_for 10 shot_size_is "$TEST_DIR/turned.ppm" "720 1280" || fail "the output did not turn"
	# Where the window lies is window management's business: what shows of
	# it is a solid box.
	set -- $(bbox "$TEST_DIR/turned.ppm" 2040c0) 0 0
	[ "$3" -gt 0 ] && [ "$(count_colour "$TEST_DIR/turned.ppm" 2040c0)" = $(($3 * $4)) ] ||
		fail "the window has holes on the turned output"
	wlr-randr --output HEADLESS-1 --transform normal || fail "wlr-randr cannot turn it back"
	shot="$TEST_DIR/back.ppm"
	wait_for 10 shot_size_is "$shot" "1280 720" || fail "the output did not turn back"
	[ "$(count_colour "$shot" 2040c0)" = $((200 * 100)) ] || fail "the window is not whole"
	# Below the panel: black but for the window in its 204x126 frame.
	[ "$(count_colour "$shot" 000000)" = $((1280 * 694 - 204 * 126)) ] ||
		fail "$(count_colour "$shot" 000000) black pixels after turning back"
	stop_tinct
	stop_clients
else
	log "wlr-randr is not installed: output transforms not checked"
fi
