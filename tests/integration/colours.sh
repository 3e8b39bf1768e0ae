#!/bin/sh
# Colours keep their meaning, in pixels, for every palette colour (red
# orange yellow green gray blue purple black) on the default black
# background:
#   - a focused frame stands out from the background by 3:1 (WCAG 2.1 for
#     user interface parts), through its colour or, for gray and black, a
#     white outline around it; an unfocused frame too;
#   - the panel's chip and "keys ->" indicator show the VM's colour with
#     text that reads on it, and an outline where the colour would vanish
#     into the bar;
# and a VM colour too close to the host frame colour is a definition error
# naming the file and line (at load and in --validate); grey is gray.
. "$(dirname "$0")/lib.sh"
need grim python3

CONTENT=5e2a7f # the windows' own colour, in no palette

# ratio RRGGBB RRGGBB: the WCAG contrast ratio, times 100.
ratio() {
	python3 - "$1" "$2" <<'PY'
import sys
def lum(h):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
a, b = sorted((lum(sys.argv[1]), lum(sys.argv[2])))
print(int((b + 0.05) / (a + 0.05) * 100))
PY
}

# longest_run FILE RRGGBB Y0 Y1: the longest horizontal run of that colour
# in rows Y0..Y1 (an outline; text never draws one that long).
longest_run() {
	python3 - "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])
path, want, y0, y1 = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = open(path, "rb").read()
fields, pos = [], 0
while len(fields) < 4:
    while data[pos:pos + 1].isspace():
        pos += 1
    start = pos
    while not data[pos:pos + 1].isspace():
        pos += 1
    fields.append(data[start:pos])
w = int(fields[1])
px = data[pos + 1:]
best = 0
for y in range(y0, y1 + 1):
    run = 0
    for x in range(w):
        i = (y * w + x) * 3
        run = run + 1 if px[i:i + 3] == want else 0
        best = max(best, run)
print(best)
PY
}

# 1. Definitions: too close to the host colour is an error with file:line.
mkdir -p "$TEST_DIR/bad" "$TEST_DIR/vms"
printf '[vm]\nvmm = command\ncolour = #6e7178\ncommand = true\n' >"$TEST_DIR/bad/hostlike.ini"
printf '[vm]\nvmm = command\ncommand = true\ncolour = grey\n' >"$TEST_DIR/bad/greyish.ini"
status=0
"$TINCT" --validate -c /dev/null --vms "$TEST_DIR/bad" >"$TEST_DIR/validate.out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "--validate accepted a VM coloured like host windows: $(cat "$TEST_DIR/validate.out")"
grep -q "hostlike.ini:3: \[vm\] colour: .*host" "$TEST_DIR/validate.out" ||
	fail "no file:line error for the host-like colour: $(cat "$TEST_DIR/validate.out")"
grep -q "greyish.ini: OK" "$TEST_DIR/validate.out" || fail "grey was refused: $(cat "$TEST_DIR/validate.out")"
# The rule follows the configured host colour.
printf '[appearance]\nhost-colour = #cc0000\n' >"$TEST_DIR/red-host.ini"
printf '[vm]\nvmm = command\ncommand = true\ncolour = red\n' >"$TEST_DIR/vms/redvm.ini"
status=0
"$TINCT" --validate -c "$TEST_DIR/red-host.ini" --vms "$TEST_DIR/vms" >"$TEST_DIR/validate2.out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "--validate accepted a red VM with red host windows"
grep -q "redvm.ini:4: \[vm\] colour:" "$TEST_DIR/validate2.out" ||
	fail "no file:line error for red on red: $(cat "$TEST_DIR/validate2.out")"
rm "$TEST_DIR/vms/redvm.ini"

# At load, the same error leaves that VM undefined; the others load.
cp "$TEST_DIR/bad/hostlike.ini" "$TEST_DIR/vms/"
n=0
for colour in red orange yellow green gray blue purple black; do
	n=$((n + 1))
	fake_vm "c$n" "$colour" false
