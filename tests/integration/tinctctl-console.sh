#!/bin/sh
# tinctctl console against the fake VMM's serial console: the backlog comes
# first, input is forwarded (the fake VMM echoes it), a second attachment is
# refused (by tinctctl and by tinct-vm, which share the client code), Ctrl-]
# detaches, and the console ends when the VM stops.
. "$(dirname "$0")/lib.sh"
need python3

TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
TINCT_VM="$TINCT_BUILD_ROOT/vmm/tinct-vm"

# Not "red": vm-windows.sh kills its red VMM with a pkill -f pattern that
# would match a VM of that name in a test running alongside.
mkdir -p "$TEST_DIR/vms"
fake_vm shell red true

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is shell running || fail "shell did not start"

has() {
	grep -q -- "$2" "$TEST_DIR/$1"
}

# attach N: tinctctl console shell in the background, its stdin the FIFO in.N
# (held open on fd 3 so that the console sees no end of input).
attach() {
	mkfifo "$TEST_DIR/in.$1"
	exec 3<>"$TEST_DIR/in.$1"
	"$TINCTCTL" console shell <"$TEST_DIR/in.$1" >"$TEST_DIR/out.$1" 2>"$TEST_DIR/err.$1" &
	CONSOLE_PID=$!
	BACKGROUND_PIDS="$BACKGROUND_PIDS $CONSOLE_PID"
}

# console_exit STATUS: waits (bounded) for the background console to end
# with STATUS.
console_exit() {
	wait_for 15 not_running "$CONSOLE_PID" || fail "tinctctl console did not end"
	status=0
	wait "$CONSOLE_PID" || status=$?
	[ "$status" = "$1" ] || fail "tinctctl console exited $status, expected $1: $(cat "$TEST_DIR"/err.*)"
}

attach 1
wait_for 10 has out.1 "fake-vmm: console of shell" || fail "no backlog: $(cat "$TEST_DIR/out.1")"
has err.1 "detach with" && fail "attach hint printed although stdin is not a terminal"
printf 'ping-4711\n' >&3
wait_for 10 has out.1 "ping-4711" || fail "input not forwarded: $(cat "$TEST_DIR/out.1")"

# One client at a time.
status=0
"$TINCTCTL" console shell </dev/null >"$TEST_DIR/second.out" 2>"$TEST_DIR/second.err" || status=$?
[ "$status" = 4 ] || fail "second attach exited $status, expected 4"
has second.err "already attached elsewhere" || fail "refusal not shown: $(cat "$TEST_DIR/second.err")"
status=0
"$TINCT_VM" console shell </dev/null >/dev/null 2>"$TEST_DIR/vm.err" || status=$?
[ "$status" = 1 ] || fail "tinct-vm console while attached exited $status, expected 1"
has vm.err "already attached elsewhere" || fail "tinct-vm: $(cat "$TEST_DIR/vm.err")"

# Ctrl-] detaches.
printf 'tail\035' >&3
console_exit 0
has err.1 "detached" || fail "no detach message: $(cat "$TEST_DIR/err.1")"
exec 3>&-

# A new attachment gets the backlog again, and ends when the VM stops.
attach 2
wait_for 10 has out.2 "ping-4711" || fail "backlog lacks the echo: $(cat "$TEST_DIR/out.2")"
has out.2 "fake-vmm: console of shell" || fail "backlog lacks the greeting"
"$TINCTCTL" stop shell || fail "tinctctl stop shell"
console_exit 0
has err.2 "console of shell closed" || fail "no close message: $(cat "$TEST_DIR/err.2")"
exec 3>&-

# A stopped VM has no console.
wait_for 15 vm_is shell stopped || fail "shell did not stop"
status=0
"$TINCTCTL" console shell </dev/null 2>"$TEST_DIR/stopped.err" || status=$?
[ "$status" = 4 ] || fail "console of a stopped VM exited $status, expected 4"

tinct_alive
stop_tinct
