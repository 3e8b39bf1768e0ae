#!/bin/sh
# Super+Return when the focused VM's console is already attached elsewhere
# (a `tinctctl console` in some terminal): tinct says so on the panel
# instead of opening a console window that would only be refused.
. "$(dirname "$0")/lib.sh"
need grim wtype python3 foot

NOTICE=e5a50a
notice_shown() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" "$NOTICE")" -gt 100 ]
}

fake_vm shell blue
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is shell running || fail "shell did not start"
sock=$("$TINCTCTL" socket shell)

# Attached elsewhere: stdin a FIFO held open, so it stays attached.
mkfifo "$TEST_DIR/in"
exec 3<>"$TEST_DIR/in"
"$TINCTCTL" console shell <"$TEST_DIR/in" >"$TEST_DIR/console.out" 2>&1 &
CONSOLE_PID=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $CONSOLE_PID"
wait_for 10 grep -q "fake-vmm: console of shell" "$TEST_DIR/console.out" ||
	fail "tinctctl console did not attach"

WAYLAND_DISPLAY="$sock" start_client guest toplevel --title guest --size 300x200
wait_for 10 focused_is "[shell] guest" || fail "the VM window did not get the keys"
screenshot "$TEST_DIR/before.ppm"
[ "$(panel_count "$TEST_DIR/before.ppm" "$NOTICE")" = 0 ] || fail "a notice shows already"

wtype -M logo -k Return -m logo
wait_for 5 notice_shown || fail "no notice that the console is attached elsewhere"
no_app tinct-console || fail "a console window opened although the console is busy"
tinct_alive

# Detached, Super+Return opens the console window as usual.
kill "$CONSOLE_PID"
wait_for 10 not_running "$CONSOLE_PID" || fail "tinctctl console did not end"
exec 3>&-
wtype -M logo -k Return -m logo
wait_for 20 has_app tinct-console || fail "Super+Return did not open the console once it was free"
tinct_alive
stop_tinct
