#!/bin/sh
# A VM's life told truthfully, with the stand-in VMM (no guest): a VM whose
# guest reports readiness is "booting" until it says "tinct-guest: ready",
# one without a guest protocol is running once its console connects; missing
# kernel, initrd and disk files fail the start before any VMM runs, and say
# so; a crash keeps its reason (exit status and the VMM's last words) in
# tinctctl list --json, is logged once, ends `tinctctl --wait start` with
# the reason, leaves its console backlog (the panic) readable, and is
# restarted from the menu in one action; stop-when-idle stops a VM when
# its last window closes.
. "$(dirname "$0")/lib.sh"
need python3 wtype
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"
TINCT_VM="$TINCT_BUILD_ROOT/vmm/tinct-vm"

# json VM KEY: a field of VM in tinctctl list --json ("None" when null).
json() {
	"$TINCTCTL" list --json | python3 -c '
import json, sys
print(next(v for v in json.load(sys.stdin) if v["name"] == sys.argv[1]).get(sys.argv[2], "MISSING"))' "$1" "$2"
}
json_is() {
	[ "$(json "$1" "$2")" = "$3" ]
}

fake_vm plain green false
fake_vm guest blue false
cat >>"$TEST_DIR/vms/guest.ini" <<INI
[guest]
ready = guest
INI
sed -i "s|{name}\$|{name} --guest|" "$TEST_DIR/vms/guest.ini"
fake_vm boom red false
sed -i "s|{name}\$|{name} --crash 3|" "$TEST_DIR/vms/boom.ini"
fake_vm bust purple false
sed -i "s|{name}\$|{name} --guest --crash 4|" "$TEST_DIR/vms/bust.ini"
printf '[guest]\nready = guest\n' >>"$TEST_DIR/vms/bust.ini"
fake_vm idle yellow false
echo "stop-when-idle = true" >>"$TEST_DIR/vms/idle.ini"
for what in kernel initrd disk; do
	fake_vm "no$what" orange false
	echo "$what = $TEST_DIR/missing-$what.img" >>"$TEST_DIR/vms/no$what.ini"
done
# The files that do exist are fine.
: >"$TEST_DIR/kernel.img"
sed -i "s|missing-kernel|kernel|" "$TEST_DIR/vms/noinitrd.ini" "$TEST_DIR/vms/nodisk.ini"
echo "kernel = $TEST_DIR/kernel.img" >>"$TEST_DIR/vms/noinitrd.ini"
echo "kernel = $TEST_DIR/kernel.img" >>"$TEST_DIR/vms/nodisk.ini"

# tinct-vm check reports missing files.
status=0
XDG_CONFIG_HOME="$TEST_DIR/none" "$TINCT_VM" check --vms "$TEST_DIR/vms" >"$TEST_DIR/check.out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "tinct-vm check exited $status: $(cat "$TEST_DIR/check.out")"
for what in kernel initrd disk; do
	grep -q "no$what.*$what.*missing-$what.img.*No such file" "$TEST_DIR/check.out" ||
		fail "tinct-vm check does not report the missing $what: $(cat "$TEST_DIR/check.out")"
done
grep -q "^plain: ok" "$TEST_DIR/check.out" || fail "plain not ok: $(cat "$TEST_DIR/check.out")"

start_tinct --vms "$TEST_DIR/vms"

# Without a guest protocol: running once the console is connected.
"$TINCTCTL" --wait start plain || fail "plain did not start"
json_is plain state running || fail "plain is $(json plain state) after --wait start"

# With one: booting until the guest says it is ready, and --wait waits.
"$TINCTCTL" start guest || fail "tinctctl start guest"
wait_for 10 json_is guest state booting || fail "guest is $(json guest state), not booting"
"$TINCTCTL" --wait start guest >"$TEST_DIR/wait.out" 2>&1 &
WAITER=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $WAITER"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/guest.console" "$TEST_DIR/guest.txt" \
	--until "booting" --timeout 10 || fail "no boot output from guest"
json_is guest state booting || fail "guest left booting before it was ready"
kill -0 "$WAITER" 2>/dev/null || fail "--wait returned before the guest was ready"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/guest.console" "$TEST_DIR/guest.txt" \
	--send "go
" --until "tinct-guest: ready" --timeout 10 || fail "the fake guest did not get ready"
wait_for 10 json_is guest state running || fail "guest is $(json guest state) after ready"

