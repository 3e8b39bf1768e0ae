#!/bin/sh
# Super+Return on a VM's window opens that VM's serial console in foot: a
# host window framed in the VM's colour, titled "[vm] console", showing the
# boot backlog of a real QEMU guest; pressed again it focuses the same
# window; typing reaches the guest's shell.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/initrd.img" ] || skip "guest images missing in $images (make images)"
need qemu-system-x86_64 python3 foot wtype grim
export TINCT_IMAGES="$images"
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"

# foot dumps what it shows on Ctrl+Shift+F10, so the test can read it.
mkdir -p "$XDG_CONFIG_HOME/foot"
cat >"$XDG_CONFIG_HOME/foot/foot.ini" <<INI
[key-bindings]
pipe-scrollback=[sh -c "cat > $TEST_DIR/scrollback.txt"] Control+Shift+F10
INI

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/demo.ini" <<INI
[vm]
colour = orange
vmm = qemu
kernel = vmlinuz
initrd = initrd.img
memory = 256
autostart = true
stop-timeout = 20
INI

start_tinct --vms "$TEST_DIR/vms"
wait_for 90 vm_is demo running || fail "demo did not start"
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/demo.console" "$TEST_DIR/boot.txt" \
	--until "tinct-guest: ready" --timeout 90 || fail "guest did not boot"

# A window of the VM has the keyboard.
WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/tinct/demo/wayland" start_client app toplevel --title app
wait_mapped 1

wtype -M logo -k Return -m logo
wait_for 20 has_window host "[demo] console" ||
	fail "no console window: $(grep 'view mapped' "$TINCT_LOG")"
# It is attached: a second attachment is refused.
status=0
python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/demo.console" "$TEST_DIR/second.txt" --timeout 5 || status=$?
[ "$status" = 2 ] || fail "the console is not attached in foot (second attach: $status)"

# Framed in the VM's colour (focused).
screenshot "$TEST_DIR/console.ppm"
[ "$(count_colour "$TEST_DIR/console.ppm" f57900)" -gt 1000 ] || fail "console not framed in orange"

# The boot backlog is on screen: the kernel's first line is in foot.
has_backlog() {
	rm -f "$TEST_DIR/scrollback.txt"
	wtype -M ctrl -M shift -k F10 -m shift -m ctrl
	wait_for 5 test -s "$TEST_DIR/scrollback.txt" && grep -q "$1" "$TEST_DIR/scrollback.txt"
}
wait_for 20 has_backlog "Linux version" || fail "no boot backlog in the console window"

# Typing reaches the guest's shell.
wtype "echo tinct-typed-\$((6*7))"
wtype -k Return
wait_for 20 has_backlog "tinct-typed-42" || fail "keys did not reach the guest"

# Super+Return in the console focuses it again instead of a second one.
wtype -M logo -k Return -m logo
[ "$(app_windows tinct-console)" = 1 ] || fail "a second console window opened"
stop_tinct
