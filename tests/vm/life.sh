#!/bin/sh
# A real QEMU guest's life (TCG): a placeholder window in the VM's colour
# at once, replaced in place by the VM's first window; the VM is booting
# until its init says
# ready over the control channel, and --wait start returns only then; an
# application of the VM starts again inside the running VM (tinctctl run);
# with stop-when-idle the VM stops gracefully when its last window closes;
# a guest kernel panic ends the VM crashed, with the panic as the reason
# and readable in the console's backlog after the crash.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/appvm-lynx.img" ] || skip "guest images missing in $images (make images)"
need qemu-system-x86_64 waypipe grim wtype python3
export TINCT_IMAGES="$images"
export TINCT_KVM=0 # these machines' nested KVM hangs; the probe is tested elsewhere
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"
VM=life
ORANGE=f57900

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/$VM.ini" <<INI
[vm]
colour = orange
vmm = qemu
kernel = vmlinuz
initrd = appvm-lynx.img
memory = 512
wayland = waypipe
stop-when-idle = true
stop-timeout = 20
# Booting, the console to a panic: a cold boot every time (vm-snapshot
# tests restores).
snapshot = false
[guest]
run = term: foot -T term sh -c 'read -r _'
INI

json() {
	"$TINCTCTL" list --json | python3 -c '
import json, sys
print(next(v for v in json.load(sys.stdin) if v["name"] == sys.argv[1]).get(sys.argv[2], "MISSING"))' "$1" "$2"
}
term_windows_are() {
	[ "$(windows_matching "$VM" "[$VM] term")" = "$1" ]
}
console_log() {
	python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/$VM.console" "$TEST_DIR/$1.txt" \
		--until "$2" --timeout "${3:-5}"
}

start_tinct --vms "$TEST_DIR/vms"
json "$VM" apps | grep -q "'term'" || fail "apps: $(json "$VM" apps)"

# 1. Booting until the guest is up; --wait returns once it is running.
start=$(date +%s%N)
"$TINCTCTL" --wait start "$VM" >"$TEST_DIR/wait.out" 2>&1 &
WAITER=$!
# The placeholder: tinct's own window in the VM's colour, at once.
placeholder_listed() {
	"$TINCTCTL" windows --json | python3 -c '
import json, sys
sys.exit(0 if any(w["placeholder"] and w["vm"] == sys.argv[1] and w["title"] == sys.argv[2]
                  for w in json.load(sys.stdin)) else 1)' "$VM" "[$VM] starting…"
}
wait_for 5 placeholder_listed || fail "no placeholder: $("$TINCTCTL" windows --json)"
screenshot "$TEST_DIR/placeholder.ppm"
n=$(count_colour "$TEST_DIR/placeholder.ppm" $ORANGE)
[ "$n" -gt 10000 ] || fail "the placeholder is not drawn in orange ($n pixels)"
placeholder_box=$(bbox "$TEST_DIR/placeholder.ppm" $ORANGE)
wait_for 60 vm_is "$VM" booting || fail "$VM never booting: $(vm_state "$VM")"
console_log booting "Linux version" 30 || fail "no boot output"
grep -q "tinct-guest: ready" "$TEST_DIR/booting.txt" && fail "the guest was ready before the check"
wait "$WAITER" || fail "--wait start failed: $(cat "$TEST_DIR/wait.out")"
log "running after $((($(date +%s%N) - start) / 1000000)) ms"
vm_is "$VM" running || fail "--wait returned while $(vm_state "$VM")"
console_log ready "tinct-guest: ready" || fail "running before the guest said ready"

# 2. The boot application's window, then a second one started inside the
#    running VM over the control channel.
wait_for 120 has_window "$VM" "[$VM] term" || fail "no window of $VM"
# The window replaced the placeholder, in place: same top-left corner.
placeholder_listed && fail "the placeholder stayed"
screenshot "$TEST_DIR/first.ppm"
window_box=$(bbox "$TEST_DIR/first.ppm" $ORANGE)
[ "${window_box% * *}" = "${placeholder_box% * *}" ] ||
	fail "the window at $window_box did not take the placeholder's place $placeholder_box"
"$TINCTCTL" run "$VM" term || fail "tinctctl run"
wait_for 120 term_windows_are 2 ||
	fail "the second application window did not come"
# Its output is in the guest's log, not on the console.
console_log apps "tinct-guest: app 0 start" || fail "no app start line"

# 3. stop-when-idle: Enter ends each foot; the last one stops the VM.
screenshot "$TEST_DIR/two.ppm"
[ "$(count_colour "$TEST_DIR/two.ppm" $ORANGE)" -gt 1000 ] || fail "no orange frames"
wtype -k Return
wait_for 30 term_windows_are 1 ||
	fail "Enter did not close a window"
vm_is "$VM" running || fail "$VM stopped with a window left"
wtype -k Return
wait_for 60 vm_is "$VM" stopped || fail "$VM is $(vm_state "$VM") after its last window closed"
log_has "stop-when-idle" || fail "not stopped by stop-when-idle"

# 4. A kernel panic: crashed, the panic is the reason and stays readable.
"$TINCTCTL" --wait start "$VM" || fail "restart"
console_log panic "tinct-guest: ready" || fail "no ready after restart"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/$VM.console" "$TEST_DIR/panic.txt" \
	--send "echo c >/proc/sysrq-trigger
" --until "Kernel panic" --timeout 60 || fail "no panic"
wait_for 30 vm_is "$VM" crashed || fail "$VM is $(vm_state "$VM") after a panic"
json "$VM" reason | grep -q "Kernel panic" || fail "reason: $(json "$VM" reason)"
[ "$(json "$VM" exit_status)" = 1 ] || fail "exit_status: $(json "$VM" exit_status)"
console_log after "Kernel panic" || fail "the panic is not in the backlog after the crash"
stop_tinct
