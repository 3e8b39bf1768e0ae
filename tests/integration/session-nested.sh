#!/bin/sh
# `make run` inside an existing Wayland session: scripts/run-session starts
# tinct nested, as a window of the outer compositor (here another tinct),
# choosing the backend and renderer itself; SIGTERM ends it cleanly.
. "$(dirname "$0")/lib.sh"
need foot

start_tinct
# Nothing from the test harness may choose the backend: run-session does.
env -u WLR_BACKENDS -u WLR_RENDERER setsid "$TINCT_SOURCE_ROOT/scripts/run-session" \
	"$TINCT_BUILD_ROOT" >"$TEST_DIR/nested.out" 2>&1 </dev/null &
nested=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $nested"
wait_for 30 has_window host "wlroots - WL-1" ||
	fail "no nested tinct window: $(tail -n 20 "$TEST_DIR/nested.out")"
grep -q "nested in the current session" "$TEST_DIR/nested.out" || fail "run-session did not pick nested"
kill -TERM "$nested"
wait_for 10 not_running "$nested" || fail "nested tinct did not exit on SIGTERM"
wait_for 10 no_app wlroots || fail "nested window stayed"
tinct_alive
stop_tinct
