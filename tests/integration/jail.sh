#!/bin/sh
# A VMM that its guest took over gets nothing more (vmm/jail.h): a stand-in
# VMM (tests/tools/escape-vmm.py) tries to reach tinct's main socket,
# another VM's sockets and directory, the home directory and the test's
# files, and reports what it reached. Confined, it reaches only its own
# runtime directory; with confine = false the same VMM reaches them all
# (so the probe works). Every process of a confined VM has
# no-new-privileges, and where tinct is root the VMM runs as an
# unprivileged uid of its own, a different one per VM. Without bwrap a
# confined VM does not start, while confine = false still does.
. "$(dirname "$0")/lib.sh"
need python3 bwrap

ESCAPE_VMM="$TINCT_SOURCE_ROOT/tests/tools/escape-vmm.py"
RUN=$XDG_RUNTIME_DIR
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
echo secret >"$HOME/canary"
echo secret >"$TEST_DIR/canary"

# What escape-vmm.py tries: tinct's main socket, another VM's sockets and
# directory, the home directories, the test's files, and as a control its
# own directory and display.
TARGETS="socket=$RUN/wayland-0 socket=$RUN/wayland-1 list=$RUN list=$RUN/tinct
socket=$RUN/tinct/other/wayland socket=$RUN/tinct/other/serial
socket=$RUN/tinct/other.console list=$RUN/tinct/other list=$HOME
read=$HOME/canary list=/root read=$TEST_DIR/canary write=$TEST_DIR/escaped-{name}
read=/etc/shadow write=/usr/escaped write={runtime-dir}/own
socket={runtime-dir}/wayland socket=$RUN/tinct/{name}.console
plant={runtime-dir}/vmm.log:$TEST_DIR/victim-{name}"
TARGETS=$(echo $TARGETS)

# escape_vm NAME CONFINE: a VM whose VMM is escape-vmm.py.
escape_vm() {
	mkdir -p "$TEST_DIR/vms"
	cat >"$TEST_DIR/vms/$1.ini" <<INI
[vm]
colour = red
vmm = command
confine = $2
stop-timeout = 2
command = python3 $ESCAPE_VMM {serial-socket} {name} {runtime-dir}/report $TARGETS
INI
}
escape_vm escape true
escape_vm loose false
fake_vm other blue
fake_vm another green

report_of() {
	echo "$RUN/tinct/$1/report"
}

# A stand-in crosvm: `run` connects to the serial socket tinct listens on
# and waits on its control socket; `powerbtn SOCKET` (the stop helper)
# tells it to power off, which it notes in its HOME, the runtime directory. Both run confined, as the VM's uid.
cat >"$TEST_DIR/crosvm" <<'PY'
#!/usr/bin/env python3
import os, socket, sys
args = sys.argv[1:]
if args[0] == "powerbtn":
    s = socket.socket(socket.AF_UNIX)
    s.connect(args[1])
    s.sendall(b"powerbtn")
    sys.exit(0)
serial = [a for a in args if a.startswith("type=unix-stream")][0]
path = dict(kv.split("=", 1) for kv in serial.split(",") if "=" in kv)["path"]
console = socket.socket(socket.AF_UNIX)
console.connect(path)
console.sendall(b"fake-crosvm as uid %d\r\n" % os.getuid())
control = socket.socket(socket.AF_UNIX)
control.bind(args[args.index("--socket") + 1])
control.listen(1)
conn, _ = control.accept()
if conn.recv(16) == b"powerbtn":
    open(os.environ["HOME"] + "/powered-off", "w").close()
PY
chmod 755 "$TEST_DIR/crosvm"
cat >"$TEST_DIR/vms/fakecrosvm.ini" <<INI
[vm]
colour = orange
vmm = crosvm
vmm-binary = $TEST_DIR/crosvm
kernel = $TEST_DIR/canary
stop-timeout = 20
[guest]
# A stand-in, not a guest: ready once its console connects.
ready = console
INI

