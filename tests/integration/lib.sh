# Shared helpers for integration tests: a headless tinct with its own
# XDG_RUNTIME_DIR, bounded waits on conditions, screenshots and pixel checks.
# Every process a test starts is killed on exit.
set -eu

: "${TINCT_BUILD_ROOT:?run through meson test}"
: "${TINCT_SOURCE_ROOT:?run through meson test}"
TINCT="${TINCT:-$TINCT_BUILD_ROOT/compositor/tinct}"
PIXELS="$TINCT_SOURCE_ROOT/tests/tools/pixels.py"

TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tinct-test.XXXXXX")
chmod 700 "$TEST_DIR"
export XDG_RUNTIME_DIR="$TEST_DIR/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export XDG_CONFIG_HOME="$TEST_DIR/config"
mkdir -p "$XDG_CONFIG_HOME"
export HOME="${HOME:-$TEST_DIR}"
unset WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY
# foot runs $SHELL; a login shell with a heavy rc file would slow every test.
export SHELL=/bin/sh
TINCT_PID=
TINCT_LOG="$TEST_DIR/tinct.log"
BACKGROUND_PIDS=

log() {
	echo "# $*" >&2
}

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$TINCT_LOG" ]; then
		echo "---- tinct log (last 40 lines) ----" >&2
		tail -n 40 "$TINCT_LOG" >&2
	fi
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

need() {
	for prog in "$@"; do
		command -v "$prog" >/dev/null 2>&1 || skip "$prog is not installed"
	done
}

# A test that changes anything outside $TEST_DIR (a user account, say)
# defines test_cleanup(), which runs once its processes are gone.
cleanup() {
	status=$?
	for pid in $BACKGROUND_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	if command -v test_cleanup >/dev/null 2>&1; then
		test_cleanup || true
	fi
	if [ -n "$TINCT_PID" ] && kill -0 "$TINCT_PID" 2>/dev/null; then
		kill -TERM "$TINCT_PID" 2>/dev/null || true
		wait_for 10 not_running "$TINCT_PID" || kill -KILL "$TINCT_PID" 2>/dev/null || true
	fi
	rm -rf "$TEST_DIR"
	exit $status
}
trap cleanup EXIT INT TERM

not_running() {
	! kill -0 "$1" 2>/dev/null
}

