#!/bin/sh
# A display per VM: clients on a VM's own socket are that VM's, whatever they
# say. Their windows are framed in the VM's colour with a "[vm]" prefix,
# titles are sanitised, privileged globals are hidden, fullscreen becomes
# maximise, and when the VM dies its windows go while tinct carries on.
. "$(dirname "$0")/lib.sh"
need grim wayland-info python3

fake_vm red red
fake_vm blue blue
cat >>"$TEST_DIR/vms/blue.ini" <<INI
[wayland]
allow = fullscreen
INI
cat >>"$TEST_DIR/vms/red.ini" <<INI
[wayland]
named = extra
max-windows = 4
INI

start_tinct --vms "$TEST_DIR/vms"
wait_for 20 vm_is red running || fail "red did not start"
wait_for 20 vm_is blue running || fail "blue did not start"
red_socket="$XDG_RUNTIME_DIR/tinct/red/wayland"
blue_socket="$XDG_RUNTIME_DIR/tinct/blue/wayland"
[ -S "$red_socket" ] && [ -S "$blue_socket" ] || fail "no per-VM sockets"

# The policy: privileged globals are invisible on a VM socket.
WAYLAND_DISPLAY="$red_socket" wayland-info >"$TEST_DIR/vm-info" 2>&1 || fail "wayland-info on the VM socket"
wayland-info >"$TEST_DIR/host-info" 2>&1
for iface in zwlr_layer_shell_v1 zwlr_screencopy_manager_v1 zwlr_export_dmabuf_manager_v1 \
	zwlr_data_control_manager_v1 zwp_virtual_keyboard_manager_v1 \
	zwlr_virtual_pointer_manager_v1 zwlr_input_inhibit_manager_v1 \
	zwlr_foreign_toplevel_manager_v1 zwlr_output_manager_v1 zwlr_output_power_manager_v1 \
	zwlr_gamma_control_manager_v1 zwp_pointer_constraints_v1 zwp_relative_pointer_manager_v1 \
	zwp_keyboard_shortcuts_inhibit_manager_v1 org_kde_kwin_idle ext_session_lock_manager_v1; do
	grep -q "'$iface'" "$TEST_DIR/vm-info" && fail "$iface visible to a VM client"
	grep -q "'$iface'" "$TEST_DIR/host-info" || fail "$iface missing for host clients"
done
grep -q "'xdg_wm_base'" "$TEST_DIR/vm-info" || fail "a VM client cannot see xdg_wm_base"

# Windows: red (which lies in its title), blue, then a small host window.
title=$(printf '\033[31m[blue] bank\342\200\256 login\001')
WAYLAND_DISPLAY="$red_socket" start_client red toplevel --size 200x120 --colour 102030 --title "$title"
wait_mapped 1
# What tinct shows, through its own interface: the prefix is tinct's, the
# escape and the bidi override are gone.
red_title=$("$TINCTCTL" windows --json | python3 -c '
import json, sys
print("".join(w["title"] for w in json.load(sys.stdin) if w["vm"] == "red"))')
case $red_title in
"[red] [blue] bank login"* | "[red] [31m[blue] bank login"*) ;;
*) fail "title not sanitised: $red_title" ;;
esac
printf '%s' "$red_title" | grep -q "$(printf '\342\200\256\|\033\|\001')" && fail "title keeps controls: $red_title"
shot="$TEST_DIR/red.ppm"
screenshot "$shot"
set -- $(bbox "$shot" 102030)
x=$1 y=$2
expect_pixel "$shot" $((x - 1)) $((y + 50)) cc0000 # left border, red, focused
expect_pixel "$shot" $((x + 100)) $((y + 120)) cc0000 # bottom border
expect_pixel "$shot" $((x + 100)) $((y - 23)) cc0000 # top border above the title bar

WAYLAND_DISPLAY="$blue_socket" start_client blue toplevel --size 200x120 --colour 203040 --title blue
wait_mapped 2
start_client host toplevel --size 100x60 --colour 00aa00 --title host
wait_mapped 3
shot="$TEST_DIR/all.ppm"
screenshot "$shot"
[ "$(count_colour "$shot" 3465a4)" = 0 ] || fail "blue still drawn as focused"
[ "$(count_colour "$shot" cc0000)" = 0 ] || fail "red still drawn as focused"
got=$(pixel "$shot" $((x - 1)) $((y + 10)))
[ "$got" = b80000 ] || fail "red frame is $got, not the unfocused red b80000"
[ "$(count_colour "$shot" 6b6f76)" -gt 1000 ] || fail "the host window has no neutral frame"

