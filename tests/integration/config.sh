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

# VM definitions: [wayland] allow, max-windows and memfd-quota are checked
# with the rest of the definition, and a file with an error defines no VM.
mkdir -p "$TEST_DIR/vms"
printf '[vm]\nkernel = k\n[wayland]\nallow = fullscreen, everything\nmax-windows = 0\nmemfd-quota = lots\n' \
	>"$TEST_DIR/vms/bad.ini"
printf '[vm]\nkernel = k\n[wayland]\nallow = fullscreen\nmax-windows = 3\nmemfd-quota = 1M\n' \
	>"$TEST_DIR/vms/fine.ini"
status=0
"$TINCT" --validate -c "$TEST_DIR/good.ini" --vms "$TEST_DIR/vms" >"$TEST_DIR/validate.out" 2>&1 ||
	status=$?
[ "$status" = 1 ] || fail "--validate exited $status on bad [wayland] keys"
grep -qx "$TEST_DIR/vms/bad.ini:4: \[wayland\] allow: unknown permission \"everything\" (expected pointer-constraints, relative-pointer, fullscreen or idle-inhibit)" \
	"$TEST_DIR/validate.out" || fail "no allow error: $(cat "$TEST_DIR/validate.out")"
grep -qx "$TEST_DIR/vms/bad.ini:5: \[wayland\] max-windows: expected a number from 1 to 100000" \
	"$TEST_DIR/validate.out" || fail "no max-windows error"
grep -qx "$TEST_DIR/vms/bad.ini:6: \[wayland\] memfd-quota: expected bytes with an optional K, M or G suffix, at most 64G" \
	"$TEST_DIR/validate.out" || fail "no memfd-quota error"
grep -qx "$TEST_DIR/vms/fine.ini: OK (VM fine)" "$TEST_DIR/validate.out" || fail "fine VM not OK"
! grep -q "(VM bad)" "$TEST_DIR/validate.out" || fail "a broken definition was OK"
[ "$(wc -l <"$TEST_DIR/validate.out")" = 5 ] || fail "unexpected output: $(cat "$TEST_DIR/validate.out")"

# What needs more than one line: a layout xkb does not know, and a binding
# that starts a VM nobody defined.
printf '[keyboard]\nlayout = nosuchlayout\n[bindings]\nSuper+1 = vm-start fine\nSuper+2 = vm-start nosuch\n' \
	>"$TEST_DIR/refs.ini"
status=0
"$TINCT" --validate -c "$TEST_DIR/refs.ini" --vms "$TEST_DIR/vms" >"$TEST_DIR/refs.out" 2>&1 ||
	status=$?
[ "$status" = 1 ] || fail "--validate exited $status with an unknown layout and VM"
grep -qx "$TEST_DIR/refs.ini:2: \[keyboard\] layout: no keymap for layout \"nosuchlayout\", variant \"\", options \"\"" \
	"$TEST_DIR/refs.out" || fail "unknown layout not reported: $(cat "$TEST_DIR/refs.out")"
grep -qx "$TEST_DIR/refs.ini:5: \[bindings\] Super+2: vm-start: no VM is called nosuch" \
	"$TEST_DIR/refs.out" || fail "binding to an undefined VM not reported: $(cat "$TEST_DIR/refs.out")"
grep -q "Super+1" "$TEST_DIR/refs.out" && fail "a binding to a defined VM was reported"
rm -r "$TEST_DIR/vms"

# tinct starts anyway, with the good lines applied.
start_tinct -c "$cfg"
wtype -M logo -k y -m logo
wait_mapped 1
screenshot "$TEST_DIR/shot.ppm"
set -- $(bbox "$TEST_DIR/shot.ppm" a0b0c0)
[ "$3" = 110 ] || fail "frame is $3 px wide, expected 100 + 2 * 5"
stop_tinct