echo precious >"$TEST_DIR/victim-escape"
echo precious >"$TEST_DIR/victim-loose"
start_tinct --vms "$TEST_DIR/vms"
[ "$WAYLAND_DISPLAY" = wayland-0 ] || [ "$WAYLAND_DISPLAY" = wayland-1 ] ||
	fail "the probe does not try $WAYLAND_DISPLAY"
wait_for 20 vm_is other running || fail "other did not start"
wait_for 20 vm_is another running || fail "another did not start"
for vm in escape loose; do
	"$TINCTCTL" start --wait "$vm" || fail "$vm did not start"
	wait_for 20 grep -q '^done$' "$(report_of "$vm")" || fail "$vm did not report"
done

# Confined: every target outside its own directory is out of reach; the
# runtime directories above its own exist only as the way to it.
report=$(report_of escape)
reached=$(grep '^reached' "$report" | grep -v " $RUN/tinct/escape/" |
	grep -v -x -e "reached list $RUN: tinct" -e "reached list $RUN/tinct: escape" || true)
[ -z "$reached" ] || fail "the confined VMM reached: $reached"
grep -q "^blocked socket $RUN/$WAYLAND_DISPLAY:" "$report" || fail "main socket not tried: $(cat "$report")"
grep -q "^reached write $RUN/tinct/escape/own$" "$report" ||
	fail "the confined VMM cannot write its own directory: $(cat "$report")"
grep -q "^reached socket $RUN/tinct/escape/wayland$" "$report" ||
	fail "the confined VMM cannot reach its own display: $(cat "$report")"
