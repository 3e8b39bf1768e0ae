#!/bin/sh
# tinct-vm without XDG_RUNTIME_DIR (a private 0700 directory, removed at
# exit) and "no such VM" with its own exit status (123).
. "$(dirname "$0")/lib.sh"
need python3
TINCT_VM="$TINCT_BUILD_ROOT/vmm/tinct-vm"

mkdir -p "$TEST_DIR/vms"
# A VMM that records where its runtime directory is, and its mode, then
# exits 0 (the guest powered off).
cat >"$TEST_DIR/vms/note.ini" <<INI
[vm]
vmm = command
command = sh -c 'd=\$0; stat -c "%a %n" "\${d%/*/*}" >$TEST_DIR/note.txt' {runtime-dir}
# It looks outside its own directory on purpose (the jail test confines).
confine = false
INI

status=0
env -u XDG_RUNTIME_DIR "$TINCT_VM" run --vm nosuch --vms "$TEST_DIR/vms" </dev/null >"$TEST_DIR/out" 2>&1 || status=$?
[ "$status" = 123 ] || fail "run --vm nosuch exited $status: $(cat "$TEST_DIR/out")"
grep -q "no such VM" "$TEST_DIR/out" || fail "run --vm nosuch: $(cat "$TEST_DIR/out")"
status=0
"$TINCT_VM" console nosuch >"$TEST_DIR/out" 2>&1 || status=$?
[ "$status" = 123 ] || fail "console nosuch exited $status: $(cat "$TEST_DIR/out")"
grep -q "no such VM" "$TEST_DIR/out" || fail "console nosuch: $(cat "$TEST_DIR/out")"
# A defined VM that is not running is another matter.
status=0
"$TINCT_VM" console --vms "$TEST_DIR/vms" note >"$TEST_DIR/out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "console of a stopped VM exited $status: $(cat "$TEST_DIR/out")"
grep -q "not running" "$TEST_DIR/out" || fail "console note: $(cat "$TEST_DIR/out")"

status=0
env -u XDG_RUNTIME_DIR TMPDIR="$TEST_DIR" "$TINCT_VM" run --vm note --vms "$TEST_DIR/vms" \
	</dev/null >"$TEST_DIR/out" 2>&1 || status=$?
[ "$status" = 0 ] || fail "run without XDG_RUNTIME_DIR exited $status: $(cat "$TEST_DIR/out")"
read -r mode dir <"$TEST_DIR/note.txt" || fail "the VMM did not run: $(cat "$TEST_DIR/out")"
[ "$mode" = 700 ] || fail "private runtime directory $dir has mode $mode"
[ ! -e "$dir" ] || fail "private runtime directory $dir was left behind"
