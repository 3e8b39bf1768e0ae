#!/bin/sh
# The screen lock, with the real swaylock over ext-session-lock-v1: while
# the session is locked nothing but the lock surface is shown and neither a
# host client nor a VM client gets a key or a pointer event; killing the
# locker leaves the session locked (an opaque fill, still no input); a new
# swaylock takes over and unlocks it with the right password.
#
# How the password is checked honestly: swaylock authenticates the user it
# runs as through PAM (/etc/pam.d/swaylock, pam_unix). The test creates a
# throwaway user with a random password (useradd + chpasswd, removed again
# on exit, whatever happens) and runs swaylock as that user: it connects to
# tinct's socket as root (the socket lives in a private 0700 directory) and
# hands the connection to swaylock as WAYLAND_SOCKET, then drops to the
# user with setpriv. The password is typed with wtype, as a user would. No
# PAM file is changed, so the test proves that a wrong-free, real PAM
# check unlocks the session, nothing weaker. Needs root (for useradd); it
# is skipped otherwise.
. "$(dirname "$0")/lib.sh"
need swaylock wtype grim python3 useradd chpasswd userdel setpriv
[ "$(id -u)" = 0 ] || skip "creating the test user needs root"

LOCK_USER="tinctlk$$"
PASSWORD="pw$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
LOCKER_PIDS=
test_cleanup() {
	for pid in $LOCKER_PIDS; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in $LOCKER_PIDS; do
		wait_for 5 not_running "$pid" || true
	done
	if id "$LOCK_USER" >/dev/null 2>&1; then
		userdel -f "$LOCK_USER" >/dev/null 2>&1 || log "cannot remove user $LOCK_USER"
	fi
}
useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$LOCK_USER" ||
	fail "useradd $LOCK_USER"
printf '%s:%s\n' "$LOCK_USER" "$PASSWORD" | chpasswd || fail "chpasswd"

# start_locker NAME COLOUR: swaylock as $LOCK_USER, filling the screen with
# COLOUR; its pid is LOCKER_PID, its output in $TEST_DIR/NAME.out. No
# unlock indicator (-u), so the lock surface is COLOUR alone; an empty
# password is not checked (-e), so pokes below cost no PAM failure delay.
start_locker() {
	python3 - "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" "$LOCK_USER" "$2" \
		>"$TEST_DIR/$1.out" 2>&1 <<'PY' &
import os, socket, sys
path, user, colour = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
fd = s.detach()
os.set_inheritable(fd, True)
env = {"WAYLAND_SOCKET": str(fd), "PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
       "LANG": "C.UTF-8"}
os.execvpe("setpriv", ["setpriv", "--reuid", user, "--regid", user, "--init-groups",
                       "swaylock", "-d", "-u", "-e", "-c", colour], env)
PY
	LOCKER_PID=$!
	LOCKER_PIDS="$LOCKER_PIDS $LOCKER_PID"
}

# only_colour RRGGBB: the whole screen, panel included, is that colour, but
# for the tip of the cursor parked in the bottom-right corner (park).
only_colour() {
	screenshot "$TEST_DIR/shot.ppm" || return 1
	set -- $(printf 'count %s 0\ndiffer 1276 716 4 4 %s\n' "$1" "$1" |
		python3 "$PIXELS" batch "$TEST_DIR/shot.ppm")
	[ $(($1 + $2)) = $((1280 * 720)) ]
}
park() {
	"$TEST_CLIENT" pointer move 1279 719 || fail "virtual pointer"
}
# events NAME: key presses and pointer events NAME's client has had so far.
events() {
	grep -c '^key [0-9]* 1$\|^pointer \(enter\|motion\|button\|axis\)' "$TEST_DIR/$1.out" || true
}
keys_in() {
	grep -c '^key [0-9]* 1$' "$TEST_DIR/$1.out" || true
}
more_than() {
	n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}
# poke: everything a user might do to reach a window behind the lock: keys,
# bindings, the VM menu, pointer motion, clicks and scrolling over both
# windows. Escape clears what the locker got, before the Return.
poke() {
	wtype -M alt -k Tab -m alt || fail "wtype -M alt -k Tab -m alt could not reach tinct"
	wtype -M logo -k space -m logo || fail "wtype -M logo -k space -m logo could not reach tinct"
	wtype -k x -k Escape || fail "wtype -k x -k Escape could not reach tinct"
	wtype -M logo -M shift -k Return -m shift -m logo || fail "wtype -M logo -M shift -k Return -m shift -m logo could not reach tinct"
	"$TEST_CLIENT" pointer move 200 200 down up move 640 400 down up move 900 600 down up ||
		fail "virtual pointer"
	park
}

fake_vm lockvm blue
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is lockvm running || fail "lockvm did not start"
sock=$("$TINCTCTL" socket lockvm)

# The lock manager is for host clients only.
wayland-info >"$TEST_DIR/host-info" 2>&1 || true
WAYLAND_DISPLAY="$sock" wayland-info >"$TEST_DIR/vm-info" 2>&1 || true
grep -q "'ext_session_lock_manager_v1'" "$TEST_DIR/host-info" ||
	fail "ext_session_lock_manager_v1 is not offered to host clients"
grep -q "'ext_session_lock_manager_v1'" "$TEST_DIR/vm-info" &&
	fail "ext_session_lock_manager_v1 is visible to a VM client"

