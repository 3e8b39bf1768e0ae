#!/bin/sh
# Super+Shift+E with VMs running asks first, on the panel: a second press
# within a few seconds exits, any other key (or waiting) keeps the session.
# Without VMs running it exits at once.
. "$(dirname "$0")/lib.sh"
need grim wtype python3

# The question is drawn by tinct in the panel on this colour.
NOTICE=e5a50a
notice_shown() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" "$NOTICE")" -gt 100 ]
}
notice_gone() {
	screenshot "$TEST_DIR/panel.ppm" && [ "$(panel_count "$TEST_DIR/panel.ppm" "$NOTICE")" = 0 ]
}
super_shift_e() {
	wtype -M logo -M shift -k e -m shift -m logo
}
# The press that ends tinct may cut wtype's connection before it is done.
super_shift_e_last() {
	wtype -M logo -M shift -k e -m shift -m logo 2>/dev/null || true
}

fake_vm busy green
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is busy running || fail "busy did not start"
notice_gone || fail "a notice shows before anything happened"
start_client host toplevel --title host --size 300x200
wait_for 10 focused_is host || fail "the host window did not get the keys"

# Asked, then answered with another key: the session stays, the key goes
# nowhere else.
super_shift_e
wait_for 5 notice_shown || fail "Super+Shift+E with a VM running did not ask"
tinct_alive
wtype -k x
wait_for 5 notice_gone || fail "another key did not cancel the question"
tinct_alive
grep -q '^key ' "$TEST_DIR/host.out" && fail "the key that answered reached the window"

# Asked, then left alone: the question goes away by itself.
super_shift_e
wait_for 5 notice_shown || fail "Super+Shift+E did not ask again"
wait_for 15 notice_gone || fail "the question did not time out"
tinct_alive

# Asked, then confirmed: tinct exits cleanly (stopping the VM).
super_shift_e
wait_for 5 notice_shown || fail "Super+Shift+E did not ask after the timeout"
super_shift_e_last
wait_for 20 not_running "$TINCT_PID" || fail "a second Super+Shift+E did not exit"
status=0
wait "$TINCT_PID" || status=$?
TINCT_PID=
[ "$status" = 0 ] || fail "tinct exited with status $status"

# No VM running: no question.
start_tinct
# Without a question there is nothing to confirm: pressing again (should a
# press meet a seat that is still busy starting) changes nothing.
press_and_exited() {
	super_shift_e_last
	not_running "$TINCT_PID"
}
wait_for 30 press_and_exited || fail "Super+Shift+E without VMs did not exit"
status=0
wait "$TINCT_PID" || status=$?
TINCT_PID=
[ "$status" = 0 ] || fail "tinct exited with status $status"
