#!/bin/sh
# Compositor benchmark: tinct against sway 1.7 (the same wlroots), side by
# side on the headless backend with the pixman renderer, same workload, same
# unprivileged user. Reports CPU time and peak memory of each compositor and
# the ratio tinct/sway. Not a test: numbers depend on the machine. (foot is
# the workload: weston-simple-shm aborts on sway 1.7 with the pixman
# renderer, "Both buffers busy".)
#
#   tests/bench/compositor.sh [BUILD_DIR] [CLIENTS] [SECONDS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
clients=${2:-8}
seconds=${3:-10}
user=tinct-bench
tinct="$build/compositor/tinct"
command -v sway >/dev/null || { echo "bench: sway is not installed" >&2; exit 1; }
command -v foot >/dev/null || { echo "bench: foot is missing" >&2; exit 1; }
[ -x "$tinct" ] || { echo "bench: build tinct first ($tinct)" >&2; exit 1; }
if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$user" --regid="$user" --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}
bin_copy=$(mktemp -d /tmp/tinct-bench-bin.XXXXXX)
cp "$tinct" "$bin_copy/tinct"
# Like for like: sway floats the windows too (tinct is a floating WM), so
# both compositors show the same windows at the same sizes, overlapping.
cat >"$bin_copy/sway.config" <<CONF
for_window [app_id=".*"] floating enable
default_border normal 2
CONF
chmod -R a+rx "$bin_copy"

# run NAME COMMAND...: starts the compositor, the clients, measures.
run() {
	name=$1
	shift
	rt=$(mktemp -d /tmp/tinct-bench.XXXXXX)
	chmod 700 "$rt"
	[ "$(id -u)" = 0 ] && chown "$user" "$rt"
	env -i PATH=/usr/bin:/bin HOME=/tmp XDG_RUNTIME_DIR="$rt" WLR_BACKENDS=headless \
		WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		sh -c "$(printf '%s ' "$@")" >"$rt/log" 2>&1 &
	pid=$!
	i=0
	while [ ! -S "$rt/wayland-1" ] && [ ! -S "$rt/wayland-0" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench: $name did not start" >&2; cat "$rt/log" >&2; exit 1; }
		sleep 0.05
	done
	sock=$(ls "$rt" | grep -m1 '^wayland-[0-9]*$')
	comp=$(pgrep -P "$pid" | head -n1)
	[ -n "$comp" ] || comp=$pid
	n=0
	while [ $n -lt "$clients" ]; do
		# A terminal scrolling as fast as it can: damage on every frame.
		env -i PATH=/usr/bin:/bin HOME=/tmp XDG_RUNTIME_DIR="$rt" WAYLAND_DISPLAY="$sock" \
			setpriv --reuid="$user" --regid="$user" --clear-groups \
			foot sh -c 'while :; do seq 1 200; done' >/dev/null 2>&1 &
		n=$((n + 1))
	done
	sleep 2 # warm-up: every client mapped and animating
	t0=$(awk '{print $14 + $15}' "/proc/$comp/stat")
	sleep "$seconds"
	t1=$(awk '{print $14 + $15}' "/proc/$comp/stat")
	rss=$(awk '/VmHWM/ {print $2}' "/proc/$comp/status")
	pkill -P $$ -f "foot sh -c" || true
	pkill -TERM -P "$pid" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -rf "$rt"
	hz=$(getconf CLK_TCK)
	echo "$name $(((t1 - t0) * 1000 / hz)) $rss"
}

as_user true
tinct_line=$(run tinct setpriv --reuid="$user" --regid="$user" --clear-groups "$bin_copy/tinct")
sway_line=$(run sway setpriv --reuid="$user" --regid="$user" --clear-groups sway -c "$bin_copy/sway.config")
rm -rf "$bin_copy"
set -- $tinct_line
tinct_cpu=$2 tinct_rss=$3
set -- $sway_line
sway_cpu=$2 sway_rss=$3
printf '%-8s %12s %14s\n' "" "CPU ms/${seconds}s" "peak RSS KiB"
printf '%-8s %12s %14s\n' tinct "$tinct_cpu" "$tinct_rss"
printf '%-8s %12s %14s\n' sway "$sway_cpu" "$sway_rss"
python3 -c "import sys; c,s,r,q=map(float,sys.argv[1:]); print(f'ratio    {c/s if s else float(\"nan\"):12.2f} {r/q:14.2f}   (tinct/sway, {sys.argv[0] and \"\"}$clients scrolling foot windows)')" \
	"$tinct_cpu" "$sway_cpu" "$tinct_rss" "$sway_rss"
