#!/bin/sh
# Efficiency: with a window on screen and nothing changing, tinct renders
# nothing. (On a real output that also means no wakeups at all, since frame
# events follow commits; wlroots 0.15's headless backend sends frame events
# regardless, so this test watches what tinct does with them.) An animating
# client makes it draw again, and it goes idle when the client stops.
. "$(dirname "$0")/lib.sh"
need weston-simple-damage

start_tinct
start_client still toplevel --size 300x200 --colour 336699
wait_mapped 1
transitions() {
	log_count "output HEADLESS-1: \(drawing\|idle\)"
}
now_idle() {
	grep "output HEADLESS-1: \(drawing\|idle\)" "$TINCT_LOG" | tail -n1 | grep -q idle
}
wait_for 10 now_idle || fail "tinct never went idle"
idle_lines=$(transitions)
# A quiet second: no frame drawn, so no new drawing/idle transition.
sleep 1
[ "$(transitions)" = "$idle_lines" ] || fail "tinct drew frames while nothing changed"

# Damage every frame: tinct draws; the client goes, tinct is idle again.
background weston-simple-damage
wait_mapped 2
more_transitions() {
	[ "$(transitions)" -gt "$idle_lines" ]
}
wait_for 10 more_transitions || fail "an animating client did not make tinct draw"
kill "$LAST_PID"
wait_for 10 now_idle || fail "tinct did not go idle again"
stop_tinct
