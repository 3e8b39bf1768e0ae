#!/bin/sh
# Time to a VM's first window: from `tinctctl start` returning to tinctctl
# listing the VM's window, cold (snapshot = false) and restored from a
# snapshot (vmm/snapshot.h), alternating the two for ROUNDS rounds after one
# start that saves the snapshot. Prints min/median/max of each and the ratio
# of the medians. Not a test: numbers depend on the machine and its load.
# TINCT_KVM=0 (TCG) unless set.
#
#   tests/bench/first-window.sh [BUILD_DIR] [ROUNDS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
rounds=${2:-3}
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
tinct="$build/compositor/tinct"
tinctctl="$build/tinctctl/tinctctl"
[ -x "$tinct" ] && [ -x "$tinctctl" ] || { echo "bench: build tinct first" >&2; exit 1; }
[ -r "$images/appvm-lynx.img" ] || { echo "bench: no guest images in $images (make images)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "bench: QEMU is missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/tinct-bench-vm.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
mkdir -m 700 "$dir/run" && mkdir -p "$dir/vms" "$dir/cache"
for vm in snap cold; do
	cat >"$dir/vms/bench-$vm.ini" <<INI
[vm]
vmm = qemu
kernel = vmlinuz
initrd = appvm-lynx.img
memory = 512
wayland = waypipe
stop-timeout = 20
snapshot = $([ $vm = snap ] && echo true || echo false)
[guest]
run = foot -e sh -c 'lynx -dump file:///srv/index.html; cat'
INI
done
export XDG_RUNTIME_DIR="$dir/run" XDG_CACHE_HOME="$dir/cache" TINCT_IMAGES="$images"
export TINCT_KVM=${TINCT_KVM:-0}
WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	"$tinct" --vms "$dir/vms" >"$dir/tinct.log" 2>&1 &
pid=$!
for _ in $(seq 200); do
	grep -q "running on WAYLAND_DISPLAY=" "$dir/tinct.log" && break
	sleep 0.05
done
WAYLAND_DISPLAY=$(sed -n 's/.*running on WAYLAND_DISPLAY=\([^ ]*\).*/\1/p' "$dir/tinct.log" | head -n1)
export WAYLAND_DISPLAY

has_window() {
	"$tinctctl" windows --json 2>/dev/null | grep -q "\"vm\": *\"$1\""
}

# first_window VM: starts VM, prints ms until its window, stops it.
first_window() {
	t0=$(date +%s%N)
	"$tinctctl" start "$1" >/dev/null 2>&1
	deadline=$((t0 + 180000000000))
	until has_window "$1"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || { echo "bench: no window of $1" >&2; exit 1; }
		sleep 0.02
	done
	echo $((($(date +%s%N) - t0) / 1000000))
	"$tinctctl" kill --wait "$1" >/dev/null 2>&1
}

stats() {
	sort -n | awk '{ v[NR] = $1 } END { printf "min %d  median %d  max %d ms (%d runs)", v[1], v[int((NR + 1) / 2)], v[NR], NR }'
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

save=$(first_window bench-snap)
echo "first start, cold boot + saving the snapshot: $save ms"
: >"$dir/cold" && : >"$dir/restore"
for i in $(seq "$rounds"); do
	if [ $((i % 2)) = 1 ]; then
		first_window bench-cold >>"$dir/cold"
		first_window bench-snap >>"$dir/restore"
	else
		first_window bench-snap >>"$dir/restore"
		first_window bench-cold >>"$dir/cold"
	fi
done
grep -q "^restore" "$dir/run/tinct/bench-snap/boot" || { echo "bench: bench-snap did not restore" >&2; exit 1; }
echo "cold boot:      $(stats <"$dir/cold")"
echo "from snapshot:  $(stats <"$dir/restore")"
awk -v c="$(median <"$dir/cold")" -v r="$(median <"$dir/restore")" \
	'BEGIN { printf "snapshot/cold: %.2f (medians)\n", r / c }'
ls -l "$dir/cache/tinct/snapshots" | awk 'NR > 1 { printf "snapshot file: %d MiB\n", $5 / 1048576 }'
