#!/bin/sh
# Real-QEMU test of `tinct-vm run -c`: the guest's `uname -r` reaches
# stdout and the command's status becomes tinct-vm's.
set -u
images=${TINCT_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images}
if [ ! -r "$images/vmlinuz" ] || [ ! -r "$images/initrd.img" ]; then
	echo "SKIP: guest images missing in $images (make images)"
	exit 77
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: qemu-system-x86_64 is not installed"
	exit 77
fi
XDG_RUNTIME_DIR=$(mktemp -d)
export XDG_RUNTIME_DIR
trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT

out=$("$TINCT_BUILD_ROOT/vmm/tinct-vm" run --timeout 100 \
	--kernel "$images/vmlinuz" --initrd "$images/initrd.img" \
	-c 'uname -r; exit 3')
status=$?
echo "output: $out"
echo "status: $status"
fail=0
if [ "$status" -ne 3 ]; then
	echo "FAIL: expected status 3"
	fail=1
fi
if ! printf '%s\n' "$out" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+'; then
	echo "FAIL: no kernel version in the output"
	fail=1
fi
if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
	echo "FAIL: expected exactly the command's one line"
	fail=1
fi
if [ -n "$(ls -A "$XDG_RUNTIME_DIR/tinct" 2>/dev/null)" ]; then
	echo "FAIL: the ad-hoc VM left files behind"
	fail=1
fi
exit $fail
