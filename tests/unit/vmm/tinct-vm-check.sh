#!/bin/sh
# `tinct-vm check`: lists the good definitions, prints each broken one as
# file:line: [section] key: message, and fails when any is broken.
set -u
tinct_vm="$TINCT_BUILD_ROOT/vmm/tinct-vm"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export XDG_CONFIG_HOME="$dir/config" XDG_RUNTIME_DIR="$dir"
# check also requires the image files; stand-ins do, whatever is built.
export TINCT_IMAGES="$dir/images"
mkdir "$TINCT_IMAGES"
for f in vmlinuz appvm-lynx.img appvm-catgirl.img netvm.img k; do
	: >"$TINCT_IMAGES/$f"
done
fail=0

"$tinct_vm" check --vms "$TINCT_SOURCE_ROOT/config/vms" >"$dir/out" 2>"$dir/err"
status=$?
cat "$dir/out" "$dir/err"
[ "$status" -eq 0 ] || { echo "FAIL: shipped examples do not validate"; fail=1; }
grep -q '^appvm-lynx: ok (qemu, #3465a4,' "$dir/out" || { echo "FAIL: lynx"; fail=1; }
grep -q '^appvm-catgirl: ok (qemu, #75507b,' "$dir/out" || { echo "FAIL: catgirl"; fail=1; }
grep -q '^netvm: ok (qemu, #555555,' "$dir/out" || { echo "FAIL: netvm"; fail=1; }

mkdir "$dir/vms"
printf '[vm]\nkernel = k\n' >"$dir/vms/good.ini"
printf '[vm]\nkernel = k\nnetwork = wi/fi\n' >"$dir/vms/broken.ini"
"$tinct_vm" check --vms "$dir/vms" >"$dir/out" 2>"$dir/err"
status=$?
cat "$dir/out" "$dir/err"
[ "$status" -eq 1 ] || { echo "FAIL: expected status 1, got $status"; fail=1; }
grep -qx "$dir/vms/broken.ini:3: \[vm\] network: expected none, tap or the name of a network VM" "$dir/err" ||
	{ echo "FAIL: error text"; fail=1; }
grep -q '^good: ok' "$dir/out" || { echo "FAIL: good VM not listed"; fail=1; }

# Missing image files are errors too, naming the file.
printf '[vm]\nkernel = k\ninitrd = nothere.img\n' >"$dir/vms/missing.ini"
"$tinct_vm" check --vms "$dir/vms" >"$dir/out" 2>"$dir/err"
status=$?
[ "$status" -eq 1 ] || { echo "FAIL: missing initrd: expected status 1, got $status"; fail=1; }
grep -qx "missing: error: initrd $TINCT_IMAGES/nothere.img: No such file or directory ($dir/vms/missing.ini)" "$dir/err" ||
	{ echo "FAIL: missing initrd not reported: $(cat "$dir/err")"; fail=1; }
rm "$dir/vms/missing.ini"

# [wayland] allow, max-windows and memfd-quota are checked with the rest.
rm "$dir/vms/broken.ini"
printf '[vm]\nkernel = k\n[wayland]\nallow = fullscreen, everything\n' >"$dir/vms/allow.ini"
printf '[vm]\nkernel = k\n[wayland]\nmax-windows = 0\n' >"$dir/vms/windows.ini"
printf '[vm]\nkernel = k\n[wayland]\n\nmemfd-quota = lots\n' >"$dir/vms/quota.ini"
"$tinct_vm" check --vms "$dir/vms" >"$dir/out" 2>"$dir/err"
status=$?
cat "$dir/out" "$dir/err"
[ "$status" -eq 1 ] || { echo "FAIL: [wayland] errors: expected status 1, got $status"; fail=1; }
grep -qx "$dir/vms/allow.ini:4: \[wayland\] allow: unknown permission \"everything\" (expected pointer-constraints, relative-pointer, fullscreen or idle-inhibit)" "$dir/err" ||
	{ echo "FAIL: allow error text"; fail=1; }
grep -qx "$dir/vms/windows.ini:4: \[wayland\] max-windows: expected a number from 1 to 100000" "$dir/err" ||
	{ echo "FAIL: max-windows error text"; fail=1; }
grep -qx "$dir/vms/quota.ini:5: \[wayland\] memfd-quota: expected bytes with an optional K, M or G suffix, at most 64G" "$dir/err" ||
	{ echo "FAIL: memfd-quota error text"; fail=1; }
grep -q '^allow: \|^windows: \|^quota: ' "$dir/out" && { echo "FAIL: a broken VM is listed"; fail=1; }
[ "$(wc -l <"$dir/err")" -eq 3 ] || { echo "FAIL: expected exactly three errors"; fail=1; }

# network = NAME must name a network VM among the definitions.
rm "$dir"/vms/*.ini
printf '[vm]\nkernel = k\nnetwork = netvm\n' >"$dir/vms/app.ini"
"$tinct_vm" check --vms "$dir/vms" >"$dir/out" 2>"$dir/err"
status=$?
cat "$dir/out" "$dir/err"
[ "$status" -eq 1 ] || { echo "FAIL: unknown network VM: expected status 1, got $status"; fail=1; }
grep -qx "$dir/vms/app.ini:3: \[vm\] network: no VM is called netvm" "$dir/err" ||
	{ echo "FAIL: unknown network VM error text"; fail=1; }
grep -q '^app: ok' "$dir/out" && { echo "FAIL: a VM without its network VM is ok"; fail=1; }
printf '[vm]\nkernel = k\n[netvm]\nports = 1\n' >"$dir/vms/netvm.ini"
"$tinct_vm" check --vms "$dir/vms" >"$dir/out" 2>"$dir/err" ||
	{ echo "FAIL: app VM and network VM do not validate"; cat "$dir/err"; fail=1; }
rm "$dir"/vms/*.ini
printf '[vm]\nkernel = k\n' >"$dir/vms/good.ini"

"$tinct_vm" --version | grep -q '^tinct-vm ' || { echo "FAIL: --version"; fail=1; }
"$tinct_vm" --help | grep -q 'Ctrl-]' || { echo "FAIL: --help"; fail=1; }
"$tinct_vm" bogus >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: usage status"; fail=1; }
"$tinct_vm" console no-such-vm 2>"$dir/err"
[ $? -eq 123 ] && grep -q 'no such VM' "$dir/err" || { echo "FAIL: console of an unknown VM"; fail=1; }
"$tinct_vm" console --vms "$dir/vms" good 2>"$dir/err"
[ $? -eq 1 ] && grep -q 'is not running' "$dir/err" || { echo "FAIL: console of a stopped VM"; fail=1; }
exit $fail
