#!/bin/sh
# tinctctl over tinct-vm-manager-unstable-v1: list (text and JSON), start,
# socket, windows with the VM tag, stop and kill of VMs whose VMM is the
# fake one, every documented error status, and that the manager global is
# offered on the host socket only.
. "$(dirname "$0")/lib.sh"
need wayland-info python3

TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"

# expect_status STATUS CMD...: runs CMD, output in $TEST_DIR/out and
# $TEST_DIR/err, and requires its exit status.
expect_status() {
	want=$1
	shift
	got=0
	"$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err" || got=$?
	[ "$got" = "$want" ] ||
		fail "'$*' exited $got, expected $want: $(cat "$TEST_DIR/out" "$TEST_DIR/err")"
}

err_has() {
	grep -q -- "$1" "$TEST_DIR/err" || fail "no '$1' in: $(cat "$TEST_DIR/err")"
}

# json_check PYTHON-EXPR [tinctctl args]: evaluates the expression with d
# bound to the parsed JSON document that tinctctl prints.
json_check() {
	expr=$1
	shift
	"$TINCTCTL" --json "$@" >"$TEST_DIR/json" || return 1
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
vms = {v['name']: v for v in d} if sys.argv[2] == 'list' else None
sys.exit(0 if ($expr) else 1)" "$TEST_DIR/json" "$1"
}

state_is() {
	json_check "vms['$1']['state'] == '$2'" list
}

# Before tinct runs: usage and "not running" need no compositor.
expect_status 0 "$TINCTCTL" --help
grep -q "Exit status" "$TEST_DIR/out" || fail "--help does not document the exit statuses"
grep -q "Ctrl-\]" "$TEST_DIR/out" || fail "--help does not say how to detach"
expect_status 0 "$TINCTCTL" --version
grep -q "^tinctctl [0-9]" "$TEST_DIR/out" || fail "--version: $(cat "$TEST_DIR/out")"
expect_status 2 "$TINCTCTL"
expect_status 2 "$TINCTCTL" frobnicate
err_has "unknown command frobnicate"
expect_status 2 "$TINCTCTL" start
expect_status 2 "$TINCTCTL" list extra
expect_status 2 "$TINCTCTL" --json start work
expect_status 2 "$TINCTCTL" --bogus list
expect_status 1 env WAYLAND_DISPLAY=wayland-nowhere "$TINCTCTL" list
err_has "tinct is not running (WAYLAND_DISPLAY=wayland-nowhere)"
expect_status 1 env -u XDG_RUNTIME_DIR "$TINCTCTL" list
err_has "XDG_RUNTIME_DIR is not set"

# Not "red" and "blue": vm-windows.sh kills its red VMM with a pkill -f
# pattern that would match a VM of that name in a test running alongside.
fake_vm work red true
fake_vm web blue false

cat >"$TEST_DIR/vms/slow.ini" <<INI
[vm]
colour = green
vmm = command
command = sleep 60
stop-timeout = 1
INI

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 state_is work running || fail "work did not start: $(cat "$TEST_DIR/json")"
work_socket="$XDG_RUNTIME_DIR/tinct/work/wayland"

# list, as text and as JSON.
expect_status 0 "$TINCTCTL" list
grep -q "^NAME  *STATE  *COLOUR  *SOCKET" "$TEST_DIR/out" || fail "no header: $(cat "$TEST_DIR/out")"
grep -q "^work  *running  *#cc0000  *$work_socket\$" "$TEST_DIR/out" ||
	fail "work wrongly listed: $(cat "$TEST_DIR/out")"
grep -q "^web  *stopped  *#3465a4  *-\$" "$TEST_DIR/out" ||
	fail "web wrongly listed: $(cat "$TEST_DIR/out")"
json_check "sorted(vms) == ['slow', 'web', 'work'] and len(d) == 3 and \
vms['work']['colour'] == '#cc0000' and vms['web']['colour'] == '#3465a4' and \
vms['work']['state'] == 'running' and vms['web']['state'] == 'stopped' and \
vms['work']['socket'] == '$work_socket' and vms['web']['socket'] is None and \
vms['work']['console'] == '$XDG_RUNTIME_DIR/tinct/work.console'" list ||
	fail "list --json: $(cat "$TEST_DIR/json")"

