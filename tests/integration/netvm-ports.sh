#!/bin/sh
# A network VM's ports survive hostile VMMs (vmm/port.h): stand-in QEMUs
# (tests/tools/net-qemu.py, no guests) on real socket pairs.
#   - An app VM starts its network VM first and takes port 0; its QEMU gets
#     its end as a descriptor, and frames reach the network VM's port.
#   - A hostile QEMU spoils its end (shut down, a locked drop-all filter):
#     after it is gone, tinct retires that port instead of handing the
#     spoiled end to the next app VM, which gets port 1 and a working link.
#   - Once the network VM starts again, the retired port is made anew and
#     serves again.
. "$(dirname "$0")/lib.sh"
need python3 bwrap

export TINCT_IMAGES="$TEST_DIR/images" TINCT_KVM=0
mkdir -p "$TINCT_IMAGES" "$TEST_DIR/vms"
: >"$TINCT_IMAGES/k"
NET_QEMU="$TINCT_SOURCE_ROOT/tests/tools/net-qemu.py"
qemu_vm() {
	cat >"$TEST_DIR/vms/$1.ini" <<INI
[vm]
colour = $2
vmm-binary = $NET_QEMU
kernel = k
stop-timeout = 2
$3
INI
}
qemu_vm netvm gray "[netvm]
ports = 2
upstream = none"
qemu_vm hostile red "network = netvm"
qemu_vm good green "network = netvm"
RUN=$XDG_RUNTIME_DIR/tinct

# frame_on PORT VM: netvm's stand-in logged a frame of VM on that port.
frame_on() {
	grep -q "^port$1: frame from $2\$" "$RUN/netvm/frames" 2>/dev/null
}

start_tinct --vms "$TEST_DIR/vms"

# 1. The hostile VM starts netvm first, takes port 0 and spoils it.
"$TINCTCTL" --wait start hostile || fail "hostile did not start"
wait_for 10 vm_is netvm running || fail "netvm did not start with hostile: $(vm_state netvm)"
log_has "VM hostile: on port 0 of network VM netvm" || fail "hostile is not on port 0"
wait_for 10 test -e "$RUN/hostile/spoiled" || fail "the hostile QEMU did not spoil its end"
"$TINCTCTL" kill hostile || fail "tinctctl kill hostile"
wait_for 10 vm_is hostile stopped || fail "hostile did not stop: $(vm_state hostile)"
wait_for 5 log_has "Port 0 of network VM netvm is out of use" ||
	fail "the spoiled port was not retired"

# 2. The next app VM gets port 1, and its frames reach netvm.
"$TINCTCTL" --wait start good || fail "good did not start"
log_has "VM good: on port 1 of network VM netvm" || fail "good was not given port 1"
wait_for 10 frame_on 1 good || fail "good's frames do not reach netvm's port 1"

# 3. netvm starts again: port 0 is made anew and serves the next app VM.
"$TINCTCTL" stop good || fail "tinctctl stop good"
wait_for 10 vm_is good stopped || fail "good did not stop"
"$TINCTCTL" stop netvm || fail "tinctctl stop netvm"
wait_for 10 vm_is netvm stopped || fail "netvm did not stop"
rm -f "$RUN/netvm/frames"
"$TINCTCTL" --wait start good || fail "good did not start again"
wait_for 5 log_count_at_least 2 "VM good: on port" || fail "good has no port"
[ "$(grep -c "VM good: on port 0 of network VM netvm" "$TINCT_LOG")" = 1 ] ||
	fail "the remade port 0 was not given to good"
wait_for 10 frame_on 0 good || fail "good's frames do not reach netvm's remade port 0"
stop_tinct
