#!/bin/sh
# The panel never drops a VM silently: when the chips of the running VMs do
# not fit, a "+N" chip stands for the rest, and clicking it opens the menu.
. "$(dirname "$0")/lib.sh"
need grim python3

for i in 01 02 03 04 05 06 07 08 09 10; do
	fake_vm "overflowing-vm-with-long-name-$i" green true
done
# Few enough to fit: no "+N" chip.
start_tinct --vms "$TEST_DIR/vms"
all_running() {
	[ "$("$TINCTCTL" list --json | python3 -c '
import json, sys
print(sum(1 for v in json.load(sys.stdin) if v["state"] == "running"))')" = 10 ]
}
wait_for 30 all_running || fail "the VMs did not start"
more_chip() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" 505868)" -gt 100 ]
}
wait_for 5 more_chip || fail "no +N chip although the chips do not fit"
# Clicking it opens the VM menu (drawn below the panel, over the desktop).
set -- $(python3 "$PIXELS" bbox "$TEST_DIR/panel.ppm" 505868 0)
"$TEST_CLIENT" pointer move $(($1 + 5)) $(($2 + 5)) down up || fail "pointer"
wait_for 5 log_has "panel: menu open" || fail "the +N chip did not open the menu"
stop_tinct
