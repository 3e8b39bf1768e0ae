#!/bin/sh
# A new window never takes the keyboard from the user. A VM's next window
# may take it only when the user just asked for that VM (tinctctl start
# from a host client here; never autostart), and only if the user did
# nothing since: typing into another VM's window in between cancels the
# grant, and so does [focus] grant-timeout.
. "$(dirname "$0")/lib.sh"
need wtype python3

fake_vm work green true # autostart: no grant
fake_vm late blue false
fake_vm asked purple false
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is work running || fail "work did not start"

# The user types into work's window.
WAYLAND_DISPLAY=$("$TINCTCTL" socket work) start_client typing toplevel --title typing --size 300x200
wait_for 10 focused_is "[work] typing" || fail "work's window did not get the keys"

# 1. late is asked for, but the user types on before its window comes.
"$TINCTCTL" --wait start late || fail "late did not start"
wtype -k a
wait_for 5 grep -q '^key' "$TEST_DIR/typing.out" || fail "typing got no key"
WAYLAND_DISPLAY=$("$TINCTCTL" socket late) start_client late toplevel --title late --size 200x100
wait_for 10 has_window late "[late] late" || fail "late's window is not shown"
"$TINCTCTL" list >/dev/null
focused_is "[work] typing" || fail "late's window took the keys from the user: $(focused_title)"
before=$(grep -c '^key [0-9]* 1$' "$TEST_DIR/typing.out")
wtype -k b
wait_for 5 sh -c "[ \$(grep -c '^key [0-9]* 1\$' '$TEST_DIR/typing.out') -gt $before ]" ||
	fail "the next key did not reach the window the user typed into"
grep -q '^key' "$TEST_DIR/late.out" && fail "a key reached late's window"

# 2. asked is asked for and the user waits: its first window takes the keys.
"$TINCTCTL" --wait start asked || fail "asked did not start"
WAYLAND_DISPLAY=$("$TINCTCTL" socket asked) start_client asked toplevel --title asked --size 200x100
wait_for 10 focused_is "[asked] asked" || fail "the window the user asked for did not get the keys: $(focused_title)"

stop_tinct

# 3. With [focus] grant-timeout = 0 there is no grant at all.
printf '[focus]\ngrant-timeout = 0\n' >"$TEST_DIR/tinct.ini"
start_tinct -c "$TEST_DIR/tinct.ini" --vms "$TEST_DIR/vms"
wait_for 20 vm_is work running || fail "work did not start again"
WAYLAND_DISPLAY=$("$TINCTCTL" socket work) start_client typing2 toplevel --title typing2 --size 300x200
wait_for 10 focused_is "[work] typing2" || fail "work's window did not get the keys"
"$TINCTCTL" --wait start asked || fail "asked did not start again"
WAYLAND_DISPLAY=$("$TINCTCTL" socket asked) start_client asked2 toplevel --title asked2 --size 200x100
wait_for 10 has_window asked "[asked] asked2" || fail "asked2 is not shown"
"$TINCTCTL" list >/dev/null
focused_is "[work] typing2" || fail "a grant was given with grant-timeout = 0: $(focused_title)"
stop_tinct
