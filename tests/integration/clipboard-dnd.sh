#!/bin/sh
# Drag and drop stays within its domain: a host drag that passes over a VM
# window is not offered to it (no wl_data_device.enter, so the VM cannot
# read the data), while a host window of the same domain is offered it.
. "$(dirname "$0")/lib.sh"

fake_vm alpha red
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 log_has "VM alpha: starting -> running" || fail "alpha did not start"

pointer() {
	"$TEST_CLIENT" pointer "$@" || fail "virtual pointer failed"
}

# The VM's window first (content at 540,309, 200x150), then a host target
# and the host source cascaded over it (+50 px each).
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/alpha/wayland" start_client vm toplevel --title vm --paste
wait_mapped 1
start_client target toplevel --title target --paste
wait_mapped 2
start_client source toplevel --title source --drag dragged-secret
wait_mapped 3

# Press in the source (only it is at 760,520), drag over the VM window (only
# it is at 550,320), then over the host target (600,370), release there.
pointer move 760 520 down
wait_for 10 grep -q "drag started" "$TEST_DIR/source.out" || fail "the drag did not start"
pointer move 700 450 move 560 330 move 550 320
pointer move 560 330 move 600 370
wait_for 10 grep -q "dnd enter" "$TEST_DIR/target.out" || fail "the host target was not offered the drag"
grep -q "dnd enter" "$TEST_DIR/vm.out" && fail "a host drag was offered to a VM window"
pointer move 550 320 up
wait_for 10 grep -q "copy cancelled" "$TEST_DIR/source.out" || fail "a drop on a VM window was not refused"
grep -q "dnd drop" "$TEST_DIR/vm.out" && fail "a host drag was dropped on a VM window"
log_has "drag and drop stays within a VM" || fail "the user was not told how to transfer"
tinct_alive
stop_tinct