done
start_tinct --vms "$TEST_DIR/vms"
"$TINCTCTL" list --json >"$TEST_DIR/list.json"
grep -q '"hostlike"' "$TEST_DIR/list.json" && fail "a VM coloured like host windows was loaded"
grep -q '"c8"' "$TEST_DIR/list.json" || fail "the palette VMs did not load"
log_has "hostlike.ini:3: \[vm\] colour:" || fail "the load error does not name the file and line"

# 2. Every palette colour, focused and unfocused, frame and panel.
BAR=101213 # the panel's background
n=0
for colour in red orange yellow green gray blue purple black; do
	n=$((n + 1))
	case $colour in
	red) rgb=cc0000 ;; orange) rgb=f57900 ;; yellow) rgb=edd400 ;; green) rgb=73d216 ;;
	gray) rgb=555555 ;; blue) rgb=3465a4 ;; purple) rgb=75507b ;; black) rgb=000000 ;;
	esac
	"$TINCTCTL" start "c$n" || fail "start c$n"
	wait_for 20 vm_is "c$n" running || fail "c$n did not start"
	WAYLAND_DISPLAY="$("$TINCTCTL" socket "c$n")" start_client "vm$n" toplevel --title "w$n" \
		--size 300x200 --colour "$CONTENT"
	vm_pid=$LAST_PID
	wait_for 10 focused_is "[c$n] w$n" || fail "$colour: the VM window did not get the keys"
	shot="$TEST_DIR/$colour.ppm"
	screenshot "$shot"
	set -- $(bbox "$shot" "$CONTENT")
	x=$1 y=$(($2 + $4 / 2))
	inner=$(pixel "$shot" $((x - 1)) "$y")
	outer=$(pixel "$shot" $((x - 2)) "$y")
	[ "$inner" = "$rgb" ] || fail "$colour: focused frame is $inner"
	[ "$(ratio "$outer" 000000)" -ge 300 ] ||
		fail "$colour: the focused frame's edge $outer has less than 3:1 on the background"
	if [ "$(ratio "$rgb" 000000)" -lt 300 ]; then
		[ "$outer" = ffffff ] || fail "$colour: no outline around the dark frame ($outer)"
	else
		[ "$outer" = "$rgb" ] || fail "$colour: an outline around a frame that needs none"
	fi
	# The indicator and the chip: the VM's colour, with text of the colour
	# that reads on it, and an outline when it would vanish into the bar.
	[ "$(panel_count "$shot" "$rgb")" -gt 300 ] || fail "$colour: no chip and indicator in the VM colour"
	text=ffffff
	[ "$(ratio "$rgb" 000000)" -gt "$(ratio "$rgb" ffffff)" ] && text=000000
	[ "$(ratio "$rgb" "$text")" -ge 450 ] || fail "$colour: text on it would not read"
	[ "$(panel_count "$shot" "$text")" -gt 10 ] || fail "$colour: no $text text on the chip and indicator"
	if [ "$(ratio "$rgb" "$BAR")" -lt 300 ]; then
		[ "$(longest_run "$shot" ffffff 0 $((PANEL_HEIGHT - 1)))" -ge 30 ] ||
			fail "$colour: no outline around the chip or the indicator on the bar"
	fi

	# Unfocused, behind a host window: still 3:1, through colour or outline.
	start_client "host$n" toplevel --title "h$n" --size 200x100
	host_pid=$LAST_PID
	wait_for 10 focused_is "h$n" || fail "$colour: the host window did not get the keys"
	screenshot "$shot"
	inner=$(pixel "$shot" $((x - 1)) "$y")
	outer=$(pixel "$shot" $((x - 2)) "$y")
	[ "$(ratio "$outer" 000000)" -ge 300 ] ||
		fail "$colour: the unfocused frame's edge $outer ($inner inside) has less than 3:1"
	kill "$vm_pid" "$host_pid"
	"$TINCTCTL" stop "c$n" || fail "stop c$n"
	wait_for 20 vm_is "c$n" stopped || fail "c$n did not stop"
	wait_for 10 no_window "" "h$n" || fail "the host window did not close"
done
tinct_alive
stop_tinct
