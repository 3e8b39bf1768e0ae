#!/bin/sh
# The VM menu shows each VM's network: "→ netvm" in the network column of
# an app VM with network = netvm, nothing for a VM without a network or a
# network VM that no active VM uses. The definitions are QEMU VMs that
# never start (a network VM cannot be a stand-in command).
. "$(dirname "$0")/lib.sh"
need grim wtype python3

mkdir -p "$TEST_DIR/vms"
printf '[vm]\nkernel = k\nnetwork = netvm\n' >"$TEST_DIR/vms/app.ini"
printf '[vm]\nkernel = k\n[netvm]\nports = 2\n' >"$TEST_DIR/vms/netvm.ini"
printf '[vm]\nkernel = k\n' >"$TEST_DIR/vms/plain.ini"
start_tinct --vms "$TEST_DIR/vms"
vm_is app stopped && vm_is netvm stopped && vm_is plain stopped || fail "the VMs are not defined"

wtype -M logo -k space -m logo
wait_for 5 log_has "panel: menu open" || fail "Super+Space did not open the menu"
# Rows below the panel: the header, then app, netvm, plain (by name), each
# 28 pixels high; the network column is at x 268, 96 wide.
column() {
	python3 "$PIXELS" distinct "$TEST_DIR/menu.ppm" 270 $((PANEL_HEIGHT + 28 * $1 + 2)) 90 24
}
drawn() {
	screenshot "$TEST_DIR/menu.ppm" && [ "$(column 1)" -gt 2 ]
}
wait_for 5 drawn || fail "no network shown for app ($(column 1) colours)"
[ "$(column 2)" = 1 ] || fail "an unused network VM shows a network ($(column 2) colours)"
[ "$(column 3)" = 1 ] || fail "a VM without a network shows one ($(column 3) colours)"
wtype -k Escape
stop_tinct