# Fullscreen: refused (maximised) for red, allowed for blue.
WAYLAND_DISPLAY="$red_socket" start_client redfull toplevel --fullscreen --colour 00ffff
wait_for 10 client_configured "$TEST_DIR/redfull.out" 1276x668 ||
	fail "red fullscreen was not turned into maximise: $(cat "$TEST_DIR/redfull.out")"
WAYLAND_DISPLAY="$blue_socket" start_client bluefull toplevel --fullscreen --colour ffff00
wait_for 10 client_configured "$TEST_DIR/bluefull.out" 1280x720 ||
	fail "blue (allowed) did not get fullscreen: $(cat "$TEST_DIR/bluefull.out")"
kill "$LAST_PID"
wait_for 10 log_count_at_least 1 'view unmapped' || fail "fullscreen window did not go"

# A named socket (crosvm's named contexts) belongs to the VM just the same.
extra="$XDG_RUNTIME_DIR/tinct/red/wayland-extra"
[ -S "$extra" ] || fail "no named socket"
WAYLAND_DISPLAY="$extra" start_client named toplevel --title named --size 100x50
wait_for 10 has_window red "[red] named" || fail "named socket client not red's"

# A VM's popup (a menu) gets a 2 px frame in the VM's colour over its edges.
WAYLAND_DISPLAY="$red_socket" start_client popup toplevel --size 300x200 --colour 203040 \
	--popup 60x40:40c0c0
wait_for 10 grep -q "popup 60x40" "$TEST_DIR/popup.out" || fail "popup not configured"
wait_for 5 log_count_at_least 4 'vm=red' || fail "popup window not mapped"
screenshot "$TEST_DIR/popup.ppm"
set -- $(bbox "$TEST_DIR/popup.ppm" 40c0c0)
[ "$3 $4" = "56 36" ] || fail "popup content is $3x$4, expected 56x36 inside a 2 px frame"
expect_pixel "$TEST_DIR/popup.ppm" $(($1 - 1)) $(($2 + 5)) cc0000
expect_pixel "$TEST_DIR/popup.ppm" $(($1 - 2)) $(($2 + 5)) cc0000
expect_pixel "$TEST_DIR/popup.ppm" $(($1 + 5)) $(($2 + 36)) cc0000

# max-windows = 4: a fifth window disconnects its client; tinct carries on.
WAYLAND_DISPLAY="$red_socket" start_client fifth toplevel --title fifth
wait_for 10 log_has "VM red reached its limit of 4 windows" || fail "window limit not enforced"
tinct_alive

# A VM cannot draw over its own title bar: a client that paints a fake title
# bar above the geometry it declares gets a frame around all of it.
WAYLAND_DISPLAY="$blue_socket" start_client liar toplevel --size 220x120 --colour 405060 \
	--hide-rows 22 --title liar
wait_for 10 has_window blue "[blue] liar" || fail "liar window not mapped"
screenshot "$TEST_DIR/liar.ppm"
set -- $(bbox "$TEST_DIR/liar.ppm" ff00ff)
[ "$3 $4" = "220 22" ] || fail "the hidden rows are not all shown: $3 x $4"
# Right above them: tinct's title bar and border in blue (unfocused: blue
# lacks the keyboard), not the client.
expect_pixel "$TEST_DIR/liar.ppm" $(($1 + 150)) $(($2 - 3)) 2e5b94 # unfocused blue
expect_pixel "$TEST_DIR/liar.ppm" $(($1 - 1)) $(($2 + 5)) 2e5b94

# The red VMM dies: its windows go, everything else stays.
pkill -KILL -f "fake-vmm.py $XDG_RUNTIME_DIR/tinct/red/serial red" || fail "no red VMM process"
wait_for 10 vm_is red crashed || fail "red not marked crashed"
wait_for 10 no_window red "" || fail "red windows stayed"
wait_for 5 test ! -e "$red_socket" || fail "red socket left behind"
tinct_alive
screenshot "$TEST_DIR/after.ppm"
[ "$(count_colour "$TEST_DIR/after.ppm" 102030)" = 0 ] || fail "red window still drawn"
stop_tinct
