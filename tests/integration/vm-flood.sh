#!/bin/sh
# A VM cannot starve tinct: a guest that floods its display socket with
# connections, windows with huge titles, commits and frame callbacks meets
# its caps (max-connections, max-windows, the title limit) while host
# clients keep getting answers within a bound; and when tinct is out of
# descriptors it backs off instead of spinning on the pending connections.
. "$(dirname "$0")/lib.sh"
need python3 prlimit timeout

HOSTILE="$TINCT_BUILD_ROOT/tests/tools/hostile-client"
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"

fake_vm red red
cat >>"$TEST_DIR/vms/red.ini" <<INI
[wayland]
max-connections = 8
max-windows = 3
INI
fake_vm blue blue # the default cap

# tinct must raise a low soft descriptor limit to the hard one at start.
prlimit --pid $$ --nofile=1024: || fail "cannot lower the test's descriptor limit"
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 log_has "VM red: starting -> running" || fail "red did not start"
wait_for 20 log_has "VM blue: starting -> running" || fail "blue did not start"
red_socket=$("$TINCTCTL" socket red) || fail "tinctctl socket red"
blue_socket=$("$TINCTCTL" socket blue) || fail "tinctctl socket blue"

background_out() {
	out=$1
	shift
	"$@" >"$TEST_DIR/$out.out" 2>&1 &
	BACKGROUND_PIDS="$BACKGROUND_PIDS $!"
	LAST_PID=$!
}

client_says() {
	grep -q "^$2\$" "$TEST_DIR/$1.out"
}

# A host roundtrip through tinct's private protocol, bounded to 2 s.
host_roundtrip() {
	timeout 2 "$TINCTCTL" list >/dev/null
}

# 20 connections on red (cap 8), a window on 5 of them (limit 3) with
# 4000-character titles (a message holds 4096 bytes), then 20 s of commits and frame
# callbacks (long enough for the roundtrips below, even in a sanitizer build).
WAYLAND_DISPLAY="$red_socket" background_out red "$HOSTILE" flood --connections 20 --windows 5 \
	--title-length 4000 --seconds 20
wait_for 20 client_says red "accepted 8 refused 12" ||
	fail "red's cap of 8 connections not kept: $(cat "$TEST_DIR/red.out")"
wait_for 20 client_says red "mapped 5" || fail "red's windows not mapped: $(cat "$TEST_DIR/red.out")"
tinct_alive

# While it floods: every host roundtrip answers within the bound.
i=0
while [ $i -lt 20 ]; do
	host_roundtrip || fail "host roundtrip $i took over 2 s during the flood"
	i=$((i + 1))
done
"$TINCTCTL" --json windows >"$TEST_DIR/windows.json" || fail "tinctctl windows during the flood"
client_says red "flooded [0-9]* commits" &&
	fail "the flood was over before the host roundtrips: nothing measured"
python3 - "$TEST_DIR/windows.json" <<'PY' || fail "caps broken during the flood: $(cat "$TEST_DIR/windows.json")"
import json, sys
windows = [w for w in json.load(open(sys.argv[1])) if w["vm"] == "red"]
assert len(windows) == 3, f"{len(windows)} red windows, limit 3"
for w in windows:
    assert len(w["title"]) <= 256 + len("[red] "), f"title of {len(w['title'])} characters"
PY
wait_for 45 client_says red "flooded [0-9]* commits" || fail "the flood did not end"
# The connections it was allowed all still work (the two windows over the
# limit cost theirs).
wait_for 20 client_says red "alive 6 idle 3 of 3" ||
	fail "red's accepted connections stopped working: $(cat "$TEST_DIR/red.out")"

# Blue has the default cap.
WAYLAND_DISPLAY="$blue_socket" background_out blue "$HOSTILE" flood --connections 70 --seconds 0
wait_for 20 client_says blue "accepted 64 refused 6" ||
	fail "the default cap of 64 not kept: $(cat "$TEST_DIR/blue.out")"
wait_for 20 client_says blue "alive 64 idle 64 of 64" || fail "blue's connections stopped working"
host_roundtrip || fail "host roundtrip after the floods"

# Out of descriptors: leave tinct none (its soft limit at its lowest free
# descriptor number, so no gap below is left), then let a VM queue
# connections it cannot accept. tinct must back off, not spin, and take them
# once descriptors are back.
limits=$(prlimit --pid "$TINCT_PID" --nofile --noheadings --raw --output SOFT,HARD)
[ "$(prlimit --pid "$TINCT_PID" --nofile --noheadings --raw --output SOFT)" = \
	"$(prlimit --pid "$TINCT_PID" --nofile --noheadings --raw --output HARD)" ] ||
	fail "tinct did not raise its descriptor limit: $limits"
lowest_free=$(ls /proc/"$TINCT_PID"/fd | sort -n | awk 'BEGIN { n = 0 } $1 == n { n++ } END { print n }')
prlimit --pid "$TINCT_PID" --nofile="$lowest_free": || fail "cannot lower tinct's limit"
WAYLAND_DISPLAY="$blue_socket" background_out pending "$HOSTILE" connect --connections 40
pending_pid=$LAST_PID
wait_for 20 client_says pending "connected 40" || fail "cannot queue connections"
wait_for 10 log_has "Too many open files" || fail "tinct never ran out of descriptors"
# CPU over a fixed 2 s window (a measurement, not a wait): a busy loop
# would use all of it.
cpu_ticks() {
	awk '{ print $14 + $15 }' /proc/"$TINCT_PID"/stat
}
before=$(cpu_ticks)
sleep 2
used=$(($(cpu_ticks) - before))
ticks=$(getconf CLK_TCK)
[ "$used" -le $((ticks * 2 / 5)) ] ||
	fail "tinct used $used of $((ticks * 2)) ticks while out of descriptors: a busy loop"
lines=$(log_count "Too many open files")
[ "$lines" -le 3 ] || fail "$lines log lines about EMFILE in 2 s: not rate-limited"
tinct_alive

# Descriptors back: the queued connections are taken and answered.
prlimit --pid "$TINCT_PID" --nofile="$(echo "$limits" | tr ' ' ':')" ||
	fail "cannot restore tinct's limit"
kill -USR1 "$pending_pid"
wait_for 20 client_says pending "answered 40 of 40" ||
	fail "queued connections not served after the back-off: $(cat "$TEST_DIR/pending.out")"
host_roundtrip || fail "host roundtrip after descriptor exhaustion"
stop_tinct
