#!/bin/sh
# A real QEMU guest (TCG) runs confined (vmm/jail.h) and still works: its
# window arrives through waypipe; QEMU has no-new-privileges and its
# seccomp filter (-sandbox), waypipe has no-new-privileges, both in a
# mount namespace of their own without tinct's main socket or the home
# directory, and where tinct is root both run as the VM's own uid.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/appvm-lynx.img" ] || skip "guest images missing in $images (make images)"
need qemu-system-x86_64 waypipe bwrap python3
export TINCT_IMAGES="$images"
VM=appvm-jail
RUN="$XDG_RUNTIME_DIR/tinct/$VM"

mkdir -p "$TEST_DIR/vms"
cat >"$TEST_DIR/vms/$VM.ini" <<INI
[vm]
colour = blue
vmm = qemu
kernel = vmlinuz
initrd = appvm-lynx.img
memory = 512
wayland = waypipe
autostart = true
stop-timeout = 20
[wayland]
ports = 1
[guest]
run = foot -e sh -c 'echo confined; cat'
INI

start_tinct --vms "$TEST_DIR/vms"
wait_for 150 has_window "$VM" "[$VM]" ||
	fail "no window of $VM: $(tail -n 20 "$RUN/waypipe.log" "$RUN/vmm.log" 2>/dev/null)"

qemu_pids=$(group_pids "path=$RUN/serial") || fail "no QEMU process"
qemu=$(pid_named qemu-system-x86 $qemu_pids) || fail "no qemu-system-x86 among $qemu_pids"
# waypipe rewrites its command line; tinct's log names its process group.
wp_group=$(sed -n 's/.*waypipe client 0 started as \([0-9]*\) .*/\1/p' "$TINCT_LOG" | tail -n1)
wp_pids=$(pgrep -g "$wp_group") || fail "no waypipe process: $(pgrep -af waypipe)"
wp=$(pid_named waypipe $wp_pids) || fail "no waypipe among $wp_pids"

for pid in $qemu_pids $wp_pids; do
	[ "$(proc_field "$pid" NoNewPrivs)" = 1 ] ||
		fail "process $pid ($(cat "/proc/$pid/comm")) has no no-new-privileges"
done
[ "$(proc_field "$qemu" Seccomp)" = 2 ] || fail "QEMU runs without its seccomp filter"
for pid in $qemu $wp; do
	name=$(cat "/proc/$pid/comm")
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
		fail "$name shares tinct's mount namespace"
	root="/proc/$pid/root"
	[ -d "$root$RUN" ] || fail "$name does not see its runtime directory"
	[ ! -e "$root$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ] || fail "$name sees tinct's main socket"
	# Of the home directory, at most the way to the images is there.
	for entry in $(ls -A "$root$HOME" 2>/dev/null); do
		case "$images/" in
		"$HOME/$entry/"*) ;;
		*) fail "$name sees $HOME/$entry" ;;
		esac
	done
done
uid=$(proc_field "$qemu" Uid)
if [ "$(id -u)" = 0 ]; then
	[ "$uid" != 0 ] || fail "QEMU runs as root"
	[ "$(proc_field "$wp" Uid)" = "$uid" ] || fail "waypipe does not run as the VM's uid $uid"
fi

"$TINCTCTL" stop --wait "$VM" || fail "tinctctl stop failed"
wait_for 10 sh -c "! pgrep -f '[p]ath=$RUN/serial' >/dev/null" || fail "QEMU survived the stop"
if [ "$(id -u)" = 0 ]; then
	wait_for 10 sh -c "! pgrep -u $uid >/dev/null" || fail "processes of uid $uid left"
fi
tinct_alive
stop_tinct
