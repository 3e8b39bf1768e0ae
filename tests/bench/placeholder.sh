#!/bin/sh
# Click-to-placeholder: how long from a VM start request until a screenshot
# shows the VM's placeholder window, on headless tinct (pixman). The VMM is
# a stand-in that never boots, so only tinct's own work is measured; grim
# waits for the next frame, so each sample is an upper bound that includes
# one frame and grim's own start-up. Not a test: numbers depend on the
# machine.
#
#   tests/bench/placeholder.sh [BUILD_DIR] [SAMPLES]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
samples=${2:-10}
for prog in grim python3 waypipe; do
	command -v "$prog" >/dev/null || { echo "bench: $prog is missing" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/tinct-bench-ph.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
mkdir -m 700 "$dir/run" && mkdir "$dir/vms"
: >"$dir/kernel"
# A "QEMU" that only sleeps: the VM stays booting, the placeholder up.
printf '#!/bin/sh\nexec sleep 600\n' >"$dir/qemu" && chmod +x "$dir/qemu"
cat >"$dir/vms/bench.ini" <<INI
[vm]
colour = orange
kernel = $dir/kernel
vmm-binary = $dir/qemu
wayland = waypipe
stop-timeout = 1
[guest]
ready = console
run = app: foot
INI
export XDG_RUNTIME_DIR="$dir/run" XDG_CONFIG_HOME="$dir/config" TINCT_KVM=0
WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	"$build/compositor/tinct" --vms "$dir/vms" >"$dir/log" 2>&1 &
pid=$!
i=0
until grep -q "running on WAYLAND_DISPLAY=" "$dir/log"; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { echo "bench: tinct did not start" >&2; exit 1; }
	sleep 0.05
done
WAYLAND_DISPLAY=$(sed -n 's/.*running on WAYLAND_DISPLAY=\([^ ]*\).*/\1/p' "$dir/log" | head -n1)
export WAYLAND_DISPLAY
ctl="$build/tinctctl/tinctctl"
shown() {
	grim -t ppm "$dir/shot.ppm" &&
		[ "$(python3 "$top/tests/tools/pixels.py" count "$dir/shot.ppm" f57900 26)" -gt 10000 ]
}
# The tooling's own cost: a tinctctl round trip and one screenshot check.
t0=$(date +%s%N)
"$ctl" list >/dev/null
shown || true
t1=$(date +%s%N)
echo "tooling alone (tinctctl list + one screenshot check): $(((t1 - t0) / 1000000)) ms"
n=0
while [ "$n" -lt "$samples" ]; do
	t0=$(date +%s%N)
	"$ctl" start bench >/dev/null
	tries=0
	until shown; do
		tries=$((tries + 1))
		[ "$tries" -lt 100 ] || { echo "bench: no placeholder" >&2; exit 1; }
	done
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000)) us"
	"$ctl" --wait kill bench >/dev/null
	n=$((n + 1))
done | sort -n | awk '{ v[NR] = $1; s += $1 } END {
	printf "click-to-placeholder (start request to a screenshot showing it), %d samples:\n", NR
	printf "  median %.1f ms, min %.1f ms, max %.1f ms, mean %.1f ms\n",
		v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000, s / NR / 1000 }'