start_client host toplevel --title host --size 500x300 --colour 203040 --report-pointer
wait_for 10 focused_is host || fail "the host window did not get the keys"
WAYLAND_DISPLAY="$sock" start_client vm toplevel --title guest --size 500x300 --colour 405060 --report-pointer
wait_for 10 has_window lockvm "[lockvm] guest" || fail "the VM window did not map"
wait_for 10 grep -q configured "$TEST_DIR/vm.out" || fail "the VM window did not draw"

# Both clients are listening: the pointer reaches each, a key the host.
"$TEST_CLIENT" pointer move 200 200 move 900 600 >/dev/null 2>&1 || fail "virtual pointer"
screenshot "$TEST_DIR/before.ppm"
set -- $(bbox "$TEST_DIR/before.ppm" 203040)
HOST_X=$(($1 + 20)) HOST_Y=$(($2 + 20))
set -- $(bbox "$TEST_DIR/before.ppm" 405060)
VM_X=$(($1 + $3 - 20)) VM_Y=$(($2 + $4 - 20))
"$TEST_CLIENT" pointer move "$HOST_X" "$HOST_Y" move "$VM_X" "$VM_Y" >/dev/null 2>&1 || fail "virtual pointer"
wait_for 5 more_than 0 events host || fail "the host client got no pointer event before the lock"
wait_for 5 more_than 0 events vm || fail "the VM client got no pointer event before the lock"
wtype -k x || fail "wtype -k x could not reach tinct"
wait_for 5 more_than 0 keys_in host || fail "the host client got no key before the lock"
[ "$(app_windows foot)" = 0 ] || fail "foot runs already"

# 1. Lock: only swaylock's colour is on the screen.
park
start_locker locker1 102030
wait_for 15 only_colour 102030 || fail "the screen is not only the lock surface: $(cat "$TEST_DIR/locker1.out")"
grep -q "ext-session-lock" "$TEST_DIR/locker1.out" ||
	fail "swaylock did not use ext-session-lock-v1: $(cat "$TEST_DIR/locker1.out")"
host_before=$(events host)
vm_before=$(events vm)

poke
# A new window while locked neither shows nor takes the keys.
start_client late toplevel --title late --size 300x200 --colour 506070 --report-pointer
wait_for 10 has_window host late || fail "the late window did not map"
only_colour 102030 || fail "something besides the lock surface shows while locked"
wtype -k y || fail "wtype -k y could not reach tinct"

# 2. The locker dies: the session stays locked behind an opaque fill.
kill -KILL "$LOCKER_PID"
wait_for 5 not_running "$LOCKER_PID" || fail "swaylock did not die"
wait_for 10 only_colour 000000 || fail "the session did not stay locked when the locker died"
poke
only_colour 000000 || fail "something shows after the locker died"
[ "$(app_windows foot)" = 0 ] || fail "a binding ran while the session was locked"

# 3. A new locker takes over; the right password unlocks.
start_locker locker2 304050
wait_for 15 only_colour 304050 || fail "a new locker could not lock again: $(cat "$TEST_DIR/locker2.out")"
poke
# The pointer rests on the panel, over no client, when the lock goes.
"$TEST_CLIENT" pointer move 5 5 || fail "virtual pointer"
wtype "$PASSWORD" || fail "wtype $PASSWORD could not reach tinct"
wtype -k Return || fail "wtype -k Return could not reach tinct"
wait_for 15 not_running "$LOCKER_PID" || fail "swaylock did not unlock: $(cat "$TEST_DIR/locker2.out")"
status=0
wait "$LOCKER_PID" || status=$?
[ "$status" = 0 ] || fail "swaylock exited $status: $(cat "$TEST_DIR/locker2.out")"
screenshot "$TEST_DIR/after.ppm"
[ "$(count_colour "$TEST_DIR/after.ppm" 203040)" -gt 0 ] || fail "the host window is not shown after unlocking"

# Nothing reached the clients while locked: the next key after the unlock
# is the first new event of the focused window, and the other got nothing.
focused="$(focused_title)"
case "$focused" in
host) to=host other=vm ;;
"[lockvm] guest") to=vm other=host ;;
late) to=late other=host ;;
*) fail "unexpected focus after unlocking: $focused" ;;
esac
keys_before=$(keys_in "$to")
wtype -k z || fail "wtype -k z could not reach tinct"
wait_for 5 more_than "$keys_before" keys_in "$to" || fail "keys do not reach $focused after unlocking"
"$TINCTCTL" list >/dev/null
[ "$(events host)" = "$((host_before + $([ "$to" = host ] && echo 1 || echo 0)))" ] ||
	fail "the host client got input while locked: $(tail -n 5 "$TEST_DIR/host.out")"
[ "$(events vm)" = "$((vm_before + $([ "$to" = vm ] && echo 1 || echo 0)))" ] ||
	fail "the VM client got input while locked: $(tail -n 5 "$TEST_DIR/vm.out")"
[ "$(grep -c '^key [0-9]* 1$\|^pointer' "$TEST_DIR/late.out" || true)" -le 1 ] ||
	fail "the window mapped while locked got input: $(cat "$TEST_DIR/late.out")"
[ "$(app_windows foot)" = 0 ] || fail "a binding ran while the session was locked"
tinct_alive
stop_tinct