# wait_for SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds or
# the bound passes (returns 1 then).
wait_for() {
	bound=$1
	shift
	deadline=$(($(date +%s%N) / 1000000 + bound * 1000))
	while ! "$@" >/dev/null 2>&1; do
		if [ $(($(date +%s%N) / 1000000)) -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.05
	done
	return 0
}

log_has() {
	grep -q -- "$1" "$TINCT_LOG"
}

log_count() {
	grep -c -- "$1" "$TINCT_LOG" || true
}

# log_count_at_least N PATTERN: for wait_for, which must re-count each time
# (a "$(log_count ...)" argument would be counted once, when called).
log_count_at_least() {
	[ "$(log_count "$2")" -ge "$1" ]
}

# start_tinct [tinct args...]: headless tinct with debug logging; exports
# WAYLAND_DISPLAY once its socket is up.
start_tinct() {
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		"$TINCT" -d "$@" >"$TINCT_LOG" 2>&1 &
	TINCT_PID=$!
	wait_for 20 log_has "running on WAYLAND_DISPLAY=" || fail "tinct did not start"
	WAYLAND_DISPLAY=$(sed -n 's/.*running on WAYLAND_DISPLAY=\([^ ]*\).*/\1/p' "$TINCT_LOG" | head -n1)
	export WAYLAND_DISPLAY
}

# stop_tinct: SIGTERM, then require a clean exit (status 0) within 10 s.
stop_tinct() {
	kill -TERM "$TINCT_PID"
	wait_for 10 not_running "$TINCT_PID" || fail "tinct did not exit on SIGTERM"
	status=0
	wait "$TINCT_PID" || status=$?
	TINCT_PID=
	[ "$status" = 0 ] || fail "tinct exited with status $status"
}

tinct_alive() {
	kill -0 "$TINCT_PID" 2>/dev/null || fail "tinct died"
}

# background CMD...: starts a client that cleanup() will kill.
background() {
	"$@" >>"$TEST_DIR/clients.log" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	LAST_PID=$!
}

# wait_mapped N: waits until N views have been mapped in total.
wait_mapped() {
	wait_for 20 mapped_at_least "$1" || fail "expected $1 mapped window(s)"
}

mapped_at_least() {
	[ "$(log_count 'view mapped:')" -ge "$1" ]
}

screenshot() {
	grim -t ppm "$@"
}

pixel() {
	python3 "$PIXELS" at "$@"
}

# tinct's own panel is the top PANEL_HEIGHT rows of every output; window
# checks look below it, panel checks use panel_count.
PANEL_HEIGHT=26

bbox() {
	python3 "$PIXELS" bbox "$1" "$2" "${3:-$PANEL_HEIGHT}"
}

count_colour() {
	python3 "$PIXELS" count "$1" "$2" "${3:-$PANEL_HEIGHT}"
}

# panel_count FILE RRGGBB: pixels of that colour in the panel strip.
panel_count() {
	# One load of the screenshot answers both counts.
	set -- $(printf 'count %s 0\ncount %s %s\n' "$2" "$2" "$PANEL_HEIGHT" |
		python3 "$PIXELS" batch "$1")
	echo $(($1 - $2))
}

# expect_pixel FILE X Y RRGGBB
expect_pixel() {
	got=$(pixel "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "pixel ($2, $3) of $(basename "$1") is $got, expected $4"
}

TEST_CLIENT="$TINCT_BUILD_ROOT/tests/tools/test-client"
FAKE_VMM="$TINCT_SOURCE_ROOT/tests/tools/fake-vmm.py"

# fake_vm NAME COLOUR [AUTOSTART]: defines a VM in $TEST_DIR/vms whose VMM is
# the stand-in tests/tools/fake-vmm.py (a serial console, no guest). Append
# more lines to $TEST_DIR/vms/NAME.ini for other keys.
fake_vm() {
	mkdir -p "$TEST_DIR/vms"
	cat >"$TEST_DIR/vms/$1.ini" <<INI
[vm]
colour = $2
vmm = command
command = python3 $FAKE_VMM {serial-socket} {name}
autostart = ${3:-true}
stop-timeout = 2
INI
}

# client_configured LOGFILE WxH: the test client drew at that size.
client_configured() {
	grep -q "configured $2" "$1"
}

# start_client NAME ARGS...: runs test-client in the background, output in
# $TEST_DIR/NAME.out.
start_client() {
	name=$1
	shift
	"$TEST_CLIENT" "$@" >"$TEST_DIR/$name.out" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	LAST_PID=$!
}

# Assertions through tinct's own interface (tinctctl --json), not its log.
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"

# vm_state NAME: prints NAME's state (stopped, starting, running, ...).
vm_state() {
	"$TINCTCTL" list --json 2>/dev/null | python3 -c '
import json, sys
print("".join(v["state"] for v in json.load(sys.stdin) if v["name"] == sys.argv[1]))' "$1"
}

# vm_is NAME STATE
vm_is() {
	[ "$(vm_state "$1")" = "$2" ]
}

# windows_matching VM TITLE-PREFIX: how many windows tinct shows of VM
# ("host" for host windows, "" for any) whose title starts with the prefix.
# Placeholders (tinct's own, while a VM starts) are no client's windows.
windows_matching() {
	"$TINCTCTL" windows --json 2>/dev/null | python3 -c '
import json, sys
vm, prefix = sys.argv[1], sys.argv[2]
print(sum(1 for w in json.load(sys.stdin)
          if not w.get("placeholder") and (vm == "" or (w["vm"] or "host") == vm)
          and (w["title"] or "").startswith(prefix)))' "$1" "$2"
}

# has_window VM TITLE-PREFIX / no_window VM TITLE-PREFIX
has_window() {
	[ "$(windows_matching "$1" "$2")" -gt 0 ]
}
no_window() {
	[ "$(windows_matching "$1" "$2")" = 0 ]
}

# focused_title: the title of the window tinct says has the keyboard.
focused_title() {
	"$TINCTCTL" windows --json 2>/dev/null | python3 -c '
import json, sys
print("".join(w["title"] for w in json.load(sys.stdin) if w["focused"]))'
}
focused_is() {
	[ "$(focused_title)" = "$1" ]
}

# app_windows APP_ID: how many windows with that app_id tinct shows.
app_windows() {
	"$TINCTCTL" windows --json 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for w in json.load(sys.stdin) if w["app_id"] == sys.argv[1]))' "$1"
}
has_app() {
	[ "$(app_windows "$1")" -ge "${2:-1}" ]
}
no_app() {
	[ "$(app_windows "$1")" = 0 ]
}

# Confinement (vmm/jail.h): the processes that serve a VM, seen from the host.
# group_pids PATTERN: every process in the process group of the oldest
# process whose command line matches PATTERN (the VMM's bwrap and what runs
# inside it, or an unconfined VMM).
group_pids() {
	first=$(pgrep -o -f -- "$1") || return 1
	pgid=$(ps -o pgid= -p "$first" | tr -d ' ')
	[ -n "$pgid" ] && pgrep -g "$pgid"
}

# proc_field PID FIELD: FIELD's first value in /proc/PID/status.
proc_field() {
	sed -n "s/^$2:[[:space:]]*\([^[:space:]]*\).*/\1/p" "/proc/$1/status"
}

# pid_named NAME PID...: the first PID whose command name is NAME.
pid_named() {
	name=$1
	shift
	for pid in "$@"; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && echo "$pid" && return 0
	done
	return 1
}
