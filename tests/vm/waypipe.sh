#!/bin/sh
# wayland = waypipe end to end on a real QEMU guest (TCG): an autostart VM's
# application (foot in the guest, through waypipe over virtio-serial) shows
# a window tagged with the VM, framed in its colour, with guest content
# inside; typed text reaches the guest; stopping the VM removes the window
# and leaves no waypipe or QEMU process; SIGKILL of the waypipe client
# leaves tinct healthy, marks the VM crashed and removes its windows.
# Stop and start go through tinctctl, as a user's script would.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/appvm-lynx.img" ] || skip "guest images missing in $images (make images)"
need qemu-system-x86_64 waypipe grim wtype python3
[ -x "$TINCT_BUILD_ROOT/tinctctl/tinctctl" ] || fail "tinctctl is not built"
export TINCT_IMAGES="$images"
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"
VM=appvm-wp
BLUE=3465a4

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/$VM.ini" <<INI
[vm]
colour = blue
vmm = qemu
kernel = vmlinuz
initrd = appvm-lynx.img
memory = 512
wayland = waypipe
autostart = true
stop-timeout = 20
[guest]
run = foot -e sh -c 'lynx -dump file:///srv/index.html; cat >/tmp/typed'
INI

rundir() {
	echo "$XDG_RUNTIME_DIR/tinct/$VM"
}

# The pid of channel 0's waypipe client, from tinct's log.
waypipe_pid() {
	sed -n 's/.*waypipe client 0 started as \([0-9]*\) .*/\1/p' "$TINCT_LOG" | tail -n1
}

no_vm_processes() {
	! pgrep -f "tinct.name=$VM" >/dev/null && ! pgrep -f "$(rundir)/waypipe-" >/dev/null
}

boot() {
	start_tinct --vms "$TEST_DIR/vms"
	start=$(date +%s%N)
	wait_for 150 has_window "$VM" "[$VM]" ||
		fail "no window of $VM: $(tail -n 20 "$(rundir)/waypipe.log" 2>/dev/null)"
	log "first window after $((($(date +%s%N) - start) / 1000000)) ms"
}

# 1. The window, its frame and content, typing, a graceful stop.
boot
[ -S "$(rundir)/waypipe-0.sock" ] || fail "no waypipe channel socket"
shot="$TEST_DIR/window.ppm"
wait_for 30 sh -c "grim -t ppm '$shot' && [ \$(python3 '$PIXELS' count '$shot' $BLUE $PANEL_HEIGHT) -gt 1000 ]" ||
	fail "no blue frame on screen"
set -- $(bbox "$shot" $BLUE)
x=$1 y=$2 w=$3 h=$4
[ "$w" -gt 200 ] && [ "$h" -gt 100 ] || fail "frame too small: $w x $h"
# Inside the frame and below the title bar: the guest's pixels, which must
# be more than a flat fill (foot drew lynx's text).
wait_for 30 sh -c "grim -t ppm '$TEST_DIR/c.ppm' && [ \$(python3 '$PIXELS' distinct '$TEST_DIR/c.ppm' $((x + 4)) $((y + 30)) $((w - 8)) 60) -gt 4 ]" ||
	fail "no guest content inside the frame: lynx's text never appeared"

wtype "typed-through-waypipe"
wtype -k Return
python3 "$CONSOLE" "$(rundir).console" "$TEST_DIR/typed.txt" --send "cat /tmp/typed
" --until "typed-through-waypipe" --timeout 30 ||
	fail "typed text did not reach the guest: $(tail -n 5 "$TEST_DIR/typed.txt")"

qemu=$(pgrep -f "tinct.name=$VM" | head -n1)
wp=$(waypipe_pid)
[ -n "$qemu" ] && [ -n "$wp" ] || fail "no QEMU or waypipe process"
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
"$TINCTCTL" stop --wait "$VM" || fail "tinctctl stop failed"
no_app foot || fail "the window was not removed"
vm_is $VM stopped || fail "$VM did not stop"
wait_for 10 not_running "$qemu" || fail "QEMU survived the stop"
wait_for 10 not_running "$wp" || fail "waypipe survived the stop"
no_vm_processes || fail "processes of $VM left: $(pgrep -af "$VM")"
[ ! -e "$(rundir)/waypipe-0.sock" ] || fail "channel socket left behind"
tinct_alive

# 2. Started again, its window comes back; SIGKILL of the waypipe client
# then crashes the VM and removes its windows while tinct carries on.
"$TINCTCTL" start "$VM" || fail "tinctctl start failed"
wait_for 150 has_window "$VM" "[$VM]" || fail "no window after restart"
wp=$(waypipe_pid)
kill -KILL "$wp"
wait_for 20 log_has "VM $VM crashed: waypipe client for channel 0 killed by signal 9" ||
	fail "$VM not marked crashed"
wait_for 10 vm_is $VM crashed || fail "no crashed state"
wait_for 10 no_window "$VM" "" || fail "the window stayed"
tinct_alive
wait_for 10 no_vm_processes || fail "processes of $VM left: $(pgrep -af "$VM")"
grim -t ppm "$TEST_DIR/after.ppm"
[ "$(count_colour "$TEST_DIR/after.ppm" $BLUE)" -lt 100 ] || fail "the VM's frame is still drawn"
stop_tinct
