#!/bin/sh
# A client that commits a protocol error is disconnected; tinct and the other
# clients carry on.
. "$(dirname "$0")/lib.sh"
need grim

start_tinct
start_client good toplevel --size 120x80 --colour 00c000
wait_mapped 1
"$TEST_CLIENT" protocol-error >"$TEST_DIR/bad.out" 2>&1 || fail "bad client: $(cat "$TEST_DIR/bad.out")"
grep -q "protocol error" "$TEST_DIR/bad.out" || fail "no protocol error reported"
tinct_alive
start_client after toplevel --size 120x80 --colour 0000c0
wait_mapped 2
screenshot "$TEST_DIR/after.ppm"
[ "$(count_colour "$TEST_DIR/after.ppm" 00c000)" -gt 0 ] || fail "first client is gone"
[ "$(count_colour "$TEST_DIR/after.ppm" 0000c0)" = 9600 ] || fail "new client not shown"
stop_tinct
