#!/bin/sh
# The keyboard bug as honest clients meet it: with a GTK right-click menu
# open (a popup grab), Alt+Tab to another window must move the keys there,
# as tinct's focus (tinctctl windows, the panel) says, for GTK 3 and GTK 4.
. "$(dirname "$0")/lib.sh"
need wtype python3 grim gtk3-widget-factory gtk4-widget-factory

start_tinct
TINCTCTL="$TINCT_BUILD_ROOT/tinctctl/tinctctl"
focused_app() {
	"$TINCTCTL" windows --json | python3 -c '
import json, sys
print("".join(w["app_id"] for w in json.load(sys.stdin) if w["focused"]))'
}
focused_is() {
	[ "$(focused_app)" = "$1" ]
}
keys_in_typing() {
	grep -c '^key [0-9]* 1$' "$TEST_DIR/typing.out" || true
}
more_than() {
	n=$1
	shift
	[ "$("$@")" -gt "$n" ]
}
popups() {
	log_count 'new xdg_surface'
}
# The factory's "entry" field (same place in both) is drawn: white inside.
entry_drawn() {
	screenshot "$TEST_DIR/gtk.ppm" && [ "$(pixel "$TEST_DIR/gtk.ppm" 100 300)" = ffffff ]
}

start_client typing toplevel --title typing --app-id typing --size 200x100
wait_for 10 focused_is typing || fail "the host window did not get the keys"

for app in gtk3-widget-factory gtk4-widget-factory; do
	GDK_BACKEND=wayland NO_AT_BRIDGE=1 background "$app"
	pid=$LAST_PID
	case $app in
	gtk3*) id=gtk3-widget-factory ;;
	gtk4*) id=gtk4-widget-factory ;;
	esac
	wait_for 20 focused_is "$id" || fail "$app did not get the keys ($(focused_app))"
	wait_for 20 entry_drawn || fail "$app did not draw its entry"
	# A right-click on the entry opens its context menu, which grabs.
	n=$(popups)
	"$TEST_CLIENT" pointer move 180 300 down right up right || fail "pointer"
	wait_for 5 more_than "$n" popups || fail "$app opened no menu"
	# Alt+Tab: the keys go to the typing window, and tinct says so.
	wtype -M alt -k tab -m alt
	wait_for 5 focused_is typing || fail "Alt+Tab from $app's menu left the keys with $(focused_app)"
	before=$(keys_in_typing)
	wtype -k x
	wait_for 5 more_than "$before" keys_in_typing || fail "the key went to $app, not where tinct said"
	kill "$pid"
	wait_for 10 focused_is typing || fail "typing lost the keys"
done
tinct_alive
stop_tinct