[ ! -e "$TEST_DIR/escaped-escape" ] || fail "the confined VMM wrote outside its directory"
set -- $(sed -n 's/^status //p' "$report")
[ "$1" = NoNewPrivs=1 ] || fail "confined VMM: $*"
pids=${4#pids=}
[ "$pids" -le 3 ] || fail "the confined VMM sees $pids processes (no pid namespace?)"

# The console relay, which host clients trust, is not in the VM's
# directory (the VM could put its own socket there, unfiltered).
console=$("$TINCTCTL" list --json | python3 -c '
import json, sys
print("".join(v["console"] for v in json.load(sys.stdin) if v["name"] == "escape"))')
case "$console" in
"$RUN/tinct/escape/"* | "") fail "the console relay is in the VM's directory: $console" ;;
esac
# What the VM put in its directory sends tinct nowhere: restarted, it
# does not write its log through the link the VM planted.
grep -q "^reached plant $RUN/tinct/escape/vmm.log" "$report" || fail "the VMM could not plant a link"
"$TINCTCTL" stop escape || fail "tinctctl stop escape"
wait_for 10 vm_is escape stopped || fail "escape did not stop: $(vm_state escape)"
rm -f "$(report_of escape)" # root's again, as tinct took the directory back
"$TINCTCTL" start --wait escape || fail "escape did not start again after planting a link"
[ "$(cat "$TEST_DIR/victim-escape")" = precious ] || fail "tinct wrote through a link the VM planted"

# Unconfined (confine = false): the same VMM reaches the main socket,
# the other VM and the home directory.
report=$(report_of loose)
for want in "socket $RUN/$WAYLAND_DISPLAY" "socket $RUN/tinct/other/wayland" "read $HOME/canary"; do
	grep -q "^reached $want$" "$report" || fail "the probe did not reach $want unconfined: $(cat "$report")"
done

# /proc status of every process of each VM, seen from the host.
pids=$(group_pids "$ESCAPE_VMM .*$RUN/tinct/escape/serial") || fail "no process of escape"
for pid in $pids; do
	[ "$(proc_field "$pid" NoNewPrivs)" = 1 ] ||
		fail "process $pid ($(cat "/proc/$pid/comm")) of escape has no no-new-privileges"
done
vmm=$(pid_named python3 $pids) || fail "no python3 among escape's processes: $pids"
[ "$(readlink "/proc/$vmm/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] || fail "escape's VMM shares the mount namespace"
escape_uid=$(proc_field "$vmm" Uid)
other_pids=$(group_pids "$FAKE_VMM .*$RUN/tinct/other/serial") || fail "no process of other"
other_uid=$(proc_field "$(pid_named python3 $other_pids)" Uid)
another_pids=$(group_pids "$FAKE_VMM .*$RUN/tinct/another/serial") || fail "no process of another"
another_uid=$(proc_field "$(pid_named python3 $another_pids)" Uid)
if [ "$(id -u)" = 0 ]; then
	[ "$escape_uid" != 0 ] && [ "$other_uid" != 0 ] || fail "a VMM runs as root: $escape_uid $other_uid"
	[ "$escape_uid" != "$other_uid" ] && [ "$other_uid" != "$another_uid" ] ||
		fail "VMs share a uid: $escape_uid $other_uid $another_uid"
	[ "$(stat -c %u "$RUN/tinct/escape")" = "$escape_uid" ] || fail "escape's directory is not its uid's"
	[ "$(stat -c %a "$RUN/tinct/escape")" = 700 ] || fail "escape's directory is not 0700"
else
	[ "$escape_uid" = "$(id -u)" ] || fail "the VMM runs as $escape_uid"
fi
loose_pids=$(group_pids "$ESCAPE_VMM .*$RUN/tinct/loose/serial") || fail "no process of loose"
[ "$(proc_field "$(pid_named python3 $loose_pids)" NoNewPrivs)" = 0 ] ||
	fail "confine = false still confines"

# crosvm connects to the serial socket tinct made in its directory, and
# its confined stop helper stops it gracefully. crosvm needs KVM: without
# /dev/kvm its sandbox cannot be made, and the VM crashes saying so.
if [ -e /dev/kvm ]; then
	"$TINCTCTL" start --wait fakecrosvm || fail "fakecrosvm did not start"
	"$TINCTCTL" stop --wait fakecrosvm || fail "fakecrosvm did not stop"
	vm_is fakecrosvm stopped || fail "fakecrosvm is $(vm_state fakecrosvm): $(cat "$RUN/tinct/fakecrosvm/vmm.log")"
	[ -e "$RUN/tinct/fakecrosvm/powered-off" ] || fail "the stop helper did not reach fakecrosvm"
else
	log "no /dev/kvm: crosvm cannot run here"
	status=0
	"$TINCTCTL" start --wait fakecrosvm 2>"$TEST_DIR/crosvm.err" || status=$?
	[ "$status" != 0 ] || fail "a crosvm VM started without /dev/kvm"
	grep -q "/dev/kvm" "$TEST_DIR/crosvm.err" || fail "no reason given: $(cat "$TEST_DIR/crosvm.err")"
fi

# Stopped, the VM leaves no process of its uid, and tinct takes its
# directory back.
"$TINCTCTL" stop --wait escape || fail "escape did not stop"
if [ "$(id -u)" = 0 ]; then
	wait_for 10 sh -c "! pgrep -u $escape_uid >/dev/null" || fail "processes of uid $escape_uid left"
	[ "$(stat -c %u "$RUN/tinct/escape")" = 0 ] || fail "escape's directory still belongs to its uid"
fi
# ... and it starts again.
rm -f "$(report_of escape)"
"$TINCTCTL" start --wait escape || fail "escape did not start again"
wait_for 20 grep -q '^done$' "$(report_of escape)" || fail "escape did not report again"
stop_tinct

# Fail closed: without bwrap a confined VM does not start; confine = false does.
rm -f "$(report_of escape)" "$(report_of loose)"
TINCT_BWRAP=/nonexistent/bwrap start_tinct --vms "$TEST_DIR/vms"
! "$TINCTCTL" start --wait escape 2>"$TEST_DIR/err" || fail "escape started without bwrap"
vm_is escape stopped || vm_is escape crashed || fail "escape is $(vm_state escape)"
# By now its autostart was tried too.
vm_is other stopped || vm_is other crashed || fail "other runs without bwrap: $(vm_state other)"
[ ! -e "$(report_of escape)" ] && ! pgrep -f "$RUN/tinct/escape/serial" >/dev/null ||
	fail "the VMM of escape ran without bwrap"
"$TINCTCTL" start --wait loose || fail "confine = false did not start without bwrap"
wait_for 20 grep -q '^done$' "$(report_of loose)" || fail "loose did not report"
tinct_alive
stop_tinct
