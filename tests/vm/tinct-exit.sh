#!/bin/sh
# tinct owns its VMs: an autostart VM (real QEMU guest) boots with tinct, and
# SIGTERM to tinct shuts the guest down gracefully (the guest logs its
# shutdown) before tinct exits; no VMM process survives.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/initrd.img" ] || skip "guest images missing in $images (make images)"
need qemu-system-x86_64 python3
export TINCT_IMAGES="$images"
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/demo.ini" <<INI
[vm]
colour = green
vmm = qemu
kernel = vmlinuz
initrd = initrd.img
memory = 256
autostart = true
stop-timeout = 30
INI
# A broken neighbour must not keep demo from starting.
printf '[vm]\nmemory = lots\n' >"$TEST_DIR/vms/broken.ini"

start_tinct --vms "$TEST_DIR/vms"
log_has "broken.ini:2: \[vm\] memory" || fail "the broken definition was not reported"
wait_for 90 vm_is demo running || fail "demo did not start"
sock="$XDG_RUNTIME_DIR/tinct/demo.console"
python3 "$CONSOLE" "$sock" "$TEST_DIR/boot.txt" --until "tinct-guest: ready" --timeout 90 ||
	fail "guest did not boot: $(tail -5 "$TEST_DIR/boot.txt")"
qemu=$(pgrep -f "qemu-system-x86_64.*tinct.name=demo" | head -n1)
[ -n "$qemu" ] || fail "no QEMU process"

# Follow the console through the shutdown.
python3 "$CONSOLE" "$sock" "$TEST_DIR/shutdown.txt" --timeout 60 &
reader=$!
wait_for 10 test -s "$TEST_DIR/shutdown.txt" || fail "console reader did not attach"
kill -TERM "$TINCT_PID"
wait_for 60 not_running "$TINCT_PID" || fail "tinct did not exit"
status=0
wait "$TINCT_PID" || status=$?
TINCT_PID=
[ "$status" = 0 ] || fail "tinct exited with $status"
wait "$reader" || true
grep -q "tinct-guest: shutting down" "$TEST_DIR/shutdown.txt" ||
	fail "the guest never saw a graceful shutdown: $(tail -5 "$TEST_DIR/shutdown.txt")"
# tinct is gone: its log is the only record of the last state change.
log_has "VM demo: stopping -> stopped" || fail "demo did not end stopped"
not_running "$qemu" || fail "QEMU $qemu survived tinct"
[ ! -e "$XDG_RUNTIME_DIR/tinct/demo.console" ] || fail "console socket left behind"