# Errors on VMs.
expect_status 3 "$TINCTCTL" start nosuch
err_has "no VM is called nosuch"
expect_status 3 "$TINCTCTL" socket nosuch
expect_status 3 "$TINCTCTL" console nosuch
expect_status 4 "$TINCTCTL" socket web
err_has "VM web is stopped"
expect_status 4 "$TINCTCTL" console web
expect_status 4 "$TINCTCTL" stop web
expect_status 4 "$TINCTCTL" start work
err_has "already running"

# start returns once the VM is starting or running; --wait until running.
expect_status 0 "$TINCTCTL" start web
json_check "vms['web']['state'] in ('starting', 'running')" list ||
	fail "web not started: $(cat "$TEST_DIR/json")"
wait_for 20 state_is web running || fail "web did not come up: $(cat "$TEST_DIR/json")"

# socket: an absolute path that a client can use as WAYLAND_DISPLAY.
expect_status 0 "$TINCTCTL" socket web
web_socket=$(cat "$TEST_DIR/out")
case "$web_socket" in
/*) ;;
*) fail "socket is not absolute: $web_socket" ;;
esac
[ -S "$web_socket" ] || fail "$web_socket is not a socket"

# The manager is for the host only.
wayland-info >"$TEST_DIR/host-info" 2>&1 || fail "wayland-info on the host socket"
grep -q "'tinct_vm_manager_v1'" "$TEST_DIR/host-info" || fail "host clients cannot see the manager"
WAYLAND_DISPLAY="$web_socket" wayland-info >"$TEST_DIR/vm-info" 2>&1 ||
	fail "wayland-info on the VM socket"
grep -q "'wl_compositor'" "$TEST_DIR/vm-info" || fail "wayland-info saw nothing on the VM socket"
grep -q "tinct_vm_manager_v1" "$TEST_DIR/vm-info" && fail "a VM client can see the manager"
expect_status 1 env WAYLAND_DISPLAY="$web_socket" "$TINCTCTL" list
err_has "does not offer tinct_vm_manager_v1"

# windows: a web client with a hostile title is tagged and sanitised.
title=$(printf '[red] pay\033[31m here\001')
WAYLAND_DISPLAY="$web_socket" start_client web toplevel --size 200x120 --title "$title"
wait_mapped 1
expect_status 0 "$TINCTCTL" windows --json
json_check "len(d) == 1 and d[0]['vm'] == 'web' and d[0]['app_id'] == 'test-client' and \
d[0]['title'].startswith('[web] [red] pay') and '\x1b' not in d[0]['title'] and \
'\x01' not in d[0]['title'] and d[0]['focused'] is True" windows ||
	fail "windows --json: $(cat "$TEST_DIR/json")"
expect_status 0 "$TINCTCTL" windows
grep -q "^web  *\*  *test-client  *\[web\] \[red\] pay" "$TEST_DIR/out" ||
	fail "windows: $(cat "$TEST_DIR/out")"

# stop --wait: stopped, the socket and the window gone.
expect_status 0 "$TINCTCTL" stop --wait web
state_is web stopped || fail "web not stopped after stop --wait: $(cat "$TEST_DIR/json")"
json_check "vms['web']['socket'] is None" list || fail "web still has a socket"
wait_for 10 json_check "len(d) == 0" windows || fail "web window stayed: $(cat "$TEST_DIR/json")"
[ ! -e "$web_socket" ] || fail "$web_socket left behind"
expect_status 4 "$TINCTCTL" socket web

# kill: work ends stopped at once.
expect_status 0 "$TINCTCTL" kill work
wait_for 10 state_is work stopped || fail "work not stopped by kill: $(cat "$TEST_DIR/json")"
expect_status 4 "$TINCTCTL" kill work
err_has "VM work is stopped"

# tinct going away under a client that waits: slow never opens its serial
# console, so it stays starting; the waiting tinctctl must end, and tinct
# must tear down the protocol objects that client still holds cleanly.
"$TINCTCTL" start --wait slow >"$TEST_DIR/slow.out" 2>"$TEST_DIR/slow.err" &
slow_pid=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $slow_pid"
wait_for 10 state_is slow starting || fail "slow not starting: $(cat "$TEST_DIR/json")"
tinct_alive
stop_tinct
wait_for 10 not_running "$slow_pid" || fail "start --wait outlived tinct"
status=0
wait "$slow_pid" || status=$?
[ "$status" = 1 ] || [ "$status" = 5 ] ||
	fail "start --wait exited $status when tinct went away: $(cat "$TEST_DIR/slow.err")"
expect_status 1 "$TINCTCTL" list
err_has "tinct is not running"
