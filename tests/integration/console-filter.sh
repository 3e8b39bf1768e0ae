#!/bin/sh
# The serial console is text, not a channel into the host terminal: a guest
# (the stand-in tests/tools/hostile-vmm.py) writes OSC 52 clipboard writes
# and a query, OSC 0/2 titles, DA1/DA2, DSR, XTGETTCAP, DECRQSS and OSC 11
# queries. What `tinctctl console`, `tinct-vm console` and `tinct-vm run`
# write towards the terminal holds the text and colours but none of those;
# and in a real foot on tinct, the clipboard and the title stay the user's
# and the guest receives only what the user typed.
. "$(dirname "$0")/lib.sh"
need python3

TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
TINCT_VM="$TINCT_BUILD_ROOT/vmm/tinct-vm"
HOSTILE_VMM="$TINCT_SOURCE_ROOT/tests/tools/hostile-vmm.py"

# hostile_vm DIR NAME: a VM definition whose VMM is hostile-vmm.py, which
# logs what it receives to `received` in its runtime directory (a confined
# VMM can write nowhere else).
hostile_vm() {
	mkdir -p "$1"
	cat >"$1/$2.ini" <<INI
[vm]
colour = red
vmm = command
command = python3 $HOSTILE_VMM {serial-socket} {name} {runtime-dir}/received
stop-timeout = 2
INI
}

has() {
	grep -q -- "$2" "$TEST_DIR/$1"
}

# terminal_clean FILE: FILE (what went to the terminal) has the text and
# the colours, and no string, query or mode sequence, no BEL and nothing of
# the OSC payloads.
terminal_clean() {
	python3 - "$1" <<'PY' || fail "$(basename "$1") reached the terminal unfiltered: $(od -c "$1" | head -n 30)"
import sys
out = open(sys.argv[1], "rb").read()
for want in [b"hostile-start", b"visible-text", b"\x1b[1;31mred\x1b[0m",
             b"\x1b[48;2;255;0;255m", b"hostile-done"]:
    if want not in out:
        sys.exit(f"missing {want!r}")
for bad in [b"\x1b]", b"\x1bP", b"\x1b_", b"\x1b^", b"\x1bX", b"\x07",
            b"\x1b[c", b"\x1b[>c", b"\x1b[6n", b"\x1b[21t", b"\x1b[?",
            b"cHduZWQ", b"pwned", b"544e"]:
    if bad in out:
        sys.exit(f"found {bad!r}")
PY
}

hostile_vm "$TEST_DIR/vms" evil
start_tinct --vms "$TEST_DIR/vms"
"$TINCTCTL" start --wait evil || fail "evil did not start"

# attach PROGRAM TAG: PROGRAM console evil in the background, its stdin the
# FIFO in.TAG (held open on fd 3 so the console sees no end of input).
attach() {
	mkfifo "$TEST_DIR/in.$2"
	exec 3<>"$TEST_DIR/in.$2"
	"$1" console evil <"$TEST_DIR/in.$2" >"$TEST_DIR/out.$2" 2>"$TEST_DIR/err.$2" &
	CONSOLE_PID=$!
	BACKGROUND_PIDS="$BACKGROUND_PIDS $CONSOLE_PID"
}

detach() {
	printf '\035' >&3
	wait_for 15 not_running "$CONSOLE_PID" || fail "the console did not detach"
	exec 3>&-
}

attach "$TINCTCTL" tinctctl
wait_for 10 has out.tinctctl hostile-done || fail "tinctctl console: no output: $(cat "$TEST_DIR/err.tinctctl")"
detach
terminal_clean "$TEST_DIR/out.tinctctl"

attach "$TINCT_VM" tinct-vm
wait_for 10 has out.tinct-vm hostile-done || fail "tinct-vm console: no output: $(cat "$TEST_DIR/err.tinct-vm")"
detach
terminal_clean "$TEST_DIR/out.tinct-vm"

# tinct-vm run: its own VM manager, its own definition.
hostile_vm "$TEST_DIR/run-vms" loner
mkfifo "$TEST_DIR/in.run"
exec 3<>"$TEST_DIR/in.run"
"$TINCT_VM" run --vms "$TEST_DIR/run-vms" --vm loner \
	<"$TEST_DIR/in.run" >"$TEST_DIR/out.run" 2>"$TEST_DIR/err.run" &
RUN_PID=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $RUN_PID"
wait_for 10 has out.run hostile-done || fail "tinct-vm run: no output: $(cat "$TEST_DIR/err.run")"
printf '\035' >&3
wait_for 15 not_running "$RUN_PID" || fail "tinct-vm run did not end on Ctrl-]"
exec 3>&-
terminal_clean "$TEST_DIR/out.run"

# A real terminal: foot on tinct, attached with tinctctl console.
if ! command -v foot >/dev/null || ! command -v grim >/dev/null ||
	! command -v wl-copy >/dev/null || ! command -v wtype >/dev/null; then
	log "foot, grim, wl-clipboard or wtype missing: byte-level checks only"
	tinct_alive
	stop_tinct
	exit 0
fi
printf 'users-own-clipboard' | wl-copy
wait_for 5 sh -c '[ "$(wl-paste -n)" = users-own-clipboard ]' || fail "host copy and paste failed"
RECEIVED="$XDG_RUNTIME_DIR/tinct/evil/received"
: >"$RECEIVED"
background foot --title users-own-title --app-id console-test "$TINCTCTL" console evil
wait_for 20 has_app console-test || fail "foot did not map"

# Foot draws in order: once the magenta block is on screen, it has also
# read (and would have answered) everything before it.
magenta_shown() {
	screenshot "$TEST_DIR/foot.ppm" && [ "$(count_colour "$TEST_DIR/foot.ppm" ff00ff)" -gt 1000 ]
}
wait_for 20 magenta_shown || fail "foot never showed the console output"
# What the user types comes after any answer foot sent.
wtype 'typed-by-user'
wtype -k Return
wait_for 10 grep -q typed-by-user "$RECEIVED" || fail "typed keys did not reach the guest"
# The guest tries again now that the user typed; the cyan block follows.
cyan_shown() {
	screenshot "$TEST_DIR/foot.ppm" && [ "$(count_colour "$TEST_DIR/foot.ppm" 00ffff)" -gt 1000 ]
}
wait_for 20 cyan_shown || fail "foot never showed the output that followed the input"
[ "$(wl-paste -n)" = users-own-clipboard ] || fail "the guest replaced the clipboard: $(wl-paste -n)"
"$TINCTCTL" --json windows >"$TEST_DIR/windows.json" || fail "tinctctl windows"
python3 - "$TEST_DIR/windows.json" <<'PY' || fail "the guest retitled foot: $(cat "$TEST_DIR/windows.json")"
import json, sys
windows = json.load(open(sys.argv[1]))
titles = [w.get("title") for w in windows if w.get("app_id") == "console-test"]
sys.exit(0 if titles == ["users-own-title"] else f"titles {titles}")
PY
python3 - "$RECEIVED" <<'PY' || fail "the terminal answered the guest: $(od -c "$RECEIVED")"
import sys
got = open(sys.argv[1], "rb").read()
sys.exit(0 if got == b"typed-by-user\r" else f"received {got!r}")
PY

tinct_alive
stop_tinct
