#!/bin/sh
# The frame cannot be erased or covered: a hostile client on a VM's socket
# reshapes its surface tree (subsurfaces at extreme or negative offsets,
# nested, below its parent, huge buffers with a buffer scale, wp_viewporter
# destinations, a desynchronised subsurface that grows by its own commit,
# popups placed over the title bar, the panel or far away) and after every
# step the screenshot shows the whole frame in the VM's colour, a title in
# it, and every pixel the client drew inside it or nowhere.
. "$(dirname "$0")/lib.sh"
need grim python3

SURFACE_CLIENT="$TINCT_BUILD_ROOT/tests/tools/surface-client"
BORDER=2
TITLE=22
FAILURES=

fake_vm red red
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 log_has "VM red: starting -> running" || fail "red did not start"
red_socket=$("$TINCT_BUILD_ROOT/tinctctl/tinctctl" socket red)
[ -S "$red_socket" ] || fail "no socket for red: $red_socket"

# soft_fail MESSAGE: records a broken rule and carries on, so that one run
# shows every hole.
soft_fail() {
	echo "FAIL: $*" >&2
	FAILURES="$FAILURES
$*"
}

# start_hostile NAME [ARGS...]: a surface-client on red's socket, commands
# on a FIFO (fd 3).
start_hostile() {
	HOSTILE=$1
	shift
	COMMANDS=0
	mkfifo "$TEST_DIR/$HOSTILE.in"
	WAYLAND_DISPLAY="$red_socket" "$SURFACE_CLIENT" "$@" <"$TEST_DIR/$HOSTILE.in" \
		>"$TEST_DIR/$HOSTILE.out" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	HOSTILE_PID=$!
	exec 3>"$TEST_DIR/$HOSTILE.in"
	wait_for 20 grep -qx mapped "$TEST_DIR/$HOSTILE.out" ||
		fail "$HOSTILE did not map: $(cat "$TEST_DIR/$HOSTILE.out")"
}

stop_hostile() {
	exec 3>&-
	kill "$HOSTILE_PID" 2>/dev/null || true
	# Reaped here, or it would linger as a zombie until the test ends.
	wait "$HOSTILE_PID" 2>/dev/null || true
}

# send COMMAND...: one command to the hostile client, waits until done.
send() {
	COMMANDS=$((COMMANDS + 1))
	echo "$*" >&3
	wait_for 10 grep -qx "ok $COMMANDS" "$TEST_DIR/$HOSTILE.out" ||
		fail "$HOSTILE: '$*' not done: $(tail -n 3 "$TEST_DIR/$HOSTILE.out")"
}

# check_frame STEP COLOUR...: the VM window's frame is whole (border and
# title bar in the VM's colour, text in the title bar) and every COLOUR the
# client drew lies inside it, or is not shown at all. With POPUPS set, the
# frame is where it was (popups have frames in the VM's colour too) and only
# its top border and title bar are checked: menus may go over the other
# edges, never over those.
check_frame() {
	step=$1
	shift
	shot="$TEST_DIR/$HOSTILE-$step.ppm"
	screenshot "$shot"
	frame=cc0000
	[ "$(count_colour "$shot" cc0000)" -gt 0 ] || frame=700000
	if [ -n "${POPUPS:-}" ]; then
		set -- $FRAME
		check_title_bar "$shot" "$1" "$2" "$3" $((BORDER + TITLE))
		return
	fi
	box=$(bbox "$shot" $frame)
	if [ "$box" = none ]; then
		soft_fail "$step: no frame in red at all"
		return
	fi
	set -- $box "$@"
	fx=$1 fy=$2 fw=$3 fh=$4
	shift 4
	iw=$((fw - 2 * BORDER)) ih=$((fh - 2 * BORDER - TITLE))
	ix=$((fx + BORDER)) iy=$((fy + BORDER + TITLE))
	if [ "$iw" -lt 1 ] || [ "$ih" -lt 1 ]; then
		soft_fail "$step: frame $fw x $fh has no room for content"
		return
	fi
	[ $((fy + fh)) -lt 720 ] && [ $((fx + fw)) -lt 1280 ] ||
		fail "$step: the window reaches the screen's edge; the test cannot see its frame"
	check_title_bar "$shot" $fx $fy $fw $fh
	# Everything the client drew: inside the frame (so below the panel).
	for colour in "$@"; do
		got=$(bbox "$shot" "$colour" 0)
		[ "$got" = none ] && continue
		set -- $got
		if [ "$1" -lt "$ix" ] || [ "$2" -lt "$iy" ] || [ $(($1 + $3)) -gt $((ix + iw)) ] ||
			[ $(($2 + $4)) -gt $((iy + ih)) ]; then
			soft_fail "$step: $colour at $got is outside the content box $ix $iy $iw $ih"
		fi
	done
	FRAME="$fx $fy $fw $fh"
	log "$step: frame $FRAME"
}

