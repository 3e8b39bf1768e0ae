#!/bin/sh
# Moving clipboard content between domains, only through tinct: Super+C
# copies the focused window's domain clipboard into tinct's global
# clipboard, Super+V gives it to the focused window's domain and empties
# the global one. Text and PNG end to end between two VMs and the host;
# other types and anything over [clipboard] max-bytes are refused.
. "$(dirname "$0")/lib.sh"
need wl-copy wl-paste wtype

fake_vm alpha red
fake_vm beta blue
cat >"$TEST_DIR/tinct.ini" <<INI
[clipboard]
max-bytes = 4K
INI
start_tinct -c "$TEST_DIR/tinct.ini" --vms "$TEST_DIR/vms"
wait_for 20 log_has "VM alpha: starting -> running" || fail "alpha did not start"
wait_for 20 log_has "VM beta: starting -> running" || fail "beta did not start"
ALPHA="$XDG_RUNTIME_DIR/tinct/alpha/wayland"
BETA="$XDG_RUNTIME_DIR/tinct/beta/wayland"

start_client work toplevel --title work
wait_mapped 1
mapped=1

# vm_window NAME SOCKET ARGS...: a VM window, given the keyboard by Alt+Tab
# from the host window (the only other one).
vm_window() {
	name=$1
	socket=$2
	shift 2
	WAYLAND_DISPLAY="$socket" start_client "$name" toplevel --title "$name" "$@"
	mapped=$((mapped + 1))
	wait_mapped $mapped
	# A VM window opens without the keyboard: the user gives it the keys
	# with Alt+Tab, as often as it takes (a window closing meanwhile may
	# have moved the focus already).
	wait_for 10 focus_by_alt_tab "$name" || fail "$name did not get the keyboard"
}

focus_by_alt_tab() {
	case $(focused_title) in
	*"] $1") return 0 ;;
	esac
	wtype -M alt -k Tab -m alt
	case $(focused_title) in
	*"] $1") return 0 ;;
	esac
	return 1
}

super() {
	wtype -M logo -k "$1" -m logo
}

# Text: alpha -> beta.
vm_window a1 "$ALPHA" --copy 'héllo from alpha'
a1=$LAST_PID
wait_for 10 grep -q "^copied" "$TEST_DIR/a1.out" || fail "alpha did not copy"
super c
wait_for 10 log_has "copied from \\[alpha\\]: 17 bytes, text" || fail "Super+C did not copy alpha's text"
kill "$a1"
vm_window b1 "$BETA" --paste
b1=$LAST_PID
wait_for 10 grep -q "selection none" "$TEST_DIR/b1.out" || fail "beta did not get the keyboard"
grep -q "héllo" "$TEST_DIR/b1.out" && fail "beta got alpha's text before Super+V"
super v
wait_for 10 grep -q "pasted 17: héllo from alpha" "$TEST_DIR/b1.out" || fail "Super+V did not give beta the text"
# The global clipboard is empty after a paste.
super v
wait_for 10 log_has "nothing to paste" || fail "the global clipboard was not emptied"
kill "$b1"

# An image: alpha -> host.
printf '\211PNG\r\n\032\nnot-really-an-image-but-png-magic' >"$TEST_DIR/in.png"
vm_window a2 "$ALPHA" --copy-file "$TEST_DIR/in.png" --copy-type image/png
a2=$LAST_PID
wait_for 10 grep -q "^copied" "$TEST_DIR/a2.out" || fail "alpha did not copy the image"
super c
wait_for 10 log_has "copied from \\[alpha\\]: 41 bytes, image/png" || fail "Super+C did not copy the image"
kill "$a2"
wait_for 10 log_count_at_least 3 "view unmapped:" || fail "a2 did not go"
super v
wait_for 10 log_has "into \\[host\\]: 41 bytes, image/png" || fail "Super+V did not paste into the host"
wl-paste -t image/png >"$TEST_DIR/out.png"
cmp -s "$TEST_DIR/in.png" "$TEST_DIR/out.png" || fail "the host did not get alpha's image"

# Host text -> beta.
printf 'from the host' | wl-copy
super c
wait_for 10 log_has "copied from \\[host\\]: 13 bytes, text" || fail "Super+C did not copy the host's text"
vm_window b2 "$BETA" --paste
wait_for 10 grep -q "selection none\|pasted" "$TEST_DIR/b2.out" || fail "beta did not get the keyboard"
super v
wait_for 10 grep -q "pasted 13: from the host" "$TEST_DIR/b2.out" || fail "beta did not get the host's text"
kill "$LAST_PID"

# Over the limit, and a type that is neither text nor PNG: refused.
head -c 5000 /dev/zero | tr '\0' x >"$TEST_DIR/big.txt"
vm_window a3 "$ALPHA" --copy-file "$TEST_DIR/big.txt"
wait_for 10 grep -q "^copied" "$TEST_DIR/a3.out" || fail "alpha did not copy the big text"
super c
wait_for 10 log_has "refused: more than 4096 bytes" || fail "the size limit did not hold"
kill "$LAST_PID"
vm_window a4 "$ALPHA" --copy evil --copy-type application/x-evil
wait_for 10 grep -q "^copied" "$TEST_DIR/a4.out" || fail "alpha did not copy the odd type"
super c
wait_for 10 log_has "only text and PNG images can be copied" || fail "an odd type was not refused"
super v
wait_for 10 log_count_at_least 2 "nothing to paste" || fail "a refused copy filled the global clipboard"
tinct_alive
stop_tinct
