#!/bin/sh
# The clipboard: host clients copy and paste (wl-clipboard, through
# data-control); a VM without the keyboard cannot replace what the user is
# about to paste.
. "$(dirname "$0")/lib.sh"
need wl-copy wl-paste

fake_vm mallory red
start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is mallory running || fail "mallory did not start"
# The user works in a host window.
start_client work toplevel --title work
wait_mapped 1

printf 'host-secret-iban' | wl-copy
wait_for 5 sh -c '[ "$(wl-paste -n)" = host-secret-iban ]' || fail "host copy and paste failed"

# mallory tries to swap it (no data-control for VMs: wl-copy falls back to
# a surface of its own, which does not get the keyboard).
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/mallory/wayland" timeout 5 wl-copy 'EVIL-IBAN' \
	>"$TEST_DIR/evil.out" 2>&1 &
evil=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $evil"
wait_for 10 log_has "selection refused\\|mapped without focus" || true
[ "$(wl-paste -n)" = host-secret-iban ] || fail "a VM without the keyboard replaced the clipboard"
stop_tinct
