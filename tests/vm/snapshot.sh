#!/bin/sh
# Snapshots (vmm/snapshot.h) on a real QEMU guest (TCG): an application
# VM's first start boots cold and saves a snapshot; the next starts restore
# it and the application's window still arrives; every restore gets its
# own VM generation ID, on which the guest kernel reseeds its random
# generator; a snapshot that fails to load is replaced after a cold boot;
# a changed definition boots cold again and replaces the snapshot;
# `snapshot = false` always boots cold. How a run started is read
# from <runtime dir>/boot, windows and states through tinctctl.
. "$TINCT_SOURCE_ROOT/tests/integration/lib.sh"
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
[ -r "$images/vmlinuz" ] && [ -r "$images/appvm-lynx.img" ] || skip "guest images missing in $images (make images)"
gzip -dc "$images/initrd.img" | grep -aq 'sbin/tinct-snapshot' ||
	skip "guest images in $images predate snapshots (make images)"
need qemu-system-x86_64 waypipe python3
export TINCT_IMAGES="$images"
export XDG_CACHE_HOME="$TEST_DIR/cache"
SNAPSHOTS="$XDG_CACHE_HOME/tinct/snapshots"
CONSOLE="$TINCT_SOURCE_ROOT/tests/tools/console.py"
VM=appvm-snap
COLD=appvm-cold

# define NAME MEMORY [SNAPSHOT]
define() {
	cat >"$TEST_DIR/vms/$1.ini" <<INI
[vm]
colour = green
vmm = qemu
kernel = vmlinuz
initrd = appvm-lynx.img
memory = $2
wayland = waypipe
stop-timeout = 20
snapshot = ${3:-true}
[guest]
run = foot -e sh -c 'lynx -dump file:///srv/index.html; cat'
INI
}

boot_kind() {
	cat "$XDG_RUNTIME_DIR/tinct/$1/boot" 2>/dev/null
}

boot_is() {
	[ "$(boot_kind "$1")" = "$2" ]
}

snapshots_of() {
	find "$SNAPSHOTS" -name "$1-*.snap" 2>/dev/null | wc -l
}

# has_snapshots NAME COUNT
has_snapshots() {
	[ "$(snapshots_of "$1")" = "$2" ]
}

# replaced OLD-FILE: the old snapshot is gone and one new one is there.
replaced() {
	[ ! -e "$1" ] && has_snapshots $VM 1
}

# start_window NAME: starts NAME and waits for its window.
start_window() {
	"$TINCTCTL" start "$1" || fail "tinctctl start $1 failed"
	t0=$(date +%s%N)
	wait_for 150 has_window "$1" "[$1]" ||
		fail "no window of $1 ($(boot_kind "$1")): $(tail -n 5 "$XDG_RUNTIME_DIR/tinct/$1/vmm.log")"
	log "$1: window after $((($(date +%s%N) - t0) / 1000000)) ms ($(boot_kind "$1"))"
}

# guest_facts NAME: prints the guest's VM generation ID (as fw_cfg shows
# it) and whether its kernel reseeded on a VM fork, read on the console.
guest_facts() {
	out="$TEST_DIR/facts-$1-$(date +%s%N).txt"
	python3 "$CONSOLE" "$XDG_RUNTIME_DIR/tinct/$1.console" "$out" --send "
echo GUID=\$(od -An -tx1 -j40 -N16 /sys/firmware/qemu_fw_cfg/by_name/etc/vmgenid_guid/raw | tr -d ' \n') RESEED=\$(dmesg | grep -c 'crng reseeded due to virtual machine fork') BOOT=\$(cat /proc/sys/kernel/random/boot_id) END=\$((6 * 7))
" --until "END=42" --timeout 30 || fail "no answer on $1's console: $(tail -n 5 "$out")"
	grep -a -o 'GUID=[0-9a-f]* RESEED=[0-9]* BOOT=[0-9a-f-]*' "$out" | tail -n1
}

mkdir -p "$TEST_DIR/vms"
define $VM 512
define $COLD 512 false
start_tinct --vms "$TEST_DIR/vms"

# 1. The first start boots cold and leaves a snapshot.
start_window $VM
[ "$(boot_kind $VM)" = cold-save ] || fail "first start: $(boot_kind $VM), not cold-save"
wait_for 60 has_snapshots $VM 1 || fail "no snapshot saved in $SNAPSHOTS"
snap=$(find "$SNAPSHOTS" -name "$VM-*.snap")
[ "$(stat -c %a "$snap")" = 600 ] || fail "snapshot mode $(stat -c %a "$snap")"
[ "$(stat -c %a "$SNAPSHOTS")" = 700 ] || fail "snapshot directory mode $(stat -c %a "$SNAPSHOTS")"
"$TINCTCTL" stop --wait $VM || fail "stop failed"

# 2. Two restores: windows, distinct generation IDs, reseeded kernels.
start_window $VM
[ "$(boot_kind $VM)" = restore ] || fail "second start: $(boot_kind $VM), not restore"
facts1=$(guest_facts $VM)
log "restore 1: $facts1"
"$TINCTCTL" stop --wait $VM || fail "a restored guest did not stop gracefully"
start_window $VM
[ "$(boot_kind $VM)" = restore ] || fail "third start: $(boot_kind $VM), not restore"
facts2=$(guest_facts $VM)
log "restore 2: $facts2"
"$TINCTCTL" kill --wait $VM || fail "kill failed"
guid1=${facts1#GUID=}
guid1=${guid1%% *}
guid2=${facts2#GUID=}
guid2=${guid2%% *}
[ "${#guid1}" = 32 ] && [ "${#guid2}" = 32 ] || fail "no generation ID read: '$facts1' '$facts2'"
[ "$guid1" != "$guid2" ] || fail "two restores share the generation ID $guid1"
case "$facts1 $facts2" in
*RESEED=0*) fail "a restored kernel did not reseed: $facts1 / $facts2" ;;
esac
[ "$(snapshots_of $VM)" = 1 ] || fail "restores changed the snapshots"

# 3. A snapshot QEMU cannot load is deleted and the VM boots cold instead.
size=$(stat -c %s "$snap")
truncate -s $((size / 2)) "$snap"
start_window $VM
[ "$(boot_kind $VM)" = cold-save ] || fail "broken snapshot: $(boot_kind $VM), not cold-save"
wait_for 60 has_snapshots $VM 1 || fail "no snapshot saved after the failed restore"
[ "$(stat -c %s "$snap")" -gt $((size / 2)) ] || fail "the broken snapshot was kept"
"$TINCTCTL" kill --wait $VM || fail "kill failed"

# 4. snapshot = false boots cold and saves nothing.
"$TINCTCTL" start $COLD || fail "start $COLD failed"
wait_for 10 boot_is $COLD cold || fail "$COLD: $(boot_kind $COLD), not cold"
"$TINCTCTL" kill --wait $COLD || fail "kill $COLD failed"
[ "$(snapshots_of $COLD)" = 0 ] || fail "$COLD has a snapshot"
stop_tinct

# 5. A changed definition does not use the old snapshot: cold boot, and
# the new snapshot replaces the old one.
define $VM 448
start_tinct --vms "$TEST_DIR/vms"
start_window $VM
[ "$(boot_kind $VM)" = cold-save ] || fail "changed definition: $(boot_kind $VM), not cold-save"
wait_for 60 replaced "$snap" ||
	fail "the outdated snapshot was not replaced: $(ls "$SNAPSHOTS")"
"$TINCTCTL" kill --wait $VM || fail "kill failed"
stop_tinct