# Missing files: the start fails at once, no VMM runs, the state says why.
for what in kernel initrd disk; do
	status=0
	"$TINCTCTL" --wait start "no$what" >"$TEST_DIR/out" 2>&1 || status=$?
	[ "$status" = 5 ] || fail "start no$what exited $status: $(cat "$TEST_DIR/out")"
	grep -q "missing-$what.img" "$TEST_DIR/out" || fail "start no$what: $(cat "$TEST_DIR/out")"
	json_is "no$what" state crashed || fail "no$what is $(json "no$what" state)"
	json "no$what" reason | grep -q "$what.*missing-$what.img.*No such file" ||
		fail "no$what reason: $(json "no$what" reason)"
	json_is "no$what" exit_status None || fail "no$what has an exit status"
	[ ! -e "$XDG_RUNTIME_DIR/tinct/no$what/vmm.log" ] || fail "a VMM ran for no$what"
done

# A crash: --wait start fails with the reason; list has it.
"$TINCTCTL" --wait start boom >"$TEST_DIR/boom.out" 2>&1 &
BOOMER=$!
wait_for 10 json_is boom state running || fail "boom did not start"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/boom.console" "$TEST_DIR/boom.txt" --send "die
" --until "Oops" --timeout 10 || fail "no oops"
wait_for 10 json_is boom state crashed || fail "boom is $(json boom state)"
json_is boom exit_status 3 || fail "boom exit_status: $(json boom exit_status)"
json boom reason | grep -q "status 3.*the disk is on fire" || fail "boom reason: $(json boom reason)"
[ "$(log_count "VM boom crashed")" = 1 ] || fail "the crash is logged $(log_count "VM boom crashed") times"
wait "$BOOMER" || true
# --wait start of a VM that crashes while booting fails with the reason.
status=0
"$TINCTCTL" --wait start bust >"$TEST_DIR/boom.out" 2>&1 &
BOOMER=$!
wait_for 10 json_is bust state booting || fail "bust is $(json bust state), not booting"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/bust.console" "$TEST_DIR/bust.txt" --send "die
" --until "Oops" --timeout 10 || fail "no oops"
wait "$BOOMER" || status=$?
[ "$status" = 5 ] || fail "--wait start of a crashing VM exited $status: $(cat "$TEST_DIR/boom.out")"
grep -q "crashed.*status 4.*the disk is on fire" "$TEST_DIR/boom.out" ||
	fail "--wait start does not say why: $(cat "$TEST_DIR/boom.out")"

# The console of the crashed VM still shows the backlog, to its last words.
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/boom.console" "$TEST_DIR/after.txt" \
	--until "Oops" --timeout 5 || fail "no backlog after the crash: $(cat "$TEST_DIR/after.txt")"
# Detach (Ctrl-]) only once the backlog has arrived: sent at once, it may
# be read before the backlog is written.
: >"$TEST_DIR/ctl.txt"
{
	wait_for 10 grep -q "Oops" "$TEST_DIR/ctl.txt" || true
	printf '\035'
} | "$TINCTCTL" console boom >"$TEST_DIR/ctl.txt" 2>&1 ||
	fail "tinctctl console of a crashed VM: $(cat "$TEST_DIR/ctl.txt")"
grep -q "Oops" "$TEST_DIR/ctl.txt" || fail "tinctctl console: $(cat "$TEST_DIR/ctl.txt")"

# stop-when-idle: the VM stops (gracefully) when its last window closes;
# without it a VM outlives its windows.
"$TINCTCTL" --wait start idle || fail "idle did not start"
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/idle/wayland" start_client idle1 toplevel --title one
IDLE1=$LAST_PID
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/idle/wayland" start_client idle2 toplevel --title two
IDLE2=$LAST_PID
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/plain/wayland" start_client plain1 toplevel --title p
PLAIN1=$LAST_PID
wait_for 10 has_window idle "[idle] two" || fail "no window of idle"
wait_for 10 has_window idle "[idle] one" || fail "no window of idle"
wait_for 10 has_window plain "[plain] p" || fail "no window of plain"
kill "$IDLE1"
wait_for 10 no_window idle "[idle] one" || fail "idle's first window stayed"
json_is idle state running || fail "idle stopped with a window left: $(json idle state)"
kill "$IDLE2" "$PLAIN1"
wait_for 10 json_is idle state stopped || fail "idle is $(json idle state) without windows"
wait_for 10 no_window plain "[plain] p" || fail "plain's window stayed"
json_is plain state running || fail "plain stopped without stop-when-idle"

# Restart is one action away: the menu opens on the crashed VM's Restart.
wtype -M logo -k space -m logo
wait_for 5 log_has "panel: menu open" || fail "Super+Space did not open the menu"
wtype -k Return
wait_for 10 json_is boom state running || fail "Enter in the menu did not restart boom: $(json boom state)"
json_is boom reason None || fail "the old reason stayed: $(json boom reason)"
stop_tinct
