#!/bin/sh
# A broken tinct.ini: --validate names every bad line and fails; tinct still
# starts and applies the good lines.
. "$(dirname "$0")/lib.sh"
need wtype

cfg="$TEST_DIR/tinct.ini"
cat >"$cfg" <<INI
[keyboard]
repeat-rate = fast
[appearance]
border-width = 5
host-colour = #a0b0c0
[bindings]
Super+T = frobnicate
Super+Y = exec $TEST_CLIENT toplevel --size 100x100 --colour 102030
INI
status=0
"$TINCT" --validate -c "$cfg" >"$TEST_DIR/validate.out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "--validate exited $status on a broken file"
grep -qx "$cfg:2: \[keyboard\] repeat-rate: expected an integer from 0 to 1000 (keys per second), got \"fast\"" \
	"$TEST_DIR/validate.out" || fail "missing line 2 error: $(cat "$TEST_DIR/validate.out")"
grep -qx "$cfg:7: \[bindings\] Super+T: unknown action" "$TEST_DIR/validate.out" ||
	fail "missing line 7 error"
[ "$(wc -l <"$TEST_DIR/validate.out")" = 2 ] || fail "unexpected output: $(cat "$TEST_DIR/validate.out")"

printf '[appearance]\nborder-width = 3\n' >"$TEST_DIR/good.ini"
"$TINCT" --validate -c "$TEST_DIR/good.ini" >/dev/null || fail "--validate rejects a good file"
status=0
"$TINCT" -c "$TEST_DIR/missing.ini" --validate 2>/dev/null || status=$?
[ "$status" = 1 ] || fail "--validate of a missing file exited $status"

# tinct starts anyway, with the good lines applied.
start_tinct -c "$cfg"
wtype -M logo -k y -m logo
wait_mapped 1
screenshot "$TEST_DIR/shot.ppm"
set -- $(bbox "$TEST_DIR/shot.ppm" a0b0c0)
[ "$3" = 110 ] || fail "frame is $3 px wide, expected 100 + 2 * 5"
stop_tinct
