#!/bin/sh
# SIGTERM: tinct exits cleanly through the event loop (status 0) and leaves no
# child behind, including ones that ignore the end of the Wayland display.
. "$(dirname "$0")/lib.sh"
need foot

start_tinct -s "foot & sleep 1000"
wait_mapped 1
children=$(ps -o pid= --ppid "$TINCT_PID" | tr -d ' ')
[ -n "$children" ] || fail "no children recorded"
descendants=$children
for pid in $children; do
	descendants="$descendants $(ps -o pid= --ppid "$pid" | tr -d ' ')"
done
log "children: $descendants"
stop_tinct
for pid in $descendants; do
	wait_for 5 not_running "$pid" || fail "child $pid survived tinct"
done
grep -q "tinct exited cleanly" "$TINCT_LOG" || fail "no clean exit message"
