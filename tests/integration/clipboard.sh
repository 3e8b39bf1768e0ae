#!/bin/sh
# Per-domain clipboards: the host and every VM have their own clipboard and
# primary selection. A VM that gets the keyboard is offered nothing of the
# host's; host tools (wl-copy, wl-paste through data-control) act on the
# host's, whichever window has the keyboard; a VM without the keyboard
# cannot set a clipboard, not with serial 1 nor with the serial of a
# configure after many of them (wlroots' history fallback).
. "$(dirname "$0")/lib.sh"
need wl-copy wl-paste wtype

fake_vm alpha red
fake_vm mallory purple
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is alpha running || fail "alpha did not start"
wait_for 20 vm_is mallory running || fail "mallory did not start"
ALPHA="$XDG_RUNTIME_DIR/tinct/alpha/wayland"
MALLORY="$XDG_RUNTIME_DIR/tinct/mallory/wayland"

# The user works in a host window and copies a secret there.
start_client work toplevel --title work
wait_mapped 1
printf 'host-secret-iban' | wl-copy
wait_for 5 sh -c '[ "$(wl-paste -n)" = host-secret-iban ]' || fail "host copy and paste failed"
printf 'host-primary' | wl-copy --primary
wait_for 5 sh -c '[ "$(wl-paste -n --primary)" = host-primary ]' || fail "host primary failed"

# A VM window that reads whatever it is offered, then copies its own text.
WAYLAND_DISPLAY="$ALPHA" start_client alpha toplevel --title alpha --paste --copy alpha-text
wait_mapped 2
alpha=$LAST_PID
wtype -M alt -k Tab -m alt
wait_for 10 grep -q "^copied" "$TEST_DIR/alpha.out" || fail "alpha did not get the keyboard"
wait_for 10 grep -q "pasted .*: alpha-text" "$TEST_DIR/alpha.out" ||
	fail "alpha was not offered its own clipboard"
grep -q "host-secret" "$TEST_DIR/alpha.out" && fail "a VM read the host's clipboard on focus"

# While alpha has the keyboard, host tools still see the host's clipboard.
[ "$(wl-paste -n 2>/dev/null || true)" != alpha-text ] || fail "wl-paste read a VM's clipboard"
printf 'host-two' | wl-copy
wait_for 5 sh -c '[ "$(wl-paste -n)" = host-two ]' || fail "wl-copy while a VM is focused failed"
grep -q "host-two" "$TEST_DIR/alpha.out" && fail "a host wl-copy reached the focused VM"

# The primary selection: alpha is offered none of the host's.
kill "$alpha"
wait_for 10 log_count_at_least 1 "view unmapped:" || fail "alpha's window did not go"
WAYLAND_DISPLAY="$ALPHA" start_client alpha-primary toplevel --title alpha-primary --primary --paste
alpha=$LAST_PID
wait_mapped 3
wtype -M alt -k Tab -m alt
wait_for 10 grep -q "selection none\|pasted" "$TEST_DIR/alpha-primary.out" ||
	fail "alpha was not told about the primary selection"
grep -q "host-primary" "$TEST_DIR/alpha-primary.out" && fail "a VM read the host's primary selection"
kill "$alpha"

# mallory, without the keyboard, tries to replace the clipboard and the
# primary selection: with serial 1, then with a fresh configure serial after
# 300 configures (no client was sent it, as data-control's own serials).
WAYLAND_DISPLAY="$MALLORY" start_client evil1 toplevel --title evil1 --copy EVIL-OLD --forge old
wait_for 20 grep -q "^forged" "$TEST_DIR/evil1.out" || fail "mallory's first attempt did not run"
WAYLAND_DISPLAY="$MALLORY" start_client evil2 toplevel --title evil2 --copy EVIL-NEW --forge latest --roll 300
wait_for 60 grep -q "^forged" "$TEST_DIR/evil2.out" || fail "mallory's second attempt did not run"
WAYLAND_DISPLAY="$MALLORY" start_client evil3 toplevel --title evil3 --copy EVIL-PRIMARY --forge latest --roll 20 --primary
wait_for 20 grep -q "^forged" "$TEST_DIR/evil3.out" || fail "mallory's third attempt did not run"
[ "$(wl-paste -n)" = host-two ] || fail "a VM without the keyboard replaced the clipboard"
[ "$(wl-paste -n --primary)" = host-primary ] ||
	fail "a VM without the keyboard replaced the primary selection"
tinct_alive
stop_tinct
