#!/bin/sh
# The memfd server of a VM (virtio-wl/memfd_server.h), against a real tinct:
# a VM whose VMM is the fake one gets <runtime>/memfd with its display; a
# real client gets sealed memfds of the size it asks for, malformed and
# partial requests get their status or a clean drop, the quota holds, tinct
# stays healthy, and the socket and the count go and come with the VM.
. "$(dirname "$0")/lib.sh"
need python3

TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
CLIENT="$TINCT_BUILD_ROOT/tests/tools/memfd-client"
mkdir -p "$TEST_DIR/vms"
fake_vm mem purple true
cat >>"$TEST_DIR/vms/mem.ini" <<INI
[wayland]
memfd-quota = 1M
INI
fake_vm dflt green true
fake_vm bad red true
cat >>"$TEST_DIR/vms/bad.ini" <<INI
[wayland]
memfd-quota = lots
INI

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is mem running || fail "mem did not start"
wait_for 20 vm_is dflt running || fail "dflt did not start"
sock="$XDG_RUNTIME_DIR/tinct/mem/memfd"
[ -S "$sock" ] || fail "no memfd socket at $sock"
[ "$(stat -c %a "$sock")" = 600 ] || fail "memfd socket is not 0600"
# A bad memfd-quota is an error of the definition, which defines no VM.
log_has "bad.ini:[0-9]*: \[wayland\] memfd-quota: expected bytes" ||
	fail "a bad memfd-quota was not reported"
status=0
"$TINCTCTL" start bad >/dev/null 2>&1 || status=$?
[ "$status" = 3 ] || fail "a definition with a bad memfd-quota defined a VM ($status)"

# Every check of the wire format, with tinct's quota of 1 MiB.
"$CLIENT" check "$sock" mem 1048576 >"$TEST_DIR/check.tap" 2>&1 ||
	fail "memfd checks failed: $(grep -v '^ok' "$TEST_DIR/check.tap")"
log "$(grep -c '^ok' "$TEST_DIR/check.tap") memfd checks passed"
tinct_alive
# The display is untouched by all that: a window still comes up.
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/mem/wayland" start_client w toplevel --title after
wait_for 10 has_window mem "[mem] after" || fail "no window after the checks"
kill "$LAST_PID"

# The other VM's quota is its own (the default, 256 MiB): 200 MiB there is
# fine although mem's is spent.
"$CLIENT" get "$XDG_RUNTIME_DIR/tinct/dflt/memfd" 209715200 >"$TEST_DIR/dflt.out"
grep -q "status 0 size 209715200" "$TEST_DIR/dflt.out" || fail "dflt: $(cat "$TEST_DIR/dflt.out")"
"$CLIENT" get "$XDG_RUNTIME_DIR/tinct/dflt/memfd" 67108864 >"$TEST_DIR/dflt.out"
grep -q "status 3 " "$TEST_DIR/dflt.out" || fail "dflt over 256M: $(cat "$TEST_DIR/dflt.out")"

# mem's quota is spent; stopping the VM removes the socket, starting it
# gives a fresh count.
"$CLIENT" get "$sock" 4096 >"$TEST_DIR/get.out"
grep -q "status 3 " "$TEST_DIR/get.out" || fail "quota not spent: $(cat "$TEST_DIR/get.out")"
"$TINCTCTL" stop --wait mem >/dev/null || fail "tinctctl stop mem"
[ ! -e "$sock" ] || fail "memfd socket left behind after stop"
"$TINCTCTL" start mem >/dev/null || fail "tinctctl start mem"
wait_for 20 test -S "$sock" || fail "memfd socket not back after start"
"$CLIENT" get "$sock" 1048576 >"$TEST_DIR/get.out"
grep -q "status 0 size 1048576" "$TEST_DIR/get.out" || fail "no fresh quota: $(cat "$TEST_DIR/get.out")"

# A VM that crashes takes its memfd socket along.
pkill -KILL -f "fake-vmm.py $XDG_RUNTIME_DIR/tinct/mem/serial mem" || fail "no mem VMM"
wait_for 10 vm_is mem crashed || fail "mem not marked crashed"
[ ! -e "$sock" ] || fail "memfd socket left behind after a crash"
tinct_alive
stop_tinct