# check_title_bar FILE X Y W H: the frame ring of (X, Y, W, H) is in the VM's
# colour, and so is its title bar, with text in it.
check_title_bar() {
	set -- $(python3 "$PIXELS" frame "$1" $frame $BORDER $TITLE "$2" "$3" "$4" "$5") "$4"
	[ "$1" = 0 ] || soft_fail "$step: $1 pixels of the border are not $frame"
	tw=$(($3 - 2 * BORDER))
	[ "$2" -gt 10 ] || soft_fail "$step: no title text ($2 pixels)"
	[ "$2" -lt $((tw * TITLE / 2)) ] ||
		soft_fail "$step: title bar not drawn ($2 of $((tw * TITLE)) pixels are not $frame)"
}

# 1. Extreme sizes and offsets.
ROOT=2040c0
start_hostile bounds --size 300x200 --colour $ROOT --title bounds
check_frame start $ROOT
[ "$FRAME" = "$(bbox "$TEST_DIR/bounds-start.ppm" $ROOT | awk '{print $1 - 2, $2 - 24, $3 + 4, $4 + 26}')" ] ||
	fail "the plain window is not framed as in frames.sh: $FRAME"
send sub 1 0 40000 40000 1 1 00ff00
check_frame far-subsurface $ROOT 00ff00
send sub 2 0 -30 -40 20 20 ff8000
check_frame negative-offset $ROOT 00ff00 ff8000
send sub 3 0 100 50 40000 2 ffff00
check_frame huge-buffer $ROOT 00ff00 ff8000 ffff00
send buf 3 40000 4 ffff00 2
send commit 3
check_frame huge-buffer-scale-2 $ROOT 00ff00 ff8000 ffff00
send sub 4 0 10 10 4 4 00ffff
send viewport 4 40000 40000
send commit 4
check_frame viewport $ROOT 00ff00 ff8000 ffff00 00ffff
send sub 5 4 -20000 -20000 10 10 8000ff
send sub 6 5 20000 20000 30 30 ff0080
check_frame nested $ROOT 00ff00 ff8000 ffff00 00ffff 8000ff ff0080
send place 6 below
check_frame nested-below $ROOT 00ff00 ff8000 ffff00 00ffff 8000ff ff0080
send geometry 40000 40000 10 10
check_frame geometry $ROOT 00ff00 ff8000 ffff00 00ffff 8000ff ff0080
send viewport 0 40000 40000
send commit 0
check_frame root-viewport $ROOT 00ff00 ff8000 ffff00 00ffff 8000ff ff0080
tinct_alive
stop_hostile

# 2. A desynchronised subsurface grows by its own commit after the map.
start_hostile desync --size 300x200 --colour $ROOT --title desync
send sub 1 0 250 150 40 40 80ff80
send desync 1
check_frame desync-small $ROOT 80ff80
send buf 1 200 120 80ff80
check_frame desync-grown $ROOT 80ff80
send place 1 below
send commit 0
send buf 1 330 240 80ff80
check_frame desync-below $ROOT 80ff80
send sub 2 1 40 30 50 50 ff80ff
send desync 2
send buf 2 90 90 ff80ff
check_frame desync-nested $ROOT 80ff80 ff80ff
send pos 1 -60 -60
send buf 1 100 100 80ff80
check_frame desync-moved $ROOT 80ff80 ff80ff
tinct_alive
stop_hostile

# 3. Popups never cover their window's title bar or the panel.
start_hostile popups --size 300x200 --colour $ROOT --title popups
check_frame popup-start $ROOT
POPUPS=1
set -- $FRAME
content_top=$(($2 + BORDER + TITLE))
# below_title COLOUR: COLOUR (a popup) starts at or below the content's top.
below_title() {
	got=$(bbox "$shot" "$1" 0)
	[ "$got" = none ] && return 0
	set -- $got
	[ "$2" -ge "$content_top" ] || soft_fail "$step: popup at $got covers the title bar (content from y=$content_top)"
}
send popup 7 0 10 -100 80 60 c0c040 0
check_frame popup-over-title $ROOT
step=popup-over-title below_title c0c040
send popup 8 0 40 -2000 60 60 c040c0 15
check_frame popup-over-panel $ROOT
step=popup-over-panel below_title c040c0
[ "$(panel_count "$shot" c040c0)" = 0 ] || soft_fail "popup drawn over the panel"
send sub 9 7 0 -300 40 40 4080ff
check_frame popup-subsurface $ROOT
step=popup-subsurface below_title 4080ff
send popup 10 7 5 -60 30 30 40ff80 0
check_frame nested-popup $ROOT
step=nested-popup below_title 40ff80
send popup 11 0 -50000 -50000 50 50 ff4040 0
check_frame popup-far $ROOT
step=popup-far below_title ff4040
[ "$(panel_count "$shot" ff4040)" = 0 ] || soft_fail "far popup drawn over the panel"
tinct_alive
stop_hostile

tinct_alive
stop_tinct
[ -z "$FAILURES" ] || fail "broken rules:$FAILURES"
