#!/bin/sh
# The compositor side of crosvm's virtio_wl device (vmm/backend-crosvm.c),
# with tests/tools/crosvm-sim playing crosvm: each guest context is a new
# connection to the VM's display socket, speaking Wayland with shm buffers
# whose memfds cross with SCM_RIGHTS. Both contexts' windows are the VM's,
# so is a context on a named socket, and after the VM's sockets are
# re-created (stop, start) new contexts connect again.
. "$(dirname "$0")/lib.sh"
need grim python3

TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
SIM="$TINCT_BUILD_ROOT/tests/tools/crosvm-sim"
mkdir -p "$TEST_DIR/vms"
fake_vm cvm orange true
cat >>"$TEST_DIR/vms/cvm.ini" <<INI
[wayland]
named = sommelier
INI

# windows_ok PYTHON-EXPR: with w the list from tinctctl windows --json.
windows_ok() {
	"$TINCTCTL" --json windows >"$TEST_DIR/windows.json" || return 1
	python3 -c "
import json, sys
w = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$TEST_DIR/windows.json"
}

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is cvm running || fail "cvm did not start"
dir="$XDG_RUNTIME_DIR/tinct/cvm"
[ -S "$dir/wayland" ] && [ -S "$dir/wayland-sommelier" ] && [ -S "$dir/memfd" ] ||
	fail "cvm's sockets are missing: $(ls "$dir")"

# Two guest contexts: two connections on the display socket.
background_sim() {
	"$SIM" "$@" >"$TEST_DIR/sim.out" 2>&1 &
	SIM_PID=$!
	BACKGROUND_PIDS="$BACKGROUND_PIDS $SIM_PID"
}
background_sim "$dir/wayland:ctx-one:20a040" "$dir/wayland:ctx-two:4020a0"
wait_for 10 grep -q "context 2 mapped" "$TEST_DIR/sim.out" || fail "contexts not mapped: $(cat "$TEST_DIR/sim.out")"
wait_for 10 windows_ok "sorted((x['vm'], x['title']) for x in w) == \
[('cvm', '[cvm] ctx-one'), ('cvm', '[cvm] ctx-two')]" ||
	fail "windows: $(cat "$TEST_DIR/windows.json")"
[ "$(log_count "VM client connected on $dir/wayland\$")" -ge 2 ] ||
	fail "not two connections on the display socket"
# The guest's pixels reach the screen inside the VM's frame.
screenshot "$TEST_DIR/two.ppm"
set -- $(bbox "$TEST_DIR/two.ppm" 20a040)
[ "$3 $4" = "160 100" ] || fail "ctx-one's buffer shows as $3x$4, not 160x100"
set -- $(bbox "$TEST_DIR/two.ppm" 4020a0)
[ "$3 $4" = "160 100" ] || fail "ctx-two's buffer shows as $3x$4, not 160x100"
kill "$SIM_PID"
wait_for 10 windows_ok "len(w) == 0" || fail "windows stayed after the contexts closed"

# A named context (VFD_NEW_CTX_NAMED "sommelier"), its buffer memory from
# the VM's memfd server (the named context "memfd").
background_sim --memfd-server "$dir/memfd" "$dir/wayland-sommelier:named-ctx:a04020"
wait_for 10 grep -q "context 1 mapped" "$TEST_DIR/sim.out" || fail "named context: $(cat "$TEST_DIR/sim.out")"
wait_for 10 windows_ok "[(x['vm'], x['title']) for x in w] == [('cvm', '[cvm] named-ctx')]" ||
	fail "named socket window: $(cat "$TEST_DIR/windows.json")"
log_has "VM client connected on $dir/wayland-sommelier" || fail "no connection on the named socket"
screenshot "$TEST_DIR/named.ppm"
set -- $(bbox "$TEST_DIR/named.ppm" a04020)
[ "$3 $4" = "160 100" ] || fail "memfd-server buffer shows as $3x$4"

# Stopping the VM removes the sockets and disconnects the context.
"$TINCTCTL" stop --wait cvm >/dev/null || fail "tinctctl stop cvm"
wait_for 10 grep -q "context 1 closed" "$TEST_DIR/sim.out" || fail "context not closed with the VM"
[ ! -e "$dir/wayland" ] || fail "display socket left behind"
"$SIM" "$dir/wayland:too-early:ffffff" >"$TEST_DIR/early.out" 2>&1 && fail "connected to a stopped VM"
grep -q "connect" "$TEST_DIR/early.out" || fail "early: $(cat "$TEST_DIR/early.out")"

# Started again: fresh sockets, and new contexts simply connect (crosvm
# keeps paths, not connections).
"$TINCTCTL" start cvm >/dev/null || fail "tinctctl start cvm"
wait_for 20 test -S "$dir/wayland-sommelier" || fail "sockets not re-created"
background_sim "$dir/wayland:again-one:20a040" "$dir/wayland-sommelier:again-two:4020a0"
wait_for 10 grep -q "context 2 mapped" "$TEST_DIR/sim.out" || fail "no reconnect: $(cat "$TEST_DIR/sim.out")"
wait_for 10 windows_ok "sorted((x['vm'], x['title']) for x in w) == \
[('cvm', '[cvm] again-one'), ('cvm', '[cvm] again-two')]" ||
	fail "windows after restart: $(cat "$TEST_DIR/windows.json")"
tinct_alive
stop_tinct
